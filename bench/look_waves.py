"""How long would runs of independent looks ("waves") be in a many-battery run?

Issue #13's 16-battery goal needs the tracker's per-look fixed cost shared by several
looks. Consecutive looks commute when the sets of tracks they predict, gate, charge or
start are disjoint, so they could be processed in one batched tracker pass. This
script runs ``bench_scaling.py``'s ``batteries(B)`` scenario (the s400 preset's
battery copied B times; its tracker as configured, two-point initiation unless
``--single-point``) and records, for every tracker call in time order, the ids of the
tracks the look touched (those it observed or updated, and those it started). It then
cuts the sequence greedily into waves of pairwise-disjoint looks and prints their
length (mean, median, 90th percentile) and how many looks touch no track at all.

The count is after the fact: a batched pass must also treat as touched the tracks a
look *could* update (those near its plots), which shortens the waves (the unmerged
``batchlooks`` branch, with that premise and single-point starts: ~3 looks).
Measured 2026-12-05 (16 batteries, 600 s): two-point 74 (median 24), single-point 23.

Usage: python bench/look_waves.py [--batteries 16] [--duration-s 600] [--single-point]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scaling import batteries

import iadsim.tracking.tracker as tracker_module
from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario


def record_look_sets(sc_data: dict[str, Any], seed: int) -> list[frozenset[int]]:
    """Run the scenario; per tracker call (look with plots, or empty look), the track ids
    it touched (observed, updated or started)."""
    cls = tracker_module.Tracker
    looks: list[frozenset[int]] = []
    touched: set[int] = set()
    process, manage, miss = cls._process, cls._manage, cls.miss

    def manage_rec(self: Any, t: float, seen: Any, hit: Any, *rest: Any) -> None:
        touched.update(self._book.track_id[seen | hit].tolist())
        manage(self, t, seen, hit, *rest)

    def process_rec(self: Any, *args: Any) -> None:
        touched.clear()
        first = self._next_id
        process(self, *args)
        touched.update(range(first, self._next_id))
        looks.append(frozenset(touched))

    def miss_rec(self: Any, *args: Any, **kw: Any) -> Any:
        touched.clear()
        out = miss(self, *args, **kw)
        looks.append(frozenset(touched))
        return out

    cls._process, cls._manage, cls.miss = process_rec, manage_rec, miss_rec
    try:
        run_scenario(load_scenario_data(sc_data, file="look-waves.yaml"), seed=seed, record=False)
    finally:
        cls._process, cls._manage, cls.miss = process, manage, miss
    return looks


def wave_lengths(looks: list[frozenset[int]]) -> np.ndarray:
    """Greedy cut of the look sequence into runs whose track sets are pairwise disjoint."""
    out, n, used = [], 0, set()
    for s in looks:
        if used & s:
            out.append(n)
            n, used = 0, set()
        n += 1
        used |= s
    out.append(n)
    return np.asarray(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batteries", type=int, default=16)
    ap.add_argument("--duration-s", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--single-point", action="store_true", help="single-point initiation")
    a = ap.parse_args()
    data = batteries(a.batteries)
    data["simulation"]["duration_s"] = a.duration_s
    if a.single_point:  # the same M-of-N logic started from every plot
        ini = data["tracker"]["initiation"]
        keep = ("m", "n", "velocity_sigma_mps", "confirm_on_ambiguous")
        data["tracker"]["initiation"] = {"kind": "m_of_n", **{k: ini[k] for k in keep if k in ini}}
    looks = record_look_sets(data, a.seed)
    w = wave_lengths(looks)
    empty = sum(1 for s in looks if not s)
    print(
        f"{a.batteries} batteries, {a.duration_s:g} s, "
        f"{'single' if a.single_point else 'two'}-point initiation: {len(looks)} tracker "
        f"calls, {empty} touch no track; {len(w)} waves, length mean {w.mean():.1f}, "
        f"median {np.median(w):.0f}, p90 {np.percentile(w, 90):.0f}"
    )


if __name__ == "__main__":
    main()
