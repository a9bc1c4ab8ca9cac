"""The run-time state of one simulation: stages wired to the engine.

Truth -> radar looks -> tracker -> C2 cycles -> engagements -> kills/leaks.
Each radar schedules its own looks (a scan split into sector looks, each target
stamped with the time the beam illuminated it and each sector's plots passed to the
tracker as one batch at the sector's end, plot times kept: :mod:`iadsim.sensors.scan`),
C2 runs every ``c2_cycle_s``, engagement radars run acquisition dwells on cues, and
the engagement stage's next intercept time is (re)scheduled whenever it changes.
Every frame a stage produces is kept for the recorder.

Looks reach the tracker in waves (:mod:`iadsim.tracking.wave`, :meth:`Pipeline.flush`):
sensed at their times, handed over together in their order before any event that
reads the picture (C2, cues, launches, intercepts) and at the end; nothing reads a
look's tracker result before, so results are as one by one. (A leak changes truth
after the waiting looks' times only; a cue's acquisition event waits with its look.)

Where truth goes: dwells read truth to generate detections, intercepts read it to
resolve the physics (:class:`~iadsim.sim.physics.ThreatPhysics`), and the evaluation
(:class:`~iadsim.sim.evaluation.Evaluation`) reads it for the summary. Decisions
(tracker, C2, the engagement stage's handover and support checks, cueing) read the
:class:`~iadsim.picture.TrackPicture` that :class:`~iadsim.sim.firecontrol.FireControlBook`
builds from the tracker's output alone.

Multi-radar track maintenance: several radars with different sensitivities feed one
centralized tracker (measurement-level fusion), so a radar that does not see a target
(a stealth fighter inside the engagement radar's coverage but beyond its reach, held
by the VHF radar) must not charge misses to a track other radars hold. Each dwell is
therefore passed with its ``sensor_id``: a radar charges misses only to tracks inside
its coverage that it has itself detected before, and the tracker's ``max_coast_s`` and
covariance limits delete tracks no radar updates any more.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from iadsim.c2.threat import threat_eval_events
from iadsim.frames import Detections, Events, Orders, Tracks, Truth, make_events
from iadsim.scenario.compile import World
from iadsim.scenario.stages import Stages
from iadsim.sensors.radar import Radar
from iadsim.sensors.scan import Scan, sector_views
from iadsim.sim.engine import (
    PRIORITY_C2,
    PRIORITY_DWELL,
    PRIORITY_INTERCEPT,
    PRIORITY_LAUNCH,
    Engine,
)
from iadsim.sim.evaluation import Evaluation
from iadsim.sim.firecontrol import FireControlBook
from iadsim.sim.look_coverage import observed_by
from iadsim.sim.look_wave import Wave
from iadsim.sim.physics import ThreatPhysics
from iadsim.sim.run_events import RunEvents, cue_event, leak_detail
from iadsim.sim.run_truth import RunTruth
from iadsim.sim.spill import TrackParts
from iadsim.tracking.wave import Look, LookResult, step_looks
from iadsim.truth import TruthTable

#: Frames of one kind collected before they are joined (:meth:`Pipeline.compact`).
COMPACT_FRAMES = 2000
#: Looks waiting for the tracker at most (:meth:`Pipeline.flush`).
MAX_WAVE = 512


@dataclasses.dataclass
class Pipeline:
    """Mutable per-run state; built by :meth:`build`, driven by the engine."""

    world: World
    stages: Stages
    rngs: dict[str, np.random.Generator]
    kill_time_s: NDArray[np.float64]
    outcome: list[str]
    outcome_t_s: NDArray[np.float64]
    killed_after_leak_t_s: NDArray[np.float64]  # an egressing leaker's kill (nan: none)
    fire_control: FireControlBook
    evaluation: Evaluation
    physics: ThreatPhysics | None
    run_events: RunEvents
    detections: list[Detections] = dataclasses.field(default_factory=list)
    tracks: list[Tracks] = dataclasses.field(default_factory=list)
    events: list[Events] = dataclasses.field(default_factory=list)
    events_arrow: list[pa.Table] = dataclasses.field(default_factory=list)
    detection_parts: list[Detections] = dataclasses.field(default_factory=list)
    track_parts: TrackParts = dataclasses.field(default_factory=TrackParts)
    orders: list[Orders] = dataclasses.field(default_factory=list)
    launch_threat: dict[int, int] = dataclasses.field(default_factory=dict)  # at the launch
    stage_time_s: dict[str, float] = dataclasses.field(default_factory=lambda: defaultdict(float))
    max_channels_used: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    warnings: list[str] = dataclasses.field(default_factory=list)
    truth_table: TruthTable | None = None
    _looks: list[tuple[Scan, list[Radar], list[Any]]] = dataclasses.field(default_factory=list)
    _intercepts_at: set[float] = dataclasses.field(default_factory=set)
    _wave: Wave = dataclasses.field(default_factory=lambda: Wave(MAX_WAVE))
    truth: RunTruth = dataclasses.field(init=False)
    #: per radar id r, its search stream [r] and its cue-dwell stream [n_radars + r], from
    #: the run's sensors stream: a decision that adds a dwell changes no other draw
    #: (common random numbers across variants of C2 or fire control)
    radar_rngs: list[np.random.Generator] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        n_radars = len(self.stages.sensors.radars)
        self.radar_rngs = self.rngs["sensors"].spawn(2 * n_radars)
        self.truth = RunTruth(
            model=self.world.truth, table=self.truth_table, kill_time_s=self.kill_time_s,
            keep=2 * n_radars + 4, stage_time_s=self.stage_time_s,
        )  # fmt: skip

    @classmethod
    def build(
        cls,
        world: World,
        stages: Stages,
        rngs: dict[str, np.random.Generator],
        truth_table: TruthTable | None,
    ) -> Pipeline:
        """Fresh per-run state around already built stages (``truth_table``: from
        :func:`truth_table_for`, or None for exact truth evaluation)."""
        n = world.truth.n_threats
        bats = world.batteries
        fc_radar = stages.fc_radar_id
        sensors = stages.sensors
        return cls(
            truth_table=truth_table,
            world=world,
            stages=stages,
            rngs=rngs,
            kill_time_s=np.full(n, np.inf),
            outcome=["survived"] * n,
            outcome_t_s=np.full(n, np.nan),
            killed_after_leak_t_s=np.full(n, np.nan),
            fire_control=FireControlBook(
                battery_id=np.array([b.battery_id for b in bats], dtype=np.int64),
                fc_radar=np.array([fc_radar.get(b.battery_id, -1) for b in bats], dtype=np.int64),
                hold_s=np.array([stages.fc_hold_s.get(b.battery_id, 0.0) for b in bats]),
            ),
            evaluation=Evaluation(
                n_threats=n,
                radar_pos_m=np.array([r.pos_m for r in sensors.radars], dtype=float).reshape(-1, 3),
            ),
            physics=ThreatPhysics.of(world.threats.kind, sensors.library, sensors.signatures),
            run_events=RunEvents(),
        )

    # -- wiring -------------------------------------------------------------
    def schedule(self, engine: Engine) -> None:
        """Queue every stage's first event (each stage reschedules itself)."""
        launch_s = self.world.truth.launch_s
        due = np.flatnonzero(launch_s <= engine.end_s)  # one frame, rows in threat order
        self.events.append(make_events(launch_s[due], "threat_launch", threat_id=due))
        self._looks = []
        for radar in self.stages.sensors.radars:
            scan = Scan.of(radar)
            views = sector_views(radar, scan)
            self._looks.append((scan, views, [observed_by(v) for v in views]))
            first = scan.next_look_after(-1e-9)
            engine.schedule(first, functools.partial(self._dwell, engine, radar), PRIORITY_DWELL)
        if self.stages.c2 is not None:
            engine.every(
                self.world.c2_cycle_s,
                self.world.c2_cycle_s,
                functools.partial(self._c2_cycle, engine),
                PRIORITY_C2,
            )

    def truth_at(self, t_s: float) -> Truth:
        """States of all threats at ``t_s`` with kills and leaks applied (kept for the
        last few times asked until a kill or a leak: :class:`RunTruth`)."""
        return self.truth.at(t_s)

    def _remove_threat(self, i: int, t_s: float) -> None:
        """Threat ``i`` is out of the air picture from ``t_s`` (killed or arrived)."""
        self.kill_time_s[i] = t_s
        self.truth.forget()

    # -- sensing and tracking ------------------------------------------------
    def _dwell(self, engine: Engine, radar: Radar, t_s: float) -> None:
        """One sector look, at the sector's end ``t_s`` (targets at their own times)."""
        scan, views, observed = self._looks[radar.radar_id]
        k, t_a, t_b = scan.look_at(t_s)
        lit = self.truth.lit(radar.radar_id, views, k, t_a, t_b)
        t0 = time.perf_counter()
        rng, sig = self.radar_rngs[radar.radar_id], self.stages.sensors.signatures
        dets = views[k].observe(lit, t_s, rng, sig)
        self.stage_time_s["sensors"] += time.perf_counter() - t0
        look = Look(dets, t_s, radar.radar_id, observed[k], self._changes_only)
        if self._wave.add(radar, look, functools.partial(self.truth_at, t_s)):
            self.flush()
        engine.schedule(
            scan.next_look_after(t_s), functools.partial(self._dwell, engine, radar), PRIORITY_DWELL
        )
        if max(len(self.events), len(self.detections), len(self.tracks)) >= COMPACT_FRAMES:
            self.compact()

    def compact(self) -> None:
        """Join the frames collected since the last call, append order kept: detections
        and tracks into one frame each (``detection_parts``, ``track_parts``: a look's
        frame of a few rows costs more in array objects than in values), events into
        one Arrow table (``events_arrow``: text in UTF-8, not 4 bytes times the longest
        text of the frame; ``threat_eval`` details take 4 times less)."""
        if self.events:
            self.events_arrow.append(Events.concat(self.events).to_arrow())
            self.events.clear()
        if self.detections:
            self.detection_parts.append(Detections.concat(self.detections))
            self.detections.clear()
        if self.tracks:
            self.track_parts.append(Tracks.concat(self.tracks))
            self.tracks.clear()

    def _cue_dwell(self, radar: Radar, track_id: int, t_s: float) -> None:
        """An engagement radar's acquisition dwell on a cued track (module doc)."""
        self.flush()
        firm = self.stages.tracker.tracks(t_s, firm_only=True, track_ids=np.array([track_id]))
        row = np.flatnonzero(firm.track_id == track_id)
        if row.size == 0:  # the cued track was deleted meanwhile
            return
        cue = firm.pos_m()[row[0]]
        sigma = float(
            np.sqrt(firm.var_e_m2[row[0]] + firm.var_n_m2[row[0]] + firm.var_u_m2[row[0]])
        )
        truth = self.truth_at(t_s)
        t0 = time.perf_counter()
        sig = self.stages.sensors.signatures
        rng = self.radar_rngs[len(self.stages.sensors.radars) + radar.radar_id]
        dets = radar.observe_cued(truth, t_s, rng, sig, cue, sigma)
        self.stage_time_s["sensors"] += time.perf_counter() - t0
        look = Look(dets, t_s, radar.radar_id, radar.in_cue_window(cue, sigma), self._changes_only)

        def booked(result: LookResult) -> None:  # (whether the look acquired the track)
            self.events.append(cue_event(t_s, track_id, radar.radar_id, sigma, result.hit_ids))

        if self._wave.add(radar, look, lambda: truth, booked):
            self.flush()

    @property
    def _changes_only(self) -> bool:  # the tracker returns change rows (else all, each look)
        return self.world.track_history != "full"

    def flush(self) -> None:
        """Hand the waiting looks to the tracker (module doc) and book-keep each, then
        its notes (:mod:`iadsim.sim.look_wave`)."""
        wave = self._wave.take()
        if not wave:
            return
        t1 = time.perf_counter()
        results = step_looks(self.stages.tracker, [w.look for w in wave])
        self.stage_time_s["tracker"] += time.perf_counter() - t1
        for w, result in zip(wave, results, strict=True):
            self._note_look(w.radar, w.look, w.truth, result)
            for note in w.notes:
                note(result)

    def _note_look(
        self, radar: Radar, look: Look, truth: Callable[[], Truth], result: LookResult
    ) -> None:
        """Book-keep one look's tracker result (``truth()`` if the evaluation needs it)."""
        dets, t_s, tracks = look.detections, look.t_s, result.tracks
        n_plots = len(dets)
        if n_plots:  # (an empty look has no plot to note nor first detection)
            self.detections.append(dets)
            self.evaluation.note_plots(dets.truth_id)
        hit = result.hit_ids
        new_fc = self.fire_control.note_dwell(radar.radar_id, t_s, hit, result.hit_t_s, tracks)
        for tid in new_fc:
            self.events.append(make_events(
                t_s, "fire_control_track", track_id=tid, radar_id=radar.radar_id,
            ))  # fmt: skip
        n_rows = len(tracks)
        if n_rows:
            self.tracks.append(tracks)
            self.events.extend(self.run_events.track_status(tracks, t_s))
        if n_plots and result.n_tracks:
            self.evaluation.observe(
                tracks if look.changes_only else tracks.select(result.changes), truth, t_s,
                hit, radar.radar_id, radar.radar_id in self.fire_control.fc_radars,
            )  # fmt: skip

    # -- command and control, engagements -----------------------------------
    def _c2_cycle(self, engine: Engine, t_s: float) -> None:
        c2, eng = self.stages.c2, self.stages.engagement
        if c2 is None or eng is None:
            return
        self.flush()
        t0 = time.perf_counter()
        picture = self.fire_control.picture(self.stages.tracker.tracks(t_s, firm_only=True), t_s)
        self._note_engagement(eng.maintain(picture))
        orders = c2.decide(picture, t_s)
        ta = c2.last_assessment
        if ta is not None:
            self.events.append(threat_eval_events(ta))
        if len(orders):
            self.orders.append(orders)
            self.events.append(eng.launch(orders, picture))
            for t_l in sorted(set(orders.t_launch_s.tolist())):
                engine.schedule(t_l, functools.partial(self._commit_launches, engine),
                                PRIORITY_LAUNCH)  # fmt: skip
        assessed, value = (
            (np.zeros(0, np.int64), np.zeros(0)) if ta is None else (ta.track_id, ta.value)
        )
        radars, inflight = self.stages.sensors.radars, eng.in_flight
        need = eng.table.needs_fire_control[inflight.interceptor_id] & (inflight.t_launch_s < t_s)
        dwell_on = (inflight.track_id[need], inflight.battery_id[need])  # track dwells
        for r, tid in self.fire_control.cues(picture, radars, assessed, value, dwell_on):
            fc = radars[r].params.fire_control
            delay = 0.0 if fc is None else fc.acquisition_delay_s
            engine.schedule(
                t_s + delay, functools.partial(self._cue_dwell, radars[r], tid), PRIORITY_DWELL
            )
        inflight = eng.in_flight  # a handful of rows: count the channels in Python
        engaged = set(zip(inflight.battery_id.tolist(), inflight.track_id.tolist(), strict=True))
        for b in sorted({b for b, _ in engaged}):
            n = sum(1 for bb, _ in engaged if bb == b)
            self.max_channels_used[b] = max(self.max_channels_used[b], n)
        self.stage_time_s["c2+engagement"] += time.perf_counter() - t0
        self._schedule_intercept(engine)

    def _commit_launches(self, engine: Engine, t_s: float) -> None:
        """Launch the salvos due now whose track is still firm; cancel the others."""
        eng = self.stages.engagement
        if eng is None or eng.next_launch_t_s() > t_s:
            return
        self.flush()
        t0 = time.perf_counter()
        firm = self.stages.tracker.firm_track_ids()
        self._note_engagement(eng.commit_launches(t_s, firm, fc=self.fire_control))
        self.stage_time_s["c2+engagement"] += time.perf_counter() - t0
        self._schedule_intercept(engine)

    def _note_engagement(self, events: Events) -> None:
        """Keep the engagement stage's ``events``, and the threat each launch's track
        follows at the launch (:attr:`launch_threat`; evaluation only)."""
        launch = (events.kind == "launch").nonzero()[0]
        if launch.size:
            tracks_at, ids = self.stages.tracker.tracks, events.track_id[launch]
            threats = self.evaluation.threats_of(ids, tracks_at).tolist()
            self.launch_threat.update(zip(events.order_id[launch].tolist(), threats, strict=True))
        self.events.append(events)

    def _schedule_intercept(self, engine: Engine) -> None:
        eng = self.stages.engagement
        if eng is None:
            return
        t_next = eng.next_intercept_t_s()
        if np.isfinite(t_next) and t_next not in self._intercepts_at:
            self._intercepts_at.add(t_next)
            engine.schedule(
                max(t_next, engine.now_s),
                functools.partial(self._intercept, engine),
                PRIORITY_INTERCEPT,
            )

    def _intercept(self, engine: Engine, t_s: float) -> None:
        eng = self.stages.engagement
        if eng is None or self.physics is None:
            return
        self._intercepts_at.discard(t_s)
        if eng.next_intercept_t_s() > t_s:  # a time a mid-course update has since moved
            self._schedule_intercept(engine)
            return
        self.flush()
        truth = self.truth_at(t_s)
        t0 = time.perf_counter()
        result, events = eng.resolve(truth, t_s, self.rngs["engagement"], self.physics)
        self.stage_time_s["c2+engagement"] += time.perf_counter() - t0
        self.events.append(events)
        for th in np.unique(result.threat_id[result.killed]):
            if self.outcome[th] == "survived":
                self.outcome[th] = "killed"
                self.outcome_t_s[th] = t_s
                self._remove_threat(th, t_s)
            elif self.outcome[th] == "leaked" and self.kill_time_s[th] > t_s:  # egressing
                self.killed_after_leak_t_s[th] = t_s
                self._remove_threat(th, t_s)
        self._schedule_intercept(engine)

    # -- outcomes -----------------------------------------------------------
    def threat_arrives(self, i: int, t_s: float) -> None:
        """Threat ``i`` reached its target site or route end: a leaker unless killed.
        Without an egress it leaves the air picture (it has struck, or left); with one
        it flies on and may still be killed (:attr:`killed_after_leak_t_s`)."""
        if self.kill_time_s[i] <= t_s or self.outcome[i] != "survived":
            return
        self.outcome[i], self.outcome_t_s[i] = "leaked", t_s
        detail = leak_detail(self.world, i, self.truth_at(t_s))
        self.events.append(make_events(t_s, "leak", threat_id=i, detail=detail))
        if not np.isfinite(self.world.threats.egress_s[i]):
            self._remove_threat(i, t_s)
