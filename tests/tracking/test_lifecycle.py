"""The management step after a look (tracking/lifecycle.py): hits and misses recorded,
confirmation, coasting and deletion applied to the store in place."""

from __future__ import annotations

import numpy as np

from iadsim.frames import TrackStatus
from iadsim.tracking.lifecycle import manage
from iadsim.tracking.management import Deleter, MOfN, TrackBook
from iadsim.tracking.roles import FilterState
from iadsim.tracking.store import TrackStore


def _store(status: list[int]) -> TrackStore:
    """Tracks 1..n of the given status, born at 0 s with one hit (sensor 0)."""
    n = len(status)
    store = TrackStore(FilterState(x=np.zeros((0, 4)), P=np.zeros((0, 4, 4))))
    book = TrackBook.new(np.arange(1, n + 1, dtype=np.int64), 0.0, 0.0, sensor_bits=1)
    book.status[:] = status
    x = np.arange(4 * n, dtype=float).reshape(n, 4)
    store.append(FilterState(x=x, P=np.tile(np.eye(4), (n, 1, 1))), book)
    return store


def test_hits_confirm_misses_coast_and_drop() -> None:
    """2-of-3: a tentative track hit again is confirmed, one missed twice is dropped
    (its row returned as deleted), a firm track seen without a hit coasts, and a track
    not seen keeps its status."""
    T, C = TrackStatus.TENTATIVE, TrackStatus.CONFIRMED
    store = _store([T, T, C, C])
    rule, deleter = MOfN(m=2, n=3), Deleter(max_misses=5)
    hit = np.array([True, False, False, False])
    seen = np.array([True, True, True, False])
    done = manage(store, rule, deleter, 2, 1.0, seen, hit, np.zeros(4), sensor=0)
    assert done.confirmed == 1 and done.gone is None
    np.testing.assert_array_equal(store.book.status, [C, T, TrackStatus.COASTING, C])
    np.testing.assert_array_equal(store.book.misses, [0, 1, 1, 0])
    done = manage(store, rule, deleter, 2, 2.0, seen, np.zeros(4, bool), np.zeros(4), sensor=0)
    assert done.confirmed == 0 and done.gone is not None
    np.testing.assert_array_equal(done.gone.track_id, [2])  # 1 hit of 3: cannot reach 2
    np.testing.assert_array_equal(done.gone.status, [TrackStatus.DELETED])
    np.testing.assert_array_equal(done.gone.x, [[4.0, 5.0, 6.0, 7.0]])  # its last state
    np.testing.assert_array_equal(store.book.track_id, [1, 3, 4])


def test_held_hit_is_counted_not_confirmed() -> None:
    """A tentative track's ``hold`` hit (ambiguous) counts in its history but does not
    confirm it on this look."""
    store = _store([TrackStatus.TENTATIVE])
    one = np.ones(1, bool)
    done = manage(store, MOfN(m=2, n=3), Deleter(), 2, 1.0, one, one, np.zeros(1), hold=one)
    assert done.confirmed == 0
    assert store.book.status[0] == TrackStatus.TENTATIVE
    assert int(store.book.hist[0]) == 0b11


def test_coast_time_deletes_tracks_no_look_saw() -> None:
    """The deleter's coasting limit applies to every live track, seen or not."""
    store = _store([TrackStatus.CONFIRMED, TrackStatus.CONFIRMED])
    store.book.t_hit_s[1] = 9.0
    none = np.zeros(2, bool)
    done = manage(store, MOfN(), Deleter(max_coast_s=5.0), 2, 10.0, none, none, np.zeros(2))
    assert done.gone is not None
    np.testing.assert_array_equal(done.gone.track_id, [1])
    np.testing.assert_array_equal(store.book.track_id, [2])


def test_hit_of_a_firm_row_not_seen_is_recorded() -> None:
    """A hit by a sensor that does not hold the track (``hit`` but not ``seen``) is
    recorded for a firm track (history, age, last-hit time, misses), not for a
    tentative one (its history counts the looks of the sensors holding it); a row
    neither seen nor hit is left alone."""
    C, T = TrackStatus.CONFIRMED, TrackStatus.TENTATIVE
    store = _store([C, T, C])
    store.book.misses[:] = 2
    hit, seen = np.array([True, True, False]), np.zeros(3, bool)
    manage(store, MOfN(m=3, n=4), Deleter(), 2, 4.0, seen, hit, np.zeros(3), sensor=1)
    np.testing.assert_array_equal(store.book.hist, [0b11, 0b1, 0b1])
    np.testing.assert_array_equal(store.book.age, [2, 1, 1])
    np.testing.assert_array_equal(store.book.t_hit_s, [4.0, 0.0, 0.0])
    np.testing.assert_array_equal(store.book.misses, [0, 2, 2])
    np.testing.assert_array_equal(store.book.status, [C, T, C])
