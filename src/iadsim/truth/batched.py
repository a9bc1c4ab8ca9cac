"""Route states of many route groups in one vectorized call (no loop over groups).

:class:`RouteBank` concatenates the segments and vertical legs of every
:class:`~iadsim.truth.routes.RouteGeometry`; each query row names its group. The
segment a time falls in is found by counting the group's segment start times at
or before it (a padded (G, S) table, S = most segments of a route), which is
exactly ``searchsorted(t0, tau, side="right") - 1`` of
:func:`~iadsim.truth.routes.route_states`; the states are then the same
element-wise expressions, so the result is bit-identical to evaluating each group
on its own, at a cost proportional to rows x times whatever the number of groups.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.truth.routes import RouteGeometry, along_track, vertical_profile

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["RouteBank"]

_SEG = ("t0_s", "is_arc", "p0", "d", "v", "c", "r", "phi0", "omega", "acc", "acc_s")
_LEG = ("tv_s", "h0", "h1", "accel", "peak", "ramp_s", "hold_s")


def _padded(starts: list[F64]) -> tuple[F64, I64, I64]:
    """(G, S) start times padded with +inf, offsets of each group in the flat arrays,
    and the number of entries per group."""
    count = np.array([s.shape[0] for s in starts], dtype=np.int64)
    table = np.full((len(starts), max(int(count.max()), 1)), np.inf)
    for g, s in enumerate(starts):
        table[g, : s.shape[0]] = s
    off = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return table, off, count


def _index(table: F64, off: I64, count: I64, grp: I64, tau: F64) -> I64:
    """Flat index of the entry each ``tau`` (N, T) of group ``grp`` (N,) falls in."""
    i = np.zeros(tau.shape, np.int64)
    for k in range(table.shape[1]):  # S (a handful) comparisons, not a loop over groups
        i += table[grp, k][:, None] <= tau
    i = np.clip(i - 1, 0, (count[grp] - 1)[:, None])
    return np.asarray(off[grp][:, None] + i)


@dataclasses.dataclass(frozen=True)
class RouteBank:
    """The segments and vertical legs of all route groups, concatenated."""

    seg: dict[str, Any]
    leg: dict[str, F64]
    seg_table: F64
    seg_off: I64
    seg_count: I64
    leg_table: F64
    leg_off: I64
    leg_count: I64
    end_s: F64

    @classmethod
    def from_routes(cls, routes: tuple[RouteGeometry, ...]) -> RouteBank:
        """Concatenate ``routes`` (G route groups)."""
        seg = {k: np.concatenate([getattr(r, k) for r in routes]) for k in _SEG}
        leg = {k: np.concatenate([getattr(r, k) for r in routes]) for k in _LEG}
        st, so, sc = _padded([r.t0_s for r in routes])
        lt, lo, lc = _padded([r.tv_s for r in routes])
        end = np.array([r.end_s for r in routes], dtype=float)
        return cls(seg, leg, st, so, sc, lt, lo, lc, end)

    def states(self, grp: I64, tau_s: F64) -> tuple[F64, F64, F64, F64]:
        """Plane position (N, T, 2), plane velocity (N, T, 2), altitude and climb rate
        (N, T) of rows of route group ``grp`` (N,) at ``tau_s`` (N, T) after launch
        (clamped to each route's start and end), as ``route_states`` per group."""
        tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, self.end_s[grp][:, None])
        g, s = self.seg, self.leg
        i = _index(self.seg_table, self.seg_off, self.seg_count, grp, tau)
        dt = tau - g["t0_s"][i]
        dist, speed = along_track(dt, g["v"][i], g["acc"][i], g["acc_s"][i])
        d = g["d"][i]
        pos = g["p0"][i] + d * dist[..., None]  # on a line segment
        vel = d * speed[..., None]
        arc = g["is_arc"][i]
        if arc.any():  # on an arc: overwrite those samples
            ia, dta = i[arc], dt[arc]
            om, r = g["omega"][ia], g["r"][ia]
            phi = g["phi0"][ia] + om * dta
            cphi, sphi = np.cos(phi), np.sin(phi)
            pos[arc] = g["c"][ia] + np.stack([r * cphi, r * sphi], axis=-1)
            vel[arc] = np.stack([-r * om * sphi, r * om * cphi], axis=-1)
        k = _index(self.leg_table, self.leg_off, self.leg_count, grp, tau)
        moved, vu = vertical_profile(
            tau - s["tv_s"][k],
            s["h1"][k] - s["h0"][k],
            *(s[name][k] for name in ("accel", "peak", "ramp_s", "hold_s")),
        )
        return pos, vel, s["h0"][k] + moved, vu
