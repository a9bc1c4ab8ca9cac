"""Outcome draws, truth matching and the stage's magazine and channel bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from iadsim.engagement import Engagement, LauncherParams, resolve_intercepts
from iadsim.engagement.outcome import draw_salvo_kills, match_threats
from iadsim.frames import Orders, Truth


def _orders(n: int, *, pk: float = 0.7, rounds: int = 1, launcher: int = 10, t_int: float = 50.0,
            pip=(0.0, 30e3, 5e3), track0: int = 0, order0: int = 0) -> Orders:  # fmt: skip
    z = np.zeros(n)
    return Orders(
        t_s=z, order_id=order0 + np.arange(n), battery_id=z.astype(int),
        launcher_id=np.full(n, launcher), interceptor_id=z.astype(int),
        track_id=track0 + np.arange(n), n_rounds=np.full(n, rounds), t_launch_s=z + 5.0,
        t_intercept_s=np.full(n, t_int), pip_e_m=z + pip[0], pip_n_m=z + pip[1],
        pip_u_m=z + pip[2], pk=np.full(n, pk),
    )  # fmt: skip


def _truth(pos: np.ndarray, alive=None, t: float = 50.0) -> Truth:
    n = pos.shape[0]
    z = np.zeros(n)
    return Truth(
        t_s=z + t, threat_id=1000 + np.arange(n), e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2],
        ve_mps=z, vn_mps=z, vu_mps=z, alt_m=pos[:, 2],
        alive=np.ones(n, bool) if alive is None else np.asarray(alive),
    )  # fmt: skip


@pytest.mark.parametrize(("pk", "rounds"), [(0.7, 1), (0.85, 1), (0.6, 2), (0.5, 3)])
def test_kill_frequency_matches_salvo_pk(pk, rounds):
    """Kill frequency within a 99% binomial test of 1 - (1 - pk)^n (independent shots)."""
    n = 4000
    # one threat per engagement, each sitting on its own PIP
    pips = np.c_[np.arange(n) * 10e3, np.full(n, 30e3), np.full(n, 5e3)]
    z = np.zeros(n)
    orders = _orders(n, pk=pk, rounds=rounds)
    orders = Orders(**{**{c: getattr(orders, c) for c in Orders.columns()},
                       "pip_e_m": pips[:, 0]})  # fmt: skip
    out = resolve_intercepts(orders, _truth(pips + z[:, None]), np.random.default_rng(2024))
    p_salvo = 1 - (1 - pk) ** rounds
    k = int(out.killed.sum())
    assert binomtest(k, n, p_salvo).pvalue > 0.01
    assert np.all(out.threat_id == 1000 + np.arange(n))


def test_draw_salvo_kills_one_draw_per_round():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    pk = np.array([0.5, 0.9, 0.2])
    n = np.array([1, 3, 2])
    kills = draw_salvo_kills(pk, n, rng_a)
    u = rng_b.random(6)
    want = [u[0] < 0.5, np.any(u[1:4] < 0.9), np.any(u[4:6] < 0.2)]
    assert kills.tolist() == want
    assert rng_a.random() == rng_b.random()  # exactly sum(n) draws consumed


def test_match_gate_and_dead_threats():
    pips = np.array([[0.0, 0.0, 0.0], [10e3, 0.0, 0.0], [20e3, 0.0, 0.0]])
    truth = np.array([[500.0, 0.0, 0.0], [11.5e3, 0.0, 0.0], [20e3, 10.0, 0.0]])
    idx, dist = match_threats(pips, truth, np.array([True, True, False]), 1000.0)
    assert idx.tolist() == [0, -1, -1]
    assert dist[0] == pytest.approx(500.0) and np.isinf(dist[1:]).all()


def test_unmatched_engagement_is_miss_and_first_kill_credited():
    orders = _orders(3, pk=1.0)  # all three aimed at the same PIP
    truth = _truth(np.array([[0.0, 30e3, 5.2e3], [0.0, 90e3, 5e3]]))
    out = resolve_intercepts(orders, truth, np.random.default_rng(0))
    assert out.killed.tolist() == [True, False, False]
    assert out.threat_id.tolist() == [1000, 1000, 1000]
    far = resolve_intercepts(orders, _truth(np.array([[0.0, 40e3, 5e3]])), np.random.default_rng(0))
    assert not far.killed.any() and (far.threat_id == -1).all()


def _stage(make_interceptor, loadout=((2,),), reserve=((0,),)) -> Engagement:
    lp = LauncherParams(
        launcher_id=np.array([10]), battery_id=np.array([0]), pos_m=np.zeros((1, 3)),
        loadout=np.array(loadout), reserve=np.array(reserve),
    )  # fmt: skip
    return Engagement(interceptors=[make_interceptor()], launchers=lp)


def test_launch_bookkeeping_and_magazine_empty(make_interceptor):
    eng = _stage(make_interceptor)
    ev = eng.launch(_orders(1, rounds=2))
    assert eng.rounds[0, 0] == 0
    assert eng.ready_t_s[0] == pytest.approx(5.0 + 2 * 2.0)  # t_launch + n * launch_interval
    assert ev.kind.tolist() == ["launch", "magazine_empty"]
    assert len(eng.in_flight) == 1 and eng.next_intercept_t_s() == 50.0
    with pytest.raises(ValueError, match="holds 0 rounds"):
        eng.launch(_orders(1, order0=1, track0=1))


def test_reload_from_reserve(make_interceptor):
    eng = _stage(make_interceptor, loadout=((2,),), reserve=((3,),))
    eng.launch(_orders(1, rounds=2))
    assert eng.rounds[0, 0] == 2 and eng.reserve[0, 0] == 1
    assert eng.ready_t_s[0] == pytest.approx(5.0 + 600.0)  # reload_s after launch


def test_resolve_releases_channel_and_records_outcome(make_interceptor):
    eng = _stage(make_interceptor)
    eng.launch(_orders(1, pk=1.0, rounds=1))
    st = eng.status(0.0)
    assert st.in_flight_track_id.tolist() == [0] and st.in_flight_rounds.tolist() == [1]
    out, ev = eng.resolve(
        _truth(np.array([[0.0, 30e3, 5e3]]), t=49.0), 49.0, np.random.default_rng(1)
    )
    assert len(out) == 0 and len(eng.in_flight) == 1  # not due yet
    out, ev = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 50.0, np.random.default_rng(1))
    assert out.killed.tolist() == [True]
    assert ev.kind.tolist() == ["intercept", "kill"] and ev.threat_id.tolist() == [1000, 1000]
    st = eng.status(50.0)
    assert st.in_flight_track_id.size == 0
    assert st.last_track_id.tolist() == [0] and st.last_killed.tolist() == [True]
    assert st.last_intercept_t_s.tolist() == [50.0]


def _track(pos, vel, t_s: float, tid: int = 0):
    from iadsim.frames import Tracks

    z = np.zeros(1)
    return Tracks(
        t_s=z + t_s, track_id=np.array([tid]), status=np.ones(1, np.int8), e_m=z + pos[0],
        n_m=z + pos[1], u_m=z + pos[2], ve_mps=z + vel[0], vn_mps=z + vel[1], vu_mps=z + vel[2],
        var_e_m2=z, var_n_m2=z, var_u_m2=z, var_ve_m2ps2=z, var_vn_m2ps2=z, var_vu_m2ps2=z,
        quality=z + 1,
    )  # fmt: skip


def _one_interceptor_in_flight(make_interceptor):
    """An engagement stage with one round fired at a threat flying south at 250 m/s
    (60 km north, 5 km up): returns (stage, p0, v0, intercept solution, orders)."""
    eng = _stage(make_interceptor)
    p0, v0 = np.array([0.0, 60e3, 5e3]), np.array([0.0, -250.0, 0.0])
    sol = eng.solve(p0[None], v0[None], np.zeros(1, dtype=np.int64), 0.0)
    o = _orders(1, rounds=1)
    cols = {c: getattr(o, c).copy() for c in Orders.columns()}
    cols.update(t_launch_s=sol.t_launch_s[0, :, 0], t_intercept_s=sol.t_intercept_s[0, :, 0],
                pip_e_m=sol.pip_m[0, :, 0, 0], pip_n_m=sol.pip_m[0, :, 0, 1],
                pip_u_m=sol.pip_m[0, :, 0, 2])  # fmt: skip
    orders = Orders(**cols)
    eng.launch(orders)
    return eng, p0, v0, sol, orders


def test_midcourse_update_follows_a_turn(make_interceptor):
    """After a 90-degree turn the updated PIP solves the fly-out equation (brentq oracle)
    with the original launch time, and the threat is then inside the match gate."""
    from scipy.optimize import brentq

    eng, p0, v0, sol, _ = _one_interceptor_in_flight(make_interceptor)
    t_old = eng.next_intercept_t_s()
    # unchanged straight line: the update reproduces the PIP
    assert eng.update(_track(p0 + v0 * 20.0, v0, 20.0), 20.0) == 1
    assert eng.next_intercept_t_s() == pytest.approx(t_old, abs=1e-4)
    # the threat turns east at t = 20 s
    p1, v1 = p0 + v0 * 20.0, np.array([250.0, 0.0, 0.0])
    assert eng.update(_track(p1, v1, 20.0), 20.0) == 1
    t_new = eng.next_intercept_t_s()
    p = make_interceptor()
    t_l = float(eng.in_flight.t_launch_s[0])

    def g(t):
        return (t - t_l) - float(p.time_of_flight_s(np.linalg.norm(p1 + v1 * (t - 20.0))))

    assert t_new == pytest.approx(brentq(g, 20.0, 200.0, xtol=1e-9), abs=1e-4)
    true_pos = p1 + v1 * (t_new - 20.0)
    pip = np.array([eng.in_flight.pip_e_m[0], eng.in_flight.pip_n_m[0], eng.in_flight.pip_u_m[0]])
    np.testing.assert_allclose(pip, true_pos, atol=0.05)
    assert np.linalg.norm(true_pos - np.array(sol.pip_m[0, 0, 0])) > 1e3  # old PIP was off


def test_midcourse_update_reads_the_last_live_row(make_interceptor):
    """Several rows of one track: the last one not deleted steers the interceptor; a
    track with only deleted rows, or another track, leaves the engagement alone."""
    from iadsim.frames import Tracks, TrackStatus

    eng, p0, v0, _, orders = _one_interceptor_in_flight(make_interceptor)
    p1, east = p0 + v0 * 20.0, np.array([250.0, 0.0, 0.0])
    turned, straight = _track(p1, east, 20.0), _track(p1, v0, 20.0)
    deleted = Tracks(**{**{c: getattr(turned, c) for c in Tracks.columns()},
                        "status": np.full(1, TrackStatus.DELETED, np.int8)})  # fmt: skip
    before = eng.in_flight
    assert eng.update(Tracks.concat([deleted, _track(p1, east, 20.0, tid=5)]), 20.0) == 0
    assert eng.in_flight is before
    ref = _stage(make_interceptor)
    ref.launch(orders)
    ref.update(turned, 20.0)
    assert eng.update(Tracks.concat([straight, turned, deleted]), 20.0) == 1
    assert eng.in_flight.to_arrow().equals(ref.in_flight.to_arrow())


def test_resolve_before_anything_is_due_changes_nothing(make_interceptor):
    """An intercept time a mid-course update has moved: no outcome, no draw, no event."""
    eng = _stage(make_interceptor)
    eng.launch(_orders(1, t_int=50.0))
    before = eng.in_flight
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    out, ev = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 49.0, rng)
    assert len(out) == 0 and len(ev) == 0
    assert rng.bit_generator.state == state
    assert eng.in_flight is before and eng.status(49.0).last_track_id.size == 0
    out, _ = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 50.0, rng)
    assert len(out) == 1 and eng.status(50.0).last_track_id.tolist() == [0]
