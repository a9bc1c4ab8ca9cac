"""Sharp turns and turn-backs of waypoint routes (iadsim.truth.routes, .turns).

A fly-by arc tangent to both legs passes ``R (sec(a/2) - 1)`` from its waypoint for a
turn of ``a``: beyond 120 deg more than the turn radius R, and for a turn back the
tangent points ran back along both legs, so a reversal 22 km past a waypoint turned at
the start of the leg and never flew it (a threat told to turn back never came closer
than its start). Turns sharper than 120 deg are now flown fly-over. The invariants, on
the evaluated path (not the module's formulas): the path passes within
``R (sec(a/2) - 1)`` of the turn's waypoint (over it beyond 120 deg), ends at
the last waypoint, flies at least the legs' total less the fly-by's cut and at most a
full circle more, at the platform's load factor (the curvature from finite
differences), and no such turn is counted tight.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from iadsim.truth import RouteSpec, build_route, route_states
from iadsim.truth.routes import turn_radius_m

SPEED_MPS, N_G, G = 280.0, 9.0, 9.80665  # standard gravity (CGPM 1901)


def _route(turn_deg: float, first_m: float, second_m: float) -> RouteSpec:
    """North ``first_m``, then a turn of ``turn_deg`` (to the right) and ``second_m``."""
    h = math.radians(turn_deg)
    p1 = np.array([0.0, first_m])
    p2 = p1 + second_m * np.array([math.sin(h), math.cos(h)])
    return RouteSpec(
        plane_m=np.stack([np.zeros(2), p1, p2]), alt_m=np.full(3, 5_000.0),
        speed_mps=np.full(2, SPEED_MPS), max_load_factor_g=N_G,
        max_climb_rate_mps=50.0, max_descent_rate_mps=50.0,
    )  # fmt: skip


@pytest.mark.parametrize("turn_deg", [90.0, 119.0, 121.0, 150.0, 170.0, 179.0, 180.0])
@pytest.mark.parametrize(("first_m", "second_m"), [(22_000.0, 55_000.0), (200_000.0, 200_000.0)])
def test_a_sharp_turn_passes_its_waypoint_and_flies_its_legs(
    turn_deg: float, first_m: float, second_m: float
) -> None:
    spec = _route(turn_deg, first_m, second_m)
    geom = build_route(spec)
    tau = np.linspace(0.0, geom.end_s, 400_001)
    pos = route_states(geom, tau)[0]
    r = float(turn_radius_m(SPEED_MPS, N_G))
    half = math.radians(turn_deg) / 2
    miss = 0.0 if turn_deg > 120.0 else r * (1.0 / math.cos(half) - 1.0)
    step = SPEED_MPS * geom.end_s / 400_000  # (the sampling)
    assert np.min(np.hypot(*(pos - spec.plane_m[1]).T)) <= miss + step
    assert np.allclose(pos[-1], spec.plane_m[-1], atol=1e-6)
    flown = float(np.sum(np.hypot(*np.diff(pos, axis=0).T)))
    cut = 0.0 if turn_deg > 120.0 else 2.0 * r * math.tan(half) - r * math.radians(turn_deg)
    assert first_m + second_m - cut - 1.0 <= flown <= first_m + second_m + 2 * math.pi * r
    assert geom.tight_turns == 0
    # the load factor: |dv/dt| <= g sqrt(n^2 - 1) (finite differences of the velocity)
    vel = route_states(geom, tau)[1]
    acc = np.hypot(*(np.diff(vel, axis=0) / np.diff(tau)[:, None]).T)
    assert acc.max() <= G * math.sqrt(N_G**2 - 1.0) * 1.001


def test_a_turn_back_flies_the_leg_it_turns_back_on() -> None:
    """The defect as a user met it: 22 km out, then back past the start. The threat
    now reaches the waypoint 22 km out (it never came farther than its start) and
    arrives after flying both legs, not the second alone."""
    geom = build_route(_route(180.0, 22_000.0, 55_000.0))
    pos = route_states(geom, np.linspace(0.0, geom.end_s, 100_001))[0]
    assert pos[:, 1].max() >= 22_000.0 - 1.0
    assert geom.end_s >= (22_000.0 + 55_000.0) / SPEED_MPS
