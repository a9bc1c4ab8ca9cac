"""Tracking performance metrics: OSPA, GOSPA, track continuity, NEES/NIS.

Kernels take plain arrays and return small frozen dataclasses:

* :mod:`.setdist` - single-time :func:`ospa`, :func:`gospa`, :func:`optimal_assignment`
* :mod:`.series` - :func:`set_metrics_over_time` (per-time GOSPA/OSPA and pairs)
* :mod:`.continuity` - :func:`track_continuity` (ID switches, fragmentation,
  purity, time to track), :func:`pair_rmse`
* :mod:`.consistency` - :func:`nees`, :func:`nis`, :func:`average_nees`,
  :func:`chi2_bounds`, :func:`effective_samples` (correlated samples)
* :mod:`.coverage` - :func:`coverage_windows` (when each target could be tracked)
* :mod:`.align` - :func:`evaluation_times`, :func:`interpolate_truth`,
  :func:`match_truth_times` (truth at the track times)
* :mod:`.lifenees` - :func:`track_life_nees` (NEES of each track over its life,
  per threat class, cut-off independent)
* :mod:`.score` - :func:`score` (arrays) and :func:`score_frames`
  (:class:`iadsim.frames.Truth` / :class:`iadsim.frames.Tracks`)
"""

from iadsim.analysis.metrics.align import evaluation_times, interpolate_truth, match_truth_times
from iadsim.analysis.metrics.consistency import (
    average_nees,
    average_nis,
    chi2_bounds,
    effective_samples,
    nees,
    nis,
)
from iadsim.analysis.metrics.continuity import ContinuityResult, pair_rmse, track_continuity
from iadsim.analysis.metrics.coverage import CoverageWindows, coverage_windows
from iadsim.analysis.metrics.lifenees import ClassNees, LifeNees, track_life_nees
from iadsim.analysis.metrics.score import CONFIRMED_STATUSES, Score, score, score_frames
from iadsim.analysis.metrics.series import SetMetricsSeries, set_metrics_over_time
from iadsim.analysis.metrics.setdist import GospaResult, OspaResult, gospa, optimal_assignment, ospa

__all__ = [
    "CONFIRMED_STATUSES",
    "ClassNees",
    "ContinuityResult",
    "CoverageWindows",
    "GospaResult",
    "LifeNees",
    "OspaResult",
    "Score",
    "SetMetricsSeries",
    "average_nees",
    "average_nis",
    "chi2_bounds",
    "coverage_windows",
    "effective_samples",
    "evaluation_times",
    "gospa",
    "interpolate_truth",
    "match_truth_times",
    "nees",
    "nis",
    "optimal_assignment",
    "ospa",
    "pair_rmse",
    "score",
    "score_frames",
    "set_metrics_over_time",
    "track_continuity",
    "track_life_nees",
]
