"""Evaluation of a run against truth: which threat each track follows, and when.

Everything here reads truth and exists only for the summary and the engagement log's
evaluation columns; no decision stage ever sees it (the pipeline hands decisions a
:class:`~iadsim.picture.TrackPicture` built from tracks alone).

Attribution: a track is attributed to the nearest living threat within
:data:`TRACK_TRUTH_GATE_M` of its estimate at a look's time among the threats some
radar has already detected (a track cannot follow a threat that never produced a
plot: the neighbour of a formation member is not credited with its track), or to
none. At every look with plots, the firm tracks are attributed while some threat has
no first firm track (those the look changed: a track is confirmed at a look that
updates it), and the tracks an engagement radar updated while some threat has no first
fire-control track; a salvo's track is attributed at the last look with plots
before its launch. Per threat this gives the first firm track, the first fire-control
track and, for each salvo, the threat its track followed at launch.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.frames import Tracks, TrackStatus, Truth
from iadsim.numeric import norm3, sorted_position

__all__ = ["TRACK_TRUTH_GATE_M", "Evaluation", "near_any", "nearest_threat"]

F = NDArray[np.float64]

#: A track is attributed to the nearest living threat within this distance, m.
TRACK_TRUTH_GATE_M = 10_000.0
#: Position-threat pairs up to which :func:`near_any` tests every pair (beyond: a tree).
ALL_PAIRS_NEAR = 4096


def nearest_threat(
    pos_m: F, truth: Truth, gate_m: float = TRACK_TRUTH_GATE_M,
    eligible: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:  # fmt: skip
    """Threat id (T,) nearest to each position (T, 3) among living threats (and, if
    given, ``eligible[threat_id]`` ones), -1 beyond ``gate_m`` or when there is none.

    Candidates come from a k-d tree over the threats: each position's nearest
    distance within the gate, then every threat at that distance (T log A, not T A,
    however dense the raid); their distances are then computed as the all-pairs form
    would, ties going to the lower threat row, so both forms give the same ids.
    """
    out = np.full(pos_m.shape[0], -1, dtype=np.int64)
    alive = truth.alive
    if eligible is not None:
        alive = alive & eligible[truth.threat_id]
    if pos_m.shape[0] == 0 or not alive.any():
        return out
    tp = truth.pos_m()[alive]
    i, j = _nearest_candidates(pos_m, tp, gate_m)
    d = np.sqrt(np.sum((pos_m[i] - tp[j]) ** 2, axis=-1))
    ok = d <= gate_m
    i, j, d = i[ok], j[ok], d[ok]
    first = np.lexsort((j, d, i))  # per position: the nearest, then the lower row
    i, j = i[first], j[first]
    lead = np.ones(i.shape[0], dtype=bool)
    lead[1:] = i[1:] != i[:-1]
    out[i[lead]] = truth.threat_id[alive][j[lead]]
    return out


def _nearest_candidates(a: F, b: F, r: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs (i, j) holding, for each row ``a[i]``, every row ``b[j]`` at its nearest
    distance (all tied ones; a superset: 1e-9 relative slack) when that is within
    ``r``; small or non-finite inputs give every pair.

    A dense raid puts hundreds of threats within ``r`` of a track; the tree's two
    nearest rows settle most positions (the second is beyond the slack: no tie), and
    only the rows with a possible tie ask for every row at their nearest distance
    (T log A). The tree is built afresh per call (the eligible threats change), so it
    is built unbalanced: half the cost of a balanced one, the same neighbours.
    """
    if a.shape[0] * b.shape[0] <= 4096 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        i, j = np.indices((a.shape[0], b.shape[0])).reshape(2, -1)
        return i.astype(np.int64), j.astype(np.int64)
    tree = cKDTree(b, balanced_tree=False, compact_nodes=False)
    d, k = tree.query(a, k=2, distance_upper_bound=_slack(r))
    rows = np.isfinite(d[:, 0]).nonzero()[0]
    tied = d[rows, 1] <= _slack(d[rows, 0])
    one, many = rows[~tied], rows[tied]
    near = tree.query_ball_point(a[many], _slack(d[many, 0]))
    counts = np.fromiter(map(len, near), dtype=np.int64, count=many.size)
    j = np.fromiter(itertools.chain.from_iterable(near), dtype=np.int64, count=int(counts.sum()))
    i = np.concatenate([one, np.repeat(many, counts)]).astype(np.int64)
    return i, np.concatenate([k[one, 0], j]).astype(np.int64)


def near_any(a: F, b: F, r: float) -> NDArray[np.bool_]:
    """(T,) whether each row of ``a`` (T, 3) has a row of ``b`` (A, 3) within ``r``
    (a superset: 1e-9 relative slack); the rows finite.

    Few pairs (a look's firm tracks and the threats still open, most looks) are all
    tested (T A distances cost less than building a k-d tree over ``b``); many, by
    the tree's nearest distance (T log A).
    """
    if a.shape[0] * b.shape[0] <= ALL_PAIRS_NEAR:
        return np.asarray((norm3(a[:, None, :] - b[None, :, :]) <= _slack(r)).any(axis=1))
    d, _ = cKDTree(b).query(a, k=1, distance_upper_bound=_slack(r))
    return np.asarray(np.isfinite(d))


def _slack(r_m: F | float) -> F:
    """A distance with the slack that keeps float rounding from losing a tie."""
    return np.asarray(r_m) * (1 + 1e-9) + 1e-6


@dataclasses.dataclass
class Evaluation:
    """Per-run evaluation state (truth side), updated at every look with plots.

    A track is attributed when a first time may depend on it (:meth:`observe`) and
    when a salvo is launched on it (:meth:`threats_of`: its estimate at the last look
    with plots, against truth at that look).
    """

    n_threats: int
    radar_pos_m: F
    detected: NDArray[np.bool_] = dataclasses.field(init=False)
    first_track_t_s: F = dataclasses.field(init=False)
    first_track_range_m: F = dataclasses.field(init=False)
    first_fc_t_s: F = dataclasses.field(init=False)
    first_fc_range_m: F = dataclasses.field(init=False)
    _last: tuple[float, Callable[[], Truth], NDArray[np.bool_]] | None = None

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
        self, changes: Tracks, truth_at: Callable[[], Truth], t_s: float,
        hit_ids: NDArray[np.int64], radar_id: int, fire_control: bool,
    ) -> None:  # fmt: skip
        """A look with plots at ``t_s`` after which the tracker holds live tracks: note
        first firm and first fire-control tracks.

        ``changes`` holds the rows of the tracks the look started, updated or changed
        the status of (the tracker's change record): its firm tracks count for a first
        firm track, and the firm ones it updated (``hit_ids``) for a first fire-control
        track if the radar is an engagement radar (``fire_control``). ``truth_at()`` gives
        truth at ``t_s``; it is called only when a first time may depend on it (a run
        of many radars looks far more often than a first time is open).
        """
        self._last = (t_s, truth_at, self.detected.copy())
        if not len(changes):  # (most looks change no track)
            return
        live = changes.status != TrackStatus.DELETED
        firm_rows = live & (changes.status != TrackStatus.TENTATIVE)
        firm = firm_rows.nonzero()[0]
        if firm.size:
            pos = self._near_open(changes.pos_m()[firm], self.first_track_t_s, truth_at)
            if pos.shape[0]:
                threat = nearest_threat(pos, truth_at(), eligible=self.detected)
                self._first(self.first_track_t_s, self.first_track_range_m, threat, pos, t_s)
        if fire_control and hit_ids.size:
            hit = (firm_rows & np.isin(changes.track_id, hit_ids)).nonzero()[0]
            pos = self._near_open(changes.pos_m()[hit], self.first_fc_t_s, truth_at)
            if pos.shape[0]:
                threat = nearest_threat(pos, truth_at(), eligible=self.detected)
                self._first(self.first_fc_t_s, self.first_fc_range_m, threat, pos, t_s, radar_id)

    def _near_open(self, pos: F, t_out: F, truth_at: Callable[[], Truth]) -> F:
        """The rows of ``pos`` (T, 3) (in order) within the attribution gate of an open
        threat: eligible, living and without a first time in ``t_out``.

        Only those positions can set a first time (the nearest threat of any other is
        not open), and in a dense raid most looks have none: the attribution against
        every threat is then skipped.
        """
        todo = self.detected & np.isnan(t_out)
        if not todo.any() or pos.shape[0] == 0:
            return pos[:0]
        truth = truth_at()
        open_pos = truth.pos_m()[truth.alive & todo[truth.threat_id]]
        open_pos = open_pos[np.isfinite(open_pos).all(axis=1)]
        pos = pos[np.isfinite(pos).all(axis=1)]  # (a non-finite estimate is attributed to none)
        if open_pos.shape[0] == 0 or pos.shape[0] == 0:
            return pos[:0]
        return pos[near_any(pos, open_pos, TRACK_TRUTH_GATE_M)]

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

    def threats_of(
        self, track_id: NDArray[np.int64], tracks_at: Callable[[float], Tracks]
    ) -> NDArray[np.int64]:
        """The threat each track follows at the last look with plots (-1: none, or no
        such look yet): ``tracks_at(t_s)`` gives the tracker's tracks at a time."""
        out = np.full(track_id.shape[0], -1, dtype=np.int64)
        if self._last is None or out.size == 0:
            return out
        t_s, truth_at, detected = self._last
        tracks = tracks_at(t_s)
        ids = tracks.track_id
        if ids.size == 0:
            return out
        row = sorted_position(ids, track_id, sorter=np.argsort(ids))
        held = row >= 0
        if held.any():
            out[held] = nearest_threat(tracks.pos_m()[row[held]], truth_at(), eligible=detected)
        return out
