"""Compile a validated :class:`Scenario` into plain arrays and stage objects (a World).

This is the only place where degrees become radians and geodetic positions
become local ENU metres; stages receive the result and never see pydantic.
A :class:`World` holds only plain values: frozen dataclasses, numpy arrays,
tuples and read-only mappings (no pydantic model, no mutable dict).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from iadsim import geo
from iadsim.c2.doctrine import DoctrineParams
from iadsim.engagement.interceptors import InterceptorParams
from iadsim.errors import IadsimError, InputDataError, ScenarioError
from iadsim.scenario.checks import engagement_radar_of, origin_of
from iadsim.scenario.schema import Catalog, GeoPoint, Scenario
from iadsim.scenario.schema_c2 import compile_doctrine
from iadsim.scenario.schema_engagement import compile_interceptor
from iadsim.scenario.schema_sensors import compile_radar
from iadsim.scenario.schema_truth import THREAT_MOTIONS
from iadsim.sensors.params import RadarParams
from iadsim.sensors.terrain import GridDem, load_geotiff_dem, load_pvlib_dem
from iadsim.truth import ThreatMotion, TruthModel

F64 = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlacedRadarInfo:
    """A radar on the map: identity, ENU position (antenna phase centre), type name."""

    radar_id: int
    name: str
    type: str
    battery_id: int  # -1 for stand-alone sensors
    pos_enu_m: F64  # (3,)
    lat_rad: float
    lon_rad: float
    ground_alt_m: float
    mast_m: float
    heading_rad: float | None
    params: RadarParams


@dataclasses.dataclass(frozen=True, kw_only=True)
class LauncherInfo:
    """One launcher: position and initial magazine by interceptor type name."""

    launcher_id: int
    battery_id: int
    name: str
    type: str
    pos_enu_m: F64
    loadout: Mapping[str, int]  # interceptor type -> rounds (read-only)


@dataclasses.dataclass(frozen=True, kw_only=True)
class BatteryInfo:
    """A battery: its radars, launchers, engagement radar and compiled doctrine."""

    battery_id: int
    name: str
    radar_ids: tuple[int, ...]
    launcher_ids: tuple[int, ...]
    engagement_radar_id: int | None
    command_post_enu_m: F64 | None
    doctrine: DoctrineParams


@dataclasses.dataclass(frozen=True, kw_only=True)
class ThreatInfo:
    """Per-threat identity (arrays of length n_threats)."""

    name: tuple[str, ...]
    group_name: tuple[str, ...]
    type: tuple[str, ...]
    kind: tuple[str, ...]
    target_site: NDArray[np.int64]  # -1: none
    egress_s: F64  # time the egress after the target begins, s (inf: no egress)
    value: F64
    rcs_table: tuple[str, ...]
    swerling: NDArray[np.int64]
    rcs_scale_db: F64


@dataclasses.dataclass(frozen=True, kw_only=True)
class World:
    """Everything a run needs, as plain values: the compiled scenario."""

    name: str
    origin_rad_m: tuple[float, float, float]
    duration_s: float
    seed: int
    c2_cycle_s: float
    truth_step_s: float
    track_history: str = "changes"
    earth_k: float
    terrain_kind: str
    terrain_path: str | None
    site_names: tuple[str, ...]
    site_pos_enu_m: F64  # (n_sites, 3)
    site_value: F64
    site_radius_m: F64
    truth: TruthModel
    threats: ThreatInfo
    radars: tuple[PlacedRadarInfo, ...]
    launchers: tuple[LauncherInfo, ...]
    batteries: tuple[BatteryInfo, ...]
    interceptors: Mapping[str, InterceptorParams]  # types some launcher loads (catalog order)
    tight_turns: int = 0
    warnings: tuple[str, ...] = ()


def _enu(p: GeoPoint, origin: tuple[float, float, float], extra_up_m: float = 0.0) -> F64:
    e, n, u = geo.geodetic2enu(
        math.radians(p.lat_deg), math.radians(p.lon_deg), p.alt_m + extra_up_m, *origin
    )
    return np.array([float(e), float(n), float(u)])


def _formation_offsets(right: F64, count: int, spacing_m: float) -> F64:
    """Line-abreast offsets along ``right`` (unit, (2,)), centred on the route."""
    k = np.arange(count) - (count - 1) / 2.0
    return k[:, None] * spacing_m * right[None, :]


def load_dem(kind: str, path: str | None) -> GridDem | None:
    """The scenario's terrain model: pvlib's global grid, a user GeoTIFF, or none."""
    if kind == "none":
        return None
    if kind == "geotiff":
        try:
            return load_geotiff_dem(str(path))
        except InputDataError as err:
            raise ScenarioError(f"terrain.path: {err}") from err
    return load_pvlib_dem()


def compile_truth(
    scenario: Scenario, catalog: Catalog, origin: tuple[float, float, float]
) -> tuple[TruthModel, ThreatInfo, tuple[str, ...]]:
    """Motion groups (by kind, see :mod:`iadsim.scenario.schema_truth`), per-threat
    offsets/launch times, identity arrays, and the motions' warnings."""
    routes: list[ThreatMotion] = []
    group, entry, offsets, launch, notes = [], [], [], [], []
    names, gnames, types, kinds, targets, values, tables, swer, scale = ([] for _ in range(9))
    egress: list[float] = []
    site_index = {s.name: i for i, s in enumerate(scenario.sites)}
    for g, th in enumerate(scenario.threats):
        try:
            gm = THREAT_MOTIONS.compile(th.motion, th, catalog, origin)
        except IadsimError as err:  # a recording: name the scenario field too
            raise type(err)(f"{scenario.file}: threats[{g}].motion: {err}") from err
        notes += [f"{scenario.file}: threats[{g}].{w}" for w in gm.warnings]
        platform = catalog.platforms[th.type]
        count = len(gm.members) or th.count
        if gm.members:  # one motion per member (replayed flights)
            routes += [m.motion for m in gm.members]
            offsets.append(np.zeros((count, 2)))
        else:
            routes.append(gm.motion)
            offsets.append(_formation_offsets(gm.right, th.count, th.formation_spacing_m))
        for k in range(count):
            member = gm.members[k] if gm.members else None
            group.append(len(routes) - count + k if member else len(routes) - 1)
            entry.append(g)
            launch.append(
                th.launch_time_s + (member.start_s if member else k * th.launch_interval_s)
            )
            names.append(
                f"{th.name}-{member.name}"
                if member
                else th.name
                if count == 1
                else f"{th.name}-{k + 1}"
            )
            gnames.append(th.name)
            types.append(th.type)
            kinds.append(platform.kind)
            targets.append(site_index.get(th.target_site, -1) if th.target_site else -1)
            egress.append(launch[-1] + gm.egress_s)
            values.append(platform.threat_value)
            tables.append(platform.rcs.table)
            swer.append(platform.rcs.swerling)
            scale.append(platform.rcs.scale_db)
    agl = np.array([scenario.threats[g].altitude_reference == "agl" for g in entry], dtype=bool)
    dem = load_dem(scenario.terrain.kind, scenario.terrain.path) if agl.any() else None
    truth = TruthModel(
        agl=agl if dem is not None else None,
        ground_m=dem.elevation_at if dem is not None else None,
        routes=tuple(routes),
        group=np.asarray(group, dtype=np.int64),
        offset_m=np.concatenate(offsets, axis=0),
        launch_s=np.asarray(launch, dtype=float),
        origin_rad_m=origin,
    )
    info = ThreatInfo(
        name=tuple(names),
        group_name=tuple(gnames),
        type=tuple(types),
        kind=tuple(kinds),
        target_site=np.asarray(targets, dtype=np.int64),
        egress_s=np.asarray(egress, dtype=float),
        value=np.asarray(values, dtype=float),
        rcs_table=tuple(tables),
        swerling=np.asarray(swer, dtype=np.int64),
        rcs_scale_db=np.asarray(scale, dtype=float),
    )
    return truth, info, tuple(notes)


def _used_interceptors(
    catalog: Catalog, launchers: list[LauncherInfo]
) -> Mapping[str, InterceptorParams]:
    """The interceptor types some launcher loads, compiled, in catalog order."""
    used = {name for la in launchers for name in la.loadout}
    return MappingProxyType(
        {n: compile_interceptor(m, n) for n, m in catalog.interceptors.items() if n in used}
    )


def compile_world(scenario: Scenario) -> World:
    """Compile a loaded scenario (see :func:`iadsim.scenario.load.load_scenario`)."""
    catalog = scenario.resolved_catalog
    o = origin_of(scenario)
    origin = (math.radians(o.lat_deg), math.radians(o.lon_deg), o.alt_m)
    truth, threats, notes = compile_truth(scenario, catalog, origin)
    radars: list[PlacedRadarInfo] = []
    launchers: list[LauncherInfo] = []
    batteries: list[BatteryInfo] = []
    placed = [(b, r) for b, bty in enumerate(scenario.batteries) for r in bty.radars]
    placed += [(-1, r) for r in scenario.radars]
    for rid, (b, r) in enumerate(placed):
        radars.append(
            PlacedRadarInfo(
                radar_id=rid,
                name=r.name,
                type=r.type,
                battery_id=b,
                pos_enu_m=_enu(r, origin, r.mast_m),
                lat_rad=math.radians(r.lat_deg),
                lon_rad=math.radians(r.lon_deg),
                ground_alt_m=r.alt_m,
                mast_m=r.mast_m,
                heading_rad=None if r.heading_deg is None else math.radians(r.heading_deg),
                params=compile_radar(catalog.radars[r.type], r.type),
            )
        )
    for b, bty in enumerate(scenario.batteries):
        lids = []
        for j, lch in enumerate(bty.launchers):
            for k in range(lch.count):
                lid = len(launchers)
                base = lch.name or f"{bty.name}-l{j + 1}"
                launchers.append(
                    LauncherInfo(
                        launcher_id=lid,
                        battery_id=b,
                        name=base if lch.count == 1 else f"{base}-{k + 1}",
                        type=lch.type,
                        pos_enu_m=_enu(lch, origin),
                        loadout=MappingProxyType(dict(lch.loadout)),
                    )
                )
                lids.append(lid)
        rids = tuple(r.radar_id for r in radars if r.battery_id == b)
        fc_name = engagement_radar_of(bty, catalog)
        eng = next((r.radar_id for r in radars if r.battery_id == b and r.name == fc_name), None)
        batteries.append(
            BatteryInfo(
                battery_id=b,
                name=bty.name,
                radar_ids=rids,
                launcher_ids=tuple(lids),
                engagement_radar_id=eng,
                command_post_enu_m=None
                if bty.command_post is None
                else _enu(bty.command_post, origin),
                doctrine=compile_doctrine(bty.doctrine),
            )
        )
    sites = scenario.sites
    return World(
        name=scenario.name,
        origin_rad_m=origin,
        duration_s=scenario.simulation.duration_s,
        seed=scenario.simulation.seed,
        c2_cycle_s=scenario.simulation.c2_cycle_s,
        truth_step_s=scenario.simulation.truth_step_s,
        track_history=scenario.simulation.track_history,
        earth_k=scenario.terrain.earth_k,
        terrain_kind=scenario.terrain.kind,
        terrain_path=scenario.terrain.path,
        site_names=tuple(s.name for s in sites),
        site_pos_enu_m=np.array([_enu(s, origin) for s in sites]).reshape(-1, 3),
        site_value=np.array([s.value for s in sites], dtype=float),
        site_radius_m=np.array([s.radius_m for s in sites], dtype=float),
        truth=truth,
        threats=threats,
        radars=tuple(radars),
        launchers=tuple(launchers),
        batteries=tuple(batteries),
        interceptors=_used_interceptors(catalog, launchers),
        tight_turns=sum(getattr(r, "tight_turns", 0) for r in truth.routes),
        warnings=notes,
    )
