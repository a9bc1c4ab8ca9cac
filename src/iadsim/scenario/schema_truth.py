"""Threat-motion kinds (``threats[i].motion: {kind: ...}``) and their compile steps.

Every kind of threat motion is registered in :data:`THREAT_MOTIONS`: a config
model, a compile step ``(cfg, threat, catalog, origin) -> GroupMotion`` and a
documented example. ``route`` (the default; ``motion`` may be omitted) flies the
threat entry's waypoints ``route:`` with the platform's turn and climb limits.
Recorded-trajectory replay and ballistic arcs are further kinds: a
:class:`iadsim.truth.ThreatMotion` implementation in ``truth/`` and its
registration (config + compile step) in one module, without editing other files.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.registry import KindModel, Registry
from iadsim.truth import RouteSpec, ThreatMotion, build_route, geodetic_to_plane

if TYPE_CHECKING:
    from iadsim.scenario.schema import Catalog, Threat

F64 = NDArray[np.float64]

__all__ = ["THREAT_MOTIONS", "GroupMotion", "RouteMotionConfig", "route_spec"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GroupMotion:
    """A compiled threat-group motion.

    Attributes
    ----------
    motion : the group's :class:`~iadsim.truth.ThreatMotion` (route plane, s after launch).
    right : (2,) unit vector in the route plane to the right of the initial heading
        (members of a group of ``count`` fly line abreast along it).
    warnings : one-line notes for the user (e.g. turns too tight for the legs).
    """

    motion: ThreatMotion
    right: F64
    warnings: tuple[str, ...] = ()


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
    lat = np.radians([w.lat_deg for w in th.route])
    lon = np.radians([w.lon_deg for w in th.route])
    pe, pn = geodetic_to_plane(lat, lon, origin[0], origin[1])
    speeds: list[float] = []
    last = th.route[0].speed_mps
    for wp in th.route[1:]:
        last = wp.speed_mps if wp.speed_mps is not None else last
        speeds.append(float(last if last is not None else platform.cruise_speed_mps))
    return RouteSpec(
        plane_m=np.stack([pe, pn], axis=-1),
        alt_m=np.array([w.alt_m for w in th.route], dtype=float),
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
            "platform's max load factor; flown on a smaller radius",
        )
    return GroupMotion(motion=geometry, right=np.array([d[1], -d[0]]) / norm, warnings=notes)


ThreatMotionField = Annotated[KindModel, THREAT_MOTIONS.union]
