"""``iadsim query`` runs in a sandbox: the campaign's own files, read only, bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from campaign_fakes import fake_simulate, make_plan

from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.campaign.runner import run_campaign
from iadsim.analysis.campaign.summarize import summarize_campaign
from iadsim.errors import IadsimError


@pytest.fixture(scope="module")
def camp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("q") / "c"
    run_campaign(make_plan(runs=6, seed=2), root, simulate=fake_simulate)
    return root


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/hostname'",
        "SELECT * FROM glob('/*')",
        "COPY results TO '{root}/results/part-99999.parquet' (FORMAT parquet)",
        "COPY results TO '/tmp/iadsim-escape.csv'",
        "ATTACH '{root}/x.duckdb' AS x",
        "EXPORT DATABASE '{root}/export'",
        "SET enable_external_access = true",
        "SET memory_limit = '100GB'",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_sandbox_refuses_outside_access_and_writes(camp: Path, sql: str) -> None:
    before = sorted(p.name for p in camp.rglob("*"))
    with pytest.raises(IadsimError, match=r"^query: ") as err:
        run_query(camp, sql.format(root=camp))
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in camp.rglob("*")) == before
    assert not Path("/tmp/iadsim-escape.csv").exists()
    assert summarize_campaign(camp)[0]["runs"] == 6  # nothing was injected


def test_runaway_query_is_interrupted(camp: Path) -> None:
    sql = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    t0 = time.perf_counter()
    with pytest.raises(IadsimError, match=r"^query (exceeded 1 s|.*memory)"):
        run_query(camp, sql, timeout_s=1.0)
    assert time.perf_counter() - t0 < 30.0


def test_huge_results_and_sql_are_bounded(camp: Path) -> None:
    with pytest.raises(IadsimError, match=r"result larger than 1 MiB"):
        run_query(camp, "SELECT * FROM range(10000000)", max_bytes=1024**2)
    with pytest.raises(IadsimError, match=r"SQL longer than"):
        run_query(camp, "SELECT '" + "x" * 200_000 + "'")
    with pytest.raises(IadsimError, match=r"^query: result larger than 8 MiB"):
        run_query(camp, "SELECT repeat('x', 20000000)", max_bytes=8 * 1024**2)


def test_ordinary_queries_still_work(camp: Path) -> None:
    table = run_query(camp, "SELECT count(*) AS n, sum(n_killed) AS k FROM results")
    assert table["n"][0].as_py() == 6
    assert run_query(camp, "CREATE TABLE t AS SELECT 1 AS a").num_rows in (0, 1)
