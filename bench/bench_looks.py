"""Benchmark: the sensor side of a radar look, without the tracker (issue #13).

Replays every sector look of every radar of ``bench_scaling.batteries(B)`` (the
default scenario with its battery copied B times) from 0 to ``--until`` seconds, as
the run pipeline makes them, and reports CPU microseconds per look of its three
steps: truth at the look's end (:meth:`iadsim.truth.TruthTable.states`, each time
computed once as the pipeline's cache does), the look's truth
(:func:`iadsim.sensors.scan.illuminated_truth`) and the dwell
(:meth:`iadsim.sensors.radar.Radar.observe`: visibility, signal, Pd, false alarms,
noise, frame). No kills, no tracker: the per-look cost a run pays besides them.

Run: ``python bench/bench_looks.py [--batteries B] [--until T_S]``; compare two
checkouts with ``PYTHONPATH=OTHER/src python bench/bench_looks.py``.
"""

from __future__ import annotations

import argparse
import heapq
import time

import numpy as np
from bench_scaling import batteries

from iadsim.frames import Truth
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data
from iadsim.scenario.stages import build_stages
from iadsim.sensors.scan import Scan, illuminated_truth, sector_views
from iadsim.sim.run_truth import truth_table_for


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batteries", type=int, default=4)
    ap.add_argument("--until", type=float, default=600.0, help="last look time, s")
    args = ap.parse_args()
    scenario = load_scenario_data(batteries(args.batteries), file="batteries.yaml")
    world = compile_world(scenario)
    stages = build_stages(world, scenario, np.random.default_rng(1))
    table = truth_table_for(world)
    signatures = stages.sensors.signatures
    rng = np.random.default_rng(2)
    scans = [Scan.of(r) for r in stages.sensors.radars]
    views = [sector_views(r, s) for r, s in zip(stages.sensors.radars, scans, strict=True)]
    queue = [(s.next_look_after(-1e-9), i) for i, s in enumerate(scans)]
    heapq.heapify(queue)
    truth: dict[float, Truth] = {}  # states of recent look times (the pipeline's cache)
    cpu = {"truth": 0.0, "illuminated": 0.0, "observe": 0.0}
    n_looks = n_lit = n_plots = 0
    while queue and queue[0][0] <= args.until:
        t_s, i = heapq.heappop(queue)
        k, t_a, t_b = scans[i].look_at(t_s)
        c0 = time.process_time()
        for t in (t_a, t_b):
            if t not in truth:
                truth[t] = table.states(t)
        c1 = time.process_time()
        lit = illuminated_truth(views[i][k], truth[t_a], truth[t_b], t_a, t_b)
        c2 = time.process_time()
        dets = views[i][k].observe(lit, t_s, rng, signatures)
        c3 = time.process_time()
        cpu["truth"] += c1 - c0
        cpu["illuminated"] += c2 - c1
        cpu["observe"] += c3 - c2
        n_looks, n_lit, n_plots = n_looks + 1, n_lit + (len(lit) > 0), n_plots + len(dets)
        if len(truth) > 4 * len(scans):
            truth.pop(next(iter(truth)))
        heapq.heappush(queue, (scans[i].next_look_after(t_s), i))
    per = {k: v / max(n_looks, 1) * 1e6 for k, v in cpu.items()}
    print(
        f"batteries {args.batteries}: {n_looks} looks ({n_lit} with targets in the wedge, "
        f"{n_plots} plots) | CPU per look {sum(per.values()):.0f} us: "
        + " ".join(f"{k} {v:.0f} us" for k, v in per.items())
    )


if __name__ == "__main__":
    main()
