"""DuckDB over a campaign directory: views ``results``, ``threats``, ``failures``.

Each view reads the committed Parquet parts of its table (``union_by_name`` so
parts whose metric columns differ line up by name). A table with no parts yet is
an empty view with the identity columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from iadsim.analysis.campaign.store import TABLES, CampaignStore
from iadsim.errors import IadsimError, InputDataError

_EMPTY = {
    "results": "SELECT NULL::BIGINT AS task_id, NULL::BIGINT AS point_id, "
    "NULL::BIGINT AS replicate, NULL::BIGINT AS seed WHERE false",
    "threats": "SELECT NULL::BIGINT AS task_id, NULL::BIGINT AS point_id, "
    "NULL::BIGINT AS replicate, NULL::BIGINT AS threat_id, NULL::VARCHAR AS outcome WHERE false",
    "failures": "SELECT NULL::BIGINT AS task_id, NULL::BIGINT AS point_id, "
    "NULL::BIGINT AS replicate, NULL::BIGINT AS seed, NULL::VARCHAR AS error WHERE false",
}


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_campaign(root: Path) -> tuple[CampaignStore, duckdb.DuckDBPyConnection]:
    """Open a campaign directory and a DuckDB connection with its three views.

    Raises
    ------
    InputDataError
        If ``root`` holds no ``manifest.json``.
    """
    store = CampaignStore(Path(root))
    if not store.exists():
        raise InputDataError(f"{root}: not a campaign directory (no manifest.json)")
    con = duckdb.connect(":memory:")
    for table in TABLES:
        parts = store.parts(table)
        if parts:
            files = ", ".join(_sql_str(str(p)) for p in parts)
            sql = f"SELECT * FROM read_parquet([{files}], union_by_name = true)"
        else:
            sql = _EMPTY[table]
        con.execute(f"CREATE VIEW {table} AS {sql}")
    return store, con


def run_query(root: Path, sql: str) -> pa.Table:
    """Run ``sql`` over the campaign views; return an Arrow table.

    Raises
    ------
    IadsimError
        One line with DuckDB's message when the query is invalid.
    """
    _, con = open_campaign(root)
    try:
        rel: Any = con.sql(sql)
        if rel is None:
            return pa.table({})
        table: pa.Table = rel.to_arrow_table()
        return table
    except duckdb.Error as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise IadsimError(f"query: {first}") from err
    finally:
        con.close()
