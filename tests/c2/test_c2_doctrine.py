"""Doctrine behaviours through the wired C2 + Engagement stages."""

from __future__ import annotations

import numpy as np
from c2_helpers import PHYS, held, inbound, interceptor, make_tracks, truth_from_tracks, wire

from iadsim.c2 import FREE, HOLD, TIGHT, BatteryParams, DoctrineParams, SalvoFire, ShootLookShoot
from iadsim.c2.doctrine import reserve_rounds


def _bty(mode: str = "shoot-look-shoot", kill_assessment_s: float = 10.0,
         **kw) -> list[BatteryParams]:  # fmt: skip
    """One battery; ``mode`` names the firing mode (its settings: ``kill_assessment_s``)."""
    kw["mode"] = (
        SalvoFire() if mode == "salvo" else ShootLookShoot(kill_assessment_s=kill_assessment_s)
    )
    return [BatteryParams(battery_id=0, target_channels=20, missile_channels=40,
                          doctrine=DoctrineParams(**kw))]  # fmt: skip


def _raid(n: int = 6, seed: int = 0):
    pos, vel = inbound(n, np.random.default_rng(seed), r=(30e3, 60e3))
    return make_tracks(pos, vel)


def test_hold_never_fires():
    c2, eng = wire(batteries=_bty(authority=(HOLD,) * 4), n_launchers=6)
    tracks = _raid(10)
    for t in np.arange(0.0, 120.0, 5.0):
        assert len(c2.decide(held(tracks, float(t)), float(t))) == 0
    assert np.all(eng.rounds == 4)


def test_authority_per_class():
    c2, _ = wire(batteries=_bty(authority=(FREE, HOLD, HOLD, HOLD)), n_launchers=8)
    # tracks 0-2: fighters at 8 km; tracks 3-5: low (100 m) subsonic -> cruise missiles
    pos = np.array([[0, 40e3, 8e3], [30e3, 0, 8e3], [0, -40e3, 8e3],
                    [0, 30e3, 100.0], [-30e3, 0, 100.0], [20e3, 20e3, 100.0]])  # fmt: skip
    vel = -pos / np.linalg.norm(pos, axis=1, keepdims=True) * 240.0
    vel[:, 2] = 0.0
    orders = c2.decide(held(make_tracks(pos, vel), 0.0), 0.0)
    assert sorted(orders.track_id.tolist()) == [0, 1, 2]


def test_tight_needs_quality_and_stable_velocity():
    c2, _ = wire(batteries=_bty(authority=(TIGHT,) * 4, tight_min_quality=0.9,
                                tight_max_speed_sigma_mps=30.0), n_launchers=6)  # fmt: skip
    pos, vel = inbound(3, np.random.default_rng(1), r=(30e3, 50e3))
    good = make_tracks(pos[:1], vel[:1], quality=0.95, ids=[0])
    low_q = make_tracks(pos[1:2], vel[1:2], quality=0.5, ids=[1])
    noisy = make_tracks(pos[2:], vel[2:], quality=0.95, var_v=900.0, ids=[2])  # sigma 52 m/s
    tracks = type(good).concat([good, low_q, noisy])
    assert c2.decide(held(tracks, 0.0), 0.0).track_id.tolist() == [0]


def test_salvo_fires_k_rounds():
    c2, eng = wire(batteries=_bty(mode="salvo", salvo=3), n_launchers=4)
    orders = c2.decide(held(_raid(3), 0.0), 0.0)
    assert len(orders) == 3 and np.all(orders.n_rounds == 3)
    eng.launch(orders, c2.last_picture)
    assert eng.rounds.sum() == 16 - 9


def test_shoot_look_shoot_waits_for_kill_assessment():
    c2, eng = wire(batteries=_bty(kill_assessment_s=10.0), n_launchers=6)
    tracks = _raid(1)
    orders = c2.decide(held(tracks, 0.0), 0.0)
    assert len(orders) == 1 and orders.n_rounds[0] == 1
    eng.launch(orders, c2.last_picture)
    assert len(c2.decide(held(tracks, 1.0), 1.0)) == 0  # engagement in flight
    t_i = eng.next_intercept_t_s()
    miss_truth = truth_from_tracks(tracks, t_i, offset_m=5e3)  # threat 5 km off the PIP
    out, _ = eng.resolve(miss_truth, t_i, np.random.default_rng(0), PHYS)
    assert out.killed.tolist() == [False]
    assert len(c2.decide(held(tracks, t_i + 5.0), t_i + 5.0)) == 0  # still looking
    again = c2.decide(held(tracks, t_i + 10.0), t_i + 10.0)
    assert again.track_id.tolist() == [0]


def test_salvo_mode_reengages_without_look():
    c2, eng = wire(batteries=_bty(mode="salvo", salvo=2, kill_assessment_s=10.0), n_launchers=6)
    tracks = _raid(1)
    eng.launch(c2.decide(held(tracks, 0.0), 0.0), c2.last_picture)
    t_i = eng.next_intercept_t_s()
    eng.resolve(truth_from_tracks(tracks, t_i, offset_m=5e3), t_i, np.random.default_rng(0), PHYS)
    assert len(c2.decide(held(tracks, t_i + 0.5), t_i + 0.5)) == 1


def test_kill_assessment_reads_the_picture_not_the_outcome():
    """After an intercept, a target no longer seen (no detection since) is presumed killed
    and not engaged again; a track still updated shows a survivor (e.g. the second
    aircraft of a merged pair) and is engaged again, whatever the draw said."""
    c2, eng = wire(types=[interceptor(pk=1.0)], batteries=_bty(kill_assessment_s=0.0))
    tracks = _raid(1)
    eng.launch(c2.decide(held(tracks, 0.0), 0.0), c2.last_picture)
    t_i = eng.next_intercept_t_s()
    out, _ = eng.resolve(truth_from_tracks(tracks, t_i), t_i, np.random.default_rng(0), PHYS)
    assert out.killed.tolist() == [True]
    gone = held(tracks, t_i + 20.0, last_hit_t_s=t_i - 1.0)
    assert len(c2.decide(gone, t_i + 20.0)) == 0
    still_seen = held(tracks, t_i + 20.0, last_hit_t_s=t_i + 19.0)
    assert c2.decide(still_seen, t_i + 20.0).track_id.tolist() == [0]


def test_no_fire_control_track_no_launch():
    """A track the battery's engagement radar has not updated twice within its hold time
    is never engaged, however threatening."""
    c2, _ = wire(n_launchers=6)
    tracks = _raid(4)
    assert len(c2.decide(held(tracks, 0.0, fc_age_s=60.0), 0.0)) == 0
    assert len(c2.decide(held(tracks, 0.0), 0.0)) == 4


def _reserve_run(site_value: float) -> int:
    """Fire at a stream of tracks for 10 cycles; return rounds left on the launcher."""
    lr = interceptor("long", max_range_m=200e3)
    c2, eng = wire(
        types=[lr], loadout=np.array([[4]]), site_value=(site_value,),
        batteries=_bty(reserve_fraction=0.5, reserve_min_range_m=150e3, reserve_min_value=5.0,
                       kill_assessment_s=0.0),
    )  # fmt: skip
    for cycle in range(10):
        t = 20.0 * cycle
        pos, vel = inbound(1, np.random.default_rng(cycle), r=(60e3, 80e3))
        orders = c2.decide(held(make_tracks(pos, vel, t_s=t, ids=[cycle]), t), t)
        eng.launch(orders, c2.last_picture)
        eng.resolve(truth_from_tracks(make_tracks(pos, vel, t_s=t), t + 1e3, 9e3), t + 1e3,
                    np.random.default_rng(cycle), PHYS)  # fmt: skip
    return int(eng.rounds[0, 0])


def test_reserve_fraction_respected():
    # threat value < 1 (site value 1): the 2 reserved rounds (ceil(0.5 * 4)) stay
    assert _reserve_run(site_value=1.0) == 2
    # threat value well above reserve_min_value: the reserve may be fired
    assert _reserve_run(site_value=100.0) == 0


def test_reserve_rounds_only_long_range_types():
    d = DoctrineParams(reserve_fraction=0.3, reserve_min_range_m=150e3)
    got = reserve_rounds(np.array([[4, 8], [2, 0]]), np.array([200e3, 40e3]), d)
    assert got.tolist() == [[2, 0], [1, 0]]


def test_outside_envelope_never_ordered():
    c2, _ = wire(n_launchers=4)  # 1-100 km, 10 m - 25 km
    pos = np.array([[0, 40e3, 30e3], [0, 5e3, -5.0], [0, 300e3, 8e3]])
    vel = np.array([[0, -250.0, 0], [0, -60.0, 0], [0, -250.0, 0]])  # above, below, too far
    assert len(c2.decide(held(make_tracks(pos, vel), 0.0), 0.0)) == 0
