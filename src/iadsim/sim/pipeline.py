"""The run-time state of one simulation: stages wired to the engine.

Truth -> radar dwells -> tracker -> C2 cycles -> engagements -> kills/leaks.
Each radar schedules its own dwells, C2 runs every ``c2_cycle_s``, and the
engagement stage's next intercept time is (re)scheduled whenever it changes.
Every frame a stage produces is kept for the recorder.

Multi-radar track maintenance: several radars with different sensitivities
feed one centralized tracker (measurement-level fusion), so a radar that does
not see a target (a stealth fighter inside the engagement radar's coverage but
beyond its reach, held by the VHF radar) must not charge misses to a track
other radars hold. Each dwell is therefore passed with its ``sensor_id``: a
radar charges misses only to tracks inside its coverage that it has itself
detected before, and the tracker's ``max_coast_s`` and covariance limits
delete tracks no radar updates any more.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import defaultdict
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.c2.threat import threat_eval_events
from iadsim.frames import Detections, Events, Orders, Tracks, TrackStatus, Truth, make_events
from iadsim.scenario.compile import World
from iadsim.scenario.stages import Stages
from iadsim.sensors.radar import Radar
from iadsim.sim.engine import PRIORITY_C2, PRIORITY_DWELL, PRIORITY_INTERCEPT, Engine
from iadsim.tracking.tracker import visible_from
from iadsim.truth import TruthTable

#: A newly confirmed track is attributed (for evaluation only) to the nearest
#: living threat within this distance.
TRACK_TRUTH_GATE_M = 10_000.0
#: Truth is precomputed on this grid (see :class:`iadsim.truth.TruthTable`) when
#: threats x steps stays under the cell limit; larger raids use exact evaluation.
TRUTH_TABLE_DT_S = 0.25
TRUTH_TABLE_MAX_CELLS = 5_000_000


def truth_table_for(world: World) -> TruthTable | None:
    """The precomputed truth table of a run, or None when threats x steps exceed
    :data:`TRUTH_TABLE_MAX_CELLS` (large raids evaluate truth exactly per dwell)."""
    steps = world.duration_s / TRUTH_TABLE_DT_S
    if world.truth.n_threats * steps > TRUTH_TABLE_MAX_CELLS:
        return None
    return TruthTable.build(world.truth, world.duration_s, TRUTH_TABLE_DT_S)


@dataclasses.dataclass
class Pipeline:
    """Mutable per-run state; built by :meth:`build`, driven by the engine."""

    world: World
    stages: Stages
    rngs: dict[str, np.random.Generator]
    kill_time_s: NDArray[np.float64]
    outcome: list[str]
    outcome_t_s: NDArray[np.float64]
    first_track_t_s: NDArray[np.float64]
    first_track_range_m: NDArray[np.float64]
    detections: list[Detections] = dataclasses.field(default_factory=list)
    tracks: list[Tracks] = dataclasses.field(default_factory=list)
    events: list[Events] = dataclasses.field(default_factory=list)
    orders: list[Orders] = dataclasses.field(default_factory=list)
    stage_time_s: dict[str, float] = dataclasses.field(default_factory=lambda: defaultdict(float))
    max_channels_used: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    warnings: list[str] = dataclasses.field(default_factory=list)
    truth_table: TruthTable | None = None
    _confirmed_ids: set[int] = dataclasses.field(default_factory=set)
    _observed: list[Any] = dataclasses.field(default_factory=list)
    _intercepts_at: set[float] = dataclasses.field(default_factory=set)

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
        return cls(
            truth_table=truth_table,
            world=world,
            stages=stages,
            rngs=rngs,
            kill_time_s=np.full(n, np.inf),
            outcome=["survived"] * n,
            outcome_t_s=np.full(n, np.nan),
            first_track_t_s=np.full(n, np.nan),
            first_track_range_m=np.full(n, np.nan),
        )

    # -- wiring -------------------------------------------------------------
    def schedule(self, engine: Engine) -> None:
        """Queue every stage's first event (each stage reschedules itself)."""
        for i, t0 in enumerate(self.world.truth.launch_s):
            if t0 <= engine.end_s:
                self.events.append(make_events(t0, "threat_launch", threat_id=i))
        self._observed = [self._observed_by(r) for r in self.stages.sensors.radars]
        for radar in self.stages.sensors.radars:
            first = radar.next_dwell_after(-1e-9)
            engine.schedule(first, functools.partial(self._dwell, engine, radar), PRIORITY_DWELL)
        if self.stages.c2 is not None:
            engine.every(
                self.world.c2_cycle_s,
                self.world.c2_cycle_s,
                functools.partial(self._c2_cycle, engine),
                PRIORITY_C2,
            )

    def truth_at(self, t_s: float) -> Truth:
        """States of all threats at ``t_s`` with kills and leaks applied."""
        t0 = time.perf_counter()
        source = self.truth_table if self.truth_table is not None else self.world.truth
        truth = source.states(t_s, self.kill_time_s)
        self.stage_time_s["truth"] += time.perf_counter() - t0
        return truth

    # -- sensing and tracking ------------------------------------------------
    def _observed_by(self, radar: Radar) -> Any:
        p = radar.params
        full = p.az_width_rad >= 2 * np.pi - 1e-9
        half = p.az_width_rad / 2
        return visible_from(
            np.asarray(radar.pos_m),
            max_range_m=p.instrumented_range_m,
            az_min_rad=None if full else radar.az_center_rad - half,
            az_max_rad=None if full else radar.az_center_rad + half,
        )

    def _dwell(self, engine: Engine, radar: Radar, t_s: float) -> None:
        truth = self.truth_at(t_s)
        t0 = time.perf_counter()
        dets = radar.observe(truth, t_s, self.rngs["sensors"], self.stages.sensors.signatures)
        t1 = time.perf_counter()
        self.stage_time_s["sensors"] += t1 - t0
        look = {"observed": self._observed[radar.radar_id], "sensor_id": radar.radar_id}
        if len(dets):
            tracks = self.stages.tracker.step(dets, t_s, **look)
            self.detections.append(dets)
        else:  # an empty look only charges misses (cheap: no state output)
            tracks = self.stages.tracker.miss(t_s, **look)
        self.stage_time_s["tracker"] += time.perf_counter() - t1
        if len(tracks):
            self.tracks.append(tracks)
            self._note_confirmations(tracks, truth, t_s)
        engine.schedule(
            radar.next_dwell_after(t_s),
            functools.partial(self._dwell, engine, radar),
            PRIORITY_DWELL,
        )

    def _note_confirmations(self, tracks: Tracks, truth: Truth, t_s: float) -> None:
        """Events for newly confirmed and deleted tracks; first firm track per threat."""
        firm = (
            (tracks.status == TrackStatus.CONFIRMED) | (tracks.status == TrackStatus.COASTING)
        ).nonzero()[0]
        new = firm  # most dwells: no firm row at all (only false-alarm tentative tracks)
        if firm.shape[0]:  # firm rows not confirmed before (few ids: one comparison matrix)
            known = np.fromiter(self._confirmed_ids, np.int64, len(self._confirmed_ids))
            new = firm[~(tracks.track_id[firm, None] == known[None, :]).any(axis=1)]
        gone = tracks.status == TrackStatus.DELETED
        if gone.any():
            self.events.append(
                make_events(
                    np.full(int(gone.sum()), t_s), "track_deleted", track_id=tracks.track_id[gone]
                )
            )
        if new.shape[0] == 0:
            return
        self._confirmed_ids.update(int(i) for i in tracks.track_id[new])
        pos = tracks.pos_m()[new]
        alive = truth.alive
        threat = np.full(pos.shape[0], -1, dtype=np.int64)
        if alive.any():
            tp = truth.pos_m()[alive]
            d = np.linalg.norm(pos[:, None, :] - tp[None, :, :], axis=-1)
            j = d.argmin(axis=1)
            ok = d[np.arange(len(j)), j] <= TRACK_TRUTH_GATE_M
            threat[ok] = truth.threat_id[alive][j[ok]]
        radar_pos = np.array([r.pos_m for r in self.stages.sensors.radars])
        rng_m = np.linalg.norm(pos[:, None, :] - radar_pos[None, :, :], axis=-1).min(axis=1)
        self.events.append(
            make_events(
                np.full(pos.shape[0], t_s),
                "track_confirmed",
                track_id=tracks.track_id[new],
                threat_id=threat,
                value=rng_m,
            )
        )
        for th, r in zip(threat, rng_m, strict=True):
            if th >= 0 and np.isnan(self.first_track_t_s[th]):
                self.first_track_t_s[th] = t_s
                self.first_track_range_m[th] = r

    # -- command and control, engagements -----------------------------------
    def _c2_cycle(self, engine: Engine, t_s: float) -> None:
        c2, eng = self.stages.c2, self.stages.engagement
        if c2 is None or eng is None:
            return
        t0 = time.perf_counter()
        tracks = self.stages.tracker.tracks(t_s, firm_only=True)
        eng.update(tracks, t_s)
        orders = c2.decide(tracks, t_s)
        if c2.last_assessment is not None:
            self.events.append(threat_eval_events(c2.last_assessment))
        if len(orders):
            self.orders.append(orders)
            self.events.append(eng.launch(orders))
        inflight = eng.in_flight  # a handful of rows: count the channels in Python
        engaged = set(zip(inflight.battery_id.tolist(), inflight.track_id.tolist(), strict=True))
        for b in sorted({b for b, _ in engaged}):
            n = sum(1 for bb, _ in engaged if bb == b)
            self.max_channels_used[b] = max(self.max_channels_used[b], n)
        self.stage_time_s["c2+engagement"] += time.perf_counter() - t0
        self._schedule_intercept(engine)

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
        if eng is None:
            return
        self._intercepts_at.discard(t_s)
        if eng.next_intercept_t_s() > t_s:  # a time a mid-course update has since moved
            self._schedule_intercept(engine)
            return
        truth = self.truth_at(t_s)
        t0 = time.perf_counter()
        result, events = eng.resolve(truth, t_s, self.rngs["engagement"])
        self.stage_time_s["c2+engagement"] += time.perf_counter() - t0
        self.events.append(events)
        for th in np.unique(result.threat_id[result.killed]):
            if self.outcome[th] == "survived":
                self.outcome[th] = "killed"
                self.outcome_t_s[th] = t_s
                self.kill_time_s[th] = t_s
        self._schedule_intercept(engine)

    # -- outcomes -----------------------------------------------------------
    def threat_arrives(self, i: int, t_s: float) -> None:
        """Threat ``i`` reached its target site or route end: a leaker unless killed."""
        if self.kill_time_s[i] <= t_s or self.outcome[i] != "survived":
            return
        self.outcome[i] = "leaked"
        self.outcome_t_s[i] = t_s
        self.kill_time_s[i] = t_s  # it has struck (or left): no longer in the air picture
        target = int(self.world.threats.target_site[i])
        detail = self.world.site_names[target] if target >= 0 else "route end"
        self.events.append(make_events(t_s, "leak", threat_id=i, detail=detail))
