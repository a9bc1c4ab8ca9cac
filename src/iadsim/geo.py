"""WGS84 geodesy: geodetic <-> ECEF <-> local ENU <-> AER, vectorized; the apparent
elevation of a target over a k-earth (refraction), which a radar's coverage uses.

All functions broadcast over numpy arrays. Angles are radians, lengths metres.
Heights are above the WGS84 ellipsoid (iadsim treats that as altitude above
mean sea level; the geoid undulation, under +-110 m, is ignored).

References
----------
* NIMA TR8350.2, *Department of Defense World Geodetic System 1984*, 3rd ed.
  (a = 6378137 m, 1/f = 298.257223563).
* B. R. Bowring, "Transformation from spatial to geographical coordinates",
  Survey Review 23(181), 1976 (iterated latitude formula used below).
* J. Farrell, M. Barth, *The Global Positioning System and Inertial Navigation*,
  1999, sec. 2.3 (ECEF <-> ENU rotation).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.constants import EARTH_MEAN_RADIUS_M as EARTH_MEAN_RADIUS_M  # re-exported

F = NDArray[np.float64]

WGS84_A_M = 6378137.0
WGS84_F = 1.0 / 298.257223563
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
WGS84_EP2 = WGS84_E2 / (1.0 - WGS84_E2)


def _f(x: ArrayLike) -> F:
    return np.asarray(x, dtype=np.float64)


def geodetic2ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike) -> tuple[F, F, F]:
    """Geodetic latitude, longitude, ellipsoidal height -> ECEF x, y, z (m).

    x = (N + h) cos(lat) cos(lon), y = (N + h) cos(lat) sin(lon),
    z = (N (1 - e^2) + h) sin(lat), with N = a / sqrt(1 - e^2 sin^2 lat)
    (TR8350.2 eq. 4-14).
    """
    lat, lon, h = _f(lat_rad), _f(lon_rad), _f(h_m)
    slat, clat = np.sin(lat), np.cos(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * slat**2)
    r_xy = (n + h) * clat  # distance from the polar axis
    x = r_xy * np.cos(lon)
    y = r_xy * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + h) * slat
    return x, y, z


def ecef2geodetic(x_m: ArrayLike, y_m: ArrayLike, z_m: ArrayLike) -> tuple[F, F, F]:
    """ECEF -> geodetic latitude, longitude (rad) and ellipsoidal height (m).

    Bowring's formula iterated four times (error far below 1e-9 m for points
    from the Earth's centre region out to geostationary distance), then the
    height from h = p cos(lat) + z sin(lat) - a sqrt(1 - e^2 sin^2 lat), which
    is well conditioned at every latitude including the poles.
    """
    x, y, z = _f(x_m), _f(y_m), _f(z_m)
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    beta = np.arctan2(z, (1.0 - WGS84_F) * p)
    lat = beta
    for _ in range(4):
        sb, cb = np.sin(beta), np.cos(beta)
        lat = np.arctan2(z + WGS84_EP2 * WGS84_B_M * sb**3, p - WGS84_E2 * WGS84_A_M * cb**3)
        beta = np.arctan2((1.0 - WGS84_F) * np.sin(lat), np.cos(lat))
    slat = np.sin(lat)
    h = p * np.cos(lat) + z * slat - WGS84_A_M * np.sqrt(1.0 - WGS84_E2 * slat**2)
    return lat, lon, h


def _rot_enu(lat0: F, lon0: F) -> tuple[F, F, F, F]:
    return np.sin(lat0), np.cos(lat0), np.sin(lon0), np.cos(lon0)


def ecef2enu_vector(
    dx_m: ArrayLike, dy_m: ArrayLike, dz_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike
) -> tuple[F, F, F]:
    """Rotate an ECEF vector (difference or velocity) into ENU at (lat0, lon0)."""
    dx, dy, dz = _f(dx_m), _f(dy_m), _f(dz_m)
    sl, cl, so, co = _rot_enu(_f(lat0_rad), _f(lon0_rad))
    e = -so * dx + co * dy
    t = co * dx + so * dy
    n = -sl * t + cl * dz
    u = cl * t + sl * dz
    return e, n, u


def enu2ecef_vector(
    e_m: ArrayLike, n_m: ArrayLike, u_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike
) -> tuple[F, F, F]:
    """Rotate an ENU vector at (lat0, lon0) into ECEF axes (transpose of the above)."""
    e, n, u = _f(e_m), _f(n_m), _f(u_m)
    sl, cl, so, co = _rot_enu(_f(lat0_rad), _f(lon0_rad))
    t = -sl * n + cl * u
    dz = cl * n + sl * u
    dx = co * t - so * e
    dy = so * t + co * e
    return dx, dy, dz


def geodetic_rates_to_enu_velocity(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    h_m: ArrayLike,
    dlat_radps: ArrayLike,
    dlon_radps: ArrayLike,
    dh_mps: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
) -> tuple[F, F, F]:
    """Geodetic rates at (lat, lon, h) -> velocity (m/s) in ENU axes at (lat0, lon0).

    The time derivative of :func:`geodetic2enu`: the local north, east, up velocity
    (M + h) d lat/dt, (N + h) cos(lat) d lon/dt, dh/dt, with the radii of curvature
    M = a (1 - e^2) / W^3 (meridian) and N = a / W (prime vertical),
    W = sqrt(1 - e^2 sin^2 lat): the derivative of :func:`geodetic2ecef` (TR8350.2
    eq. 4-14) along lat, lon and h (P. D. Groves, *Principles of GNSS, Inertial, and
    Multisensor Integrated Navigation Systems*, 2nd ed., 2013, ch. 2: radii of
    curvature and curvilinear position rates), rotated to ECEF at the point
    (:func:`enu2ecef_vector`) and into ENU at the origin (:func:`ecef2enu_vector`).
    Inputs broadcast; the outputs have their shape.
    """
    lat, h = _f(lat_rad), _f(h_m)
    clat = np.cos(lat)
    w2 = 1.0 - WGS84_E2 * np.sin(lat) ** 2
    n = WGS84_A_M / np.sqrt(w2)
    m = n * (1.0 - WGS84_E2) / w2
    v_n = (m + h) * _f(dlat_radps)
    v_e = (n + h) * clat * _f(dlon_radps)
    v_ecef = enu2ecef_vector(v_e, v_n, dh_mps, lat, lon_rad)
    return ecef2enu_vector(*v_ecef, lat0_rad, lon0_rad)


def ecef2enu(
    x_m: ArrayLike,
    y_m: ArrayLike,
    z_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> tuple[F, F, F]:
    """ECEF point -> local ENU (m) about the geodetic origin (lat0, lon0, h0)."""
    x0, y0, z0 = geodetic2ecef(lat0_rad, lon0_rad, h0_m)
    return ecef2enu_vector(_f(x_m) - x0, _f(y_m) - y0, _f(z_m) - z0, lat0_rad, lon0_rad)


def enu2ecef(
    e_m: ArrayLike,
    n_m: ArrayLike,
    u_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> tuple[F, F, F]:
    """Local ENU (m) about (lat0, lon0, h0) -> ECEF point (m)."""
    x0, y0, z0 = geodetic2ecef(lat0_rad, lon0_rad, h0_m)
    dx, dy, dz = enu2ecef_vector(e_m, n_m, u_m, lat0_rad, lon0_rad)
    return x0 + dx, y0 + dy, z0 + dz


def geodetic2enu(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    h_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> tuple[F, F, F]:
    """Geodetic point -> local ENU (m) about (lat0, lon0, h0)."""
    x, y, z = geodetic2ecef(lat_rad, lon_rad, h_m)
    return ecef2enu(x, y, z, lat0_rad, lon0_rad, h0_m)


def enu2geodetic(
    e_m: ArrayLike,
    n_m: ArrayLike,
    u_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> tuple[F, F, F]:
    """Local ENU (m) about (lat0, lon0, h0) -> geodetic lat, lon (rad), h (m)."""
    return ecef2geodetic(*enu2ecef(e_m, n_m, u_m, lat0_rad, lon0_rad, h0_m))


def enu2aer(e_m: ArrayLike, n_m: ArrayLike, u_m: ArrayLike) -> tuple[F, F, F]:
    """ENU vector -> azimuth (rad, clockwise from north, [0, 2pi)), elevation (rad), range (m)."""
    e, n, u = _f(e_m), _f(n_m), _f(u_m)
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    el = np.arctan2(u, horiz)
    return az, el, np.hypot(horiz, u)


def aer2enu(az_rad: ArrayLike, el_rad: ArrayLike, range_m: ArrayLike) -> tuple[F, F, F]:
    """Azimuth, elevation (rad), slant range (m) -> ENU vector (m)."""
    az, el, r = _f(az_rad), _f(el_rad), _f(range_m)
    horiz = r * np.cos(el)
    return horiz * np.sin(az), horiz * np.cos(az), r * np.sin(el)


def geodetic2aer(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    h_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> tuple[F, F, F]:
    """Geodetic target seen from a geodetic observer -> azimuth, elevation (rad), range (m)."""
    return enu2aer(*geodetic2enu(lat_rad, lon_rad, h_m, lat0_rad, lon0_rad, h0_m))


def apparent_tan_el(d: F, h: F, ha: float | F, k: float) -> F:
    """``tan`` of the apparent elevation over a ``k``-earth (series form).

    Parameters
    ----------
    d : (m,) ground distance, m
    h : (m,) target altitude above mean sea level, m
    ha : antenna altitude above mean sea level, m
    k : effective earth radius factor

    Returns
    -------
    (m,) ``tan`` of ``iadsim.sensors.horizon.elevation_angle_rad``, from the
    series of ``cos``/``sin`` of ``d / a_e`` (error < 1e-8 out to 1,000 km).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    phi = d / ae
    p2 = phi * phi
    rt = ae + h
    num = (h - ha) - rt * p2 * (0.5 - p2 / 24.0)
    den = rt * phi * (1.0 - p2 / 6.0 + p2 * p2 / 120.0)
    return np.asarray(num / np.maximum(den, 1e-12))
