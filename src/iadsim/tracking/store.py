"""The tracker's live tracks in arrays with spare rows: births are written in place.

A look of a radar with false alarms starts a few tentative tracks almost every time and
deletes a few; rebuilding every bookkeeping and filter array on each birth (a
concatenation of all ``n`` rows, ``P`` included) made a look's cost grow with the live
tracks. :class:`TrackStore` keeps the filter bank (:class:`~iadsim.tracking.roles.
FilterState`) and the book (:class:`~iadsim.tracking.management.TrackBook`) in arrays
with spare capacity (doubled when full, so a birth costs its own rows amortized); the
live tracks are rows ``[lo, lo + n)`` in the order of their ids, exposed as views
(:attr:`TrackStore.bank`, :attr:`TrackStore.book`) that the tracker and its parts
update in place. Deletions close the gaps in place, keeping the order, from the nearer
end: the rows before the last deleted one move back, or the rows after the first move
forward, whichever are fewer (a look mostly deletes the oldest tentative tracks, near
the front, so a deletion moves a few rows rather than all ``n`` with their ``P``). The
values are exactly those of the rebuilt arrays: only where they are kept changes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.looks import predicted
from iadsim.tracking.management import TrackBook
from iadsim.tracking.roles import Confirmer, Filter, FilterState
from iadsim.tracking.rows import TrackRows

__all__ = ["TrackStore"]

_BANK = ("x", "P", "xm", "Pm", "mu")
_BOOK = tuple(f.name for f in dataclasses.fields(TrackBook))
#: rows allocated at the first birth
_MIN_CAPACITY = 64


class TrackStore:
    """Live tracks' filter state and bookkeeping with spare rows (module docstring).

    Parameters
    ----------
    bank : the (empty) filter bank of the tracker's filter (its arrays' trailing
        shapes and which of them are present).
    """

    def __init__(self, bank: FilterState) -> None:
        self.n = 0
        self._lo = 0  # first live row
        self._bank = {k: getattr(bank, k) for k in _BANK if getattr(bank, k) is not None}
        self._book: dict[str, NDArray[Any]] = dict(
            vars(TrackBook.new(np.zeros(0, np.int64), 0.0, 0.0))
        )
        self._views()

    @property
    def capacity(self) -> int:
        """Rows allocated (live and spare)."""
        return int(self._book["track_id"].shape[0])

    def _views(self) -> None:
        live = slice(self._lo, self._lo + self.n)
        self.bank = FilterState(**{k: a[live] for k, a in self._bank.items()})
        self.book = TrackBook(**{k: a[live] for k, a in self._book.items()})

    def _grow(self, rows: int, columns: int) -> None:
        """Room for ``rows`` live rows from the first live row, and ``columns`` sensor
        columns of ``misses_by``; the live rows then start at row 0."""
        cap, n, lo = self.capacity, self.n, self._lo
        wide = self._book["misses_by"].shape[1]
        if lo + rows <= cap and columns <= wide:
            return
        roomy = 4 * rows <= 3 * cap  # a quarter spare after the move at least
        if roomy and columns <= wide:  # room enough: the live rows move to the front
            for store in (self._bank, self._book):
                for a in store.values():
                    a[:n] = a[lo : lo + n]
            self._lo = 0
            return
        new_cap = cap if roomy else max(2 * rows, _MIN_CAPACITY)
        for store in (self._bank, self._book):
            for k, a in store.items():
                tail = a.shape[1:]
                if k == "misses_by":
                    tail = (max(wide, columns),)
                b = np.zeros((new_cap, *tail), a.dtype)
                if k == "misses_by":
                    b[:n, :wide] = a[lo : lo + n]
                else:
                    b[:n] = a[lo : lo + n]
                store[k] = b
        self._lo = 0

    def widen(self, columns: int) -> None:
        """At least ``columns`` sensor columns in ``misses_by`` (new ones zero)."""
        if columns > self._book["misses_by"].shape[1]:
            self._grow(self.n, columns)
            self._views()

    def append(self, bank: FilterState, book: TrackBook) -> None:
        """Add the tracks of ``bank`` and ``book`` (k rows, ids above every live id)."""
        k, n = book.track_id.shape[0], self.n
        self._grow(n + k, book.misses_by.shape[1])
        new = slice(self._lo + n, self._lo + n + k)
        for key, a in self._bank.items():
            a[new] = getattr(bank, key)
        for key, a in self._book.items():
            rows = getattr(book, key)
            if key == "misses_by":
                a[new] = 0
                a[new, : rows.shape[1]] = rows
            else:
                a[new] = rows
        self.n = n + k
        self._views()

    def remove(self, kill: NDArray[np.bool_]) -> None:
        """Delete the live rows ``kill`` (n,), keeping the others in order (the fewer
        rows move: those before the last deleted row, or those after the first)."""
        dead = kill.nonzero()[0]
        k, lo, n = dead.shape[0], self._lo, self.n
        if k == 0:
            return
        keep = (~kill).nonzero()[0]
        first, last = int(dead[0]), int(dead[-1])
        if last < n - first:  # the kept rows before the last deletion move back by k
            src, dst = lo + keep[: last + 1 - k], slice(lo + k, lo + last + 1)
            self._lo = lo + k
        else:  # the kept rows after the first deletion move forward
            src, dst = lo + keep[first:], slice(lo + first, lo + n - k)
        for store in (self._bank, self._book):
            for a in store.values():
                a[dst] = a[src]
        self.n = n - k
        self._views()

    def rows_at(
        self, filt: Filter, confirmer: Confirmer, t_s: float, rows: NDArray[np.bool_] | None
    ) -> TrackRows:
        """The live tracks (only ``rows`` (n,) if given) predicted to ``t_s`` (the store
        is not changed), with the confirmer's quality."""
        book, bank = self.book, self.bank
        if rows is not None:
            keep = rows.nonzero()[0]
            book, bank = book.select(keep), bank.take(keep)
        n = book.track_id.shape[0]
        quality = confirmer.quality(book) if n else np.zeros(0)
        if n:
            bank = predicted(filt, bank, t_s - book.t_s, in_place=False)
        return TrackRows(bank.x, bank.P, book.track_id, book.status, quality, np.full(n, t_s))
