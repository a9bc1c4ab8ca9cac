"""WGS84 geodesy (iadsim.geo) against pymap3d and published constants.

Oracle: pymap3d 3.x (M. Hirsch, "pymap3d: Python 3-D coordinate conversions for
geospace", JOSS 3(23):580, 2018), an independent implementation (its
ecef2geodetic uses You (2000)'s closed form, iadsim iterates Bowring). pymap3d
is called with ``deg=False`` so both sides take radians.
"""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim import geo

TOL_M = 1e-3  # 1 mm


def _wrap(a: np.ndarray) -> np.ndarray:
    """Angle difference wrapped to (-pi, pi]."""
    return np.angle(np.exp(1j * np.asarray(a)))


def _points(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random points over the globe plus the poles, the antimeridian and GEO heights."""
    rng = np.random.default_rng(seed)
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    h = rng.uniform(-500.0, 40_000.0, n)
    lat_x = np.array([np.pi / 2, -np.pi / 2, np.pi / 2, -np.pi / 2, 0.0, 0.3, -0.7, 1.2, 0.0, 0.5])
    lon_x = np.array([0.0, 1.0, np.pi, -np.pi, np.pi, -np.pi, np.pi, -np.pi, 0.0, -2.0])
    h_x = np.array([0.0, -500.0, 40_000.0, 36e6, 36e6, -500.0, 36e6, 40_000.0, 36e6, 36e6])
    return np.r_[lat, lat_x], np.r_[lon, lon_x], np.r_[h, h_x]


def _geodetic_error_m(
    lat: np.ndarray, lon: np.ndarray, h: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Horizontal position error (m) of (lat2, lon2) against (lat, lon) at height h."""
    r = geo.WGS84_A_M + np.maximum(h, 0.0)
    north = np.abs(lat2 - lat) * r
    east = np.abs(_wrap(lon2 - lon)) * r * np.cos(lat)
    return np.hypot(north, east)


def test_wgs84_constants_match_tr8350() -> None:
    # NIMA TR8350.2 (3rd ed., 2000), table 3.1 and 3.3: a, 1/f defining; b derived.
    assert geo.WGS84_A_M == 6378137.0
    assert 1.0 / geo.WGS84_F == pytest.approx(298.257223563, rel=1e-15)
    assert geo.WGS84_B_M == pytest.approx(6356752.3142, abs=1e-4)
    # first eccentricity squared e^2 = 6.69437999014e-3 (TR8350.2 table 3.3)
    assert geo.WGS84_E2 == pytest.approx(6.69437999014e-3, rel=1e-11)


def test_geodetic2ecef_matches_pymap3d() -> None:
    lat, lon, h = _points(1)
    ours = np.array(geo.geodetic2ecef(lat, lon, h))
    ref = np.array(pymap3d.geodetic2ecef(lat, lon, h, deg=False))
    assert np.max(np.linalg.norm(ours - ref, axis=0)) < TOL_M


def test_geodetic2ecef_known_points() -> None:
    # On the equator at lon 0: x = a; at the north pole z = b (TR8350.2).
    x, y, z = geo.geodetic2ecef(0.0, 0.0, 0.0)
    assert (float(x), float(y), float(z)) == pytest.approx((6378137.0, 0.0, 0.0), abs=1e-6)
    x, y, z = geo.geodetic2ecef(np.pi / 2, 0.3, 100.0)
    assert float(z) == pytest.approx(6356752.3142 + 100.0, abs=1e-4)
    assert abs(float(x)) < 1e-6 and abs(float(y)) < 1e-6


def test_ecef2geodetic_matches_pymap3d() -> None:
    lat, lon, h = _points(2)
    x, y, z = pymap3d.geodetic2ecef(lat, lon, h, deg=False)
    la, lo, hh = geo.ecef2geodetic(x, y, z)
    # pymap3d 3.2's closed form loses accuracy far above the Earth (about 8 mm at
    # 1,000 km, 10 m at 36,000 km; checked against its own geodetic2ecef), so it is the
    # oracle only up to 40 km. At every height iadsim must recover the point that
    # pymap3d.geodetic2ecef built.
    near = h <= 40_000.0
    la_r, lo_r, h_r = pymap3d.ecef2geodetic(x[near], y[near], z[near], deg=False)
    assert np.max(np.abs(hh[near] - h_r)) < TOL_M
    assert np.max(_geodetic_error_m(la_r, lo_r, h_r, la[near], lo[near])) < TOL_M
    assert np.max(np.abs(hh - h)) < TOL_M
    assert np.max(_geodetic_error_m(lat, lon, h, la, lo)) < TOL_M
    assert np.any(h > 3e7)  # GEO heights were exercised


def _origins(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat0 = np.r_[np.arcsin(rng.uniform(-1, 1, n - 4)), np.pi / 2, -np.pi / 2, 0.2, -0.4]
    lon0 = np.r_[rng.uniform(-np.pi, np.pi, n - 4), 0.4, -1.0, np.pi, -np.pi]
    h0 = np.r_[rng.uniform(-500.0, 5_000.0, n - 4), 0.0, 100.0, -500.0, 3_000.0]
    return lat0, lon0, h0


def test_geodetic2enu_matches_pymap3d() -> None:
    n = 2000
    lat, lon, h = _points(3, n - 10)
    lat0, lon0, h0 = _origins(4, n)
    ours = np.array(geo.geodetic2enu(lat, lon, h, lat0, lon0, h0))
    ref = np.array(pymap3d.geodetic2enu(lat, lon, h, lat0, lon0, h0, deg=False))
    assert np.max(np.linalg.norm(ours - ref, axis=0)) < TOL_M


def test_enu2geodetic_matches_pymap3d() -> None:
    n = 2000
    rng = np.random.default_rng(5)
    lat0, lon0, h0 = _origins(6, n)
    # local points out to 800 km east/north, -10 km .. 40 km up (heights stay below
    # ~100 km, where pymap3d's ecef2geodetic is exact to well under 1 mm)
    e = rng.uniform(-8e5, 8e5, n)
    nn = rng.uniform(-8e5, 8e5, n)
    u = rng.uniform(-1e4, 4e4, n)
    la, lo, hh = geo.enu2geodetic(e, nn, u, lat0, lon0, h0)
    la_r, lo_r, h_r = pymap3d.enu2geodetic(e, nn, u, lat0, lon0, h0, deg=False)
    assert np.max(np.abs(hh - h_r)) < TOL_M
    assert np.max(_geodetic_error_m(la_r, lo_r, h_r, la, lo)) < TOL_M


def test_enu2geodetic_inverts_pymap3d_geodetic2enu_far_out() -> None:
    # Up to GEO distance: map back with pymap3d's geodetic2enu (exact forward formulas).
    rng = np.random.default_rng(9)
    n = 500
    lat0, lon0, h0 = _origins(10, n)
    enu = rng.uniform(-4e7, 4e7, (3, n))
    la, lo, hh = geo.enu2geodetic(*enu, lat0, lon0, h0)
    back = np.array(pymap3d.geodetic2enu(la, lo, hh, lat0, lon0, h0, deg=False))
    assert np.max(np.linalg.norm(back - enu, axis=0)) < TOL_M


def test_enu2aer_and_aer2enu_match_pymap3d() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    e = rng.uniform(-5e5, 5e5, n)
    nn = rng.uniform(-5e5, 5e5, n)
    u = rng.uniform(-5e4, 1e5, n)
    # due north (az 0 / 2pi wrap), due south, straight up
    e = np.r_[e, 0.0, 0.0, 0.0, -1e-9]
    nn = np.r_[nn, 1e5, -1e5, 0.0, 1e5]
    u = np.r_[u, 0.0, 10.0, 1e4, 0.0]
    az, el, r = geo.enu2aer(e, nn, u)
    az_r, el_r, r_r = pymap3d.enu2aer(e, nn, u, deg=False)
    assert np.all((az >= 0) & (az < 2 * np.pi))
    assert np.max(np.abs(r - r_r)) < TOL_M
    assert np.max(np.abs(_wrap(az - az_r)) * r * np.cos(el)) < TOL_M
    assert np.max(np.abs(el - el_r) * r) < TOL_M
    ours = np.array(geo.aer2enu(az_r, el_r, r_r))
    ref = np.array(pymap3d.aer2enu(az_r, el_r, r_r, deg=False))
    assert np.max(np.linalg.norm(ours - ref, axis=0)) < TOL_M
    assert np.max(np.linalg.norm(ours - np.array([e, nn, u]), axis=0)) < TOL_M


def test_enu_vector_rotation_is_orthonormal() -> None:
    rng = np.random.default_rng(8)
    lat0, lon0 = 0.7, -2.9
    v = rng.normal(size=(3, 100)) * 1e3
    enu = np.array(geo.ecef2enu_vector(*v, lat0, lon0))
    assert np.allclose(np.linalg.norm(enu, axis=0), np.linalg.norm(v, axis=0), rtol=1e-13)
    back = np.array(geo.enu2ecef_vector(*enu, lat0, lon0))
    assert np.max(np.abs(back - v)) < 1e-9


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    lat_deg=st.floats(-90.0, 90.0),
    lon_deg=st.floats(-180.0, 180.0),
    h=st.one_of(st.floats(-500.0, 40_000.0), st.floats(40_000.0, 36_000_000.0)),
)
def test_geodetic_ecef_round_trip(lat_deg: float, lon_deg: float, h: float) -> None:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    la, lo, hh = geo.ecef2geodetic(*geo.geodetic2ecef(lat, lon, h))
    assert abs(float(hh) - h) < 1e-6
    err = _geodetic_error_m(
        np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(h), np.atleast_1d(la), lo
    )
    assert float(err[0]) < 1e-6
