"""No confirmation on an ambiguous hit (``TrackerParts.confirm_on_ambiguous=False``).

In a formation a new track's gate holds the neighbours' plots; counted as confirming
hits they let a track walk along the formation with a false velocity (the default
preset's F-16-class four-ship, patriot-vs-mixed-raid seed 9312). The rule must mark
exactly the crowded gates, change nothing where no gate is crowded, and still let
the members of a formation get their own confirmed tracks.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking.gating import GatedPairs, ambiguous_rows
from iadsim.tracking.tracker import Tracker

SENSOR = np.array([0.0, 0.0, 10.0])


def _pairs(ti: list[int], di: list[int]) -> GatedPairs:
    return GatedPairs(
        ti=np.asarray(ti, dtype=np.int64), di=np.asarray(di, dtype=np.int64), inn=cast(Any, None)
    )


def test_ambiguous_rows_marks_crowded_gates_and_shared_plots() -> None:
    # track 0: two plots in its gate; tracks 1 and 2 share plot 2; track 3 alone with
    # plot 3; track 4 gated nothing
    got = ambiguous_rows(_pairs([0, 0, 1, 2, 3], [0, 1, 2, 2, 3]), 5, 4)
    assert got.tolist() == [True, True, True, False, False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=20, unique=True))
def test_ambiguous_rows_equals_a_plain_reading_of_the_rule(pairs: list[tuple[int, int]]) -> None:
    ti, di = [p[0] for p in pairs], [p[1] for p in pairs]
    want = []
    for t in range(7):
        mine = [d for tt, d in pairs if tt == t]
        shared = any(sum(1 for _, d2 in pairs if d2 == d) > 1 for d in mine)
        want.append(len(mine) > 1 or shared)
    assert ambiguous_rows(_pairs(ti, di), 7, 7).tolist() == want


def _tracker(confirm_on_ambiguous: bool) -> Tracker:
    cfg = TrackerConfig.model_validate(
        {"initiation": {"kind": "m_of_n", "m": 3, "n": 4,
                        "confirm_on_ambiguous": confirm_on_ambiguous}}
    )  # fmt: skip
    return compile_tracker_parts(cfg).build()


def _formation(
    n: int, spacing_m: float, n_looks: int, dt_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Times (k,) and positions (k, n, 3) of ``n`` aircraft abreast (spaced east-west,
    i.e. across the line of sight) flying north at 250 m/s, 60 km north of the sensor."""
    t = np.arange(n_looks) * dt_s
    pos = np.zeros((n_looks, n, 3))
    pos[:, :, 0] = (np.arange(n) - (n - 1) / 2) * spacing_m
    pos[:, :, 1] = 60_000.0 + 250.0 * t[:, None]
    pos[:, :, 2] = 8_000.0
    return t, pos


def _run(tracker: Tracker, t: np.ndarray, pos: np.ndarray, sig: tuple[float, float, float],
         seed: int) -> list[Any]:  # fmt: skip
    rng = np.random.default_rng(seed)
    out = []
    for k in range(t.shape[0]):
        n = pos.shape[1]
        det = polar_detections(np.full(n, t[k]), pos[k], SENSOR, sig, rng)
        out.append(tracker.step(det, float(t[k]), sensor_id=0, observed=None))
    return out


def _first_confirmation(frames: list[Any]) -> int | None:
    for k, f in enumerate(frames):
        if np.any(f.status == TrackStatus.CONFIRMED):
            return k
    return None


@pytest.mark.parametrize("seed", range(6))
def test_rule_changes_nothing_for_a_lone_target(seed: int) -> None:
    t, pos = _formation(1, 0.0, 12, 5.0)
    sig = (20.0, 3e-3, 3e-3)
    with_rule = _run(_tracker(False), t, pos, sig, seed)
    without = _run(_tracker(True), t, pos, sig, seed)
    for a, b in zip(with_rule, without, strict=True):
        assert a.track_id.tolist() == b.track_id.tolist()
        assert a.status.tolist() == b.status.tolist()
        np.testing.assert_array_equal(a.e_m, b.e_m)
        np.testing.assert_array_equal(a.var_e_m2, b.var_e_m2)


@pytest.mark.parametrize("seed", range(4))
def test_formation_confirms_later_but_one_track_per_member(seed: int) -> None:
    """Two aircraft 2 km abreast at 60 km, 5 mrad azimuth noise (300 m across): the
    gates of the first looks hold both plots. Counting those hits confirms on the third
    look; holding them confirms later, and each aircraft still ends with its own
    confirmed track (near it, none near the middle)."""
    t, pos = _formation(2, 2_000.0, 30, 5.0)
    sig = (20.0, 5e-3, 3e-3)
    counted = _run(_tracker(True), t, pos, sig, seed)
    held = _run(_tracker(False), t, pos, sig, seed)
    assert _first_confirmation(counted) == 2
    first = _first_confirmation(held)
    assert first is not None and first > 2
    last = held[-1]
    firm = last.select(last.status == TrackStatus.CONFIRMED)
    d = np.linalg.norm(firm.pos_m()[:, None, :] - pos[-1][None, :, :], axis=2)  # tracks x members
    assert len(firm) == 2
    assert sorted(np.argmin(d, axis=1).tolist()) == [0, 1]
    assert np.all(d.min(axis=1) < 1_000.0)


def test_preset_trackers_hold_ambiguous_hits() -> None:
    """The formation presets use the rule (their comments give the measurements)."""
    from iadsim.scenario.load import load_scenario

    for name in ("s400-vs-mixed-raid", "patriot-vs-mixed-raid"):
        parts = compile_tracker_parts(load_scenario(name).tracker or TrackerConfig())
        assert parts.confirm_on_ambiguous is False, name


def test_held_tracks_are_confirmed_once_on_a_look_that_sees_them() -> None:
    """The default preset (three radars, the four-ship): a track held on an ambiguous
    hit is confirmed on its next look if its M-of-N history still qualifies, and counted
    then, once: the tracker's confirmed counter equals the number of tracks that were
    ever firm (it counted a held track again on every other radar's look that did not
    see it, while its status stayed tentative)."""
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    result = run_scenario(load_scenario("s400-vs-mixed-raid"), seed=42, record=False)
    tr = result.tracks
    firm = (tr.status == TrackStatus.CONFIRMED) | (tr.status == TrackStatus.COASTING)
    ids = np.unique(tr.track_id[firm])
    assert ids.size >= 8
    assert result.summary.tracker_counters["confirmed"] == ids.size
