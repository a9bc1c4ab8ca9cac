"""Acceleration-limited speed changes of waypoint routes (iadsim.truth.routes).

Invariants checked on seeded random routes (turns of up to 150 degrees, legs of 3-40 km,
leg speeds 50-400 m/s, so that some ramps finish and some do not) with finite
differences of the evaluated positions, not the module's formulas: the ground speed
changes at most a_long per second, positions are continuous, the path passes each
waypoint at the time the route says (closest approach of a fly-by turn, the waypoint
itself where there is no turn, the last waypoint at the route's end), a turn flown on
its full radius stays within the type's load factor, and the batched evaluation of many
route groups equals the per-route one bit for bit. One route is checked against
timings computed by hand.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from iadsim.truth import RouteGeometry, RouteSpec, build_route, route_states
from iadsim.truth.batched import RouteBank
from iadsim.truth.routes import long_accel_mps2
from iadsim.truth.turns import FLY_BY_MAX_TURN_RAD, turn_angle_rad

G = 9.80665  # standard gravity (CGPM 1901)


def _spec(rng: np.random.Generator, n_g: float) -> RouteSpec:
    """Random turns, legs and speeds (a leg's speed repeats the last one a third of the time)."""
    w = int(rng.integers(2, 7))
    heading = rng.uniform(0.0, 2 * math.pi) + np.cumsum(
        np.concatenate([[0.0], rng.uniform(-1.0, 1.0, w - 2) * math.radians(150.0)])
    )
    legs = rng.uniform(3_000.0, 40_000.0, w - 1)[:, None] * np.stack(
        [np.cos(heading), np.sin(heading)], axis=-1
    )
    speeds = rng.uniform(50.0, 400.0, w - 1)
    same = rng.uniform(size=w - 1) < 1 / 3
    speeds[1:][same[1:]] = speeds[:-1][same[1:]]
    return RouteSpec(
        plane_m=np.concatenate([np.zeros((1, 2)), np.cumsum(legs, axis=0)]),
        alt_m=np.full(w, 3_000.0),
        speed_mps=speeds,
        max_load_factor_g=n_g,
        max_climb_rate_mps=50.0,
        max_descent_rate_mps=50.0,
    )


def _routes(seed: int, n: int) -> list[tuple[RouteSpec, RouteGeometry]]:
    rng = np.random.default_rng(seed)
    specs = [_spec(rng, float(rng.choice([9.0, 4.0, 2.0, 1.5]))) for _ in range(n)]
    return [(s, build_route(s)) for s in specs]


def test_longitudinal_acceleration_is_a_quarter_g_scaled_below_two_g() -> None:
    assert long_accel_mps2(9.0) == pytest.approx(0.25 * G)
    assert long_accel_mps2(2.0) == pytest.approx(0.25 * G)
    assert long_accel_mps2(1.5) == pytest.approx(0.125 * G)


def test_collinear_speed_change_against_hand_timing() -> None:
    # 20 km at 200 m/s, then 30 km to 250 m/s: ramp 50 / a seconds over (250^2 - 200^2) / 2a
    a = 0.25 * G
    spec = RouteSpec(
        plane_m=np.array([[0.0, 0.0], [20_000.0, 0.0], [50_000.0, 0.0]]),
        alt_m=np.full(3, 1_000.0),
        speed_mps=np.array([200.0, 250.0]),
        max_load_factor_g=9.0,
        max_climb_rate_mps=50.0,
        max_descent_rate_mps=50.0,
    )
    g = build_route(spec)
    ramp_s, ramp_m = 50.0 / a, (250.0**2 - 200.0**2) / (2 * a)
    assert g.end_s == pytest.approx(100.0 + ramp_s + (30_000.0 - ramp_m) / 250.0, rel=1e-12)
    t = np.array([100.0, 100.0 + 0.5 * ramp_s, 100.0 + ramp_s, g.end_s])
    p, v, _, _ = route_states(g, t)
    assert p[:, 0] == pytest.approx(
        [20_000.0, 20_000.0 + 200.0 * ramp_s / 2 + a * ramp_s**2 / 8, 20_000.0 + ramp_m, 50_000.0],
        rel=1e-12,
    )
    assert v[:, 0] == pytest.approx([200.0, 225.0, 250.0, 250.0], rel=1e-12)
    # a line too short for its ramp ends at sqrt(v0^2 + 2 a L), and the next leg starts there
    short = build_route(dataclasses.replace(spec, plane_m=spec.plane_m * 0.1))  # 2 + 3 km
    v_end = math.sqrt(200.0**2 + 2 * a * 3_000.0)
    assert route_states(short, np.array([short.end_s]))[1][0, 0] == pytest.approx(v_end, rel=1e-12)
    assert short.end_s == pytest.approx(10.0 + (v_end - 200.0) / a, rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
def test_speed_changes_at_most_a_long_and_positions_are_continuous(seed: int) -> None:
    dt = 0.01
    ramps = {"finished": 0, "cut short": 0}
    for spec, g in _routes(seed, 12):
        a = long_accel_mps2(spec.max_load_factor_g)
        t = np.arange(0.0, g.end_s, dt)
        p, vel, _, _ = route_states(g, t)
        speed_fd = np.hypot(*np.diff(p, axis=0).T) / dt  # mean speed over each step
        # speed: within the leg speeds, changing at most a dt between steps (plus the
        # chord of an arc, v (omega dt)^2 / 24, where a step enters or leaves one)
        omega = np.max(np.abs(g.omega))
        tol = a * dt + np.max(spec.speed_mps) * (omega * dt) ** 2 / 12 + 1e-9
        assert np.max(np.abs(np.diff(speed_fd))) <= tol
        lo, hi = np.min(spec.speed_mps), np.max(spec.speed_mps)
        chord = 1.0 - (omega * dt) ** 2 / 12  # a chord of an arc is shorter than the arc
        assert np.all((speed_fd >= lo * chord * (1 - 1e-9)) & (speed_fd <= hi * (1 + 1e-9)))
        # analytic speed agrees with the positions' (no jump hidden between samples)
        mid = 0.5 * (np.hypot(*vel[1:].T) + np.hypot(*vel[:-1].T))
        assert np.max(np.abs(mid - speed_fd)) <= a * dt + hi * (omega * dt) ** 2 + 1e-6
        # continuity at every segment boundary (to a rounding error)
        b = g.t0_s[1:]
        before, after = route_states(g, b - 1e-9)[0], route_states(g, b)[0]
        assert np.max(np.hypot(*(before - after).T), initial=0.0) < 1e-5
        # every leg reaches its speed when its line is long enough, else starts the next
        lines = np.flatnonzero(~g.is_arc)
        v_end = np.hypot(*route_states(g, g.t0_s[lines] + g.acc_s[lines])[1].T)
        done = np.isclose(v_end, spec.speed_mps, rtol=1e-12)
        ramps["finished"] += int(np.sum(done & (g.acc[lines] != 0)))
        ramps["cut short"] += int(np.sum(~done))
        line_s = np.append(g.t0_s[1:], g.end_s)[lines] - g.t0_s[lines]
        assert g.acc_s[lines][~done] == pytest.approx(line_s[~done], rel=1e-9)  # ramp all along
    assert min(ramps.values()) >= 3


def _unit(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit directions of the two legs through three points (3, 2)."""
    legs = np.diff(points, axis=0)
    return legs[0] / np.hypot(*legs[0]), legs[1] / np.hypot(*legs[1])


def test_each_waypoint_is_passed_at_the_route_time() -> None:
    checked = 0
    for spec, g in _routes(3, 15):
        p_wp = spec.plane_m
        assert route_states(g, np.array([g.end_s]))[0][0] == pytest.approx(p_wp[-1], abs=1e-6)
        for k in range(1, p_wp.shape[0] - 1):
            t = np.linspace(g.tv_s[k] - 30.0, g.tv_s[k] + 30.0, 60_001)
            dist = np.hypot(*(route_states(g, t)[0] - p_wp[k]).T)
            # closest approach of the fly-by turn (or the waypoint itself) at tv_s[k]
            assert abs(t[np.argmin(dist)] - g.tv_s[k]) <= 1e-3 + 1e-9
            checked += 1
        # legs join the waypoints: each line lies on its leg, or after a fly-over turn
        # (sharper than 120 deg) on the direct course from the turn to its waypoint
        lines = np.flatnonzero(~g.is_arc)
        for j, k in zip(lines, range(p_wp.shape[0] - 1), strict=True):
            d = p_wp[k + 1] - p_wp[k]
            if k and abs(turn_angle_rad(*_unit(p_wp[k - 1 : k + 2]))) > FLY_BY_MAX_TURN_RAD:
                d = g.d[j] * np.hypot(*d)  # (direct to p_wp[k + 1])
            tt = g.t0_s[j] + np.linspace(0.0, 1.0, 11) * (
                (g.t0_s[j + 1] if j + 1 < g.t0_s.size else g.end_s) - g.t0_s[j]
            )
            rel = route_states(g, tt)[0] - p_wp[k + 1]
            assert np.max(np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0])) / np.hypot(*d) < 1e-6
    assert checked > 20


def test_full_radius_turns_stay_within_the_load_factor() -> None:
    h, seen = 0.01, 0
    for spec, g in _routes(4, 40):
        if g.tight_turns:
            continue
        arcs = np.flatnonzero(g.is_arc)
        ends = np.append(g.t0_s[1:], g.end_s)
        t = 0.5 * (g.t0_s[arcs] + ends[arcs])
        p = [route_states(g, t + s)[0] for s in (-h, 0.0, h)]
        lateral = np.hypot(*((p[0] - 2 * p[1] + p[2]) / h**2).T)  # v^2 / r
        n_max = spec.max_load_factor_g
        assert np.all(lateral <= G * math.sqrt(n_max**2 - 1.0) * (1 + 1e-6))
        seen += arcs.size
    assert seen > 20


def test_batched_bank_equals_each_route_bit_for_bit() -> None:
    routes = tuple(g for _, g in _routes(5, 16))
    rng = np.random.default_rng(6)
    bank = RouteBank.from_routes(routes)
    grp = np.repeat(np.arange(len(routes)), 2)
    tau = rng.uniform(-20.0, 1.1 * max(r.end_s for r in routes), (grp.size, 500))
    got = bank.states(grp, tau)
    for row, gi in enumerate(grp):
        want = route_states(routes[gi], tau[row])
        for a, b in zip(got, want, strict=True):
            assert a[row].tobytes() == np.asarray(b).tobytes()
