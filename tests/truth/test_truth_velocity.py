"""True ENU velocities: the chain-rule derivative of the plane -> ENU map.

Checked against numerical derivatives of the position maps (central differences with
one Richardson step, D = (4 D(h/2) - D(h)) / 3, error O(h^4)), against pymap3d (M.
Hirsch, github.com/geospace-code/pymap3d, ``geodetic2enu``: WGS84 geodetic -> ECEF ->
ENU, an independent implementation), and against closed forms at points where the
direction is known: at the origin the plane is the sphere's tangent plane, so an east
(north) plane velocity v becomes v (N + h) / R (v (M + h) / R) on the ellipsoid, R =
sqrt(M N) the Gaussian radius (N, M: prime vertical and meridian radii of curvature,
TR8350.2 eq. 4-14 and e.g. Groves, *Principles of GNSS...*, 2nd ed., ch. 2); on the
equator a point at distance rho east of an equatorial origin moving north in the plane
circles the origin, so on the sphere its speed is v sin(rho / R) / (rho / R).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pymap3d
import pytest

from iadsim import geo
from iadsim.truth import RouteSpec, TruthModel, build_route, gaussian_radius_m, plane_to_geodetic
from iadsim.truth.plane import plane_to_geodetic_rates

F = np.ndarray
LON0 = math.radians(32.69)


def _richardson(f: Callable[[float], F], h: float) -> F:
    """d f / d tau at tau = 0: central differences at h and h / 2, one Richardson step."""
    d1 = (f(h) - f(-h)) / (2 * h)
    d2 = (f(h / 2) - f(-h / 2)) / h
    return (4 * d2 - d1) / 3


def _ground_m(lat: F, lon: F) -> F:
    """A smooth synthetic terrain (m): +-300 m over ~100 km."""
    return 400.0 + 300.0 * np.sin(60.0 * lat) * np.cos(45.0 * lon)


def _plane_points(rng: np.random.Generator, far_m: float) -> tuple[F, F, F, F]:
    """Plane points far from the origin, within 1 m of it, and the origin itself, with
    velocities of 50-900 m/s in every direction."""
    far = rng.uniform(-far_m, far_m, (200, 2))
    near = rng.uniform(-1.0, 1.0, (40, 2)) * 10.0 ** rng.uniform(-9, 0, (40, 1))
    p = np.concatenate([far, near, np.zeros((1, 2))])
    heading = rng.uniform(0.0, 2 * math.pi, p.shape[0])
    speed = rng.uniform(50.0, 900.0, p.shape[0])
    return p[:, 0], p[:, 1], speed * np.sin(heading), speed * np.cos(heading)


@pytest.mark.parametrize("lat0_deg", [0.0, 39.95, -61.0, 78.0])
def test_geodetic_rates_equal_the_derivative_of_the_inverse_projection(lat0_deg: float) -> None:
    lat0 = math.radians(lat0_deg)
    radius = gaussian_radius_m(lat0)
    far_m = 1_500_000.0 if abs(lat0_deg) < 70 else 800_000.0  # (no pass over the pole)
    pe, pn, ve, vn = _plane_points(np.random.default_rng(5), far_m)
    lat, lon, dlat, dlon = plane_to_geodetic_rates(pe, pn, ve, vn, lat0, LON0)
    assert np.array_equal(np.stack([lat, lon]), np.stack(plane_to_geodetic(pe, pn, lat0, LON0)))

    def moved(tau: float) -> F:
        la, lo = plane_to_geodetic(pe + ve * tau, pn + vn * tau, lat0, LON0)
        return np.stack([la, np.unwrap(np.stack([np.full_like(lo, LON0), lo]), axis=0)[1]])

    fd = _richardson(moved, 0.5)
    # in m/s on the sphere: north, east
    assert np.max(np.abs(radius * (dlat - fd[0]))) < 1e-7  # (measured: 2.2e-8 m/s)
    assert np.max(np.abs(radius * np.cos(lat) * (dlon - fd[1]))) < 1e-7
    assert np.all(np.isfinite(dlat)) and np.all(np.isfinite(dlon))


def test_origin_is_the_identity_to_first_order() -> None:
    lat0 = math.radians(39.95)
    radius = gaussian_radius_m(lat0)
    _, _, dlat, dlon = plane_to_geodetic_rates(
        np.zeros(2), np.zeros(2), np.array([250.0, 0.0]), np.array([0.0, -300.0]), lat0, LON0
    )
    assert radius * dlat == pytest.approx([0.0, -300.0], abs=1e-12)
    assert radius * math.cos(lat0) * dlon == pytest.approx([250.0, 0.0], abs=1e-12)


def _model(lat0_deg: float) -> TruthModel:
    """Straight routes from 50-600 km out (two through the origin, one climbing), half
    of them terrain following."""
    routes = []
    for k, (d_m, az_deg) in enumerate([(600e3, 40.0), (50e3, 250.0), (400e3, 130.0), (300e3, 0.0)]):
        a = math.radians(az_deg)
        start = (d_m * math.sin(a), d_m * math.cos(a))
        end = (0.0, 0.0) if k < 2 else (-start[0] / 2, -start[1] / 2)
        alt = [200.0, 12_000.0] if k == 2 else [3000.0, 3000.0]
        routes.append(
            build_route(
                RouteSpec(
                    plane_m=np.array([start, end]),
                    alt_m=np.array(alt),
                    speed_mps=np.array([240.0 + 100.0 * k]),
                    max_load_factor_g=4.0,
                    max_climb_rate_mps=40.0,
                    max_descent_rate_mps=30.0,
                )
            )
        )
    n = 8
    rng = np.random.default_rng(3)
    return TruthModel(
        routes=tuple(routes),
        group=np.arange(n, dtype=np.int64) % 4,
        offset_m=np.where(np.arange(n)[:, None] < 4, 0.0, rng.uniform(-2e3, 2e3, (n, 2))),
        launch_s=np.zeros(n),
        origin_rad_m=(math.radians(lat0_deg), LON0, 150.0),
        agl=np.arange(n) % 2 == 1,
        ground_m=_ground_m,
    )


@pytest.mark.parametrize("lat0_deg", [39.95, 72.0, -20.0])
def test_enu_velocity_equals_the_derivative_of_the_position_map(lat0_deg: float) -> None:
    m = _model(lat0_deg)
    lat0, lon0, h0 = m.origin_rad_m
    t = np.concatenate([np.linspace(0.0, float(m.end_s.max()), 60), m.end_s])
    pos, vel, alt, vu = m.plane_states(t)
    e, n, u, ve, vn, vu_enu, msl = m.enu_states(t)
    agl = np.asarray(m.agl)[:, None]

    def enu(tau: float) -> F:  # the position map, written here from its definition
        la, lo = plane_to_geodetic(
            pos[..., 0] + vel[..., 0] * tau, pos[..., 1] + vel[..., 1] * tau, lat0, lon0
        )
        h = alt + vu * tau + np.where(agl, _ground_m(la, lo), 0.0)
        return np.stack(geo.geodetic2enu(la, lo, h, lat0, lon0, h0))

    assert np.array_equal(np.stack([e, n, u]), enu(0.0))  # positions: the same bits
    lat, lon = plane_to_geodetic(pos[..., 0], pos[..., 1], lat0, lon0)
    assert np.array_equal(msl, alt + np.where(agl, _ground_m(lat, lon), 0.0))
    fd = _richardson(enu, 0.5)
    assert np.max(np.abs(np.stack([ve, vn, vu_enu]) - fd)) < 1e-7  # (measured: 1.4e-8 m/s)
    assert np.array_equal(m.positions(t, np.arange(m.n_threats))[0], e)


@pytest.mark.parametrize("lat0_deg", [0.0, 39.95, 66.0])
def test_enu_position_and_velocity_against_pymap3d(lat0_deg: float) -> None:
    m = _model(lat0_deg)
    lat0, lon0, h0 = m.origin_rad_m
    t = np.linspace(0.0, float(m.end_s.max()), 40)
    pos, vel, alt, vu_route = m.plane_states(t)
    e, n, u, ve, vn, vu, msl = m.enu_states(t)
    lat, lon = plane_to_geodetic(pos[..., 0], pos[..., 1], lat0, lon0)
    ref = pymap3d.geodetic2enu(lat, lon, msl, lat0, lon0, h0, deg=False)
    assert np.max(np.abs(np.stack([e, n, u]) - np.stack(ref))) < 1e-6
    # the geodetic rates (checked above against the projection) through pymap3d's map
    pe, pn, vpe, vpn = pos[..., 0], pos[..., 1], vel[..., 0], vel[..., 1]
    _, _, dlat, dlon = plane_to_geodetic_rates(pe, pn, vpe, vpn, lat0, lon0)
    agl = np.asarray(m.agl)[:, None]

    def enu(tau: float) -> F:
        la, lo = lat + dlat * tau, lon + dlon * tau
        h = alt + vu_route * tau + np.where(agl, _ground_m(la, lo), 0.0)
        return np.stack(pymap3d.geodetic2enu(la, lo, h, lat0, lon0, h0, deg=False))

    err = np.abs(np.stack([ve, vn, vu]) - _richardson(enu, 0.5))
    assert np.max(err) < 1e-7  # (measured: 7.6e-9 m/s; terrain rows within 1e-8 too)


@pytest.mark.parametrize("h_m", [0.0, 10_000.0])
def test_east_and_north_at_the_origin_scale_with_the_radii_of_curvature(h_m: float) -> None:
    lat0 = math.radians(60.0)
    w = math.sqrt(1.0 - geo.WGS84_E2 * math.sin(lat0) ** 2)
    n_m = geo.WGS84_A_M / w  # prime vertical
    m_m = geo.WGS84_A_M * (1.0 - geo.WGS84_E2) / w**3  # meridian
    radius = math.sqrt(m_m * n_m)
    z = np.zeros(2)
    _, _, dlat, dlon = plane_to_geodetic_rates(
        z, z, np.array([250.0, 0.0]), np.array([0.0, 250.0]), lat0, LON0
    )
    ve, vn, vu = geo.geodetic_rates_to_enu_velocity(lat0, LON0, h_m, dlat, dlon, 0.0, lat0, LON0)
    assert ve[0] == pytest.approx(250.0 * (n_m + h_m) / radius, rel=1e-12)  # east: N + h
    assert vn[1] == pytest.approx(250.0 * (m_m + h_m) / radius, rel=1e-12)  # north: M + h
    assert np.abs([vn[0], vu[0], ve[1], vu[1]]).max() < 1e-9


@pytest.mark.parametrize("rho_m", [300e3, 1_000e3, 2_500e3])
def test_transverse_motion_far_away_shrinks_by_sin_delta_over_delta(rho_m: float) -> None:
    # origin on the equator, the point rho east of it (on the equator): plane motion
    # north is motion around the origin (pure transverse), plane motion east is radial
    w = math.sqrt(1.0 - geo.WGS84_E2 * 0.0)
    n_m, m_m = geo.WGS84_A_M / w, geo.WGS84_A_M * (1.0 - geo.WGS84_E2) / w**3
    radius = gaussian_radius_m(0.0)
    assert radius == pytest.approx(math.sqrt(m_m * n_m), rel=1e-15)
    delta = rho_m / radius
    pe, pn = np.full(2, rho_m), np.zeros(2)
    v = 300.0
    lat, lon, dlat, dlon = plane_to_geodetic_rates(
        pe, pn, np.array([0.0, v]), np.array([v, 0.0]), 0.0, LON0
    )
    h = 5_000.0
    enu = np.stack(geo.geodetic_rates_to_enu_velocity(lat, lon, h, dlat, dlon, 0.0, 0.0, LON0))
    speed = np.linalg.norm(enu, axis=0)
    assert speed[0] == pytest.approx(v * math.sin(delta) / delta * (m_m + h) / radius, rel=1e-12)
    assert speed[1] == pytest.approx(v * (n_m + h) / radius, rel=1e-12)
