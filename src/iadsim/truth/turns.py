"""Turn geometry of waypoint routes in the route plane: fly-by and fly-over turns.

A *fly-by* turn is the circular arc of radius R tangent to both legs, entered
``R tan(a/2)`` before the waypoint for a turn of ``a`` (the turn anticipation of
area-navigation procedures): it passes ``R (sec(a/2) - 1)`` from the waypoint, less
than R up to 120 deg, more beyond, and a turn back's tangent points run far back
along both legs (a reversal 22 km past a waypoint cut the whole leg). Turns sharper
than :data:`FLY_BY_MAX_TURN_RAD` are flown *fly-over*: no turn until the waypoint is
overflown, then a turn at R until the heading points at the next waypoint, and
direct flight to it (FAA, *Instrument Procedures Handbook*, FAA-H-8083-16, ch. 5,
"Area navigation courses": a fly-over waypoint "is followed by either an intercept
maneuver of the next flight segment or direct flight to the next waypoint").
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import G0_MPS2

F64 = NDArray[np.float64]

__all__ = [
    "FLY_BY_MAX_TURN_RAD",
    "FlyOver",
    "fillet",
    "fly_over",
    "fly_over_at",
    "turn_angle_rad",
    "turn_radius_m",
]

#: Largest turn flown fly-by (there the arc passes exactly R from the waypoint).
FLY_BY_MAX_TURN_RAD = math.radians(120.0)


def turn_radius_m(speed_mps: F64 | float, load_factor_g: F64 | float) -> F64:
    """Level coordinated-turn radius R = v^2 / (g sqrt(n^2 - 1)) in metres."""
    v = np.asarray(speed_mps, dtype=float)
    n = np.asarray(load_factor_g, dtype=float)
    return np.asarray(v**2 / (G0_MPS2 * np.sqrt(n**2 - 1.0)))


def turn_angle_rad(d_in: F64, d_out: F64) -> float:
    """Signed heading change from unit direction ``d_in`` to ``d_out`` (left positive)."""
    return math.atan2(d_in[0] * d_out[1] - d_in[1] * d_out[0], float(d_in @ d_out))


def fillet(ang: float, r: float, room: float) -> tuple[float, float, bool]:
    """Tangent length and radius of the fly-by arc of a turn ``ang`` at radius ``r``,
    and whether it had to shrink: its tangent length is at most ``room`` (the legs'
    share), the radius shrinking to fit."""
    length = r * math.tan(abs(ang) / 2)
    if length <= room:
        return length, r, False
    length = max(room, 0.0)
    return length, length / math.tan(abs(ang) / 2), True


@dataclasses.dataclass(frozen=True)
class FlyOver:
    """A fly-over turn: arc centre ``c`` (2,), start angle ``phi0`` (math convention)
    and signed sweep ``sweep_rad`` at radius ``r``; then a line from ``exit_m`` (2,)
    along ``dir_out`` (2,), ``length_m`` to the next waypoint."""

    c: F64
    phi0: float
    sweep_rad: float
    r: float
    exit_m: F64
    dir_out: F64
    length_m: float


def fly_over(wp: F64, d_in: F64, ang: float, r: float, nxt: F64) -> FlyOver | None:
    """The fly-over turn at waypoint ``wp`` (2,) entered along ``d_in`` (unit), turning
    the way of ``ang`` at radius ``r`` until it heads straight for ``nxt`` (2,); None if
    ``nxt`` lies inside that turn circle (no such heading)."""
    s = 1.0 if ang > 0 else -1.0
    c = wp + s * r * np.array([-d_in[1], d_in[0]])
    to = nxt - c
    dist = math.hypot(float(to[0]), float(to[1]))
    if dist <= r * (1.0 + 1e-9):
        return None
    # the tangent point from which the motion (sense s) heads at nxt: its angle from the
    # centre is that of nxt, turned back by acos(r / dist) against the motion
    phi_exit = math.atan2(float(to[1]), float(to[0])) - s * math.acos(r / dist)
    phi0 = math.atan2(float(wp[1] - c[1]), float(wp[0] - c[0]))
    sweep = s * ((s * (phi_exit - phi0)) % (2.0 * math.pi))
    exit_m = c + r * np.array([math.cos(phi_exit), math.sin(phi_exit)])
    out = nxt - exit_m
    length = math.hypot(float(out[0]), float(out[1]))
    return FlyOver(c, phi0, sweep, r, exit_m, out / length, length)


def fly_over_at(
    k: int, p: F64, lengths: F64, dirs: F64, speed_mps: float, load_factor_g: float
) -> FlyOver | None:
    """The fly-over turn at waypoint ``k`` of the route ``p`` (W, 2) (legs ``lengths``,
    unit ``dirs``), flown at ``speed_mps`` and ``load_factor_g``; None where the turn is
    flown fly-by (at most :data:`FLY_BY_MAX_TURN_RAD`, the route's ends, an empty leg)
    or the next waypoint lies inside the turn circle (no heading for it: fly-by)."""
    if not 0 < k < p.shape[0] - 1 or lengths[k - 1] == 0 or lengths[k] == 0:
        return None
    ang = turn_angle_rad(dirs[k - 1], dirs[k])
    if abs(ang) <= FLY_BY_MAX_TURN_RAD:
        return None
    r = float(turn_radius_m(speed_mps, load_factor_g))
    return fly_over(p[k], dirs[k - 1], ang, r, p[k + 1])
