"""The manoeuvre envelope of a lost estimate (iadsim.engagement.reach): an aircraft
turning at any load up to the assumed one stays inside it, and it is not loose."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2, gate_d2, manoeuvre_reach_m, reach_mask
from iadsim.frames import Tracks
from iadsim.picture import DUPLICATE_GATE


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


def _tracks(pos: np.ndarray, vel: np.ndarray, t_s: float, var_m2: float) -> Tracks:
    n = pos.shape[0]
    z = np.zeros(n)
    return Tracks(
        t_s=z + t_s, track_id=np.arange(n, dtype=np.int64), status=np.ones(n, np.int8),
        e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2], ve_mps=vel[:, 0], vn_mps=vel[:, 1],
        vu_mps=vel[:, 2], var_e_m2=z + var_m2, var_n_m2=z + var_m2, var_u_m2=z + var_m2,
        var_ve_m2ps2=z + 4.0, var_vn_m2ps2=z + 4.0, var_vu_m2ps2=z + 4.0, quality=z + 1.0,
    )  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), unseen=st.floats(0.0, 30.0), floor=st.floats(0.0, 2e3),
       accel=st.floats(0.0, 100.0))  # fmt: skip
def test_reach_holds_the_gate_and_adds_only_new_tracks_inside_the_envelope(
    seed, unseen, floor, accel
) -> None:
    """Over random pictures: every track in the handover gate is within reach; a track
    beyond it is within reach only if it is new and inside the envelope's sphere (plus
    the gate's own sigma); a larger load never takes a track out of reach."""
    rng = np.random.default_rng(seed)
    est = _tracks(rng.normal(0, 1e3, (1, 3)), rng.normal(0, 250, (1, 3)), 0.0, 400.0)
    n = 40
    tracks = _tracks(rng.normal(0, 8e3, (n, 3)), rng.normal(0, 250, (n, 3)), 0.0,
                     float(rng.uniform(10, 1e4)))  # fmt: skip
    new = rng.random(n) < 0.5
    gate = DUPLICATE_GATE
    near = gate_d2(est, 0.0, tracks, floor)[0] <= gate
    got = reach_mask(est, 0.0, tracks, gate, floor, new, unseen, accel)
    assert np.all(got[near])  # the gate's tracks
    extra = got & ~near
    assert not np.any(extra & ~new)  # older tracks: the gate only
    speed = float(np.linalg.norm(est.vel_mps()[0]))
    radius = manoeuvre_reach_m(speed, unseen, accel)
    d = np.linalg.norm(tracks.pos_m() - est.pos_m()[0], axis=1)
    sigma = np.sqrt(400.0 + tracks.var_e_m2 + floor**2)
    assert np.all(d[extra] <= radius + np.sqrt(gate) * sigma[extra] + 1e-6)
    more = reach_mask(est, 0.0, tracks, gate, floor, new, unseen, accel * 2 + 1)
    assert np.all(more[got])
    if radius > 0:  # a new track right on the envelope's sphere, variance small: in reach
        edge = _tracks(
            est.pos_m() + np.array([[0.999 * radius, 0.0, 0.0]]), est.vel_mps(), 0.0, 1e-6
        )
        inside = reach_mask(est, 0.0, edge, gate, 0.0, np.array([True]), unseen, accel)
        assert inside[0]
