"""The route plane: azimuthal-equidistant projection about the scenario origin.

Routes are flown in this plane (distance from the origin = great-circle distance on
the sphere of the Gaussian radius at the origin); see :mod:`iadsim.truth.routes`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from iadsim import geo

F64 = NDArray[np.float64]


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
    cd, sd = np.cos(delta), np.sin(delta)
    s0, c0 = math.sin(lat0_rad), math.cos(lat0_rad)
    lat = np.arcsin(np.clip(s0 * cd + c0 * sd * np.cos(az), -1.0, 1.0))
    lon = np.asarray(lon0_rad + np.arctan2(np.sin(az) * sd * c0, cd - s0 * np.sin(lat)))
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
