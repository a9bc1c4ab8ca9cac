"""Fire-control bookkeeping on the defender's side: hits, cues and the track picture.

Everything here is built from the tracker's output (which track a dwell updated, which
tracks were deleted), never from truth:

* every dwell's updated tracks give each track's last detection time, and for the
  engagement radars the last two times each updated it (a *fire-control track* is
  one its battery's engagement radar updated twice within ``track_hold_s``);
* each C2 cycle, the :class:`~iadsim.picture.TrackPicture` is assembled from them;
* firm tracks with a threat value that are not fire-control tracks yet, and lie
  inside an engagement radar's coverage (instrumented range, sector, elevation; the
  track's estimate, not truth), are *cued* to that radar: an acquisition dwell on the
  cue volume follows ``acquisition_delay_s`` later
  (:meth:`iadsim.sensors.radar.Radar.observe_cued`).
  A track is cued again only after ``track_hold_s``, and at most
  :data:`MAX_CUES_PER_CYCLE` per radar per cycle, highest threat value first.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Tracks, TrackStatus
from iadsim.numeric import sorted_position
from iadsim.picture import TrackPicture
from iadsim.sensors.radar import Radar

__all__ = ["MAX_CUES_PER_CYCLE", "FireControlBook", "in_coverage"]

F = NDArray[np.float64]

#: Acquisition dwells one engagement radar starts per C2 cycle at most (assumption:
#: a cue dwell is short beside the 2-3 s search frame).
MAX_CUES_PER_CYCLE = 4


def in_coverage(radar: Radar, pos_m: F) -> NDArray[np.bool_]:
    """Positions (T, 3) inside the radar's range window, azimuth sector and elevation
    limits (flat geometry from the estimate; terrain masks are left to the dwell)."""
    p = radar.params
    rel = pos_m - np.asarray(radar.pos_m)
    rng_m = np.sqrt(np.sum(rel * rel, axis=-1))
    az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    el = np.arcsin(np.clip(rel[:, 2] / np.maximum(rng_m, 1.0), -1.0, 1.0))
    daz = np.abs((az - radar.az_center_rad + np.pi) % (2 * np.pi) - np.pi)
    ok = (rng_m >= p.min_range_m) & (rng_m <= p.instrumented_range_m)
    ok &= (daz <= p.az_width_rad / 2 + 1e-9) & (el >= p.el_min_rad) & (el <= p.el_max_rad)
    return np.asarray(ok)


@dataclasses.dataclass
class FireControlBook:
    """Hit times, cue times and deleted tracks of one run (see module doc).

    ``deleted`` keeps the last rows of deleted tracks some picture held (``pictured``,
    sorted ids): the only ones a salvo can fly on.

    ``battery_id`` (B,) and ``fc_radar`` (B,) radar index per battery (-1: none);
    ``hold_s`` (B,) fire-control track hold times.
    """

    battery_id: NDArray[np.int64]
    fc_radar: NDArray[np.int64]
    hold_s: F
    last_hit: dict[int, float] = dataclasses.field(default_factory=dict)
    fc_hit: dict[int, dict[int, tuple[float, float]]] = dataclasses.field(default_factory=dict)
    last_cue: dict[tuple[int, int], float] = dataclasses.field(default_factory=dict)
    deleted: list[Tracks] = dataclasses.field(default_factory=list)
    pictured: NDArray[np.int64] = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        #: indices of the radars that are some battery's engagement radar
        self.fc_radars: frozenset[int] = frozenset(int(r) for r in self.fc_radar if r >= 0)

    def note_dwell(
        self, radar_id: int, t_s: float, hit_ids: NDArray[np.int64], tracks: Tracks
    ) -> list[int]:
        """Record a dwell's updated tracks and deletions; return the ids ``radar_id``
        updated for the first time (an engagement radar's first look at a track)."""
        new: list[int] = []
        fc = self.fc_hit.setdefault(radar_id, {}) if radar_id in self.fc_radars else None
        for tid in hit_ids.tolist():
            self.last_hit[tid] = t_s
            if fc is not None:
                last = fc.get(tid)
                if last is None:
                    new.append(tid)
                fc[tid] = (-np.inf if last is None else last[1], t_s)
        gone = tracks.status == TrackStatus.DELETED
        if gone.any():  # only a track some picture held can carry a salvo (most
            # deletions are of tentative tracks that false alarms started)
            gone &= sorted_position(self.pictured, tracks.track_id) >= 0
        if gone.any():
            self.deleted.append(tracks.select(gone))
        return new

    def picture(self, tracks: Tracks, t_s: float) -> TrackPicture:
        """The picture of the firm ``tracks`` (predicted to ``t_s``); takes the deletions
        noted since the previous picture."""
        ids = tracks.track_id.tolist()
        self.pictured = np.union1d(self.pictured, tracks.track_id)
        fc_prev = np.full((len(ids), self.battery_id.shape[0]), -np.inf)
        fc_last = fc_prev.copy()
        never = (-np.inf, -np.inf)
        for b, r in enumerate(self.fc_radar.tolist()):
            hits = self.fc_hit.get(r, {})
            both = np.array([hits.get(i, never) for i in ids], dtype=np.float64).reshape(-1, 2)
            fc_prev[:, b], fc_last[:, b] = both[:, 0], both[:, 1]
        deleted = Tracks.concat(self.deleted)
        self.deleted = []
        return TrackPicture.of_tracks(
            tracks, t_s, battery_id=self.battery_id, fc_hold_s=self.hold_s,
            last_hit_t_s=np.array([self.last_hit.get(i, -np.inf) for i in ids]),
            fc_last_hit_t_s=fc_last, fc_prev_hit_t_s=fc_prev, deleted=deleted,
        )  # fmt: skip

    def cues(
        self, picture: TrackPicture, radars: tuple[Radar, ...], value: dict[int, float]
    ) -> list[tuple[int, int]]:
        """(radar index, track id) pairs to cue now (module doc); ``value`` maps the
        evaluated track ids to their threat value."""
        out: list[tuple[int, int]] = []
        tr = picture.tracks
        if not len(tr):
            return out
        held = picture.fc_held
        worth = np.array([value.get(int(i), 0.0) for i in tr.track_id])
        for b, r in enumerate(self.fc_radar.tolist()):
            if r < 0:
                continue
            ok = ~held[:, b] & (worth > 0) & in_coverage(radars[r], tr.pos_m())
            ok &= tr.status != TrackStatus.TENTATIVE
            rows = [k for k in np.flatnonzero(ok).tolist()
                    if picture.t_s - self.last_cue.get((r, int(tr.track_id[k])), -np.inf)
                    >= self.hold_s[b]]  # fmt: skip
            rows.sort(key=lambda k: (-worth[k], int(tr.track_id[k])))
            for k in rows[:MAX_CUES_PER_CYCLE]:
                tid = int(tr.track_id[k])
                self.last_cue[(r, tid)] = picture.t_s
                out.append((r, tid))
        return out
