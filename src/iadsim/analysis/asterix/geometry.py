"""Plot geometry between iadsim's local ENU frame and a radar's geodetic view.

iadsim detections give range, azimuth and elevation along the scenario's ENU axes
from the radar's ENU position (``Detections.enu_m``). ASTERIX CAT048 gives slant
range and azimuth in the radar's own local frame and a height above the ellipsoid
(I048/110, a 3D radar's measured height). Converting through the geodetic position
of each plot keeps both exact: the height accounts for the Earth's curvature as a
3D radar's does (about 7 km at 300 km range), and the azimuth is the radar's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim import geo

__all__ = ["enu_plots_to_radar", "radar_plots_to_enu"]

F64 = NDArray[np.float64]
#: WGS-84 semi-major axis, m (first guess of the elevation only).
_A_M = 6_378_137.0


def enu_plots_to_radar(
    plot_enu_m: F64, radar_enu_m: F64, origin: tuple[float, float, float]
) -> tuple[F64, F64, F64]:
    """Plots (n, 3) and their radars (n, 3), ENU m about ``origin`` (lat, lon rad, h m)
    -> (azimuth rad in the radar's local frame, slant range m, height above the
    ellipsoid m) per plot."""
    p, r = plot_enu_m, radar_enu_m
    lat, lon, h = geo.enu2geodetic(p[:, 0], p[:, 1], p[:, 2], *origin)
    rlat, rlon, rh = geo.enu2geodetic(r[:, 0], r[:, 1], r[:, 2], *origin)
    az, _, rng_m = geo.geodetic2aer(lat, lon, h, rlat, rlon, rh)
    return az, rng_m, h


def _height_at(az: F64, el: F64, rng_m: F64, rlat: F64, rlon: F64, rh: F64) -> F64:
    return geo.enu2geodetic(*geo.aer2enu(az, el, rng_m), rlat, rlon, rh)[2]


def radar_plots_to_enu(
    az_rad: F64,
    rng_m: F64,
    height_m: F64,
    radar_geo: tuple[F64, F64, F64],
    origin: tuple[float, float, float],
) -> F64:
    """Inverse of :func:`enu_plots_to_radar`: plots (n, 3) in ENU m about ``origin``.

    The radar-local elevation is the root of ``h(el) = height_m`` (Newton on the
    exact geodetic height, started from the spherical-Earth closed form; 4 steps
    reach < 1e-6 m). A NaN height (a 2-D plot) gives elevation 0.
    """
    rlat, rlon, rh = radar_geo
    two_d = ~np.isfinite(height_m)
    h_t = np.where(two_d, rh, height_m)
    r = np.maximum(rng_m, 1e-3)
    s = ((_A_M + h_t) ** 2 - r**2 - (_A_M + rh) ** 2) / (2.0 * r * (_A_M + rh))
    el = np.arcsin(np.clip(s, -1.0, 1.0))
    for _ in range(4):
        f = _height_at(az_rad, el, r, rlat, rlon, rh) - h_t
        d = (_height_at(az_rad, el + 1e-7, r, rlat, rlon, rh) - f - h_t) / 1e-7
        el = np.clip(el - f / np.where(np.abs(d) > 1e-9, d, 1e-9), -np.pi / 2, np.pi / 2)
    el = np.where(two_d, 0.0, el)
    lat, lon, h = geo.enu2geodetic(*geo.aer2enu(az_rad, el, rng_m), rlat, rlon, rh)
    return np.stack(geo.geodetic2enu(lat, lon, h, *origin), axis=-1)
