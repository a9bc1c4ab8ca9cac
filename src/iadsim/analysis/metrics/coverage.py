"""Coverage windows: when each target could be tracked at all, from the plots.

Continuity measured over a target's whole life blames the tracker for the time the
target was out of every sensor's coverage (beyond the horizon, masked, not yet
launched into view). The window of a target here runs from its first to its last
plot (any sensor; the plots' ``truth_id``, an evaluation-side column of a run's
``detections.parquet``); a target with no plot has no window and is reported as
never observed rather than as a tracking failure.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CoverageWindows", "coverage_windows"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CoverageWindows:
    """Per target id (sorted): first and last plot time, s."""

    truth_id: NDArray[np.int64]
    t_first_s: NDArray[np.float64]
    t_last_s: NDArray[np.float64]

    def inside(self, truth_id: ArrayLike, t_s: ArrayLike) -> NDArray[np.bool_]:
        """(n,) truth rows (id, time s) inside their target's window (False: none)."""
        tid = np.asarray(truth_id, dtype=np.int64).reshape(-1)
        t = np.asarray(t_s, dtype=np.float64).reshape(-1)
        if self.truth_id.size == 0:
            return np.zeros(tid.shape, dtype=bool)
        j = np.clip(np.searchsorted(self.truth_id, tid), 0, self.truth_id.size - 1)
        known = self.truth_id[j] == tid
        return known & (t >= self.t_first_s[j]) & (t <= self.t_last_s[j])


def coverage_windows(plot_t_s: ArrayLike, plot_truth_id: ArrayLike) -> CoverageWindows:
    """Coverage windows from plots (time s, truth id; ids < 0, false alarms, ignored)."""
    t = np.asarray(plot_t_s, dtype=np.float64).reshape(-1)
    tid = np.asarray(plot_truth_id, dtype=np.int64).reshape(-1)
    if t.shape != tid.shape:
        raise ValueError("plot times and truth ids must have the same length")
    real = (tid >= 0) & np.isfinite(t)
    ids, inv = np.unique(tid[real], return_inverse=True)
    first = np.full(ids.size, np.inf)
    last = np.full(ids.size, -np.inf)
    np.minimum.at(first, inv, t[real])
    np.maximum.at(last, inv, t[real])
    return CoverageWindows(truth_id=ids.astype(np.int64), t_first_s=first, t_last_s=last)
