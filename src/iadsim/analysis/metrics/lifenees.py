"""NEES of every confirmed track over its life, per threat class, independent of any cut-off.

The GOSPA assignment of :func:`.score.score_frames` depends on its cut-off ``c``,
so a NEES over its pairs does too. Here each track is associated with one truth
by a rule of its own (:data:`ASSOCIATION_RULE`), its NEES is computed from the
full position-velocity covariance at every row of its life
(:meth:`iadsim.frames.Tracks.state_cov`), averaged over the track, and the
per-track averages are averaged per threat class.

Truth velocity. By default the truth's own velocity at the track time is used,
right for a simulated motion. A replayed recording's velocity is the finite
difference of consecutive reports (:mod:`iadsim.truth.replay`), and recorded
positions carry time-stamp errors along track (OpenSky state vectors stamp the last
position with the vector's time: ~0.3 s rms in the Paris sample, 40 m/s rms of
along-track velocity noise at 1 s reports), so that velocity is noise a tracker
cannot, and should not, follow. ``truth_vel_window_s = w`` uses the truth's mean
velocity over ``[t - w/2, t + w/2]`` (its displacement over the window, clamped to
its life) instead: the velocity a tracker with a few-second revisit can observe.

Bounds. The NEES samples of one track are correlated in time (the same filter
state carries over), so they are not independent draws. The sample here is one
value per track: its time-averaged NEES. If the filter is consistent its
expectation is ``d`` (the state dimension), and its spread is at most that of a
single chi-square(d) draw (averaging correlated draws never widens it). Treating
the ``N`` independent tracks of a class as ``N`` draws of chi-square(d) gives
the interval ``chi2_bounds(d, N)`` ([BLK01]_ eq. 5.4.2-7 with runs = tracks):
conservative (wide) for long tracks, exact for one-row tracks.

References
----------
.. [BLK01] Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with
   Applications to Tracking and Navigation*, Wiley, 2001, sec. 5.4.2.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from iadsim.analysis.metrics.align import interpolate_truth
from iadsim.analysis.metrics.consistency import chi2_bounds, nees
from iadsim.frames import Tracks, TrackStatus, Truth

__all__ = ["ASSOCIATION_RULE", "ClassNees", "LifeNees", "track_life_nees", "windowed_velocity"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

ASSOCIATION_RULE = (
    "each confirmed track is associated with the truth that lies inside its "
    "position gate (chi-square, d dof, probability 1 - 1e-6) at the most of its "
    "rows, if that is at least half of them (ties: the smaller summed distance); "
    "other tracks are unassociated"
)
#: pairs (track row, live truth) evaluated in one vectorized block
_PAIR_BLOCK = 2_000_000


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClassNees:
    """Life NEES of one threat class: the mean of its tracks' time-averaged NEES."""

    name: str
    n_tracks: int
    n_rows: int
    nees_mean: float
    dof: int
    lo: float
    hi: float
    prob: float

    @property
    def inside(self) -> bool:
        """Whether the mean lies inside its ``prob`` interval."""
        return self.lo <= self.nees_mean <= self.hi


@dataclasses.dataclass(frozen=True, kw_only=True)
class LifeNees:
    """Per-track and per-class life NEES (see the module docstring for the bounds).

    Per associated track (arrays of equal length): ``track_id``, ``truth_id``,
    ``n_rows`` (rows scored) and ``nees_mean`` (time-averaged NEES). ``classes``
    holds one :class:`ClassNees` per threat class, sorted by name. Per scored row
    (arrays of equal length, sorted by track then time): ``row_track_id``,
    ``row_t_s``, ``row_nees`` (``dof`` states), ``row_pos_nees`` (position only,
    ``n_dim`` dof), ``row_vel_nees`` (velocity only, ``n_dim`` dof; NaN without
    velocities) and ``row_truth_id``, for per-sample statistics (e.g.
    :func:`~iadsim.analysis.metrics.consistency.effective_samples`).
    ``truth_vel_window_s`` is the window of the truth velocity (0: instantaneous).
    """

    track_id: I64
    truth_id: I64
    n_rows: I64
    nees_mean: F64
    dof: int
    classes: tuple[ClassNees, ...]
    n_unassociated: int
    rule: str = ASSOCIATION_RULE
    row_track_id: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    row_t_s: F64 = dataclasses.field(default_factory=lambda: np.zeros(0))
    row_nees: F64 = dataclasses.field(default_factory=lambda: np.zeros(0))
    row_pos_nees: F64 = dataclasses.field(default_factory=lambda: np.zeros(0))
    row_vel_nees: F64 = dataclasses.field(default_factory=lambda: np.zeros(0))
    row_truth_id: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    truth_vel_window_s: float = 0.0


def _rows_usable(trk: Tracks, n_dim: int, full: bool) -> tuple[Tracks, F64]:
    """Rows with a finite state and a positive-definite covariance, and that covariance."""
    cov = trk.state_cov(n_dim)
    if not full:
        cov = cov[:, :n_dim, :n_dim]
    state = np.hstack([trk.pos_m()[:, :n_dim], trk.vel_mps()[:, :n_dim]])[:, : cov.shape[1]]
    ok = np.all(np.isfinite(state), axis=1) & np.all(np.isfinite(cov), axis=(1, 2))
    ok[ok] = np.all(np.linalg.eigvalsh(cov[ok]) > 0, axis=1)
    return trk.select(ok), cov[ok]


def _truth_rows(
    truth: Truth, t_s: F64, n_dim: int, tol_s: float, window_s: float
) -> tuple[I64, F64, F64]:
    """Live truth (ids, times, [pos | vel]) interpolated at the times ``t_s``, sorted by
    time; velocity windowed over ``window_s`` if positive (module doc)."""
    values = np.hstack([truth.pos_m()[:, :n_dim], truth.vel_mps()[:, :n_dim]])
    ids, row_t, vals, _ = interpolate_truth(
        truth.t_s, truth.threat_id, values, np.unique(t_s), alive=truth.alive, tol_s=tol_s
    )
    if window_s > 0.0 and ids.size:
        vals[:, n_dim:] = windowed_velocity(truth, ids, row_t, window_s)[:, :n_dim]
    order = np.argsort(row_t, kind="stable")
    return ids[order], row_t[order], vals[order]


def windowed_velocity(truth: Truth, ids: I64, t_s: F64, window_s: float) -> F64:
    r"""Mean velocity of truth ``ids`` over ``[t - w/2, t + w/2]``, m/s, shape (n, 3).

    :math:`\bar v = (p(b) - p(a)) / (b - a)` with ``a``, ``b`` the window's ends
    clamped to the target's live samples and ``p`` its positions interpolated linearly;
    the instantaneous velocity where the clamped window is empty (a one-sample life).
    Live samples of one id are taken as one contiguous life.

    Parameters
    ----------
    truth : Truth
        All truth rows (live ones used).
    ids, t_s : arrays (n,)
        Target id and time of each query (each id present among the live rows).
    window_s : float
        Window length ``w`` > 0, s.

    Returns
    -------
    float64 (n, 3)
        Mean east, north, up velocity of each query, m/s.
    """
    live = truth.select(truth.alive)
    order = np.lexsort((live.t_s, live.threat_id))
    tid, t = live.threat_id[order], live.t_s[order]
    u, first, rank = np.unique(tid, return_index=True, return_inverse=True)
    rank = rank.reshape(-1)
    span = 2.0 * (float(np.ptp(t)) + window_s + 1.0)
    key = rank * span + t  # targets laid end to end on one increasing axis
    last = np.append(first[1:], t.size) - 1
    q_rank = np.searchsorted(u, ids)
    lo, hi = key[first][q_rank], key[last][q_rank]
    q_key = q_rank * span + np.asarray(t_s, dtype=np.float64)
    a = np.clip(q_key - window_s / 2.0, lo, hi)
    b = np.clip(q_key + window_s / 2.0, lo, hi)
    pos = live.pos_m()[order]
    disp = np.stack([np.interp(b, key, pos[:, j]) - np.interp(a, key, pos[:, j]) for j in range(3)])
    vel = live.vel_mps()[order]
    inst = np.stack([np.interp(q_key, key, vel[:, j]) for j in range(3)], axis=-1)
    dt = b - a
    return np.where((dt > 0)[:, None], disp.T / np.where(dt > 0, dt, 1.0)[:, None], inst)


def _pair_blocks(track_t: F64, truth_t: F64) -> Iterator[tuple[I64, I64]]:
    """All (track row, truth row) index pairs at equal times (both inputs sorted),
    in blocks of whole times of about :data:`_PAIR_BLOCK` pairs."""
    times, k_start, k_count = np.unique(track_t, return_index=True, return_counts=True)
    q_lo = np.searchsorted(truth_t, times, side="left")
    q_count = np.searchsorted(truth_t, times, side="right") - q_lo
    per_time = k_count * q_count
    ends = np.r_[np.flatnonzero(np.diff(np.cumsum(per_time) // _PAIR_BLOCK)) + 1, times.size]
    start = 0
    for end in ends.tolist():
        sl = slice(start, end)
        start = end
        n = per_time[sl]
        block = np.repeat(np.arange(n.size), n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        qc = np.maximum(q_count[sl][block], 1)
        yield k_start[sl][block] + offset // qc, q_lo[sl][block] + offset % qc


def _gate_pairs(trk: Tracks, cov: F64, tv: F64, tt: F64, n_dim: int) -> tuple[I64, I64, F64]:
    """(track row, truth row) pairs inside the position gate, and their distances."""
    gate = float(chi2.ppf(1.0 - 1e-6, n_dim))
    pinv = np.linalg.inv(cov[:, :n_dim, :n_dim])
    pos = trk.pos_m()[:, :n_dim]
    ks, qs, ds = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    for k, q in _pair_blocks(trk.t_s, tt):
        e = tv[q, :n_dim] - pos[k]
        d2 = np.einsum("ni,nij,nj->n", e, pinv[k], e)
        inside = d2 <= gate
        ks.append(k[inside])
        qs.append(q[inside])
        ds.append(d2[inside])
    return np.concatenate(ks), np.concatenate(qs), np.concatenate(ds)


def _own_truth_rows(trk_t: F64, want: I64, tt: F64, ids: I64) -> tuple[I64, I64]:
    """(track row, truth row) where the truth row is the track's own truth at its time
    (``want``: the truth id of each track row, -1 if none; ``tt``, ``ids`` non-empty)."""
    times, u_ids = np.unique(tt), np.unique(ids)
    key_truth = np.searchsorted(times, tt) * u_ids.size + np.searchsorted(u_ids, ids)
    order = np.argsort(key_truth)
    rank = np.clip(np.searchsorted(u_ids, want), 0, u_ids.size - 1)
    key = np.searchsorted(times, trk_t) * u_ids.size + rank
    pos = np.clip(np.searchsorted(key_truth[order], key), 0, order.size - 1)
    ok = (u_ids[rank] == want) & (key_truth[order][pos] == key)
    k = np.flatnonzero(ok)
    return k, order[pos[k]]


def _associate(trk: Tracks, truth_id_of_q: I64, k: I64, q: I64, d2: F64) -> dict[int, int]:
    """Track id -> truth id by :data:`ASSOCIATION_RULE`."""
    tid = trk.track_id
    u_track, rows_per_track = np.unique(tid, return_counts=True)
    if k.size == 0:
        return {}
    pair_track, pair_truth = tid[k], truth_id_of_q[q]
    keys, inv = np.unique(np.stack([pair_track, pair_truth], axis=1), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    count = np.bincount(inv, minlength=len(keys))
    dist = np.bincount(inv, weights=d2, minlength=len(keys))
    order = np.lexsort((dist, -count, keys[:, 0]))  # per track: most rows, then nearest
    best = order[np.r_[True, keys[order[1:], 0] != keys[order[:-1], 0]]]
    n_rows = dict(zip(u_track.tolist(), rows_per_track.tolist(), strict=True))
    return {
        int(keys[b, 0]): int(keys[b, 1])
        for b in best.tolist()
        if 2 * count[b] >= n_rows[int(keys[b, 0])]
    }


def track_life_nees(
    truth: Truth,
    tracks: Tracks,
    *,
    n_dim: int = 3,
    truth_class: Mapping[int, str] | None = None,
    statuses: Sequence[int] | None = (TrackStatus.CONFIRMED, TrackStatus.COASTING),
    prob: float = 0.95,
    time_tol_s: float = 1e-6,
    truth_vel_window_s: float = 0.0,
) -> LifeNees:
    """NEES of each track over its life, averaged per threat class, with its bounds.

    Parameters
    ----------
    truth : Truth
        Truth (live rows are used; linearly interpolated at the track times).
    tracks : Tracks
        The tracker's own rows (not held or extrapolated ones), with the full
        covariance columns (off-diagonal terms 0 if the producer gave none).
    n_dim : int
        2 scores (e, n), 3 scores (e, n, u).
    truth_class : mapping int -> str, optional
        Threat class of each truth id (default: one class, ``"all"``).
    statuses : sequence of int or None
        Track statuses scored (default confirmed and coasting); None: all.
    prob : float
        Probability of the two-sided interval.
    time_tol_s : float
        Tolerance for snapping a track time onto a truth sample, s.
    truth_vel_window_s : float
        0: the truth's instantaneous velocity; ``w > 0``: its mean velocity over a
        window of ``w`` s centred on the track time (for replayed recordings, module
        doc; 20 s spans two 10 s reports or four scans of a 4.8 s radar).

    Returns
    -------
    LifeNees
        The NEES is over position and velocity (``dof = 2 n_dim``) when the
        truth has velocities and the tracks velocity variances, position only
        (``dof = n_dim``) otherwise. Rows
        with a non-finite state or a covariance that is not positive definite
        are left out.
    """
    if n_dim not in (2, 3):
        raise ValueError(f"n_dim must be 2 or 3 (got {n_dim})")
    if not (math.isfinite(truth_vel_window_s) and truth_vel_window_s >= 0.0):
        raise ValueError(f"truth_vel_window_s must be >= 0 (got {truth_vel_window_s})")
    trk = tracks
    if statuses is not None:
        trk = trk.select(np.isin(trk.status, np.asarray(statuses, dtype=np.int8)))
    vel_cov = trk.state_cov(n_dim)[:, n_dim:, n_dim:]
    full = bool(
        np.all(np.isfinite(truth.vel_mps()[truth.alive, :n_dim]))
        and np.all(np.isfinite(vel_cov))
        and np.all(np.isfinite(trk.vel_mps()[:, :n_dim]))
    )
    dof = 2 * n_dim if full else n_dim
    trk = trk.select(np.argsort(trk.t_s, kind="stable"))
    trk, cov = _rows_usable(trk, n_dim, full)
    ids, tt, tv = _truth_rows(truth, trk.t_s, n_dim, time_tol_s, truth_vel_window_s)
    has_truth = np.isin(trk.t_s, tt)
    trk, cov = trk.select(has_truth), cov[has_truth]
    if len(trk) == 0:
        return _empty(dof, truth_vel_window_s)
    k, q, d2 = _gate_pairs(trk, cov, tv, tt, n_dim)
    assoc = _associate(trk, ids, k, q, d2)
    # rows of each associated track where its truth is live: the truth row at that time
    want = np.array([assoc.get(int(i), -1) for i in trk.track_id.tolist()], dtype=np.int64)
    k_m, q_m = _own_truth_rows(trk.t_s, want, tt, ids)
    state = np.hstack([trk.pos_m()[:, :n_dim], trk.vel_mps()[:, :n_dim]])[:, :dof]
    err = tv[q_m, :dof] - state[k_m]
    eps = nees(err, cov[k_m])
    eps_pos = nees(err[:, :n_dim], cov[k_m][:, :n_dim, :n_dim])
    eps_vel = nees(err[:, n_dim:], cov[k_m][:, n_dim:, n_dim:]) if full else eps_pos * np.nan
    by_track = np.lexsort((trk.t_s[k_m], trk.track_id[k_m]))
    u_trk, inv, n_rows = np.unique(trk.track_id[k_m], return_inverse=True, return_counts=True)
    per_track = np.bincount(inv.reshape(-1), weights=eps, minlength=u_trk.size) / np.maximum(
        n_rows, 1
    )
    truth_of = np.array([assoc[int(i)] for i in u_trk.tolist()], dtype=np.int64)
    return LifeNees(
        track_id=u_trk.astype(np.int64),
        truth_id=truth_of,
        n_rows=n_rows.astype(np.int64),
        nees_mean=per_track,
        dof=dof,
        classes=_per_class(truth_of, n_rows, per_track, truth_class, dof, prob),
        n_unassociated=int(np.unique(trk.track_id).size - u_trk.size),
        row_track_id=trk.track_id[k_m][by_track].astype(np.int64),
        row_t_s=trk.t_s[k_m][by_track],
        row_nees=eps[by_track],
        row_pos_nees=eps_pos[by_track],
        row_vel_nees=eps_vel[by_track],
        row_truth_id=ids[q_m][by_track].astype(np.int64),
        truth_vel_window_s=float(truth_vel_window_s),
    )


def _empty(dof: int, window_s: float) -> LifeNees:
    none = np.zeros(0, np.int64)
    return LifeNees(
        track_id=none, truth_id=none, n_rows=none, nees_mean=np.zeros(0), dof=dof,
        classes=(), n_unassociated=0, truth_vel_window_s=float(window_s),
    )  # fmt: skip


def _per_class(
    truth_of: I64,
    n_rows: NDArray[np.intp],
    per_track: F64,
    truth_class: Mapping[int, str] | None,
    dof: int,
    prob: float,
) -> tuple[ClassNees, ...]:
    names = np.array(
        [(truth_class or {}).get(int(i), "all") for i in truth_of.tolist()], dtype=object
    )
    out = []
    for name in sorted(set(names.tolist())):
        sel = names == name
        n = int(sel.sum())
        lo, hi = chi2_bounds(dof, n, prob)
        out.append(
            ClassNees(
                name=str(name),
                n_tracks=n,
                n_rows=int(n_rows[sel].sum()),
                nees_mean=float(per_track[sel].mean()),
                dof=dof,
                lo=lo,
                hi=hi,
                prob=prob,
            )
        )
    return tuple(out)
