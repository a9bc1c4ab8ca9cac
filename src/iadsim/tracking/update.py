"""The tracker's gating, association and filter update of the tracks a look concerns.

:func:`associate_look` gates a look's plots with the tracks it concerns, associates
track classes in order of precedence (firm tracks first, then tentative ones with
the plots left) and updates them.

:func:`update_associated` applies the associators' choices (one :class:`~iadsim.
tracking.association.Chosen` per track class, in order of precedence) to the filter bank
in one filter call: the pairs grouped by track, each track updated with its pairs and
their weights, which row-wise kernels make the same as updating each class alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.association import Associator, Chosen, associate_class, dense_unique
from iadsim.tracking.gating import Gate, GatedPairs
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import Filter, FilterState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["associate_look", "update_associated"]


def update_associated(
    filt: Filter, bank: FilterState, look: I64, gp: GatedPairs, meas: Measurements,
    chosen: list[Chosen], ll_hit: F64,
) -> tuple[I64, F64]:  # fmt: skip
    """Update the rows of ``bank`` some class of ``chosen`` associated, in place.

    ``look`` (r,): the bank rows of ``gp.ti`` (increasing); ``ll_hit`` (n,) gets each
    updated row's largest pair log-likelihood (in place). Returns the updated bank rows
    (increasing) and, per row, the time of its likeliest plot (largest association
    weight; its own time in a sector look).
    """
    pair = np.concatenate([c.pair for c in chosen])  # rows into gp
    beta = np.concatenate([c.beta for c in chosen])
    trow = gp.ti[pair]
    order = np.argsort(trow, kind="stable")  # pairs grouped by track, order kept
    pair, beta, trow = pair[order], beta[order], trow[order]
    upd, inv = dense_unique(trow)
    rows = np.concatenate([c.rows for c in chosen])
    by_row = np.argsort(rows)  # rows are distinct across classes: aligns with upd
    beta0 = np.concatenate([c.beta0 for c in chosen])[by_row]
    b = np.concatenate([c.b for c in chosen])[by_row]
    upd = look[upd]
    pm = meas.select(gp.di[pair])
    if gp.unseen_s is not None:  # the pairs' noise their plots cannot see (gating's)
        pm = dataclasses.replace(pm, unseen_s=gp.unseen_s[pair])
    new, ll = filt.update(bank.take(upd), pm, inv, beta, beta0, b, inn=gp.inn.select(pair))
    bank.put(upd, new)
    by_track = np.lexsort((beta, inv))  # pairs by track, the likeliest plot last
    di = gp.di[pair[by_track[np.r_[inv[by_track][1:] != inv[by_track][:-1], True]]]]
    np.maximum.at(ll_hit, look[trow], ll)
    return upd, meas.t_s[di] + (0.0 if meas.dt_s is None else meas.dt_s[di])


def associate_look(
    filt: Filter, gate: Gate, associator: Associator, bank: FilterState, rows: I64,
    classes: list[NDArray[np.bool_]], dt: F64, meas: Measurements, cart: Measurements,
    ll_hit: F64, used: NDArray[np.bool_],
) -> tuple[I64, F64, GatedPairs] | None:  # fmt: skip
    """Gate the look's plots ``meas`` (``cart``: their Cartesian conversion; ``used``
    (m,) marks those taken, in place) with the tracks ``rows`` (r,) of ``bank``, at the
    look time (``dt`` (r,) since their previous times), associate the track ``classes``
    (masks over ``rows`` in order of precedence: firm, then tentative tracks,
    :class:`~iadsim.tracking.precedence.Precedence`), each with the plots the classes
    before it left, and update them in place (:func:`update_associated`). Returns the
    updated rows, their plot times and the gated pairs; None if no track was updated."""
    if not used.shape[0]:
        return None
    x, P = bank.x[rows], bank.P[rows]
    ti, di = gate.candidates(filt, x, P, meas, cart=cart)  # local track rows
    if not ti.shape[0]:
        return None  # (most looks: no plot near a track)
    gp = gate.gated(filt, x, P, meas, ti, di, since_s=dt)
    if not gp.ti.shape[0]:
        return None  # no plot in any gate
    picks = [associate_class(associator, gate, gp, c, used) for c in classes]
    chosen = [c for c in picks if c is not None]  # none if no plot is in any gate
    if not chosen:
        return None
    upd, hit_t = update_associated(filt, bank, rows, gp, meas, chosen, ll_hit)
    return upd, hit_t, gp
