"""The query process of ``iadsim query``: forked by
:func:`iadsim.analysis.campaign.query.run_query` from a fork server that preloads
this module (so DuckDB and pyarrow are imported once per caller, not per query).

It limits its own data segment (``RLIMIT_DATA``), dies with the fork server (which
ends with the caller), runs the SQL in the sandbox of
:func:`iadsim.analysis.campaign.query.open_campaign` with DuckDB's interrupt at
``timeout_s``, writes the result as an Arrow IPC stream to a pipe and a one-line
error to another, and exits with 0, 2 (error) or 3 (out of memory).
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa

from iadsim.analysis.campaign.backends import die_with_parent
from iadsim.analysis.campaign.query import (
    EXIT_ERROR,
    EXIT_MEMORY,
    memory_error,
    one_line,
    open_campaign,
    timeout_error,
)
from iadsim.errors import IadsimError

#: Rows per fetched batch: the result size is checked batch by batch, so a batch of
#: very wide rows (``repeat('x', 10**6)``) is the most allocated before a refusal.
BATCH_ROWS = 256


def data_segment_bytes() -> int:
    """The data segment of this process (``VmData``: heap and private writable mappings)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    return 0


def limit_memory(memory_mib: int) -> None:
    """Let this process's data segment grow by at most ``memory_mib`` MiB from now.

    ``RLIMIT_DATA`` (heap and anonymous mappings) rather than ``RLIMIT_AS``: DuckDB
    reserves ~1 GB of address space it never touches, which an address-space limit
    would count. The limit is relative to the segment at the start, so what the
    fork server happened to import (``pyarrow.dataset`` reserves 1 GiB) does not
    eat into the query's allowance.
    """
    limit = data_segment_bytes() + memory_mib * 1024**2
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError):  # pragma: no cover - a lower hard limit is already set
        pass


def _batches(rel: Any, max_bytes: int) -> Iterator[Any]:
    """``rel``'s Arrow schema, then its batches; raise once they exceed ``max_bytes``."""
    reader = rel.to_arrow_reader(BATCH_ROWS)
    yield reader.schema
    size = 0
    for batch in reader:
        size += batch.nbytes
        if size > max_bytes:
            raise IadsimError(
                f"query: result larger than {max_bytes / 1024**2:.0f} MiB; add a LIMIT or aggregate"
            )
        yield batch


def stream_query(request: dict[str, Any], out: IO[bytes]) -> None:
    """Run the request's SQL in the sandbox and write the result to ``out`` (Arrow IPC).

    Raises
    ------
    IadsimError
        One line: invalid SQL, refused by the sandbox, DuckDB's memory cap, the
        result size, or ``query exceeded T s`` when DuckDB's interrupt fired.
    """
    parts = {table: [Path(p) for p in ps] for table, ps in request["parts"].items()}
    _, con = open_campaign(
        request["root"], memory_limit=request["memory_limit"], threads=request["threads"],
        parts=parts,
    )  # fmt: skip
    guard = threading.Lock()
    state = {"open": True, "fired": False}

    def interrupt() -> None:  # never touches a closed connection
        with guard:
            if state["open"]:
                state["fired"] = True
                con.interrupt()

    timer = threading.Timer(request["timeout_s"], interrupt)
    timer.start()
    try:
        rel: Any = con.sql(request["sql"])
        if rel is None:
            items: Iterator[Any] = iter([pa.schema([])])
        else:
            items = _batches(rel, request["max_bytes"])
        with pa.ipc.new_stream(out, next(items)) as writer:
            for batch in items:
                writer.write_batch(batch)
    except duckdb.Error as err:
        if state["fired"]:
            raise IadsimError(timeout_error(request["timeout_s"])) from err
        if isinstance(err, duckdb.OutOfMemoryException) and "used)" not in str(err):
            raise MemoryError(str(err)) from err  # an allocation failed (RLIMIT_DATA)
        raise IadsimError(f"query: {one_line(err)}") from err
    finally:
        timer.cancel()
        with guard:
            state["open"] = False
            con.close()


def child_main(request: dict[str, Any], out: Any, err: Any) -> None:
    """The query process: limit memory, run the request, exit with a code.

    ``out`` and ``err`` are the write ends of two ``multiprocessing`` pipes: the
    result goes to ``out`` as an Arrow IPC stream, a one-line message to ``err``.
    Exit code 0 (result written), 2 (one-line error) or 3 (out of memory); any
    other failure is caught here, so nothing is printed to the user's terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills
    limit_memory(int(request["memory_mib"]))
    die_with_parent(os.getppid())  # the fork server; the caller is watched in query._watched
    os.dup2(2, 1)  # stray prints go to stderr
    code, message = 0, ""
    try:
        with open(out.fileno(), "wb", closefd=False) as stream:
            stream_query(request, stream)
    except IadsimError as error:
        code, message = EXIT_ERROR, str(error)
    except MemoryError:
        code, message = EXIT_MEMORY, memory_error(int(request["memory_mib"]))
    except BaseException as error:  # reported to the parent, one line
        code, message = 1, f"{type(error).__name__}: {one_line(error)}"
    try:
        out.close()
        if message:
            err.send(message)
    finally:
        os._exit(code)
