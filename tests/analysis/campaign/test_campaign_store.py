"""Campaign directory: manifest, atomic parts, recovery, flushing by count and time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from campaign_fakes import fake_simulate, load_table, make_plan

from iadsim.analysis.campaign.runner import run_campaign
from iadsim.analysis.campaign.store import (
    CampaignStore,
    PartWriter,
    sweep_column_types,
    table_from_rows,
)
from iadsim.analysis.campaign.tasks import run_task
from iadsim.errors import IadsimError


def test_manifest_contents(tmp_path: Path) -> None:
    plan = make_plan(runs=3, seed=99, grid={"threats[0].count": [1, 2]})
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    man = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert man["root_seed"] == 99 and man["runs_per_point"] == 3
    assert man["n_points"] == 2 and man["n_tasks"] == 6
    assert man["points"][1]["overrides"] == {"threats[0].count": 2}
    assert man["scenario_data"]["name"] == "fake-raid"
    assert man["fingerprint"] == plan.fingerprint()
    assert {"python", "numpy", "iadsim"} <= set(man["versions"])
    assert not list((tmp_path / "c").glob(".*.tmp"))


def test_flush_by_count_and_time(tmp_path: Path) -> None:
    plan = make_plan(runs=7)
    store = CampaignStore(tmp_path / "c")
    store.create(plan.manifest())
    writer = PartWriter(store, {}, flush_every=3, flush_s=0.05)
    for i in range(3):
        writer.add(run_task(plan.task(i), fake_simulate))
    assert writer.due()
    assert writer.flush() == 3
    writer.add(run_task(plan.task(3), fake_simulate))
    assert not writer.due()
    time.sleep(0.06)
    assert writer.due()
    writer.flush()
    assert [p.name for p in store.parts("results")] == ["part-00001.parquet", "part-00002.parquet"]
    assert store.completed_task_ids() == {0, 1, 2, 3}
    assert pq.read_table(store.parts("threats")[0]).num_rows == 3 * 6


def test_recover_drops_uncommitted_parts(tmp_path: Path) -> None:
    plan = make_plan(runs=6)
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=3)
    store = CampaignStore(tmp_path / "c")
    assert len(store.parts("results")) == 2
    # a crash after the threats part and before the results part of flush 3:
    (tmp_path / "c/threats/part-00002.parquet").rename(tmp_path / "c/threats/part-00003.parquet")
    (tmp_path / "c/results/.part-00004.parquet.tmp").write_bytes(b"partial")
    assert [p.name for p in store.parts("threats")] == ["part-00001.parquet"]
    store.recover()
    assert not (tmp_path / "c/threats/part-00003.parquet").exists()
    assert not (tmp_path / "c/results/.part-00004.parquet.tmp").exists()
    assert store.completed_task_ids() == set(range(6))


def test_sweep_column_types() -> None:
    types = sweep_column_types({"a": [1, 2], "b": [1, 2.5], "c": ["x", 1], "d": [[1], [2]]})
    assert [str(types[k]) for k in "abcd"] == ["int64", "double", "string", "string"]


def test_refuses_foreign_or_existing_dirs(tmp_path: Path) -> None:
    plan = make_plan(runs=2)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_text("x")
    with pytest.raises(IadsimError, match="not empty and not a campaign"):
        run_campaign(plan, tmp_path / "junk", simulate=fake_simulate)
    assert [p.name for p in (tmp_path / "junk").iterdir()] == ["x.txt"]  # (a .lock was left)
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    with pytest.raises(IadsimError, match="already holds a campaign"):
        run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    with pytest.raises(IadsimError, match="a different campaign"):
        run_campaign(make_plan(runs=3), tmp_path / "c", simulate=fake_simulate, resume=True)


def test_failures_recorded_and_campaign_continues(tmp_path: Path) -> None:
    plan = make_plan(runs=9, extra={"fail_every": 3})
    out = run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=4)
    assert (out.n_ok, out.n_failed, out.complete) == (6, 3, True)
    fails = load_table(tmp_path / "c", "failures")
    assert fails.column("task_id").to_pylist() == [2, 5, 8]
    assert fails.column("error").to_pylist()[0] == "RuntimeError: fake failure of task 2"
    assert load_table(tmp_path / "c").column("task_id").to_pylist() == [0, 1, 3, 4, 6, 7]
    # failed tasks count as done: resuming runs nothing
    again = run_campaign(plan, tmp_path / "c", simulate=fake_simulate, resume=True)
    assert (again.n_done_before, again.n_ok, again.n_failed) == (9, 0, 0)


def test_rows_with_different_keys_keep_every_column(tmp_path: Path) -> None:
    rows = [{"task_id": 0, "a": 1}, {"task_id": 1, "b": 2.5}, {"task_id": 2, "a": 3, "c": [1]}]
    table = table_from_rows(rows)
    assert table.column_names == ["task_id", "a", "b", "c"]
    assert table.column("a").to_pylist() == [1, None, 3]
    assert table.column("b").to_pylist() == [None, 2.5, None]
    mixed = table_from_rows([{"x": True}, {"x": "yes"}])
    assert mixed.column("x").to_pylist() == ["True", "yes"]


def test_metric_columns_that_appear_later_are_kept(tmp_path: Path) -> None:
    # the fake fires a 9M96 only at salvo 2: that column is absent from early rows/parts
    plan = make_plan(runs=4, grid={"batteries[0].doctrine.salvo": [1, 2]})
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=3)
    t = load_table(tmp_path / "c")
    col = t.column("interceptors_fired.9M96").to_pylist()
    assert col == [None] * 4 + [1] * 4
    assert t.column("interceptors_fired_total").to_pylist()[4:] == [13] * 4
