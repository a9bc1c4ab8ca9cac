"""GOSPA and OSPA over time, with the per-time optimal truth-to-track pairs.

At each evaluation time the truth rows and the track rows with that time form
two point sets; :func:`set_metrics_over_time` scores them with GOSPA [RGS17]_
and OSPA [SVV08]_ (one shared assignment, see :mod:`.setdist`) and keeps the
assigned pairs closer than ``c`` (the GOSPA "assigned" set), which the
continuity measures of :mod:`.continuity` then follow over time.

References
----------
.. [SVV08] D. Schuhmacher, B.-T. Vo, B.-N. Vo, IEEE Trans. Signal Processing
   56(8), 3447-3457, 2008.
.. [RGS17] A. S. Rahmathullah, Á. F. García-Fernández, L. Svensson, FUSION 2017.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.analysis.metrics.setdist import _as_points, _check_params, optimal_assignment

__all__ = ["SetMetricsSeries", "group_rows_by_time", "set_metrics_over_time"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _nanmean(a: F64) -> float:
    return float(np.mean(a)) if a.size else float("nan")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SetMetricsSeries:
    """Per-time GOSPA/OSPA (arrays of shape (k,)) and the assigned pairs (shape (j,)).

    ``gospa_m**p == localisation_pow + missed_pow + false_pow`` at each time
    (alpha = 2; NaN decomposition otherwise). ``truth_row``/``track_row`` index
    the input rows of the pairs assigned with distance ``< c``.
    """

    c_m: float
    p: float
    alpha: float
    t_s: F64
    gospa_m: F64
    localisation_pow: F64
    missed_pow: F64
    false_pow: F64
    ospa_m: F64
    n_truth: I64
    n_tracks: I64
    n_assigned: I64
    truth_row: I64
    track_row: I64
    distance_m: F64

    @property
    def gospa_mean_m(self) -> float:
        """Mean of the per-time GOSPA, m (NaN with no times)."""
        return _nanmean(self.gospa_m)

    @property
    def ospa_mean_m(self) -> float:
        """Mean of the per-time OSPA, m (NaN with no times)."""
        return _nanmean(self.ospa_m)

    @property
    def localisation_mean_pow(self) -> float:
        """Mean per-time localisation term, m^p."""
        return _nanmean(self.localisation_pow)

    @property
    def missed_mean_pow(self) -> float:
        """Mean per-time missed-target term, m^p."""
        return _nanmean(self.missed_pow)

    @property
    def false_mean_pow(self) -> float:
        """Mean per-time false-track term, m^p."""
        return _nanmean(self.false_pow)


def group_rows_by_time(t_s: F64, eval_t_s: F64) -> tuple[I64, I64]:
    """Rows of ``t_s`` grouped by the sorted evaluation times ``eval_t_s``.

    Returns ``order`` (row indices sorted by time, stable) and ``bounds``
    (k + 1,) such that rows ``order[bounds[i]:bounds[i + 1]]`` have time
    ``eval_t_s[i]``. Every ``t_s`` value must occur exactly in ``eval_t_s``.
    """
    idx = np.searchsorted(eval_t_s, t_s)
    if t_s.size and (
        eval_t_s.size == 0
        or np.any(idx >= eval_t_s.size)
        or np.any(eval_t_s[np.minimum(idx, eval_t_s.size - 1)] != t_s)
    ):
        raise ValueError("every row time must be one of the evaluation times")
    order = np.argsort(idx, kind="stable").astype(np.int64)
    bounds = np.searchsorted(idx[order], np.arange(eval_t_s.shape[0] + 1)).astype(np.int64)
    return order, bounds


def set_metrics_over_time(
    truth_t_s: ArrayLike,
    truth_pos: ArrayLike,
    track_t_s: ArrayLike,
    track_pos: ArrayLike,
    *,
    c_m: float,
    p: float = 1.0,
    alpha: float = 2.0,
    eval_t_s: ArrayLike | None = None,
) -> SetMetricsSeries:
    r"""GOSPA and OSPA at every evaluation time.

    At each time ``t_k`` with truth set ``X_k`` and track set ``Y_k``:
    ``gospa_m[k] = d_p^{(c, alpha)}(X_k, Y_k)`` ([RGS17]_ Def. 1) and
    ``ospa_m[k] = \bar d_p^{(c)}(X_k, Y_k)`` ([SVV08]_ eq. 3); the means are
    plain averages over the ``k`` times, as in Stone Soup's metric manager.

    Parameters
    ----------
    truth_t_s : array (n,)
        Time of each truth row, s.
    truth_pos : array (n, d)
        True positions, m.
    track_t_s : array (m,)
        Time of each track row, s (matched to the truth times beforehand,
        e.g. with :func:`iadsim.analysis.metrics.align.match_truth_times`).
    track_pos : array (m, d)
        Track positions, m.
    c_m, p, alpha : float
        Cut-off (m), order and GOSPA alpha.
    eval_t_s : array (k,), optional
        Evaluation times; default the sorted union of the row times. Times
        with empty sets score 0. Every row time must be one of them.

    Returns
    -------
    SetMetricsSeries
    """
    _check_params(c_m, p, alpha)
    tt = np.asarray(truth_t_s, dtype=np.float64).reshape(-1)
    kt = np.asarray(track_t_s, dtype=np.float64).reshape(-1)
    x = _as_points(truth_pos, "truth_pos")
    y = _as_points(track_pos, "track_pos")
    if x.shape[0] != tt.shape[0] or y.shape[0] != kt.shape[0]:
        raise ValueError("times and positions must have the same number of rows")
    times = (
        np.unique(np.concatenate([tt, kt]))
        if eval_t_s is None
        else np.unique(np.asarray(eval_t_s, dtype=np.float64))
    )
    t_order, t_bounds = group_rows_by_time(tt, times)
    k_order, k_bounds = group_rows_by_time(kt, times)
    idx, rows_t, rows_k, d_m = _assign_per_time(x, y, t_order, t_bounds, k_order, k_bounds, c_m, p)
    n_t = times.shape[0]
    n = np.diff(t_bounds)
    m = np.diff(k_bounds)
    ok = d_m < c_m
    n_a = np.bincount(idx[ok], minlength=n_t).astype(np.int64)
    capped_pow = np.bincount(idx, weights=np.minimum(d_m, c_m) ** p, minlength=n_t)
    c_p = c_m**p
    gospa_m = (capped_pow + c_p / alpha * np.abs(m - n)) ** (1.0 / p)
    n_max = np.maximum(np.maximum(n, m), 1)
    ospa_m = ((capped_pow + c_p * np.abs(m - n)) / n_max) ** (1.0 / p)
    if alpha == 2.0:
        loc = np.bincount(idx[ok], weights=d_m[ok] ** p, minlength=n_t)
        miss, false = c_p / 2.0 * (n - n_a), c_p / 2.0 * (m - n_a)
    else:
        loc = miss = false = np.full(n_t, np.nan)
    return SetMetricsSeries(
        c_m=float(c_m),
        p=float(p),
        alpha=float(alpha),
        t_s=times,
        gospa_m=gospa_m,
        localisation_pow=np.asarray(loc, dtype=np.float64),
        missed_pow=np.asarray(miss, dtype=np.float64),
        false_pow=np.asarray(false, dtype=np.float64),
        ospa_m=ospa_m,
        n_truth=n.astype(np.int64),
        n_tracks=m.astype(np.int64),
        n_assigned=n_a,
        truth_row=rows_t[ok],
        track_row=rows_k[ok],
        distance_m=d_m[ok],
    )


def _assign_per_time(
    x: F64,
    y: F64,
    t_order: I64,
    t_bounds: I64,
    k_order: I64,
    k_bounds: I64,
    c_m: float,
    p: float,
) -> tuple[I64, I64, I64, F64]:
    """Optimal assignment at each time: (time index, truth row, track row, distance m).

    All ``min(n_k, m_k)`` pairs per time are returned, including those at or
    beyond the cut-off. The loop runs over times (one assignment problem each).
    """
    idx: list[I64] = [np.zeros(0, np.int64)]
    rows_t: list[I64] = [np.zeros(0, np.int64)]
    rows_k: list[I64] = [np.zeros(0, np.int64)]
    dist: list[F64] = [np.zeros(0)]
    for i in range(t_bounds.shape[0] - 1):
        rt = t_order[t_bounds[i] : t_bounds[i + 1]]
        rk = k_order[k_bounds[i] : k_bounds[i + 1]]
        if rt.size == 0 or rk.size == 0:
            continue
        a, b, d_m = optimal_assignment(x[rt], y[rk], c_m=c_m, p=p)
        idx.append(np.full(a.size, i, dtype=np.int64))
        rows_t.append(rt[a])
        rows_k.append(rk[b])
        dist.append(d_m)
    return np.concatenate(idx), np.concatenate(rows_t), np.concatenate(rows_k), np.concatenate(dist)
