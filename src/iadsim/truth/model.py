"""All threats of a scenario: motion groups, offsets and launch times -> true states."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim import geo
from iadsim.frames import Truth
from iadsim.truth.motion import ThreatMotion
from iadsim.truth.plane import plane_to_geodetic

F64 = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TruthModel:
    """All threats of a scenario; ``states(t_s)`` gives their true states.

    Parameters
    ----------
    routes : one :class:`~iadsim.truth.motion.ThreatMotion` per group (a
        :class:`~iadsim.truth.routes.RouteGeometry` for waypoint routes).
    group : (n,) route-group index of each threat.
    offset_m : (n, 2) rigid plane offset of each threat from its group's route.
    launch_s : (n,) launch time of each threat, s from epoch.
    origin_rad_m : (lat0 rad, lon0 rad, h0 m) of the scenario ENU frame.
    agl : (n,) True where the route altitude is above ground (terrain following).
    ground_m : ground height above MSL (m) at (lat rad, lon rad), used for ``agl``.
    """

    routes: tuple[ThreatMotion, ...]
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
            p, v, h, hv = route.plane_states(tau)
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
