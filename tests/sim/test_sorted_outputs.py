"""A run's outputs joined at its end, column at a time and in bounded pieces.

The detections and the event log are put in time order a column at a time (each part's
column released once joined), and track rows are streamed in pieces however large the
tracker's parts (spilled ones read a row group at a time). Each form must give exactly
the rows of the whole-frame form: compared here on random inputs with tied times,
empty parts and parts larger than a piece.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pytest

from iadsim.frames import EVENT_KINDS, Detections, Events, Frame, Tracks
from iadsim.sim import outputs, spill


def _random(cls: type[Frame], n: int, rng: np.random.Generator) -> Frame:
    cols: dict[str, np.ndarray] = {}
    for f in dataclasses.fields(cls):
        dt = f.metadata["dtype"]
        if dt.kind == "f":
            cols[f.name] = rng.normal(size=n)
        elif dt.kind in "iu":
            cols[f.name] = rng.integers(-1, 9, size=n).astype(dt)
        else:
            cols[f.name] = rng.choice([*EVENT_KINDS[:3], "x" * 40], size=n)
    cols["t_s"] = rng.integers(0, 6, size=n).astype(float)  # many ties
    if cls is Events:
        cols["kind"] = rng.choice(list(EVENT_KINDS), size=n)
    return cls(**cols)


SIZES = [[], [0], [7], [5, 0, 9, 1], [40, 3, 0, 17, 26]]


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("seed", [1, 2])
def test_time_sorted_detections_are_the_stably_sorted_concatenation(
    sizes: list[int], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    parts = [_random(Detections, n, rng) for n in sizes]
    whole = Detections.concat(parts)
    want = whole.select(np.argsort(whole.t_s, kind="stable"))
    given = list(parts)
    got = outputs.time_sorted(given)
    assert given == []  # the caller's list no longer holds the parts
    assert len(got) == sum(sizes)
    for c in Detections.columns():
        np.testing.assert_array_equal(getattr(got, c), getattr(want, c), err_msg=c)
        assert getattr(got, c).dtype == getattr(want, c).dtype
        assert not getattr(got, c).flags.writeable


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("seed", [1, 2])
def test_sorted_events_table_is_the_stably_sorted_concatenation(
    sizes: list[int], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    parts = [_random(Events, n, rng).to_arrow() for n in sizes]
    whole = pa.concat_tables(parts) if parts else Events.empty().to_arrow()
    order = np.argsort(whole.column("t_s").to_numpy(), kind="stable")
    want = whole.take(pa.array(order))
    given = list(parts)
    got = outputs.sorted_events_table(given)
    assert given == []
    assert got.schema == want.schema
    assert got.equals(want)
    assert got.column("t_s").to_pylist() == sorted(whole.column("t_s").to_pylist())


def _tracks(n: int, rng: np.random.Generator) -> Tracks:
    cols = {c: rng.normal(size=n) for c in Tracks.columns()}
    cols.update(
        t_s=np.sort(rng.integers(0, 9, n)).astype(float), track_id=rng.integers(0, 4, n),
        status=rng.integers(0, 4, n).astype(np.int8),
    )  # fmt: skip
    return Tracks(**cols)


@pytest.mark.parametrize("sizes", [[], [0, 0], [3], [25, 1, 0, 9, 30, 2], [14, 14, 7]])
def test_track_chunks_of_large_and_spilled_parts_are_the_frame(
    monkeypatch: pytest.MonkeyPatch, sizes: list[int]
) -> None:
    """Parts larger than a chunk, spilled in several row groups: the chunks join to the
    kept rows, each under twice the chunk size."""
    monkeypatch.setattr(outputs, "TRACK_PART_ROWS", 7)
    monkeypatch.setattr(spill, "SPILL_GROUP_ROWS", 4)
    rng = np.random.default_rng(len(sizes))
    parts = [_tracks(n, rng) for n in sizes]
    held = spill.TrackParts(limit_rows=10)
    for p in parts:
        held.append(p)
    rows = outputs.TrackRows.of(held.take())
    if sum(sizes) > 10:
        assert any(isinstance(p, spill.SpilledTracks) for p in rows.parts)
    want = outputs.TrackRows.of(parts).frame()
    assert not rows.keep.all() or sum(sizes) < 5  # repeated (time, track) rows dropped
    chunks = list(rows.chunks())
    assert all(len(c) < 14 for c in chunks)
    got = Tracks.concat(chunks)
    assert len(got) == len(want) == len(rows)
    for c in Tracks.columns():
        np.testing.assert_array_equal(getattr(got, c), getattr(want, c), err_msg=c)
        np.testing.assert_array_equal(getattr(rows.frame(), c), getattr(want, c), err_msg=c)


def test_pieces_cut_parts_in_memory_and_read_spilled_ones_a_row_group_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spill, "SPILL_GROUP_ROWS", 4)
    rng = np.random.default_rng(5)
    first, second = _tracks(10, rng), _tracks(10, rng)
    held = spill.TrackParts(limit_rows=10)
    held.append(first)
    held.append(second)
    in_memory, spilled = held.take()
    assert isinstance(spilled, spill.SpilledTracks) and spilled.groups == range(0, 3)
    cut = list(spill.pieces(in_memory, 3))
    read = list(spill.pieces(spilled, 100))
    assert [len(p) for p in cut] == [3, 3, 3, 1]
    assert [len(p) for p in read] == [4, 4, 2]
    for pieces, want in ((cut, first), (read, second)):
        got = Tracks.concat(pieces)
        for c in Tracks.columns():
            np.testing.assert_array_equal(getattr(got, c), getattr(want, c), err_msg=c)
    assert list(spill.pieces(Tracks.empty(), 3)) == []
