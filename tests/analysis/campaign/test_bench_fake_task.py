"""The campaign benchmark's fake task keeps the campaign's task contract.

``bench/bench_campaign.py`` measures per-task overhead and memory with a fake run
(``cheap_task``) instead of a simulation. Benchmarks are not run in CI, so when the
contract changed (a task returns a :class:`~iadsim.sim.summary_types.RunSummary`,
not a dict) every one of its 2,000 fake tasks failed unseen until the benchmark was
run by hand. This test runs a few of them through :func:`run_task` as a campaign does.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from iadsim.analysis.campaign.runner import plan_campaign
from iadsim.analysis.campaign.tasks import run_task


def _bench_campaign() -> ModuleType:
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_campaign.py"
    spec = importlib.util.spec_from_file_location("bench_campaign", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cheap_task_results_are_campaign_rows() -> None:
    bench = _bench_campaign()
    plan = plan_campaign(
        {"name": "cheap", "threats": [{"count": 12}]}, scenario="cheap", file="cheap.yaml",
        runs=5, root_seed=6, validate=bench.no_validation,
    )  # fmt: skip
    results = [run_task(task, simulate=bench.cheap_task) for task in plan.tasks()]
    assert all(r.ok for r in results), [r.error for r in results]
    for r in results:
        assert r.row is not None and r.row["n_threats"] == 12
        assert r.row["n_killed"] + r.row["n_leaked"] == 12
        assert len(r.threats) == 12
    assert len({r.row["n_leaked"] for r in results if r.row is not None}) > 1  # seeded draws
