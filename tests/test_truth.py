"""Threat motion (iadsim.truth) against hand-computed route geometry.

Reference formulas (computed independently here, not taken from the module):
level coordinated turn radius R = v^2 / (g sqrt(n^2 - 1)) (Anderson, *Aircraft
Performance and Design*, 1999, eq. 6.118), standard gravity g = 9.80665 m/s^2
(CGPM 1901 / ISO 80000-3); a fillet arc tangent to two legs meeting at a turn
angle theta starts R tan(theta/2) before the corner and lasts R theta / v.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from iadsim import geo
from iadsim.frames import Truth
from iadsim.truth import (
    RouteGeometry,
    RouteSpec,
    TruthModel,
    TruthTable,
    build_route,
    gaussian_radius_m,
    geodetic_to_plane,
    plane_to_geodetic,
    route_states,
    turn_radius_m,
)

G = 9.80665
ORIGIN = (math.radians(39.95), math.radians(32.69), 0.0)


def _spec(
    plane: list[tuple[float, float]],
    alt: list[float],
    speed: list[float],
    *,
    n_g: float = 4.0,
    climb: float = 20.0,
    descent: float = 10.0,
) -> RouteSpec:
    return RouteSpec(
        plane_m=np.array(plane, dtype=float),
        alt_m=np.array(alt, dtype=float),
        speed_mps=np.array(speed, dtype=float),
        max_load_factor_g=n_g,
        max_climb_rate_mps=climb,
        max_descent_rate_mps=descent,
    )


def test_turn_radius_formula() -> None:
    # 250 m/s at 4 g: 62500 / (9.80665 * sqrt(15)) = 1645.55 m
    assert float(turn_radius_m(250.0, 4.0)) == pytest.approx(1645.55, abs=0.01)


@pytest.mark.parametrize("turn_deg", [90.0, -45.0, 45.0])
def test_two_leg_route_against_hand_geometry(turn_deg: float) -> None:
    v, n_g = 250.0, 4.0
    l1, l2 = 20_000.0, 15_000.0
    theta = math.radians(abs(turn_deg))
    sign = math.copysign(1.0, turn_deg)  # + left (counter-clockwise), - right
    d1 = np.array([1.0, 0.0])
    d2 = np.array([math.cos(math.radians(turn_deg)), math.sin(math.radians(turn_deg))])
    wp0 = np.array([-5_000.0, 2_000.0])
    wp1 = wp0 + l1 * d1
    wp2 = wp1 + l2 * d2
    spec = _spec([tuple(wp0), tuple(wp1), tuple(wp2)], [5000.0] * 3, [v, v], n_g=n_g)
    g = build_route(spec)

    r = v**2 / (G * math.sqrt(n_g**2 - 1.0))
    tan_len = r * math.tan(theta / 2)
    t_arc0 = (l1 - tan_len) / v
    t_arc = r * theta / v
    total = (l1 + l2 - 2 * tan_len) / v + t_arc
    assert g.tight_turns == 0
    assert g.end_s == pytest.approx(total, rel=1e-12)

    # first straight: along d1 from wp0
    t_a = 0.4 * t_arc0
    p, vel, alt, vu = route_states(g, np.array([t_a, t_arc0 + t_arc / 2, total - 10.0, total]))
    assert p[0] == pytest.approx(wp0 + d1 * v * t_a, abs=1e-6)
    assert vel[0] == pytest.approx(d1 * v, abs=1e-9)

    # mid-arc: on the circle about the independently built centre, v tangent
    centre = wp1 - d1 * tan_len + sign * np.array([-d1[1], d1[0]]) * r
    rad = p[1] - centre
    assert np.hypot(*rad) == pytest.approx(r, rel=1e-9)
    assert np.hypot(*vel[1]) == pytest.approx(v, rel=1e-12)
    assert abs(float(rad @ vel[1])) < 1e-6 * r * v
    # and on the bisector of the corner, R / cos(theta/2) - R from it
    towards_c = (centre - wp1) / np.hypot(*(centre - wp1))
    expected_mid = wp1 + towards_c * (r / math.cos(theta / 2) - r)
    assert p[1] == pytest.approx(expected_mid, abs=1e-6)
    # turning the right way: cross(rad, vel) has the sign of the turn
    assert np.sign(rad[0] * vel[1][1] - rad[1] * vel[1][0]) == sign

    # second straight: 10 s before the end, 10 v short of wp2 along d2
    assert p[2] == pytest.approx(wp2 - d2 * v * 10.0, abs=1e-6)
    assert vel[2] == pytest.approx(d2 * v, abs=1e-9)
    assert p[3] == pytest.approx(wp2, abs=1e-6)
    assert np.all(alt == 5000.0) and np.all(vu == 0.0)


def test_arc_is_continuous_with_the_legs() -> None:
    spec = _spec([(0, 0), (20_000, 0), (20_000, 20_000)], [1000.0] * 3, [250.0, 250.0])
    g = build_route(spec)
    t = np.linspace(0.0, g.end_s, 20_001)
    p, vel, _, _ = route_states(g, t)
    step = np.hypot(*np.diff(p, axis=0).T)
    dt = t[1] - t[0]
    # no jumps: every step is v * dt (a chord on the arc is only slightly shorter)
    assert np.max(np.abs(step - 250.0 * dt)) < 1e-6 * 250.0 * dt + 1e-9
    assert np.all(np.abs(np.hypot(*vel.T) - 250.0) < 1e-9)


def test_climb_then_level_then_descend_trapezoid() -> None:
    # Collinear waypoints (no turn): leg 1 is 40 km at 200 m/s (200 s), leg 2 20 km (100 s).
    # Vertical acceleration 1 g (n_max 4 g). Climb 2,000 m at 20 m/s: ramp 20/g s, hold
    # 100 - 20/g s, level at 3,000 m from t = 100 + 20/g s; descend 500 m at 10 m/s from
    # the waypoint (t = 200 s): ramp 10/g s, hold 50 - 10/g s, level from 250 + 10/g s.
    spec = _spec(
        [(0, 0), (40_000, 0), (60_000, 0)],
        [1000.0, 3000.0, 2500.0],
        [200.0, 200.0],
        climb=20.0,
        descent=10.0,
    )
    g = build_route(spec)
    assert g.end_s == pytest.approx(300.0)
    r1, r2 = 20.0 / G, 10.0 / G
    t = np.linspace(0.0, 300.0, 30_001)
    _, _, alt, vu = route_states(g, t)
    knots = [0.0, r1, 100.0, 100.0 + r1, 200.0, 200.0 + r2, 250.0, 250.0 + r2, 300.0]
    assert np.max(np.abs(vu - np.interp(t, knots, [0, 20, 20, 0, 0, -10, -10, 0, 0]))) < 1e-9
    # altitude at the corners of the profile, by hand
    at = [r1, 100.0, 100.0 + r1, 150.0, 200.0 + r2, 250.0, 250.0 + r2, 300.0]
    _, _, alt_at, _ = route_states(g, np.array(at))
    want = [
        1000.0 + 0.5 * G * r1**2,
        1000.0 + 0.5 * G * r1**2 + 20.0 * (100.0 - r1),
        3000.0,
        3000.0,
        3000.0 - 0.5 * G * r2**2,
        3000.0 - 0.5 * G * r2**2 - 10.0 * (50.0 - r2),
        2500.0,
        2500.0,
    ]
    assert alt_at == pytest.approx(want, abs=1e-9)
    assert alt[0] == 1000.0 and np.all(np.diff(alt[t <= 200.0]) >= 0.0)


def test_unfinished_climb_continues_on_next_leg_from_its_boundary_altitude() -> None:
    # 100 s legs, 50 m/s climb (ramp 50/g s) to 10,000 m from 0: the first leg ends at
    # 0.5 g r^2 + 50 (100 - r) = 4,872.5 m; the second leg's profile starts there from a
    # zero climb rate (the documented step at a clipped boundary) and reaches 10,000 m at
    # 100 + 5,127.5 / 50 + r = 207.7 s, on the third leg.
    spec = _spec(
        [(0, 0), (20_000, 0), (40_000, 0), (60_000, 0)],
        [0.0, 10_000.0, 10_000.0, 10_000.0],
        [200.0, 200.0, 200.0],
        climb=50.0,
    )
    g = build_route(spec)
    r = 50.0 / G
    h1 = 0.5 * G * r**2 + 50.0 * (100.0 - r)
    t = np.array([50.0, 100.0 - 1e-9, 100.0, 150.0, 200.0, 250.0])
    _, _, alt, vu = route_states(g, t)
    h_at_200 = h1 + 0.5 * G * r**2 + 50.0 * (100.0 - r)
    assert alt == pytest.approx(
        [0.5 * G * r**2 + 50.0 * (50.0 - r), h1, h1, h1 + 0.5 * G * r**2 + 50.0 * (50.0 - r),
         h_at_200, 10_000.0],
        abs=1e-6,
    )  # fmt: skip
    assert vu[1] == pytest.approx(50.0) and vu[2] == 0.0 and vu[-1] == 0.0
    assert g.h0[2] == pytest.approx(h_at_200)


# -- TruthModel (plane -> geodetic -> ENU) --------------------------------------


def _model(
    routes: list[RouteSpec],
    group: list[int],
    launch: list[float],
    origin: tuple[float, float, float] = ORIGIN,
) -> TruthModel:
    return TruthModel(
        routes=tuple(build_route(s) for s in routes),
        group=np.array(group, dtype=np.int64),
        offset_m=np.zeros((len(group), 2)),
        launch_s=np.array(launch, dtype=float),
        origin_rad_m=origin,
    )


def _straight(d_m: float, az_deg: float, alt: float, v: float) -> RouteSpec:
    """A level straight route from d_m away (bearing az_deg) to the origin."""
    a = math.radians(az_deg)
    start = (d_m * math.sin(a), d_m * math.cos(a))
    return _spec([start, (0.0, 0.0)], [alt, alt], [v], climb=30.0, descent=30.0)


def test_alive_mask_and_time_major_order() -> None:
    m = _model([_straight(50_000.0, 90.0, 1000.0, 250.0)], [0, 0, 0], [0.0, 100.0, 10.0])
    end = m.end_s
    assert end == pytest.approx([200.0, 300.0, 210.0])
    t = np.array([0.0, 50.0, 150.0, 205.0, 250.0, 400.0])
    kill = np.array([np.inf, np.inf, 150.0])
    s = m.states(t, kill)
    n = 3
    assert len(s) == n * t.size
    assert np.array_equal(s.t_s, np.repeat(t, n))
    assert np.array_equal(s.threat_id, np.tile(np.arange(n), t.size))
    alive = s.alive.reshape(t.size, n)
    expected = np.array(
        [
            [True, False, False],  # t=0: #1 not launched, #2 not yet (10 s)
            [True, False, True],
            [True, True, False],  # t=150: #2 killed at 150
            [False, True, False],  # t=205: #0 ended at 200
            [False, True, False],
            [False, False, False],  # after every route end
        ]
    )
    assert np.array_equal(alive, expected)
    # without kill times, threat 2 is alive until its route end
    s2 = m.states(np.array([150.0, 210.0, 210.5]))
    assert s2.alive.reshape(3, n)[:, 2].tolist() == [True, True, False]


def test_velocity_matches_finite_difference_of_positions() -> None:
    turn = _spec(
        [(-300_000.0, -200_000.0), (100_000.0, 50_000.0), (150_000.0, 400_000.0)],
        [200.0, 9000.0, 6000.0],
        [270.0, 300.0],
        n_g=5.0,
        climb=40.0,
        descent=30.0,
    )
    m = _model([turn, _straight(400_000.0, 200.0, 30.0, 240.0)], [0, 1], [0.0, 5.0])
    t = np.linspace(20.0, float(m.end_s.min()) - 20.0, 400)
    h = 0.05
    s = m.states(t)
    sp, sm = m.states(t + h), m.states(t - h)
    fd = (sp.pos_m() - sm.pos_m()) / (2 * h)
    vel = s.vel_mps()
    speed = np.linalg.norm(vel, axis=1)
    err = np.linalg.norm(fd - vel, axis=1) / speed
    assert np.max(err) < 0.005


def test_cruise_missile_follows_earth_curvature() -> None:
    d = 300_000.0
    m = _model([_straight(d, 135.0, 30.0, 240.0)], [0], [0.0])
    s = m.states(0.0)
    assert float(s.alt_m[0]) == pytest.approx(30.0, abs=1e-9)
    # Gaussian mean radius sqrt(M N) of WGS84 at the origin latitude
    lat0 = ORIGIN[0]
    w2 = 1.0 - geo.WGS84_E2 * math.sin(lat0) ** 2
    radius = math.sqrt(geo.WGS84_A_M * (1 - geo.WGS84_E2) / w2**1.5 * geo.WGS84_A_M / w2**0.5)
    expected_u = 30.0 - d**2 / (2 * radius)  # about -7,030 m
    assert float(s.u_m[0]) == pytest.approx(expected_u, rel=0.01)
    assert float(np.hypot(s.e_m[0], s.n_m[0])) == pytest.approx(d, rel=0.005)
    # and it really is 30 m above the ellipsoid
    _, _, h = geo.enu2geodetic(s.e_m, s.n_m, s.u_m, *ORIGIN)
    assert float(h[0]) == pytest.approx(30.0, abs=1e-3)


@pytest.mark.parametrize("lat0_deg", [0.0, 39.95, 70.0])
def test_ground_speed_in_enu_close_to_leg_speed(lat0_deg: float) -> None:
    origin = (math.radians(lat0_deg), math.radians(32.69), 0.0)
    specs = [_straight(600_000.0, az, 30.0, 240.0) for az in range(0, 360, 30)]
    m = _model(specs, list(range(len(specs))), [0.0] * len(specs), origin)
    t = np.linspace(0.0, 2400.0, 49)
    s = m.states(t)
    speed = np.linalg.norm(s.vel_mps(), axis=1)
    assert np.max(np.abs(speed / 240.0 - 1.0)) < 0.0035


def test_plane_projection_round_trip() -> None:
    rng = np.random.default_rng(11)
    pe = rng.uniform(-2e6, 2e6, 500)
    pn = rng.uniform(-2e6, 2e6, 500)
    lat, lon = plane_to_geodetic(pe, pn, *ORIGIN[:2])
    e2, n2 = geodetic_to_plane(lat, lon, *ORIGIN[:2])
    assert np.max(np.hypot(e2 - pe, n2 - pn)) < 1e-4


def test_tight_turn_shrinks_radius_to_fit() -> None:
    # 90 deg turn between 3 km legs: R = 1645.6 m needs a 1645.6 m tangent, but only
    # half of the outgoing leg (1,500 m) is available -> r = 1500 / tan(45 deg) = 1500 m.
    spec = _spec([(0, 0), (3_000, 0), (3_000, 3_000)], [1000.0] * 3, [250.0, 250.0])
    g = build_route(spec)
    assert g.tight_turns == 1
    assert g.r[g.is_arc] == pytest.approx([1500.0])
    assert g.end_s == pytest.approx((6_000 - 2 * 1500 + 1500 * math.pi / 2) / 250.0)


def test_route_across_the_antimeridian() -> None:
    origin = (math.radians(10.0), math.radians(179.9), 0.0)
    lat = np.radians([10.0, 10.0, 10.5])
    lon = np.radians([-179.5, 179.5, 179.0])
    pe, pn = geodetic_to_plane(lat, lon, origin[0], origin[1])
    assert pe[0] > 0 > pe[1]  # -179.5 is east of the origin, 179.5 west
    spec = _spec(list(zip(pe, pn, strict=True)), [1000.0] * 3, [250.0, 250.0])
    m = _model([spec], [0], [0.0], origin)
    t = np.linspace(0.0, float(m.end_s[0]), 2001)
    s = m.states(t)
    step = np.linalg.norm(np.diff(s.pos_m(), axis=0), axis=1) / (t[1] - t[0])
    assert np.max(np.abs(step / 250.0 - 1.0)) < 0.0035  # no jump at lon +-180
    _, lon_t, _ = geo.enu2geodetic(s.e_m, s.n_m, s.u_m, *origin)
    assert np.all(np.abs(lon_t) <= np.pi)
    assert float(lon_t[0]) == pytest.approx(math.radians(-179.5), abs=1e-9)


# -- fast paths against their plain formulations (bit for bit) -------------------


def _ref_route_states(g: RouteGeometry, tau_s: np.ndarray) -> tuple[np.ndarray, ...]:
    """Line and arc evaluated everywhere, picked with np.where."""
    tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, g.end_s)
    i = np.clip(np.searchsorted(g.t0_s, tau, side="right") - 1, 0, g.t0_s.size - 1)
    dt = tau - g.t0_s[i]
    arc, v, acc = g.is_arc[i], g.v[i], g.acc[i]
    left = np.where(dt < g.acc_s[i], g.acc_s[i] - dt, 0.0)  # of the speed ramp still to fly
    u = g.acc_s[i] - left
    pos_line = g.p0[i] + g.d[i] * (v * dt - acc * (dt * left + 0.5 * u * u))[..., None]
    vel_line = g.d[i] * (v - acc * left)[..., None]
    phi = g.phi0[i] + g.omega[i] * dt
    r = g.r[i]
    pos_arc = g.c[i] + np.stack([r * np.cos(phi), r * np.sin(phi)], axis=-1)
    vel_arc = np.stack([-r * g.omega[i] * np.sin(phi), r * g.omega[i] * np.cos(phi)], axis=-1)
    k = np.clip(np.searchsorted(g.tv_s, tau, side="right") - 1, 0, g.tv_s.size - 1)
    dh = g.h1[k] - g.h0[k]
    a, p, r, hold = g.accel[k], g.peak[k], g.ramp_s[k], g.hold_s[k]
    s = tau - g.tv_s[k]
    d = s - r - hold  # into the level-off ramp
    phase = [s < r, s < r + hold, s < 2 * r + hold]  # ramp up, hold, ramp down; then level
    moved = np.select(
        phase,
        [
            0.5 * a * s**2 + p * 0.0 + 0.0,
            0.5 * a * r**2 + p * (s - r) + 0.0,
            0.5 * a * r**2 + p * hold + (p * d - 0.5 * a * d**2),
        ],
        np.abs(dh),
    )
    rate = np.select(phase, [a * s, a * r, a * (r - d)], 0.0)
    return (
        np.where(arc[..., None], pos_arc, pos_line),
        np.where(arc[..., None], vel_arc, vel_line),
        g.h0[k] + np.sign(dh) * np.minimum(moved, np.abs(dh)),
        np.sign(dh) * rate,
    )


def _same(a: object, b: object) -> bool:
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.mark.parametrize("turns", [True, False])
def test_route_states_match_plain_evaluation(turns: bool) -> None:
    corners = [(0, 0), (20_000, 0), (20_000, 20_000), (0, 30_000)]
    if not turns:
        corners = [(0, 0), (20_000, 0), (40_000, 0)]
    n = len(corners)
    alt, speed = [100.0, 5000.0, 3000.0, 3000.0][:n], [200.0, 250.0, 300.0][: n - 1]
    g = build_route(_spec(corners, alt, speed))
    assert g.is_arc.any() == turns
    r = np.random.default_rng(0)
    for tau in [r.uniform(-10.0, g.end_s + 10.0, (7, 300)), np.float64(55.0), np.array([3.0])]:
        for got, want in zip(route_states(g, tau), _ref_route_states(g, tau), strict=True):
            assert _same(got, want)


def test_plane_to_geodetic_wraps_like_np_mod() -> None:
    r = np.random.default_rng(3)
    pe, pn = r.uniform(-2e6, 2e6, (40, 50)), r.uniform(-2e6, 2e6, (40, 50))
    for lon0 in (math.radians(32.69), math.radians(179.9), math.radians(-179.9)):
        lat, lon = plane_to_geodetic(pe, pn, ORIGIN[0], lon0)
        rho, az = np.hypot(pe, pn), np.arctan2(pe, pn)
        delta = rho / gaussian_radius_m(ORIGIN[0])
        s0, c0 = math.sin(ORIGIN[0]), math.cos(ORIGIN[0])
        lat_ref = np.arcsin(np.clip(s0 * np.cos(delta) + c0 * np.sin(delta) * np.cos(az), -1, 1))
        east = np.sin(az) * np.sin(delta) * c0
        raw = lon0 + np.arctan2(east, np.cos(delta) - s0 * np.sin(lat_ref))
        assert _same(lat, lat_ref)
        assert _same(lon, np.mod(raw + np.pi, 2 * np.pi) - np.pi)
    lat_s, lon_s = plane_to_geodetic(np.float64(1e5), np.float64(-2e5), ORIGIN[0], 3.1)
    assert np.ndim(lat_s) == 0 and np.ndim(lon_s) == 0 and -np.pi <= lon_s < np.pi


def _agl_model(agl: tuple[bool, bool, bool] = (True, False, True)) -> TruthModel:
    base = _model(
        [_straight(200_000.0, 40.0, 30.0, 240.0), _straight(150_000.0, 300.0, 9000.0, 250.0)],
        [0, 1, 0],
        [0.0, 20.0, 40.0],
    )

    def ground_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return 400.0 + 300.0 * np.sin(40.0 * lat) * np.cos(30.0 * lon)

    return TruthModel(
        routes=base.routes,
        group=base.group,
        offset_m=base.offset_m,
        launch_s=base.launch_s,
        origin_rad_m=base.origin_rad_m,
        agl=np.array(agl),
        ground_m=ground_m,
    )


@pytest.mark.parametrize("agl", [(True, False, True), (True, True, True)])
def test_terrain_following_altitude_is_reported_above_msl(agl: tuple[bool, bool, bool]) -> None:
    m = _agl_model(agl)
    t = np.linspace(0.0, 600.0, 31)
    s = m.states(t)
    pos, _, alt, _ = m.plane_states(t)
    lat, lon = plane_to_geodetic(pos[..., 0], pos[..., 1], *ORIGIN[:2])
    expected = np.where(m.agl[:, None], alt + m.ground_m(lat, lon), alt) if m.ground_m else alt
    assert _same(s.alt_m, np.ascontiguousarray(expected.T).ravel())


_NAMES = ("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "alt_m")


def _ref_grid(tab: TruthTable) -> np.ndarray:
    """The whole grid (T, n, 7) sampled in one call, as TruthTable was first written."""
    grid_t = np.arange(0.0, tab.dt_s * (tab.n_steps - 0.5), tab.dt_s)
    tr = tab.model.states(grid_t)
    return np.stack([getattr(tr, c).reshape(grid_t.size, -1) for c in _NAMES], axis=-1)


def _ref_table_states(
    tab: TruthTable, t_s: float, kill: np.ndarray | None, grid: np.ndarray | None = None
) -> Truth:
    """TruthTable.states as first written (whole grid, every column validated)."""
    m = tab.model
    grid = _ref_grid(tab) if grid is None else grid
    names = _NAMES
    f = (t_s - tab.t0_s) / tab.dt_s
    i = int(min(max(math.floor(f), 0), grid.shape[0] - 2))
    w = min(max(f - i, 0.0), 1.0)
    row = grid[i] * (1.0 - w) + grid[i + 1] * w
    kill = np.full(m.n_threats, np.inf) if kill is None else kill
    return Truth(
        t_s=np.full(m.n_threats, float(t_s)),
        threat_id=np.arange(m.n_threats, dtype=np.int64),
        alive=(t_s >= m.launch_s) & (t_s <= m.end_s) & (t_s < kill),
        **{name: row[:, k] for k, name in enumerate(names)},
    )


def _same_where_tabulated(got: Truth, want: Truth, name: str) -> bool:
    """Bit-equal on the rows the table holds (NaN only for threats not alive nearby)."""
    a, b = getattr(got, name), getattr(want, name)
    if a.dtype.kind != "f" or name == "t_s":
        return _same(a, b)
    held = ~np.isnan(a)
    return bool(np.all(held[got.alive])) and _same(a[held], b[held])


def test_truth_table_states_match_plain_construction() -> None:
    m = _agl_model()
    tab = TruthTable.build(m, 700.0)
    kill = np.array([np.inf, 300.0, 123.25])
    for k, t_s in enumerate([-3.0, 0.0, 0.1, 123.25, 299.99, 300.0, 650.5, 701.0, 1e4]):
        for t in (t_s, np.float64(t_s)):
            got = tab.states(t, kill if k % 2 else None)
            want = _ref_table_states(tab, t, kill if k % 2 else None)
            for name in Truth.columns():
                assert _same_where_tabulated(got, want, name), name
                assert not getattr(got, name).flags.writeable
    assert _same(tab.states(7).t_s, np.full(3, 7.0))


def _many_groups_model(n_groups: int, per_group: int, seed: int) -> TruthModel:
    """Route groups with turns and climbs, members launched over 10 minutes."""
    rng = np.random.default_rng(seed)
    specs = []
    for _ in range(n_groups):
        w = int(rng.integers(2, 6))
        pts = [tuple(p) for p in rng.uniform(-150_000, 150_000, (w, 2))]
        alts = list(rng.uniform(50, 9000, w))
        specs.append(_spec(pts, alts, list(rng.uniform(50, 300, w - 1)), climb=30.0, descent=40.0))
    group = np.repeat(np.arange(n_groups), per_group)
    m = _model(specs, group.tolist(), list(rng.uniform(0, 600, group.size)))
    return dataclasses.replace(m, offset_m=rng.normal(0, 500, (group.size, 2)))


def test_batched_route_groups_equal_group_by_group_bits() -> None:
    """RouteBank over all groups at once = route_states of each group (bit-identical)."""
    m = _many_groups_model(40, 3, seed=1)
    t = np.linspace(-50.0, 2500.0, 301)
    pos, vel, alt, vu = m.plane_states(t)
    for g, route in enumerate(m.routes):
        idx = np.flatnonzero(m.group == g)
        p, v, h, hv = route_states(route, t[None, :] - m.launch_s[idx, None])
        assert _same(pos[idx], p + m.offset_m[idx, None, :])
        assert _same(vel[idx], v) and _same(alt[idx], h) and _same(vu[idx], hv)
    sub = np.array([5, 17, 100])
    assert _same(m.plane_states(t, sub)[0], pos[sub])


@pytest.mark.parametrize("chunk_cells", [20, 9, 10**6])
def test_windowed_table_equals_whole_grid_across_windows(
    monkeypatch: pytest.MonkeyPatch, chunk_cells: int
) -> None:
    """Windows of 8 steps, threats launched and ending at many times: every alive row
    equals the whole-grid table; rows not tabulated are exactly the non-alive ones
    (a window evaluated in row chunks of 2 threats, 1 threat, or in one piece)."""
    monkeypatch.setattr("iadsim.truth.model.ENU_CHUNK_CELLS", chunk_cells)
    m = _many_groups_model(6, 4, seed=2)
    tab = TruthTable.build(m, 900.0, window_steps=8)
    kill = np.where(np.arange(m.n_threats) % 3 == 0, 400.0, np.inf)
    rng, grid = np.random.default_rng(3), _ref_grid(tab)
    for t_s in np.concatenate([np.sort(rng.uniform(-5, 905, 60)), [0.0, 2.0, 2.25, 901.0]]):
        got = tab.states(float(t_s), kill)
        want = _ref_table_states(tab, float(t_s), kill, grid)
        for name in Truth.columns():
            assert _same_where_tabulated(got, want, name), (t_s, name)
    assert len(tab._windows) <= 2


@pytest.mark.parametrize("chunk_cells", [7, 10**6])
def test_positions_and_samples_equal_states_in_any_chunking(
    monkeypatch: pytest.MonkeyPatch, chunk_cells: int
) -> None:
    """positions() and enu_samples() give the bits of states() however the threats are
    split into chunks (terrain-following rows included)."""
    monkeypatch.setattr("iadsim.truth.model.ENU_CHUNK_CELLS", chunk_cells)
    m = _agl_model()
    t = np.linspace(0.0, 600.0, 5)
    s = m.states(t)
    rows = np.array([2, 0, 1])
    e, n, u = m.positions(t, rows)
    g = m.enu_samples(t, rows)
    for q, name in enumerate(_NAMES):
        want = getattr(s, name).reshape(t.size, -1)[:, rows]  # (T, k)
        assert _same(g[:, q, :], want), name
        if q < 3:
            assert _same((e, n, u)[q], want.T), name


def test_truth_table_window_boxes_hold_every_interpolated_position() -> None:
    """Positions of :meth:`TruthTable.block` at any time of a window lie in that window's
    box of :meth:`TruthTable.extent` (rows: the window's threats, all those alive then)."""
    m = _agl_model()
    tab = TruthTable.build(m, 700.0)
    rng = np.random.default_rng(4)
    for t_s in np.concatenate([rng.uniform(-5.0, 720.0, 400), [0.0, 30.0, 60.0, 699.75]]):
        w = tab.window_of(float(t_s))
        rows, _ = tab._window(w)
        box = tab.extent(w)  # (4, k)
        x, alive = tab.block(float(t_s))
        held = np.isin(rows, alive.nonzero()[0])
        e, n = x[0, rows[held]], x[1, rows[held]]
        assert np.all((box[0, held] <= e) & (e <= box[1, held]))
        assert np.all((box[2, held] <= n) & (n <= box[3, held]))
        assert not np.isin(alive.nonzero()[0], rows, invert=True).any()  # alive: in the rows
