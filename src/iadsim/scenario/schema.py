"""Scenario and catalog schema (pydantic v2).

The YAML a user writes is validated by these models; units are in the field
names (``alt_m``, ``speed_mps``, ``lat_deg``) and degrees are converted to
radians once in :mod:`iadsim.scenario.compile`. Unknown fields are rejected.
Stage-specific physics (radar, RCS, interceptor, doctrine, tracker) live in
``schema_<stage>.py`` modules and slot in here; choices are made by ``kind``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from iadsim.scenario.base import Model

# Stage schemas slot in here, each owned by its stage's schema module.
from iadsim.scenario.schema_engagement import Doctrine, EngagementSettings, InterceptorType
from iadsim.scenario.schema_sensors import RadarType, RcsTable
from iadsim.scenario.schema_tracking import TrackerConfig
from iadsim.scenario.schema_truth import RouteMotionConfig, ThreatMotionField

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


def _plain_name(v: str) -> str:
    """Names go into file names, columns and SQL: ASCII letters, digits, ``_ . -``."""
    if not _NAME.fullmatch(v):
        bad = ", ".join(map(repr, sorted({c for c in v if not _NAME.fullmatch(c)})))
        raise ValueError(f"names use only ASCII letters, digits, '_', '.' and '-' (not {bad})")
    return v


Name = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_plain_name)]
Lat = Annotated[float, Field(ge=-90.0, le=90.0)]
Lon = Annotated[float, Field(ge=-180.0, le=180.0)]
Source = Annotated[str, Field(min_length=3)]


class GeoPoint(Model):
    """A geodetic point; ``alt_m`` is metres above mean sea level."""

    lat_deg: Lat
    lon_deg: Lon
    alt_m: Annotated[float, Field(ge=-500.0, le=100_000.0)] = 0.0


class Waypoint(GeoPoint):
    """A route point. ``speed_mps`` is the ground speed of the leg that *ends* here.

    A waypoint without a speed keeps the previous leg's speed; a speed on the first
    waypoint is the speed of the first leg when the second waypoint gives none. Two
    consecutive waypoints without a speed at the start of a route are an error.
    """

    alt_m: Annotated[float, Field(ge=0.0, le=100_000.0)] = 0.0
    speed_mps: Annotated[float, Field(gt=0.0, le=5_000.0)] | None = None


class Site(GeoPoint):
    """A defended site (airbase, city, the battery itself)."""

    name: Name
    value: Annotated[float, Field(gt=0.0)] = 1.0
    radius_m: Annotated[float, Field(gt=0.0)] = 2_000.0


class PlacedRadar(GeoPoint):
    """A radar of a catalog type placed on the map."""

    name: Name
    type: Name
    mast_m: Annotated[float, Field(ge=0.0, le=200.0)] = 10.0
    heading_deg: Annotated[float, Field(ge=0.0, lt=360.0)] | None = Field(
        default=None,
        description="boresight azimuth, required for sector radars (no default: the "
        "defender does not know the attack axis)",
    )


class CommandPost(GeoPoint):
    """The battery command post (C2 node)."""

    type: Name = "generic-cp"


class PlacedLaunchers(GeoPoint):
    """``count`` launchers of one type at one position, each with the same loadout."""

    name: Name | None = None
    type: Name
    count: Annotated[int, Field(ge=1, le=100)] = 1
    loadout: dict[Name, Annotated[int, Field(ge=0, le=64)]]

    @field_validator("loadout")
    @classmethod
    def _loadout_not_empty(cls, v: dict[str, int]) -> dict[str, int]:
        if not v:
            raise ValueError("launcher has no interceptors (loadout is empty)")
        if sum(v.values()) == 0:
            raise ValueError("launcher has no interceptors (every loadout count is 0)")
        return v


class Battery(Model):
    """An air-defense unit: radars + command post + launchers + doctrine."""

    name: Name
    command_post: CommandPost | None = None
    radars: list[PlacedRadar] = Field(min_length=1)
    launchers: list[PlacedLaunchers] = Field(default_factory=list)
    engagement_radar: Name | None = Field(
        default=None,
        description="fire-control radar of the battery (a type with a fire_control block); "
        "default: the battery's only such radar",
    )
    doctrine: Doctrine = Field(default_factory=Doctrine)


class Threat(Model):
    """A threat or a group of ``count`` identical threats flying one route."""

    name: Name
    type: Name
    count: Annotated[int, Field(ge=1, le=10_000)] = 1
    formation_spacing_m: Annotated[float, Field(ge=0.0)] = 1_000.0
    launch_time_s: Annotated[float, Field(ge=0.0)] = 0.0
    launch_interval_s: Annotated[float, Field(ge=0.0)] = 0.0
    target_site: Name | None = None
    altitude_reference: Literal["msl", "agl"] = Field(
        default="msl",
        description="route alt_m above mean sea level, or above the terrain model's "
        "ground (terrain following, as low-level cruise missiles fly)",
    )
    route: list[Waypoint] | None = Field(
        default=None,
        min_length=2,
        description="waypoints (required by the default motion kind ``route``; "
        "kinds such as ``replay`` bring their own trajectory)",
    )
    motion: ThreatMotionField = Field(
        default_factory=RouteMotionConfig,
        description="how the group moves (kind; default: fly ``route``)",
    )
    egress: list[Waypoint] | None = Field(
        default=None,
        min_length=1,
        description="waypoints flown after the route's last one (a strike aircraft's way "
        "home): the threat leaks on reaching its target site, flies on (it can still be "
        "killed) and leaves the air at the last egress waypoint; needs ``target_site``",
    )

    @model_validator(mode="after")
    def _egress_after_a_target(self) -> Threat:
        if self.egress is not None and self.target_site is None:
            raise ValueError("egress: needs a target_site (egress starts after the strike)")
        if self.egress is not None and self.motion.kind != "route":
            raise ValueError(f"egress: only with motion kind 'route' (got {self.motion.kind!r})")
        return self

    @model_validator(mode="after")
    def _route_or_motion(self) -> Threat:
        if self.motion.kind == "route" and self.route is None:
            raise ValueError("route: required (or a motion kind that needs none, e.g. replay)")
        if self.motion.kind == "replay" and self.route is not None:
            raise ValueError("route: not used with motion kind 'replay'; remove it")
        if self.motion.kind == "replay" and self.count != 1:
            raise ValueError("count: not used with motion kind 'replay' (one threat per flight)")
        return self

    @property
    def waypoints(self) -> list[Waypoint]:
        """The route's waypoints then the egress ones (empty for motion kinds without a
        route)."""
        return (self.route or []) + (self.egress or [])

    def waypoint_field(self, j: int) -> str:
        """Field path of :attr:`waypoints` ``[j]`` (``route[j]`` or ``egress[k]``)."""
        n = len(self.route or [])
        return f"route[{j}]" if j < n else f"egress[{j - n}]"

    @model_validator(mode="after")
    def _legs_have_speed(self) -> Threat:
        for i, wp in enumerate(self.waypoints[1:], start=1):
            if wp.speed_mps is None and self.waypoints[i - 1].speed_mps is None:
                raise ValueError(
                    f"{self.waypoint_field(i)}.speed_mps: required (speed of the leg ending "
                    "at this waypoint)"
                )
        return self


class Simulation(Model):
    """Run settings."""

    duration_s: Annotated[float, Field(gt=0.0, le=86_400.0)] = 1_800.0
    seed: Annotated[int, Field(ge=0)] = 0
    c2_cycle_s: Annotated[float, Field(gt=0.0, le=600.0)] = 2.0
    truth_step_s: Annotated[float, Field(gt=0.0, le=600.0)] = 1.0
    #: tracks.parquet rows: "changes" (a row when a track is started, updated, changes
    #: status or is deleted) or "full" (every live track at every radar look)
    track_history: Literal["changes", "full"] = "changes"
    #: calendar time of scenario time 0, ISO 8601 with its zone (``2021-10-07T14:00:00Z``);
    #: exports give it as the run's start (the ACMI file's ReferenceTime); no result
    #: depends on it. None: exports use their documented default.
    epoch_utc: AwareDatetime | None = None


class Terrain(Model):
    """Terrain model for line-of-sight masking (``geotiff``: ``path`` to a DEM, a relative
    one from the scenario file's directory)."""

    kind: Literal["none", "global-5arcmin", "geotiff"] = "global-5arcmin"
    path: str | None = None
    earth_k: Annotated[float, Field(gt=0.5, le=10.0)] = 4.0 / 3.0

    @model_validator(mode="after")
    def _path_for_geotiff(self) -> Terrain:
        if self.kind == "geotiff" and not self.path:
            raise ValueError("path: required when kind is 'geotiff'")
        return self


class RcsRef(Model):
    """Which RCS table a platform uses and its Swerling fluctuation case."""

    table: Name
    swerling: Annotated[int, Field(ge=0, le=4)] = 1
    scale_db: Annotated[float, Field(ge=-60.0, le=60.0)] = 0.0


class PlatformType(Model):
    """An air threat type (aircraft, cruise missile, drone)."""

    kind: Literal["fighter", "bomber", "cruise-missile", "drone", "ballistic", "aircraft"]
    description: str = ""
    cruise_speed_mps: Annotated[float, Field(gt=0.0, le=5_000.0)]
    max_speed_mps: Annotated[float, Field(gt=0.0, le=5_000.0)]
    max_load_factor_g: Annotated[float, Field(gt=1.0, le=40.0)]
    max_climb_rate_mps: Annotated[float, Field(gt=0.0, le=1_000.0)]
    max_descent_rate_mps: Annotated[float, Field(gt=0.0, le=1_000.0)]
    rcs: RcsRef
    threat_value: Annotated[float, Field(gt=0.0)] = 1.0
    source: Source

    @model_validator(mode="after")
    def _speeds(self) -> PlatformType:
        if self.cruise_speed_mps > self.max_speed_mps:
            raise ValueError(
                f"cruise_speed_mps: must be <= max_speed_mps ({self.max_speed_mps}) "
                f"(got {self.cruise_speed_mps})"
            )
        return self


class LauncherType(Model):
    """A launcher vehicle type (TEL): canister slots; an interceptor type fills one slot
    with ``rounds_per_canister`` rounds (a loadout needs sum(ceil(n / per canister)))."""

    description: str = ""
    canisters: Annotated[int, Field(ge=1, le=64)]
    source: Source


class Catalog(Model):
    """Types that scenarios refer to by name. Every entry carries a ``source``."""

    platforms: dict[Name, PlatformType] = Field(default_factory=dict)
    radars: dict[Name, RadarType] = Field(default_factory=dict)
    rcs_tables: dict[Name, RcsTable] = Field(default_factory=dict)
    interceptors: dict[Name, InterceptorType] = Field(default_factory=dict)
    launchers: dict[Name, LauncherType] = Field(default_factory=dict)


class CatalogOverrides(Model):
    """Inline catalog additions/overrides in a scenario (same shape as the catalog)."""

    platforms: dict[Name, dict[str, Any]] = Field(default_factory=dict)
    radars: dict[Name, dict[str, Any]] = Field(default_factory=dict)
    rcs_tables: dict[Name, dict[str, Any]] = Field(default_factory=dict)
    interceptors: dict[Name, dict[str, Any]] = Field(default_factory=dict)
    launchers: dict[Name, dict[str, Any]] = Field(default_factory=dict)


class Scenario(Model):
    """A complete scenario: geography, defenders, raid and run settings."""

    name: Name
    description: str = ""
    origin: GeoPoint | None = Field(
        default=None, description="local ENU origin (default: the first site)"
    )
    simulation: Simulation = Field(default_factory=Simulation)
    terrain: Terrain = Field(default_factory=Terrain)
    sites: list[Site] = Field(default_factory=list)
    batteries: list[Battery] = Field(default_factory=list)
    radars: list[PlacedRadar] = Field(
        default_factory=list, description="stand-alone sensors not part of a battery"
    )
    threats: list[Threat] = Field(min_length=1)
    tracker: TrackerConfig | None = Field(
        default=None, description="tracker configuration (default: TrackerConfig())"
    )
    engagement: EngagementSettings = Field(default_factory=EngagementSettings)
    catalog: CatalogOverrides = Field(default_factory=CatalogOverrides)

    _catalog: Catalog | None = PrivateAttr(default=None)
    _file: str = PrivateAttr(default="scenario")
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    def attach(self, *, catalog: Catalog, file: str, warnings: list[str]) -> None:
        """Attach the resolved catalog, source file name and load warnings (loader only)."""
        self._catalog = catalog
        self._file = file
        self._warnings = tuple(warnings)

    @property
    def resolved_catalog(self) -> Catalog:
        """The bundled catalog merged with this scenario's inline overrides."""
        if self._catalog is None:
            raise RuntimeError("scenario was not loaded through iadsim.scenario.load")
        return self._catalog

    @property
    def file(self) -> str:
        """Display name of the file the scenario came from."""
        return self._file

    @property
    def warnings(self) -> tuple[str, ...]:
        """Non-fatal problems found at load time (one line each)."""
        return self._warnings
