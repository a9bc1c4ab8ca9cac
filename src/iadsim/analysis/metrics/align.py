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

__all__ = ["evaluation_times", "interpolate_truth", "match_truth_times"]

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


def interpolate_truth(
    truth_t_s: ArrayLike,
    truth_id: ArrayLike,
    values: ArrayLike,
    eval_t_s: ArrayLike,
    *,
    alive: ArrayLike | None = None,
    tol_s: float = 1e-6,
) -> tuple[I64, F64, F64, F64]:
    r"""Truth linearly interpolated at the evaluation times, per target.

    For target ``i`` with samples ``t_0 < t_1 < ...`` and an evaluation time
    ``t`` in ``[t_j, t_{j+1}]``:
    ``v(t) = v_j + (t - t_j) / (t_{j+1} - t_j) (v_{j+1} - v_j)``, used only if
    both samples are alive; a sample within ``tol_s`` of ``t`` is used as is
    (if alive). Before its first or after its last sample a target is absent,
    as is a target that dies between two samples. Evaluation times outside
    ``[min truth t - tol_s, max truth t + tol_s]`` are dropped (truth unknown).

    Parameters
    ----------
    truth_t_s, truth_id : arrays (n,)
        Truth sample times (s) and target ids, all rows (dead ones too).
    values : array (n, k)
        Values to interpolate (e.g. positions m and velocities m/s).
    eval_t_s : array (q,)
        Evaluation times, s.
    alive : bool array (n,), optional
        Live rows (default all).
    tol_s : float
        Snap tolerance, s.

    Returns
    -------
    row_id : int64 (r,)
        Target id of each output row.
    row_t_s : float64 (r,)
        Evaluation time of each output row, s (sorted by id, then time).
    row_values : float64 (r, k)
        Interpolated values.
    kept_t_s : float64 (q',)
        Sorted unique evaluation times inside the truth time span, s.
    """
    tt = np.asarray(truth_t_s, dtype=np.float64).reshape(-1)
    tid = np.asarray(truth_id, dtype=np.int64).reshape(-1)
    v = np.asarray(values, dtype=np.float64)
    v = v[:, None] if v.ndim == 1 else v
    if v.ndim != 2 or v.shape[0] != tt.size:
        raise ValueError(f"values must have shape ({tt.size}, k) (got {v.shape})")
    live = np.ones(tt.size, bool) if alive is None else np.asarray(alive, bool).reshape(-1)
    ev = np.unique(np.asarray(eval_t_s, dtype=np.float64))
    if tt.size == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros((0, v.shape[1])), np.zeros(0)
    kept = ev[(ev >= tt.min() - tol_s) & (ev <= tt.max() + tol_s)]
    order = np.lexsort((tt, tid))
    ids, starts = np.unique(tid[order], return_index=True)
    stops = np.append(starts[1:], order.size)
    out_id, out_t, out_v = [], [], []
    for i, a, b in zip(ids, starts, stops, strict=True):  # loop over targets, not rows
        rows = order[a:b]
        ts, vs, al = tt[rows], v[rows], live[rows]
        j = np.searchsorted(ts, kept, side="right")
        lo, hi = np.clip(j - 1, 0, ts.size - 1), np.clip(j, 0, ts.size - 1)
        snap_lo, snap_hi = np.abs(ts[lo] - kept) <= tol_s, np.abs(ts[hi] - kept) <= tol_s
        snap = np.where(snap_lo, lo, hi)
        use_snap = snap_lo | snap_hi
        inside = (j >= 1) & (j < ts.size) & ~use_snap
        ok = np.where(use_snap, al[snap], inside & al[lo] & al[hi])
        span = np.where(inside, ts[hi] - ts[lo], 1.0)
        w = np.where(inside, (kept - ts[lo]) / span, 0.0)[:, None]
        vals = np.where(use_snap[:, None], vs[snap], (1.0 - w) * vs[lo] + w * vs[hi])
        out_id.append(np.full(int(ok.sum()), i, dtype=np.int64))
        out_t.append(kept[ok])
        out_v.append(vals[ok])
    return np.concatenate(out_id), np.concatenate(out_t), np.concatenate(out_v), kept


def evaluation_times(
    track_t_s: ArrayLike, truth_t_s: ArrayLike, *, fill_gap_s: float | None = None
) -> F64:
    """Evaluation times: the track report times plus truth times in reporting gaps.

    A tracks file has rows only while tracks exist, so a tracker holding no
    track reports nothing. Truth sample times farther than ``fill_gap_s`` from
    every track time are added (scored with an empty track set, i.e. all
    targets missed). Default ``fill_gap_s``: twice the median spacing of the
    unique track times; with fewer than two track times, every truth time is
    added if there is no track time at all, none otherwise.
    """
    kt = np.unique(np.asarray(track_t_s, dtype=np.float64))
    tt = np.unique(np.asarray(truth_t_s, dtype=np.float64))
    if fill_gap_s is None:
        if kt.size == 0:
            return tt
        fill_gap_s = 2.0 * float(np.median(np.diff(kt))) if kt.size >= 2 else np.inf
    if kt.size == 0 or not np.isfinite(fill_gap_s):
        return tt if kt.size == 0 else kt
    j = np.clip(np.searchsorted(kt, tt), 1, max(kt.size - 1, 1))
    near = np.minimum(np.abs(kt[np.minimum(j, kt.size - 1)] - tt), np.abs(kt[j - 1] - tt))
    return np.union1d(kt, tt[near > fill_gap_s])
