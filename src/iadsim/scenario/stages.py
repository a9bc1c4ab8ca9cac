"""Build the run-time stage objects of one run from a loaded scenario and its World.

Sensors (radars with RCS library, terrain masks and per-threat signatures), the
tracker, C2 (the scenario's ``engagement.policy`` kind) and the engagement stage.
Tracker, C2 and engagement hold per-run state, so :func:`build_stages` is called
once per run; the expensive, immutable parts (terrain masks, RCS library) are
built in :func:`build_sensors`, which a campaign may reuse.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim import geo
from iadsim.c2.roles import C2Policy
from iadsim.engagement.stage import Engagement
from iadsim.engagement.volume import EngagementVolume
from iadsim.scenario.compile import PlacedRadarInfo, World, load_dem
from iadsim.scenario.schema import Scenario
from iadsim.scenario.schema_c2 import C2_POLICIES
from iadsim.scenario.schema_engagement import compile_engagement
from iadsim.scenario.schema_sensors import compile_rcs_table
from iadsim.scenario.schema_tracking import compile_tracker
from iadsim.sensors.radar import Radar, TargetSignatures
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.terrain import GridDem, TerrainMask, build_terrain_mask
from iadsim.tracking.tracker import Tracker


@dataclasses.dataclass(frozen=True, kw_only=True)
class SensorSetup:
    """Radars (one per placed radar, ``radars[i].radar_id == i``) and threat signatures."""

    radars: tuple[Radar, ...]
    signatures: TargetSignatures
    library: RcsLibrary


@dataclasses.dataclass(frozen=True, kw_only=True)
class Stages:
    """The stage objects of one run."""

    sensors: SensorSetup
    tracker: Tracker
    c2: C2Policy | None
    engagement: Engagement | None
    interceptor_names: tuple[str, ...]
    fc_radar_id: dict[int, int] = dataclasses.field(default_factory=dict)
    fc_hold_s: dict[int, float] = dataclasses.field(default_factory=dict)


def _signatures(world: World, scenario: Scenario) -> tuple[RcsLibrary, TargetSignatures]:
    """RCS library of the tables the threats use; per-threat index, Swerling and scale."""
    catalog = scenario.resolved_catalog
    th = world.threats
    names = sorted(set(th.rcs_table))
    library = RcsLibrary.from_tables([compile_rcs_table(catalog.rcs_tables[n], n) for n in names])
    sig = TargetSignatures.from_tables(
        np.arange(len(th.name), dtype=np.int64),
        [library.index(n) for n in th.rcs_table],
        library,
        swerling=th.swerling,
        rcs_scale_db=th.rcs_scale_db,
    )
    return library, sig


def _boresight(radar: PlacedRadarInfo) -> float | None:
    """The placement heading; sector radars must declare one (checked at load), so a
    boresight never comes from the threats' routes (the attack plan is truth)."""
    return radar.heading_rad


def height_model(
    world: World, dem: GridDem | None
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """``f(pos (T, 3) ENU m) -> (T,)`` height above the defender's terrain model (above
    mean sea level without one), m: what C2 classifies tracks by."""
    lat0, lon0, h0 = world.origin_rad_m

    def height_m(pos_m: NDArray[np.float64]) -> NDArray[np.float64]:
        lat, lon, alt = geo.enu2geodetic(pos_m[:, 0], pos_m[:, 1], pos_m[:, 2], lat0, lon0, h0)
        if dem is None:
            return np.asarray(alt, dtype=np.float64)
        return np.asarray(
            alt - dem.elevation_at(np.asarray(lat), np.asarray(lon)), dtype=np.float64
        )

    return height_m


def _antenna_and_mask(
    world: World, r: PlacedRadarInfo, dem: GridDem | None
) -> tuple[float, TerrainMask | None]:
    """Antenna altitude (m MSL) and terrain mask of one radar site."""
    if dem is None:
        return r.ground_alt_m + r.mast_m, None
    # A site below the DEM's ground (a 9 km cell averages hills and valleys)
    # would bury the antenna and mask everything: stand it on the DEM ground.
    ground = float(dem.elevation_at(np.array(r.lat_rad), np.array(r.lon_rad)))
    antenna_alt_m = max(r.ground_alt_m, ground) + r.mast_m
    mask = build_terrain_mask(
        dem,
        lat_rad=r.lat_rad,
        lon_rad=r.lon_rad,
        antenna_alt_m=antenna_alt_m,
        max_range_m=r.params.instrumented_range_m,
        k=world.earth_k,
    )
    return antenna_alt_m, mask


RadarSite = tuple[float, TerrainMask | None]

#: A site this far (m) below the terrain model's ground is reported when it is lifted
#: (pvlib's ~9 km cells average hills and valleys: the stealth preset's VHF site, 900 m
#: on the map, stands 136 m below its cell's mean; a site stated at 0 m is what to catch).
LIFTED_SITE_WARN_M = 200.0


def lifted_site_warnings(world: World, antenna_alt_m: Iterable[float]) -> list[str]:
    """One warning per radar whose site :func:`_antenna_and_mask` stood on the terrain
    model's ground, more than :data:`LIFTED_SITE_WARN_M` above its stated altitude (an
    ``alt_m: 0`` over 840 m terrain ran, silently, from 840 m)."""
    out = []
    for r, alt_m in zip(world.radars, antenna_alt_m, strict=True):
        lift_m = alt_m - (r.ground_alt_m + r.mast_m)
        if lift_m > LIFTED_SITE_WARN_M:
            out.append(
                f"radar '{r.name}': its site (alt_m {r.ground_alt_m:g}) is {lift_m:.0f} m below "
                f"the terrain model's ground there; the antenna stands on that ground "
                f"({alt_m - r.mast_m:.0f} m + mast {r.mast_m:g} m)"
            )
    return out


def radar_sites(world: World, map_fn: Callable[..., Iterable[Any]] = map) -> list[RadarSite]:
    """Antenna altitude (m MSL) and terrain mask of every radar (deterministic: the
    runs of one scenario may share them, see :func:`build_sensors`)."""
    dem = load_dem(world.terrain_kind, world.terrain_path)
    return list(map_fn(functools.partial(_antenna_and_mask, world, dem=dem), world.radars))


def build_sensors(
    world: World,
    scenario: Scenario,
    rng: np.random.Generator,
    map_fn: Callable[..., Iterable[Any]] = map,
    sites: list[RadarSite] | None = None,
) -> SensorSetup:
    """Radars with terrain masks (from the scenario's DEM) and random scan phases.

    ``map_fn`` maps the (pure, independent) terrain-mask computations over the
    radars: ``map``, or an executor's ``map`` to compute them in threads (large
    numpy operations release the GIL); the result is the same either way.
    ``sites`` passes :func:`radar_sites` of this world computed before (same result).
    """
    library, sig = _signatures(world, scenario)
    sites = radar_sites(world, map_fn) if sites is None else sites
    radars = []
    for r, (antenna_alt_m, mask) in zip(world.radars, sites, strict=True):
        p = r.params
        radars.append(
            Radar(
                radar_id=r.radar_id,
                params=p,
                pos_m=(float(r.pos_enu_m[0]), float(r.pos_enu_m[1]), float(r.pos_enu_m[2])),
                antenna_alt_m=antenna_alt_m,
                rcs=library,
                terrain=mask,
                boresight_az_rad=_boresight(r),
                scan_phase_s=float(rng.uniform(0.0, p.scan_period_s)),
                k=world.earth_k,
            )
        )
    return SensorSetup(radars=tuple(radars), signatures=sig, library=library)


def build_stages(
    world: World,
    scenario: Scenario,
    rng: np.random.Generator,
    sensors: SensorSetup | None = None,
    map_fn: Callable[..., Iterable[Any]] = map,
    sites: list[RadarSite] | None = None,
) -> Stages:
    """All stage objects for one run (``sensors`` may be reused across runs;
    ``map_fn`` and ``sites`` as in :func:`build_sensors`)."""
    sensors = sensors or build_sensors(world, scenario, rng, map_fn, sites)
    tracker = compile_tracker(scenario.tracker)
    if not world.launchers:
        return Stages(
            sensors=sensors, tracker=tracker, c2=None, engagement=None, interceptor_names=()
        )
    setup = compile_engagement(world, scenario.engagement, file=scenario.file)
    by_id = {r.radar_id: r for r in sensors.radars}
    volumes = {b: engagement_volume(by_id[r]) for b, r in setup.fc_radar_id.items() if r in by_id}
    eng = Engagement(
        interceptors=setup.interceptors, launchers=setup.launchers, fc_radar_id=setup.fc_radar_id,
        fc_volume=volumes, reacquire_accel_mps2=scenario.engagement.reacquire_accel_mps2,
    )  # fmt: skip
    dem = load_dem(world.terrain_kind, world.terrain_path)
    threat = dataclasses.replace(setup.threat, height_m=height_model(world, dem))
    c2 = C2_POLICIES.compile(scenario.engagement.policy, threat, setup.batteries, eng, setup.c2)
    names = tuple(sorted(setup.interceptor_ids, key=setup.interceptor_ids.__getitem__))
    return Stages(
        sensors=sensors, tracker=tracker, c2=c2, engagement=eng, interceptor_names=names,
        fc_radar_id=setup.fc_radar_id, fc_hold_s=setup.fc_hold_s,
    )  # fmt: skip


def engagement_volume(radar: Radar) -> EngagementVolume:
    """The coverage volume of a placed radar (:mod:`iadsim.engagement.volume`): its
    antenna, sector (the placement's boresight), elevation limits and range window."""
    p = radar.params
    return EngagementVolume(
        site_m=tuple(float(v) for v in radar.pos_m),  # type: ignore[arg-type]
        antenna_alt_m=float(radar.antenna_alt_m), k=float(radar.k),
        az_center_rad=float(radar.az_center_rad), az_width_rad=float(p.az_width_rad),
        el_min_rad=float(p.el_min_rad), el_max_rad=float(p.el_max_rad),
        min_range_m=float(p.min_range_m), max_range_m=float(p.instrumented_range_m),
    )  # fmt: skip
