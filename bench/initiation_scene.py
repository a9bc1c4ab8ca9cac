"""Single-point versus two-point initiation on the Stone Soup comparison scene.

The scene and tracker of ``bench/bench_tracking.py`` (2-D, 1 s scans, Pd 0.9, 5 m
noise, uniform clutter, CV KF, Mahalanobis gate 3, GNN, 3-of-3 confirmation, 3
misses), once with its single-point initiator (velocity std 30 m/s) and once with
:class:`~iadsim.tracking.TwoPointInitiator` (30 m/s targets: a 60 m/s pairing gate,
the scene's q, max_looks 1 as 3-of-3 allows no miss). Prints per N: ms per scan, mean
GOSPA (c = 50 m, p = 1, alpha = 2) over all scans and over the scans after the first
10, and tentative tracks started.

Usage: python bench/initiation_scene.py [--n 10 100 1000] [--scans 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tracking import Q_M2PS3, SIGMA_M, iadsim_parts, make_scene, mean_gospa

from iadsim.frames import TrackStatus
from iadsim.tracking import Measurements, TrackerParts, TwoPointInitiator


def run(parts: TrackerParts, dets: list[np.ndarray]) -> tuple[float, list[np.ndarray], int]:
    """ms per scan, confirmed/coasting positions per scan, tracks started."""
    tr = parts.build()
    R = np.eye(2) * SIGMA_M**2
    meas = [Measurements.cartesian(np.full(len(z), float(k)), z, R) for k, z in enumerate(dets)]
    out, t0 = [], time.perf_counter()
    for k, m in enumerate(meas):
        f = tr.step_measurements(m, float(k))
        keep = (f.status == TrackStatus.CONFIRMED) | (f.status == TrackStatus.COASTING)
        out.append(np.column_stack([f.e_m[keep], f.n_m[keep]]))
    return 1000 * (time.perf_counter() - t0) / len(meas), out, tr.counters["initiated"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    single = iadsim_parts()
    two = dataclasses.replace(
        single, initiator=TwoPointInitiator(max_speed_mps=60.0, q_m2ps3=Q_M2PS3, max_looks=1)
    )
    print(f"{'N':>6} {'init':>10} {'ms/scan':>8} {'GOSPA':>8} {'GOSPA>10':>9} {'started':>8}")
    for n in a.n:
        truths, dets = make_scene(n, a.scans, a.seed)
        for name, parts in (("single", single), ("two_point", two)):
            ms, est, started = run(parts, dets)
            g, g10 = mean_gospa(truths, est), mean_gospa(truths[10:], est[10:])
            print(f"{n:>6} {name:>10} {ms:8.2f} {g:8.2f} {g10:9.2f} {started:8d}")


if __name__ == "__main__":
    main()
