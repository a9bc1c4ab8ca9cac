"""``iadsim query`` runs the user's SQL in a child process with a memory limit and a
wall-clock deadline: whatever DuckDB does, the caller gets a one-line error (exit 2
from the CLI), never a hang or an exhausted machine, and ordinary results are the
same as DuckDB's in-process ones."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from campaign_fakes import fake_simulate, make_plan
from proc_tree import descendants, running
from typer.testing import CliRunner

from iadsim.analysis.campaign import query
from iadsim.analysis.campaign.query import GRACE_S, open_campaign, run_in_child, run_query
from iadsim.analysis.campaign.runner import run_campaign
from iadsim.cli import app
from iadsim.errors import IadsimError

#: A query whose memory DuckDB's own cap (1 GB) does not see: one 300 MB string
#: (~650 MiB peak RSS when it is allowed to run).
HUNGRY_SQL = "SELECT sum(length(repeat('x', 300000000))) AS n"
RUNAWAY_SQL = (
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
)


@pytest.fixture(scope="module")
def camp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("qp") / "c"
    run_campaign(make_plan(runs=6, seed=3), root, simulate=fake_simulate)
    return root


def _self_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_query_over_the_memory_limit_is_one_line_error(camp: Path) -> None:
    rss0 = _self_peak_mib()
    t0 = time.perf_counter()
    with pytest.raises(IadsimError) as err:
        run_query(camp, HUNGRY_SQL, memory_mib=256)
    assert str(err.value).startswith("query exceeded 256 MiB memory limit")
    assert "\n" not in str(err.value)
    assert time.perf_counter() - t0 < 30.0
    assert _self_peak_mib() - rss0 < 200, "the caller itself allocated the query's memory"
    # with room enough, the same query succeeds: the limit, not the SQL, stopped it
    assert run_query(camp, HUNGRY_SQL, memory_mib=2048, timeout_s=60)["n"][0].as_py() == 3 * 10**8


def test_runaway_query_ends_at_the_time_limit(camp: Path) -> None:
    t0 = time.perf_counter()
    with pytest.raises(IadsimError, match=r"^query exceeded 1 s; "):
        run_query(camp, RUNAWAY_SQL, timeout_s=1.0)
    assert time.perf_counter() - t0 < 1.0 + GRACE_S + 10.0


def _sleep_forever(request: dict[str, Any], out: Any, err: Any) -> None:
    """A query process that ignores every interrupt (stands for a stuck DuckDB)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1.0)


def test_stuck_query_process_is_killed_at_the_deadline() -> None:
    t0 = time.perf_counter()
    code, killed, table, _ = run_in_child(_sleep_forever, {}, deadline_s=1.0)
    assert killed and code == -signal.SIGKILL and table is None
    assert time.perf_counter() - t0 < 10.0


def test_killed_query_process_becomes_the_timeout_error(
    camp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "_child_entry", _sleep_forever)
    with pytest.raises(IadsimError, match=r"^query exceeded 0.5 s; "):
        run_query(camp, "SELECT 1", timeout_s=0.5)


def _in_process(root: Path, sql: str) -> pa.Table:
    """The result as DuckDB gives it in-process (what ``run_query`` returned before)."""
    _, con = open_campaign(root)
    try:
        reader = con.sql(sql).to_arrow_reader(256)
        return pa.Table.from_batches(list(reader), schema=reader.schema)
    finally:
        con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM results ORDER BY task_id",
        "SELECT * FROM threats ORDER BY task_id, threat_id",
        "SELECT outcome, count(*) AS n, avg(outcome_t_s) AS t FROM threats GROUP BY ALL ORDER BY 1",
        "SELECT task_id, [1, 2] AS l, {'a': 1.5} AS s, DATE '2026-01-02' AS d FROM results",
        "SELECT * FROM range(3000) t(i)",
    ],
)
def test_results_are_the_same_as_in_process(camp: Path, sql: str) -> None:
    got, want = run_query(camp, sql), _in_process(camp, sql)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert repr(got.to_pylist()) == repr(want.to_pylist())  # NaN-aware


def test_cli_csv_is_the_same_as_in_process(camp: Path, tmp_path: Path) -> None:
    sql = "SELECT * FROM threats ORDER BY task_id, threat_id"
    out, ref = tmp_path / "out.csv", tmp_path / "ref.csv"
    res = CliRunner().invoke(app, ["query", str(camp), sql, "--csv", str(out), "-f", "csv"])
    assert res.exit_code == 0, res.output
    pacsv.write_csv(_in_process(camp, sql), ref)
    assert out.read_bytes() == ref.read_bytes()


def test_cli_memory_limit_is_one_line_and_exit_2(camp: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "iadsim", "query", str(camp), HUNGRY_SQL, "--memory-mib", "256"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: query exceeded 256 MiB memory limit; add a LIMIT or aggregate"
    ]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_query_process_dies_with_its_caller(camp: Path) -> None:
    code = textwrap.dedent(f"""
        from iadsim.analysis.campaign.query import run_query
        if __name__ == "__main__":
            run_query({str(camp)!r}, {RUNAWAY_SQL!r}, timeout_s=600)
    """)
    caller = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 60
        while len(descendants(caller.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the fork server and the query process
        family = descendants(caller.pid)
        assert len(family) >= 2
        os.kill(caller.pid, signal.SIGKILL)
        caller.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(running(p) for p in family):
            time.sleep(0.2)
        alive = [p for p in family if running(p)]
        assert not alive, f"orphaned query processes: {alive}"
    finally:
        if caller.poll() is None:
            caller.kill()
