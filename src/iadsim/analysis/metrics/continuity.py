"""Track continuity: follow the per-time truth-to-track assignment over time.

Input is the set of assigned (truth row, track row) pairs of
:func:`iadsim.analysis.metrics.series.set_metrics_over_time` (the GOSPA optimal
assignment at each time, pairs closer than the cut-off ``c``). For each truth,
its rows sorted by time give a sequence of assigned track ids (or none):

* **ID switch** ([BS08]_ sec. 2.1.3, "mismatch"): the assigned track differs from
  the last track assigned to that truth (gaps are skipped: A, -, A is no switch,
  A, -, B is one).
* **Segment** ([LHN09]_ "fragment"): a maximal run of consecutive truth rows
  with the same assigned track; fragmentations = segments - 1 per tracked truth.
* **Coverage**: fraction of the truth's rows with an assigned track.
* **Continuity** ([GTK11]_ "track continuity" read per truth): fraction of the
  truth's rows assigned to its most frequent track.
* **Purity** ([GTK11]_ "track purity"): fraction of a track's rows assigned to
  its most frequent truth.
* **Time to track**: first assigned time minus the truth's first time.

References
----------
.. [BS08] K. Bernardin, R. Stiefelhagen, "Evaluating multiple object tracking
   performance: the CLEAR MOT metrics", EURASIP J. Image and Video Processing
   2008, 246309.
.. [LHN09] Y. Li, C. Huang, R. Nevatia, "Learning to associate: HybridBoosted
   multi-target tracker for crowded scene", CVPR 2009, sec. 5 (fragments,
   ID switches).
.. [GTK11] A. A. Gorji, R. Tharmarasa, T. Kirubarajan, "Performance measures for
   multiple target tracking problems", FUSION 2011, sec. III.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ContinuityResult", "pair_rmse", "track_continuity"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContinuityResult:
    """Per-truth (shape (u,)) and per-track (shape (v,)) continuity figures."""

    truth_id: I64
    n_truth_steps: I64
    n_assigned_steps: I64
    n_segments: I64
    n_id_switches: I64
    t_first_s: F64
    t_first_track_s: F64
    """First assigned time, s (NaN if never assigned)."""
    coverage: F64
    continuity: F64
    track_id: I64
    n_track_steps: I64
    purity: F64

    @property
    def id_switches(self) -> int:
        """Total ID switches over all truths."""
        return int(np.sum(self.n_id_switches))

    @property
    def fragmentations(self) -> int:
        """Total fragmentations: sum over truths of ``max(segments - 1, 0)``."""
        return int(np.sum(np.maximum(self.n_segments - 1, 0)))

    @property
    def time_to_track_s(self) -> F64:
        """Per truth, first assigned time minus first truth time, s (NaN if never)."""
        return self.t_first_track_s - self.t_first_s

    @property
    def n_truth_tracked(self) -> int:
        """Truths assigned to a track at least once."""
        return int(np.count_nonzero(self.n_assigned_steps))

    @property
    def mean_time_to_track_s(self) -> float:
        """Mean time to track over truths ever tracked, s (NaN if none)."""
        ttt = self.time_to_track_s[np.isfinite(self.time_to_track_s)]
        return float(np.mean(ttt)) if ttt.size else float("nan")

    @property
    def mean_purity(self) -> float:
        """Mean track purity over tracks (NaN if no tracks)."""
        return float(np.mean(self.purity)) if self.purity.size else float("nan")

    @property
    def mean_continuity(self) -> float:
        """Mean truth continuity over truths (NaN if no truths)."""
        return float(np.mean(self.continuity)) if self.continuity.size else float("nan")


def _dominant_count(owner: I64, other: NDArray[np.int64], n_owner: int) -> I64:
    """Per owner index, the count of its most frequent ``other`` value (0 if none)."""
    best = np.zeros(n_owner, dtype=np.int64)
    if owner.size:
        pairs, cnt = np.unique(np.stack([owner, other], axis=1), axis=0, return_counts=True)
        np.maximum.at(best, pairs[:, 0], cnt)
    return best


def track_continuity(
    truth_t_s: ArrayLike,
    truth_id: ArrayLike,
    track_t_s: ArrayLike,
    track_id: ArrayLike,
    truth_row: ArrayLike,
    track_row: ArrayLike,
    *,
    truth_first_t_s: ArrayLike | None = None,
) -> ContinuityResult:
    """Continuity figures of a per-time truth-to-track assignment.

    Parameters
    ----------
    truth_t_s, truth_id : arrays (n,)
        Truth rows (time s, id); at most one row per (time, id).
    track_t_s, track_id : arrays (m,)
        Track rows (time s, id); at most one row per (time, id).
    truth_row, track_row : int arrays (j,)
        Assigned pairs, as indices into the truth and track rows
        (``SetMetricsSeries.truth_row`` / ``track_row``).
    truth_first_t_s : array (n,), optional
        First time of each truth row's target (e.g. from the full truth file
        before matching to track times); default its first row time here.

    Returns
    -------
    ContinuityResult
    """
    tt = np.asarray(truth_t_s, dtype=np.float64).reshape(-1)
    tid = np.asarray(truth_id, dtype=np.int64).reshape(-1)
    kid = np.asarray(track_id, dtype=np.int64).reshape(-1)
    tr = np.asarray(truth_row, dtype=np.int64).reshape(-1)
    kr = np.asarray(track_row, dtype=np.int64).reshape(-1)
    if tt.shape != tid.shape or kid.shape != np.shape(track_t_s) or tr.shape != kr.shape:
        raise ValueError("truth/track columns and pair indices must have matching lengths")
    first = tt if truth_first_t_s is None else np.asarray(truth_first_t_s, dtype=np.float64)

    order = np.lexsort((tt, tid))  # rows by truth id, then time
    uid, tix = np.unique(tid[order], return_inverse=True)
    has = np.zeros(tt.shape[0], dtype=bool)
    has[tr] = True
    trk = np.zeros(tt.shape[0], dtype=np.int64)
    trk[tr] = kid[kr]
    has, trk, ts = has[order], trk[order], tt[order]
    n_u = uid.shape[0]

    same_prev = np.zeros_like(has)
    same_prev[1:] = (tix[1:] == tix[:-1]) & has[:-1] & has[1:] & (trk[1:] == trk[:-1])
    n_segments = np.bincount(tix[has & ~same_prev], minlength=n_u).astype(np.int64)

    a_tix, a_trk, a_ts = tix[has], trk[has], ts[has]
    switch = (a_tix[1:] == a_tix[:-1]) & (a_trk[1:] != a_trk[:-1])
    n_switch = np.bincount(a_tix[1:][switch], minlength=n_u).astype(np.int64)

    t_first = np.full(n_u, np.inf)
    np.minimum.at(t_first, tix, first[order])
    t_first_track = np.full(n_u, np.nan)
    u_a, i_first = np.unique(a_tix, return_index=True)
    t_first_track[u_a] = a_ts[i_first]

    n_steps = np.bincount(tix, minlength=n_u).astype(np.int64)
    n_assigned = np.bincount(a_tix, minlength=n_u).astype(np.int64)
    steps = np.maximum(n_steps, 1)

    ukid, kix = np.unique(kid, return_inverse=True)
    n_track_steps = np.bincount(kix, minlength=ukid.shape[0]).astype(np.int64)
    purity_count = _dominant_count(kix[kr], tid[tr], ukid.shape[0])
    return ContinuityResult(
        truth_id=uid.astype(np.int64),
        n_truth_steps=n_steps,
        n_assigned_steps=n_assigned,
        n_segments=n_segments,
        n_id_switches=n_switch,
        t_first_s=t_first,
        t_first_track_s=t_first_track,
        coverage=n_assigned / steps,
        continuity=_dominant_count(a_tix, a_trk, n_u) / steps,
        track_id=ukid.astype(np.int64),
        n_track_steps=n_track_steps,
        purity=purity_count / np.maximum(n_track_steps, 1),
    )


def pair_rmse(
    truth_val: ArrayLike, track_val: ArrayLike, truth_row: ArrayLike, track_row: ArrayLike
) -> float:
    r"""Root-mean-square error over assigned pairs.

    ``sqrt( (1/J) sum_j |a_{r_j} - b_{s_j}|^2 )`` for the ``J`` pairs
    ``(r_j, s_j)``, with ``a`` truth values (n, d) and ``b`` track values (m, d)
    (positions in m give m, velocities in m/s give m/s). NaN with no pairs or
    NaN inputs (e.g. unknown truth velocity).
    """
    a = np.asarray(truth_val, dtype=np.float64)
    b = np.asarray(track_val, dtype=np.float64)
    tr = np.asarray(truth_row, dtype=np.int64)
    kr = np.asarray(track_row, dtype=np.int64)
    if tr.size == 0:
        return float("nan")
    err = a[tr] - b[kr]
    return float(np.sqrt(np.mean(np.sum(err * err, axis=-1))))
