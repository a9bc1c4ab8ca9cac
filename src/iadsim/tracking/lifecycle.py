"""The tracker's management step after a look: record hits and misses, confirm, delete.

:func:`manage` is what :class:`~iadsim.tracking.tracker.Tracker` does with the
outcome of a look (or of a look without plots): the ``seen`` tracks (those the look's
sensor holds and covers) get a hit or a miss (charged to that sensor), and so does a
firm track a plot of another sensor updated (its time of last hit and miss count move
with every update); the confirmer decides which tentative tracks
are confirmed or dropped, firm tracks become confirmed (hit) or coasting (seen, not
hit), and the deleter's rule (misses, coasting time, position spread, duplicates)
removes tracks from the store. A tentative track's confirmation history counts the
looks of the sensors that hold it: another sensor's first plot of it updates its state
and enrols that sensor (whose looks count from then on), but is not counted itself.
Counting it confirmed more tracks per aircraft in the default preset's F-16 four-ship
(1.12 -> 1.19 on seeds 1-8, 1.25 -> 1.38 on seeds 9-16,
``bench/formation_consistency.py``, 2026-12-06). The rules are the parts' own
(:class:`~iadsim.tracking.roles.Confirmer`, :class:`~iadsim.tracking.roles.TrackDeleter`);
this module only applies them to the store's live rows in place.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TrackStatus
from iadsim.numeric import sorted_position
from iadsim.tracking.management import TrackBook
from iadsim.tracking.roles import Confirmer, TrackDeleter
from iadsim.tracking.rows import TrackRows
from iadsim.tracking.store import TrackStore

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

__all__ = ["Managed", "manage", "mark_news"]


@dataclasses.dataclass(frozen=True)
class Managed:
    """What a management step did: ``confirmed`` tentative tracks confirmed now, and
    the rows of the tracks it deleted (``gone``, None if none)."""

    confirmed: int
    gone: TrackRows | None


def manage(
    store: TrackStore, confirmer: Confirmer, deleter: TrackDeleter, ndim: int, t: float,
    seen: B, hit: B, ll: F64, sensor: int | None = None, hold: B | None = None,
) -> Managed:  # fmt: skip
    """Record the look at ``t`` in the live rows of ``store`` (n,): a hit (``hit``, with
    its log-likelihood ``ll``) or a miss of the ``seen`` rows, and the hits of firm rows
    not seen (another sensor's plot; module doc), read and written by index (a look
    charges a few of the live tracks), charged to ``sensor`` (None: one common column);
    confirm (not the ``hold`` rows: a tentative track's ambiguous hit
    counts, but it is confirmed on its next look) and delete. ``ndim``: position axes.
    """
    if store.n == 0:
        return Managed(0, None)
    if sensor is not None:  # its miss column exists (the book's arrays are views)
        store.widen(sensor + 1)
    book, bank = store.book, store.bank
    if not (seen.any() or hit.any()):  # most looks: no track seen nor hit
        return _unseen(store, confirmer, deleter, ndim, t)
    # a firm track's hit is recorded whichever sensor scored it; a tentative track's
    # history counts the looks of the sensors that hold it (module doc)
    s = (seen | (hit & (book.status != TrackStatus.TENTATIVE))).nonzero()[0]
    if s.shape[0]:
        book.record(s, hit[s], t, confirmer.delta_llr(hit[s], ll[s]), sensor)
    tent = book.status == TrackStatus.TENTATIVE
    confirm, drop = confirmer.decide(book)
    confirm &= seen | hit | ~tent  # on a look that saw it (its status changes now)
    if hold is not None:  # not on an ambiguous hit (nor dropped): on its next look
        confirm &= ~hold
    newly = tent & confirm
    est = ~tent | newly
    book.status[est & seen & ~hit] = TrackStatus.COASTING
    book.status[est & hit] = TrackStatus.CONFIRMED
    kill = (tent & drop & ~confirm) | deleter.delete(  # x: states at t after an update
        book, bank.P, ndim, t, bank.x if hit.any() else None
    )
    return Managed(int(newly.sum()), _remove(store, kill, t))


def _unseen(
    store: TrackStore, confirmer: Confirmer, deleter: TrackDeleter, ndim: int, t: float
) -> Managed:
    """:func:`manage` of a look that saw and hit no track: nothing is recorded, no
    status changes and none is confirmed (a tentative track is confirmed on a look that
    sees it); the tentative tracks the confirmer drops and those the deleter's rule
    removes at ``t`` go (the same masks as the full step, without its no-op terms)."""
    book, bank = store.book, store.bank
    _, drop = confirmer.decide(book)
    kill = ((book.status == TrackStatus.TENTATIVE) & drop) | deleter.delete(
        book, bank.P, ndim, t, None
    )
    return Managed(0, _remove(store, kill, t))


def _remove(store: TrackStore, kill: B, t: float) -> TrackRows | None:
    """Remove the ``kill`` rows from ``store``; their rows as deleted at ``t`` (None if none)."""
    if not kill.any():
        return None
    book, bank = store.book, store.bank
    k = int(kill.sum())
    status = np.full(k, TrackStatus.DELETED, np.int8)
    gone = TrackRows(
        bank.x[kill], bank.P[kill], book.track_id[kill], status, np.zeros(k), np.full(k, t)
    )
    store.remove(kill)
    return gone


def mark_news(book: TrackBook, touched: list[NDArray[np.int64]]) -> B:
    """(n,) the live rows of ``book`` that carry news, now marked as reported: their
    status changed since last marked, or their id is one of ``touched`` (tracks updated
    or started; ids are issued and kept in increasing order)."""
    news = book.status != book.reported
    if touched and news.shape[0]:
        at = sorted_position(book.track_id, np.concatenate(touched))
        news[at[at >= 0]] = True
    book.reported[news] = book.status[news]
    return news
