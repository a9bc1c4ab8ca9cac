"""DuckDB over a campaign directory, sandboxed: views ``results``, ``threats``, ``failures``.

Each view reads the committed Parquet parts of its table (``union_by_name`` so
parts whose metric columns differ line up by name). A table with no parts yet is
an empty view with the identity columns. ``failures`` keeps one row per task
that has no result (the latest attempt; a task re-run by ``--retry-failed`` that
then succeeded is not a failure any more).

The connection is a sandbox: it may read the campaign's own part files and
nothing else (``enable_external_access = false`` with ``allowed_paths``), loads
no extensions, and its configuration is locked (``lock_configuration``) before
the user's SQL runs, so the SQL cannot read other files, write files, ``ATTACH``
or ``EXPORT``; memory and threads are capped and a query is interrupted after
``timeout_s``. Writing a result is the caller's job (``iadsim query --csv OUT``).
"""

from __future__ import annotations

import threading
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

#: Sandbox defaults: DuckDB memory cap, threads, wall-clock timeout, result size.
MEMORY_LIMIT = "1GB"
THREADS = 2
TIMEOUT_S = 60.0
MAX_RESULT_BYTES = 512 * 1024**2

_MAX_SQL_CHARS = 100_000
#: Rows per fetched batch: the result size is checked batch by batch, so a batch of
#: very wide rows (``repeat('x', 10**6)``) is the most allocated before a refusal.
_BATCH_ROWS = 256


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(err).__name__)


def _view_sql(table: str, parts: list[Path]) -> str:
    if not parts:
        return _EMPTY[table]
    files = ", ".join(_sql_str(str(p)) for p in parts)
    read = f"read_parquet([{files}], union_by_name = true)"
    if table != "failures":
        return f"SELECT * FROM {read}"
    # latest attempt of each task that has no result row
    return (
        f"SELECT * EXCLUDE (filename) FROM {read.removesuffix(')')}, filename = true) "
        "WHERE task_id NOT IN (SELECT task_id FROM results) "
        "QUALIFY row_number() OVER (PARTITION BY task_id ORDER BY filename DESC) = 1"
    )


def open_campaign(
    root: Path, *, memory_limit: str = MEMORY_LIMIT, threads: int = THREADS
) -> tuple[CampaignStore, duckdb.DuckDBPyConnection]:
    """Open a campaign directory and a sandboxed DuckDB connection with its views.

    Raises
    ------
    InputDataError
        If ``root`` holds no valid ``manifest.json`` or a part file is corrupt.
    """
    store = CampaignStore(Path(root))
    if not store.exists():
        raise InputDataError(f"{root}: not a campaign directory (no manifest.json)")
    store.read_manifest()  # validated: a garbage manifest is a one-line error
    parts = {table: store.parts(table) for table in TABLES}
    store.check_parts()
    allowed = [str(p.resolve()) for ps in parts.values() for p in ps]
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": threads,
            "memory_limit": memory_limit,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    try:
        # (DuckDB takes allowed_paths only once started, and before external access is off)
        con.execute(f"SET allowed_paths = [{', '.join(_sql_str(a) for a in allowed)}]")
        con.execute("SET enable_external_access = false")
        for table in TABLES:
            resolved = [p.resolve() for p in parts[table]]
            con.execute(f"CREATE VIEW {table} AS {_view_sql(table, resolved)}")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as err:
        con.close()
        raise InputDataError(f"{root}: cannot open the campaign tables: {_one_line(err)}") from err
    return store, con


def _fetch(rel: Any, max_bytes: int) -> pa.Table:
    reader = rel.to_arrow_reader(_BATCH_ROWS)
    batches: list[pa.RecordBatch] = []
    size = 0
    for batch in reader:
        size += batch.nbytes
        if size > max_bytes:
            raise IadsimError(
                f"query: result larger than {max_bytes / 1024**2:.0f} MiB; add a LIMIT or aggregate"
            )
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema)


def run_query(
    root: Path,
    sql: str,
    *,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_RESULT_BYTES,
    memory_limit: str = MEMORY_LIMIT,
) -> pa.Table:
    """Run ``sql`` over the sandboxed campaign views; return an Arrow table.

    Raises
    ------
    IadsimError
        One line with DuckDB's message when the query is invalid, is refused by
        the sandbox, runs out of memory, takes longer than ``timeout_s`` or its
        result exceeds ``max_bytes``.
    """
    if len(sql) > _MAX_SQL_CHARS:
        raise IadsimError(f"query: SQL longer than {_MAX_SQL_CHARS:,} characters")
    _, con = open_campaign(root, memory_limit=memory_limit)
    guard = threading.Lock()
    state = {"open": True, "fired": False}

    def interrupt() -> None:  # never touches a closed connection
        with guard:
            if state["open"]:
                state["fired"] = True
                con.interrupt()

    timer = threading.Timer(timeout_s, interrupt)
    timer.start()
    try:
        rel: Any = con.sql(sql)
        if rel is None:
            return pa.table({})
        return _fetch(rel, max_bytes)
    except duckdb.Error as err:
        if state["fired"]:
            raise IadsimError(f"query: interrupted after {timeout_s:g} s") from err
        raise IadsimError(f"query: {_one_line(err)}") from err
    except MemoryError as err:
        raise IadsimError("query: out of memory; add a LIMIT or aggregate") from err
    finally:
        timer.cancel()
        with guard:
            state["open"] = False
            con.close()
