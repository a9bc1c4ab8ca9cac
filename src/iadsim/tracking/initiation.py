"""Track initiation, the tracker's births: single-point, or two-point from plot buffers.

:class:`Initiation` holds the two-point initiator's plot buffers (one per sensor) and
the pairs waiting for a third plot, and turns a look's free plots into new tentative
tracks (:class:`Births`): single-point (every plot), two-point
(:mod:`iadsim.tracking.two_point`: the pairing gate, the pair states, the hit
histories) or three-point (:mod:`iadsim.tracking.plot_pairs`). A layer's births can be
planned ahead and committed look by look (:mod:`iadsim.tracking.births`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TrackStatus
from iadsim.tracking.births import Planned
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.looks import Observed
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.plot_pairs import Pending, ThirdPlots, new_book, pair_state, three_hit_history
from iadsim.tracking.roles import Confirmer, Initiator
from iadsim.tracking.two_point import TwoPointInitiator

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["Births", "Initiation", "PlotBuffer", "TwoPointInitiator", "pair_state"]


@dataclasses.dataclass(frozen=True)
class Births:
    """New tentative tracks: states ``x`` (k, nx), ``P`` (k, nx, nx), bookkeeping."""

    x: F64
    P: F64
    book: TrackBook

    def take(self, rows: slice) -> Births:
        """The births ``rows``."""
        return Births(self.x[rows], self.P[rows], self.book.select(rows))


class Initiation:
    """The tracker's initiation step and its state (the plot buffers, if two-point).

    Parameters
    ----------
    initiator : a :class:`TwoPointInitiator` (buffered), or any single-point one.
    confirmer : the tracker's confirmer (initial scores and confirmation).
    nx : state dimension.
    """

    def __init__(self, initiator: Initiator, confirmer: Confirmer, nx: int) -> None:
        self.initiator, self.confirmer, self.nx = initiator, confirmer, nx
        self.two_point = initiator if isinstance(initiator, TwoPointInitiator) else None
        self.buffers: dict[tuple[int, bool], PlotBuffer] = {}
        self.pending: dict[tuple[int, bool], Pending] = {}  # pairs waiting for a third plot

    @property
    def n_buffered(self) -> int:
        """Plots waiting in the buffers."""
        return sum(int(np.count_nonzero(~b.spent)) for b in self.buffers.values())

    def births(
        self, raw: Measurements, cart: Measurements, t_s: float, first_id: int, bit: int,
        observed: Observed | None,
    ) -> Births | None:  # fmt: skip
        """Tracks started at ``t_s`` from the plots ``raw`` no track used (``cart``:
        their Cartesian conversions), ids from ``first_id``; a look of sensor ``bit``."""
        ini = self.two_point
        if ini is None:
            if len(raw) == 0:
                return None
            x, P = self.initiator.initial_state(raw, self.nx)
            ids = np.arange(first_id, first_id + len(raw), dtype=np.int64)
            return self._births(x, P, TrackBook.new(ids, t_s, self.confirmer.initial_llr(), bit))
        key = (bit, raw.kind == "polar")
        new = PlotBuffer.of(raw, cart)
        old = self._aged(key, t_s)
        out: list[Births] = []
        t_old, t_new = (None if old is None else old.spent), np.zeros(len(new), bool)
        pend = self.pending.pop(key, None)
        if pend is not None:
            pend = pend.keep(t_s - pend.t2_s <= ini.max_age_s)
            got = ini.third(pend, new, t_s, self.nx)
            if got.rows.shape[0]:  # three-point births; their plots are spent
                out.append(self._third_births(got, pend, t_s, first_id, bit))
                first_id += got.rows.shape[0]
                t_new[got.j] = True
                if old is not None and t_old is not None:
                    t_old = t_old | pend.take(got.rows).plots_in(old.t_s, old.z[:, 0])
            gone = np.concatenate([got.rows, got.dropped])
            pend = pend.keep(np.isin(np.arange(len(pend)), gone, invert=True))
            self._wait(key, self._covered_pairs(pend, observed))
        if old is None or t_old is None:
            self._put(key, self._spent(new, t_new))
            return _joined(out)
        i, j, amb = ini.gate(old, new, (t_old, t_new))
        wait = (
            amb if ini.third_plot == "ambiguous" else np.full(i.shape, ini.third_plot == "always")
        )
        if i.shape[0]:
            x, P, ll = ini.births(old, new, i, j, amb, t_s, self.nx)
            go = ~wait
            if go.any():
                one = amb[go] & (ini.ambiguous_hits == 1)
                out.append(self.pair_births(x[go], P[go], ll[go], old.looks[i[go]], t_s,
                                             first_id, bit, one))  # fmt: skip
            if wait.any():  # their plots stay buffered too
                self._wait(key, Pending.of(old, new, i[wait], j[wait], ll[wait], amb[wait]))
        t_old[i[~wait]] = True
        t_new[j[~wait]] = True
        old = self._covered(self._spent(old, t_old), observed)
        self._put(key, old.concat(self._spent(new, t_new)))
        return _joined(out)

    def commit(self, plan: Planned, first_id: int) -> Births | None:
        """What :meth:`births` does at a look planned ahead (:func:`~iadsim.tracking.
        births.plan_births`): its sensor's buffer and waiting pairs become the plan's,
        its births get ids from ``first_id``."""
        self._put(plan.key, plan.buffer)
        if plan.waiting is not None:  # (replacing the sensor's, as births would leave them)
            self.pending.pop(plan.key, None)
            self._wait(plan.key, plan.waiting)
        if plan.pending is not None:
            self._wait(plan.key, plan.pending)
        born = plan.births
        if born is not None:
            k = born.book.track_id.shape[0]
            born.book.track_id = np.arange(first_id, first_id + k, dtype=np.int64)
        return born

    def waiting_after(
        self, key: tuple[int, bool], new: PlotBuffer, t_s: float, observed: Observed | None
    ) -> Pending | None:
        """The pairs of ``key`` that :meth:`births` leaves waiting after a look at ``t_s``
        with the free plots ``new`` (aged, the look's coverage counted) when none of them
        finds its third plot there; None when one does (or is dropped as a chain).
        Reads only: the tracker's pairs are not changed."""
        ini, pend = self.two_point, self.young_pairs(key, t_s)
        assert ini is not None
        got = ini.third(pend, new, t_s, self.nx)
        if got.rows.shape[0] or got.dropped.shape[0]:
            return None
        return self._covered_pairs(pend, observed)

    def young_pairs(self, key: tuple[int, bool], t_s: float) -> Pending:
        """A copy of the pairs of ``key`` waiting for a third plot that a look at ``t_s``
        still considers (second plot at most ``max_age_s`` old)."""
        ini, pend = self.two_point, self.pending[key]
        assert ini is not None
        return pend.take(t_s - pend.t2_s <= ini.max_age_s)

    def _spent(self, buf: PlotBuffer, used: B) -> PlotBuffer:
        """``buf`` without its plots ``used`` (k,) that started tracks, or (when
        ambiguity counts: ``TwoPointInitiator.marks_spent``) with them marked spent."""
        if not used.any():
            return buf
        if self.two_point is not None and self.two_point.marks_spent:
            buf.spend(used)
            return buf
        return buf.select(~used)

    def miss(self, t_s: float, bit: int, observed: Observed | None) -> None:
        """A look of sensor ``bit`` without plots: its buffered plots age."""
        for key in ((bit, True), (bit, False)):  # (polar plots and Cartesian ones)
            if key in self.buffers:
                old = self._aged(key, t_s)
                if old is not None:
                    self._put(key, self._covered(old, observed))
            if key in self.pending:
                self._wait(key, self._covered_pairs(self.pending.pop(key), observed))

    def _aged(self, key: tuple[int, bool], t_s: float) -> PlotBuffer | None:
        buf = self.buffers.get(key)
        if buf is None or self.two_point is None:
            return None
        old = t_s - buf.t_s > self.two_point.max_age_s
        return buf.select(~old) if np.count_nonzero(old) else buf

    def _covered(self, buf: PlotBuffer, observed: Observed | None) -> PlotBuffer:
        """``buf`` after a look: the plots it covered count it; those out of looks go."""
        if len(buf) == 0 or self.two_point is None:
            return buf
        seen = np.ones(len(buf), bool) if observed is None else np.asarray(observed(buf.pos))
        buf.covered(seen)
        keep = buf.looks < self.two_point.max_looks
        return buf if keep.all() else buf.select(keep)

    def _covered_pairs(self, pend: Pending, observed: Observed | None) -> Pending:
        """``pend`` after a look: the pairs whose second plot it covered count it; those
        out of looks go."""
        if len(pend) == 0 or self.two_point is None:
            return pend
        seen = np.ones(len(pend), bool) if observed is None else np.asarray(observed(pend.p2))
        return self.pairs_after(pend, seen)

    def pairs_after(self, pend: Pending, seen: B) -> Pending:
        """``pend`` after a look that covered the second plots ``seen`` (k,): the pairs
        that waited fewer than ``max_looks`` such looks."""
        if len(pend) == 0 or self.two_point is None:
            return pend
        return pend.covered(seen, self.two_point.max_looks)

    def _wait(self, key: tuple[int, bool], pend: Pending) -> None:
        """Add ``pend`` to the pairs of ``key`` waiting for a third plot."""
        have = self.pending.get(key)
        pend = pend if have is None else Pending.join([have, pend])
        if len(pend):
            self.pending[key] = pend
        else:
            self.pending.pop(key, None)

    def _put(self, key: tuple[int, bool], buf: PlotBuffer) -> None:
        if len(buf):
            self.buffers[key] = buf
        else:
            self.buffers.pop(key, None)

    def pair_births(
        self, x: F64, P: F64, ll: F64, misses: I64, t_s: float | F64, first_id: int,
        bit: int | NDArray[np.uint64], one: B | None = None,
    ) -> Births:  # fmt: skip
        """Births of pairs: hit, ``misses`` (p,) misses, hit (module doc); ``one``
        (p,): the first plot's hit does not count (an ambiguous pair). ``t_s``, ``bit``:
        the look's, or each pair's (p,)."""
        hist = (np.uint64(1) << (misses + 1).astype(np.uint64)) | np.uint64(1)
        if one is not None:
            hist[one] = np.uint64(1)
        return self._births(
            x, P, new_book(self.confirmer, hist, misses + 2, [ll], misses, t_s, first_id, bit)
        )

    def _third_births(
        self, got: ThirdPlots, pend: Pending, t_s: float, first_id: int, bit: int
    ) -> Births:
        """Births of pairs with a third plot: hit, misses, hit, misses, hit; not
        confirmed now if the third plot was ambiguous."""
        r, ini = got.rows, self.two_point
        w, k = pend.waited[r], pend.misses[r]
        one = pend.amb[r] & (ini is not None and ini.ambiguous_hits == 1)
        hist, age = three_hit_history(w, k, ~one)
        hits = [pend.ll2[r], got.ll3]
        book = new_book(self.confirmer, hist, age, hits, w + k, t_s, first_id, bit)
        return self._births(got.x, got.P, book, hold=got.amb)

    def _births(self, x: F64, P: F64, book: TrackBook, hold: B | None = None) -> Births:
        confirm, _ = self.confirmer.decide(book)
        if hold is not None:  # (an ambiguous third plot: confirmed on a later look)
            confirm &= ~hold
        book.status[confirm] = TrackStatus.CONFIRMED
        return Births(x, P, book)


def _joined(out: list[Births]) -> Births | None:
    """One :class:`Births` of the parts ``out`` (None if none)."""
    if len(out) < 2:
        return out[0] if out else None
    a, b = out
    return Births(np.concatenate([a.x, b.x]), np.concatenate([a.P, b.P]),
                  TrackBook.concat(a.book, b.book))  # fmt: skip
