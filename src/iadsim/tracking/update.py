"""The tracker's filter update of the tracks a look associated.

:func:`update_associated` applies the associators' choices (one :class:`~iadsim.
tracking.association.Chosen` per track class, firm then tentative) to the filter bank
in one filter call: the pairs grouped by track, each track updated with its pairs and
their weights, which row-wise kernels make the same as updating each class alone.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.association import Chosen, dense_unique
from iadsim.tracking.gating import GatedPairs
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import Filter, FilterState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["update_associated"]


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
