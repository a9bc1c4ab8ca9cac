"""Looks of a sensor as the tracker sees them: coverage predicates and time groups.

``visible_from`` builds the ``observed`` predicate :meth:`Tracker.step
<iadsim.tracking.tracker.Tracker.step>` takes (which tracks a look could have
detected, so only those are charged a miss); ``time_groups`` splits a batch of
detections into the groups of equal time the tracker processes one by one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.roles import Filter, FilterState

F64 = NDArray[np.float64]
Observed = Callable[[F64], NDArray[np.bool_]]

__all__ = ["Observed", "predicted", "time_groups", "visible_from"]


def visible_from(
    sensor_m: F64,
    *,
    max_range_m: float,
    az_min_rad: float | None = None,
    az_max_rad: float | None = None,
) -> Observed:
    """An ``observed`` predicate for :meth:`Tracker.step`: tracks within ``max_range_m``
    of ``sensor_m`` (3,) and, if given, inside the azimuth sector [az_min, az_max]
    (clockwise from north, wrapping through north allowed)."""
    s = np.asarray(sensor_m, dtype=float)

    def observed(pos: F64) -> NDArray[np.bool_]:
        d = pos.shape[1]
        rel = pos - s[:d]
        sq = rel[:, 0] * rel[:, 0] + rel[:, 1] * rel[:, 1]  # |rel|^2 in the norm's order
        if d == 3:
            sq += rel[:, 2] * rel[:, 2]
        ok = np.sqrt(sq) <= max_range_m
        if az_min_rad is not None and az_max_rad is not None:
            az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
            lo, hi = az_min_rad % (2 * np.pi), az_max_rad % (2 * np.pi)
            ok &= ((az >= lo) & (az <= hi)) if lo <= hi else ((az >= lo) | (az <= hi))
        return np.asarray(ok)

    return observed


def time_groups(t_s: F64, flag: NDArray[np.bool_]) -> list[NDArray[np.int64]]:
    """Row indices grouped by (time, flag), in time order (stable)."""
    n = t_s.shape[0]
    if n == 0:
        return []
    if np.all(t_s == t_s[0]) and (np.all(flag) or not np.any(flag)):
        return [np.arange(n, dtype=np.int64)]  # one dwell: a single group in input order
    order = np.lexsort((flag, t_s))
    ts, fl = t_s[order], flag[order]
    cut = ((np.diff(ts) != 0) | (np.diff(fl.astype(np.int8)) != 0)).nonzero()[0] + 1
    return np.split(order.astype(np.int64), cut)


def predicted(filt: Filter, bank: FilterState, dt: F64, *, in_place: bool) -> FilterState:
    """``bank`` with the rows of ``dt > 0`` predicted ``dt`` ahead (others as they are).

    All rows moving (the usual case) give the filter's new arrays directly;
    otherwise the moved rows are written into ``bank`` (``in_place``) or a copy.
    """
    mov = dt > 0
    if mov.all():
        return filt.predict(bank, dt)
    if mov.any():
        if not in_place:
            bank = bank.copy()
        bank.put(mov, filt.predict(bank.take(mov), dt[mov]))
    return bank
