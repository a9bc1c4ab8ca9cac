"""Radar coverage for the report: plan-view footprints, range vs RCS, vertical coverage.

All numbers come from :mod:`iadsim.sensors.coverage` (the same figures as
``iadsim coverage``) with the run's own radar sites: antenna heights, sector
boresights and terrain masks are rebuilt from ``scenario.resolved.yaml`` exactly
as the run built them (:func:`iadsim.scenario.stages.build_sensors`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.scenario.compile import World
from iadsim.scenario.schema import Scenario
from iadsim.scenario.stages import build_sensors
from iadsim.sensors.coverage import coverage_grid, coverage_table, elevation_limit_range_m
from iadsim.sensors.coverage_plots import lowest_ray_rad
from iadsim.sensors.horizon import K_STANDARD, altitude_on_ray_m
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import required_snr
from iadsim.sensors.radar import Radar

F64 = NDArray[np.float64]

#: RCS grid of the range-vs-RCS plot, m^2 (1e-4 to 100, 3 points per decade).
RCS_GRID_M2: F64 = np.logspace(-4, 2, 19)

#: Altitudes of the vertical-coverage contour (quadratic spacing, dense near the ground).
N_ALT = 241


@dataclasses.dataclass(frozen=True, kw_only=True)
class Footprint:
    """Outline of the area where a target of ``rcs_m2`` at ``alt_m`` above the radar's
    ground is detected with ``pd`` per scan: ``e_m``/``n_m`` (closed polygon, ENU m)."""

    radar_id: int
    rcs_m2: float
    alt_m: float
    e_m: F64
    n_m: F64
    max_range_m: float


def site_radars(world: World, scenario: Scenario) -> tuple[Radar, ...]:
    """The run's radars with terrain masks and boresights (scan phases irrelevant here)."""
    return build_sensors(world, scenario, np.random.default_rng(0)).radars


def sector_params(radar: Radar) -> RadarParams:
    """Radar parameters with the sector centred on the radar's boresight in the run."""
    return dataclasses.replace(radar.params, az_center_rad=radar.az_center_rad)


def footprint(
    radar: Radar, rcs_m2: float, alt_m: float, *, ground_alt_m: float, pd: float = 0.9
) -> Footprint:
    """Farthest detected ground range in each of 180 azimuths, horizon and terrain included.

    Uses :func:`iadsim.sensors.coverage.coverage_grid` (terrain mask of the site,
    4/3 earth); inside the outline terrain may still hide pockets (not drawn).
    ``alt_m`` is above the site's ground ``ground_alt_m`` (m MSL: the antenna
    altitude of the run less the mast).
    """
    az, d, level = coverage_grid(
        sector_params(radar),
        rcs_m2,
        [alt_m],
        pd=pd,
        mask=radar.terrain,
        ground_alt_m=ground_alt_m,
        n_az=180,
        n_range=240,
        k=radar.k,
    )
    seen = level >= 0
    far = np.where(seen.any(axis=1), d[np.argmax(np.where(seen, d[None, :], -1.0), axis=1)], 0.0)
    e = radar.pos_m[0] + far * np.sin(az)
    n = radar.pos_m[1] + far * np.cos(az)
    return Footprint(
        radar_id=radar.radar_id,
        rcs_m2=float(rcs_m2),
        alt_m=float(alt_m),
        e_m=np.r_[e, e[:1]],
        n_m=np.r_[n, n[:1]],
        max_range_m=float(far.max(initial=0.0)),
    )


def range_vs_rcs_m(params: RadarParams, alt_m: Sequence[float], pd: float = 0.9) -> F64:
    """(n_rcs, n_alt) detection range, m, over :data:`RCS_GRID_M2` (free space, 4/3-earth
    horizon and instrumented range; :func:`iadsim.sensors.coverage.coverage_table`)."""
    table = coverage_table(params, RCS_GRID_M2.tolist(), list(alt_m), pd)
    return np.asarray(table.range_m, dtype=np.float64)


def ground_range_m(
    slant_m: ArrayLike, alt_m: ArrayLike, antenna_height_m: float, k: float = K_STANDARD
) -> F64:
    """Ground distance (m) of a target at slant range ``R`` and height ``h`` above the
    radar's ground over a ``k``-earth: central angle ``phi = 2 asin(sqrt((R^2 -
    (r_t - r_a)^2) / (4 r_a r_t)))`` (law of cosines, half-angle form), ``d = a_e phi``."""
    ae = k * EARTH_MEAN_RADIUS_M
    ra, rt = ae + antenna_height_m, ae + np.asarray(alt_m, dtype=np.float64)
    half = (np.asarray(slant_m, dtype=np.float64) ** 2 - (rt - ra) ** 2) / (4.0 * ra * rt)
    return np.asarray(2.0 * ae * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0))), dtype=np.float64)


def vertical_coverage_km(
    params: RadarParams, rcs_m2: float, pd: float = 0.9, k: float = K_STANDARD
) -> tuple[F64, F64]:
    """Detection contour in the range-height plane, ``(ground_range_km, altitude_km)``,
    closed by the top of the beam.

    At each altitude of a grid (:data:`N_ALT` quadratically spaced, half as many
    geometrically spaced from 1 m, where the horizon range is steepest) the farthest detection of
    :func:`iadsim.sensors.coverage.coverage_table` (free space with atmosphere,
    ``k``-earth radio horizon, lowest elevation, instrumented range), so the curve
    never runs below the horizon or the lowest beam. Altitudes not detected inside
    the elevation coverage (range NaN, limit ``"above"``, or 0) are left out. The
    grid ends at the ``el_max`` ray's altitude at the largest possible range (free
    space without atmosphere or instrumented, whichever is shorter); the step after
    the highest detected altitude is searched again 32 times finer, so the far edge
    ends where it meets the ``el_max`` cone. From there the contour runs down the
    ``el_max`` ray to the antenna: above that ray the table has no coverage.
    """
    snr_req = float(required_snr(pd, params.pfa, params.n_pulses, params.swerling))
    r_max = min((params.loop_constant_m2 * rcs_m2 / snr_req) ** 0.25, params.instrumented_range_m)
    h_top, _d = altitude_on_ray_m(r_max, params.el_max_rad, params.antenna_height_m, k)
    top = max(float(h_top), 2.0)
    grid = np.union1d(top * np.linspace(0.0, 1.0, N_ALT) ** 2, np.geomspace(1.0, top, N_ALT // 2))
    ok, r = _detected(params, rcs_m2, grid, pd, k)
    alt, r = grid[ok], r[ok]
    last = np.flatnonzero(ok)[-1:]
    if last.size and last[0] + 1 < grid.size:  # the corner with the el_max cone, 1/32 step
        fine = np.linspace(grid[last[0]], grid[last[0] + 1], 33)[1:-1]
        ok, rf = _detected(params, rcs_m2, fine, pd, k)
        alt, r = np.r_[alt, fine[ok]], np.r_[r, rf[ok]]
    d = ground_range_m(r, alt, params.antenna_height_m, k)
    if alt.size:  # down the el_max ray from the far edge's top to the antenna
        cone_m = elevation_limit_range_m(params.el_max_rad, params.antenna_height_m, alt[-1], k)
        h_c, d_c = altitude_on_ray_m(
            np.linspace(float(cone_m), 0.0, 60), params.el_max_rad, params.antenna_height_m, k
        )
        d, alt = np.r_[d, d_c], np.r_[alt, h_c]
    return d / 1e3, alt / 1e3


def _detected(
    params: RadarParams, rcs_m2: float, alt_m: F64, pd: float, k: float
) -> tuple[NDArray[np.bool_], F64]:
    """Which altitudes of ``alt_m`` (m) are detected inside the elevation coverage, and
    the farthest detection at each (slant range, m; NaN or 0 where not), by
    :func:`iadsim.sensors.coverage.coverage_table`."""
    r = coverage_table(params, [rcs_m2], alt_m.tolist(), pd, k=k).range_m[0]
    return np.isfinite(r) & (r > 0.0), np.asarray(r, dtype=np.float64)


def lowest_ray_km(params: RadarParams, k: float = K_STANDARD) -> tuple[F64, F64, bool]:
    """Altitude (clipped at the ground) of the lowest usable ray over ground range, km,
    and whether that ray is the radio horizon's grazing ray (``el_min`` below it;
    :func:`iadsim.sensors.coverage_plots.lowest_ray_rad`) rather than ``el_min``."""
    lo = lowest_ray_rad(params, k)
    rr = np.linspace(0.0, params.instrumented_range_m, 200)
    h, d = altitude_on_ray_m(rr, lo, params.antenna_height_m, k)
    return (
        np.asarray(d, dtype=np.float64) / 1e3,
        np.maximum(np.asarray(h, dtype=np.float64), 0.0) / 1e3,
        lo > params.el_min_rad,
    )
