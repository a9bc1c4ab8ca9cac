"""Seed-independent set-up shared by the runs of one scenario (campaign sweep points)."""

from __future__ import annotations

import json

import numpy as np

from iadsim.analysis.campaign import tasks
from iadsim.frames import Tracks
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario
from iadsim.sim.shared import shared_setup

TIMING = ("stage_time_s", "wall_time_s")


def _same_run(a, b) -> None:
    sa = {k: v for k, v in a.summary.to_json_dict().items() if k not in TIMING}
    sb = {k: v for k, v in b.summary.to_json_dict().items() if k not in TIMING}
    assert json.dumps(sa, sort_keys=True, default=str) == json.dumps(
        sb, sort_keys=True, default=str
    )
    for name in Tracks.columns():
        np.testing.assert_array_equal(getattr(a.tracks, name), getattr(b.tracks, name))
    np.testing.assert_array_equal(a.detections.range_m, b.detections.range_m)
    np.testing.assert_array_equal(a.truth.e_m, b.truth.e_m)


def test_runs_sharing_a_setup_equal_runs_building_their_own() -> None:
    """Several seeds over one shared set-up (its truth table filled by the first run):
    every run is bit-identical to a run that builds everything itself."""
    sc = load_scenario("stealth-penetration")
    shared = shared_setup(sc)
    assert shared.truth_table is not None and shared.sites
    for seed in (3, 4):
        _same_run(run_scenario(sc, seed=seed, record=False, shared=shared),
                  run_scenario(sc, seed=seed, record=False))  # fmt: skip
    assert len(shared.truth_table._windows) > 2  # windows kept for the next runs


def test_worker_cache_is_keyed_by_the_point(monkeypatch) -> None:
    """Same point key: the same set-up object; another key (a swept field changed the
    scenario): a fresh set-up; the cache stays bounded."""
    monkeypatch.setattr(tasks, "_SETUP_CACHE", {})
    calls: list[object] = []
    import iadsim.sim.shared as shared_mod

    monkeypatch.setattr(shared_mod, "shared_setup", lambda sc: calls.append(sc) or object())
    a = tasks._shared_setup("k1", "scenario-1")
    assert tasks._shared_setup("k1", "scenario-1") is a
    b = tasks._shared_setup("k2", "scenario-2")
    c = tasks._shared_setup("k3", "scenario-3")
    assert b is not a and c is not b and calls == ["scenario-1", "scenario-2", "scenario-3"]
    assert len(tasks._SETUP_CACHE) <= tasks._SETUP_CACHE_SIZE
