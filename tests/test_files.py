"""The atomic file writer (iadsim.files)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from iadsim.files import atomic_write, write_bytes_atomic, write_text_atomic


@pytest.mark.parametrize("fsync", [False, True])
def test_writes_replace_the_file_and_leave_no_temporary(tmp_path: Path, fsync: bool) -> None:
    target = tmp_path / "sub" / "a.txt"
    with pytest.raises(OSError):  # a missing folder is an error unless asked for
        write_text_atomic(target, "one\r\n")
    write_text_atomic(target, "one\r\n", fsync=fsync, parents=True)
    assert target.read_bytes() == b"one\r\n"  # newlines as given
    write_bytes_atomic(target, b"\x00two", fsync=fsync)
    assert target.read_bytes() == b"\x00two"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "m.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.txt").stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    write_text_atomic(target, "good")

    def boom(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, boom, fsync=True)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
