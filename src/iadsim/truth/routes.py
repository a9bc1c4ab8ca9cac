"""Threat motion (truth): waypoint routes with coordinated turns and rate-limited climbs.

Geometry
--------
Routes are flown in a local *azimuthal-equidistant plane* about the scenario
origin (plane distance from the origin = great-circle distance on the sphere of
the Gaussian radius at the origin), at an altitude above mean sea level.
Positions are then mapped to geodetic coordinates and to the scenario's ENU
frame, so a cruise missile at 30 m stays 30 m above the (curved) Earth
hundreds of km away. Scale error of the plane is (rho/R)^2/6 (0.15 % at
600 km) plus the ellipsoid's anisotropy (< 0.35 %).

Horizontal path: straight legs joined by fly-by circular arcs tangent to both
legs (coordinated level turn). The turn radius at ground speed v and maximum
load factor n is R = v^2 / (g sqrt(n^2 - 1)) (level turn, bank angle
phi = arccos(1/n); e.g. Anderson, *Aircraft Performance and Design*, 1999,
eq. 6.118). An arc is flown at the speed of the leg it leaves; the speed of the
next leg applies from the arc's end. If the legs are too short for the fillet,
the radius shrinks to fit (counted in ``tight_turns``).

Vertical path: during the leg towards waypoint k, the altitude moves toward
``alt_k`` at the platform's maximum climb (or descent) rate and then holds;
the leg boundary is the midpoint of the turn at the waypoint.

Performance: :meth:`TruthModel.states` is vectorized over threats and times; the
only Python loop is over route *groups* (one per threat entry of the scenario,
whose members share a route up to a rigid offset and a launch delay).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

G_MPS2 = 9.80665
F64 = NDArray[np.float64]


def turn_radius_m(speed_mps: F64 | float, load_factor_g: F64 | float) -> F64:
    """Level coordinated-turn radius R = v^2 / (g sqrt(n^2 - 1)) in metres."""
    v = np.asarray(speed_mps, dtype=float)
    n = np.asarray(load_factor_g, dtype=float)
    return np.asarray(v**2 / (G_MPS2 * np.sqrt(n**2 - 1.0)))


@dataclasses.dataclass(frozen=True, kw_only=True)
class RouteSpec:
    """A route in the local plane, before turn geometry is built.

    ``plane_m`` (W, 2) east/north plane coordinates, ``alt_m`` (W,), ``speed_mps``
    (W-1,) ground speed of each leg, kinematic limits of the platform.
    """

    plane_m: F64
    alt_m: F64
    speed_mps: F64
    max_load_factor_g: float
    max_climb_rate_mps: float
    max_descent_rate_mps: float


@dataclasses.dataclass(frozen=True, kw_only=True)
class RouteGeometry:
    """Piecewise path of one route: segments (lines and arcs) and vertical legs.

    Segment arrays have shape (S,): start time ``t0_s`` relative to launch,
    ``is_arc``, start point ``p0`` (S, 2), line direction ``d`` (S, 2), speed
    ``v``, arc centre ``c`` (S, 2), radius ``r``, start angle ``phi0`` (math
    convention, from east counter-clockwise) and signed angular rate ``omega``.
    Vertical legs (K,): start time ``tv_s``, start altitude ``h0``, target
    altitude ``h1``, rate magnitude ``rate``.
    """

    t0_s: F64
    is_arc: NDArray[np.bool_]
    p0: F64
    d: F64
    v: F64
    c: F64
    r: F64
    phi0: F64
    omega: F64
    tv_s: F64
    h0: F64
    h1: F64
    rate: F64
    end_s: float
    tight_turns: int

    def plane_states(self, tau_s: F64) -> tuple[F64, F64, F64, F64]:
        """The :class:`~iadsim.truth.motion.ThreatMotion` role: see :func:`route_states`."""
        return route_states(self, tau_s)


def build_route(spec: RouteSpec) -> RouteGeometry:
    """Turn a waypoint route into timed line/arc segments (see module docstring)."""
    p = np.asarray(spec.plane_m, dtype=float)
    w = p.shape[0]
    legs = np.diff(p, axis=0)
    lengths = np.hypot(legs[:, 0], legs[:, 1])
    dirs = legs / np.where(lengths > 0, lengths, 1.0)[:, None]
    speeds = np.asarray(spec.speed_mps, dtype=float)
    tan_len = np.zeros(w)  # fillet tangent length at each waypoint
    radius = np.zeros(w)
    turn = np.zeros(w)  # signed turn angle (left positive)
    tight = 0
    for k in range(1, w - 1):
        d_in, d_out = dirs[k - 1], dirs[k]
        ang = math.atan2(d_in[0] * d_out[1] - d_in[1] * d_out[0], float(d_in @ d_out))
        if abs(ang) < 1e-9 or lengths[k - 1] == 0 or lengths[k] == 0:
            continue
        r = float(turn_radius_m(speeds[k - 1], spec.max_load_factor_g))
        length = r * math.tan(abs(ang) / 2)
        room = min(lengths[k - 1] - tan_len[k - 1], lengths[k] / 2)
        if length > room:
            tight += 1
            length = max(room, 0.0)
            r = length / math.tan(abs(ang) / 2)
        tan_len[k], radius[k], turn[k] = length, r, ang
    seg: dict[str, list[object]] = {
        k: [] for k in ("p0", "d", "v", "c", "r", "phi0", "omega", "dur", "arc")
    }

    def add(
        p0: F64, d: F64, v: float, c: F64, r: float, phi0: float, om: float, dur: float, arc: bool
    ) -> None:
        for key, val in zip(seg, (p0, d, v, c, r, phi0, om, dur, arc), strict=True):
            seg[key].append(val)

    zero2 = np.zeros(2)
    t_at_wp = np.zeros(w)
    t = 0.0
    for k in range(w - 1):
        start = p[k] + dirs[k] * tan_len[k]
        line_len = lengths[k] - tan_len[k] - tan_len[k + 1]
        dur = max(line_len, 0.0) / speeds[k]
        add(start, dirs[k], speeds[k], zero2, 0.0, 0.0, 0.0, dur, False)
        t += dur
        if k + 1 < w - 1 and radius[k + 1] > 0:
            r, ang = radius[k + 1], turn[k + 1]
            t1 = p[k + 1] - dirs[k] * tan_len[k + 1]
            left = np.array([-dirs[k][1], dirs[k][0]])
            c = t1 + left * r * np.sign(ang)
            phi0 = math.atan2(t1[1] - c[1], t1[0] - c[0])
            om = np.sign(ang) * speeds[k] / r
            adur = r * abs(ang) / speeds[k]
            add(t1, dirs[k], speeds[k], c, r, phi0, om, adur, True)
            t_at_wp[k + 1] = t + adur / 2
            t += adur
        else:
            t_at_wp[k + 1] = t
    dur_arr = np.asarray(seg["dur"], dtype=float)
    t0 = np.concatenate([[0.0], np.cumsum(dur_arr)[:-1]])
    # vertical legs
    alt = np.asarray(spec.alt_m, dtype=float)
    h0 = np.empty(w - 1)
    rate = np.empty(w - 1)
    h = alt[0]
    for k in range(w - 1):
        h0[k] = h
        climb = alt[k + 1] >= h
        rate[k] = spec.max_climb_rate_mps if climb else spec.max_descent_rate_mps
        span = t_at_wp[k + 1] - t_at_wp[k]
        h = h + np.sign(alt[k + 1] - h) * min(rate[k] * span, abs(alt[k + 1] - h))
    return RouteGeometry(
        t0_s=t0,
        is_arc=np.asarray(seg["arc"], dtype=bool),
        p0=np.asarray(seg["p0"], dtype=float),
        d=np.asarray(seg["d"], dtype=float),
        v=np.asarray(seg["v"], dtype=float),
        c=np.asarray(seg["c"], dtype=float),
        r=np.asarray(seg["r"], dtype=float),
        phi0=np.asarray(seg["phi0"], dtype=float),
        omega=np.asarray(seg["omega"], dtype=float),
        tv_s=t_at_wp[:-1].copy(),
        h0=h0,
        h1=alt[1:].copy(),
        rate=rate,
        end_s=float(t),
        tight_turns=tight,
    )


def route_states(g: RouteGeometry, tau_s: F64) -> tuple[F64, F64, F64, F64]:
    """Plane position (..., 2), plane velocity (..., 2), altitude and climb rate at times
    ``tau_s`` (any shape) after launch; clamped to the route's start and end."""
    tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, g.end_s)
    i = np.clip(np.searchsorted(g.t0_s, tau, side="right") - 1, 0, g.t0_s.size - 1)
    dt = tau - g.t0_s[i]
    v = g.v[i]
    d = g.d[i]
    pos = g.p0[i] + d * (v * dt)[..., None]  # on a line segment
    vel = d * v[..., None]
    arc = g.is_arc[i]
    if arc.any():  # on an arc: overwrite those samples
        ia, dta = i[arc], dt[arc]
        om, r = g.omega[ia], g.r[ia]
        phi = g.phi0[ia] + om * dta
        cphi, sphi = np.cos(phi), np.sin(phi)
        pos[arc] = g.c[ia] + np.stack([r * cphi, r * sphi], axis=-1)
        vel[arc] = np.stack([-r * om * sphi, r * om * cphi], axis=-1)
    k = np.clip(np.searchsorted(g.tv_s, tau, side="right") - 1, 0, g.tv_s.size - 1)
    dh = g.h1[k] - g.h0[k]
    rate = g.rate[k]
    abs_dh, sign_dh = np.abs(dh), np.sign(dh)
    moved = np.minimum(rate * (tau - g.tv_s[k]), abs_dh)
    alt = g.h0[k] + sign_dh * moved
    vu = np.where(moved < abs_dh, sign_dh * rate, 0.0)  # climbing or descending
    return pos, vel, alt, vu
