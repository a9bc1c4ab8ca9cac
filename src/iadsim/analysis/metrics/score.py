"""One call to score tracks against truth: GOSPA/OSPA series, continuity, RMSE.

:func:`score` takes plain arrays already on common evaluation times;
:func:`score_frames` takes :class:`iadsim.frames.Truth` and
:class:`iadsim.frames.Tracks`, matches truth to the track times
(:func:`.align.match_truth_times`), keeps live targets and, by default, only
confirmed (including coasting) tracks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from iadsim.analysis.metrics.align import match_truth_times
from iadsim.analysis.metrics.continuity import ContinuityResult, pair_rmse, track_continuity
from iadsim.analysis.metrics.series import SetMetricsSeries, set_metrics_over_time
from iadsim.frames import Tracks, TrackStatus, Truth

__all__ = ["CONFIRMED_STATUSES", "Score", "score", "score_frames"]

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

    Returns
    -------
    Score
    """
    series = set_metrics_over_time(
        truth_t_s, truth_pos, track_t_s, track_pos, c_m=c_m, p=p, alpha=alpha, eval_t_s=eval_t_s
    )
    cont = track_continuity(
        truth_t_s,
        truth_id,
        track_t_s,
        track_id,
        series.truth_row,
        series.track_row,
        truth_first_t_s=truth_first_t_s,
    )
    vel_rmse = (
        pair_rmse(truth_vel, track_vel, series.truth_row, series.track_row)
        if truth_vel is not None and track_vel is not None
        else float("nan")
    )
    return Score(
        series=series,
        continuity=cont,
        n_pairs=int(series.truth_row.size),
        n_dim=int(np.asarray(truth_pos, dtype=np.float64).shape[-1]),
        pos_rmse_m=pair_rmse(truth_pos, track_pos, series.truth_row, series.track_row),
        vel_rmse_mps=vel_rmse,
    )


def score_frames(
    truth: Truth,
    tracks: Tracks,
    *,
    c_m: float = 50.0,
    p: float = 1.0,
    alpha: float = 2.0,
    statuses: Sequence[int] | None = CONFIRMED_STATUSES,
    n_dim: int = 3,
    time_tol_s: float = 1e-6,
) -> Score:
    """Score a :class:`~iadsim.frames.Tracks` frame against a :class:`~iadsim.frames.Truth` frame.

    Evaluation times are the unique times of *all* track rows (any status), so
    a tracker step with no confirmed track still scores its missed targets.
    Truth is matched to them with :func:`.align.match_truth_times` (nearest
    truth sample within ``time_tol_s``; unmatched times are dropped and
    counted in ``Score.n_times_dropped``); only ``alive`` truth rows count.

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
    time_tol_s : float
        Time matching tolerance, s.

    Returns
    -------
    Score
        Also ``pos_nees_mean``: mean of ``sum_i e_i^2 / var_i`` over assigned
        pairs with the track's diagonal position variances (Bar-Shalom, Li,
        Kirubarajan 2001, eq. 5.4.2-1 with a diagonal ``P``).
    """
    if n_dim not in (2, 3):
        raise ValueError(f"n_dim must be 2 or 3 (got {n_dim})")
    eval_t = np.unique(tracks.t_s)
    row, row_t, kept_t = match_truth_times(
        truth.t_s, eval_t, tol_s=time_tol_s, truth_keep=truth.alive
    )
    keep = np.isin(tracks.t_s, kept_t)
    if statuses is not None:
        keep &= np.isin(tracks.status, np.asarray(statuses, dtype=np.int8))
    trk = tracks.select(keep)
    alive = truth.alive
    first_t = np.full(len(truth), np.inf)
    if np.any(alive):
        ids, inv = np.unique(truth.threat_id[alive], return_inverse=True)
        per_id = np.full(ids.shape[0], np.inf)
        np.minimum.at(per_id, inv, truth.t_s[alive])
        first_t[alive] = per_id[inv]
    result = score(
        row_t,
        truth.threat_id[row],
        truth.pos_m()[row, :n_dim],
        trk.t_s,
        trk.track_id,
        trk.pos_m()[:, :n_dim],
        c_m=c_m,
        p=p,
        alpha=alpha,
        truth_vel=truth.vel_mps()[row, :n_dim],
        track_vel=trk.vel_mps()[:, :n_dim],
        eval_t_s=kept_t,
        truth_first_t_s=first_t[row],
    )
    var = np.stack([trk.var_e_m2, trk.var_n_m2, trk.var_u_m2], axis=-1)[:, :n_dim]
    err = (
        truth.pos_m()[row, :n_dim][result.series.truth_row]
        - trk.pos_m()[:, :n_dim][result.series.track_row]
    )
    pair_var = var[result.series.track_row]
    nees_mean = (
        float(np.mean(np.sum(err * err / pair_var, axis=-1)))
        if err.size and np.all(np.isfinite(pair_var)) and np.all(pair_var > 0)
        else float("nan")
    )
    return dataclasses.replace(
        result, n_times_dropped=int(eval_t.size - kept_t.size), pos_nees_mean=nees_mean
    )
