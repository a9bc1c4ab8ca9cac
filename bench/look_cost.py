"""Tracker CPU by kind of look: what a many-radar run spends its tracker time on.

Runs ``bench_scaling.batteries(B)`` (the default scenario's battery copied B times on a
ring) or a preset, times every ``Tracker.step`` and ``Tracker.miss`` call with
``time.process_time`` (no profiler), and sorts the looks by kind:

* ``target`` / ``false alarms only``: whether a plot of the look came from a target;
* ``tracks`` / ``no track``: whether the look gated, predicted or charged a track;
* ``hit`` / ``no hit``: whether it updated one;
* ``no plot``: a look without plots (``Tracker.miss``).

Usage: python bench/look_cost.py [--batteries B | --preset NAME] [--seed S]

Measured 2026-12-05, batteries 16 (48 radars, 1,800 s), seed 1, quiet machine (the
tracker stage 27 s of a 43 s run): false alarms only, tracks in the wedge 29,821
looks, 15.3 s (0.51 ms each); false alarms only, no track 23,009, 6.6 s (0.29 ms); a
target with a hit 2,785, 3.2 s (1.15 ms); no plot 31,979, 1.0 s (0.03 ms). Most of
those wedges' tracks were only in the false alarms' bounding box; since a look takes
the tracks near one of its plots (``gating.near_plots``; tracker 24.7 s of a 41 s
run): false alarms only, no track 45,175 looks, 15.0 s (0.33 ms); with tracks 7,655,
4.5 s (0.59 ms) (tentative tracks of false-alarm pairs: 6,580 started, 12
confirmed). Default preset (1 battery), before: false alarms only, no track 2,558
looks, 0.79 s; with tracks 696, 0.39 s; a target 290, 0.32 s; no plot 1,904, 0.09 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scaling import batteries

from iadsim.scenario.load import load_scenario, load_scenario_data
from iadsim.sim.runner import run_scenario
from iadsim.tracking.tracker import Tracker


def timed_tracker(stats: dict[str, list[float]]) -> dict[str, Any]:
    """Wrap ``Tracker.step``, ``miss`` and ``_look`` to add each call's CPU time to
    ``stats[kind]``; returns the originals (to put back)."""
    orig = {"step": Tracker.step, "miss": Tracker.miss, "_look": Tracker._look}
    state = {"rows": False}

    def look(self: Tracker, *a: Any, **k: Any) -> Any:
        state["rows"] = True
        return orig["_look"](self, *a, **k)

    def step(self: Tracker, dets: Any, t_s: float, **k: Any) -> Any:
        state["rows"] = False
        c0 = time.process_time()
        out = orig["step"](self, dets, t_s, **k)
        cpu = time.process_time() - c0
        lit = "target" if bool((np.asarray(dets.truth_id) >= 0).any()) else "false alarms only"
        kind = ", ".join([lit, "tracks" if state["rows"] else "no track",
                          "hit" if len(self.last_hit_ids) else "no hit"])  # fmt: skip
        stats.setdefault(kind, []).append(cpu)
        return out

    def miss(self: Tracker, t_s: float, **k: Any) -> Any:
        c0 = time.process_time()
        out = orig["miss"](self, t_s, **k)
        stats.setdefault("no plot", []).append(time.process_time() - c0)
        return out

    Tracker.step, Tracker.miss, Tracker._look = step, miss, look  # type: ignore[method-assign]
    return orig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batteries", type=int, default=16)
    ap.add_argument("--preset", help="a bundled preset instead of batteries(B)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.preset:
        sc = load_scenario(args.preset)
        what = args.preset
    else:
        sc = load_scenario_data(batteries(args.batteries), file="batteries.yaml")
        what = f"batteries({args.batteries})"
    stats: dict[str, list[float]] = {}
    orig = timed_tracker(stats)
    try:
        c0 = time.process_time()
        r = run_scenario(sc, seed=args.seed, record=False)
        cpu = time.process_time() - c0
    finally:
        Tracker.step, Tracker.miss, Tracker._look = orig["step"], orig["miss"], orig["_look"]  # type: ignore[method-assign]
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r.summary.stage_time_s.items())
    print(f"{what}, seed {args.seed}: run {cpu:.1f} s CPU ({stages})")
    print(f"{'look':40s} {'looks':>8s} {'CPU s':>8s} {'ms/look':>8s}")
    for kind, v in sorted(stats.items(), key=lambda kv: -sum(kv[1])):
        print(f"{kind:40s} {len(v):8d} {sum(v):8.2f} {1e3 * sum(v) / len(v):8.3f}")


if __name__ == "__main__":
    main()
