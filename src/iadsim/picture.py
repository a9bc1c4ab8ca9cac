"""The air picture as the defender knows it at a decision time (no truth in it).

A :class:`TrackPicture` is what every decision stage reads: the firm tracks, when
each was last updated by a detection, when each battery's engagement radar last
updated it (a *fire-control track* is one the engagement radar has updated twice
within its hold time), which tracks are near-duplicates of one target,
and the tracks deleted since the previous picture (for handover of rounds in
flight). It is built from the tracker's output only; truth never enters it, so a
decision that reads only pictures cannot depend on truth.

Near-duplicate tracks (:func:`duplicate_groups`)
------------------------------------------------
Two tracks are taken to be one target when both their positions and their
velocities agree within a chi-square gate given their summed (diagonal)
covariances: ``d2 = sum_k (a_k - b_k)^2 / (var_a,k + var_b,k) <= gamma`` for the
three position and, separately, the three velocity components (``gamma`` =
chi-square 3 DOF 99%, 11.34; Bar-Shalom, Li, Kirubarajan, *Estimation with
Applications to Tracking and Navigation*, 2001, sec. 11.4 track-to-track
association). Groups are the connected components of that relation.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from iadsim.frames import Tracks
from iadsim.numeric import sorted_position

__all__ = ["DUPLICATE_GATE", "TrackPicture", "duplicate_groups"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]

#: chi-square, 3 degrees of freedom, 99%: the near-duplicate gate.
DUPLICATE_GATE = 11.345


def duplicate_groups(tracks: Tracks, gate: float = DUPLICATE_GATE) -> I64:
    """Target group label (T,) of each track: near-duplicates share one (module doc).

    Labels are 0..G-1, numbered in order of each group's first track row. Candidate
    pairs come from a k-d tree (:func:`_candidate_pairs`), so a picture of a thousand
    tracks costs T log T, not T^2; the gate is then applied to those pairs exactly.
    """
    n = len(tracks)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    pos = tracks.pos_m()
    vel = tracks.vel_mps()
    pvar = np.stack([tracks.var_e_m2, tracks.var_n_m2, tracks.var_u_m2], axis=-1)
    vvar = np.stack([tracks.var_ve_m2ps2, tracks.var_vn_m2ps2, tracks.var_vu_m2ps2], axis=-1)
    i, j = _candidate_pairs(pos, pvar, gate)
    same = (_pair_d2(pos, pvar, i, j) <= gate) & (_pair_d2(vel, vvar, i, j) <= gate)
    i, j = i[same], j[same]
    graph = coo_matrix((np.ones(i.size), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # renumber by first appearance so labels do not depend on scipy's numbering
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse]


def _candidate_pairs(pos: F, var: F, gate: float) -> tuple[I64, I64]:
    """Pairs (i < j) that may pass the position gate: a superset of those with
    ``sum_k d_k^2 / (va_k + vb_k) <= gate``.

    Such a pair has ``|d|^2 <= gate (m_i + m_j) <= 2 gate max(m_i, m_j)`` with ``m`` the
    largest variance of a row, so it lies within ``r_i = sqrt(2 gate m_i)`` of one of
    its two tracks (1e-6 relative slack for the tree's rounding). Non-finite values
    fall back to all pairs.
    """
    n = pos.shape[0]
    r = np.sqrt(2.0 * gate * var.max(axis=1)) * (1.0 + 1e-6) + 1e-9
    if n <= 64 or not (np.isfinite(pos).all() and np.isfinite(r).all()):
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.int64), j.astype(np.int64)
    tree = cKDTree(pos, balanced_tree=False, compact_nodes=False)  # built per picture:
    hits = tree.query_ball_point(pos, r, return_sorted=False)  # unbalanced is cheaper
    lens = np.fromiter(map(len, hits), dtype=np.int64, count=n)
    a = np.repeat(np.arange(n, dtype=np.int64), lens)
    b = np.fromiter(itertools.chain.from_iterable(hits), dtype=np.int64, count=int(lens.sum()))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = np.unique(lo[lo != hi] * n + hi[lo != hi])
    return key // n, key % n


def _pair_d2(x: F, var: F, i: I64, j: I64) -> F:
    """(p,) chi-square distance of the row pairs (i, j) of ``x`` (T, 3)."""
    diff = x[i] - x[j]
    s = var[i] + var[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = np.where(s > 0, diff * diff / np.where(s > 0, s, 1.0), np.where(diff == 0, 0, np.inf))
    return np.asarray(d2.sum(axis=-1))


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class TrackPicture:
    """What the defender knows at ``t_s`` (module doc).

    Attributes
    ----------
    t_s : decision time, s.
    tracks : firm tracks predicted to ``t_s`` (T rows).
    last_hit_t_s : (T,) time of each track's last detection (any radar), s.
    battery_id : (B,) battery ids, the column order of the per-battery arrays.
    fc_last_hit_t_s : (T, B) time each battery's engagement radar last updated
        the track (-inf: never).
    fc_prev_hit_t_s : (T, B) time of the update before that one (-inf: none).
    fc_hold_s : (B,) longest age of a fire-control track, s.
    group : (T,) near-duplicate target label (:func:`duplicate_groups`).
    deleted : last estimates of the tracks deleted since the previous picture.
    """

    t_s: float
    tracks: Tracks
    last_hit_t_s: F
    battery_id: I64
    fc_last_hit_t_s: F
    fc_prev_hit_t_s: F
    fc_hold_s: F
    group: I64
    deleted: Tracks = dataclasses.field(default_factory=Tracks.empty)

    def __post_init__(self) -> None:
        n, b = len(self.tracks), self.battery_id.shape[0]
        if self.last_hit_t_s.shape != (n,) or self.group.shape != (n,):
            raise ValueError("TrackPicture: last_hit_t_s and group need one value per track")
        if self.fc_last_hit_t_s.shape != (n, b) or self.fc_prev_hit_t_s.shape != (n, b):
            raise ValueError("TrackPicture: fc_last_hit_t_s and fc_prev_hit_t_s are (T, B)")
        if self.fc_hold_s.shape != (b,):
            raise ValueError("TrackPicture: fc_hold_s (B,) expected")

    @classmethod
    def of_tracks(
        cls,
        tracks: Tracks,
        t_s: float,
        *,
        battery_id: I64,
        fc_hold_s: F,
        last_hit_t_s: F | None = None,
        fc_last_hit_t_s: F | None = None,
        fc_prev_hit_t_s: F | None = None,
        deleted: Tracks | None = None,
    ) -> TrackPicture:
        """A picture with groups computed; hit times default to ``t_s`` (fresh),
        fire-control hits to never, the previous fire-control hit to the last one."""
        n, b = len(tracks), np.asarray(battery_id).shape[0]
        fc_last = np.full((n, b), -np.inf) if fc_last_hit_t_s is None else fc_last_hit_t_s
        return cls(
            t_s=float(t_s),
            tracks=tracks,
            last_hit_t_s=np.full(n, float(t_s)) if last_hit_t_s is None else last_hit_t_s,
            battery_id=np.asarray(battery_id, dtype=np.int64),
            fc_last_hit_t_s=fc_last,
            fc_prev_hit_t_s=fc_last if fc_prev_hit_t_s is None else fc_prev_hit_t_s,
            fc_hold_s=np.asarray(fc_hold_s, dtype=np.float64),
            group=duplicate_groups(tracks),
            deleted=Tracks.empty() if deleted is None else deleted,
        )

    @property
    def fc_held(self) -> NDArray[np.bool_]:
        """(T, B): the track is a fire-control-quality track of the battery now: its
        engagement radar updated it twice within ``fc_hold_s`` (what a launch needs)."""
        return np.asarray(self.t_s - self.fc_prev_hit_t_s <= self.fc_hold_s[None, :])

    @property
    def fc_tracking(self) -> NDArray[np.bool_]:
        """(T, B): the battery's engagement radar updated the track within ``fc_hold_s``
        (what keeps a round in flight supported)."""
        return np.asarray(self.t_s - self.fc_last_hit_t_s <= self.fc_hold_s[None, :])

    def rows_of(self, track_id: I64) -> I64:
        """Row of each id in ``tracks`` (-1 where the id is not in the picture)."""
        ids = self.tracks.track_id
        return sorted_position(ids, track_id, sorter=np.argsort(ids))

    def column(self, battery_id: int) -> int:
        """Column of ``battery_id`` in the per-battery arrays."""
        hit = np.flatnonzero(self.battery_id == battery_id)
        if hit.size == 0:
            raise KeyError(f"battery {battery_id} is not in the picture")
        return int(hit[0])
