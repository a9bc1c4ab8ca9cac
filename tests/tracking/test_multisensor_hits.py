"""A firm track's hit counts whichever radar scored it: a track updated by a sensor that
had not held it before has that hit recorded (history, time of the last hit, misses),
not only its state moved. Before 2026-12-06 the management step recorded the ``seen``
rows only (tracks the look's own sensor held), so another radar's first plot of a
track moved its state but left its time of last hit as it was, and the track could be
deleted for coasting just after that radar updated it. A tentative track's history
counts the looks of the sensors that hold it (tracking.lifecycle's module doc)."""

from __future__ import annotations

import numpy as np
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import (
    DeletionConfig,
    MOfNConfig,
    TrackerConfig,
    compile_tracker,
)

SENSORS = (np.array([0.0, 0.0, 10.0]), np.array([30e3, -10e3, 10.0]))
SIG = (50.0, 2e-3, 2e-3)  # range m, az and el rad


def _look(sensor: int, t: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """One plot of a target at (60, 40, 6) km flying 200 m/s east, from ``sensor``."""
    pos = np.array([[60e3 + 200.0 * t, 40e3, 6e3]])
    return polar_detections(np.full(1, t), pos, SENSORS[sensor], SIG, rng, radar_id=sensor)


def _tracker(max_coast_s: float = 30.0):  # type: ignore[no-untyped-def]
    cfg = TrackerConfig(
        initiation=MOfNConfig(m=2, n=3), deletion=DeletionConfig(max_coast_s=max_coast_s)
    )
    return compile_tracker(cfg)


def test_tentative_track_confirms_on_the_looks_of_the_radars_holding_it() -> None:
    """2-of-3: radar 0 starts the track; radar 1's first plot of it updates it (one
    association) and enrols radar 1 without counting, so the track is still tentative;
    radar 1's next plot is its second counted hit and confirms it."""
    for seed in range(10):
        rng = np.random.default_rng(seed)
        tr = _tracker()
        tr.step(_look(0, 0.0, rng), 0.0, sensor_id=0)
        out = tr.step(_look(1, 1.0, rng), 1.0, sensor_id=1)
        assert tr.counters["associated"] == 1, seed
        assert list(out.status) == [TrackStatus.TENTATIVE], (seed, out.status)
        out = tr.step(_look(1, 2.0, rng), 2.0, sensor_id=1)
        assert tr.counters["initiated"] == 1, seed
        assert list(out.status) == [TrackStatus.CONFIRMED], (seed, out.status)


def test_first_hit_of_another_radar_resets_the_coasting_time() -> None:
    """Radar 0 confirms the track (plots at 0 and 2 s), radar 1's first plot of it comes
    at 9 s, radar 0 misses it at 12 s. With an 8 s coasting limit the track lives (last
    hit 3 s ago); before, radar 1's first hit was not recorded and the track was deleted
    for coasting 10 s although radar 1 had just updated it."""
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        tr = _tracker(max_coast_s=8.0)
        for t in (0.0, 2.0):
            tr.step(_look(0, t, rng), t, sensor_id=0)
        tr.step(_look(1, 9.0, rng), 9.0, sensor_id=1)
        tr.miss(12.0, sensor_id=0)
        assert tr.counters["associated"] == 2, seed  # (radar 1's plot updated the track)
        assert tr.counters["deleted"] == 0, seed
        assert tr.n_tracks == 1, seed
