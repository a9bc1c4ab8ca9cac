"""Interrupted campaigns resume without losing or repeating a task."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pytest
from campaign_fakes import (
    fake_simulate,
    fake_simulate_dies,
    fake_simulate_interrupted,
    load_table,
    make_plan,
)

from iadsim.analysis.campaign.backends import LocalPoolBackend
from iadsim.analysis.campaign.runner import CampaignAborted, CampaignPlan, run_campaign
from iadsim.analysis.campaign.store import CampaignStore
from iadsim.analysis.campaign.tasks import run_task

HERE = Path(__file__).parent
GRID = {"batteries[0].doctrine.salvo": [1, 2]}


def _expected(plan: CampaignPlan) -> tuple[list[dict[str, object]], int]:
    """Rows computed directly (without the fake's sleep), and the threat row count."""
    rows, n_threat_rows = [], 0
    for i in range(plan.n_tasks):
        task = plan.task(i)
        data = {k: v for k, v in task.scenario_data.items() if k != "sleep_s"}
        res = run_task(dataclasses.replace(task, scenario_data=data), fake_simulate)
        assert res.row is not None
        rows.append({k: v for k, v in res.row.items() if k != "task_wall_time_s"})
        n_threat_rows += len(res.threats)
    return rows, n_threat_rows


def _check_complete(plan: CampaignPlan, root: Path) -> None:
    results = load_table(root)
    ids = results.column("task_id").to_pylist()
    assert ids == list(range(plan.n_tasks))  # sorted, complete, no duplicates
    rows, n_threat_rows = _expected(plan)
    got = results.drop_columns(["task_wall_time_s"])
    assert got.to_pylist() == [{c: r.get(c) for c in got.column_names} for r in rows]
    threats = load_table(root, "threats")
    assert threats.num_rows == n_threat_rows
    pairs = set(
        zip(
            threats.column("task_id").to_pylist(),
            threats.column("threat_id").to_pylist(),
            strict=True,
        )
    )
    assert len(pairs) == n_threat_rows


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path: Path) -> None:
    out = tmp_path / "camp"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from pathlib import Path
        from campaign_fakes import fake_simulate, make_plan
        from iadsim.analysis.campaign.backends import LocalPoolBackend
        from iadsim.analysis.campaign.runner import run_campaign
        plan = make_plan(runs=100, seed=7, grid={GRID!r}, extra={{"sleep_s": 0.02}})
        run_campaign(plan, Path({str(out)!r}), backend=LocalPoolBackend(2),
                     simulate=fake_simulate, flush_every=10)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    store = CampaignStore(out)
    try:
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline and len(store.parts("results")) < 3:
            assert proc.poll() is None, "campaign ended before it could be killed"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the campaign and its pool workers
        proc.wait(timeout=30)
    plan = make_plan(runs=100, seed=7, grid=GRID, extra={"sleep_s": 0.02})
    done = store.completed_task_ids()
    assert 30 <= len(done) < plan.n_tasks
    outcome = run_campaign(
        plan, out, backend=LocalPoolBackend(2), simulate=fake_simulate, resume=True
    )
    assert outcome.n_done_before == len(done)
    assert outcome.n_ok == plan.n_tasks - len(done) and outcome.complete
    _check_complete(plan, out)


def test_keyboard_interrupt_keeps_partial_results(tmp_path: Path) -> None:
    plan = make_plan(runs=10, seed=3, grid=GRID, extra={"interrupt_at": 13})
    first = run_campaign(plan, tmp_path / "c", simulate=fake_simulate_interrupted)
    assert first.interrupted and not first.complete
    assert first.n_ok == 13
    assert CampaignStore(tmp_path / "c").completed_task_ids() == set(range(13))
    second = run_campaign(plan, tmp_path / "c", simulate=fake_simulate, resume=True)
    assert second.complete and not second.interrupted and second.n_ok == 7
    _check_complete(plan, tmp_path / "c")
    assert isinstance(load_table(tmp_path / "c"), pa.Table)


@pytest.mark.slow
def test_lost_worker_aborts_cleanly_then_resumes(tmp_path: Path) -> None:
    plan = make_plan(runs=40, seed=8, grid=GRID, extra={"die_at": 30})
    with pytest.raises(CampaignAborted, match=r"backend local failed \(BrokenProcessPool"):
        run_campaign(
            plan,
            tmp_path / "c",
            backend=LocalPoolBackend(2, window=4),
            simulate=fake_simulate_dies,
            flush_every=5,
        )
    done = CampaignStore(tmp_path / "c").completed_task_ids()
    assert 30 not in done and len(done) < plan.n_tasks
    out = run_campaign(
        plan, tmp_path / "c", backend=LocalPoolBackend(2), simulate=fake_simulate, resume=True
    )
    assert out.complete
    _check_complete(plan, tmp_path / "c")
