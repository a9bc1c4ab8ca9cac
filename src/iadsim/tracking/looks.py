"""Looks of a sensor as the tracker sees them: coverage predicates and time groups.

``visible_from`` builds the ``observed`` predicate :meth:`Tracker.step
<iadsim.tracking.tracker.Tracker.step>` takes (which tracks a look could have
detected, so only those are charged a miss); ``time_groups`` splits a batch of
detections into the groups of equal time the tracker processes one by one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections
from iadsim.numeric import norm_m
from iadsim.tracking.filters import trace_of_block
from iadsim.tracking.gating import near_plots, offset_pregate
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import Filter, FilterState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Observed = Callable[[F64], NDArray[np.bool_]]

__all__ = [
    "Observed",
    "VisibleFrom",
    "covered",
    "look_rows",
    "look_seen",
    "plot_groups",
    "predicted",
    "time_groups",
    "valid_plots",
    "valid_rows",
    "visible_from",
]


@dataclasses.dataclass(frozen=True, eq=False)
class VisibleFrom:
    """The ``observed`` predicate of :func:`visible_from`: positions (n, d) -> bool
    (n,), those within ``max_range_m`` of ``sensor_m`` (3,) and, if ``az_lo_rad`` and
    ``az_hi_rad`` are given (in [0, 2 pi); ``lo > hi``: the sector wraps through north),
    inside that azimuth sector. Its numbers are exposed so that :func:`covered` can
    evaluate the predicates of many looks in one array computation."""

    sensor_m: F64
    max_range_m: float
    az_lo_rad: float | None = None
    az_hi_rad: float | None = None

    @functools.cached_property
    def numbers(self) -> tuple[float, ...]:
        """(sensor e, n, u, max range, az lo, az hi) (NaN: no azimuth limits)."""
        lo, hi = self.az_lo_rad, self.az_hi_rad
        nan = float("nan")
        return (*map(float, self.sensor_m[:3]), float(self.max_range_m),
                nan if lo is None or hi is None else float(lo),
                nan if lo is None or hi is None else float(hi))  # fmt: skip

    def __call__(self, pos: F64) -> NDArray[np.bool_]:
        """(n,) whether each position of ``pos`` (n, d) is covered (class doc)."""
        rel = pos - self.sensor_m[: pos.shape[1]]
        ok = _within(rel, self.max_range_m)
        lo, hi = self.az_lo_rad, self.az_hi_rad
        if lo is not None and hi is not None:
            ok &= _in_sector(rel, lo, hi)
        return ok


def _within(rel: F64, max_range_m: F64 | float) -> NDArray[np.bool_]:
    """(n,) offsets ``rel`` (n, d) no longer than ``max_range_m`` (scalar or (n,))."""
    return np.asarray(norm_m(rel) <= max_range_m)


def _in_sector(rel: F64, lo: F64 | float, hi: F64 | float) -> NDArray[np.bool_]:
    """(n,) offsets ``rel`` (n, d) whose azimuth (clockwise from north, in [0, 2 pi)) is
    in [lo, hi], or, where ``lo > hi``, in the sector wrapping through north."""
    az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    return np.asarray(np.where(lo <= hi, (az >= lo) & (az <= hi), (az >= lo) | (az <= hi)))


def visible_from(
    sensor_m: F64,
    *,
    max_range_m: float,
    az_min_rad: float | None = None,
    az_max_rad: float | None = None,
) -> Observed:
    """An ``observed`` predicate for :meth:`Tracker.step`: tracks within ``max_range_m``
    of ``sensor_m`` (3,) and, if given, inside the azimuth sector [az_min, az_max]
    (clockwise from north, wrapping through north allowed); a :class:`VisibleFrom`."""
    s = np.asarray(sensor_m, dtype=float)
    if az_min_rad is None or az_max_rad is None:
        return VisibleFrom(s, max_range_m)
    return VisibleFrom(s, max_range_m, az_min_rad % (2 * np.pi), az_max_rad % (2 * np.pi))


def covered(observed: Sequence[Observed | None], look: I64, pos: F64) -> NDArray[np.bool_]:
    """(m,) ``observed[look[i]](pos[i])`` for every row ``i`` of ``pos`` (m, d) (True
    where the look's predicate is None): the rows of :class:`VisibleFrom` predicates in
    one computation, the same operations row by row (each row with its look's
    numbers), any other predicate called once on its look's rows."""
    out = np.ones(look.shape[0], bool)
    if look.shape[0] == 0:
        return out
    none: tuple[float, ...] = (np.nan,) * 6
    numbers = [none] * len(observed)  # (each look's sensor e, n, u, range, lo, hi)
    sector = [False] * len(observed)
    for k, obs in enumerate(observed):
        if isinstance(obs, VisibleFrom):
            numbers[k], sector[k] = obs.numbers, True
        elif obs is not None:  # (another predicate: its own call)
            at = (look == k).nonzero()[0]
            if at.shape[0]:
                out[at] = np.asarray(obs(pos[at]))
    rows = np.array(sector, dtype=bool)[look].nonzero()[0]
    if rows.shape[0] == 0:
        return out
    table = np.array(numbers, dtype=float)  # (K, 6)
    s_m, r_max, lo, hi = table[:, :3], table[:, 3], table[:, 4], table[:, 5]
    lk, p = look[rows], pos[rows]
    rel = p - s_m[lk, : p.shape[1]]
    ok = _within(rel, r_max[lk])
    a = (~np.isnan(lo[lk])).nonzero()[0]
    if a.shape[0]:
        ok[a] &= _in_sector(rel[a], lo[lk[a]], hi[lk[a]])
    out[rows] = ok
    return out


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


def valid_plots(det: Detections) -> Detections:
    """The rows of ``det`` a tracker can use: finite time, range, azimuth and elevation,
    positive range and azimuth sigmas (``det`` itself if all are)."""
    ok = valid_rows(det)
    return det if ok.all() else det.select(ok)


def valid_rows(det: Detections) -> NDArray[np.bool_]:
    """(n,) the rows of ``det`` :func:`valid_plots` keeps."""
    ok = np.isfinite(det.t_s) & np.isfinite(det.range_m) & np.isfinite(det.az_rad)
    ok &= np.isfinite(det.el_rad) & (det.sigma_range_m > 0) & (det.sigma_az_rad > 0)
    return np.asarray(ok)


def plot_groups(
    det: Detections, t_ref_s: float | None, use_rdot: bool
) -> list[NDArray[np.int64] | None]:
    """Rows of ``det`` in the groups of equal time (and use of radial velocity) a tracker
    processes one by one (:func:`time_groups`); ``t_ref_s``: one look at that time
    (sector looks: plot times are offsets). None stands for all rows, in input order."""
    n = len(det)
    if t_ref_s is not None and not use_rdot:
        return [None] if n else []  # the look, one group
    rd = np.isfinite(det.sigma_rdot_mps) & np.isfinite(det.rdot_mps) & use_rdot
    groups = time_groups(det.t_s if t_ref_s is None else np.full(n, t_ref_s), rd)
    return [None if idx.shape[0] == n else idx for idx in groups]


def predicted(filt: Filter, bank: FilterState, dt: F64, *, in_place: bool) -> FilterState:
    """``bank`` with the rows of ``dt > 0`` predicted ``dt`` ahead (others as they are).

    The moved rows are written into ``bank`` itself (``in_place``: its arrays may be
    views of the tracker's store) or into a copy; all rows moving and not
    ``in_place``, the filter's new arrays are returned directly.
    """
    mov = dt > 0
    if mov.all():
        new = filt.predict(bank, dt)
        if not in_place:
            return new
        bank.put(slice(None), new)
        return bank
    if mov.any():
        if not in_place:
            bank = bank.copy()
        bank.put(mov, filt.predict(bank.take(mov), dt[mov]))
    return bank


def look_rows(
    bank: FilterState, dt_s: F64, d: int, *, held: NDArray[np.bool_],
    observed: Observed | None, plots: Measurements | None = None, scale: float = 0.0,
) -> NDArray[np.bool_]:  # fmt: skip
    """The tracks (n,) a look concerns, found without predicting any: those ``held`` by
    its sensor that it may observe, and those that may gate with one of its plots.

    Each track's position is extrapolated ``dt_s`` (n,) ahead at its estimated velocity
    (the prediction of a constant-velocity model; ``d`` position axes): a held track
    counts if ``observed`` (None: everywhere) holds there, any track if it is within
    the pre-gate reach ``scale sqrt(v + tr R)`` of one of the ``plots``
    (Cartesian: :func:`~iadsim.tracking.measurements.standard_conversion`;
    :func:`iadsim.tracking.gating.near_plots`), with ``v`` a bound of its predicted
    position variance, ``2 (tr P_pos + dt^2 tr P_vel)``; plots with time offsets
    (sector looks) are compared with the track over their offsets
    (:func:`~iadsim.tracking.measurements.offset_pregate`). Tracks elsewhere are not
    predicted, gated or charged a miss by the look, so its cost grows with the tracks
    in its wedge and around its plots, not with all tracks.
    """
    x, P = bank.x, bank.P
    out = held.copy()
    rows = out.nonzero()[0]
    if observed is not None and rows.shape[0]:
        out[rows] = np.asarray(observed(x[rows, :d] + x[rows, d : 2 * d] * dt_s[rows, None]))
    if plots is not None and len(plots) and plots.dt_s is not None:
        r_var = trace_of_block(plots.R, d)
        at, var = offset_pregate(x, P, d, plots.dt_s, dt_s, float(r_var.max()), scale)
        out |= near_plots(at, var, plots.z[:, :d], r_var, scale)
    elif plots is not None and len(plots):
        pos = x[:, :d] + x[:, d : 2 * d] * dt_s[:, None]
        var = 2.0 * (trace_of_block(P, d) + dt_s * dt_s * trace_of_block(P, d, d))
        out |= near_plots(pos, var, plots.z[:, :d], trace_of_block(plots.R, d), scale)
    return out


def look_seen(
    filt: Filter, bank: FilterState, dt_s: F64, *, held: NDArray[np.bool_], observed: Observed
) -> NDArray[np.bool_]:
    """The ``held`` tracks (n,) a look without plots observes, ``dt_s`` (n,) after
    their own times: those :func:`look_rows` finds, predicted (on a copy: the bank is
    not changed) and observed there."""
    d = filt.ndim
    dt = np.maximum(dt_s, 0.0)
    seen = look_rows(bank, dt, d, held=held, observed=observed)
    rows = seen.nonzero()[0]  # predict only the tracks this look could charge
    x = predicted(filt, bank.take(rows), dt[rows], in_place=True).x
    seen[rows] = np.asarray(observed(x[:, :d]))
    return seen
