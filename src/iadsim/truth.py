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
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim import geo
from iadsim.frames import Truth

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


def gaussian_radius_m(lat0_rad: float) -> float:
    """Gaussian mean radius of curvature sqrt(M N) of the WGS84 ellipsoid at ``lat0``.

    Used as the sphere of the route plane so that scale is 1 at the origin; the
    remaining anisotropy (N/M - 1 = e'^2 cos^2 lat) keeps ground speeds within 0.35 %.
    """
    w2 = 1.0 - geo.WGS84_E2 * math.sin(lat0_rad) ** 2
    m = geo.WGS84_A_M * (1.0 - geo.WGS84_E2) / w2**1.5
    n = geo.WGS84_A_M / math.sqrt(w2)
    return math.sqrt(m * n)


def plane_to_geodetic(pe_m: F64, pn_m: F64, lat0_rad: float, lon0_rad: float) -> tuple[F64, F64]:
    """Inverse azimuthal-equidistant projection on the local sphere -> lat, lon (rad)."""
    rho = np.hypot(pe_m, pn_m)
    az = np.arctan2(pe_m, pn_m)
    delta = rho / gaussian_radius_m(lat0_rad)
    s0, c0 = math.sin(lat0_rad), math.cos(lat0_rad)
    lat = np.arcsin(np.clip(s0 * np.cos(delta) + c0 * np.sin(delta) * np.cos(az), -1.0, 1.0))
    lon = np.asarray(
        lon0_rad + np.arctan2(np.sin(az) * np.sin(delta) * c0, np.cos(delta) - s0 * np.sin(lat))
    )
    lon += np.pi
    wrap = ~((lon > 0.0) & (lon < 2 * np.pi))  # np.mod leaves the others unchanged
    if wrap.any():
        lon[wrap] = np.mod(lon[wrap], 2 * np.pi)
    lon -= np.pi
    return lat, lon[()]  # (a scalar for scalar input, as before)


def geodetic_to_plane(
    lat_rad: F64, lon_rad: F64, lat0_rad: float, lon0_rad: float
) -> tuple[F64, F64]:
    """Azimuthal-equidistant projection on the local sphere: lat, lon (rad) -> plane e, n (m)."""
    lat, lon = np.asarray(lat_rad, dtype=float), np.asarray(lon_rad, dtype=float)
    dlon = lon - lon0_rad
    s0, c0 = math.sin(lat0_rad), math.cos(lat0_rad)
    cosd = np.clip(s0 * np.sin(lat) + c0 * np.cos(lat) * np.cos(dlon), -1.0, 1.0)
    delta = np.arccos(cosd)
    az = np.arctan2(np.sin(dlon) * np.cos(lat), c0 * np.sin(lat) - s0 * np.cos(lat) * np.cos(dlon))
    rho = delta * gaussian_radius_m(lat0_rad)
    return rho * np.sin(az), rho * np.cos(az)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TruthModel:
    """All threats of a scenario; ``states(t_s)`` gives their true states.

    Parameters
    ----------
    routes : one :class:`RouteGeometry` per route group.
    group : (n,) route-group index of each threat.
    offset_m : (n, 2) rigid plane offset of each threat from its group's route.
    launch_s : (n,) launch time of each threat, s from epoch.
    origin_rad_m : (lat0 rad, lon0 rad, h0 m) of the scenario ENU frame.
    agl : (n,) True where the route altitude is above ground (terrain following).
    ground_m : ground height above MSL (m) at (lat rad, lon rad), used for ``agl``.
    """

    routes: tuple[RouteGeometry, ...]
    group: NDArray[np.int64]
    offset_m: F64
    launch_s: F64
    origin_rad_m: tuple[float, float, float]
    agl: NDArray[np.bool_] | None = None
    ground_m: Callable[[F64, F64], F64] | None = None

    @property
    def n_threats(self) -> int:
        """Number of threats."""
        return int(self.group.shape[0])

    @property
    def end_s(self) -> F64:
        """(n,) time each threat reaches the end of its route, s from epoch."""
        ends = np.array([r.end_s for r in self.routes])
        return self.launch_s + ends[self.group]

    def plane_states(self, t_s: F64) -> tuple[F64, F64, F64, F64]:
        """Plane positions (n, T, 2), velocities (n, T, 2), altitudes and climb rates (n, T)."""
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        n, nt = self.n_threats, t.shape[0]
        pos = np.empty((n, nt, 2))
        vel = np.empty((n, nt, 2))
        alt = np.empty((n, nt))
        vu = np.empty((n, nt))
        for g, route in enumerate(self.routes):
            idx = np.flatnonzero(self.group == g)
            if idx.size == 0:
                continue
            tau = t[None, :] - self.launch_s[idx, None]
            p, v, h, hv = route_states(route, tau)
            pos[idx] = p + self.offset_m[idx, None, :]
            vel[idx], alt[idx], vu[idx] = v, h, hv
        return pos, vel, alt, vu

    def _to_enu(self, pe: F64, pn: F64, alt: F64) -> tuple[F64, F64, F64, F64]:
        """Plane (n, T) + route altitude -> ENU and the altitude above MSL (terrain-following
        rows add the ground)."""
        lat0, lon0, h0 = self.origin_rad_m
        lat, lon = plane_to_geodetic(pe, pn, lat0, lon0)
        msl = self._msl(alt, lat, lon)
        e, n, u = geo.geodetic2enu(lat, lon, msl, lat0, lon0, h0)
        return e, n, u, msl

    def _msl(self, alt: F64, lat: F64, lon: F64) -> F64:
        """Route altitude (n, T) -> altitude above MSL (adds the ground on ``agl`` rows)."""
        if self.agl is None or self.ground_m is None or not self.agl.any():
            return alt
        out = np.array(alt, dtype=float)
        rows = self.agl
        out[rows] = alt[rows] + self.ground_m(lat[rows], lon[rows])
        return out

    def states(self, t_s: F64 | float, kill_time_s: F64 | None = None) -> Truth:
        """True states of all threats at the times ``t_s`` (scalar or (T,)).

        Rows are time-major (all threats at t[0], then t[1], ...). A threat is
        alive from launch until its route ends or ``kill_time_s[i]`` (inf: never).
        Velocities are the exact derivative of the plane->ENU map (central
        difference over 10 ms of the analytic plane velocity).
        """
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        pos, vel, alt_route, vu = self.plane_states(t)
        e, n, u, alt = self._to_enu(pos[..., 0], pos[..., 1], alt_route)  # alt: above MSL
        h = 0.005
        ep, np_, up, _ = self._to_enu(
            pos[..., 0] + vel[..., 0] * h, pos[..., 1] + vel[..., 1] * h, alt_route + vu * h
        )
        em, nm, um, _ = self._to_enu(
            pos[..., 0] - vel[..., 0] * h, pos[..., 1] - vel[..., 1] * h, alt_route - vu * h
        )
        kill = np.full(self.n_threats, np.inf) if kill_time_s is None else kill_time_s
        tt = t[None, :]
        alive = (tt >= self.launch_s[:, None]) & (tt <= self.end_s[:, None]) & (tt < kill[:, None])
        ids = np.broadcast_to(np.arange(self.n_threats, dtype=np.int64)[:, None], alt.shape)

        def tm(a: NDArray[Any]) -> NDArray[Any]:
            return np.ascontiguousarray(a.T).ravel()

        return Truth(
            t_s=tm(np.broadcast_to(tt, alt.shape)),
            threat_id=tm(ids),
            e_m=tm(e),
            n_m=tm(n),
            u_m=tm(u),
            ve_mps=tm((ep - em) / (2 * h)),
            vn_mps=tm((np_ - nm) / (2 * h)),
            vu_mps=tm((up - um) / (2 * h)),
            alt_m=tm(alt),
            alive=tm(alive),
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TruthTable:
    """Truth of a :class:`TruthModel` precomputed on a regular time grid.

    :meth:`states` interpolates linearly between grid samples, which turns the
    per-dwell cost of the geodetic mapping into an index lookup. The position
    error is the chord sag of the tightest turn over one step,
    R (1 - cos(v dt / 2R)) ~ v^2 dt^2 / (8R): 0.7 m for a 9 g turn at 270 m/s
    with dt = 0.25 s, far below radar measurement noise. Alive masks are exact
    (computed from launch, route-end and kill times, not interpolated).
    """

    model: TruthModel
    dt_s: float
    t0_s: float
    grid: F64  # (T, n, 7): e, n, u, ve, vn, vu, alt

    @classmethod
    def build(cls, model: TruthModel, t_end_s: float, dt_s: float = 0.25) -> TruthTable:
        """Sample ``model`` on [0, t_end_s] every ``dt_s`` (vectorized, one call)."""
        t = np.arange(0.0, t_end_s + 2 * dt_s, dt_s)
        tr = model.states(t)
        n = model.n_threats
        cols = (tr.e_m, tr.n_m, tr.u_m, tr.ve_mps, tr.vn_mps, tr.vu_mps, tr.alt_m)
        grid = np.stack([c.reshape(t.size, n) for c in cols], axis=-1)
        return cls(model=model, dt_s=dt_s, t0_s=0.0, grid=grid)

    def states(self, t_s: float, kill_time_s: F64 | None = None) -> Truth:
        """States of all threats at one time ``t_s`` (same rows as ``TruthModel.states``)."""
        f = (t_s - self.t0_s) / self.dt_s
        i = int(min(max(math.floor(f), 0), self.grid.shape[0] - 2))
        w = min(max(f - i, 0.0), 1.0)
        row = self.grid[i] * (1.0 - w) + self.grid[i + 1] * w
        launch_s, end_s, ids = self._constants
        alive = (t_s >= launch_s) & (t_s <= end_s)
        alive &= t_s < (self._never if kill_time_s is None else kill_time_s)
        # columns of the declared dtypes and one length by construction
        return Truth.from_trusted_columns(
            {
                "t_s": np.full(ids.shape[0], float(t_s)),
                "threat_id": ids,
                "e_m": row[:, 0],
                "n_m": row[:, 1],
                "u_m": row[:, 2],
                "ve_mps": row[:, 3],
                "vn_mps": row[:, 4],
                "vu_mps": row[:, 5],
                "alt_m": row[:, 6],
                "alive": alive,
            }
        )

    @functools.cached_property
    def _constants(self) -> tuple[F64, F64, NDArray[np.int64]]:
        """Launch and route-end times and the (read-only, shared) threat ids."""
        m = self.model
        ids = np.arange(m.n_threats, dtype=np.int64)
        ids.flags.writeable = False
        return np.asarray(m.launch_s, dtype=np.float64), m.end_s, ids

    @functools.cached_property
    def _never(self) -> F64:
        return np.full(self.model.n_threats, np.inf)
