"""Acceleration-limited climbs and descents of waypoint routes (iadsim.truth.routes).

Invariants of the vertical profile, checked on sampled routes with random waypoints
(finite differences and a numerical integral, not the module's formulas): the climb
rate changes no faster than the vertical acceleration a_v, stays within the type's
climb and descent limits, the altitude is the integral of the climb rate, each
completed leg levels off exactly at its waypoint's altitude, and the batched evaluation
of many route groups equals the per-route one bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from iadsim.truth import RouteGeometry, RouteSpec, build_route, route_states
from iadsim.truth.batched import RouteBank
from iadsim.truth.routes import vertical_accel_mps2

G = 9.80665  # standard gravity (CGPM 1901)
CLIMB, DESCENT = 40.0, 25.0


def _route(rng: np.random.Generator, n_g: float, leg_s: float = 400.0) -> RouteGeometry:
    """Collinear waypoints (no turns) at 250 m/s, random altitudes 30-12,000 m."""
    w = int(rng.integers(2, 7))
    x = np.arange(w) * 250.0 * leg_s * rng.uniform(0.05, 1.0, w).cumsum() / np.arange(1, w + 1)
    x = np.concatenate([[0.0], np.cumsum(np.diff(x) + 1_000.0)])
    alt = rng.uniform(30.0, 12_000.0, w)
    if w > 2:
        alt[1] = alt[0] + rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 300.0)  # small change
    return build_route(
        RouteSpec(
            plane_m=np.stack([x, np.zeros(w)], axis=-1),
            alt_m=alt,
            speed_mps=np.full(w - 1, 250.0),
            max_load_factor_g=n_g,
            max_climb_rate_mps=CLIMB,
            max_descent_rate_mps=DESCENT,
        )
    )


def _clipped(g: RouteGeometry) -> np.ndarray:
    """Legs whose profile outlasts the leg (boundary reached before the level-off)."""
    span = np.diff(np.append(g.tv_s, g.end_s))
    return np.asarray((2 * g.ramp_s + g.hold_s > span)[:-1])  # the last leg may end early


def test_vertical_acceleration_is_one_g_capped_by_the_load_factor() -> None:
    assert vertical_accel_mps2(9.0) == pytest.approx(G)
    assert vertical_accel_mps2(2.0) == pytest.approx(G)
    assert vertical_accel_mps2(1.5) == pytest.approx(0.5 * G)


@pytest.mark.parametrize("n_g", [9.0, 4.0, 1.4])
def test_climb_rate_is_acceleration_limited_and_integrates_to_the_altitude(n_g: float) -> None:
    rng = np.random.default_rng(int(n_g * 10))
    a_v = G * min(1.0, n_g - 1.0)
    dt = 0.05
    checked = 0
    for _ in range(25):
        g = _route(rng, n_g)
        t = np.arange(0.0, g.end_s, dt)
        _, _, alt, vu = route_states(g, t)
        # climb rate: bounded by the type's limits, changing at most a_v per second
        assert np.all(vu <= CLIMB + 1e-9) and np.all(vu >= -DESCENT - 1e-9)
        step = np.abs(np.diff(vu))
        boundary = np.zeros(t.size - 1, dtype=bool)
        for k in np.flatnonzero(_clipped(g)):  # the documented rate step at a clipped leg end
            boundary |= (t[:-1] < g.tv_s[k + 1]) & (t[1:] >= g.tv_s[k + 1])
        assert np.all(step[~boundary] <= a_v * dt * (1 + 1e-9) + 1e-9)
        # altitude: the integral of the climb rate (trapezoid rule: exact on linear pieces,
        # a_v dt^2 / 8 per kink, rate dt / 2 per rate step)
        integral = alt[0] + np.concatenate([[0.0], np.cumsum(0.5 * (vu[1:] + vu[:-1]) * dt)])
        tol = 4 * g.tv_s.size * a_v * dt**2 / 8 + boundary.sum() * CLIMB * dt / 2
        assert np.max(np.abs(alt - integral)) <= tol + 1e-6
        checked += int(step[~boundary].size)
    assert checked > 100_000


@pytest.mark.parametrize("n_g", [9.0, 1.4])
def test_each_completed_leg_levels_off_at_its_waypoint_altitude(n_g: float) -> None:
    rng = np.random.default_rng(7)
    a_v = G * min(1.0, n_g - 1.0)
    done_legs = 0
    for _ in range(25):
        g = _route(rng, n_g, leg_s=900.0)
        clipped = _clipped(g)
        for k in range(g.tv_s.size):
            dh = g.h1[k] - g.h0[k]
            rate = CLIMB if dh >= 0 else DESCENT
            # trapezoid, or a triangle with peak sqrt(a_v |dh|); duration |dh|/peak + peak/a_v
            peak = min(rate, math.sqrt(a_v * abs(dh)))
            dur = abs(dh) / peak + peak / a_v if peak > 0 else 0.0
            end = g.tv_s[k] + dur
            nxt = g.tv_s[k + 1] if k + 1 < g.tv_s.size else g.end_s
            if (k < clipped.size and clipped[k]) or end > nxt:
                continue
            done_legs += 1
            t = np.array([end - 1e-6 * dur, end, 0.5 * (end + nxt)])
            _, _, alt, vu = route_states(g, t)
            assert alt[1:] == pytest.approx([g.h1[k]] * 2, abs=1e-6)
            assert abs(vu[1]) < 1e-9 and vu[2] == 0.0 and abs(vu[0]) < 1e-5 * (dur + 1.0) * a_v
            tm = np.linspace(g.tv_s[k], end, 4001)
            assert np.max(np.abs(route_states(g, tm)[3])) == pytest.approx(peak, rel=1e-3)
    assert done_legs > 30


def test_clipped_leg_boundary_altitude_is_continuous() -> None:
    rng = np.random.default_rng(5)
    seen = 0
    for _ in range(40):
        g = _route(rng, 9.0, leg_s=40.0)
        for k in np.flatnonzero(_clipped(g)):
            b = g.tv_s[k + 1]
            _, _, alt, _ = route_states(g, np.array([b - 1e-7, b]))
            assert alt[0] == pytest.approx(alt[1], abs=1e-4)
            assert g.h0[k + 1] == alt[1]
            seen += 1
    assert seen > 5


def test_batched_bank_equals_each_route_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    routes = tuple(_route(rng, n_g, leg_s) for n_g in (9.0, 1.4) for leg_s in (40.0, 900.0)
                   for _ in range(5))  # fmt: skip
    bank = RouteBank.from_routes(routes)
    grp = np.repeat(np.arange(len(routes)), 2)
    tau = rng.uniform(-20.0, 4_000.0, (grp.size, 500))
    got = bank.states(grp, tau)
    for row, g in enumerate(grp):
        want = route_states(routes[g], tau[row])
        for a, b in zip(got, want, strict=True):
            assert a[row].tobytes() == np.asarray(b).tobytes()
