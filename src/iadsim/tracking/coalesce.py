"""Duplicate tracks: a track-coalescence test that deletes the less supported of two
tracks that estimate the same target.

Two firm tracks on one target (a second track started on a plot the first one missed,
or on the other plot of a target split into two plots) share its measurements
alternately and keep statistically identical states. The test of Bar-Shalom (1981)
for "do two tracks represent the same target" is a chi-square test on the difference
of their estimates: with ``D = x_i - x_j`` (positions and velocities, 2d states) and
``T = P_i + P_j``

    d2 = D^T T^-1 D  <=  chi2_{2d}^-1(gate_probability)

(the cross-covariance of the two errors is left out: it is positive for tracks fed by
the same target, so ``P_i + P_j`` over-states the spread of ``D`` and the test errs on
the side of calling them one target; two targets kilometres apart with tracks of a
few hundred metres of uncertainty give ``d2`` in the hundreds). A pair that passes
the test at the updates of its tracks for ``min_duration_s`` is one target held
twice, and one of the two is deleted, as in the "duplicate track elimination"
step of Blackman and Popoli (1999, sec. 6.3.3, track merging), which keeps the track
of higher score: here the one with more hits over its last ``recent_looks`` looks
(the M-of-N tracker's score), the older (the smaller id: ids are issued in order) on
a tie. The hits matter when one of the two has wandered onto the target: the
coasting track of a formation member killed tens of seconds earlier, its position
sigma grown to a kilometre, takes a surviving neighbour's plots that the
neighbour's own, tighter track rejected; deleting the younger track would delete the
neighbour's own one (eight S-400 batteries, ``bench_scaling.batteries(8)`` seed 6: a
salvo's track deleted that way, and the other dead aircraft's track, on the survivor
a moment later, engaged a second time). Velocities are part of the test, so the
track of one formation member passing close to another member (or a track of a
crossing target) is not a duplicate.

References
----------
Y. Bar-Shalom, "On the track-to-track correlation problem", IEEE Trans. AC-26(2),
1981, pp. 571-572. S. Blackman and R. Popoli, *Design and Analysis of Modern Tracking
Systems*, Artech House, 1999, sec. 6.3.3 and 15.4 (track-to-track association test).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from numpy.typing import NDArray
from scipy import special

from iadsim.tracking.gating import pregate_pairs_var

F64 = NDArray[np.float64]
B = NDArray[np.bool_]
I64 = NDArray[np.int64]

__all__ = ["DuplicateRule", "best_partner_rank", "recent_hits", "same_target_pairs"]

#: pairs compared in one block (memory ~ 400 B per pair)
_BLOCK_PAIRS = 200_000
#: up to this many (track hit now, firm track) pairs every pair is tested; beyond, the
#: candidates come from the pre-filter's per-pair radius (k-d trees for a raid of
#: thousands of tracks: :func:`~iadsim.tracking.gating.pregate_pairs_var`)
_DENSE_PAIRS = 256
#: relative slack of the candidate search's radius over the pre-filter's bound
_SLACK = 1e-9


def recent_hits(hist: NDArray[np.uint64], n: int) -> I64:
    """Hits (n_tracks,) among the last ``n`` looks (0-64) of hit (1) / miss (0) bit
    histories ``hist``, the latest look lowest (``TrackBook.hist``)."""
    return np.bitwise_count(hist & np.uint64((1 << n) - 1)).astype(np.int64)


def same_target_pairs(
    x: F64, P: F64, rows: I64, cand: I64, ndim: int, gamma: float, rank: I64 | None = None
) -> B:
    """Which tracks ``rows`` (h,) have a track in ``cand`` (k,) whose position-velocity
    estimate passes the same-target test (module docstring) with threshold ``gamma``
    (with ``rank`` (n,): only partners of a higher rank count); see
    :func:`best_partner_rank`."""
    best = best_partner_rank(x, P, rows, cand, ndim, gamma, rank)
    if rank is None:
        return best >= 0
    return best > rank[rows]


def best_partner_rank(
    x: F64, P: F64, rows: I64, cand: I64, ndim: int, gamma: float, rank: I64 | None = None
) -> I64:
    """For each of the tracks ``rows`` (h,), the highest ``rank`` (n,) (None: all 0)
    among the tracks of ``cand`` (k,) whose position-velocity estimate passes the
    same-target test (module docstring) with threshold ``gamma`` with it; -1 if none.

    A pair passes only if ``|D_pos|^2 <= gamma trace(T)`` (``d2 >= |D|^2 / trace(T)``,
    the largest eigenvalue being at most the trace), a cheap pre-filter. Since
    ``trace(T) = trace(P_i) + trace(P_j)``, its candidates are the pairs within a
    radius of their own, ``sqrt(gamma (t_i + t_j))`` (:func:`_candidate_pairs`), so a
    look of a raid of thousands of tracks costs about ``h log k``, not ``h k``, and one
    wide track does not widen the search of the others.

    Parameters
    ----------
    x : (n, nx) states (positions then velocities first), P : (n, nx, nx).
    rows, cand : indices into ``x``; a row never pairs with itself.
    ndim : spatial dimension d (the test uses the first 2d states).
    gamma : threshold on d2 (chi-square with 2d degrees of freedom).
    rank : (n,) non-negative ranks, or None.
    """
    s = 2 * ndim
    best = np.full(rows.shape[0], -1, np.int64)
    if rows.shape[0] == 0 or cand.shape[0] == 0:
        return best
    if rows.shape[0] * cand.shape[0] <= _DENSE_PAIRS:
        hi, ki = np.divmod(np.arange(rows.shape[0] * cand.shape[0]), cand.shape[0])
    else:
        tr = np.trace(P[:, :s, :s], axis1=1, axis2=2)
        hi, ki = _candidate_pairs(x[:, :ndim], tr, rows, cand, gamma)
    r, c = rows[hi], cand[ki]
    keep = r != c
    hi, r, c = hi[keep], r[keep], c[keep]
    for a in range(0, hi.shape[0], _BLOCK_PAIRS):
        pr, pc, ph = r[a : a + _BLOCK_PAIRS], c[a : a + _BLOCK_PAIRS], hi[a : a + _BLOCK_PAIRS]
        D = x[pr, :s] - x[pc, :s]  # (p, s)
        T = P[pr, :s, :s] + P[pc, :s, :s]
        near = np.einsum("pi,pi->p", D[:, :ndim], D[:, :ndim]) <= gamma * np.trace(
            T, axis1=1, axis2=2
        )
        if not near.any():
            continue
        y = np.linalg.solve(T[near], D[near][..., None])[..., 0]
        d2 = np.einsum("pi,pi->p", D[near], y)
        ok = d2 <= gamma
        got = pc[near][ok]
        np.maximum.at(best, ph[near][ok], np.zeros_like(got) if rank is None else rank[got])
    return best


def _candidate_pairs(pos: F64, tr: F64, rows: I64, cand: I64, gamma: float) -> tuple[I64, I64]:
    """(hi, ki): indices into ``rows`` and ``cand`` of a superset of the pairs that pass
    the pre-filter of :func:`same_target_pairs`, ``|p_i - p_j|^2 <= gamma (t_i + t_j)``
    (``pos`` (n, d) positions, ``tr`` (n,) traces of the tested blocks of ``P``).

    Each pair has its own radius (1e-9 relative slack for rounding), searched by
    :func:`~iadsim.tracking.gating.pregate_pairs_var` (k-d trees over buckets of
    similar trace). Non-finite values fall back to all pairs.
    """
    h, k = rows.shape[0], cand.shape[0]
    if not (np.isfinite(pos[rows]).all() and np.isfinite(pos[cand]).all()):
        return np.divmod(np.arange(h * k), k)
    if not (np.isfinite(tr[rows]).all() and np.isfinite(tr[cand]).all()):
        return np.divmod(np.arange(h * k), k)
    scale = math.sqrt(gamma) * (1.0 + _SLACK)
    return pregate_pairs_var(pos[rows], tr[rows], pos[cand], tr[cand], scale, ordered=False)


@functools.lru_cache(maxsize=16)
def _chi2_ppf(probability: float, dof: int) -> float:
    """``chi2.ppf(probability, dof)``, memoized (the threshold of every update's test is
    one of a few values), as scipy.special's inverse survival function: importing
    scipy.stats costs every CLI run about 0.6 s, and its ppf ~0.1 ms per call."""
    return float(special.chdtri(dof, 1.0 - probability))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DuplicateRule:
    """Of two firm tracks that pass the same-target test (:func:`same_target_pairs`,
    chi-square on positions and velocities at ``gate_probability``) at each update of
    one of them for ``min_duration_s`` seconds, delete that one, when updated, if it is
    the less supported: fewer hits over its last ``recent_looks`` looks, or as many and
    younger (module docstring). The run of updates with a partner counts whichever of
    the two ranks higher meanwhile (two tracks that take one target's plots in turn
    swap ranks), and the rank decides at the end.

    ``gate_probability`` : probability that the test accepts two tracks of one target
    (ignoring their cross-covariance; see the module docstring).
    ``min_duration_s`` : how long the pair must stay inseparable (a crossing or a
    close pass of two targets with different velocities fails the test anyway).
    ``recent_looks`` : looks (of any sensor) over which hits are counted, 0-64; 0: the
    younger is always deleted.
    """

    gate_probability: float = 0.99
    min_duration_s: float = 10.0
    recent_looks: int = 8

    def __post_init__(self) -> None:
        if not 0.0 < self.gate_probability < 1.0:
            raise ValueError("DuplicateRule.gate_probability: must be in (0, 1)")
        if not self.min_duration_s >= 0.0:
            raise ValueError("DuplicateRule.min_duration_s: must be >= 0")
        if not 0 <= self.recent_looks <= 64:
            raise ValueError("DuplicateRule.recent_looks: must be in [0, 64]")

    def rank(self, track_id: I64, hist: NDArray[np.uint64]) -> I64:
        """(n,) rank of each track, higher kept: hits over the last ``recent_looks``
        looks (``hist``: a track's hit (1) / miss (0) bits, the latest lowest), then
        the older (smaller id) first."""
        hits = recent_hits(hist, self.recent_looks)
        rank = np.empty(track_id.shape[0], np.int64)
        rank[np.lexsort((-track_id, hits))] = np.arange(track_id.shape[0])
        return rank

    def duplicates(
        self, track_id: I64, firm: B, hit_now: B, x: F64, P: F64, ndim: int, dup_since_s: F64,
        t_s: float, hist: NDArray[np.uint64] | None = None,
    ) -> B:  # fmt: skip
        """Tracks (n,) to delete now; updates ``dup_since_s`` (n,) in place.

        ``dup_since_s``: time since which each track has continuously had a same-target
        partner at its updates, NaN if none (``hist`` (n,), the tracks' hit bits; None:
        ranked by age alone). Only tracks updated now (``hit_now``) are tested (their
        states are fresh); others keep their state.
        """
        rows = (firm & hit_now).nonzero()[0]
        out = np.zeros(track_id.shape[0], bool)
        if rows.shape[0] == 0:
            return out
        gamma = _chi2_ppf(self.gate_probability, 2 * ndim)
        rank = self.rank(track_id, np.zeros_like(track_id, np.uint64) if hist is None else hist)
        best = best_partner_rank(x, P, rows, firm.nonzero()[0], ndim, gamma, rank)
        since = dup_since_s[rows]
        dup_since_s[rows] = np.where(best >= 0, np.where(np.isnan(since), t_s, since), np.nan)
        lasted = t_s - dup_since_s[rows] >= self.min_duration_s
        out[rows] = lasted & (best > rank[rows])
        return out
