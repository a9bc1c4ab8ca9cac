"""One call to score tracks against truth: GOSPA/OSPA series, continuity, RMSE.

:func:`score` takes plain arrays already on common evaluation times;
:func:`score_frames` takes :class:`iadsim.frames.Truth` and
:class:`iadsim.frames.Tracks`, matches truth to the track times
(:func:`.align.match_truth_times`), keeps live targets and, by default, only
confirmed (including coasting) tracks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.analysis.metrics.align import evaluation_times, interpolate_truth, match_truth_times
from iadsim.analysis.metrics.continuity import ContinuityResult, pair_rmse, track_continuity
from iadsim.analysis.metrics.coverage import CoverageWindows
from iadsim.analysis.metrics.series import SetMetricsSeries, set_metrics_over_time
from iadsim.errors import NumericalError
from iadsim.frames import Tracks, TrackStatus, Truth

__all__ = ["CONFIRMED_STATUSES", "Score", "check_metric_params", "score", "score_frames"]

#: ``c^p`` (and sums of up to ~10^6 such terms) must stay a normal float64:
#: ``|p log10(c)|`` below this, so neither overflows nor underflows to 0
MAX_POW_DIGITS = 290.0


def check_metric_params(c_m: float, p: float, alpha: float) -> None:
    """Refuse GOSPA/OSPA parameters whose powers leave the float64 range.

    Raises
    ------
    NumericalError
        ``c_m`` not finite and > 0, ``p`` not finite and >= 1, ``alpha`` not in
        (0, 2], or ``|p log10(c_m)|`` or ``log10(c^p / alpha)`` not below
        ``MAX_POW_DIGITS`` (``c^p`` would overflow to inf or underflow to 0 and
        the metric would be meaningless).
    """
    if not (math.isfinite(c_m) and c_m > 0):
        raise NumericalError(f"c_m: must be finite and > 0 (got {c_m})")
    if not (math.isfinite(p) and p >= 1):
        raise NumericalError(f"p: must be finite and >= 1 (got {p})")
    if not 0 < alpha <= 2:
        raise NumericalError(f"alpha: must be in (0, 2] (got {alpha})")
    if not abs(p * math.log10(c_m)) < MAX_POW_DIGITS:
        raise NumericalError(
            f"p: c^p = {c_m:g}^{p:g} leaves the float64 range "
            f"(|p log10(c)| = {abs(p * math.log10(c_m)):.3g}; must be < {MAX_POW_DIGITS:g}): "
            "use a smaller p or a cut-off nearer 1"
        )
    if not p * math.log10(c_m) - math.log10(alpha) < MAX_POW_DIGITS:
        raise NumericalError(
            f"alpha: c^p / alpha = {c_m:g}^{p:g} / {alpha:g} overflows float64: use a larger alpha"
        )


CONFIRMED_STATUSES: tuple[int, ...] = (TrackStatus.CONFIRMED, TrackStatus.COASTING)
"""Statuses scored by default: confirmed tracks, updated or coasting."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Score:
    """Everything the ``score`` command reports."""

    series: SetMetricsSeries
    continuity: ContinuityResult
    pos_rmse_m: float
    vel_rmse_mps: float
    n_times_dropped: int = 0
    """Evaluation (track) times dropped for lack of a truth sample within tolerance."""
    pos_nees_mean: float = float("nan")
    """Mean position NEES over assigned pairs from the track variance diagonals
    (:func:`score_frames` only; NaN if the variances are unknown). Compare with
    ``chi2_bounds(d, n_pairs)``; pairs are correlated in time, so the bounds
    are indicative only."""
    n_pairs: int = 0
    """Number of assigned (truth, track) pairs."""
    n_dim: int = 0
    """Spatial dimension scored (columns of the position arrays)."""
    truth_pos_rmse_m: NDArray[np.float64] = dataclasses.field(default_factory=lambda: np.zeros(0))
    """Position RMSE of each truth's assigned pairs, m, aligned with
    ``continuity.truth_id`` (NaN for a truth never assigned)."""
    windowed: bool = False
    """Continuity figures are over each truth's coverage window (``truth_window``),
    not its whole life."""
    pair_truth_id: NDArray[np.int64] = dataclasses.field(
        default_factory=lambda: np.zeros(0, np.int64)
    )
    """Target id of each assigned pair (``series.truth_row`` indexes the scored truth
    rows, which :func:`score_frames` interpolates: not the caller's rows)."""
    pair_t_s: NDArray[np.float64] = dataclasses.field(default_factory=lambda: np.zeros(0))
    """Time of each assigned pair, s."""
    pair_pos_err_m: NDArray[np.float64] = dataclasses.field(default_factory=lambda: np.zeros(0))
    """Position error of each assigned pair (Euclidean, ``n_dim`` axes), m: the pairs
    ``pos_rmse_m`` is over, for RMSEs of any subset (a threat class)."""


def score(
    truth_t_s: ArrayLike,
    truth_id: ArrayLike,
    truth_pos: ArrayLike,
    track_t_s: ArrayLike,
    track_id: ArrayLike,
    track_pos: ArrayLike,
    *,
    c_m: float,
    p: float = 1.0,
    alpha: float = 2.0,
    truth_vel: ArrayLike | None = None,
    track_vel: ArrayLike | None = None,
    eval_t_s: ArrayLike | None = None,
    truth_first_t_s: ArrayLike | None = None,
    truth_window: ArrayLike | None = None,
) -> Score:
    """GOSPA/OSPA over time, continuity and RMSE of the assigned pairs.

    Parameters
    ----------
    truth_t_s, truth_id : arrays (n,)
        Truth rows: time (s, on the evaluation times) and target id.
    truth_pos : array (n, d)
        True positions, m.
    track_t_s, track_id : arrays (m,)
        Track rows: time (s) and track id.
    track_pos : array (m, d)
        Track positions, m.
    c_m, p, alpha : float
        GOSPA/OSPA cut-off (m), order, GOSPA alpha; the same cut-off gates the
        continuity assignment.
    truth_vel, track_vel : arrays (n, d), (m, d), optional
        Velocities, m/s, for the velocity RMSE (NaN if not given).
    eval_t_s : array (k,), optional
        Evaluation times (default: union of the row times).
    truth_first_t_s : array (n,), optional
        First time of each truth row's target (see :func:`.track_continuity`).
    truth_window : bool array (n,), optional
        Truth rows inside their target's coverage window (e.g. from its first to
        its last plot, :func:`coverage_windows`): continuity, coverage, ID switches
        and time to track count those rows only (a target the sensors could not see
        is not a tracking failure); GOSPA and RMSE use every row.

    Returns
    -------
    Score

    Raises
    ------
    NumericalError
        Parameters out of range (:func:`check_metric_params`).
    """
    check_metric_params(c_m, p, alpha)
    series = set_metrics_over_time(
        truth_t_s, truth_pos, track_t_s, track_pos, c_m=c_m, p=p, alpha=alpha, eval_t_s=eval_t_s
    )
    t_rows, t_ids = np.asarray(truth_t_s, dtype=np.float64), np.asarray(truth_id, dtype=np.int64)
    pair_t, pair_k = series.truth_row, series.track_row
    first = truth_first_t_s
    if truth_window is not None:  # continuity inside each target's coverage window
        inside = np.asarray(truth_window, dtype=bool).reshape(-1)
        new_row = np.cumsum(inside) - 1
        keep = inside[pair_t]
        pair_t, pair_k = new_row[pair_t[keep]], pair_k[keep]
        t_rows, t_ids = t_rows[inside], t_ids[inside]
        first = None  # the window starts at the first row kept
    cont = track_continuity(
        t_rows, t_ids, track_t_s, track_id, pair_t, pair_k, truth_first_t_s=first
    )
    vel_rmse = (
        pair_rmse(truth_vel, track_vel, series.truth_row, series.track_row)
        if truth_vel is not None and track_vel is not None
        else float("nan")
    )
    return Score(
        series=series,
        continuity=cont,
        truth_pos_rmse_m=_rmse_by_truth(truth_id, truth_pos, track_pos, series, cont.truth_id),
        windowed=truth_window is not None,
        pair_truth_id=np.asarray(truth_id, dtype=np.int64).reshape(-1)[series.truth_row],
        pair_t_s=np.asarray(truth_t_s, dtype=np.float64).reshape(-1)[series.truth_row],
        pair_pos_err_m=np.linalg.norm(
            np.asarray(truth_pos, dtype=np.float64)[series.truth_row]
            - np.asarray(track_pos, dtype=np.float64)[series.track_row],
            axis=-1,
        ),
        n_pairs=int(series.truth_row.size),
        n_dim=int(np.asarray(truth_pos, dtype=np.float64).shape[-1]),
        pos_rmse_m=pair_rmse(truth_pos, track_pos, series.truth_row, series.track_row),
        vel_rmse_mps=vel_rmse,
    )


def _rmse_by_truth(
    truth_id: ArrayLike, truth_pos: ArrayLike, track_pos: ArrayLike,
    series: SetMetricsSeries, ids: NDArray[np.int64],
) -> NDArray[np.float64]:  # fmt: skip
    """Position RMSE of the assigned pairs of each truth id in ``ids`` (NaN if none), m."""
    tid = np.asarray(truth_id, dtype=np.int64).reshape(-1)[series.truth_row]
    err = (
        np.asarray(truth_pos, dtype=np.float64)[series.truth_row]
        - np.asarray(track_pos, dtype=np.float64)[series.track_row]
    )
    j = np.clip(np.searchsorted(ids, tid), 0, max(ids.size - 1, 0))
    ok = ids[j] == tid if ids.size else np.zeros(tid.shape, dtype=bool)
    sq = np.bincount(j[ok], weights=np.sum(err[ok] ** 2, axis=-1), minlength=ids.size)
    n = np.bincount(j[ok], minlength=ids.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.sqrt(sq / np.maximum(n, 1)), np.nan)


def _truth_at(
    truth: Truth, eval_t: NDArray[np.float64], n_dim: int, time_match: str, tol_s: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Truth (ids, times, [pos | vel] values) at the evaluation times, and the kept times."""
    values = np.hstack([truth.pos_m()[:, :n_dim], truth.vel_mps()[:, :n_dim]])
    if time_match == "interpolate":
        return interpolate_truth(
            truth.t_s, truth.threat_id, values, eval_t, alive=truth.alive, tol_s=tol_s
        )
    if time_match == "nearest":
        row, row_t, kept = match_truth_times(truth.t_s, eval_t, tol_s=tol_s, truth_keep=truth.alive)
        return truth.threat_id[row], row_t, values[row], kept
    raise ValueError(f"time_match must be 'interpolate' or 'nearest' (got {time_match!r})")


def _first_alive_t_s(truth: Truth, ids: NDArray[np.int64]) -> NDArray[np.float64]:
    """First live truth time of each id in ``ids`` (inf if never alive), s."""
    uid, inv = np.unique(truth.threat_id[truth.alive], return_inverse=True)
    first = np.full(uid.size, np.inf)
    np.minimum.at(first, inv, truth.t_s[truth.alive])
    out = np.full(ids.size, np.inf)
    if uid.size:
        j = np.clip(np.searchsorted(uid, ids), 0, uid.size - 1)
        found = uid[j] == ids
        out[found] = first[j[found]]
    return out


def _mean_pos_nees(err: NDArray[np.float64], var: NDArray[np.float64]) -> float:
    """Mean of ``sum_i e_i^2 / var_i`` (NaN if no pairs or unusable variances)."""
    if err.size == 0 or not (np.all(np.isfinite(var)) and np.all(var > 0)):
        return float("nan")
    return float(np.mean(np.sum(err * err / var, axis=-1)))


def score_frames(
    truth: Truth,
    tracks: Tracks,
    *,
    c_m: float = 50.0,
    p: float = 1.0,
    alpha: float = 2.0,
    statuses: Sequence[int] | None = CONFIRMED_STATUSES,
    n_dim: int = 3,
    time_match: Literal["interpolate", "nearest"] = "interpolate",
    time_tol_s: float = 1e-6,
    fill_gap_s: float | None = None,
    coverage: CoverageWindows | None = None,
    eval_times_s: ArrayLike | None = None,
) -> Score:
    """Score a :class:`~iadsim.frames.Tracks` frame against a :class:`~iadsim.frames.Truth` frame.

    Evaluation times (:func:`.align.evaluation_times`) are the unique times of
    *all* track rows (any status, so a tracker step with no confirmed track
    still scores its missed targets), plus truth sample times in gaps longer
    than ``fill_gap_s`` where the file reports no track at all. Truth at those
    times is either linearly interpolated per target between two live samples
    (``time_match="interpolate"``, default; :func:`.align.interpolate_truth`)
    or taken from the nearest truth sample within ``time_tol_s``
    (``"nearest"``; :func:`.align.match_truth_times`). Times where truth is
    unknown are dropped and counted in ``Score.n_times_dropped``; only live
    truth counts. Tracks at times that were not kept are ignored.

    Parameters
    ----------
    truth, tracks : Truth, Tracks
        Frames in the same ENU frame.
    c_m, p, alpha : float
        Metric parameters (see :func:`score`).
    statuses : sequence of int or None
        Track statuses scored (default confirmed and coasting); None: all.
    n_dim : int
        2 scores (e, n) only, 3 scores (e, n, u).
    time_match : {"interpolate", "nearest"}
        How truth is brought to the evaluation times.
    time_tol_s : float
        Snap tolerance (interpolate) or largest time difference (nearest), s.
    fill_gap_s : float, optional
        See :func:`.align.evaluation_times` (default: automatic).
    coverage : CoverageWindows, optional
        Each target's coverage window (:func:`.coverage.coverage_windows`, from the
        plots): continuity figures over those windows only (see :func:`score`).
    eval_times_s : array, optional
        The evaluation times themselves (default: from ``tracks`` and ``truth`` as
        above): a caller scoring a subset of a file's tracks (the report, which keeps
        the ever-confirmed ones) gives the file's, to score the instants the whole file
        would.

    Returns
    -------
    Score
        Also ``pos_nees_mean``: mean of ``sum_i e_i^2 / var_i`` over assigned
        pairs with the track's diagonal position variances (Bar-Shalom, Li,
        Kirubarajan 2001, eq. 5.4.2-1 with a diagonal ``P``).
    """
    if n_dim not in (2, 3):
        raise ValueError(f"n_dim must be 2 or 3 (got {n_dim})")
    eval_t = (
        evaluation_times(tracks.t_s, truth.t_s, fill_gap_s=fill_gap_s)
        if eval_times_s is None
        else np.unique(np.asarray(eval_times_s, dtype=np.float64))
    )
    ids, row_t, vals, kept_t = _truth_at(truth, eval_t, n_dim, time_match, time_tol_s)
    keep = np.isin(tracks.t_s, kept_t)
    if statuses is not None:
        keep &= np.isin(tracks.status, np.asarray(statuses, dtype=np.int8))
    trk = tracks.select(keep)
    truth_pos, track_pos = vals[:, :n_dim], trk.pos_m()[:, :n_dim]
    result = score(
        row_t,
        ids,
        truth_pos,
        trk.t_s,
        trk.track_id,
        track_pos,
        c_m=c_m,
        p=p,
        alpha=alpha,
        truth_vel=vals[:, n_dim:],
        track_vel=trk.vel_mps()[:, :n_dim],
        eval_t_s=kept_t,
        truth_first_t_s=_first_alive_t_s(truth, ids),
        truth_window=None if coverage is None else coverage.inside(ids, row_t),
    )
    pairs_t, pairs_k = result.series.truth_row, result.series.track_row
    var = np.stack([trk.var_e_m2, trk.var_n_m2, trk.var_u_m2], axis=-1)[:, :n_dim]
    return dataclasses.replace(
        result,
        n_times_dropped=int(eval_t.size - kept_t.size),
        pos_nees_mean=_mean_pos_nees(truth_pos[pairs_t] - track_pos[pairs_k], var[pairs_k]),
    )
