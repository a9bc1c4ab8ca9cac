"""run_task: summary rows, per-threat rows, failures, metric filtering."""

from __future__ import annotations

import math

from campaign_fakes import fake_simulate, make_plan

from iadsim.analysis.campaign.tasks import run_task


def test_run_task_row_and_threats() -> None:
    plan = make_plan(runs=3, grid={"batteries[0].doctrine.salvo": [1, 2]})
    task = plan.task(4)
    assert (task.point_id, task.replicate) == (1, 1)
    res = run_task(task, fake_simulate)
    assert res.ok and res.row is not None
    row = res.row
    assert row["task_id"] == 4 and row["point_id"] == 1 and row["replicate"] == 1
    assert row["seed"] == task.seed
    assert row["batteries[0].doctrine.salvo"] == 2
    assert row["n_threats"] == 6
    assert row["n_killed"] + row["n_leaked"] == 6
    assert math.isclose(row["leak_fraction"], row["n_leaked"] / 6)
    assert row["any_leak"] == (row["n_leaked"] > 0)
    assert row["interceptors_fired_total"] == 13  # 12 x 48N6 + 1 x 9M96 at salvo 2
    assert row["interceptors_fired.48N6"] == 12
    assert row["duration_s"] == 600.0 and row["task_wall_time_s"] > 0
    assert len(res.threats) == 6
    assert {t["task_id"] for t in res.threats} == {4}
    assert sum(t["outcome"] == "leaked" for t in res.threats) == row["n_leaked"]


def test_run_task_is_a_function_of_the_seed() -> None:
    plan = make_plan(runs=20)
    a = [run_task(plan.task(i), fake_simulate).row for i in range(20)]
    b = [run_task(plan.task(i), fake_simulate).row for i in reversed(range(20))][::-1]
    strip = [{k: v for k, v in r.items() if k != "task_wall_time_s"} for r in a + b if r]
    assert strip[:20] == strip[20:]
    assert len({r["n_leaked"] for r in strip}) > 1  # the seed matters


def test_run_task_records_failure() -> None:
    plan = make_plan(runs=4, extra={"fail_every": 2})
    res = run_task(plan.task(1), fake_simulate)
    assert not res.ok and res.row is None and res.threats == []
    assert res.error == "RuntimeError: fake failure of task 1"
    assert res.traceback is not None and "fake_simulate" in res.traceback
    assert run_task(plan.task(0), fake_simulate).ok


def test_metrics_filter_and_threat_table_switch() -> None:
    plan = make_plan(runs=1, metrics=["wall_time_s"], threat_table=False)
    res = run_task(plan.task(0), fake_simulate)
    assert res.row is not None
    assert "wall_time_s" in res.row and "duration_s" not in res.row
    assert "interceptors_fired.48N6" not in res.row and "n_leaked" in res.row
    assert res.threats == []
