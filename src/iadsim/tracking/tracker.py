"""The tracker stage: a multi-target tracker assembled from parts.

``Tracker.step(detections, t_s) -> Tracks`` processes a batch of detections
(one radar dwell or scan, or several radars; rows are sorted by time and
processed as groups of equal time, i.e. centralized measurement-level fusion
by sequential updates) and returns every live track predicted to ``t_s``,
plus one ``deleted`` row for each track deleted during the call.
:attr:`Tracker.last_changes` marks the rows of that output that carry news: tracks
started or updated since the previous output, tracks whose status changed since
they were last marked, and deletions (a record proportional to information rather
than to live tracks x looks).

Per group of equal time: predict the tracks the look concerns to the group time (those
its sensor holds in its coverage and those near its plots,
:func:`~iadsim.tracking.looks.look_rows`; the others stay as they are, at their own
times); gate and associate confirmed/coasting tracks first, then tentative tracks with
the remaining measurements; update; start tentative tracks from the measurements left
over; apply confirmation and deletion. With ``confirm_on_ambiguous=False`` a tentative
track is not confirmed on a look where its hit was ambiguous
(:func:`~iadsim.tracking.gating.ambiguous_rows`).
A group older than the last processed time is out of order: counted
(``counters["out_of_order"]``) and skipped, never applied to a later state.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Tracks, TrackStatus
from iadsim.numeric import sorted_position
from iadsim.tracking import looks
from iadsim.tracking.births import Planned, plan_births
from iadsim.tracking.gating import ambiguous_rows
from iadsim.tracking.initiation import Births, Initiation
from iadsim.tracking.lifecycle import manage, mark_news
from iadsim.tracking.looks import Observed, visible_from
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements, standard_conversion
from iadsim.tracking.parts import TrackerParts
from iadsim.tracking.roles import FilterState
from iadsim.tracking.rows import TrackRows, hit_summary, tracks_frame
from iadsim.tracking.store import TrackStore
from iadsim.tracking.update import associate_look

F64 = NDArray[np.float64]

__all__ = ["COUNTERS", "Tracker", "TrackerParts", "visible_from"]

COUNTERS = ("detections", "invalid", "out_of_order", "associated", "initiated", "confirmed",
            "deleted")  # fmt: skip  # the names of Tracker.counters


class Tracker:
    """Stateful multi-target tracker (see module docstring).

    Parameters
    ----------
    parts : the filter, gate, associator, initiator, confirmer and deleter.
    first_id : first track id issued; ids are consecutive int64, never reused.
    """

    def __init__(self, *, parts: TrackerParts, first_id: int = 1) -> None:
        self.parts = parts
        f = parts.filter
        self._store = TrackStore(f.init_bank(np.zeros((0, f.nx)), np.zeros((0, f.nx, f.nx))))
        self._next_id = int(first_id)
        self._t_now = -np.inf
        self._counters = dict.fromkeys(COUNTERS, 0)
        self._deleted: list[TrackRows] = []  # rows of tracks deleted since the last output
        self._hits: list[NDArray[np.int64]] = []  # ids updated by the last step's detections
        self._hit_t: list[F64] = []  # and the time of the plot each update took
        self._hit_rows: tuple[NDArray[np.int64], F64] | None = None  # (their summary)
        self._touched: list[NDArray[np.int64]] = []  # ids updated or started since then
        self._changes = np.zeros(0, bool)  # rows of the last output that carry news
        self._init = Initiation(parts.initiator, parts.confirmer, f.nx)  # (plot buffers)
        self._moved: list[NDArray[np.int64]] = []  # ids the last look moved or started

    @property
    def _bank(self) -> FilterState:
        return self._store.bank  # views of the live rows (written in place)

    @property
    def _book(self) -> TrackBook:
        return self._store.book

    def _live(self, t_s: float, rows: NDArray[np.bool_] | None = None) -> TrackRows:
        return self._store.rows_at(self.parts.filter, self.parts.confirmer, t_s, rows)

    # -- public -------------------------------------------------------------
    @property
    def counters(self) -> dict[str, int]:
        """Cumulative counts: detections, invalid, out_of_order, associated,
        initiated, confirmed, deleted."""
        return dict(self._counters)

    @property
    def last_hit_ids(self) -> NDArray[np.int64]:
        """Ids of the tracks the last :meth:`step` updated with a detection (sorted,
        unique; empty after :meth:`miss`). The pipeline keeps per-radar hit times from
        it (fire-control tracks are the tracks an engagement radar updates)."""
        return self._last_hits()[0]

    @property
    def last_hit_t_s(self) -> F64:
        """Per :attr:`last_hit_ids`, the time of the plot that updated the track (its own
        time in a sector look, not the look's; the latest if several groups updated it;
        of the likeliest plot, largest association weight, if several did at once)."""
        return self._last_hits()[1]

    def _last_hits(self) -> tuple[NDArray[np.int64], F64]:
        """(last_hit_ids, last_hit_t_s), found once per step from its updates."""
        if self._hit_rows is None:
            self._hit_rows = hit_summary(self._hits, self._hit_t)
        return self._hit_rows

    @property
    def last_changes(self) -> NDArray[np.bool_]:
        """Rows of the last :meth:`step` (or :meth:`miss`) output that carry news: the
        track was started or updated since the previous output, its status changed
        since last marked, or it was deleted. ``output.select(last_changes)`` is the
        change-only record of a run (``track_history: changes``)."""
        return self._changes

    @property
    def n_tracks(self) -> int:
        """Number of live tracks (tentative, confirmed or coasting)."""
        return self._store.n

    def step(
        self,
        detections: Detections,
        t_s: float,
        *,
        observed: Observed | None = None,
        sensor_id: int | None = None,
        batch: bool = False,
        changes_only: bool = False,
    ) -> Tracks:
        """Process radar detections (polar, per-detection sensor position and sigmas).

        ``observed(pos (n, d)) -> bool (n,)`` optionally says which tracks the
        sensor could have detected (others are not charged a miss).

        ``sensor_id`` (0..63) makes miss accounting sensor-aware for multi-radar
        fusion: the batch comes from that one sensor, which then charges misses
        only to tracks it has itself detected before (a stealth target held by a
        VHF radar is not dropped because the X-band radar cannot see it); a plot that
        updates a firm track is its hit whichever sensor took it, and tentative tracks
        are confirmed or dropped on the looks of the sensors that hold them. ``batch``:
        one look at ``t_s``, each plot's own time a measurement time offset (sector looks).
        ``changes_only``: return only the rows :attr:`last_changes` marks (a change
        record costs what changed, not every live track).
        """
        d, p = self.parts.filter.ndim, self.parts
        self._hits, self._hit_t, self._hit_rows, self._moved = [], [], None, []
        self._counters["detections"] += len(detections)
        det = looks.valid_plots(detections)
        self._counters["invalid"] += len(detections) - len(det)
        bit = 0 if sensor_id is None else 1 << int(sensor_id)
        if not 0 <= bit < 2**63:
            raise ValueError(f"sensor_id must be in 0..62 (got {sensor_id})")
        ref = t_s if batch else None  # one look at t_s, plot times kept as offsets
        for idx in looks.plot_groups(det, ref, p.use_rdot):
            group = det if idx is None else det.select(idx)
            m = Measurements.from_detections(group, ndim=d, use_rdot=p.use_rdot, t_ref_s=ref)
            self._process(m, observed, bit)
        return self._output(t_s, changes_only=changes_only)

    def miss(
        self, t_s: float, *, observed: Observed | None = None, sensor_id: int | None = None
    ) -> Tracks:
        """A look at ``t_s`` that produced no detection at all.

        Charges a miss to the tracks the look covered (``observed``; with ``sensor_id``,
        only tracks that sensor holds, see :meth:`step`), confirms and deletes. Returns
        the rows of tracks deleted now only (a status changed here is marked in
        :attr:`last_changes` at the next :meth:`step`). States are not changed.
        """
        self._hits, self._hit_t, self._hit_rows, self._moved = [], [], None, []
        if t_s >= self._t_now:
            self._init.miss(t_s, 0 if sensor_id is None else 1 << int(sensor_id), observed)
        if self.n_tracks == 0 or t_s < self._t_now:
            return Tracks.empty()
        book = self._book
        seen = np.ones(self.n_tracks, bool)
        if sensor_id is not None:
            seen &= (book.sensors & np.uint64(1 << int(sensor_id))) != 0
        if observed is not None and seen.any():
            dt = t_s - book.t_s
            seen = looks.look_seen(self.parts.filter, self._bank, dt, held=seen, observed=observed)
        if seen.any():
            n = self.n_tracks
            self._manage(t_s, seen, np.zeros(n, bool), np.full(n, -np.inf), sensor_id)
        out = tracks_frame(self._deleted, self.parts.filter.ndim)
        self._deleted = []
        self._changes = np.ones(len(out), bool)
        return out

    def step_measurements(
        self, meas: Measurements, t_s: float, *, observed: Observed | None = None
    ) -> Tracks:
        """Process a :class:`Measurements` batch (e.g. Cartesian x, y[, z])."""
        self._counters["detections"] += len(meas)
        self._moved = []
        ok = np.all(np.isfinite(meas.z), axis=1) & np.isfinite(meas.t_s)
        self._counters["invalid"] += int((~ok).sum())
        meas = meas.select(ok)
        for idx in looks.time_groups(meas.t_s, np.zeros(len(meas), bool)):
            self._process(meas.select(idx), observed)
        return self._output(t_s)

    def tracks(
        self, t_s: float, *, firm_only: bool = False, track_ids: NDArray[np.int64] | None = None
    ) -> Tracks:
        """Live tracks predicted to ``t_s`` (the internal state is not changed).

        ``firm_only`` keeps confirmed and coasting tracks only (what C2 reads),
        which skips predicting the many tentative tracks false alarms start;
        ``track_ids`` keeps those tracks only (a cue predicts one track, not all).
        """
        book = self._book
        rows = book.status != TrackStatus.TENTATIVE if firm_only else None
        if track_ids is not None:
            wanted = np.isin(book.track_id, track_ids)
            rows = wanted if rows is None else rows & wanted
        if rows is not None and not rows.any():
            return Tracks.empty()  # most C2 cycles of a run see no firm track
        return tracks_frame([self._live(t_s, rows)], self.parts.filter.ndim)

    def firm_track_ids(self) -> NDArray[np.int64]:
        """Ids of the confirmed and coasting tracks (sorted), without predicting them."""
        book = self._book
        return np.asarray(book.track_id[book.status != TrackStatus.TENTATIVE], dtype=np.int64)

    # -- a layer's looks (iadsim.tracking.wave) -------------------------------
    @property
    def t_now(self) -> float:
        """Time of the last group of plots processed (-inf before the first)."""
        return float(self._t_now)

    @property
    def last_moved_ids(self) -> NDArray[np.int64]:
        """Ids of the tracks the last :meth:`step` (:meth:`step_plots`) predicted,
        updated or started (may repeat)."""
        return np.concatenate(self._moved) if self._moved else np.zeros(0, np.int64)

    def live_tracks(self, ids: NDArray[np.int64] | None = None) -> tuple[FilterState, TrackBook]:
        """States and bookkeeping of the live tracks (all, or those of ``ids`` still
        live, in row order; not to be written)."""
        if ids is None:
            return self._bank, self._book
        rows = np.unique(sorted_position(self._book.track_id, ids))
        rows = rows[rows >= 0]
        return self._bank.take(rows), self._book.select(rows)

    def plan_births(
        self, raw: Measurements, cart: Measurements, sizes: NDArray[np.int64],
        t_s: list[float], bits: list[int], observed: list[Observed | None], todo: list[int],
    ) -> dict[int, Planned]:  # fmt: skip
        """The births of a layer's looks ``todo``, planned ahead (the arguments of
        :func:`~iadsim.tracking.births.plan_births`)."""
        return plan_births(self._init, raw, cart, sizes, t_s, bits, observed, todo)

    def step_plots(
        self, raw: Measurements, cart: Measurements, t_s: float, *, n_detections: int,
        observed: Observed | None, sensor_id: int, quiet: bool = False,
        plan: Planned | None = None, changes_only: bool = False,
    ) -> Tracks:  # fmt: skip
        """:meth:`step` (``batch``) of a look of ``sensor_id`` with ``n_detections``
        plots whose valid ones are ``raw`` (at ``t_s``, their times as offsets),
        converted (``cart``, ``standard_conversion(filter.prepare(raw))``); ``quiet``:
        the look is known to concern no track (its search skipped); ``plan``: its
        births planned ahead (:meth:`plan_births`; a quiet look only)."""
        self._hits, self._hit_t, self._hit_rows, self._moved = [], [], None, []
        self._counters["detections"] += n_detections
        self._counters["invalid"] += n_detections - len(raw)
        self._process(raw, observed, 1 << int(sensor_id), cart, quiet, plan)
        return self._output(t_s, changes_only=changes_only)

    # -- internals ------------------------------------------------------------
    def _output(self, t_s: float, *, changes_only: bool = False) -> Tracks:
        news = mark_news(self._book, self._touched)
        if changes_only and not self._deleted and not news.any():  # (most looks: no news)
            self._changes, self._touched = np.zeros(0, bool), []
            return Tracks.empty()
        live = self._live(t_s, news if changes_only else None)
        out = tracks_frame([live, *self._deleted], self.parts.filter.ndim)
        if changes_only:
            self._changes = np.ones(len(out), bool)
        else:
            self._changes = np.concatenate([news, np.ones(len(out) - news.shape[0], bool)])
        self._deleted, self._touched = [], []
        return out

    def _process(
        self, raw: Measurements, observed: Observed | None, bit: int = 0,
        cart: Measurements | None = None, quiet: bool = False, plan: Planned | None = None,
    ) -> None:  # fmt: skip
        """One group of measurements sharing a time, gated, associated and updated on the
        look's own rows (``cart``: their conversion if known; ``quiet``: known to
        concern no track, ``plan``: its births, :meth:`step_plots`)."""
        p, book = self.parts, self._book
        t = float(raw.t_s[0])
        if t < self._t_now:
            self._counters["out_of_order"] += len(raw)
            return
        self._t_now = t
        n, used = self.n_tracks, np.zeros(len(raw), bool)
        seen, hit, ll_hit = np.zeros(n, bool), np.zeros(n, bool), np.full(n, -np.inf)
        hold: NDArray[np.bool_] | None = None  # hit tentative rows that may not confirm
        meas = p.filter.prepare(raw)
        cart = standard_conversion(meas) if cart is None else cart
        if not quiet:
            held = np.ones(n, bool) if not bit else (book.sensors & np.uint64(bit)) != 0
            scale = p.gate.pregate_margin * math.sqrt(p.gate.gamma(meas.z.shape[1]))
            dt = t - book.t_s
            look = looks.look_rows(self._bank, np.maximum(dt, 0.0), p.filter.ndim, held=held,
                                   observed=observed, plots=cart, scale=scale)  # fmt: skip
            rows = look.nonzero()[0]  # the tracks this look predicts, gates and charges
            if rows.size:  # (many looks concern no track)
                self._moved.append(book.track_id[rows])
                hold = self._look(rows, t - book.t_s[rows], meas, cart, held, observed, seen,
                                  hit, ll_hit, used)  # fmt: skip
                if bit:
                    book.sensors[hit] |= np.uint64(bit)
        self._manage(t, seen, hit, ll_hit, (bit.bit_length() - 1) if bit else None, hold)
        if used.any():  # (most plots of a look are false alarms no track takes)
            free = (~used).nonzero()[0]
            raw, cart = raw.select(free), cart.select(free)
        if plan is None:
            self._add(self._init.births(raw, cart, t, self._next_id, bit, observed))
        else:
            self._add(self._init.commit(plan, self._next_id))

    def _look(
        self, rows: NDArray[np.int64], dt: F64, meas: Measurements, cart: Measurements,
        held: NDArray[np.bool_], observed: Observed | None, seen: NDArray[np.bool_],
        hit: NDArray[np.bool_], ll_hit: F64, used: NDArray[np.bool_],
    ) -> NDArray[np.bool_] | None:  # fmt: skip
        """Predict the look's ``rows`` (``dt`` (r,) ahead) to its time, mark those it
        observes in ``seen``, gate, associate and update (``hit``, ``ll_hit``, ``used``
        plots, all written in place); returns the rows whose hit may not confirm."""
        p, book = self.parts, self._book
        d, n, m, t = p.filter.ndim, seen.shape[0], used.shape[0], self._t_now
        ahead = (dt > 0).nonzero()[0]
        if ahead.shape[0]:  # predicted to t in place (the others are at t already)
            at = rows[ahead]
            self._bank.put(at, p.filter.predict(self._bank.take(at), dt[ahead]))
            book.t_s[at] = t
        x = self._bank.x[rows]
        seen[rows] = held[rows] if observed is None else held[rows] & observed(x[:, :d])
        classes = p.precedence.classes(book.status[rows], t - book.t_hit_s[rows])
        got = associate_look(p.filter, p.gate, p.associator, self._bank, rows, classes, dt,
                             meas, cart, ll_hit, used)  # fmt: skip
        if got is None:
            return None
        upd, hit_t, gp = got
        hit[upd] = True
        ids = book.track_id[upd]
        self._hits.append(ids)
        self._hit_t.append(hit_t)
        self._touched.append(ids)
        self._counters["associated"] += int(upd.shape[0])
        if p.confirm_on_ambiguous:
            return None
        amb = rows[ambiguous_rows(gp, rows.shape[0], m)]
        hold = np.zeros(n, bool)
        hold[amb] = hit[amb] & (book.status[amb] == TrackStatus.TENTATIVE)
        return hold

    def _manage(
        self, t: float, seen: NDArray[np.bool_], hit: NDArray[np.bool_], ll: F64,
        sensor: int | None = None, hold: NDArray[np.bool_] | None = None,
    ) -> None:  # fmt: skip
        """Record the look, confirm and delete (:func:`~iadsim.tracking.lifecycle.manage`)."""
        p = self.parts
        done = manage(self._store, p.confirmer, p.deleter, p.filter.ndim, t, seen, hit, ll,
                      sensor, hold)  # fmt: skip
        self._counters["confirmed"] += done.confirmed
        if done.gone is not None:
            self._deleted.append(done.gone)
            self._counters["deleted"] += done.gone.track_id.shape[0]

    def _add(self, born: Births | None) -> None:
        if born is None:
            return
        k = born.book.track_id.shape[0]
        self._next_id += k
        self._touched.append(born.book.track_id)
        self._moved.append(born.book.track_id)
        self._counters["initiated"] += k
        self._counters["confirmed"] += int((born.book.status == TrackStatus.CONFIRMED).sum())
        self._store.append(self.parts.filter.init_bank(born.x, born.P), born.book)
