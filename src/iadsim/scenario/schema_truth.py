"""Threat-motion kinds (``threats[i].motion: {kind: ...}``) and their compile steps.

Every kind of threat motion is registered in :data:`THREAT_MOTIONS`: a config
model, a compile step ``(cfg, threat, catalog, origin) -> GroupMotion`` and a
documented example. ``route`` (the default; ``motion`` may be omitted) flies the
threat entry's waypoints ``route:`` with the platform's turn and climb limits;
``replay`` flies the flights of a recorded ADS-B file (one threat per flight, see
:mod:`iadsim.truth.replay`). Ballistic arcs are a further kind: a
:class:`iadsim.truth.ThreatMotion` implementation in ``truth/`` and its
registration (config + compile step) in one module, without editing other files.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from iadsim.errors import InputDataError, ScenarioError
from iadsim.scenario.registry import KindModel, Registry
from iadsim.truth import RouteSpec, ThreatMotion, build_route, geodetic_to_plane
from iadsim.truth.cleaning import CleaningOptions, Flights, clean_reports
from iadsim.truth.recording import read_reports
from iadsim.truth.replay import ReplayFlight, replay_flights

if TYPE_CHECKING:
    from iadsim.scenario.schema import Catalog, Threat

F64 = NDArray[np.float64]

__all__ = [
    "THREAT_MOTIONS",
    "GroupMotion",
    "ReplayMotionConfig",
    "RouteMotionConfig",
    "route_spec",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GroupMotion:
    """A compiled threat-group motion.

    Attributes
    ----------
    motion : the group's :class:`~iadsim.truth.ThreatMotion` (route plane, s after launch).
    right : (2,) unit vector in the route plane to the right of the initial heading
        (members of a group of ``count`` fly line abreast along it).
    warnings : one-line notes for the user (e.g. turns too tight for the legs).
    members : when not empty, one motion per member instead of ``motion`` plus
        offsets: each member flies its own motion from ``launch_time_s + start_s``
        and is named ``<threat name>-<member name>`` (``count`` is their number).
    egress_s : time after launch at which the egress begins (the route's last waypoint
        before the ``egress`` ones), s; infinite without egress.
    """

    motion: ThreatMotion
    right: F64
    warnings: tuple[str, ...] = ()
    members: tuple[ReplayFlight, ...] = ()
    egress_s: float = math.inf


#: Threat motions; compile(cfg, threat, catalog, origin_rad_m) -> :class:`GroupMotion`.
THREAT_MOTIONS: Registry[GroupMotion] = Registry(
    "threat motion",
    context="threat: Threat, catalog: Catalog, origin: (lat rad, lon rad, h m)",
    default="route",
)


@THREAT_MOTIONS.register(example={"kind": "route"})
class RouteMotionConfig(KindModel):
    """Waypoint route (``threats[i].route``): straight legs joined by coordinated
    turns at the platform's maximum load factor, climbs and descents at its maximum
    rates (see :mod:`iadsim.truth.routes`); ``kind`` may be omitted."""

    kind: Literal["route"] = "route"


def route_spec(th: Threat, catalog: Catalog, origin: tuple[float, float, float]) -> RouteSpec:
    """The threat's waypoints in the route plane, with leg speeds and platform limits."""
    platform = catalog.platforms[th.type]
    lat = np.radians([w.lat_deg for w in th.waypoints])
    lon = np.radians([w.lon_deg for w in th.waypoints])
    pe, pn = geodetic_to_plane(lat, lon, origin[0], origin[1])
    speeds: list[float] = []
    last = th.waypoints[0].speed_mps
    for wp in th.waypoints[1:]:
        last = wp.speed_mps if wp.speed_mps is not None else last
        speeds.append(float(last if last is not None else platform.cruise_speed_mps))
    return RouteSpec(
        plane_m=np.stack([pe, pn], axis=-1),
        alt_m=np.array([w.alt_m for w in th.waypoints], dtype=float),
        speed_mps=np.array(speeds),
        max_load_factor_g=platform.max_load_factor_g,
        max_climb_rate_mps=platform.max_climb_rate_mps,
        max_descent_rate_mps=platform.max_descent_rate_mps,
    )


@THREAT_MOTIONS.compiler("route")
def _compile_route(
    cfg: RouteMotionConfig, th: Threat, catalog: Catalog, origin: tuple[float, float, float]
) -> GroupMotion:
    spec = route_spec(th, catalog, origin)
    geometry = build_route(spec)
    d = spec.plane_m[1] - spec.plane_m[0]  # first leg
    norm = float(np.hypot(*d)) or 1.0
    notes: tuple[str, ...] = ()
    if geometry.tight_turns:
        notes = (
            f"route: {geometry.tight_turns} turn(s) too tight for the leg lengths at the "
            "platform's max load factor; flown on a smaller radius, and the path passes "
            f"{geometry.tight_miss_m / 1000:.1f} km from {th.waypoint_field(geometry.tight_wp)}",
        )
    egress_s = math.inf  # time at the waypoint the egress starts from (mid-turn)
    if th.egress:
        egress_s = float(geometry.tv_s[len(th.route or []) - 1])
    return GroupMotion(
        motion=geometry, right=np.array([d[1], -d[0]]) / norm, warnings=notes, egress_s=egress_s
    )


#: Where ``file: iadsim:<name>`` points: data files shipped with the package.
BUNDLED_DATA_PREFIX = "iadsim:"

UnitName = Literal["timestamp", "altitude", "groundspeed", "vertical_rate"]


@THREAT_MOTIONS.register(
    example={"kind": "replay", "file": "iadsim:paris-cdg-20min.parquet", "flights": ["AFR57YE"]}
)
class ReplayMotionConfig(KindModel):
    """Recorded flights (ADS-B, CSV or Parquet in the common layout: timestamp, icao24,
    callsign, latitude, longitude, altitude, groundspeed, track, vertical_rate) replayed
    as truth, one threat per flight (``count`` and ``route`` are not used). ``file``: a
    path (a relative one from the scenario file's directory), or ``iadsim:<name>`` for a
    recording shipped with iadsim (``iadsim:paris-cdg-20min.parquet``: 40 aircraft over
    Paris, OpenSky Network via the traffic package). ``units`` declares the units of the
    file's columns (``altitude: ft|m``, ``groundspeed: kt|mps``, ``vertical_rate:
    ft/min|mps``, numeric ``timestamp: s|ms``) unless its Parquet metadata does.
    ``flights`` keeps only the listed callsigns or ICAO addresses. Scenario time 0 (plus
    the threat's ``launch_time_s``) is the recording's first kept report. Positions are
    interpolated linearly between reports; ``fuse_velocity`` (default) first fuses the
    reported positions with the recorded ground speed and track (archived ADS-B
    positions are stale by a fraction of a second: their differences are tens of m/s
    off, and so would be the truth velocity; false: the reported positions as they are).
    Duplicates, frozen positions and outliers are removed and gaps above ``max_gap_s``
    split a flight, with counts in the load warnings (see ``iadsim replay-info``)."""

    kind: Literal["replay"] = "replay"
    file: Annotated[str, Field(min_length=1)]
    units: dict[UnitName, str] = Field(default_factory=dict)
    flights: list[Annotated[str, Field(min_length=1)]] | None = None
    max_gap_s: Annotated[float, Field(gt=0.0)] = 30.0
    max_speed_mps: Annotated[float, Field(gt=0.0)] = 400.0
    max_vertical_mps: Annotated[float, Field(gt=0.0)] = 120.0
    fuse_velocity: bool = True


def bundled_data_dir() -> Path:
    """Directory of the recordings shipped with iadsim."""
    return Path(__file__).resolve().parents[1] / "truth" / "data"


def recording_path(file: str) -> Path:
    """The path of a ``file:`` entry (``iadsim:<name>`` -> the bundled data directory)."""
    if file.startswith(BUNDLED_DATA_PREFIX):
        return bundled_data_dir() / file.removeprefix(BUNDLED_DATA_PREFIX)
    return Path(file)


def load_flights(cfg: ReplayMotionConfig) -> Flights:
    """Read and clean the recording of ``cfg`` (InputDataError on a bad file)."""
    raw = read_reports(recording_path(cfg.file), units={str(k): v for k, v in cfg.units.items()})
    opts = CleaningOptions(
        max_gap_s=cfg.max_gap_s,
        max_speed_mps=cfg.max_speed_mps,
        max_vertical_mps=cfg.max_vertical_mps,
    )
    return clean_reports(raw, opts)


def cleaning_note(flights: Flights) -> str:
    """One line: what cleaning removed or split."""
    c = flights.counts
    return (
        f"motion: {flights.file}: {flights.n_flights} flights from {c.reports_kept} of "
        f"{c.reports_read} reports ({c.incomplete} incomplete, {c.duplicates} duplicate, "
        f"{c.frozen} frozen, {c.outliers} outlier, {c.absurd_altitude + c.absurd_speed} "
        f"absurd removed; {c.gap_splits} gap and {c.jump_splits} jump splits, "
        f"{c.short_flights} one-report flights dropped)"
    )


@THREAT_MOTIONS.compiler("replay")
def _compile_replay(
    cfg: ReplayMotionConfig, th: Threat, catalog: Catalog, origin: tuple[float, float, float]
) -> GroupMotion:
    flights = load_flights(cfg)
    if flights.n_flights == 0:
        counts = cleaning_note(flights).split(": ", 2)[-1]  # (the note names the file too)
        raise InputDataError(f"{cfg.file}: no flight to replay ({counts})")
    t0_s = float(flights.t_s.min())
    members = replay_flights(flights, origin[:2], t0_s, fuse_velocity=cfg.fuse_velocity)
    if cfg.flights is not None:
        wanted = set(cfg.flights)
        keep = [
            m
            for i, m in enumerate(members)
            if flights.callsign[i] in wanted or flights.icao24[i] in wanted
        ]
        if not keep:
            raise ScenarioError(
                f"motion.flights: none of {sorted(wanted)[:5]} is in {flights.file}"
            )
        t0 = min(m.start_s for m in keep)
        members = tuple(dataclasses.replace(m, start_s=m.start_s - t0) for m in keep)
    note = cleaning_note(flights)
    screened = sum(m.n_velocities_screened for m in members)
    if screened:  # (the fusion's own cleaning: isolated velocity glitches)
        note = note[:-1] + f"; {screened} recorded velocity glitches replaced)"
    return GroupMotion(
        motion=members[0].motion,
        right=np.array([1.0, 0.0]),
        members=members,
        warnings=(note,),
    )


ThreatMotionField = Annotated[KindModel, THREAT_MOTIONS.union]
