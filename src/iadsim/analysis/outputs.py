"""Output paths checked before work starts; OS errors turned into one-line errors.

A command that writes a file checks the path first (:func:`check_output_file`),
so a typo in ``--out`` costs nothing, and wraps the write (:func:`writing`), so a
full disk or a lost permission ends in one line that says what was kept
instead of an ``OSError`` traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from iadsim.errors import IadsimError


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "no space left on the device"
    if err.errno == errno.EFBIG:
        return "file too large for the device or the process's file-size limit"
    return err.strerror or type(err).__name__


def check_output_file(path: Path, option: str) -> Path:
    """Check that ``path`` can be written as a file (its folder must exist).

    Parameters
    ----------
    path : Path
        The output file.
    option : str
        How the user gave it (``--out``), for the message.

    Raises
    ------
    IadsimError
        ``--out x/y.parquet: x is a file, not a folder`` and the like.
    """
    path = Path(path)
    if path.is_dir():
        raise IadsimError(f"{option} {path}: is a directory (give a file name)")
    parent = path.parent
    for up in (parent, *parent.parents):
        if up.exists() and not up.is_dir():
            raise IadsimError(f"{option} {path}: {up} is a file, not a folder")
    if not parent.is_dir():
        raise IadsimError(f"{option} {path}: folder {parent} does not exist")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as err:
        raise IadsimError(f"{option} {path}: cannot write there ({_reason(err)})") from err
    if path.exists() and not os.access(path, os.W_OK):
        raise IadsimError(f"{option} {path}: not writable")
    return path


@contextlib.contextmanager
def writing(path: Path, kept: str) -> Iterator[None]:
    """Turn an OSError raised inside into ``path: cannot write (reason); kept``.

    A partly written ``path`` that did not exist before is removed (a truncated
    file is worse than none).
    """
    existed = Path(path).exists()
    try:
        yield
    except OSError as err:
        with contextlib.suppress(OSError):
            if not existed and Path(path).is_file():
                Path(path).unlink()
        raise IadsimError(f"{path}: cannot write ({_reason(err)}); {kept}") from err
