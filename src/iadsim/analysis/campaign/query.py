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

:func:`run_query` runs the user's SQL in a child process
(:mod:`iadsim.analysis.campaign.query_child`, forked from a ``multiprocessing``
fork server that has DuckDB and pyarrow imported, so a query starts in
milliseconds after the first) whose data segment may grow by at most ``memory_mib``
(``RLIMIT_DATA``: heap and anonymous mappings, not DuckDB's untouched virtual
reservations) and which the parent kills ``GRACE_S`` after the timeout. So
whatever DuckDB does, the query ends in a one-line error, never in a hang or an
exhausted machine. The result comes back as an Arrow IPC stream over a pipe.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa

from iadsim.analysis.campaign.integrity import check_part_columns, check_task_rows
from iadsim.analysis.campaign.store import TABLES, CampaignStore
from iadsim.errors import IadsimError, InputDataError

if TYPE_CHECKING:
    import duckdb

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
#: How much the query process's data segment may grow (MiB): DuckDB's cap, plus
#: what it allocates outside it (long strings, lists), plus one result batch.
MEMORY_MIB = 2048
#: The smallest ``memory_mib`` (a DuckDB connection and its threads take ~150 MiB).
MIN_MEMORY_MIB = 256
#: Seconds past ``timeout_s`` before the parent kills a query process that did not
#: stop at DuckDB's own interrupt.
GRACE_S = 2.0

_MAX_SQL_CHARS = 100_000
#: exit codes of the query process: a one-line error / out of memory (message on stderr)
EXIT_ERROR, EXIT_MEMORY = 2, 3


class QueryProcessError(IadsimError):
    """The query process ended unexpectedly (an uncaught exception or a signal)."""


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def one_line(err: BaseException | str, limit: int = 300) -> str:
    """``err``'s message on one line, at most ``limit`` characters."""
    text = " ".join(str(err).split())
    return (text[:limit] + "...") if len(text) > limit else (text or type(err).__name__)


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


def campaign_parts(root: Path) -> tuple[CampaignStore, dict[str, list[Path]]]:
    """A campaign directory's store and the part files of each table, validated.

    Raises
    ------
    InputDataError
        If ``root`` holds no valid ``manifest.json`` (sweep points included), a part
        file is corrupt, or a column the summary or report reads has the wrong type
        or nulls (:func:`.integrity.check_part_columns`), or a part holds a task that is
        not this campaign's (:func:`.integrity.check_task_rows`).
    """
    store = CampaignStore(Path(root))
    if not store.exists():
        raise InputDataError(f"{root}: not a campaign directory (no manifest.json)")
    store.read_manifest()  # validated: a garbage manifest is a one-line error
    parts = {table: store.parts(table) for table in TABLES}
    store.check_parts()
    for table, paths in parts.items():
        for path in paths:
            check_part_columns(path, table)
    manifest = store.read_manifest()
    for path in (path for paths in parts.values() for path in paths):
        check_task_rows(path, manifest)
    return store, parts


def open_campaign(
    root: Path,
    *,
    memory_limit: str = MEMORY_LIMIT,
    threads: int = THREADS,
    parts: dict[str, list[Path]] | None = None,
) -> tuple[CampaignStore, duckdb.DuckDBPyConnection]:
    """Open a campaign directory and a sandboxed DuckDB connection with its views.

    ``parts`` (from :func:`campaign_parts`) skips reading and checking the
    directory again (the query process gets them from its caller, and so never
    imports ``pyarrow.dataset``, which reserves 1 GiB of data segment).

    Raises
    ------
    InputDataError
        If ``root`` holds no valid ``manifest.json`` or a part file is corrupt.
    """
    import duckdb

    if parts is None:
        store, parts = campaign_parts(root)
    else:
        store = CampaignStore(Path(root))
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
        raise InputDataError(f"{root}: cannot open the campaign tables: {one_line(err)}") from err
    return store, con


def memory_error(memory_mib: int) -> str:
    """The one-line message of a query that ran out of its process's memory."""
    return f"query exceeded {memory_mib} MiB memory limit; add a LIMIT or aggregate"


def timeout_error(timeout_s: float) -> str:
    """The one-line message of a query stopped at its time limit."""
    return f"query exceeded {timeout_s:g} s; add a LIMIT or simplify it"


def run_query(
    root: Path,
    sql: str,
    *,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_RESULT_BYTES,
    memory_limit: str = MEMORY_LIMIT,
    memory_mib: int = MEMORY_MIB,
) -> pa.Table:
    """Run ``sql`` over the sandboxed campaign views in a child process; return a table.

    Parameters
    ----------
    root : Path
        Campaign directory.
    sql : str
        The user's SQL (DuckDB dialect) over ``results``, ``threats``, ``failures``.
    timeout_s : float
        Wall-clock limit: DuckDB interrupts the query at ``timeout_s``; the parent
        kills the process at ``timeout_s + GRACE_S`` whatever it is doing.
    max_bytes : int
        Largest result (Arrow bytes), checked batch by batch.
    memory_limit : str
        DuckDB's own memory cap (``memory_limit`` setting).
    memory_mib : int
        How much the query process's data segment may grow (``RLIMIT_DATA``, MiB).

    Raises
    ------
    IadsimError
        One line when the query is invalid, is refused by the sandbox, runs out of
        memory (``query exceeded N MiB memory limit``), takes longer than
        ``timeout_s`` (``query exceeded T s``) or its result exceeds ``max_bytes``;
        :class:`QueryProcessError` if the query process died otherwise.
    """
    if len(sql) > _MAX_SQL_CHARS:
        raise IadsimError(f"query: SQL longer than {_MAX_SQL_CHARS:,} characters")
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as err:
        raise IadsimError(f"query: the SQL is not valid text ({one_line(err, 80)})") from None
    if memory_mib < MIN_MEMORY_MIB:
        raise IadsimError(f"query: memory limit {memory_mib} MiB is below {MIN_MEMORY_MIB} MiB")
    _start_server()  # it loads DuckDB while this process checks the parts
    _, parts = campaign_parts(root)
    request = {
        "root": str(root), "sql": sql, "timeout_s": timeout_s, "max_bytes": max_bytes,
        "memory_limit": memory_limit, "threads": THREADS, "memory_mib": memory_mib,
        "parts": {table: [str(p) for p in ps] for table, ps in parts.items()},
    }  # fmt: skip
    code, killed, table, message = run_in_child(_child_entry, request, timeout_s + GRACE_S)
    if killed:
        raise IadsimError(timeout_error(timeout_s))
    if code == 0 and table is not None:
        return table
    if code in (EXIT_ERROR, EXIT_MEMORY) and message:
        raise IadsimError(one_line(message, 600))
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        raise QueryProcessError(
            f"query: the query process ended by {name} (limit {memory_mib} MiB)"
        )
    raise QueryProcessError(
        f"query: the query process failed (exit {code}): {one_line(message) or 'no message'}"
    )


def _child_entry(request: dict[str, Any], out: Any, err: Any) -> None:
    """Target of the query process (imports only what the fork server preloaded)."""
    from iadsim.analysis.campaign.query_child import child_main

    child_main(request, out, err)


def _context() -> Any:
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", "iadsim.analysis.campaign.query_child"])
    return ctx


def _start_server() -> None:
    """Start the fork server now (if it is not running): it imports in parallel."""
    import multiprocessing.forkserver

    _context()
    multiprocessing.forkserver.ensure_running()


def _watched(target: Callable[..., None], watch: Any, *args: Any) -> None:
    """Run ``target(*args)``; end the process at once when the caller is gone.

    ``watch`` is the read end of a pipe only the caller holds open: it reads EOF
    when the caller dies, even by SIGKILL. (The fork server is no help here: every
    process it forks holds its keep-alive pipe, so it outlives the caller as long
    as a query runs.)
    """

    def watchdog() -> None:
        with contextlib.suppress(EOFError, OSError):
            watch.recv_bytes()
        os._exit(1)

    threading.Thread(target=watchdog, name="iadsim-query-watchdog", daemon=True).start()
    target(*args)


def run_in_child(
    target: Callable[[dict[str, Any], Any, Any], None], request: dict[str, Any], deadline_s: float
) -> tuple[int | None, bool, pa.Table | None, str]:
    """Run ``target(request, out, err)`` in a forked process, read the Arrow IPC stream
    it writes to the pipe ``out`` and the message it sends on ``err``; kill it if it
    is still running ``deadline_s`` after its start. The process ends by itself if
    the caller dies (see :func:`_watched`).

    Returns
    -------
    tuple
        ``(exit code, killed at the deadline, table or None, message)``; the table is
        only meaningful when the exit code is 0.
    """
    ctx = _context()
    out_r, out_w = ctx.Pipe(duplex=False)
    err_r, err_w = ctx.Pipe(duplex=False)
    watch_r, watch_w = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_watched, args=(target, watch_r, request, out_w, err_w), daemon=True)
    guard = threading.Lock()
    state = {"running": True, "killed": False}

    def kill() -> None:  # never signals a process already joined
        with guard:
            if state["running"]:
                state["killed"] = True
                proc.kill()

    timer = threading.Timer(deadline_s, kill)
    table, message = None, ""
    try:
        try:
            proc.start()
            timer.start()
        finally:  # the child has its copies (or never started)
            for end in (out_w, err_w, watch_r):
                end.close()
        with open(out_r.fileno(), "rb", closefd=False) as stream:
            table = _read_stream(stream)
        proc.join()
        message = _receive(err_r)
    finally:
        with guard:
            state["running"] = False
        timer.cancel()
        if proc.pid is not None and proc.exitcode is None:  # Ctrl-C or an error here
            proc.kill()
            proc.join()
        for end in (out_r, err_r, watch_w):
            end.close()
    return proc.exitcode, state["killed"], table, message


def _receive(conn: Any) -> str:
    try:
        return str(conn.recv()) if conn.poll() else ""
    except (EOFError, OSError):
        return ""


def _read_stream(stream: IO[bytes]) -> pa.Table | None:
    try:
        reader = pa.ipc.open_stream(stream)
        return pa.Table.from_batches(list(reader), schema=reader.schema)
    except (pa.ArrowInvalid, OSError):  # cut short: the exit code says why
        while stream.read(1 << 16):  # drain (the process ends, or is killed, soon)
            pass
        return None
