"""The tracker assembled from fake parts (tests/fakes.py): wiring, in milliseconds.

Every role of ``iadsim.tracking.roles`` is played by a fake whose behaviour is
predictable by hand, so these tests check what the tracker does with its parts
(prediction, gating, association, initiation, confirmation, deletion, ids), not
the numerics of any filter.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from fakes import NearestAssociator, SnapFilter
from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking import FilterState, Measurements, TrackerParts

R = np.eye(2) * 25.0  # 5 m measurement std per axis


def _scan(t: float, pos: np.ndarray) -> Measurements:
    return Measurements.cartesian(np.full(len(pos), t), pos, R)


def _truth(t: float) -> np.ndarray:
    """Two targets 20 km apart flying east and north at 200 m/s."""
    return np.array([[0.0 + 200.0 * t, 0.0], [20e3, 200.0 * t]])


def test_fake_tracker_confirms_follows_and_deletes(fake_parts: TrackerParts) -> None:
    tracker = fake_parts.build()
    out = [tracker.step_measurements(_scan(t, _truth(t)), t) for t in (0.0, 2.0, 4.0)]
    first, second, third = out
    assert set(first.status) == {TrackStatus.TENTATIVE}  # one hit: tentative
    assert set(second.status) == {TrackStatus.CONFIRMED}  # two hits: HitCountConfirmer(2)
    assert sorted(third.track_id) == [1, 2]  # same two tracks throughout, ids from 1
    # the snap filter puts positions on the measurements: exactly the truth here
    np.testing.assert_allclose(np.c_[third.e_m, third.n_m], _truth(4.0), atol=1e-9)
    # two looks without detections: MissCountDeleter(2) deletes both
    tracker.miss(6.0)
    gone = tracker.miss(8.0)
    assert tracker.n_tracks == 0
    assert set(gone.status) == {TrackStatus.DELETED}
    assert tracker.counters["confirmed"] == 2 and tracker.counters["deleted"] == 2


def test_fake_tracker_leaves_far_measurement_to_initiation(fake_parts: TrackerParts) -> None:
    tracker = fake_parts.build()
    tracker.step_measurements(_scan(0.0, _truth(0.0)), 0.0)
    far = np.vstack([_truth(2.0), [[-50e3, -50e3]]])  # a third plot far outside any gate
    out = tracker.step_measurements(_scan(2.0, far), 2.0)
    assert tracker.n_tracks == 3
    assert tracker.counters["initiated"] == 3 and tracker.counters["associated"] == 2
    assert (out.status == TrackStatus.TENTATIVE).sum() == 1


def test_one_fake_part_in_a_real_tracker_gives_the_same_tracks() -> None:
    """A greedy nearest-neighbour fake and GNN agree when no two tracks compete."""
    real = compile_tracker_parts(TrackerConfig(dims=2, filter={"kind": "kf"}))
    swapped = dataclasses.replace(real, associator=NearestAssociator())
    rng = np.random.default_rng(3)
    scans = [(2.0 * k, _truth(2.0 * k) + rng.normal(0.0, 5.0, (2, 2))) for k in range(8)]
    a, b = real.build(), swapped.build()
    for t, z in scans:
        ta, tb = a.step_measurements(_scan(t, z), t), b.step_measurements(_scan(t, z), t)
        np.testing.assert_array_equal(ta.track_id, tb.track_id)
        np.testing.assert_allclose(ta.e_m, tb.e_m, rtol=0, atol=1e-9)
    assert a.counters == b.counters


def test_snap_filter_in_a_real_tracker_snaps_positions() -> None:
    """A fake filter with the real gate, GNN, initiator, confirmer and deleter."""
    parts = dataclasses.replace(
        compile_tracker_parts(TrackerConfig(dims=2, filter={"kind": "kf"})), filter=SnapFilter()
    )
    tracker = parts.build()
    for t in (0.0, 2.0, 4.0, 6.0):
        out = tracker.step_measurements(_scan(t, _truth(t)), t)
    np.testing.assert_allclose(np.sort(out.e_m), np.sort(_truth(6.0)[:, 0]), atol=1e-9)
    assert (out.status == TrackStatus.CONFIRMED).all()  # 3-of-4 after four hits


def test_filter_state_rows_round_trip() -> None:
    rng = np.random.default_rng(0)
    s = FilterState(x=rng.random((5, 4)), P=rng.random((5, 4, 4)), xm=rng.random((5, 2, 4)),
                    Pm=rng.random((5, 2, 4, 4)), mu=rng.random((5, 2)))  # fmt: skip
    part = s.take(np.array([1, 3]))
    assert len(part) == 2 and part.mu is not None
    np.testing.assert_array_equal(part.Pm, s.Pm[[1, 3]])
    c = s.copy()
    c.put(np.array([0, 4]), part)
    np.testing.assert_array_equal(c.x[[0, 4]], s.x[[1, 3]])
    np.testing.assert_array_equal(c.mu[[0, 4]], s.mu[[1, 3]])
    np.testing.assert_array_equal(s.x[0], s.copy().x[0])  # the original is untouched
    assert not np.array_equal(c.x[0], s.x[0])
    both = s.append(part)
    assert len(both) == 7
    np.testing.assert_array_equal(both.xm[5:], part.xm)
    single = FilterState(x=s.x, P=s.P)
    assert single.take(np.array([0])).xm is None and len(single.append(single)) == 10
