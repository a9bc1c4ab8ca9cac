"""All threats of a scenario: motion groups, offsets and launch times -> true states."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim import geo
from iadsim.frames import Truth
from iadsim.truth.batched import RouteBank
from iadsim.truth.motion import ThreatMotion
from iadsim.truth.plane import plane_to_geodetic, plane_to_geodetic_rates
from iadsim.truth.routes import RouteGeometry

F64 = NDArray[np.float64]

#: The columns of :meth:`TruthModel.enu_states` (and of :meth:`TruthModel.enu_samples`).
STATE_COLUMNS = ("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "alt_m")
#: Threat-times :meth:`TruthModel.states` evaluates at once (bounds its memory).
STATES_CHUNK_CELLS = 500_000
#: Threat-times :meth:`TruthModel.enu_samples` evaluates at once: the few dozen
#: temporaries of :meth:`TruthModel.enu_states` stay in the CPU cache (a truth-table
#: window of 1,024 threats in one piece took 40 % more time) and their memory is
#: bounded whatever the raid size.
ENU_CHUNK_CELLS = 16_384
#: Half-step (s) of the central difference of the ground height along the track that
#: gives terrain-following threats their climb rate above MSL.
GROUND_RATE_STEP_S = 0.005


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

    @functools.cached_property
    def bank(self) -> tuple[RouteBank | None, NDArray[np.int64]]:
        """The waypoint-route groups concatenated (built once; None if there is none)
        and each group's index in it (-1: another motion kind)."""
        is_route = np.array([isinstance(r, RouteGeometry) for r in self.routes], dtype=bool)
        where = np.where(is_route, np.cumsum(is_route) - 1, -1).astype(np.int64)
        routes = tuple(r for r in self.routes if isinstance(r, RouteGeometry))
        return (RouteBank.from_routes(routes) if routes else None), where

    def plane_states(
        self, t_s: F64, rows: NDArray[np.int64] | None = None
    ) -> tuple[F64, F64, F64, F64]:
        """Plane positions (n, T, 2), velocities (n, T, 2), altitudes and climb rates (n, T)
        of all threats (or of ``rows``), in one call over all route groups."""
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        idx = np.arange(self.n_threats) if rows is None else np.asarray(rows, dtype=np.int64)
        tau = t[None, :] - self.launch_s[idx, None]
        bank, in_bank = self.bank
        grp = self.group[idx]
        gi = in_bank[grp]
        if bank is not None and bool(np.all(gi >= 0)):  # all waypoint routes: one call
            p, v, h, hv = bank.states(gi, tau)
            return p + self.offset_m[idx, None, :], v, h, hv
        pos, vel = np.empty((idx.shape[0], t.shape[0], 2)), np.empty((idx.shape[0], t.shape[0], 2))
        alt, vu = np.empty(tau.shape), np.empty(tau.shape)
        parts = [(gi >= 0, None)] if bank is not None else []
        parts += [((gi < 0) & (grp == g), g) for g in np.unique(grp[gi < 0]).tolist()]
        for sel, g in parts:  # route groups batched, other motion kinds group by group
            if g is None:
                p, v, h, hv = bank.states(gi[sel], tau[sel])  # type: ignore[union-attr]
            else:
                p, v, h, hv = self.routes[g].plane_states(tau[sel])
            pos[sel], vel[sel], alt[sel], vu[sel] = p, v, h, hv
        return pos + self.offset_m[idx, None, :], vel, alt, vu

    def _to_enu(self, pe: F64, pn: F64, alt: F64) -> tuple[F64, F64, F64, F64]:
        """Plane (n, T) + route altitude -> ENU and the altitude above MSL (terrain-following
        rows add the ground)."""
        lat0, lon0, _ = self.origin_rad_m
        lat, lon = plane_to_geodetic(pe, pn, lat0, lon0)
        return self._geodetic_to_enu(lat, lon, alt)

    def _geodetic_to_enu(self, lat: F64, lon: F64, alt: F64) -> tuple[F64, F64, F64, F64]:
        """Geodetic (n, T) + route altitude -> ENU and the altitude above MSL."""
        lat0, lon0, h0 = self.origin_rad_m
        msl = self._msl(alt, lat, lon)
        e, n, u = geo.geodetic2enu(lat, lon, msl, lat0, lon0, h0)
        return e, n, u, msl

    def _msl(self, alt: F64, lat: F64, lon: F64) -> F64:
        """Route altitude (n, T) -> altitude above MSL (adds the ground on ``agl`` rows)."""
        if self.agl is None or self.ground_m is None or not self.agl.any():
            return alt
        if self.agl.all():  # (no row selection: copies of every array)
            return np.asarray(alt + self.ground_m(lat, lon))
        out = np.array(alt, dtype=float)
        rows = self.agl
        out[rows] = alt[rows] + self.ground_m(lat[rows], lon[rows])
        return out

    def enu_states(self, t: F64, rows: NDArray[np.int64] | None = None) -> tuple[F64, ...]:
        """ENU position e, n, u, velocity ve, vn, vu and altitude above MSL, each (n, T),
        of all threats (or ``rows``) at the times ``t`` (T,) (see :meth:`states`)."""
        pos, vel, alt_route, vu = self.plane_states(t, rows)
        sub = self if rows is None else self._rows(rows)
        lat0, lon0, _ = self.origin_rad_m
        lat, lon, dlat, dlon = plane_to_geodetic_rates(
            pos[..., 0], pos[..., 1], vel[..., 0], vel[..., 1], lat0, lon0
        )
        e, n, u, alt = sub._geodetic_to_enu(lat, lon, alt_route)  # alt: above MSL
        dalt = sub._msl_rate(vu, lat, lon, dlat, dlon)
        ve, vn, vu_enu = geo.geodetic_rates_to_enu_velocity(
            lat, lon, alt, dlat, dlon, dalt, lat0, lon0
        )
        return e, n, u, ve, vn, vu_enu, alt

    def _msl_rate(self, vu: F64, lat: F64, lon: F64, dlat: F64, dlon: F64) -> F64:
        """Route climb rate (n, T) -> rate of the altitude above MSL: ``agl`` rows add the
        ground's rate along the track, a central difference of ``ground_m`` over
        +-:data:`GROUND_RATE_STEP_S` (the ground may be piecewise bilinear)."""
        if self.agl is None or self.ground_m is None or not self.agl.any():
            return vu
        h = GROUND_RATE_STEP_S
        rows = slice(None) if self.agl.all() else self.agl
        la, lo, dla, dlo = lat[rows], lon[rows], dlat[rows] * h, dlon[rows] * h
        slope = (self.ground_m(la + dla, lo + dlo) - self.ground_m(la - dla, lo - dlo)) / (2 * h)
        out = np.array(vu, dtype=float)
        out[rows] += slope
        return out

    def enu_samples(self, t: F64, rows: NDArray[np.int64] | None = None) -> F64:
        """:meth:`enu_states` as one (T, 7, k) array (times, the 7 columns, threats ``rows``
        or all), evaluated :data:`ENU_CHUNK_CELLS` threat-times at a time."""
        idx = np.arange(self.n_threats) if rows is None else np.asarray(rows, dtype=np.int64)
        out = np.empty((t.shape[0], len(STATE_COLUMNS), idx.shape[0]))
        step = max(1, ENU_CHUNK_CELLS // max(t.shape[0], 1))
        for r in range(0, idx.shape[0], step):
            for q, c in enumerate(self.enu_states(t, idx[r : r + step])):  # (k, T) each
                out[:, q, r : r + step] = c.T
        return out

    def positions(self, t: F64, rows: NDArray[np.int64]) -> tuple[F64, F64, F64]:
        """ENU positions e, n, u (k, T) of threats ``rows`` (k,) at times ``t`` (T,)
        (the same values as :meth:`states`, without the velocities), evaluated
        :data:`ENU_CHUNK_CELLS` threat-times at a time."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((3, rows.shape[0], t.shape[0]))
        step = max(1, ENU_CHUNK_CELLS // max(t.shape[0], 1))
        for r in range(0, rows.shape[0], step):
            part = rows[r : r + step]
            pos, _, alt_route, _ = self.plane_states(t, part)
            e, n, u, _ = self._rows(part)._to_enu(pos[..., 0], pos[..., 1], alt_route)
            out[0, r : r + step], out[1, r : r + step], out[2, r : r + step] = e, n, u
        return out[0], out[1], out[2]

    def _rows(self, rows: NDArray[np.int64]) -> TruthModel:
        """The model restricted to threats ``rows`` (for their terrain-following flags)."""
        agl = None if self.agl is None else self.agl[rows]
        return dataclasses.replace(
            self, group=self.group[rows], offset_m=self.offset_m[rows],
            launch_s=self.launch_s[rows], agl=agl,
        )  # fmt: skip

    def states(self, t_s: F64 | float, kill_time_s: F64 | None = None) -> Truth:
        """True states of all threats at the times ``t_s`` (scalar or (T,)).

        Rows are time-major (all threats at t[0], then t[1], ...). A threat is
        alive from launch until its route ends or ``kill_time_s[i]`` (inf: never).
        Velocities are the exact derivative of the plane->ENU map applied to the
        analytic plane velocity, by the chain rule
        (:func:`~iadsim.truth.plane.plane_to_geodetic_rates`, then
        :func:`~iadsim.geo.geodetic_rates_to_enu_velocity`); terrain-following threats
        add the ground's rate along the track (a central difference over 10 ms).
        """
        parts = list(self.state_chunks(t_s, kill_time_s))
        if len(parts) == 1:
            return parts[0]
        return Truth(**{c: np.concatenate([getattr(p, c) for p in parts]) for c in Truth.columns()})

    def state_chunks(
        self, t_s: F64 | float, kill_time_s: F64 | None = None, cells: int | None = None
    ) -> Iterator[Truth]:
        """:meth:`states` a few times at a time: frames of about ``cells`` rows (default
        :data:`STATES_CHUNK_CELLS`) whose concatenation is ``states(t_s, kill_time_s)``
        (memory bounded by a chunk, whatever the number of times)."""
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        kill = np.full(self.n_threats, np.inf) if kill_time_s is None else kill_time_s
        cells = STATES_CHUNK_CELLS if cells is None else cells
        per = max(1, cells // max(self.n_threats, 1))  # times per chunk
        for k in range(0, max(t.shape[0], 1), per):
            yield Truth(**self._time_major(t[k : k + per], kill))

    def _time_major(self, t: F64, kill: F64) -> dict[str, NDArray[Any]]:
        """Columns of :meth:`states` at the times ``t`` (rows time-major)."""
        g = self.enu_samples(t)  # (T, 7, n): time-major already
        tt = t[:, None]
        alive = (tt >= self.launch_s) & (tt <= self.end_s) & (tt < kill)  # (T, n)
        return {
            "t_s": np.repeat(t, self.n_threats),
            "threat_id": np.tile(np.arange(self.n_threats, dtype=np.int64), t.shape[0]),
            **{name: g[:, q, :].ravel() for q, name in enumerate(STATE_COLUMNS)},
            "alive": alive.ravel(),
        }
