"""Fire-control bookkeeping on the defender's side: hits, cues and the track picture.

Everything here is built from the tracker's output (which track a dwell updated, which
tracks were deleted), never from truth:

* every dwell's updated tracks give each track's last detection time, and for the
  engagement radars the times of the last two plots each updated it with (the plot's
  own time, up to a sector look before the update: a *fire-control track* is one its
  battery's engagement radar updated with two plots taken within ``track_hold_s``);
* each C2 cycle, the :class:`~iadsim.picture.TrackPicture` is assembled from them;
* firm tracks with a threat value that are not fire-control tracks yet, and lie
  inside an engagement radar's coverage (instrumented range, sector, elevation; the
  track's estimate, not truth), are *cued* to that radar: an acquisition dwell on the
  cue volume follows ``acquisition_delay_s`` later
  (:meth:`iadsim.sensors.radar.Radar.observe_cued`).
  A track is cued again only after ``track_hold_s``, and at most
  :data:`MAX_CUES_PER_CYCLE` per radar per cycle, highest threat value first;
* *engaged* tracks (a salvo in the air on them whose type needs fire-control support,
  as the engagement stage flies them) inside the battery's engagement-radar coverage
  get a *track dwell* when that radar's own search has not updated them for a frame
  (``scan_period_s``; and at most one dwell a frame), whatever their status (a coasting
  track has no threat value: the assessment reads confirmed tracks only), before any
  new cue, within the same budget (the track whose last update by that radar is oldest
  first), as a multifunction radar keeps a salvo's target in track. Dwelling on every
  engaged track every cycle instead spent the budget the cues of unengaged tracks need.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Tracks, TrackStatus
from iadsim.numeric import sorted_position
from iadsim.picture import TrackPicture
from iadsim.scenario.stages import engagement_volume
from iadsim.sensors.radar import Radar

__all__ = ["CUE", "LAST", "MAX_CUES_PER_CYCLE", "PREV", "FireControlBook", "in_coverage"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]

#: Acquisition dwells one engagement radar starts per C2 cycle at most (assumption:
#: a cue dwell is short beside the 2-3 s search frame).
MAX_CUES_PER_CYCLE = 4


def in_coverage(radar: Radar, pos_m: F) -> NDArray[np.bool_]:
    """Positions (T, 3) inside the radar's range window, azimuth sector and apparent
    elevation limits (from the estimate; terrain masks are left to the dwell): the
    volume C2's intercepts of rounds it guides must lie in
    (:func:`iadsim.scenario.stages.engagement_volume`)."""
    return engagement_volume(radar).contains(pos_m)


#: Rows of :attr:`FireControlBook.t_s` per engagement-radar column: previous and last
#: update (plot times) and last cue; row 0 is the last update by any radar.
PREV, LAST, CUE = 0, 1, 2


@dataclasses.dataclass
class FireControlBook:
    """Hit times, cue times and deleted tracks of one run (see module doc).

    The times are kept in arrays over the booked tracks, by sorted id (``ids`` (n,): the
    tracks some dwell started, updated or cued and that are not deleted yet; deleted
    ones leave the book at the next picture; a track is booked when it starts, so the
    book grows at its end, in place), so a dwell, a picture or a cue
    decision costs a few array operations whatever the number of tracks. ``t_s``
    (1 + 3 (C + 1), n): row 0 the latest plot of any radar that updated the track, then
    per engagement-radar column ``c`` (``fc_column``) rows ``1 + 3 c +`` :data:`PREV`,
    :data:`LAST`, :data:`CUE` (-inf: none; column C is never written, the column of
    batteries without an engagement radar). Rows are contiguous: a dwell reads and
    writes its few tracks in two of them.

    ``deleted`` keeps the last rows of deleted tracks some picture held (``pictured``,
    sorted ids of the tracks of the pictures not deleted since): the only ones a salvo
    can fly on.

    ``battery_id`` (B,) and ``fc_radar`` (B,) radar index per battery (-1: none);
    ``hold_s`` (B,) fire-control track hold times.
    """

    battery_id: NDArray[np.int64]
    fc_radar: NDArray[np.int64]
    hold_s: F
    deleted: list[Tracks] = dataclasses.field(default_factory=list)
    pictured: I64 = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        #: indices of the radars that are some battery's engagement radar
        self.fc_radars: frozenset[int] = frozenset(int(r) for r in self.fc_radar if r >= 0)
        radars = sorted(self.fc_radars)
        at = sorted_position(np.array(radars, dtype=np.int64), self.fc_radar)
        #: column of each battery's engagement radar (C: none)
        self.fc_column: I64 = np.where(at >= 0, at, len(radars))
        self._column = {r: c for c, r in enumerate(radars)}
        self._keep(np.zeros(0, np.int64), np.zeros((1 + 3 * (len(radars) + 1), 0)))
        self._gone: list[I64] = []  # ids deleted since the last picture
        self._announced: set[tuple[int, int]] = set()  # (engagement radar, firm track)

    def _keep(self, ids: I64, t_s: F, room: int = 0) -> None:
        """Book ``ids`` (n,) and ``t_s`` (K, n) in buffers with spare columns (at least
        ``room``; doubled when full, so appending a new track costs its own column)."""
        n = ids.shape[0]
        cap = max(2 * (n + room), 64)
        self._ids_buf, self._t_buf = np.zeros(cap, np.int64), np.full((t_s.shape[0], cap), -np.inf)
        self._ids_buf[:n], self._t_buf[:, :n] = ids, t_s
        self._used(n)

    def _used(self, n: int) -> None:
        self.ids: I64 = self._ids_buf[:n]  # views of the buffers' first n columns
        self.t_s: F = self._t_buf[:, :n]

    def _rows(self, ids: I64) -> I64:
        """Columns of ``ids`` (sorted, unique) in the book, new ones added with no times
        (appended when they follow every booked id, as new tracks' ids do)."""
        n = self.ids.shape[0]
        where = np.searchsorted(self.ids, ids)
        new = where >= n
        new[~new] = self.ids[where[~new]] != ids[~new]
        if not new.any():
            return where
        add = ids[new]
        k = add.shape[0]
        if n == 0 or add[0] > self.ids[-1]:
            self._append(add)
        else:
            at = where[new]
            blank = np.full((self.t_s.shape[0], k), -np.inf)
            self._keep(np.insert(self.ids, at, add), np.insert(self.t_s, at, blank, axis=1))
        return where + np.cumsum(new) - new  # each shifted by the new ids before it

    def _append(self, ids: I64) -> None:
        """Book ``ids`` (sorted, all after every booked id) with no times, in place."""
        n, k = self.ids.shape[0], ids.shape[0]
        if n + k > self._ids_buf.shape[0]:
            self._keep(self.ids, self.t_s, k)
        self._ids_buf[n : n + k], self._t_buf[:, n : n + k] = ids, -np.inf
        self._used(n + k)

    def _times(self, ids: I64) -> F:
        """``t_s`` (1 + 3 (C + 1), T) of ``ids`` (-inf where not booked)."""
        at = sorted_position(self.ids, ids)
        has = at >= 0
        out = np.full((self.t_s.shape[0], ids.shape[0]), -np.inf)
        out[:, has] = self.t_s[:, at[has]]
        return out

    def note_dwell(
        self, radar_id: int, t_s: float, hit_ids: I64, hit_t_s: F, tracks: Tracks
    ) -> list[int]:
        """Record a dwell at ``t_s`` (a sector look's end): its updated tracks ``hit_ids``
        (sorted, unique) with the time of the plot each update took ``hit_t_s`` (same
        shape), and its deletions; return the ids of the firm tracks engagement radar
        ``radar_id`` updated for the first time while they were firm (confirmed or
        coasting in ``tracks``, the look's output: a tentative track the radar updated
        is not a fire-control track yet).

        Hits are timed at the plot (up to a look before ``t_s``), for any radar (the
        picture's ``last_hit_t_s``, which doctrine's "seen after the intercept" test
        reads) and per engagement radar: there the two latest plot times are kept per
        track, so a cue dwell's plot followed by a sector look's earlier plot keeps the
        cue's as the last."""
        new: list[int] = []
        if not hit_ids.shape[0] and not len(tracks):  # (most looks: no news)
            return new
        ids = tracks.track_id  # tracks born now are booked now, at the end (ids increase)
        born = ids > (self.ids[-1] if self.ids.shape[0] else -1)
        if born.any():
            self._append(np.sort(ids[born & (tracks.status != TrackStatus.DELETED)]))
        if hit_ids.shape[0]:
            at = self._rows(hit_ids)
            self.t_s[0, at] = np.maximum(self.t_s[0, at], hit_t_s)  # any radar's latest plot
            c = self._column.get(radar_id)
            if c is not None:
                prev_row, last_row = self.t_s[1 + 3 * c + PREV], self.t_s[1 + 3 * c + LAST]
                prev, last = prev_row[at], last_row[at]
                new = self._announce(radar_id, hit_ids, tracks)
                prev_row[at] = np.where(hit_t_s >= last, last, np.maximum(prev, hit_t_s))
                last_row[at] = np.maximum(last, hit_t_s)
        gone = tracks.status == TrackStatus.DELETED
        if gone.any():
            self._gone.append(tracks.track_id[gone])
            # only a track some picture held can carry a salvo (most deletions are of
            # tentative tracks that false alarms started)
            gone &= sorted_position(self.pictured, tracks.track_id) >= 0
        if gone.any():
            self.deleted.append(tracks.select(gone))
        return new

    def _announce(self, radar_id: int, hit_ids: I64, tracks: Tracks) -> list[int]:
        """The tracks of ``hit_ids`` firm in ``tracks`` that engagement radar
        ``radar_id`` had not updated while firm before (each id reported once)."""
        firm = (tracks.status == TrackStatus.CONFIRMED) | (tracks.status == TrackStatus.COASTING)
        ids = hit_ids[np.isin(hit_ids, tracks.track_id[firm])].tolist()
        new = [t for t in ids if (radar_id, t) not in self._announced]
        self._announced.update((radar_id, t) for t in new)
        return new

    def _forget_deleted(self) -> None:
        """Drop the tracks deleted since the last picture from the book and from
        ``pictured`` (ids are never reused: no dwell, picture or cue asks for them again)."""
        if not self._gone:
            return
        gone = np.concatenate(self._gone)
        self._gone = []
        at = sorted_position(self.ids, gone)
        if (at >= 0).any():
            keep = np.ones(self.ids.shape[0], dtype=bool)
            keep[at[at >= 0]] = False
            m = int(keep.sum())  # compacted in place
            self._ids_buf[:m], self._t_buf[:, :m] = self.ids[keep], self.t_s[:, keep]
            self._used(m)
        at = sorted_position(self.pictured, gone)
        if (at >= 0).any():
            self.pictured = np.delete(self.pictured, at[at >= 0])

    def picture(self, tracks: Tracks, t_s: float) -> TrackPicture:
        """The picture of the firm ``tracks`` (predicted to ``t_s``); takes the deletions
        noted since the previous picture."""
        self._forget_deleted()
        unseen = sorted_position(self.pictured, tracks.track_id) < 0
        if unseen.any():
            self.pictured = np.union1d(self.pictured, tracks.track_id[unseen])
        times = self._times(tracks.track_id)
        deleted = Tracks.concat(self.deleted)
        self.deleted = []
        col = 1 + 3 * self.fc_column
        return TrackPicture.of_tracks(
            tracks, t_s, battery_id=self.battery_id, fc_hold_s=self.hold_s,
            last_hit_t_s=times[0], fc_last_hit_t_s=times[col + LAST].T,
            fc_prev_hit_t_s=times[col + PREV].T, deleted=deleted,
        )  # fmt: skip

    def holds(self, t_s: float, battery_id: int, track_id: int, any_radar: bool = False) -> bool:
        """Battery ``battery_id``'s engagement radar (any radar if ``any_radar``) updated
        ``track_id`` within the battery's hold time before ``t_s`` (the launch commit of
        a salvo)."""
        b = np.flatnonzero(self.battery_id == battery_id)
        if b.size == 0:
            return False
        row = 0 if any_radar else 1 + 3 * self.fc_column[b[0]] + LAST
        last = self._times(np.array([track_id], dtype=np.int64))[row]
        return bool(t_s - last[0] <= self.hold_s[b[0]])

    def cues(
        self,
        picture: TrackPicture,
        radars: tuple[Radar, ...],
        assessed_id: I64,
        value: F,
        engaged: tuple[I64, I64] | None = None,
    ) -> list[tuple[int, int]]:
        """(radar index, track id) pairs to dwell on now: track dwells on engaged tracks
        first, then cues (module doc); ``value`` (A,) is the threat value of the evaluated
        tracks ``assessed_id`` (A,) (others: 0); ``engaged`` the (track id (E,), battery
        id (E,)) of the salvos in the air that need their battery's fire control."""
        out: list[tuple[int, int]] = []
        tr = picture.tracks
        if not len(tr):
            return out
        ids = tr.track_id
        held = picture.fc_held
        worth = np.zeros(len(tr))
        at = sorted_position(assessed_id, ids, sorter=np.argsort(assessed_id))
        worth[at >= 0] = value[at[at >= 0]]
        firm = (worth > 0) & (tr.status != TrackStatus.TENTATIVE)
        pos_m = tr.pos_m()
        cued_t_s = self._times(ids)[1 + CUE :: 3]  # (C + 1, T)
        for b, r in enumerate(self.fc_radar.tolist()):
            if r < 0:
                continue
            c = int(self.fc_column[b])
            cover = in_coverage(radars[r], pos_m)
            dwell = np.zeros(len(tr), dtype=bool)
            if engaged is not None:  # (a frame without its update: the search missed it)
                frame_s = radars[r].params.scan_period_s
                dwell = cover & np.isin(ids, engaged[0][engaged[1] == self.battery_id[b]])
                dwell &= picture.t_s - picture.fc_last_hit_t_s[:, b] >= frame_s
                dwell &= picture.t_s - cued_t_s[c] >= frame_s
            ok = firm & ~held[:, b] & cover & ~dwell
            ok &= picture.t_s - cued_t_s[c] >= self.hold_s[b]
            track = np.flatnonzero(dwell)
            track = track[np.lexsort((ids[track], picture.fc_last_hit_t_s[track, b]))]
            rows = np.flatnonzero(ok)
            rows = rows[np.lexsort((ids[rows], -worth[rows]))]
            rows = np.concatenate([track, rows])[:MAX_CUES_PER_CYCLE]
            if not rows.size:
                continue
            cued_t_s[c, rows] = picture.t_s
            at = self._rows(np.sort(ids[rows]))  # (may add columns: a new t_s array)
            self.t_s[1 + 3 * c + CUE, at] = picture.t_s
            out.extend((r, i) for i in ids[rows].tolist())
        return out
