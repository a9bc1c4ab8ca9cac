"""Coverage analysis: detection range versus RCS and altitude, and coverage grids.

``coverage_table`` answers the analyst's first question about a radar: at what
range is a target of RCS ``sigma`` flying at altitude ``h`` detected with
probability ``Pd`` (single scan, or cumulatively over ``n`` scans)? The answer
is the smallest of

* the free-space range at which ``SNR(R) = SNR_req(Pd_scan)`` (radar equation
  with two-way atmospheric loss along the ray, solved by bisection),
* the smooth ``k``-earth line-of-sight range (:mod:`iadsim.sensors.horizon`),
* the range beyond which the target is below the radar's lowest elevation
  ``el_min`` (:func:`elevation_limit_range_m`; the detection model applies the
  same elevation coverage, and a ``el_min`` below the grazing ray never binds),
* the instrumented range;

and it is NaN (limit ``"above"``) when that range is inside the cone above the radar's
highest elevation ``el_max`` at that altitude (the ``el_max`` ray reaches the altitude
farther out: the target is never inside the elevation coverage while detectable; the
diagrams end the curve there too).

Cumulative detection over ``n`` independent scans: ``Pd_cum = 1 - (1 - Pd_scan)^n``
(Skolnik 2001, sec. 2.12), so each scan needs ``Pd_scan = 1 - (1 - Pd)^(1/n)``.
This is exact for Swerling 1/3 targets with scan-to-scan decorrelation and a
constant range, and optimistic for a closing target (the classical use of the
formula for a "range at which the cumulative Pd is reached" uses the last scans).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.horizon import K_STANDARD, elevation_angle_rad, max_visible_distance_m
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import required_snr
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.terrain import TerrainMask

__all__ = [
    "CoverageTable",
    "coverage_grid",
    "coverage_table",
    "detection_range_m",
    "elevation_limit_range_m",
    "horizon_slant_range_m",
]

F = NDArray[np.float64]
LIMITS: tuple[str, ...] = ("radar", "horizon", "instrumented", "elevation", "above")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CoverageTable:
    """Detection ranges of one radar for a grid of RCS values and altitudes.

    ``range_m[i, j]`` is for ``rcs_m2[i]`` at ``alt_m[j]`` (height above the
    radar's ground; NaN: not detected at that altitude, above ``el_max``);
    ``free_space_range_m`` has the same shape (atmosphere included),
    ``horizon_range_m`` is per altitude; ``limit[i, j]`` indexes :data:`LIMITS` (what
    bounds it).
    """

    radar: str
    pd: float
    cumulative_scans: int
    swerling: int
    rcs_m2: F
    alt_m: F
    free_space_range_m: F
    horizon_range_m: F
    range_m: F
    limit: NDArray[np.int64]

    def limit_name(self, i: int, j: int) -> str:
        """What bounds ``range_m[i, j]`` (one of :data:`LIMITS`)."""
        return LIMITS[int(self.limit[i, j])]


def horizon_slant_range_m(
    antenna_height_m: ArrayLike, target_height_m: ArrayLike, k: float = K_STANDARD
) -> F:
    """Slant range (m) to a target at the edge of smooth-earth visibility.

    ``R = sqrt(r_a^2 + r_t^2 - 2 r_a r_t cos(d / a_e))`` with ``d`` the maximum
    visible ground distance and ``r = a_e + h`` (law of cosines on the k-earth).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    d = max_visible_distance_m(antenna_height_m, target_height_m, k)
    ra = ae + np.maximum(np.asarray(antenna_height_m, dtype=float), 0.0)
    rt = ae + np.maximum(np.asarray(target_height_m, dtype=float), 0.0)
    return np.asarray(np.sqrt(ra**2 + rt**2 - 2.0 * ra * rt * np.cos(d / ae)))


def elevation_limit_range_m(
    el_min_rad: float, antenna_height_m: float, target_height_m: ArrayLike, k: float = K_STANDARD
) -> F:
    """Slant range (m) beyond which a target at ``target_height_m`` is below ``el_min``.

    The ray leaving the antenna at ``el_min`` (straight over the ``k``-earth)
    reaches radius ``r_t = a_e + h`` at ``R = -r_a sin(el) + sqrt(r_a^2 sin^2(el)
    - r_a^2 + r_t^2)`` (the far root; Skolnik 2001, sec. 8.2 geometry); a target
    is inside the elevation coverage up to that range. 0 where the target is
    always below the ray.
    """
    ae = k * EARTH_MEAN_RADIUS_M
    ra = ae + float(antenna_height_m)
    rt = ae + np.asarray(target_height_m, dtype=float)
    s = np.sin(el_min_rad)
    disc = (ra * s) ** 2 - ra**2 + rt**2
    r = -ra * s + np.sqrt(np.maximum(disc, 0.0))
    return np.asarray(np.where(disc >= 0.0, np.maximum(r, 0.0), 0.0))


def detection_range_m(
    params: RadarParams,
    rcs_m2: ArrayLike,
    snr_required: ArrayLike,
    alt_m: ArrayLike = 1000.0,
    k: float = K_STANDARD,
) -> F:
    """Range (m) where the SNR including atmospheric loss equals ``snr_required``.

    Vectorized bisection on ``log R`` (60 steps) over the broadcast of the
    arguments; without atmosphere it equals ``(C sigma / SNR_req)^(1/4)``.
    The ray elevation for the attenuation follows from ``alt_m`` over the k-earth.
    """
    sigma, snr_req, alt = np.broadcast_arrays(
        np.asarray(rcs_m2, dtype=float),
        np.asarray(snr_required, dtype=float),
        np.asarray(alt_m, dtype=float),
    )
    r_fs = (params.loop_constant_m2 * sigma / snr_req) ** 0.25
    if not params.atmosphere:
        return np.asarray(r_fs)
    lo, hi = np.log(np.full(sigma.shape, 1.0)), np.log(r_fs)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        r = np.exp(mid)
        el = elevation_angle_rad(r, alt, params.antenna_height_m, k)
        loss = atmospheric_loss_db(r, el, params.band)
        snr = params.loop_constant_m2 * sigma / r**4 * 10.0 ** (-loss / 10.0)
        ok = snr >= snr_req
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return np.asarray(np.exp(lo))


def coverage_table(
    radar_params: RadarParams,
    rcs_m2_list: Sequence[float],
    alt_m_list: Sequence[float],
    pd: float = 0.9,
    cumulative_scans: int = 1,
    *,
    swerling: int | None = None,
    k: float = K_STANDARD,
) -> CoverageTable:
    """Detection range for every (RCS, altitude) pair; see the module docstring.

    Parameters
    ----------
    radar_params : RadarParams
    rcs_m2_list : sequence of float, length n_rcs
        Target RCS values (m^2).
    alt_m_list : sequence of float, length n_alt
        Target heights above the radar's ground (m).
    pd : float
        Required (cumulative) probability of detection.
    cumulative_scans : int
        Number of scans over which ``pd`` is accumulated.
    swerling : int, optional
        Fluctuation case (default: the radar's calibration case).
    k : float
        Effective earth radius factor.
    """
    p = radar_params
    sw = p.swerling if swerling is None else swerling
    pd_scan = 1.0 - (1.0 - pd) ** (1.0 / max(int(cumulative_scans), 1))
    snr_req = float(required_snr(pd_scan, p.pfa, p.n_pulses, sw))
    sigma = np.asarray(rcs_m2_list, dtype=float)
    alt = np.asarray(alt_m_list, dtype=float)
    free = detection_range_m(p, sigma[:, None], snr_req, alt[None, :], k)
    hor = horizon_slant_range_m(p.antenna_height_m, alt, k)
    inst = np.full(free.shape, p.instrumented_range_m)
    elev = elevation_limit_range_m(p.el_min_rad, p.antenna_height_m, alt, k)
    stack = np.stack(
        [free, np.broadcast_to(hor[None, :], free.shape), inst, np.broadcast_to(elev, free.shape)]
    )
    outer = np.min(stack, axis=0)
    above = outer < elevation_limit_range_m(p.el_max_rad, p.antenna_height_m, alt, k)[None, :]
    return CoverageTable(
        radar=p.name,
        pd=pd,
        cumulative_scans=int(cumulative_scans),
        swerling=sw,
        rcs_m2=sigma,
        alt_m=alt,
        free_space_range_m=np.asarray(free),
        horizon_range_m=hor,
        range_m=np.where(above, np.nan, outer),
        limit=np.where(above, LIMITS.index("above"), np.argmin(stack, axis=0)).astype(np.int64),
    )


def coverage_grid(
    radar_params: RadarParams,
    rcs_m2: float,
    alt_m_list: Sequence[float],
    *,
    pd: float = 0.9,
    cumulative_scans: int = 1,
    mask: TerrainMask | None = None,
    ground_alt_m: float = 0.0,
    n_az: int = 360,
    n_range: int = 300,
    k: float = K_STANDARD,
) -> tuple[F, F, NDArray[np.int64]]:
    """Plan-view coverage: lowest listed altitude detected in each (azimuth, range) cell.

    Returns ``(az_rad (n_az,), ground_range_m (n_range,), level (n_az, n_range))``
    where ``level`` is the index into ``alt_m_list`` (sorted ascending, heights
    above the radar's ground) of the lowest altitude detected with ``pd``, or -1.
    Terrain masking uses ``mask`` (built for this site) if given, else smooth earth.
    A cell is detected at an altitude when its slant range is within the table's range
    (a slant range: compared with the cell's ground range it drew the coverage 1-3 km
    too far at 10-20 km altitude) and it is not above ``el_max`` (the cone over the
    radar that the table, the vertical diagram and the detections leave out).
    """
    p = radar_params
    alts = np.sort(np.asarray(alt_m_list, dtype=float))
    table = coverage_table(p, [rcs_m2], alts.tolist(), pd, cumulative_scans, k=k)
    az = np.arange(n_az) * (2 * np.pi / n_az)
    d = (np.arange(n_range) + 0.5) * (p.instrumented_range_m / n_range)
    level = np.full((n_az, n_range), -1, dtype=np.int64)
    daz = np.mod(az - p.az_center_rad + np.pi, 2 * np.pi) - np.pi
    in_sector = np.abs(daz) <= 0.5 * p.az_width_rad
    ae = k * EARTH_MEAN_RADIUS_M
    ra = ae + p.antenna_height_m
    for j in range(alts.shape[0] - 1, -1, -1):  # few altitudes; lowest wins
        rt = ae + alts[j]  # slant range of each cell, law of cosines on the k-earth
        slant = np.sqrt(ra * ra + rt * rt - 2.0 * ra * rt * np.cos(d / ae))
        seen = elevation_angle_rad(d, alts[j], p.antenna_height_m, k) <= p.el_max_rad
        ok = ((slant <= table.range_m[0, j]) & seen)[None, :]
        if mask is not None:
            ok = ok & mask.visible(az[:, None], d[None, :], alts[j] + ground_alt_m)
        ok = ok & in_sector[:, None]
        level = np.where(ok, j, level)
    return np.asarray(az, dtype=np.float64), np.asarray(d, dtype=np.float64), level
