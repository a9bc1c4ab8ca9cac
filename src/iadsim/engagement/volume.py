"""Engagement-radar coverage volumes, and intercepts kept inside them.

A round whose guidance needs the battery's engagement radar in flight
(:attr:`iadsim.engagement.interceptors.InterceptorTable.needs_fire_control`:
command mid-course updates, track-via-missile or semi-active terminal guidance)
can be guided only to an intercept the radar can see. At the operations-research
level of this package that is one test: the predicted intercept point (PIP) lies
inside the radar's instrumented range window, azimuth sector and elevation limits.
Semi-active and track-via-missile rounds need the radar on the target at the
intercept itself; command-guided rounds with an active seeker until the seeker
acquires, seconds before it, close to the PIP. An order whose PIP lies outside
(over a sector radar's back, or above its elevation limit as a target flies over
the battery) would fly a round the radar cannot support, which the engagement stage
then aborts for lost fire-control support: C2 must not give it.

The test is the radar's own (:mod:`iadsim.sensors.visibility`, less the terrain mask):
slant range and azimuth in the scenario's ENU frame, elevation the apparent one over a
``k``-earth (:func:`iadsim.geo.apparent_tan_el`), from the heights of the point and of
the antenna above the sphere through the ENU origin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.intercept import InterceptSolutions
from iadsim.engagement.interceptors import height_above_origin_m
from iadsim.geo import apparent_tan_el

__all__ = ["EngagementVolume", "restrict_to_volumes"]

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class EngagementVolume:
    """Coverage of one engagement radar: antenna position (ENU m) and altitude (m above
    mean sea level), effective earth radius factor ``k``, azimuth sector (centre and
    full width, rad, clockwise from north), elevation limits (rad) and range window (m)."""

    site_m: tuple[float, float, float]
    antenna_alt_m: float
    k: float
    az_center_rad: float
    az_width_rad: float
    el_min_rad: float
    el_max_rad: float
    min_range_m: float
    max_range_m: float

    def contains(self, pos_m: F) -> NDArray[np.bool_]:
        """Positions (..., 3) inside the volume."""
        p = np.asarray(pos_m, dtype=np.float64)
        site = np.asarray(self.site_m)
        rel = p - site
        horiz2_m2 = rel[..., 0] ** 2 + rel[..., 1] ** 2
        rng2_m2 = horiz2_m2 + rel[..., 2] ** 2
        alt_m = self.antenna_alt_m + height_above_origin_m(p) - height_above_origin_m(site)
        tan_el = apparent_tan_el(np.sqrt(horiz2_m2), alt_m, self.antenna_alt_m, self.k)
        az = np.arctan2(rel[..., 0], rel[..., 1]) % (2 * np.pi)
        daz = np.abs((az - self.az_center_rad + np.pi) % (2 * np.pi) - np.pi)
        ok = (rng2_m2 >= self.min_range_m**2) & (rng2_m2 <= self.max_range_m**2)
        ok &= daz <= self.az_width_rad / 2 + 1e-9
        ok &= (tan_el >= np.tan(self.el_min_rad)) & (tan_el <= np.tan(self.el_max_rad))
        return np.asarray(ok)


def restrict_to_volumes(
    sol: InterceptSolutions,
    launcher_battery_id: NDArray[np.int64],
    needs_fire_control: NDArray[np.bool_],
    volumes: Mapping[int, EngagementVolume],
) -> InterceptSolutions:
    """``sol`` (T, L, I) with the triples of types needing fire control made infeasible
    (``pk`` 0) where the PIP lies outside the launcher's battery's engagement-radar
    volume (module doc). Batteries without a volume are left as they are."""
    feasible = sol.feasible.copy()
    for b, vol in volumes.items():
        lx = np.flatnonzero(launcher_battery_id == b)
        if lx.size == 0 or not needs_fire_control.any():
            continue
        sub = feasible[:, lx][:, :, needs_fire_control]
        pip = sol.pip_m[:, lx][:, :, needs_fire_control]
        sub[sub] = vol.contains(pip[sub])
        block = feasible[:, lx]
        block[:, :, needs_fire_control] = sub
        feasible[:, lx] = block
    if np.array_equal(feasible, sol.feasible):
        return sol
    return dataclasses.replace(sol, feasible=feasible, pk=np.where(feasible, sol.pk, 0.0))
