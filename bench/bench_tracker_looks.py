"""Benchmark: the tracker alone on the looks of a many-battery run (issue #13).

Runs ``bench_scaling.batteries(B)`` (the default scenario with its battery copied B
times) up to ``--until`` seconds and records every call the pipeline makes to its
tracker (``step`` with a look's detections, ``miss`` for an empty look, and the
``last_hit_ids``/``last_hit_t_s`` it reads after each); then replays those calls on
fresh trackers of the same parts ``--repeats`` times and reports the CPU
microseconds per look, for looks with plots and empty looks (best of the repeats).
The replays see the recorded detections, not new ones: C2 and engagements are not
replayed, so the tracker's inputs are those of the run. Each replay's outputs are
hashed; the digest line shows two checkouts give the same tracks.

Run: ``python bench/bench_tracker_looks.py [--batteries B] [--until T_S]``; compare
two checkouts with ``PYTHONPATH=OTHER/src python bench/bench_tracker_looks.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

import numpy as np
from bench_scaling import batteries

from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario
from iadsim.tracking.tracker import Tracker

Call = tuple[str, Any, float, dict[str, Any]]


def record_calls(b: int, until_s: float) -> tuple[Any, list[Call]]:
    """Run ``batteries(b)`` for ``until_s`` s; the run tracker's parts and the calls
    made to it (Tracker's methods wrapped for the run, restored after)."""
    calls: list[Call] = []
    parts: list[Any] = []
    init, step, miss = Tracker.__init__, Tracker.step, Tracker.miss

    def rec_init(self: Tracker, **kw: Any) -> None:
        parts.append(kw["parts"])
        init(self, **kw)

    def rec_step(self: Tracker, det: Any, t_s: float, **kw: Any) -> Any:
        calls.append(("step", det, t_s, kw))
        return step(self, det, t_s, **kw)

    def rec_miss(self: Tracker, t_s: float, **kw: Any) -> Any:
        calls.append(("miss", None, t_s, kw))
        return miss(self, t_s, **kw)

    data = batteries(b)
    data["simulation"]["duration_s"] = until_s
    scenario = load_scenario_data(data, file="batteries.yaml")
    Tracker.__init__, Tracker.step, Tracker.miss = rec_init, rec_step, rec_miss  # type: ignore[method-assign]
    try:
        run_scenario(scenario, record=False, limits=None)
    finally:
        Tracker.__init__, Tracker.step, Tracker.miss = init, step, miss  # type: ignore[method-assign]
    return parts[-1], calls


def replay(parts: Any, calls: list[Call]) -> tuple[float, float, int, int, str]:
    """CPU s of the looks with plots and of the empty ones, their counts, and a digest."""
    tr = Tracker(parts=parts)
    h = hashlib.sha256()
    cpu = [0.0, 0.0]
    count = [0, 0]
    for kind, det, t_s, kw in calls:
        t0 = time.process_time()
        out = tr.step(det, t_s, **kw) if kind == "step" else tr.miss(t_s, **kw)
        ids, hit_t = tr.last_hit_ids, tr.last_hit_t_s
        k = 0 if kind == "step" else 1
        cpu[k] += time.process_time() - t0
        count[k] += 1
        h.update(np.ascontiguousarray(out.track_id).tobytes())
        h.update(np.ascontiguousarray(out.e_m).tobytes())
        h.update(ids.tobytes() + hit_t.tobytes())
    return cpu[0], cpu[1], count[0], count[1], h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batteries", type=int, default=16)
    ap.add_argument("--until", type=float, default=200.0, help="run length, s")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    parts, calls = record_calls(args.batteries, args.until)
    runs = [replay(parts, calls) for _ in range(args.repeats)]
    best = min(runs, key=lambda r: r[0] + r[1])
    plots_s, empty_s, n_plots, n_empty, digest = best
    print(
        f"batteries {args.batteries} until {args.until:g} s: {n_plots} looks with plots "
        f"{1e6 * plots_s / max(n_plots, 1):.0f} us/look ({plots_s:.2f} s), {n_empty} empty "
        f"{1e6 * empty_s / max(n_empty, 1):.0f} us/look ({empty_s:.2f} s); digest {digest}"
    )


if __name__ == "__main__":
    main()
