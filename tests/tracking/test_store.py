"""The track store: births and deletions in arrays with spare rows give exactly the
arrays a rebuild (concatenation, selection) gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iadsim.tracking.management import TrackBook
from iadsim.tracking.roles import FilterState
from iadsim.tracking.store import TrackStore


def _bank(rng: np.random.Generator, k: int, imm: bool) -> FilterState:
    x, P = rng.normal(size=(k, 4)), rng.normal(size=(k, 4, 4))
    if not imm:
        return FilterState(x=x, P=P)
    return FilterState(
        x=x, P=P, xm=rng.normal(size=(k, 2, 4)), Pm=rng.normal(size=(k, 2, 4, 4)),
        mu=rng.uniform(size=(k, 2)),
    )  # fmt: skip


def _kill(rng: np.random.Generator, n: int, oldest: bool) -> np.ndarray:
    """Rows to delete: anywhere, or some of the oldest fifth (as false-alarm tracks die,
    so the store closes the gaps from the front)."""
    if not oldest:
        return rng.uniform(size=n) < 0.3
    kill = np.zeros(n, bool)
    kill[: max(1, n // 5)] = rng.uniform(size=max(1, n // 5)) < 0.5
    return kill


@pytest.mark.parametrize("oldest", [False, True])
@pytest.mark.parametrize("imm", [False, True])
def test_store_matches_rebuilt_arrays(imm: bool, oldest: bool) -> None:
    """Random births (with new sensor columns) and deletions anywhere or among the
    oldest rows: the store's live views equal the concatenated / selected reference at
    every step, and the store grows."""
    rng = np.random.default_rng(3)
    store = TrackStore(_bank(rng, 0, imm))
    ref_bank, ref_book = _bank(rng, 0, imm), TrackBook.new(np.zeros(0, np.int64), 0.0, 0.0)
    next_id = 1
    for step in range(120 if oldest else 60):
        k = int(rng.integers(0, 9))
        ids = np.arange(next_id, next_id + k, dtype=np.int64)
        next_id += k
        nb = TrackBook.new(ids, float(step), -1.0, 1 << (step % 5))
        nb.llr[:] = rng.normal(size=k)
        if step % 7 == 3:  # a book with more sensor columns than the store
            nb.misses_by = rng.integers(0, 9, (k, 2 + step % 5)).astype(np.uint8)
        new = _bank(rng, k, imm)
        store.append(new, nb)
        ref_bank, ref_book = ref_bank.append(new), TrackBook.concat(ref_book, nb)
        if step % 4 == 1:
            store.widen(6)
        kill = _kill(rng, store.n, oldest)
        store.remove(kill)
        ref_bank, ref_book = ref_bank.take(~kill), ref_book.select(~kill)
        for f in dataclasses.fields(TrackBook):
            got, want = getattr(store.book, f.name), getattr(ref_book, f.name)
            if f.name == "misses_by":  # the store may hold more (zero) sensor columns
                assert not got[:, want.shape[1] :].any()
                got = got[:, : want.shape[1]]
            np.testing.assert_array_equal(got, want, err_msg=f.name)
        for name in ("x", "P", "xm", "Pm", "mu"):
            want = getattr(ref_bank, name)
            if want is not None:
                np.testing.assert_array_equal(getattr(store.bank, name), want)
        assert store.capacity >= store.n
    assert next_id > 100 and store.capacity >= 64


def test_store_views_are_written_in_place() -> None:
    """The tracker updates the views in place: the store keeps what was written."""
    rng = np.random.default_rng(0)
    store = TrackStore(_bank(rng, 0, False))
    store.append(_bank(rng, 3, False), TrackBook.new(np.arange(1, 4), 0.0, 0.0))
    store.book.status[1] = 1
    store.bank.put(np.array([2]), FilterState(x=np.ones((1, 4)), P=np.eye(4)[None]))
    store.append(_bank(rng, 2, False), TrackBook.new(np.arange(4, 6), 1.0, 0.0))
    assert store.book.status.tolist() == [0, 1, 0, 0, 0]
    np.testing.assert_array_equal(store.bank.x[2], np.ones(4))
