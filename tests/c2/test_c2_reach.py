"""A salvo flying without fire-control support keeps the targets within its reach
engaged (iadsim.engagement.flight, step 4): a fresh track on the aircraft it flies
towards is not engaged a second time until the salvo is handed over or aborted. A
fresh track its own engagement radar holds takes the salvo over (step 2): support is
per aircraft, not per track id."""

from __future__ import annotations

import dataclasses

import numpy as np
from c2_helpers import held, interceptor, make_tracks, wire

from iadsim.c2.stage import BatteryParams
from iadsim.engagement.guidance import GuidanceSupport
from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2
from iadsim.frames import Tracks, TrackStatus
from iadsim.picture import TrackPicture

TVM = GuidanceSupport(midcourse="fire_control", terminal="fire_control", max_gap_s=10.0)
VEL = (0.0, -250.0, 0.0)


def _picture(tracks: Tracks, t_s: float, fc_age_s: np.ndarray) -> TrackPicture:
    """``tracks`` at ``t_s``; the engagement radar last updated track k ``fc_age_s[k]`` ago."""
    fc = t_s - np.asarray(fc_age_s, dtype=float)[:, None]
    return TrackPicture.of_tracks(
        tracks, t_s, battery_id=np.array([0]), fc_hold_s=np.array([5.0]),
        fc_last_hit_t_s=fc, fc_prev_hit_t_s=fc - 1.0,
    )  # fmt: skip


def _tracks(t_s: float, offsets_m: list[float], ids: list[int]) -> Tracks:
    """Tracks on the straight line of the first target, offset east by ``offsets_m``."""
    north = 40e3 - 250.0 * t_s
    pos = np.array([[off, north, 5e3] for off in offsets_m])
    return make_tracks(pos, np.tile(VEL, (len(ids), 1)), t_s=t_s, ids=ids)


def _picture2(tracks: Tracks, t_s: float, fc_age_s: np.ndarray) -> TrackPicture:
    """``tracks`` at ``t_s`` with two batteries; battery b's engagement radar last updated
    track k ``fc_age_s[k, b]`` ago."""
    fc = t_s - np.asarray(fc_age_s, dtype=float)
    return TrackPicture.of_tracks(
        tracks, t_s, battery_id=np.array([0, 1]), fc_hold_s=np.array([5.0, 5.0]),
        fc_last_hit_t_s=fc, fc_prev_hit_t_s=fc - 1.0,
    )  # fmt: skip


def _engaged_first(t_s: float = 0.0, **kw):
    c2, eng = wire(types=[interceptor(support=TVM)], **kw)
    first = _tracks(t_s, [0.0], [0])
    picture = held(first, t_s, batteries=(0,))
    orders = c2.decide(picture, t_s)
    assert orders.track_id.tolist() == [0]
    eng.launch(orders, picture)
    return c2, eng


def _two_batteries():
    bats = [BatteryParams(battery_id=b, target_channels=6, missile_channels=12) for b in (0, 1)]
    return _engaged_first(batteries=bats, battery_of=np.array([0, 0, 1, 1]))


def _cycle(c2, eng, picture: TrackPicture) -> list[int]:
    eng.maintain(picture)
    orders = c2.decide(picture, picture.t_s)
    eng.launch(orders, picture)
    return sorted(orders.track_id.tolist())


def test_fresh_track_within_reach_of_unsupported_salvo_is_not_engaged() -> None:
    c2, eng = _two_batteries()
    # track 0 is no longer updated by battery 0's engagement radar; a fresh track 600 m
    # from it (the same aircraft, tracked afresh) that only battery 1's radar holds (it
    # cannot carry battery 0's salvo), and one 20 km away that both hold, appear
    t = 6.0
    tracks = _tracks(t, [0.0, 600.0, 20e3], [0, 1, 2])
    picture = _picture2(tracks, t, fc_age_s=np.array([[6.0, 6.0], [6.0, 0.0], [0.0, 0.0]]))
    assert _cycle(c2, eng, picture) == [2]  # the far one only
    assert 1 in eng.status(t).in_flight_reach_track_id.tolist()
    assert 2 not in eng.status(t).in_flight_reach_track_id.tolist()


def test_reach_ends_when_the_salvo_is_aborted() -> None:
    c2, eng = _two_batteries()
    orders: list[int] = []
    for t in np.arange(2.0, 30.0, 2.0):
        tracks = _tracks(float(t), [0.0, 600.0], [0, 1])
        ages = np.array([[t + 10.0, t + 10.0], [t + 10.0, 0.0]])
        orders += _cycle(c2, eng, _picture2(tracks, float(t), fc_age_s=ages))
    log = eng.log()
    assert log.outcome.tolist()[0] == "aborted"
    abort_t = float(log.t_end_s[0])
    assert orders == [1]  # engaged once, after the abort
    ordered_at = float(eng.log().t_order_s[1])
    assert ordered_at >= abort_t


def test_salvo_moves_to_the_fire_control_track_of_its_aircraft() -> None:
    """The engagement radar's plots leave the salvo's track for a fresh track of their
    own 600 m away (the same aircraft): the salvo in the air is handed to that track
    (step 2) and flies on supported; it is not aborted, and the fresh track is not
    engaged a second time."""
    c2, eng = _engaged_first()
    orders: list[int] = []
    for t in np.arange(6.0, 40.0, 2.0):
        tracks = _tracks(float(t), [0.0, 600.0, 20e3], [0, 1, 2])
        orders += _cycle(c2, eng, _picture(tracks, float(t), fc_age_s=np.array([t, 0.0, 0.0])))
        assert 1 in eng.status(float(t)).in_flight_track_id.tolist() or eng.log().t_end_s[0] <= t
    log = eng.log()
    assert log.track_id_end.tolist()[0] == 1 and log.n_handovers.tolist()[0] == 1
    assert log.outcome.tolist()[0] != "aborted"
    assert orders == [2]


def test_supported_salvo_reaches_nothing_beyond_its_own_target() -> None:
    c2, eng = _engaged_first()
    t = 4.0
    tracks = _tracks(t, [0.0, 600.0], [0, 1])
    picture = _picture(tracks, t, fc_age_s=np.array([0.0, 0.0]))
    assert _cycle(c2, eng, picture) == [1]  # two aircraft both tracked: both engaged
    assert eng.status(t).in_flight_reach_track_id.size == 0


def test_lost_track_salvo_reaches_the_tracks_near_its_last_estimate() -> None:
    c2, eng = _engaged_first()
    t = 3.0
    gone = _tracks(2.0, [0.0], [0])
    tracks = _tracks(t, [500.0], [1])
    fc = np.array([[t]])
    picture = TrackPicture.of_tracks(
        tracks, t, battery_id=np.array([0]), fc_hold_s=np.array([5.0]), fc_last_hit_t_s=fc,
        fc_prev_hit_t_s=fc - 1.0, deleted=gone,
    )  # fmt: skip
    eng.maintain(picture)  # track 1 is firm: the salvo is handed over to it
    assert eng.status(t).in_flight_track_id.tolist() == [1]
    assert c2.decide(picture, t).track_id.size == 0


def test_rounds_of_lost_formation_tracks_spread_over_the_aircraft_still_tracked() -> None:
    """Two salvos whose tracks are both lost, two firm tracks near them: each salvo is
    handed to its own aircraft, not both to the one nearest to both estimates."""
    c2, eng = wire(types=[interceptor(support=TVM)])
    first = _tracks(0.0, [0.0, 600.0], [0, 1])
    picture = held(first, 0.0, batteries=(0,))
    orders = c2.decide(picture, 0.0)
    assert sorted(orders.track_id.tolist()) == [0, 1]
    eng.launch(orders, picture)
    eng.commit_launches(float(orders.t_launch_s.max()), np.array([0, 1]))
    t = 6.0
    fc = np.array([[t], [t]])
    picture = TrackPicture.of_tracks(
        _tracks(t, [300.0, 1000.0], [2, 3]), t, battery_id=np.array([0]),
        fc_hold_s=np.array([5.0]), fc_last_hit_t_s=fc, fc_prev_hit_t_s=fc - 1.0,
        deleted=_tracks(t - 1.0, [0.0, 600.0], [0, 1]),
    )  # fmt: skip
    ev = eng.maintain(picture)
    assert sorted(ev.track_id[ev.kind == "handover"].tolist()) == [2, 3]
    assert sorted(eng.status(t).in_flight_track_id.tolist()) == [2, 3]


def _two_salvos_on_one_merged_track():
    """Two aircraft 600 m apart engaged on their own tracks; both tracks lost, one
    track left on the pair: both salvos (in the air) fly on it."""
    c2, eng = wire(types=[interceptor(support=TVM)])
    picture = held(_tracks(0.0, [0.0, 600.0], [0, 1]), 0.0, batteries=(0,))
    orders = c2.decide(picture, 0.0)
    eng.launch(orders, picture)
    eng.commit_launches(float(orders.t_launch_s.max()), np.array([0, 1]))
    t = 6.0
    picture = TrackPicture.of_tracks(
        _tracks(t, [300.0], [2]), t, battery_id=np.array([0]), fc_hold_s=np.array([5.0]),
        fc_last_hit_t_s=np.array([[t]]), fc_prev_hit_t_s=np.array([[t - 1.0]]),
        deleted=_tracks(t - 1.0, [0.0, 600.0], [0, 1]),
    )  # fmt: skip
    eng.maintain(picture)
    assert eng.status(t).in_flight_track_id.tolist() == [2, 2]
    return c2, eng


def test_salvos_merged_on_one_track_spread_when_the_formation_splits_again() -> None:
    """The pair is resolved again (tracks 2 and 3): one salvo moves to track 3, and C2
    sees both aircraft engaged (no new salvo); a track 20 km away is not a place to
    move to, and is the only one C2 engages."""
    c2, eng = _two_salvos_on_one_merged_track()
    t = 8.0
    tracks = _tracks(t, [0.0, 600.0, 20e3], [2, 3, 4])
    ev_orders = _cycle(c2, eng, _picture(tracks, t, fc_age_s=np.zeros(3)))
    assert sorted(eng.status(t).in_flight_track_id.tolist())[:2] == [2, 3]
    assert ev_orders == [4]


def test_salvos_merged_on_one_track_stay_when_no_free_track_is_near() -> None:
    _c2, eng = _two_salvos_on_one_merged_track()
    t = 8.0
    tracks = _tracks(t, [300.0, 20e3], [2, 4])
    ev = eng.maintain(_picture(tracks, t, fc_age_s=np.zeros(2)))
    assert int((ev.kind == "handover").sum()) == 0
    assert eng.status(t).in_flight_track_id.tolist() == [2, 2]


def test_duplicate_of_a_coasting_engaged_track_is_not_engaged() -> None:
    """Doctrine per target counts every track of the picture: the salvo's own track is
    coasting (C2 does not assess it) while a near-duplicate 40 m away is confirmed; the
    target is engaged all the same (saturation seed 9302 ordered a second salvo here)."""

    c2, eng = _engaged_first()
    t = 4.0
    tracks = _tracks(t, [0.0, 40.0], [0, 1])
    tracks = dataclasses.replace(
        tracks, status=np.array([TrackStatus.COASTING, TrackStatus.CONFIRMED], dtype=np.int8)
    )
    picture = _picture(tracks, t, fc_age_s=np.array([1.0, 0.0]))
    assert picture.group[0] == picture.group[1]  # one target to the defender
    assert eng.status(t).in_flight_track_id.tolist() == [0]  # supported: no reach
    assert _cycle(c2, eng, picture) == []
    # the same picture with the duplicate far away is another target, and engaged
    far = dataclasses.replace(_tracks(t, [0.0, 20e3], [0, 1]), status=tracks.status)
    assert _cycle(c2, eng, _picture(far, t, fc_age_s=np.array([1.0, 0.0]))) == [1]


def test_new_track_where_a_break_turn_could_have_taken_the_aircraft_is_within_reach() -> None:
    """Random scenario seed 109 with four batteries: a fighter's break turn lost its
    engaged track and a new track started on it 5.8 km off the old track's
    extrapolation, outside the salvo's handover gate; C2 engaged it 4 s before the
    salvo was aborted. A track that entered the picture after the salvo last had
    support and lies within the manoeuvre envelope of the 10 s since the lost track's
    last detection (9 g: 4.4 km) now counts as engaged; an older track at the same
    distance, and a new one beyond the envelope, do not."""
    c2, eng = _engaged_first()
    t = 2.0  # the salvo is supported; track 2 is in the picture (not a fire-control track)
    picture = _picture(_tracks(t, [0.0, -3e3], [0, 2]), t, fc_age_s=np.array([0.0, np.inf]))
    assert _cycle(c2, eng, picture) == []
    t = 12.0  # track 0 not detected since 2 s; tracks 1 and 3 are new
    tracks = _tracks(t, [0.0, 3e3, -3e3, 8e3], [0, 1, 2, 3])
    picture = TrackPicture.of_tracks(
        tracks, t, battery_id=np.array([0]), fc_hold_s=np.array([5.0]),
        last_hit_t_s=np.array([2.0, t, t, t]), fc_last_hit_t_s=np.array([[2.0], [t], [t], [t]]),
        fc_prev_hit_t_s=np.array([[1.0], [t - 1], [t - 1], [t - 1]]),
    )  # fmt: skip
    assert _cycle(c2, eng, picture) == [2, 3]
    reach = eng.status(t).in_flight_reach_track_id.tolist()
    assert 1 in reach and 2 not in reach and 3 not in reach
    # the same picture with track 0 detected just now, or with no manoeuvre assumed
    # (engagement.reacquire_max_load_g: 0): the handover gate only, track 1 engaged
    fresh = dataclasses.replace(picture, last_hit_t_s=np.full(4, t))
    for pic, accel in ((fresh, REACQUIRE_ACCEL_MPS2), (picture, 0.0)):
        c2, eng = _engaged_first(reacquire_accel_mps2=accel)
        first = _picture(_tracks(2.0, [0.0, -3e3], [0, 2]), 2.0, fc_age_s=np.array([0.0, np.inf]))
        assert _cycle(c2, eng, first) == []
        assert _cycle(c2, eng, pic) == [1, 2, 3]
