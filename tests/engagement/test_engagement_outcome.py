"""Outcome draws, truth matching and the stage's magazine and channel bookkeeping."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import binomtest

from iadsim.engagement import Engagement, LauncherParams, resolve_intercepts
from iadsim.engagement.guidance import AcquisitionTable, GuidanceSupport
from iadsim.engagement.interceptors import InterceptorTable
from iadsim.engagement.outcome import draw_salvo, match_threats
from iadsim.frames import Orders, Tracks, Truth
from iadsim.picture import TrackPicture


class FlatPhysics:
    """Every threat a fighter with a constant RCS (a fake TargetPhysics)."""

    def __init__(self, rcs_dbsm: float = 0.0) -> None:
        self.rcs = rcs_dbsm

    def threat_class(self, threat_id):
        return np.zeros(np.shape(threat_id), dtype=np.int64)

    def rcs_dbsm(self, threat_id, truth, rows, from_m, frequency_hz):
        return np.full(np.shape(threat_id), self.rcs)


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
        t_s=z + t, threat_id=np.arange(n), e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2],
        ve_mps=z, vn_mps=z, vu_mps=z, alt_m=pos[:, 2],
        alive=np.ones(n, bool) if alive is None else np.asarray(alive),
    )  # fmt: skip


def _table(make_interceptor, **kw) -> InterceptorTable:
    return InterceptorTable.from_params([make_interceptor(**kw)])


def _resolve(orders, truth, rng, table, physics=None):
    n = len(orders)
    return resolve_intercepts(
        orders, truth, rng, table=table, launcher_pos_m=np.zeros((n, 3)),
        physics=physics or FlatPhysics(),
    )  # fmt: skip


@pytest.mark.parametrize(("pk", "p_acq", "rounds"), [(0.7, 1.0, 1), (0.85, 0.6, 1), (0.6, 1.0, 2),
                                                     (0.5, 0.5, 3)])  # fmt: skip
def test_kill_frequency_matches_pk_times_acquisition(make_interceptor, pk, p_acq, rounds):
    """Kill frequency within a 99% binomial test of 1 - (1 - Pk P_acq)^n (independent rounds)."""
    n = 4000
    acq = AcquisitionTable(pip_error_m=np.array([0.0, 1000.0]), rcs_dbsm=np.array([0.0]),
                           p=np.full((2, 1), p_acq), frequency_hz=10e9)  # fmt: skip
    table = _table(make_interceptor, pk=pk, acquisition=acq)
    pips = np.c_[np.arange(n) * 10e3, np.full(n, 30e3), np.full(n, 5e3)]
    orders = _orders(n, rounds=rounds)
    orders = Orders(**{**{c: getattr(orders, c) for c in Orders.columns()}, "pip_e_m": pips[:, 0]})
    out = _resolve(orders, _truth(pips), np.random.default_rng(2024), table)
    p_salvo = 1 - (1 - pk * p_acq) ** rounds
    assert binomtest(int(out.killed.sum()), n, p_salvo).pvalue > 0.01
    assert np.all(out.threat_id == np.arange(n))
    np.testing.assert_allclose(out.p_acquisition, p_acq)
    np.testing.assert_allclose(out.pk_table, pk)


def test_draw_salvo_two_draws_per_round():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    p_acq, pk = np.array([1.0, 0.5, 0.0]), np.array([0.5, 0.9, 1.0])
    n = np.array([1, 3, 2])
    acq, kills = draw_salvo(p_acq, pk, n, rng_a)
    u = rng_b.random((6, 2))
    a = u[:, 0] < np.repeat(p_acq, n)
    k = a & (u[:, 1] < np.repeat(pk, n))
    assert acq.tolist() == [a[0], a[1:4].any(), a[4:6].any()]
    assert kills.tolist() == [k[0], k[1:4].any(), k[4:6].any()]
    assert rng_a.random() == rng_b.random()  # exactly 2 * sum(n) draws consumed


def test_match_gate_and_dead_threats():
    pips = np.array([[0.0, 0.0, 0.0], [10e3, 0.0, 0.0], [20e3, 0.0, 0.0]])
    truth = np.array([[500.0, 0.0, 0.0], [11.5e3, 0.0, 0.0], [20e3, 10.0, 0.0]])
    idx, dist = match_threats(pips, truth, np.array([True, True, False]), 1000.0)
    assert idx.tolist() == [0, -1, -1]
    assert dist[0] == pytest.approx(500.0) and np.isinf(dist[1:]).all()


def test_basket_miss_and_first_kill_credited(make_interceptor):
    table = _table(make_interceptor, pk=1.0)  # certain acquisition inside 1 km
    orders = _orders(3)  # all three aimed at the same PIP
    truth = _truth(np.array([[0.0, 30e3, 5.2e3], [0.0, 90e3, 5e3]]))
    out = _resolve(orders, truth, np.random.default_rng(0), table)
    assert out.killed.tolist() == [True, False, False]
    assert out.reason.tolist() == ["", "target already destroyed", "target already destroyed"]
    far = _resolve(orders, _truth(np.array([[0.0, 40e3, 5e3]])), np.random.default_rng(0), table)
    assert not far.killed.any() and (far.threat_id == -1).all()
    assert set(far.reason.tolist()) == {"no threat in acquisition basket"}


def test_low_rcs_target_is_harder_to_acquire(catalog):
    """With the catalog's active-seeker table, the same PIP error gives a lower P_acq on a
    -30 dBsm target than on a 0 dBsm one (the F-35 vs F-16 effect), strictly."""
    acq = catalog["s400-medium-range-class"].acquisition
    d = np.array([250.0, 500.0, 1000.0])
    low, high = acq(d, np.full(3, -30.0)), acq(d, np.full(3, 0.0))
    assert np.all(low < high) and np.all(high <= 1.0) and np.all(low >= 0.0)
    assert acq(np.array([acq.basket_m + 1.0]), np.array([10.0]))[0] == 0.0


def _stage(make_interceptor, loadout=((2,),), reserve=((0,),), **kw) -> Engagement:
    lp = LauncherParams(
        launcher_id=np.array([10]), battery_id=np.array([0]), pos_m=np.zeros((1, 3)),
        loadout=np.array(loadout), reserve=np.array(reserve),
    )  # fmt: skip
    return Engagement(interceptors=[make_interceptor(**kw)], launchers=lp, fc_radar_id={0: 0})


def _picture(tracks: Tracks | None, t_s: float, *, fc_age_s: float = 0.0, deleted=None):
    tracks = Tracks.empty() if tracks is None else tracks
    n = len(tracks)
    return TrackPicture.of_tracks(
        tracks, t_s, battery_id=np.array([0]), fc_hold_s=np.array([5.0]),
        fc_last_hit_t_s=np.full((n, 1), t_s - fc_age_s), deleted=deleted,
    )  # fmt: skip


def test_launch_bookkeeping_and_magazine_empty(make_interceptor):
    eng = _stage(make_interceptor)
    ev = eng.launch(_orders(1, rounds=2), _picture(None, 0.0))
    assert eng.rounds[0, 0] == 0
    assert eng.ready_t_s[0] == pytest.approx(5.0 + 2 * 2.0)  # t_launch + n * launch_interval
    assert len(ev) == 0 and eng.next_launch_t_s() == 5.0  # launched at its launch time
    assert len(eng.log()) == 0  # not a salvo until it is launched
    ev = eng.commit_launches(5.0, np.array([0]))
    assert ev.kind.tolist() == ["launch", "magazine_empty"] and ev.t_s.tolist() == [5.0, 5.0]
    assert len(eng.in_flight) == 1 and eng.next_intercept_t_s() == 50.0
    assert len(eng.log()) == 1 and eng.next_launch_t_s() == np.inf
    with pytest.raises(ValueError, match="holds 0 rounds"):
        eng.launch(_orders(1, order0=1, track0=1), _picture(None, 0.0))


def test_order_whose_track_is_lost_before_launch_is_cancelled(make_interceptor):
    eng = _stage(make_interceptor, loadout=((4,),))
    eng.launch(_orders(2, rounds=2), _picture(None, 0.0))  # tracks 0 and 1, both at 5 s
    assert eng.rounds[0, 0] == 0
    ev = eng.commit_launches(5.0, np.array([1, 7]))  # track 0 was deleted meanwhile
    assert ev.kind.tolist() == ["cancel", "launch"]
    assert ev.order_id.tolist() == [0, 1] and ev.value.tolist() == [2.0, 2.0]
    assert ev.detail.tolist()[0] == "track lost before launch"
    assert eng.rounds[0, 0] == 2  # the cancelled rounds are back
    assert eng.in_flight.order_id.tolist() == [1]
    log = eng.log()
    assert log.order_id.tolist() == [1] and int(log.n_rounds.sum()) == 2


class _Held:
    """A fire-control book in which the engagement radar holds only ``tracks`` and some
    radar (any) holds ``tracks | also``."""

    def __init__(self, tracks: set[int], also: frozenset[int] = frozenset()) -> None:
        self.tracks, self.also, self.asked = tracks, also, []

    def holds(self, t_s: float, battery_id: int, track_id: int, any_radar: bool = False) -> bool:
        self.asked.append((t_s, battery_id, track_id, any_radar))
        return track_id in self.tracks or (any_radar and track_id in self.also)


@pytest.mark.parametrize("midcourse", ["fire_control", "any_track", "none"])
@pytest.mark.parametrize("terminal", ["fire_control", "autonomous"])
@pytest.mark.parametrize("other_radar_holds", [False, True])
def test_round_needs_what_guides_it_to_hold_the_track_at_launch(
    make_interceptor, midcourse, terminal, other_radar_holds
):
    """Launch commit: both tracks are firm, the engagement radar holds only track 1, and
    another radar also holds track 0 or not. A round is launched at track 0 only if
    what will guide it holds the track: any radar for a type any radar's track guides in
    mid-course, the engagement radar for the others; otherwise the order is cancelled
    and its rounds go back to the magazine (four S-400 batteries: a 40N6-class pair
    launched at a track started on an F-16 four-ship's plots that had left it and
    coasted 8 s unseen)."""
    sup = GuidanceSupport(midcourse=midcourse, terminal=terminal)
    eng = _stage(make_interceptor, loadout=((4,),), support=sup)
    eng.launch(_orders(2, rounds=2), _picture(None, 0.0))
    book = _Held({1}, frozenset({0}) if other_radar_holds else frozenset())
    ev = eng.commit_launches(5.0, np.array([0, 1]), fc=book)
    any_track = midcourse == "any_track"
    assert (5.0, 0, 0, any_track) in book.asked
    if any_track and other_radar_holds:
        assert ev.kind.tolist() == ["launch", "launch", "magazine_empty"]
        assert eng.log().order_id.tolist() == [0, 1]
        return
    assert ev.kind.tolist() == ["cancel", "launch"]
    why = "no current track at launch" if any_track else "no fire-control track at launch"
    assert ev.detail.tolist()[0] == why
    assert eng.rounds[0, 0] == 2 and eng.log().order_id.tolist() == [1]


def test_reload_from_reserve(make_interceptor):
    eng = _stage(make_interceptor, loadout=((2,),), reserve=((3,),))
    eng.launch(_orders(1, rounds=2), _picture(None, 0.0))
    eng.commit_launches(5.0, np.array([0]))
    assert eng.rounds[0, 0] == 2 and eng.reserve[0, 0] == 1
    assert eng.ready_t_s[0] == pytest.approx(5.0 + 600.0)  # reload_s after launch


def test_resolve_releases_channel_and_logs_outcome(make_interceptor):
    auto = GuidanceSupport(midcourse="none", terminal="autonomous")
    eng = _stage(make_interceptor, support=auto, pk=1.0)
    eng.launch(_orders(1, pk=1.0, rounds=1), _picture(None, 0.0))
    eng.commit_launches(5.0, np.array([0]))
    st = eng.status(0.0)
    assert st.in_flight_track_id.tolist() == [0] and st.in_flight_rounds.tolist() == [1]
    truth = _truth(np.array([[0.0, 30e3, 5e3]]), t=49.0)
    out, ev = eng.resolve(truth, 49.0, np.random.default_rng(1), FlatPhysics())
    assert len(out) == 0 and len(eng.in_flight) == 1  # not due yet
    out, ev = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 50.0, np.random.default_rng(1),
                          FlatPhysics())  # fmt: skip
    assert out.killed.tolist() == [True]
    assert ev.kind.tolist() == ["intercept", "kill"] and ev.threat_id.tolist() == [0, 0]
    st = eng.status(50.0)
    assert st.in_flight_track_id.size == 0
    assert st.last_track_id.tolist() == [0] and st.last_intercept_t_s.tolist() == [50.0]
    assert not hasattr(st, "last_killed")  # C2 is never told the outcome
    log = eng.log()
    assert log.outcome.tolist() == ["kill"] and log.threat_id_end.tolist() == [0]
    assert log.pk.tolist() == pytest.approx([1.0])


def test_terminal_fire_control_round_without_the_radar_is_aborted(make_interceptor):
    eng = _stage(make_interceptor, support=GuidanceSupport(terminal="fire_control", max_gap_s=5.0))
    eng.launch(_orders(1, pk=1.0), _picture(None, 0.0, fc_age_s=100.0))
    eng.commit_launches(5.0, np.array([0]))
    out, ev = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 50.0, np.random.default_rng(1),
                          FlatPhysics())  # fmt: skip
    assert len(out) == 0 and ev.kind.tolist() == ["abort"]
    log = eng.log()
    assert log.outcome.tolist() == ["aborted"]
    assert log.reason.tolist() == ["no terminal fire-control support"]


def test_resolve_before_anything_is_due_changes_nothing(make_interceptor):
    """An intercept time a mid-course update has moved: no outcome, no draw, no event."""
    eng = _stage(make_interceptor)
    eng.launch(_orders(1, t_int=50.0), _picture(None, 0.0))
    before = eng.in_flight
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    out, ev = eng.resolve(_truth(np.array([[0.0, 30e3, 5e3]])), 49.0, rng, FlatPhysics())
    assert len(out) == 0 and len(ev) == 0
    assert rng.bit_generator.state == state
    assert eng.in_flight is before and eng.status(49.0).last_track_id.size == 0


def test_interceptor_defaults_are_certain_acquisition(make_interceptor):
    p = make_interceptor()
    assert p.support == GuidanceSupport()
    assert dataclasses.replace(p).acquisition.basket_m == 1000.0
