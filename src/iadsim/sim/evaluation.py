"""Evaluation of a run against truth: which threat each track follows, and when.

Everything here reads truth and exists only for the summary and the engagement log's
evaluation columns; no decision stage ever sees it (the pipeline hands decisions a
:class:`~iadsim.picture.TrackPicture` built from tracks alone).

Per-update association: at every radar dwell, each live track is attributed to the
nearest living threat within :data:`TRACK_TRUTH_GATE_M` of its estimate at that time
among the threats some radar has already detected (a track cannot follow a threat that
never produced a plot: the neighbour of a formation member is not credited with its
track), or to none. Per threat this gives the first firm track, the first fire-control
track (a track attributed to it that an engagement radar updated) and, for each salvo,
the threat its track followed at launch.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.frames import Tracks, TrackStatus, Truth

__all__ = ["TRACK_TRUTH_GATE_M", "Evaluation", "nearest_threat"]

F = NDArray[np.float64]

#: A track is attributed to the nearest living threat within this distance, m.
TRACK_TRUTH_GATE_M = 10_000.0


def nearest_threat(
    pos_m: F, truth: Truth, gate_m: float = TRACK_TRUTH_GATE_M,
    eligible: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:  # fmt: skip
    """Threat id (T,) nearest to each position (T, 3) among living threats (and, if
    given, ``eligible[threat_id]`` ones), -1 beyond ``gate_m`` or when there is none.

    Candidates within the gate come from a k-d tree over the threats (T log A, not
    T A); the distances of those pairs are then computed as the all-pairs form would,
    ties going to the lower threat row, so both forms give the same ids.
    """
    out = np.full(pos_m.shape[0], -1, dtype=np.int64)
    alive = truth.alive
    if eligible is not None:
        alive = alive & eligible[truth.threat_id]
    if pos_m.shape[0] == 0 or not alive.any():
        return out
    tp = truth.pos_m()[alive]
    i, j = _pairs_within(pos_m, tp, gate_m)
    d = np.sqrt(np.sum((pos_m[i] - tp[j]) ** 2, axis=-1))
    ok = d <= gate_m
    i, j, d = i[ok], j[ok], d[ok]
    first = np.lexsort((j, d, i))  # per position: the nearest, then the lower row
    i, j = i[first], j[first]
    lead = np.ones(i.shape[0], dtype=bool)
    lead[1:] = i[1:] != i[:-1]
    out[i[lead]] = truth.threat_id[alive][j[lead]]
    return out


def _pairs_within(a: F, b: F, r: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All (i, j) with rows ``a[i]``, ``b[j]`` possibly within ``r`` (a superset: the
    tree's radius has 1e-9 relative slack; small inputs give every pair)."""
    if a.shape[0] * b.shape[0] <= 4096 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        i, j = np.indices((a.shape[0], b.shape[0])).reshape(2, -1)
        return i.astype(np.int64), j.astype(np.int64)
    res = cKDTree(a).sparse_distance_matrix(
        cKDTree(b), r * (1 + 1e-9) + 1e-6, output_type="ndarray"
    )
    return res["i"].astype(np.int64), res["j"].astype(np.int64)


@dataclasses.dataclass
class Evaluation:
    """Per-run evaluation state (truth side), updated at every dwell.

    The attribution of every live track is computed lazily: a dwell's tracks are
    kept (:meth:`observe`) and attributed when asked (:meth:`threats_of`) or when a
    later dwell no longer holds them, which gives each track the attribution of the
    last dwell that held it, as attributing all tracks at every dwell would.
    """

    n_threats: int
    radar_pos_m: F
    track_threat: dict[int, int] = dataclasses.field(default_factory=dict)
    detected: NDArray[np.bool_] = dataclasses.field(init=False)
    first_track_t_s: F = dataclasses.field(init=False)
    first_track_range_m: F = dataclasses.field(init=False)
    first_fc_t_s: F = dataclasses.field(init=False)
    first_fc_range_m: F = dataclasses.field(init=False)
    _pending: tuple[NDArray[np.int64], F, Truth, NDArray[np.bool_]] | None = None

    def __post_init__(self) -> None:
        n = self.n_threats
        self.detected = np.zeros(n, dtype=bool)
        self.first_track_t_s, self.first_track_range_m = np.full(n, np.nan), np.full(n, np.nan)
        self.first_fc_t_s, self.first_fc_range_m = np.full(n, np.nan), np.full(n, np.nan)

    def note_plots(self, truth_id: NDArray[np.int64]) -> None:
        """Threats that produced a plot (``truth_id`` of a dwell's detections)."""
        ok = truth_id[(truth_id >= 0) & (truth_id < self.n_threats)]
        self.detected[ok] = True

    def observe(
        self, tracks: Tracks, truth: Truth, t_s: float, hit_ids: NDArray[np.int64],
        radar_id: int, fire_control: bool,
    ) -> None:  # fmt: skip
        """Attribute the live ``tracks`` of a dwell at ``t_s`` to threats; note first
        firm and first fire-control tracks (``hit_ids``: tracks the dwell updated).

        Only the tracks that can set a first time are attributed now: firm tracks
        while some eligible living threat has no firm track yet, and the updated
        tracks of an engagement radar's dwell (the others when needed, class doc).
        """
        live = tracks.status != TrackStatus.DELETED
        if not live.any():
            return
        ids, pos = tracks.track_id[live], tracks.pos_m()[live]
        self._settle(ids)
        self._pending = (ids, pos, truth, self.detected.copy())
        firm = (tracks.status[live] != TrackStatus.TENTATIVE).nonzero()[0]
        if firm.size and self._open(self.first_track_t_s, truth):
            threat = nearest_threat(pos[firm], truth, eligible=self.detected)
            self._first(self.first_track_t_s, self.first_track_range_m, threat, pos[firm], t_s)
        if fire_control and hit_ids.size and self._open(self.first_fc_t_s, truth):
            hit = np.isin(ids, hit_ids).nonzero()[0]
            threat = nearest_threat(pos[hit], truth, eligible=self.detected)
            self._first(self.first_fc_t_s, self.first_fc_range_m, threat, pos[hit], t_s, radar_id)

    def _open(self, t_out: F, truth: Truth) -> bool:
        """Whether some eligible living threat has no first time in ``t_out`` yet."""
        todo = self.detected & np.isnan(t_out)
        return bool(np.any(truth.alive & todo[truth.threat_id]))

    def _settle(self, keep_ids: NDArray[np.int64]) -> None:
        """Attribute the kept dwell's tracks that are not in ``keep_ids`` (their last)."""
        if self._pending is None:
            return
        ids, pos, truth, detected = self._pending
        if keep_ids.size and np.all(keep_ids[1:] > keep_ids[:-1]):  # the tracker's id order
            k = np.minimum(np.searchsorted(keep_ids, ids), keep_ids.size - 1)
            gone = (keep_ids[k] != ids).nonzero()[0]
        else:
            gone = (~np.isin(ids, keep_ids)).nonzero()[0]
        if gone.size:
            threat = nearest_threat(pos[gone], truth, eligible=detected)
            self.track_threat.update(zip(ids[gone].tolist(), threat.tolist(), strict=True))

    def _first(
        self, t_out: F, r_out: F, threat: NDArray[np.int64], pos: F, t_s: float,
        radar: int | None = None,
    ) -> None:  # fmt: skip
        """First time of each threat not set yet (the first row wins) and the range of
        its track (T, 3) to ``radar`` (None: to the nearest radar)."""
        ok = (threat >= 0).nonzero()[0]
        ok = ok[np.isnan(t_out[threat[ok]])]
        th, first = np.unique(threat[ok], return_index=True)
        rows = ok[first]
        rng_m = np.sqrt(np.sum((pos[rows, None, :] - self.radar_pos_m[None]) ** 2, axis=-1))
        t_out[th] = t_s
        r_out[th] = rng_m.min(axis=1) if radar is None else rng_m[:, radar]

    def threats_of(self, track_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """The threat each track was last attributed to (-1: none or never seen)."""
        out = np.array([self.track_threat.get(int(i), -1) for i in track_id], dtype=np.int64)
        if self._pending is None or out.size == 0:
            return out
        ids, pos, truth, detected = self._pending
        order = np.argsort(ids)
        row = order[np.minimum(np.searchsorted(ids, track_id, sorter=order), ids.size - 1)]
        held = ids[row] == track_id
        if held.any():
            out[held] = nearest_threat(pos[row[held]], truth, eligible=detected)
        return out
