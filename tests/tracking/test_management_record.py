"""TrackBook.record: a look's hits and misses written to its own rows only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iadsim.tracking.management import TrackBook


def _book(rng: np.random.Generator, n: int, columns: int) -> TrackBook:
    book = TrackBook.new(np.arange(1, n + 1), 0.0, -1.0)
    book.hist = rng.integers(0, 2**20, n).astype(np.uint64)
    book.age = rng.integers(1, 30, n)
    book.llr = rng.normal(size=n)
    book.t_hit_s = rng.uniform(0.0, 5.0, n)
    book.sensors = rng.integers(0, 2**columns, n).astype(np.uint64)  # 0: held by none
    book.misses_by = rng.choice([0, 1, 2, 254, 255], (n, columns)).astype(np.uint8)
    book.misses = book.misses_by.min(axis=1).astype(np.int64)
    return book


def _record_one(book: TrackBook, r: int, hit: bool, t_s: float, dllr: float, col: int) -> None:
    """The module doc's rule for one row, written plainly (the reference)."""
    book.hist[r] = (int(book.hist[r]) << 1) | int(hit)
    book.age[r] += 1
    book.misses_by[r, col] = 0 if hit else min(int(book.misses_by[r, col]) + 1, 255)
    held = [s for s in range(book.misses_by.shape[1]) if int(book.sensors[r]) >> s & 1] or [col]
    book.misses[r] = min(int(book.misses_by[r, s]) for s in held)
    if hit:
        book.t_hit_s[r] = t_s
    book.llr[r] += dllr


@pytest.mark.parametrize("sensor", [None, 0, 2])
def test_record_matches_the_rule_row_by_row_and_leaves_other_rows(sensor: int | None) -> None:
    rng = np.random.default_rng(5)
    n, columns = 40, 1 if sensor is None else 3
    for _ in range(20):
        book = _book(rng, n, columns)
        ref = TrackBook(**{f.name: getattr(book, f.name).copy() for f in dataclasses.fields(book)})
        rows = np.sort(rng.choice(n, rng.integers(0, 8), replace=False))
        hit = rng.random(rows.shape[0]) < 0.4
        dllr = rng.normal(size=rows.shape[0])
        book.record(rows, hit, 7.5, dllr, sensor)
        for r, h, dl in zip(rows, hit, dllr, strict=True):
            _record_one(ref, int(r), bool(h), 7.5, float(dl), 0 if sensor is None else sensor)
        for f in dataclasses.fields(book):
            np.testing.assert_array_equal(getattr(book, f.name), getattr(ref, f.name), f.name)


def test_record_adds_the_sensor_column_it_charges() -> None:
    book = TrackBook.new(np.arange(1, 4), 0.0, 0.0, sensor_bits=1)
    book.record(np.array([0, 2]), np.array([False, True]), 1.0, np.zeros(2), sensor=3)
    assert book.misses_by.shape == (3, 4)
    assert book.misses_by[:, 3].tolist() == [1, 0, 0]
    assert book.misses.tolist() == [0, 0, 0]  # sensor 0 holds them, with no miss charged
