"""Atomic file writes (bottom layer: the one writer every layer uses).

A file is written to a temporary name in its target folder, flushed to disk and
renamed into place with :func:`os.replace` (atomic on POSIX), so a killed process
never leaves a half-written file under its final name: the file is complete or
absent (or still the previous version).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "write_bytes_atomic", "write_text_atomic"]


def atomic_write(
    path: Path, write: Callable[[str], object], *, fsync: bool = False, parents: bool = False
) -> None:
    """Create or replace ``path`` atomically with what ``write`` writes.

    Parameters
    ----------
    path : Path
        Final file name.
    write : callable
        Called with the temporary file's name (a str in ``path``'s folder); must
        write the whole content there (e.g. ``lambda tmp: pq.write_table(t, tmp)``).
    fsync : bool
        Flush the temporary file to disk before the rename, so that a crash of the
        machine (not only of the process) cannot leave an empty file under ``path``;
        off by default (a run directory is cheap to redo, a campaign store is not).
    parents : bool
        Create ``path``'s missing folders (else a missing folder is an ``OSError``).

    Notes
    -----
    The file gets the usual mode ``0o666 & ~umask`` (``mkstemp`` creates 0600).
    On any error the temporary file is removed and the error propagates.
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # the rename would replace a FIFO or device
        raise FileExistsError(errno.EEXIST, "not a regular file, not replaced", str(path))
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        if fsync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(
    path: Path, data: bytes, *, fsync: bool = False, parents: bool = False
) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), fsync=fsync, parents=parents)


def write_text_atomic(path: Path, text: str, *, fsync: bool = False, parents: bool = False) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    atomic_write(path, write, fsync=fsync, parents=parents)
