"""Threat motion (truth): waypoint routes, coordinated turns, acceleration-limited speed
changes, rate- and acceleration-limited climbs.

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
eq. 6.118). If the legs are too short for the fillet, the radius shrinks to fit
(counted in ``tight_turns``). Turns sharper than 120 deg are flown fly-over: over
the waypoint, a turn at R, then direct to the next waypoint (:mod:`.turns`).

Speed: the ground speed changes at a longitudinal acceleration a_long, never in a
step. An arc is flown at the speed the line before it ends with; the line after it
ramps from that speed to its own leg speed at a_long (along-track distance
quadratic in time, see :func:`along_track`) and then holds it, so the line lasts
d_ramp / mean speed + (L - d_ramp) / v instead of L / v and still ends where the
next arc (or the route) begins. A line too short for its ramp ends at the speed
the ramp reached (v0^2 +- 2 a_long L = v_end^2) and the next arc and line start
from it: speed is continuous everywhere. Such an arc's radius is sized for the
speed it is flown at: for the leg speed as planned, or, when a deceleration is
still unfinished with that radius, for the (higher) speed the line started with,
so the turn's load factor never exceeds the platform's (unless the turn is tight).
The first leg starts at its leg speed (the threat is launched at speed).

a_long = g * :data:`LONG_ACCEL_G` * min(1, n_max - 1) = 0.25 g (2.45 m/s^2) for
every catalog type (n_max >= 2), an assumption of the order of an airframe's
excess thrust and of its drag deceleration at idle: a fighter's level acceleration
from Mach 0.8 to 1.2 at altitude (about 120 m/s) takes of the order of a minute
(about 0.2 g; the F-35A's specified time for it was lengthened by 8 s in 2013, DOT&E
FY2012 Annual Report, F-35 JSF), a subsonic cruise missile's turbofan gives a
thrust-to-weight ratio of about 0.2 (Tomahawk: F107, ~3.1 kN for ~1,450 kg), and a
drone's 10 m/s speed changes take 4 s. Scaled by n_max - 1 below 2 g, so a platform
limited to small loads is not asked for more longitudinally than laterally. The
step it replaces (20-30 m/s from one instant to the next at the bundled presets'
waypoints) was an unbounded longitudinal acceleration.

Vertical path: during the leg towards waypoint k, the altitude moves toward
``alt_k`` with an acceleration-limited climb-rate profile and then holds; the leg
boundary is the midpoint of the turn at the waypoint. The climb (or descent) rate
ramps up at the vertical acceleration a_v, holds the platform's maximum climb (or
descent) rate, and ramps down at a_v so that the level-off lands exactly on
``alt_k`` (a trapezoid; a triangle with peak sqrt(a_v |dh|) when the change is too
small to reach the maximum rate). A change of altitude therefore takes
|dh| / rate + rate / a_v, one rate / a_v longer than at an instant rate step.
Altitude and climb rate are continuous, and the climb rate never changes faster
than a_v, with one exception: if a leg ends before its profile does (too short for
the change), the altitude at the leg boundary is what the profile reached and the
next leg's profile starts from a zero climb rate (a step of at most the maximum
rate at that boundary).

a_v = g * min(:data:`VERTICAL_ACCEL_G`, n_max - 1): an incremental load factor of
1 g (push-over to 0 g, pull-up/level-off at 2 g), the order of a normal climb
entry or level-off and well inside the structural limit of every catalog platform
(9 g fighters, 4 g cruise missiles); capped at n_max - 1 so a platform whose limit
is below 2 g is not asked for more than it can pull. The instant rate step it
replaces meant an unbounded vertical acceleration (0 -> 150 m/s in one step),
which no airframe flies and which a tracker cannot be tuned for.

Performance: :meth:`TruthModel.states` is vectorized over threats and times; the
only Python loop is over route *groups* (one per threat entry of the scenario,
whose members share a route up to a rigid offset and a launch delay).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import G0_MPS2
from iadsim.truth.turns import fillet, fly_over_at, turn_angle_rad, turn_radius_m

G_MPS2 = G0_MPS2
VERTICAL_ACCEL_G = 1.0
"""Incremental load factor of climb entries and level-offs (see module docstring)."""
LONG_ACCEL_G = 0.25
"""Longitudinal acceleration of speed changes, in g (see module docstring)."""
F64 = NDArray[np.float64]


def vertical_accel_mps2(max_load_factor_g: float) -> float:
    """Vertical acceleration a_v = g min(VERTICAL_ACCEL_G, n_max - 1) of climb entries
    and level-offs in m/s^2 (see module docstring)."""
    return G_MPS2 * min(VERTICAL_ACCEL_G, max_load_factor_g - 1.0)


def long_accel_mps2(max_load_factor_g: float) -> float:
    """Longitudinal acceleration a_long = g LONG_ACCEL_G min(1, n_max - 1) of speed
    changes in m/s^2 (see module docstring)."""
    return G_MPS2 * LONG_ACCEL_G * min(1.0, max_load_factor_g - 1.0)


def along_track(dt_s: F64, v: F64, acc: F64, ramp_s: F64) -> tuple[F64, F64]:
    """Distance flown and speed ``dt_s`` seconds into line segments (element-wise).

    The speed ramps at ``acc`` (signed, m/s^2) for ``ramp_s`` seconds to ``v`` and then
    holds it (it starts at v - acc ramp_s): with u = min(dt, ramp_s),
    distance = v dt - acc (dt (ramp_s - u) + u^2 / 2), speed = v - acc (ramp_s - u)
    (exactly v dt and v where ``acc`` is 0).
    """
    u = np.minimum(dt_s, ramp_s)
    left = ramp_s - u  # of the ramp still to fly
    return v * dt_s - acc * (dt_s * left + 0.5 * u * u), v - acc * left


def _speed_ramp(
    length_m: float, v0: float, v1: float, a: float
) -> tuple[float, float, float, float]:
    """A line of ``length_m`` entered at ``v0`` with leg speed ``v1``: its end speed,
    signed acceleration, ramp duration and duration (see module docstring)."""
    if v1 == v0:
        return v0, 0.0, 0.0, length_m / v0
    acc = math.copysign(a, v1 - v0)
    ramp_m = (v1 * v1 - v0 * v0) / (2.0 * acc)
    if ramp_m <= length_m:
        ramp_s = (v1 - v0) / acc
        return v1, acc, ramp_s, ramp_s + (length_m - ramp_m) / v1
    v_end = math.sqrt(max(v0 * v0 + 2.0 * acc * length_m, 0.0))  # the ramp reached
    ramp_s = (v_end - v0) / acc
    return v_end, acc, ramp_s, ramp_s


def _fillet(
    spec: RouteSpec, k: int, lengths: F64, dirs: F64, tan_in: float, speed_mps: float
) -> tuple[float, float, float, bool]:
    """Tangent length, radius and signed turn angle of the fly-by arc at waypoint ``k``
    flown at ``speed_mps`` (zeros without a turn), and whether it had to shrink."""
    ang = turn_angle_rad(dirs[k - 1], dirs[k])
    if abs(ang) < 1e-9 or lengths[k - 1] == 0 or lengths[k] == 0:
        return 0.0, 0.0, 0.0, False
    r = float(turn_radius_m(speed_mps, spec.max_load_factor_g))
    length, radius, tight = fillet(ang, r, min(lengths[k - 1] - tan_in, lengths[k] / 2))
    return length, radius, ang, tight


def vertical_profile(
    s_s: F64, dh_m: F64, accel: F64, peak: F64, ramp_s: F64, hold_s: F64
) -> tuple[F64, F64]:
    """Altitude change and climb rate ``s_s`` seconds into vertical legs (element-wise).

    Parameters
    ----------
    s_s
        Time since the start of the leg (negative is taken as 0).
    dh_m
        Signed altitude change of the leg.
    accel, peak, ramp_s, hold_s
        Vertical acceleration (m/s^2), peak climb-rate magnitude (m/s), duration of
        each ramp and of the hold at ``peak`` (s), as :func:`build_route` plans them.

    Returns
    -------
    tuple
        Signed altitude change since the start of the leg (m) and climb rate (m/s).
    """
    s = np.maximum(s_s, 0.0)
    up = np.minimum(s, ramp_s)
    down = np.clip(s - ramp_s - hold_s, 0.0, ramp_s)
    moved = (
        0.5 * accel * up**2
        + peak * np.clip(s - ramp_s, 0.0, hold_s)
        + (peak * down - 0.5 * accel * down**2)
    )
    abs_dh, sign_dh = np.abs(dh_m), np.sign(dh_m)
    done = s >= 2.0 * ramp_s + hold_s
    moved = np.where(done, abs_dh, np.minimum(moved, abs_dh))
    vu = np.where(done, 0.0, accel * (up - down))
    return sign_dh * moved, sign_dh * vu


def _plan_leg(abs_dh: float, rate: float, accel: float) -> tuple[float, float, float]:
    """Peak rate, ramp and hold durations of an altitude change ``abs_dh``."""
    peak = min(rate, math.sqrt(accel * abs_dh))
    if peak <= 0.0:
        return 0.0, 0.0, 0.0
    ramp = peak / accel
    return peak, ramp, max((abs_dh - peak * ramp) / peak, 0.0)


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
    ``v`` (of an arc; the speed a line holds after its ramp), arc centre ``c``
    (S, 2), radius ``r``, start angle ``phi0`` (math convention, from east
    counter-clockwise), signed angular rate ``omega``, and the speed ramp of a line:
    signed acceleration ``acc`` and its duration ``acc_s`` (0 on arcs and on lines at
    constant speed; see :func:`along_track`).
    Vertical legs (K,): start time ``tv_s``, start altitude ``h0``, target
    altitude ``h1``, maximum rate magnitude ``rate``, vertical acceleration
    ``accel``, and the planned profile: peak rate ``peak``, duration of each ramp
    ``ramp_s`` and of the hold ``hold_s`` (see :func:`vertical_profile`).
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
    acc: F64
    acc_s: F64
    tv_s: F64
    h0: F64
    h1: F64
    rate: F64
    accel: F64
    peak: F64
    ramp_s: F64
    hold_s: F64
    end_s: float
    tight_turns: int
    #: of the tight turns: the farthest the path passes from its waypoint (m), and that
    #: waypoint's index (-1: none); a turn back may cut a whole leg short
    tight_miss_m: float = 0.0
    tight_wp: int = -1

    def plane_states(self, tau_s: F64) -> tuple[F64, F64, F64, F64]:
        """The :class:`~iadsim.truth.motion.ThreatMotion` role: see :func:`route_states`."""
        return route_states(self, tau_s)


def build_route(spec: RouteSpec) -> RouteGeometry:
    """Turn a waypoint route into timed line/arc segments (see module docstring)."""
    p = np.array(spec.plane_m, dtype=float)  # (a copy: a fly-over moves a leg's start)
    w = p.shape[0]
    legs = np.diff(p, axis=0)
    lengths = np.hypot(legs[:, 0], legs[:, 1])
    dirs = legs / np.where(lengths > 0, lengths, 1.0)[:, None]
    speeds = np.asarray(spec.speed_mps, dtype=float)
    a_long = long_accel_mps2(spec.max_load_factor_g)
    seg: dict[str, list[object]] = {
        k: [] for k in ("p0", "d", "v", "c", "r", "phi0", "omega", "dur", "arc", "acc", "acc_s")
    }

    def add(p0: F64, d: F64, v: float, c: F64, r: float, phi0: float, om: float, dur: float,
            arc: bool, acc: float = 0.0, acc_s: float = 0.0) -> None:  # fmt: skip
        for key, val in zip(seg, (p0, d, v, c, r, phi0, om, dur, arc, acc, acc_s), strict=True):
            seg[key].append(val)

    zero2 = np.zeros(2)
    t_at_wp = np.zeros(w)
    t, tan_in, tight, v = 0.0, 0.0, 0, float(speeds[0])  # v: speed the next line starts at
    tight_miss, tight_wp = 0.0, -1
    for k in range(w - 1):
        v_end, acc, acc_s, dur = _speed_ramp(lengths[k] - tan_in, v, speeds[k], a_long)
        over = fly_over_at(k + 1, p, lengths, dirs, v_end, spec.max_load_factor_g)
        if over is not None:  # to the waypoint, the turn, then direct to the next one
            add(p[k] + dirs[k] * tan_in, dirs[k], v_end, zero2, 0.0, 0.0, 0.0, dur, False,
                acc, acc_s)  # fmt: skip
            t, v = t + dur, v_end
            adur = over.r * abs(over.sweep_rad) / v
            add(p[k + 1], dirs[k], v, over.c, over.r, over.phi0,
                math.copysign(v / over.r, over.sweep_rad), adur, True)  # fmt: skip
            t_at_wp[k + 1], t, tan_in = t, t + adur, 0.0
            p[k + 1], dirs[k + 1], lengths[k + 1] = over.exit_m, over.dir_out, over.length_m
            continue
        turn = (0.0, 0.0, 0.0, False)  # fillet at waypoint k + 1 (tangent, radius, angle)
        if k + 1 < w - 1:
            turn = _fillet(spec, k + 1, lengths, dirs, tan_in, speeds[k])
            line_len = max(lengths[k] - tan_in - turn[0], 0.0)
            if _speed_ramp(line_len, v, speeds[k], a_long)[0] > speeds[k]:  # slowing down
                turn = _fillet(spec, k + 1, lengths, dirs, tan_in, max(v, speeds[k]))
        tight += turn[3]
        if turn[3] and turn[0] * math.tan(abs(turn[2]) / 4) > tight_miss:
            # the fillet's apex is tangent * tan(angle / 4) from the waypoint
            tight_miss, tight_wp = turn[0] * math.tan(abs(turn[2]) / 4), k + 1
        line_len = max(lengths[k] - tan_in - turn[0], 0.0)
        v_end, acc, acc_s, dur = _speed_ramp(line_len, v, speeds[k], a_long)
        add(p[k] + dirs[k] * tan_in, dirs[k], v_end, zero2, 0.0, 0.0, 0.0, dur, False, acc, acc_s)
        t, v, (tan_in, r, ang, _) = t + dur, v_end, turn
        if r > 0:
            t1 = p[k + 1] - dirs[k] * tan_in
            left = np.array([-dirs[k][1], dirs[k][0]])
            c = t1 + left * r * np.sign(ang)
            phi0 = math.atan2(t1[1] - c[1], t1[0] - c[0])
            om = np.sign(ang) * v / r
            adur = r * abs(ang) / v
            add(t1, dirs[k], v, c, r, phi0, om, adur, True)
            t_at_wp[k + 1] = t + adur / 2
            t += adur
        else:
            t_at_wp[k + 1] = t
    dur_arr = np.asarray(seg["dur"], dtype=float)
    t0 = np.concatenate([[0.0], np.cumsum(dur_arr)[:-1]])
    # vertical legs
    alt = np.asarray(spec.alt_m, dtype=float)
    h0, rate, plan = np.empty(w - 1), np.empty(w - 1), np.empty((3, w - 1))
    accel = np.full(w - 1, vertical_accel_mps2(spec.max_load_factor_g))
    h = float(alt[0])
    for k in range(w - 1):
        h0[k] = h
        climb = alt[k + 1] >= h
        rate[k] = spec.max_climb_rate_mps if climb else spec.max_descent_rate_mps
        plan[:, k] = _plan_leg(abs(float(alt[k + 1]) - h), rate[k], accel[k])
        span = np.array(t_at_wp[k + 1] - t_at_wp[k])
        dh = np.array(alt[k + 1] - h)
        h = h + float(vertical_profile(span, dh, accel[k : k + 1], *plan[:, k : k + 1])[0][0])
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
        acc=np.asarray(seg["acc"], dtype=float),
        acc_s=np.asarray(seg["acc_s"], dtype=float),
        tv_s=t_at_wp[:-1].copy(),
        h0=h0,
        h1=alt[1:].copy(),
        rate=rate,
        accel=accel,
        peak=plan[0].copy(),
        ramp_s=plan[1].copy(),
        hold_s=plan[2].copy(),
        end_s=float(t),
        tight_turns=tight,
        tight_miss_m=tight_miss,
        tight_wp=tight_wp,
    )


def route_states(g: RouteGeometry, tau_s: F64) -> tuple[F64, F64, F64, F64]:
    """Plane position (..., 2), plane velocity (..., 2), altitude and climb rate at times
    ``tau_s`` (any shape) after launch; clamped to the route's start and end."""
    tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, g.end_s)
    i = np.clip(np.searchsorted(g.t0_s, tau, side="right") - 1, 0, g.t0_s.size - 1)
    dt = tau - g.t0_s[i]
    dist, speed = along_track(dt, g.v[i], g.acc[i], g.acc_s[i])
    d = g.d[i]
    pos = g.p0[i] + d * dist[..., None]  # on a line segment
    vel = d * speed[..., None]
    arc = g.is_arc[i]
    if arc.any():  # on an arc: overwrite those samples
        ia, dta = i[arc], dt[arc]
        om, r = g.omega[ia], g.r[ia]
        phi = g.phi0[ia] + om * dta
        cphi, sphi = np.cos(phi), np.sin(phi)
        pos[arc] = g.c[ia] + np.stack([r * cphi, r * sphi], axis=-1)
        vel[arc] = np.stack([-r * om * sphi, r * om * cphi], axis=-1)
    k = np.clip(np.searchsorted(g.tv_s, tau, side="right") - 1, 0, g.tv_s.size - 1)
    moved, vu = vertical_profile(
        tau - g.tv_s[k], g.h1[k] - g.h0[k], g.accel[k], g.peak[k], g.ramp_s[k], g.hold_s[k]
    )
    return pos, vel, g.h0[k] + moved, vu
