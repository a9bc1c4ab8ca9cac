"""Shared numeric helpers (iadsim.numeric)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.numeric import last_per_time, sorted_position


def test_sorted_position_agrees_with_a_dictionary() -> None:
    """The binary search finds each id's index (sorted keys, or any order with a
    sorter) and -1 for absent ids: empty keys and ids past both ends included."""
    rng = np.random.default_rng(3)
    for n_keys in (0, 1, 5, 60):
        keys = rng.permutation(np.unique(rng.integers(0, 80, n_keys))).astype(np.int64)
        for n in (0, 1, 7, 40):
            q = rng.integers(-5, 90, n).astype(np.int64)
            where = {int(k): i for i, k in enumerate(keys)}
            expect = np.array([where.get(int(v), -1) for v in q], dtype=np.int64)
            got = sorted_position(keys, q, sorter=np.argsort(keys))
            assert got.dtype == np.int64 and got.shape == q.shape
            np.testing.assert_array_equal(got, expect)
            ordered = np.sort(keys)
            pos = sorted_position(ordered, q)
            np.testing.assert_array_equal(pos >= 0, np.isin(q, keys))
            np.testing.assert_array_equal(ordered[pos[pos >= 0]], q[pos >= 0])


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=40))
def test_last_per_time_keeps_what_pandas_keeps(rows: list[tuple[int, int]]) -> None:
    """The last row of each (time, id), in row order, against a dictionary of the last
    row index per key (a plain loop: the independent oracle)."""
    t = np.array([r[0] for r in rows], dtype=np.float64) * 0.5
    ids = np.array([r[1] for r in rows], dtype=np.int64)
    last = {(float(a), int(b)): i for i, (a, b) in enumerate(zip(t, ids, strict=True))}
    expect = np.zeros(len(rows), dtype=bool)
    expect[list(last.values())] = True
    assert np.array_equal(last_per_time(t, ids), expect)
