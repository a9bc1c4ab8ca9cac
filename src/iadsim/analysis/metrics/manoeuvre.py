"""Tracking quality split by manoeuvre: RMSE in straight flight vs in turns.

Real traffic turns (terminal-area vectoring, procedure turns); a tracker tuned on
straight routes looks good until it meets them. :func:`turn_rate_rad_s` gives each
truth sample the absolute turn rate of its target, from headings of displacements
over a window (smooth against report noise); :func:`manoeuvre_score` scores tracks
with :func:`~iadsim.analysis.metrics.score.score_frames` and splits the RMSE of the
assigned pairs between samples turning faster than a threshold and the others.

Turning threshold: 1 deg/s by default, a third of a standard-rate turn (3 deg/s,
FAA Airplane Flying Handbook FAA-H-8083-3C, ch. 3 "Turns"); terminal-area turns of
airliners are 1.5-3 deg/s, cruise track changes well below 0.5 deg/s.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.analysis.metrics.align import evaluation_times, interpolate_truth
from iadsim.analysis.metrics.coverage import CoverageWindows, coverage_windows
from iadsim.analysis.metrics.score import Score, score_frames
from iadsim.frames import Detections, Tracks, Truth
from iadsim.sim.summary_types import TrackingSummary

__all__ = ["ManoeuvreScore", "manoeuvre_score", "turn_rate_rad_s"]

F64 = NDArray[np.float64]

#: Default turning threshold, deg/s (module doc).
TURN_THRESHOLD_DEG_S = 1.0


def _interp_rows(x: F64, key: F64, vals: F64) -> F64:
    """Columns of ``vals`` (n, k) at the points ``x`` of the sorted axis ``key``."""
    return np.stack([np.interp(x, key, vals[:, j]) for j in range(vals.shape[1])], axis=-1)


def turn_rate_rad_s(
    t_s: ArrayLike, target_id: ArrayLike, e_m: ArrayLike, n_m: ArrayLike, *, window_s: float = 10.0
) -> F64:
    r"""Absolute horizontal turn rate of each sample's target, rad/s.

    Heading of the displacement over ``[t - w, t + w]``,
    :math:`\psi(t) = \mathrm{atan2}(\Delta e, \Delta n)`, then
    :math:`|\dot\psi(t)| \approx |\mathrm{wrap}(\psi(t + w) - \psi(t - w))| / (2 w)`
    (times clamped to the target's own samples; positions linearly interpolated).

    Parameters
    ----------
    t_s, target_id, e_m, n_m : arrays (n,)
        Samples of any number of targets (any order), s and m.
    window_s : float
        Half window ``w``, s (10 s: heading noise of 10 m position noise at 200 m/s
        is ~0.003 rad, turn-rate noise ~0.01 deg/s).

    Returns
    -------
    float64 (n,)
        Turn rate, rad/s, in the input order (0 for a target with one sample).
    """
    t = np.asarray(t_s, dtype=np.float64)
    tid = np.asarray(target_id, dtype=np.int64)
    order = np.lexsort((t, tid))
    _, first, inv = np.unique(tid[order], return_index=True, return_inverse=True)
    t_sorted = t[order]
    span = 2.0 * (float(np.ptp(t)) + 8.0 * window_s + 1.0) if t.size else 1.0
    key = inv * span + t_sorted  # targets laid end to end on one increasing axis
    last = np.append(first[1:], order.size) - 1
    lo, hi = key[first][inv], key[last][inv]
    pos = np.stack([np.asarray(e_m, float)[order], np.asarray(n_m, float)[order]], axis=-1)

    def heading(center: F64) -> F64:
        a = _interp_rows(np.clip(center - window_s, lo, hi), key, pos)
        b = _interp_rows(np.clip(center + window_s, lo, hi), key, pos)
        return np.arctan2(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])

    before, after = np.clip(key - window_s, lo, hi), np.clip(key + window_s, lo, hi)
    h_minus, h_plus = heading(before), heading(after)
    dt = after - before
    dpsi = np.abs((h_plus - h_minus + np.pi) % (2.0 * np.pi) - np.pi)
    rate = np.where(dt > 0, dpsi / np.where(dt > 0, dt, 1.0), 0.0)
    out = np.empty_like(rate)
    out[order] = rate
    return out


@dataclasses.dataclass(frozen=True, kw_only=True)
class ManoeuvreScore:
    """A :class:`~iadsim.analysis.metrics.score.Score` and its RMSE split by turn rate."""

    score: Score
    turn_threshold_deg_s: float
    rmse_straight_m: float
    rmse_turning_m: float
    n_pairs_straight: int
    n_pairs_turning: int


def _rmse(d: F64) -> float:
    return float(np.sqrt(np.mean(d * d))) if d.size else float("nan")


def manoeuvre_score(
    truth: Truth,
    tracks: Tracks,
    *,
    c_m: float,
    turn_threshold_deg_s: float = TURN_THRESHOLD_DEG_S,
    window_s: float = 10.0,
    n_dim: int = 3,
    coverage: CoverageWindows | None = None,
    eval_times_s: NDArray[np.float64] | None = None,
) -> ManoeuvreScore:
    """Score ``tracks`` (every live track at each time, e.g. held change rows) against
    ``truth`` (:func:`~iadsim.analysis.metrics.score.score_frames`, GOSPA p = 1,
    alpha = 2, confirmed and coasting tracks) and split the position RMSE of the
    assigned pairs at ``turn_threshold_deg_s`` (the truth's turn rate at the pair's
    time, :func:`turn_rate_rad_s`). The truth is brought to the evaluation times the
    way :func:`score_frames` does, so pair ``j`` is truth row ``truth_row[j]``.
    ``coverage``, ``eval_times_s``: as :func:`score_frames` takes them."""
    result = score_frames(
        truth, tracks, c_m=c_m, n_dim=n_dim, coverage=coverage, eval_times_s=eval_times_s
    )
    live = truth.alive
    rate = np.zeros(len(truth))
    rate[live] = turn_rate_rad_s(
        truth.t_s[live], truth.threat_id[live], truth.e_m[live], truth.n_m[live], window_s=window_s
    )
    eval_t = evaluation_times(tracks.t_s, truth.t_s) if eval_times_s is None else eval_times_s
    _, _, rate_rows, _ = interpolate_truth(
        truth.t_s, truth.threat_id, rate, eval_t, alive=truth.alive, tol_s=1e-6
    )
    series = result.series
    turning = rate_rows[series.truth_row, 0] >= math.radians(turn_threshold_deg_s)
    d = series.distance_m
    return ManoeuvreScore(
        score=result,
        turn_threshold_deg_s=turn_threshold_deg_s,
        rmse_straight_m=_rmse(d[~turning]),
        rmse_turning_m=_rmse(d[turning]),
        n_pairs_straight=int((~turning).sum()),
        n_pairs_turning=int(turning.sum()),
    )


#: GOSPA cut-off of the run summary's tracking section, m: km scale for surveillance
#: radars (a 60 km plot has ~100 m cross-range noise; a track 2 km off is no track).
TRACKING_CUT_OFF_M = 2_000.0


def tracking_quality(
    truth: Truth, tracks: Tracks, *, held: bool, c_m: float = TRACKING_CUT_OFF_M,
    detections: Detections | None = None,
) -> TrackingSummary:  # fmt: skip
    """The run summary's ``tracking`` section: GOSPA and its parts,
    continuity, ID switches, RMSE overall / straight / turning. ``held``: ``tracks``
    holds change rows only (``track_history: changes``), rebuilt first with
    :func:`~iadsim.analysis.metrics.held.hold_for_scoring`. With the run's
    ``detections``, continuity, coverage and time to track are over each aircraft's
    coverage window (first to last plot), as ``iadsim score`` reports them.

    The picture is scored at every time a row was written (each sector look, about
    every second), every track held at constant velocity from its last update, so
    the errors include each track's prediction since its last plot (up to a scan)
    and the look's latency (up to a sector). Scored only at the instants its tracks
    were updated by plots of that same instant (a scan stamped with one time, as
    before plots carried their own times), the real-traffic preset read 57 m / 87 m
    RMSE straight / turning and 680 m GOSPA localisation; that same picture held on
    a 1 s grid reads 77 m / 144 m and 934 m, and the per-plot times with 1 s
    sectors give 77 m / 150 m and 922 m (the tracker registers the plots at their
    own times as well as it would process each plot at its time:
    ``tests/tracking/test_measurement_time_offsets.py``)."""
    from iadsim.analysis.metrics.held import hold_for_scoring

    picture, times = hold_for_scoring(tracks, truth.t_s) if held else (tracks, None)
    cov = None if detections is None else coverage_windows(detections.t_s, detections.truth_id)
    ms = manoeuvre_score(truth, picture, c_m=c_m, coverage=cov, eval_times_s=times)
    s, cont = ms.score.series, ms.score.continuity
    return TrackingSummary(
        cut_off_m=c_m,
        gospa_p=s.p,
        gospa_alpha=s.alpha,
        gospa_mean_m=s.gospa_mean_m,
        gospa_localisation_mean_m=s.localisation_mean_pow ** (1.0 / s.p),
        gospa_missed_mean_m=s.missed_mean_pow ** (1.0 / s.p),
        gospa_false_mean_m=s.false_mean_pow ** (1.0 / s.p),
        n_targets=int(cont.truth_id.size),
        n_targets_tracked=cont.n_truth_tracked,
        n_tracks=int(cont.track_id.size),
        continuity_mean=cont.mean_continuity,
        coverage_mean=float(np.mean(cont.coverage)) if cont.coverage.size else float("nan"),
        id_switches=cont.id_switches,
        fragmentations=cont.fragmentations,
        rmse_m=ms.score.pos_rmse_m,
        rmse_straight_m=ms.rmse_straight_m,
        rmse_turning_m=ms.rmse_turning_m,
        n_pairs_straight=ms.n_pairs_straight,
        n_pairs_turning=ms.n_pairs_turning,
        turn_threshold_deg_s=ms.turn_threshold_deg_s,
        scored="confirmed and coasting tracks vs the recorded truth (3-D)",
    )
