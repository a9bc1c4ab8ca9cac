"""A track on which a salvo has just intercepted awaits kill assessment
(iadsim.engagement.flight, steps 1 and 1b): until a detection updates it again, the
aircraft is presumed killed, so a second salvo flying on that track turns to a free
track within its gate (the unengaged wingman), and C2 does not read that wingman as a
free target for a new salvo. Found in patriot seed 9501: salvo 3 stayed on the track
of an aircraft salvo 0 had just killed while C2 fired a fresh salvo at the wingman;
that salvo's track coasted out and its two rounds self-destructed."""

from __future__ import annotations

import numpy as np
from c2_helpers import PHYS, held, interceptor, make_tracks, truth_from_tracks, wire

from iadsim.engagement.guidance import GuidanceSupport
from iadsim.frames import Tracks
from iadsim.picture import TrackPicture

TVM = GuidanceSupport(midcourse="fire_control", terminal="fire_control", max_gap_s=10.0)
VEL = (0.0, -250.0, 0.0)


def _tracks(t_s: float, offsets_m: list[float], ids: list[int]) -> Tracks:
    """Tracks on the straight line of the formation, offset east by ``offsets_m``."""
    north = 40e3 - 250.0 * t_s
    pos = np.array([[off, north, 5e3] for off in offsets_m])
    return make_tracks(pos, np.tile(VEL, (len(ids), 1)), t_s=t_s, ids=ids)


def _picture(tracks: Tracks, t_s: float, last_hit_t_s: list[float], deleted=None) -> TrackPicture:
    n = len(tracks)
    fc = np.full((n, 1), t_s)
    return TrackPicture.of_tracks(
        tracks, t_s, battery_id=np.array([0]), fc_hold_s=np.array([5.0]),
        last_hit_t_s=np.asarray(last_hit_t_s, dtype=float), fc_last_hit_t_s=fc,
        fc_prev_hit_t_s=fc - 1.0, deleted=deleted,
    )  # fmt: skip


def _cycle(c2, eng, picture: TrackPicture) -> list[int]:
    eng.maintain(picture)
    orders = c2.decide(picture, picture.t_s)
    eng.launch(orders, picture)
    eng.commit_launches(picture.t_s + 30.0, picture.tracks.track_id)
    return sorted(orders.track_id.tolist())


def _first_intercepted_on_merged_track(split_before: bool = False):
    """Aircraft A (track 0) engaged at 0 s, its wingman B (track 1, 600 m east) at 4 s;
    both in the air (launched after the 5 s reaction), both tracks lost at 12 s, one
    track (2) on the pair carries both salvos. Salvo X
    (on A) intercepts first. Returns C2, the engagement stage and X's intercept time,
    with Y still flying on track 2 (``split_before``: on track 4, B's own track again
    a second before X's intercept)."""
    c2, eng = wire(types=[interceptor(support=TVM)])
    assert _cycle(c2, eng, held(_tracks(0.0, [0.0], [0]), 0.0, batteries=(0,))) == [0]
    t = 4.0
    assert _cycle(c2, eng, _picture(_tracks(t, [0.0, 600.0], [0, 1]), t, [t, t])) == [1]
    t = 12.0
    gone = _tracks(t - 1.0, [0.0, 600.0], [0, 1])
    merged = _picture(_tracks(t, [300.0], [2]), t, [t], deleted=gone)
    assert _cycle(c2, eng, merged) == []
    assert eng.status(t).in_flight_track_id.tolist() == [2, 2]
    t_x = eng.next_intercept_t_s()
    assert np.isfinite(t_x) and eng.in_flight.t_intercept_s.max() > t_x + 1.0
    t = t_x - 1.0  # the engagement radar still holds the pair's track (and B's)
    pair = _tracks(t, [0.0, 600.0], [2, 4]) if split_before else _tracks(t, [300.0], [2])
    assert _cycle(c2, eng, _picture(pair, t, [t] * len(pair))) == []
    t_x = eng.next_intercept_t_s()
    truth = truth_from_tracks(_tracks(t_x, [0.0, 600.0], [0, 1]), t_x)
    eng.resolve(truth, t_x, np.random.default_rng(0), PHYS)
    assert eng.log().outcome.tolist()[0] in ("kill", "miss")  # X reached its intercept
    assert eng.status(t_x).in_flight_track_id.tolist() == [4 if split_before else 2]  # Y
    return c2, eng, t_x


def test_second_salvo_turns_to_the_wingman_while_the_first_kill_is_assessed() -> None:
    c2, eng, t_x = _first_intercepted_on_merged_track()
    t = t_x + 0.5
    tracks = _tracks(t, [0.0, 600.0], [2, 3])  # the pair resolved again: track 3 on B
    picture = _picture(tracks, t, [t_x - 0.5, t])  # track 2 not seen since the intercept
    assert _cycle(c2, eng, picture) == []  # B is engaged by Y: no new salvo
    assert eng.status(t).in_flight_track_id.tolist() == [3]


def test_second_salvo_stays_when_its_aircraft_is_seen_after_the_intercept() -> None:
    """Track 2 updated after the intercept: its aircraft survived, Y keeps flying at it
    (and the wingman's track is a free target)."""
    _c2, eng, t_x = _first_intercepted_on_merged_track()
    t = t_x + 0.5
    tracks = _tracks(t, [0.0, 600.0], [2, 3])
    picture = _picture(tracks, t, [t_x + 0.2, t])
    eng.maintain(picture)
    assert eng.status(t).in_flight_track_id.tolist() == [2]


def test_no_salvo_is_handed_to_a_track_awaiting_assessment_when_a_free_one_is_near() -> None:
    """Y flies on B's track 4, lost right after X's intercept on track 2; the successor
    candidates are track 2 (awaiting assessment, nearer to 4's last estimate) and a
    fresh track on B: Y goes to the fresh track."""
    _c2, eng, t_x = _first_intercepted_on_merged_track(split_before=True)
    t = t_x + 0.5
    gone = _tracks(t_x, [600.0], [4])
    tracks = _tracks(t, [350.0, 900.0], [2, 6])
    eng.maintain(_picture(tracks, t, [t_x - 0.5, t], deleted=gone))
    assert eng.status(t).in_flight_track_id.tolist() == [6]
