"""Campaign benchmark: throughput, scaling, Dask overhead, memory over 10,000 runs.

Run ``python bench/bench_campaign.py`` (``--quick`` for a smaller version). Prints:

1. throughput of the bundled default scenario in runs/s per core (in-process),
   and the mean per-run wall time reported by the run summary;
2. scaling of the local process pool from 1 to 2 workers (target >= 1.8x);
3. Dask LocalCluster (2 workers) vs local pool (2 workers) on the same campaign,
   with cluster start-up reported separately (target overhead < 15 %);
4. parent RSS over a 10,000-run campaign of a cheap fake task (flat = bounded
   in-flight window and chunked Parquet writes).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.analysis.campaign.backends import (
    DaskBackend,
    InProcessBackend,
    LocalPoolBackend,
)
from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.campaign.runner import CampaignPlan, plan_campaign, run_campaign
from iadsim.analysis.campaign.tasks import CampaignTask
from iadsim.scenario.load import read_scenario_yaml
from iadsim.sim.summary_types import RunSummary, ThreatSummary

PRESET = "s400-vs-mixed-raid"


def cheap_task(task: CampaignTask) -> RunSummary:
    """A fake run costing microseconds: 12 threats drawn from the task seed."""
    rng = np.random.default_rng(task.seed)
    leaked = rng.random(12) < 0.3
    nan = math.nan
    threats = tuple(
        ThreatSummary(
            threat_id=i, name=f"x-{i}", group="x", type="x",
            outcome="leaked" if v else "killed", outcome_t_s=nan, first_detection_t_s=nan,
            first_detection_range_m=nan, first_track_t_s=nan, first_track_range_m=nan,
            first_fc_track_t_s=nan, first_fc_track_range_m=nan, engagements=1, rounds=1,
        )
        for i, v in enumerate(leaked.tolist())
    )  # fmt: skip
    n_leaked = int(leaked.sum())
    return RunSummary(
        scenario="cheap", seed=task.seed, duration_s=600.0, n_threats=12,
        n_killed=12 - n_leaked, n_leaked=n_leaked, n_survived=0, n_never_engaged=0,
        interceptors_fired={"x": 12}, interceptors_fired_total=12, salvos=12,
        salvos_by_outcome={}, n_detections=0, n_false_alarms=0, n_track_rows=0, batteries=(),
        radars=(), threats=threats, warnings=(), n_events_processed=0, stage_time_s={},
        tracker_counters={}, track_history="changes", wall_time_s=0.0,
    )  # fmt: skip


def rss_mb() -> float:
    """Resident set size of this process (MB), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _plan(runs: int, seed: int = 1) -> CampaignPlan:
    data, file = read_scenario_yaml(PRESET)
    return plan_campaign(data, scenario=PRESET, file=file, runs=runs, root_seed=seed)


def warm(i: int) -> int:
    """Warm-up task: import the simulation stack in a worker."""
    import iadsim.scenario.load
    import iadsim.sim.runner  # noqa: F401

    return i


def _timed(plan: CampaignPlan, backend: Any, root: Path, **kw: Any) -> tuple[float, float]:
    """(start-up s, run s) of a campaign.

    Start-up = entering the backend plus a warm-up wave (2 tasks per worker)
    that imports the simulation stack in every worker.
    """
    t0 = time.perf_counter()
    backend.__enter__()
    for _ in backend.imap_unordered(warm, range(2 * backend.workers)):
        pass
    t_start = time.perf_counter() - t0

    class _Entered:  # run_campaign enters the backend again; make that a no-op
        name = backend.name
        workers = backend.workers

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def imap_unordered(self, *a: Any, **k: Any) -> Any:
            return backend.imap_unordered(*a, **k)

    try:
        t1 = time.perf_counter()
        out = run_campaign(plan, root, backend=_Entered(), **kw)
        t_run = time.perf_counter() - t1
    finally:
        backend.__exit__(None, None, None)
    assert out.complete and out.n_failed == 0, out
    return t_start, t_run


def bench_throughput(runs: int, tmp: Path) -> float:
    plan = _plan(runs)
    _, t_run = _timed(plan, InProcessBackend(), tmp / "inproc")
    table = run_query(tmp / "inproc", "SELECT * FROM results")
    means = {
        c: float(np.mean(table.column(c).to_numpy(zero_copy_only=False)))
        for c in table.column_names
        if c in ("wall_time_s", "task_wall_time_s") or c.startswith("stage_time_s.")
    }
    print(
        f"[1] default scenario, in-process: {runs} runs in {t_run:.2f} s = "
        f"{runs / t_run:.3f} runs/s per core"
    )
    print(
        f"    per run: summary wall_time_s {means.get('wall_time_s', np.nan):.3f} s, "
        f"task (cached validation + run + flatten) {means['task_wall_time_s']:.3f} s"
    )
    stages = {k.split(".", 1)[1]: v for k, v in means.items() if k.startswith("stage_time_s.")}
    total = sum(stages.values()) or np.nan
    for name, v in stages.items():
        print(f"    stage {name:<16} {v:.3f} s  ({100 * v / total:.0f} %)")
    return runs / t_run


def bench_scaling(runs: int, tmp: Path) -> None:
    plan = _plan(runs)
    t = {}
    for w in (1, 2):
        start, run = _timed(plan, LocalPoolBackend(w), tmp / f"local{w}")
        t[w] = run
        print(
            f"[2] local pool {w} worker(s): start {start:.2f} s, {runs} runs in {run:.2f} s "
            f"= {runs / run:.2f} runs/s"
        )
    print(f"    scaling 1 -> 2 workers: {t[1] / t[2]:.2f}x (target >= 1.8x)")


def bench_dask(runs: int, tmp: Path) -> None:
    plan = _plan(runs)
    s_local, t_local = _timed(plan, LocalPoolBackend(2), tmp / "dl")
    s_dask, t_dask = _timed(plan, DaskBackend(workers=2), tmp / "dd")
    q = "SELECT avg(wall_time_s) AS w FROM results"
    w_local = run_query(tmp / "dl", q).to_pylist()[0]["w"]
    w_dask = run_query(tmp / "dd", q).to_pylist()[0]["w"]
    print(
        f"[3] {runs} runs, 2 workers: local pool {t_local:.2f} s (start {s_local:.2f} s), "
        f"Dask LocalCluster {t_dask:.2f} s (start {s_dask:.2f} s)"
    )
    print(
        f"    Dask overhead excl. start-up: {100 * (t_dask / t_local - 1):+.1f} % "
        f"(target < 15 %); incl. start-up: "
        f"{100 * ((t_dask + s_dask) / (t_local + s_local) - 1):+.1f} %"
    )
    print(f"    mean run wall_time_s inside the worker: local {w_local:.3f} s, Dask {w_dask:.3f} s")
    cheap = plan_campaign(
        {"name": "cheap", "threats": [{"count": 12}]},
        scenario="cheap",
        file="cheap.yaml",
        runs=2000,
        root_seed=6,
        validate=no_validation,
    )
    kw = {"simulate": cheap_task}
    _, c_local = _timed(cheap, LocalPoolBackend(2), tmp / "cl", **kw)
    _, c_dask = _timed(cheap, DaskBackend(workers=2), tmp / "cd", **kw)
    print(
        f"    per-task overhead (2000 cheap tasks): local {1e3 * c_local / 2000:.2f} ms, "
        f"Dask {1e3 * c_dask / 2000:.2f} ms per task (x 2 workers)"
    )


def no_validation(data: Any, file: str) -> None:
    """The cheap fake task needs no scenario validation."""


def bench_memory(runs: int, tmp: Path) -> None:
    data = {"name": "cheap", "threats": [{"count": 12}]}
    plan = plan_campaign(
        data, scenario="cheap", file="cheap.yaml", runs=runs, root_seed=5, validate=no_validation
    )
    samples: list[tuple[int, float]] = []
    step = max(runs // 10, 1)

    def on_progress(done: int, total: int) -> None:
        if done % step == 0:
            samples.append((done, rss_mb()))

    t0 = time.perf_counter()
    out = run_campaign(
        plan, tmp / "mem", backend=LocalPoolBackend(2), simulate=cheap_task, on_progress=on_progress
    )
    dt = time.perf_counter() - t0
    assert out.complete
    print(
        f"[4] {runs} cheap fake runs on 2 workers in {dt:.1f} s ({runs / dt:.0f} tasks/s); "
        "parent RSS (MB) by tasks done:"
    )
    print("    " + ", ".join(f"{d}: {m:.0f}" for d, m in samples))
    first = samples[1][1] if len(samples) > 1 else samples[0][1]
    print(f"    growth from 10 % to 100 %: {samples[-1][1] - first:+.1f} MB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16, help="runs for sections 2-3 (>= 4)")
    ap.add_argument("--memory-runs", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="8 runs, 2,000 memory runs")
    ap.add_argument("--sections", default="1234", help="which sections to run, e.g. 34")
    args = ap.parse_args(argv)
    runs, mem_runs = (8, 2_000) if args.quick else (args.runs, args.memory_runs)
    print(f"python {sys.version.split()[0]}, scenario {PRESET}")
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as d:
        tmp = Path(d)
        if "1" in args.sections:
            bench_throughput(max(runs // 2, 4), tmp)
        if "2" in args.sections:
            bench_scaling(runs, tmp)
        if "3" in args.sections:
            bench_dask(runs, tmp)
        if "4" in args.sections:
            bench_memory(mem_runs, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
