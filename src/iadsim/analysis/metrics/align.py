"""Match truth rows to track (evaluation) times.

Trackers report at their own update times, the truth file at its own sampling
times. Scoring compares the truth *at the track times*: each evaluation time
takes the truth rows of the nearest truth sample time, if that sample lies
within ``tol_s``; evaluation times with no truth sample that close are dropped
(their truth is unknown, so they are not scored). With ``tol_s`` below half the
truth sampling step this is an exact match up to rounding; with a larger
``tol_s`` a truth sample may serve several evaluation times (sample-and-hold,
no interpolation).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["match_truth_times"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def match_truth_times(
    truth_t_s: ArrayLike,
    eval_t_s: ArrayLike,
    *,
    tol_s: float = 1e-6,
    truth_keep: ArrayLike | None = None,
) -> tuple[I64, F64, F64]:
    """Truth rows at the evaluation times (nearest truth sample within ``tol_s``).

    Parameters
    ----------
    truth_t_s : array (n,)
        Time of every truth row, s (all rows, including dead targets, so that a
        time with no live target still counts as a known truth time).
    eval_t_s : array (k,)
        Evaluation (track) times, s.
    tol_s : float
        Largest ``|t_eval - t_truth|`` accepted, s (>= 0).
    truth_keep : bool array (n,), optional
        Rows to return (e.g. ``alive``); default all.

    Returns
    -------
    row : int64 array (r,)
        Index of each returned truth row (a row may repeat for several times).
    row_t_s : float64 array (r,)
        The evaluation time each returned row is assigned to, s.
    kept_t_s : float64 array (k',)
        Sorted unique evaluation times that found a truth sample, s.
    """
    if not tol_s >= 0.0:
        raise ValueError(f"tol_s must be >= 0 (got {tol_s})")
    tt = np.asarray(truth_t_s, dtype=np.float64).reshape(-1)
    ev = np.unique(np.asarray(eval_t_s, dtype=np.float64))
    keep = np.ones(tt.shape, bool) if truth_keep is None else np.asarray(truth_keep, bool)
    samples = np.unique(tt)
    if samples.size == 0 or ev.size == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    hi = np.clip(np.searchsorted(samples, ev), 1, samples.size - 1) if samples.size > 1 else None
    if hi is None:
        nearest = np.zeros(ev.size, dtype=np.int64)
    else:
        lo = hi - 1
        nearest = np.where(np.abs(samples[lo] - ev) <= np.abs(samples[hi] - ev), lo, hi)
    ok = np.abs(samples[nearest] - ev) <= tol_s
    kept_t, kept_j = ev[ok], nearest[ok]  # kept_j is non-decreasing since ev is sorted
    starts = np.searchsorted(kept_j, np.arange(samples.size))
    count = np.searchsorted(kept_j, np.arange(samples.size), side="right") - starts
    rows = np.flatnonzero(keep)
    sample_of_row = np.searchsorted(samples, tt[rows])
    reps = count[sample_of_row]
    row = np.repeat(rows, reps).astype(np.int64)
    offset = np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)
    row_t = kept_t[np.repeat(starts[sample_of_row], reps) + offset]
    return row, row_t, kept_t
