"""Threat motion (truth): the true states of every threat over time.

Modules: :mod:`~iadsim.truth.routes` (waypoint routes with coordinated turns and
rate- and acceleration-limited climbs),
:mod:`~iadsim.truth.plane` (the local route plane and its
projection), :mod:`~iadsim.truth.model` (:class:`TruthModel`, all threats of a
scenario), :mod:`~iadsim.truth.table` (:class:`TruthTable`, truth on a time grid)
and :mod:`~iadsim.truth.motion` (:class:`ThreatMotion`, the role each kind of
threat motion implements: ``route`` today; replay and ballistic arcs plug in).
"""

from iadsim.truth.model import TruthModel
from iadsim.truth.motion import ThreatMotion
from iadsim.truth.plane import gaussian_radius_m, geodetic_to_plane, plane_to_geodetic
from iadsim.truth.routes import (
    G_MPS2,
    RouteGeometry,
    RouteSpec,
    build_route,
    route_states,
    turn_radius_m,
)
from iadsim.truth.table import TruthTable

__all__ = [
    "G_MPS2",
    "RouteGeometry",
    "RouteSpec",
    "ThreatMotion",
    "TruthModel",
    "TruthTable",
    "build_route",
    "gaussian_radius_m",
    "geodetic_to_plane",
    "plane_to_geodetic",
    "route_states",
    "turn_radius_m",
]
