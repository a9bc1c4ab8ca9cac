"""Freed memory returned during a run: the progress wrapper and the release call."""

from __future__ import annotations

import pytest

from iadsim.sim import memory


def test_releasing_passes_every_time_on_and_releases_once_per_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released: list[float] = []
    seen: list[float] = []
    now = [0.0]
    monkeypatch.setattr(memory, "release_free_memory", lambda: released.append(now[0]))
    tick = memory.releasing(seen.append, every_s=30.0)
    times = [0.0, 10.0, 29.9, 30.0, 30.0, 45.0, 59.9, 60.0, 200.0, 210.0, 230.0]
    for t in times:
        now[0] = t
        tick(t)
    assert seen == times
    assert released == [30.0, 60.0, 200.0, 230.0]


def test_releasing_without_a_progress_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: calls.append(1))
    tick = memory.releasing(None, every_s=1.0)
    for t in (0.5, 1.0, 1.5, 2.0):
        tick(t)
    assert calls == [1, 1]


def test_release_free_memory_is_harmless_to_live_data() -> None:
    data = [bytes(range(256)) * 4096 for _ in range(8)]  # ~8 MB live
    garbage = [bytearray(1 << 20) for _ in range(32)]
    del garbage
    memory.release_free_memory()
    memory.release_free_memory()  # twice: nothing left to return is fine
    assert all(d == bytes(range(256)) * 4096 for d in data)
