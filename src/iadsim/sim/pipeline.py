"""The run-time state of one simulation: stages wired to the engine.

Truth -> radar dwells -> tracker -> C2 cycles -> engagements -> kills/leaks.
Each stage's events are scheduled by the stage wrapper here; the frames each
stage produces are collected for the recorder.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from iadsim.frames import Detections, Events, Tracks, make_events
from iadsim.scenario.compile import World
from iadsim.sim.engine import Engine


@dataclasses.dataclass
class Pipeline:
    """Mutable per-run state; built by :meth:`build`, driven by the engine."""

    world: World
    rngs: dict[str, np.random.Generator]
    kill_time_s: np.ndarray
    outcome: list[str]
    outcome_t_s: np.ndarray
    detections: list[Detections] = dataclasses.field(default_factory=list)
    tracks: list[Tracks] = dataclasses.field(default_factory=list)
    events: list[Events] = dataclasses.field(default_factory=list)
    stages: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def build(cls, world: World, seed_seq: np.random.SeedSequence) -> Pipeline:
        """Fresh state; one child Generator per stage (SeedSequence spawning)."""
        names = ("sensors", "tracker", "c2", "engagement")
        rngs = {
            n: np.random.default_rng(s)
            for n, s in zip(names, seed_seq.spawn(len(names)), strict=True)
        }
        n = world.truth.n_threats
        return cls(
            world=world,
            rngs=rngs,
            kill_time_s=np.full(n, np.inf),
            outcome=["survived"] * n,
            outcome_t_s=np.full(n, np.nan),
        )

    # -- wiring -------------------------------------------------------------
    def schedule(self, engine: Engine) -> None:
        """Queue the stages' first events (each stage reschedules itself)."""
        for i, t0 in enumerate(self.world.truth.launch_s):
            if t0 <= engine.end_s:
                self.events.append(make_events(t0, "threat_launch", threat_id=i))

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
