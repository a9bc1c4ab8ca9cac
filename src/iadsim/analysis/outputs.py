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
from collections.abc import Iterable, Iterator
from pathlib import Path

from iadsim.errors import IadsimError
from iadsim.sim.recorder import RUN_FILES


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "no space left on the device"
    if err.errno == errno.EFBIG:
        return "file too large for the device or the process's file-size limit"
    return err.strerror or type(err).__name__


#: Suffixes of the data files a command reads (run directories, campaign stores, tracks,
#: scenarios): an output never replaces one of an input's (:func:`check_output_file`).
DATA_SUFFIXES = frozenset({".parquet", ".json", ".yaml", ".yml", ".csv", ".ast"})


def _replaces_input(path: Path, inputs: Iterable[Path]) -> Path | None:
    """The input file that writing ``path`` would replace (None: none)."""
    target = path.resolve()
    return next((Path(p) for p in inputs if Path(p).resolve() == target), None)


def _store_of(target: Path) -> Path | None:
    """The run or campaign directory whose data the existing file ``target`` is: a
    run's own files beside its ``summary.json``, a campaign's ``manifest.json`` and
    everything in its subfolders (results, threats, failures); None otherwise (a
    report or CSV a command wrote there may be written again)."""
    if not target.is_file():
        return None
    here = target.parent
    if target.name in RUN_FILES and (here / "summary.json").is_file():
        return here
    if target.name == "manifest.json" or (here.parent / "manifest.json").is_file():
        root = here if target.name == "manifest.json" else here.parent
        return root if (root / "manifest.json").is_file() else None
    return None


def check_output_file(
    path: Path, option: str, inputs: Iterable[Path] = (), *, suffix: str | None = None
) -> Path:
    """Check that ``path`` can be written as a file (its folder must exist), without
    replacing what the command reads.

    Parameters
    ----------
    path : Path
        The output file.
    option : str
        How the user gave it (``--out``), for the message.
    inputs : iterable of Path
        The command's input files: ``path`` may not be one of them. Nor may it be
        a file of a run or campaign directory (:func:`_store_of`: a run's
        ``truth.parquet``, a campaign's ``manifest.json`` or result parts), input
        or not.
    suffix : str, optional
        What the command writes (``.csv``): an existing file with another data suffix
        is not replaced (``--csv truth.parquet`` would have turned it into CSV).

    Raises
    ------
    IadsimError
        ``--out x/y.parquet: x is a file, not a folder`` and the like.
    """
    path = Path(path)
    if path.is_dir():
        raise IadsimError(f"{option} {path}: is a directory (give a file name)")
    if path.exists() and not path.is_file():  # the atomic rename would replace it
        raise IadsimError(f"{option} {path}: not a regular file (a FIFO, device or socket)")
    kind = path.suffix.lower()
    if suffix is not None and path.is_file() and kind in DATA_SUFFIXES and kind != suffix:
        raise IadsimError(f"{option} {path}: would overwrite a {kind} file with {suffix}")
    replaced = _replaces_input(path, inputs)
    if replaced is not None:
        raise IadsimError(f"{option} {path}: would overwrite the input file {replaced}")
    store = _store_of(path.resolve())
    if store is not None:
        raise IadsimError(f"{option} {path}: would overwrite a file of the iadsim data in {store}")
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


def check_output_dir(path: Path, option: str) -> Path:
    """Check that ``path`` is a folder or can be made one (its missing parents too),
    and that files can be written in it (or in the folder it would be made in: a
    read-only file system was found only after the report's HTML was written)."""
    path = Path(path)
    for up in (path, *path.parents):
        if up.exists() and not up.is_dir():
            raise IadsimError(f"{option} {path}: {up} is a file, not a folder")
    base = next((up for up in (path, *path.parents) if up.exists()), None)
    if base is not None:
        try:
            with tempfile.TemporaryFile(dir=base):
                pass
        except OSError as err:
            raise IadsimError(f"{option} {path}: cannot write there ({_reason(err)})") from err
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
