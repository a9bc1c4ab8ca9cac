"""Run one scenario end to end and (optionally) record the run directory.

``run_scenario`` compiles the scenario, wires the stages into the event engine,
runs it and returns a :class:`RunResult` with the summary (the same figures as
``summary.json``) and the in-memory frames.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from iadsim import geo
from iadsim.engagement.log import Engagements
from iadsim.frames import Detections, Events, Tracks, Truth, arrow_array
from iadsim.scenario.compile import World, compile_world
from iadsim.scenario.limits import DEFAULT_LIMITS, Limits, check_limits
from iadsim.scenario.resolve import resolved_scenario_dict
from iadsim.scenario.schema import Scenario
from iadsim.scenario.stages import build_stages
from iadsim.sim import recorder
from iadsim.sim.engine import PRIORITY_LEAK, Engine
from iadsim.sim.memory import release_free_memory, releasing
from iadsim.sim.outputs import TrackRows, TruthStates, sorted_events_table, time_sorted
from iadsim.sim.pipeline import Pipeline
from iadsim.sim.run_events import first_detection_events
from iadsim.sim.run_truth import truth_table_for
from iadsim.sim.summary import build_summary
from iadsim.sim.summary_types import RunSummary

if TYPE_CHECKING:
    from iadsim.sim.shared import SharedSetup

#: Fine time step (s) used to find when a threat first enters its target site.
ARRIVAL_STEP_S = 1.0
#: Threat-times evaluated at once by :func:`arrival_times_s` (bounds its memory).
ARRIVAL_CHUNK_CELLS = 200_000


@dataclasses.dataclass
class RunResult:
    """What one run produced: the typed summary (``summary.json``'s figures,
    :class:`~iadsim.sim.summary_types.RunSummary`) and the in-memory frames.

    ``truth`` is computed on first use from ``truth_states`` (and then kept): a run
    that is only recorded or summarised never holds all its truth rows at once.
    ``tracks`` and ``events`` likewise from ``track_rows`` and ``events_table``
    (:mod:`iadsim.sim.outputs`)."""

    summary: RunSummary
    truth_states: TruthStates
    detections: Detections
    track_rows: TrackRows
    events_table: pa.Table
    engagements: Engagements = dataclasses.field(default_factory=Engagements.empty)
    run_dir: Path | None = None

    @functools.cached_property
    def tracks(self) -> Tracks:
        """Track rows in output order (``tracks.parquet``'s rows)."""
        return self.track_rows.frame()

    @functools.cached_property
    def events(self) -> Events:
        """The event log in time order (``events.parquet``'s rows)."""
        return Events.from_arrow(self.events_table)

    @functools.cached_property
    def truth(self) -> Truth:
        """True states of every threat on the run's truth grid (``truth.parquet``'s rows)."""
        return self.truth_states.frame()


def arrival_times_s(world: World) -> np.ndarray:
    """(n,) first time each threat is within its target site's radius, else its route end
    (the start of its egress for a threat with one: the strike is over by then).

    Each threat is looked at on the times ``k * ARRIVAL_STEP_S`` of its own flight
    (launch to route end, within the run), threats in chunks of about
    :data:`ARRIVAL_CHUNK_CELLS` threat-times: cost grows with threat-seconds, memory
    is bounded, and the result equals a scan of all threats on one shared grid.
    """
    truth = world.truth
    end = np.minimum(truth.end_s, world.threats.egress_s)
    out = end.copy()
    targets = world.threats.target_site
    rows = (targets >= 0).nonzero()[0]
    if rows.shape[0] == 0:
        return out
    step = ARRIVAL_STEP_S
    t_stop = min(float(end.max()), world.duration_s)
    n_grid = np.arange(0.0, t_stop + step, step).size  # grid 0, step, ..., (n_grid-1) step
    rows = rows[truth.launch_s[rows] <= t_stop]  # (launched after the run: never arrives)
    k0 = _first_k_at_or_after(truth.launch_s[rows], step)
    last = np.minimum(end[rows], t_stop + step)  # (steps counted in int64: no 1e20 s)
    k1 = np.minimum(_first_k_at_or_after(last, step, strict=True) - 1, n_grid - 1)
    rows, k0, k1 = rows[k0 <= k1], k0[k0 <= k1], k1[k0 <= k1]
    order = np.argsort(k0, kind="stable")
    site = world.site_pos_enu_m[targets]
    radius = world.site_radius_m[targets]
    start = 0
    while start < order.shape[0]:
        span = int(k1[order[start:]].max() - k0[order[start]] + 1)
        stop = min(order.shape[0], start + max(1, ARRIVAL_CHUNK_CELLS // span))
        c = order[start:stop]
        start = stop
        kk = np.arange(int(k0[c].min()), int(k1[c].max()) + 1)
        e, n, _ = truth.positions(np.asarray(kk * step, dtype=np.float64), rows[c])
        r = rows[c]
        horiz = np.hypot(e - site[r, 0, None], n - site[r, 1, None])
        inside = (horiz <= radius[r, None]) & (kk >= k0[c, None]) & (kk <= k1[c, None])
        hit = inside.any(axis=1)
        first_t = kk[inside.argmax(axis=1)] * step
        out[r[hit]] = np.minimum(first_t[hit], end[r[hit]])
    return out


def _first_k_at_or_after(t_s: np.ndarray, step: float, *, strict: bool = False) -> np.ndarray:
    """Smallest k >= 0 with k * step >= t_s (or > t_s if ``strict``), exactly."""
    k = np.maximum(np.ceil(t_s / step), 0.0)
    below = (k * step <= t_s) if strict else (k * step < t_s)
    k += below  # rounding of the division: one step up
    prev = np.maximum(k - 1, 0.0)
    ok_prev = (prev * step > t_s) if strict else (prev * step >= t_s)
    return np.where(ok_prev & (k > 0), prev, k).astype(np.int64)


def _tracks_table(world: World, tracks: Tracks) -> Any:
    """tracks.parquet, its schema metadata saying which rows it holds (``track_history``)."""
    table = tracks.to_arrow()
    meta = {**(table.schema.metadata or {}), b"iadsim.track_history": world.track_history.encode()}
    return table.replace_schema_metadata(meta)


def _truth_table(world: World, truth: Truth) -> Any:
    lat0, lon0, h0 = world.origin_rad_m
    lat, lon, _ = geo.enu2geodetic(truth.e_m, truth.n_m, truth.u_m, lat0, lon0, h0)
    table = truth.to_arrow()
    table = table.append_column("lat_deg", arrow_array(np.degrees(lat)))
    table = table.append_column("lon_deg", arrow_array(np.degrees(lon)))
    # names taken per row in Arrow (a numpy fixed-width unicode array of all rows
    # would cost 4 bytes x the longest name per row: 340 MB at 1,000 threats)
    names = arrow_array(np.asarray(world.threats.name, dtype=str))
    types = arrow_array(np.asarray(world.threats.type, dtype=str))
    table = table.append_column("threat_name", names.take(arrow_array(truth.threat_id)))
    return table.append_column("threat_type", types.take(arrow_array(truth.threat_id)))


def _engagements_table(world: World, engagements: Engagements) -> Any:
    """``engagements.parquet``: the log with the fire-control radar's name."""
    names = np.array([r.name for r in world.radars] + [""], dtype=str)
    table = engagements.to_arrow()
    return table.append_column("fc_radar", arrow_array(names[engagements.fc_radar_id]))


#: Random streams of a run, each an independent child of the run's SeedSequence.
RNG_STREAMS = ("setup", "sensors", "tracker", "c2", "engagement")


def engagement_log(pipeline: Pipeline) -> Engagements:
    """The run's engagement log with the evaluation column ``threat_id_launch`` filled."""
    eng = pipeline.stages.engagement
    if eng is None:
        return Engagements.empty()
    log = eng.log()
    cols = {c: getattr(log, c) for c in Engagements.columns()}
    cols["threat_id_launch"] = np.array(
        [pipeline.launch_threat.get(int(o), -1) for o in log.order_id], dtype=np.int64
    )
    return Engagements(**cols)


def simulate(
    world: World,
    scenario: Scenario,
    *,
    seed: int,
    progress: Callable[[float], None] | None = None,
    shared: SharedSetup | None = None,
) -> tuple[Pipeline, Engine]:
    """Build the stages, wire them into an engine and run it (``shared``: the
    seed-independent set-up of this world, see :mod:`iadsim.sim.shared`)."""
    children = np.random.SeedSequence(seed).spawn(len(RNG_STREAMS))
    rngs = {n: np.random.default_rng(c) for n, c in zip(RNG_STREAMS, children, strict=True)}
    t0 = time.perf_counter()
    if shared is not None:
        stages = build_stages(world, scenario, rngs["setup"], sites=shared.sites)
        table = shared.truth_table or truth_table_for(world)
    else:
        table = truth_table_for(world)
        stages = build_stages(world, scenario, rngs["setup"])
    pipeline = Pipeline.build(world, stages, rngs, table)
    pipeline.stage_time_s["setup"] += time.perf_counter() - t0
    engine = Engine(world.duration_s)
    arrivals = arrival_times_s(world) if shared is None else shared.arrivals_s
    for i, t_arr in enumerate(arrivals):
        engine.schedule(float(t_arr), functools.partial(pipeline.threat_arrives, i), PRIORITY_LEAK)
    pipeline.schedule(engine)
    engine.run(releasing(progress))  # freed memory returned as the run goes
    pipeline.flush()  # the looks after the last event that read the picture
    return pipeline, engine


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    record: bool = True,
    progress: Callable[[float], None] | None = None,
    shared: SharedSetup | None = None,
    limits: Limits | None = DEFAULT_LIMITS,
) -> RunResult:
    """Run ``scenario`` (seed: argument, else the scenario's) and record it if asked
    (``shared``: :func:`iadsim.sim.shared.shared_setup` of this same scenario).

    The run is refused with a :class:`~iadsim.errors.ScenarioError` before anything
    is allocated if it would exceed ``limits`` (``None``: no check; see
    :mod:`iadsim.scenario.limits`).
    """
    wall0 = time.perf_counter()
    check_limits(scenario, limits)
    world = compile_world(scenario) if shared is None else shared.world
    seed = world.seed if seed is None else int(seed)
    pipeline, engine = simulate(world, scenario, seed=seed, progress=progress, shared=shared)
    t_grid = np.arange(0.0, world.duration_s + 1e-9, world.truth_step_s)
    truth = TruthStates(world.truth, t_grid, pipeline.kill_time_s.copy())
    pipeline.compact()  # each list is released once joined: the frames are held once
    # plots carry their own illumination times (a sector look spans ~1 s): the file is
    # in time order, ties in look order, as readers such as `iadsim track` require
    detections = time_sorted(pipeline.detection_parts)
    engagements = engagement_log(pipeline)
    track_parts, event_parts = pipeline.track_parts.take(), pipeline.events_arrow
    event_parts.append(first_detection_events(detections).to_arrow())
    # several looks at one instant (a dwell and a cued acquisition): one row per
    # (time, track) in either history mode, the state after all of them
    tracks = TrackRows.of(track_parts)
    summary = build_summary(
        world, pipeline, detections, engagements, seed=seed, n_track_rows=len(tracks),
        n_events_processed=engine.n_events, wall_time_s=time.perf_counter() - wall0,
    )  # fmt: skip
    del pipeline, engine  # the run's state (tracker, truth windows) goes before the joins
    release_free_memory()
    events = sorted_events_table(event_parts)
    release_free_memory()  # the parts joined
    result = RunResult(
        summary=summary, truth_states=truth, detections=detections, track_rows=tracks,
        events_table=events, engagements=engagements,
    )  # fmt: skip
    if record:
        run_dir = recorder.prepare_run_dir(out_dir or recorder.default_run_dir(world.name))
        streamed = {  # written a row group at a time
            "truth": (_truth_table(world, part) for part in truth.chunks()),
            "detections": [detections.to_arrow()],
            "tracks": (_tracks_table(world, part) for part in tracks.chunks()),
        }
        for name, parts in streamed.items():
            recorder.write_parquet_parts(run_dir / f"{name}.parquet", parts)
            release_free_memory()  # what encoding the file used
        tables: dict[str, Callable[[], Any]] = {
            "engagements": lambda: _engagements_table(world, engagements),
            "events": lambda: events,
        }
        for name, make in tables.items():
            recorder.write_parquet(run_dir / f"{name}.parquet", make())
        recorder.write_yaml(run_dir / "scenario.resolved.yaml", resolved_scenario_dict(scenario))
        result.summary = dataclasses.replace(summary, wall_time_s=time.perf_counter() - wall0)
        recorder.write_json(run_dir / "summary.json", result.summary.to_json_dict())
        result.run_dir = run_dir
    return result
