"""Digest and profile of the many-battery run of issue 13 (bench_scaling's ``batteries``).

Builds ``bench_scaling.batteries(B)`` (the default scenario with its battery copied B
times on a ring), runs it without recording and prints one fingerprint line as
``bench/profile_dense.py`` does (truth, detections, tracks, events, summary digests;
kills and leaks) with the run's CPU time. With ``--profile N`` it runs under cProfile
and prints the N top functions by cumulative and by own time.

Usage: python bench/profile_batteries.py B [--profile N]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scaling import batteries
from profile_dense import fingerprint_line

from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("batteries", type=int)
    ap.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = ap.parse_args()
    data = batteries(args.batteries)
    prof = cProfile.Profile(time.process_time)
    t0 = time.process_time()
    with prof if args.profile else contextlib.nullcontext():
        sc = load_scenario_data(data, file=f"{data['name']}.yaml")
        r = run_scenario(sc, record=False, limits=None)
    cpu = time.process_time() - t0
    print(f"{fingerprint_line(data['name'], r)} cpu {cpu:.1f} s", flush=True)
    for key in ("cumulative", "tottime") if args.profile else ():
        pstats.Stats(prof).sort_stats(key).print_stats(args.profile)


if __name__ == "__main__":
    main()
