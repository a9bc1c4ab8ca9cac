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
    lat, lon, _ = _inverse(pe_m, pn_m, lat0_rad, lon0_rad)
    return lat, lon


def _inverse(
    pe_m: F64, pn_m: F64, lat0_rad: float, lon0_rad: float
) -> tuple[F64, F64, tuple[F64, F64, F64, F64, F64]]:
    """:func:`plane_to_geodetic` and the terms its derivative reuses: delta, cos delta,
    sin delta, cos az, sin az."""
    rho = np.hypot(pe_m, pn_m)
    az = np.arctan2(pe_m, pn_m)
    delta = rho / gaussian_radius_m(lat0_rad)
    cd, sd = np.cos(delta), np.sin(delta)
    ca, sa = np.cos(az), np.sin(az)
    s0, c0 = math.sin(lat0_rad), math.cos(lat0_rad)
    lat = np.arcsin(np.clip(s0 * cd + c0 * sd * ca, -1.0, 1.0))
    lon = np.asarray(lon0_rad + np.arctan2(sa * sd * c0, cd - s0 * np.sin(lat)))
    lon += np.pi
    wrap = ~((lon > 0.0) & (lon < 2 * np.pi))  # np.mod leaves the others unchanged
    if wrap.any():
        lon[wrap] = np.mod(lon[wrap], 2 * np.pi)
    lon -= np.pi
    return lat, lon[()], (delta, cd, sd, ca, sa)  # (a scalar for scalar input, as before)


def plane_to_geodetic_rates(
    pe_m: F64, pn_m: F64, ve_mps: F64, vn_mps: F64, lat0_rad: float, lon0_rad: float
) -> tuple[F64, F64, F64, F64]:
    """:func:`plane_to_geodetic` and its time derivative: lat, lon (rad) and d lat/dt,
    d lon/dt (rad/s) of points moving in the plane.

    The exact derivative of :func:`plane_to_geodetic` (J. P. Snyder, *Map Projections --
    A Working Manual*, USGS PP 1395, 1987, ch. 25, azimuthal equidistant, spherical
    inverse; on the sphere of radius R = :func:`gaussian_radius_m`). With rho = |p|,
    the plane azimuth az = atan2(pe, pn) and delta = rho / R, the plane velocity
    splits into a radial part v_r = v . (sin az, cos az), kept by the projection, and
    a transverse part v_t = v . (cos az, -sin az) = rho d az/dt, which on the sphere
    becomes R sin(delta) d az/dt = v_t sin(delta) / delta = v_t'.
    They point along the great circle from the origin at the point (bearing b; Snyder
    ch. 5) and 90 deg to its right, with cos(lat) sin b = cos(lat0) sin az = C_e and
    cos(lat) cos b = cos(lat0) cos(delta) cos az - sin(lat0) sin(delta) = C_n
    (spherical sine and five-part rules), so

        R cos(lat) d lat/dt = v_r C_n - v_t' C_e,
        R cos(lat)^2 d lon/dt = v_r C_e + v_t' C_n,  with cos(lat)^2 = C_e^2 + C_n^2.

    At the origin (rho = 0) the map is the identity to first order: az = 0 is taken
    (as :func:`plane_to_geodetic` does) and sin(delta) / delta = 1, which gives
    R d lat/dt = vn, R cos(lat0) d lon/dt = ve. Singular only at the poles.

    Parameters
    ----------
    pe_m, pn_m : plane position (m), any shape.
    ve_mps, vn_mps : plane velocity (m/s), the same shape.
    lat0_rad, lon0_rad : the plane's origin.
    """
    lat, lon, (delta, cd, sd, ca, sa) = _inverse(pe_m, pn_m, lat0_rad, lon0_rad)
    radius = gaussian_radius_m(lat0_rad)
    v_r = sa * ve_mps + ca * vn_mps
    sinc = np.divide(sd, delta, out=np.ones_like(sd), where=delta > 0.0)
    v_t = (ca * ve_mps - sa * vn_mps) * sinc
    s0, c0 = math.sin(lat0_rad), math.cos(lat0_rad)
    c_e = c0 * sa
    c_n = c0 * cd * ca - s0 * sd
    cos2_lat = c_e * c_e + c_n * c_n
    dlat = (v_r * c_n - v_t * c_e) / (radius * np.sqrt(cos2_lat))
    dlon = (v_r * c_e + v_t * c_n) / (radius * cos2_lat)
    return lat, lon, dlat, dlon


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
