"""Campaign directory integrity: the manifest check, part-file checks and the lock.

A manifest is validated field by field on read (its sweep points included); a part
file is readable, its ``task_id`` column holds non-negative integers and the columns
that ``campaign summarize``, ``query`` and ``report`` read have their types (counts:
integers without nulls; metrics: numbers; class and outcome: text), else a one-line
:class:`~iadsim.errors.InputDataError` names the file and the field; one process at
a time writes a campaign directory (``flock`` on ``.lock``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.errors import IadsimError, InputDataError

__all__ = [
    "LOCK_NAME",
    "MANIFEST_FIELDS",
    "MEAN_METRICS",
    "InputDataError",
    "check_part_columns",
    "check_part_table",
    "check_task_rows",
    "locked",
    "parse_manifest",
    "task_ids",
]

#: Lock file of a campaign directory (see :meth:`CampaignStore.locked`).
LOCK_NAME = ".lock"

#: Fields a manifest must have, with their JSON types.
MANIFEST_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "scenario": str,
    "scenario_file": str,
    "runs_per_point": int,
    "root_seed": int,
    "n_tasks": int,
    "fingerprint": str,
    "scenario_data": dict,
    "points": list,
}


def parse_manifest(path: Path) -> dict[str, Any]:
    """Read and check a manifest file; one-line :class:`InputDataError` on any problem."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        msg = " ".join(str(err).split())[:200]
        raise InputDataError(f"{path}: not a readable campaign manifest ({msg})") from err
    if not isinstance(data, dict):
        raise InputDataError(f"{path}: not a campaign manifest (a JSON object expected)")
    for key, kind in MANIFEST_FIELDS.items():
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputDataError(f"{path}: {key}: missing or of the wrong type")
    if data["runs_per_point"] < 1 or data["root_seed"] < 0 or data["n_tasks"] < 0:
        raise InputDataError(f"{path}: runs_per_point/root_seed/n_tasks: out of range")
    for k, point in enumerate(data["points"]):
        ok = (
            isinstance(point, dict)
            and isinstance(point.get("point_id"), int)
            and not isinstance(point.get("point_id"), bool)
            and isinstance(point.get("label"), str)
            and isinstance(point.get("overrides"), dict)
        )
        if not ok:
            raise InputDataError(
                f"{path}: points[{k}]: need point_id (integer), label (text) "
                "and overrides (mapping)"
            )
        if point["point_id"] != k:  # (tasks are numbered point by point)
            raise InputDataError(f"{path}: points[{k}]: point_id {point['point_id']}, need {k}")
    n_points = len(data["points"])
    if data.get("n_points", n_points) != n_points or data["n_tasks"] != (
        n_points * data["runs_per_point"]
    ):
        raise InputDataError(
            f"{path}: points/n_points/n_tasks: {n_points} points x {data['runs_per_point']} "
            f"runs is not n_tasks {data['n_tasks']} (n_points {data.get('n_points', '-')}): "
            "a point entry lost or added"
        )
    return data


#: Per-run metrics of the results table summarized by mean (numbers, when present).
MEAN_METRICS = (
    "n_threats",
    "n_killed",
    "n_leaked",
    "n_killed_after_leak",
    "n_survived",
    "n_never_engaged",
    "leak_fraction",
    "interceptors_fired_total",
    "wall_time_s",
)

#: Columns read as counts (integers, no nulls) and as text (no nulls), per table;
#: ``point_id`` is required in both, the others checked where present.
_COUNTS = {
    "results": ("point_id", "n_threats", "n_leaked", "n_survived", "n_killed"),
    "threats": ("point_id", "engagements"),
}
_TEXT = {"results": (), "threats": ("type", "outcome")}


def _checked(name: str) -> tuple[str, ...]:
    numbers = MEAN_METRICS if name == "results" else ()
    return tuple(dict.fromkeys((*_COUNTS.get(name, ()), *_TEXT.get(name, ()), *numbers)))


def check_part_table(path: Path, table: pa.Table, name: str) -> None:
    """Raise a one-line :class:`InputDataError` (file and column) unless the columns of
    part ``path`` of table ``name`` that the summary, queries and report read have
    their types: counts integers without nulls, metrics numbers, text without nulls.
    Tables other than ``results`` and ``threats`` are not checked."""
    if name not in _COUNTS:
        return
    if "point_id" not in table.column_names:
        raise InputDataError(f"{path}: missing column point_id")
    for col in _checked(name):
        if col not in table.column_names:
            continue
        typ, column = table.schema.field(col).type, table.column(col)
        if col in _TEXT[name]:
            ok = pa.types.is_string(typ) or pa.types.is_large_string(typ)
            need = "text"
        elif col in _COUNTS[name]:
            ok, need = pa.types.is_integer(typ), "integers"
        else:
            ok, need = pa.types.is_integer(typ) or pa.types.is_floating(typ), "numbers"
        if not (ok or pa.types.is_null(typ)):
            raise InputDataError(f"{path}: {col}: {typ} values, need {need}")
        if column.null_count and (col in _COUNTS[name] or col in _TEXT[name]):
            raise InputDataError(f"{path}: {col}: {column.null_count} null value(s)")
    _check_counts(path, table, name)


def _check_counts(path: Path, table: pa.Table, name: str) -> None:
    """Counts are non-negative, and a run's outcome counts at most its threats (a part
    with n_leaked 99 of 30 threats raised a traceback in the Wilson interval; one with
    n_threats -3 read P(leak) -0.83 with exit 0)."""
    import numpy as np

    def values(col: str) -> Any:
        return table.column(col).to_numpy(zero_copy_only=False).astype(np.int64)

    present = [c for c in _COUNTS[name] if c in table.column_names]
    for col in present:
        v = values(col)
        if v.size and v.min() < 0:
            raise InputDataError(f"{path}: {col}: negative count ({int(v.min())})")
    if name != "results" or "n_threats" not in table.column_names:
        return
    n = values("n_threats")
    for col in (c for c in ("n_leaked", "n_survived", "n_killed") if c in table.column_names):
        v = values(col)
        over = np.flatnonzero(v > n)
        if over.size:
            k = int(over[0])
            raise InputDataError(
                f"{path}: {col}: {int(v[k])} in row {k}, more than its n_threats {int(n[k])}"
            )


def check_part_columns(path: Path, name: str) -> None:
    """:func:`check_part_table` reading only the checked columns of part ``path``."""
    if name not in _COUNTS:
        return
    try:
        present = set(pq.read_schema(path).names)
        cols = [c for c in _checked(name) if c in present]
        table = pq.read_table(path, columns=cols)
    except (OSError, pa.ArrowException, ValueError) as err:
        msg = " ".join(str(err).split())[:160]
        raise InputDataError(f"{path}: cannot read Parquet ({msg})") from err
    check_part_table(path, table, name)


def check_task_rows(path: Path, manifest: dict[str, Any]) -> None:
    """The tasks of part ``path`` are tasks of this campaign: ``task_id`` below
    ``n_tasks`` and, where the part has them, ``point_id`` and ``replicate`` those of the
    task (``task_id = point_id x runs_per_point + replicate``). A part with foreign rows
    (tasks 100-108 of a 40-task campaign) was counted in the summary: 19 runs at a point
    of 10, "49/40 done"."""
    import numpy as np

    runs, n_tasks = manifest["runs_per_point"], manifest["n_tasks"]
    ids = task_ids(path)  # (a corrupt part: its one-line error)
    present = set(pq.read_schema(path).names)
    cols = [c for c in ("point_id", "replicate") if c in present]
    table = pq.read_table(path, columns=cols)
    bad = np.flatnonzero(ids >= n_tasks)
    if bad.size:
        raise InputDataError(
            f"{path}: task_id: {int(ids[bad[0]])} is not a task of this campaign "
            f"({n_tasks} tasks: 0..{n_tasks - 1})"
        )
    for col, want in (("point_id", ids // runs), ("replicate", ids % runs)):
        if col in cols:
            got = table.column(col).to_numpy(zero_copy_only=False)
            wrong = np.flatnonzero(got != want)
            if wrong.size:
                k = int(wrong[0])
                raise InputDataError(
                    f"{path}: {col}: {got[k]} for task {int(ids[k])}, which is {col} "
                    f"{int(want[k])} ({runs} runs per point)"
                )


def task_ids(path: Path) -> Any:
    """The ``task_id`` column of a part file; one-line :class:`InputDataError` if corrupt."""
    try:
        col = pq.read_table(path, columns=["task_id"]).column("task_id")
        ids = col.to_numpy()
    except (OSError, pa.ArrowException, KeyError, ValueError) as err:
        msg = " ".join(str(err).split())[:160]
        raise InputDataError(
            f"{path}: corrupt part file ({msg}); `iadsim campaign run --resume` moves it "
            "to quarantine/ and runs its tasks again"
        ) from err
    if ids.dtype.kind not in "iu" or (ids.size and ids.min() < 0):
        raise InputDataError(f"{path}: task_id: not non-negative integers")
    return ids


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the campaign directory ``root`` (``.lock``, ``flock``).

    A second writer or resumer of the same directory gets a one-line
    :class:`IadsimError` instead of racing the first. The lock goes with the
    process (also on SIGKILL): no stale lock to clean up.
    """
    import fcntl

    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise IadsimError(f"{root}: cannot create or lock ({err.strerror or err})") from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise IadsimError(
            f"{root}: campaign in use by another process (pid {holder}); "
            "wait for it to finish or stop it, then --resume"
        ) from err
    try:
        with contextlib.suppress(OSError):  # the pid is informative only (disk full)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        os.close(fd)
