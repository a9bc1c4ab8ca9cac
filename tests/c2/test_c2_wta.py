"""WTA solvers: MILP equals brute force; greedy gap; limits never exceeded (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from c2_helpers import held, inbound, interceptor, make_tracks, wire
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import (
    AutoSolver,
    BatteryParams,
    C2Params,
    DoctrineParams,
    GreedySolver,
    MilpSolver,
    ShootLookShoot,
    WTAProblem,
)
from iadsim.c2.wta import group_rows, solve_brute, solve_greedy, solve_milp, stack_group_rows


def random_problem(rng: np.random.Generator, n_t: int, n_l: int, n_i: int, n_b: int,
                   scarce: bool = True) -> WTAProblem:  # fmt: skip
    """A WTA problem with the same constraint families C2 builds."""
    value = rng.uniform(1.0, 10.0, n_t)
    bat = rng.integers(0, n_b, n_l)
    salvo = rng.integers(1, 3, n_b)
    t, lx, i = np.nonzero(rng.random((n_t, n_l, n_i)) < 0.7)
    n = salvo[bat[lx]]
    pk = rng.uniform(0.5, 0.95, t.size)
    w = value[t] * (1 - (1 - pk) ** n)
    rounds = rng.integers(0, 4 if scarce else 8, (n_l, n_i)).astype(float)
    ones = np.ones(t.size)
    cap_t = rng.integers(1, max(2, n_t // (2 if scarce else 1)) + 1, n_b).astype(float)
    parts = [
        group_rows(t, ones, np.ones(n_t)),
        group_rows(lx * n_i + i, n, rounds.reshape(-1)),
        group_rows(lx, ones, np.ones(n_l)),
        group_rows(bat[lx], ones, cap_t),
        group_rows(bat[lx], n, 2 * cap_t),
    ]
    a = sp.csc_array(sp.vstack([p[0] for p in parts], format="csc"))
    return WTAProblem(weight=w, track=t, A=a, b=np.concatenate([p[1] for p in parts]))


@pytest.mark.slow
def test_milp_equals_brute_force():
    rng = np.random.default_rng(20261125)
    n_nonzero = 0
    for _ in range(40):
        p = random_problem(rng, 4, 3, 2, int(rng.integers(1, 3)))
        xm, xb = solve_milp(p), solve_brute(p)
        assert p.feasible(xm) and p.feasible(xb)
        assert p.value(xm) == pytest.approx(p.value(xb), abs=1e-9)
        n_nonzero += p.value(xb) > 0
    assert n_nonzero > 30


@pytest.mark.slow
def test_greedy_gap():
    """Greedy vs exact optimum on 300 random problems (figures quoted in wta.py)."""
    rng = np.random.default_rng(5)
    gaps = []
    for _ in range(300):
        p = random_problem(rng, int(rng.integers(6, 13)), int(rng.integers(2, 7)), 2,
                           int(rng.integers(1, 3)))  # fmt: skip
        xg, xm = solve_greedy(p), solve_milp(p)
        assert p.feasible(xg)
        opt = p.value(xm)
        assert p.value(xg) <= opt + 1e-9
        gaps.append(0.0 if opt == 0 else 1 - p.value(xg) / opt)
    gaps_a = np.array(gaps)
    print(f"greedy gap: mean {gaps_a.mean():.4f}, max {gaps_a.max():.4f}")
    assert gaps_a.mean() <= 0.01
    assert gaps_a.max() <= 0.15


def test_auto_switches_by_size():
    rng = np.random.default_rng(1)
    p = random_problem(rng, 30, 8, 2, 2, scarce=False)
    x_auto = AutoSolver(milp_max_options=10).solve(p)  # forced to greedy
    assert np.array_equal(x_auto, solve_greedy(p))
    x_milp = AutoSolver().solve(p)
    assert np.array_equal(x_milp, MilpSolver().solve(p))
    assert p.value(x_milp) >= p.value(x_auto) - 1e-9


def _check_limits(c2, eng, orders, t_s):
    st_ = eng.status(t_s)
    for b in c2.batteries:
        m = st_.in_flight_battery_id == b.battery_id
        assert m.sum() <= b.target_channels
        assert st_.in_flight_rounds[m].sum() <= b.missile_channels
    assert np.all(eng.rounds >= 0)
    _, counts = np.unique(st_.in_flight_track_id, return_counts=True)
    assert np.all(counts <= 1)
    for k in range(len(orders)):  # PIP inside the envelope, computed independently
        row = int(np.flatnonzero(eng.launchers.launcher_id == orders.launcher_id[k])[0])
        p = eng.table
        i = int(orders.interceptor_id[k])
        rel = np.array([orders.pip_e_m[k], orders.pip_n_m[k], orders.pip_u_m[k]])
        rel = rel - eng.launchers.pos_m[row]
        r = np.linalg.norm(rel)
        assert p.min_range_m[i] - 1e-6 <= r <= p.max_range_m[i] + 1e-6
        assert p.min_alt_m[i] - 1e-6 <= rel[2] <= p.max_alt_m[i] + 1e-6
        assert 0 < orders.pk[k] <= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    n_tracks=st.integers(1, 25),
    n_launchers=st.integers(1, 6),
    two_batteries=st.booleans(),
    salvo=st.integers(1, 3),
    solver=st.sampled_from(["milp", "greedy"]),
)
def test_limits_never_exceeded(seed, n_tracks, n_launchers, two_batteries, salvo, solver):
    rng = np.random.default_rng(seed)
    types = [interceptor("long", max_range_m=120e3), interceptor("short", max_range_m=30e3,
             min_range_m=500.0, max_speed_mps=900.0)]  # fmt: skip
    loadout = rng.integers(0, 4, (n_launchers, 2))
    n_b = 2 if two_batteries else 1
    bats = [
        BatteryParams(battery_id=b, target_channels=int(rng.integers(0, 6)),
                      missile_channels=int(rng.integers(0, 10)),
                      doctrine=DoctrineParams(salvo=salvo,
                                              mode=ShootLookShoot(kill_assessment_s=0.0)))
        for b in range(n_b)
    ]  # fmt: skip
    c2, eng = wire(
        types=types, loadout=loadout, batteries=bats,
        battery_of=rng.integers(0, n_b, n_launchers),
        launcher_pos=np.c_[rng.uniform(-5e3, 5e3, (n_launchers, 2)), np.zeros(n_launchers)],
        params=C2Params(solver={"milp": MilpSolver(), "greedy": GreedySolver()}[solver]),
    )  # fmt: skip
    pos, vel = inbound(n_tracks, rng, r=(5e3, 150e3))
    tracks = make_tracks(pos, vel)
    for t_s in (0.0, 3.0, 30.0):
        rounds = eng.rounds.copy()  # (L, I) before this cycle's launches
        orders = c2.decide(held(tracks, t_s), t_s)
        # the doctrine's salvo, or a partial salvo of all a launcher has left of the type
        ids = eng.launchers.launcher_id.tolist()
        row = np.array([ids.index(lid) for lid in orders.launcher_id.tolist()], dtype=np.int64)
        left = rounds[row, orders.interceptor_id]
        assert np.all(orders.n_rounds == np.minimum(salvo, left)) and np.all(left >= 1)
        assert np.all(orders.t_launch_s >= t_s)
        eng.launch(orders, c2.last_picture)
        _check_limits(c2, eng, orders, t_s)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_t=st.integers(1, 15),
    n_l=st.integers(1, 6),
    n_i=st.integers(1, 3),
    n_b=st.integers(1, 3),
    scarce=st.booleans(),
)
def test_every_solver_respects_all_rows(seed, n_t, n_l, n_i, n_b, scarce):
    p = random_problem(np.random.default_rng(seed), n_t, n_l, n_i, n_b, scarce)
    xm, xg = solve_milp(p), solve_greedy(p)
    for x in (xm, xg):
        assert p.feasible(x)
        assert np.all(np.bincount(p.track[x], minlength=n_t) <= 1)
    assert p.value(xg) <= p.value(xm) + 1e-9


def test_no_tracks_no_orders():
    c2, _ = wire()
    pos, vel = inbound(2, np.random.default_rng(0))
    assert len(c2.decide(held(make_tracks(pos, vel, status=0), 0.0), 0.0)) == 0  # tentative only
    assert len(c2.decide(held(make_tracks(pos, vel).select(np.zeros(2, bool)), 0.0), 0.0)) == 0


def test_stack_group_rows_equals_vstack():
    """The directly built CSC matrix is the one scipy.sparse.vstack builds (same data,
    indices and indptr, so HiGHS gets the same model)."""
    rng = np.random.default_rng(17)
    for k in (0, 1, 7, 60):
        blocks = []
        for g in (3, 8, 8, 4, 1, 1):
            group = rng.integers(-1, g, k)
            blocks.append((group, rng.integers(1, 3, k).astype(float), rng.uniform(0, 5, g)))
        parts = [group_rows(*b) for b in blocks]
        want = sp.csc_array(sp.vstack([p[0] for p in parts], format="csc"))
        got, rhs = stack_group_rows(blocks)
        assert got.shape == want.shape
        for name in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(got, name), getattr(want, name))
        assert np.array_equal(rhs, np.concatenate([p[1] for p in parts]))
