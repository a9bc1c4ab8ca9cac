"""Campaign directory integrity: the manifest check, part-file checks and the lock.

A manifest is validated field by field on read; a part file is readable and its
``task_id`` column holds non-negative integers, else a one-line
:class:`~iadsim.errors.InputDataError` names the file; one process at a time
writes a campaign directory (``flock`` on ``.lock``).
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

__all__ = ["LOCK_NAME", "MANIFEST_FIELDS", "InputDataError", "locked", "parse_manifest", "task_ids"]

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
    return data


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
