"""The manoeuvre envelope of a lost estimate (iadsim.engagement.reach): an aircraft
turning at any load up to the assumed one stays inside it, and it is not loose."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2, manoeuvre_reach_m


def _turn_offset_m(speed_mps: float, accel_mps2: float, dt_s: float) -> float:
    """Distance after ``dt_s`` between a level turn at constant lateral acceleration
    ``accel_mps2`` and the straight-line extrapolation, integrated numerically
    (scipy's RK45: independent of the closed form the envelope is built on)."""

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        v = y[2:]
        n = np.array([-v[1], v[0]]) / max(np.hypot(*v), 1e-9)  # left of the velocity
        return np.concatenate([v, accel_mps2 * n])

    sol = solve_ivp(rhs, (0.0, dt_s), [0.0, 0.0, speed_mps, 0.0], rtol=1e-10, atol=1e-6)
    return float(np.hypot(sol.y[0, -1] - speed_mps * dt_s, sol.y[1, -1]))


@settings(max_examples=60, deadline=None)
@given(speed=st.floats(50.0, 800.0), dt=st.floats(0.1, 40.0), load=st.floats(0.0, 1.0))
def test_a_turn_at_up_to_the_assumed_load_stays_inside_the_envelope(speed, dt, load) -> None:
    offset = _turn_offset_m(speed, load * REACQUIRE_ACCEL_MPS2, dt)
    assert offset <= manoeuvre_reach_m(speed, dt) * (1 + 1e-6) + 1e-3


def test_the_envelope_is_reached_by_a_short_hard_turn_and_by_a_reversal() -> None:
    # a short 9 g turn: the offset tends to a dt^2 / 2 (within 1% at 1 s, 250 m/s)
    short = _turn_offset_m(250.0, REACQUIRE_ACCEL_MPS2, 1.0)
    assert short / manoeuvre_reach_m(250.0, 1.0) > 0.99
    # a long turn can at most reverse: the bound 2 v dt takes over, never exceeded
    assert manoeuvre_reach_m(250.0, 60.0) == 2 * 250.0 * 60.0
    assert _turn_offset_m(250.0, REACQUIRE_ACCEL_MPS2, 60.0) <= 2 * 250.0 * 60.0
    # seed 109's break turn: 5.8 km off the extrapolation 12 s after the last update
    assert manoeuvre_reach_m(270.0, 12.0) > 5.8e3
    assert manoeuvre_reach_m(270.0, 0.0) == 0.0
