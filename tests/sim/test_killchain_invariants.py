"""Kill-chain invariants over many seeds and random scenarios (issue 10).

Each property is checked on every run of a set of random small scenarios
(``killchain_scenarios``) and of the bundled presets; each failed on the code before
the kill-chain rework (launches on surveillance tracks, orphaned rounds, several salvos
in flight at one target, survivors hidden by a track marked dead).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from killchain_scenarios import random_scenario

from iadsim.engagement.log import OUTCOMES
from iadsim.frames import Detections
from iadsim.sim.runner import RunResult, run_scenario

FAST_SEEDS = range(4)
SLOW_SEEDS = range(4, 28)


@functools.cache
def _run(seed: int) -> tuple[RunResult, float]:
    sc = random_scenario(seed)
    fc = sc.resolved_catalog.radars["s400-class-engagement"].fire_control
    assert fc is not None and fc.track_hold_s is not None
    return run_scenario(sc, record=False), float(fc.track_hold_s)


def _fc_detections_near(dets: Detections, radar_id: int, t0: float, t1: float, pos: np.ndarray,
                        gate_m: float) -> int:  # fmt: skip
    """Distinct dwell times at which ``radar_id`` reported a plot within ``gate_m`` of ``pos``."""
    sel = (dets.radar_id == radar_id) & (dets.t_s >= t0) & (dets.t_s <= t1)
    d = dets.select(sel)
    if not len(d):
        return 0
    near = np.linalg.norm(d.enu_m() - pos[None, :], axis=1) <= gate_m
    return int(np.unique(d.t_s[near]).size)


def check_launches_have_fire_control(result: RunResult, hold_s: float) -> None:
    """Every launch had a fire-control-quality track: two updates by the battery's
    engagement radar within its hold time, checked independently from the recorded plots
    (two engagement-radar dwells in that window with a plot near the track)."""
    e, tracks = result.engagements, result.tracks
    for k in range(len(e)):
        assert e.fc_radar_id[k] >= 0
        assert e.fc_age_at_launch_s[k] <= hold_s + 1e-9, (k, e.fc_age_at_launch_s[k])
        t = e.t_order_s[k]
        rows = np.flatnonzero((tracks.track_id == e.track_id_launch[k]) & (tracks.t_s <= t))
        assert rows.size, f"salvo {k}: its track has no row before the order"
        pos = tracks.pos_m()[rows[-1]]
        n = _fc_detections_near(result.detections, int(e.fc_radar_id[k]), t - hold_s - 1e-9, t,
                                pos, gate_m=5_000.0)  # fmt: skip
        assert n >= 2, f"salvo {k}: {n} engagement-radar dwells saw the target before launch"


def check_every_round_accounted(result: RunResult) -> None:
    """Each salvo ends kill, miss (with a physical reason), aborted (with a reason) or
    in flight at the end; rounds fired = rounds in the log = launch events."""
    e, s = result.engagements, result.summary
    assert set(e.outcome.tolist()) <= set(OUTCOMES)
    for o, r, t_end in zip(e.outcome, e.reason, e.t_end_s, strict=True):
        if o == "kill":
            assert r == "" and np.isfinite(t_end)
        elif o in ("miss", "aborted"):
            assert r != "" and np.isfinite(t_end)
        else:
            assert np.isnan(t_end)
    assert int(e.n_rounds.sum()) == s.interceptors_fired_total
    launches = result.events.kind == "launch"
    assert int(launches.sum()) == len(e)
    assert sorted(result.events.order_id[launches].tolist()) == sorted(e.order_id.tolist())
    # "no threat in the basket" after a track loss is what an orphaned round looked like
    assert not np.any(e.reason == "no threat in gate")


def check_doctrine_per_target(result: RunResult) -> None:
    """At no time are two salvos in flight against one threat (the presets' and random
    scenarios' doctrines allow one engagement per target at a time)."""
    e = result.engagements
    end = np.where(np.isnan(e.t_end_s), np.inf, e.t_end_s)
    for th in np.unique(e.threat_id_launch[e.threat_id_launch >= 0]):
        k = np.flatnonzero(e.threat_id_launch == th)
        order = np.argsort(e.t_order_s[k])
        start, stop = e.t_order_s[k][order], end[k][order]
        overlap = start[1:] < np.maximum.accumulate(stop)[:-1]
        assert not overlap.any(), f"threat {th}: salvos {e.order_id[k][order].tolist()} overlap"


def check_outcomes_add_up(result: RunResult) -> None:
    """killed + leaked + survived = threats, for the raid and per battery (over the
    threats that came within the battery's reach)."""
    s = result.summary
    assert s.n_killed + s.n_leaked + s.n_survived == s.n_threats
    for b in s.batteries:
        parts = b.kills + b.killed_by_others + b.leakers + b.survived
        assert parts == b.threats_in_reach <= s.n_threats
    killed = {t.threat_id for t in s.threats if t.outcome == "killed"}
    assert sum(b.kills for b in s.batteries) == len(killed)
    kills = result.engagements.outcome == "kill"
    assert set(result.engagements.threat_id_end[kills].tolist()) == killed
    for t in s.threats:  # a threat with a firm track was detected first
        if np.isfinite(t.first_track_t_s):
            assert t.first_detection_t_s <= t.first_track_t_s
        if t.engagements:
            assert np.isfinite(t.first_fc_track_t_s)


CHECKS = (
    check_launches_have_fire_control,
    check_every_round_accounted,
    check_doctrine_per_target,
    check_outcomes_add_up,
)


def _check_all(result: RunResult, hold_s: float) -> None:
    check_launches_have_fire_control(result, hold_s)
    check_every_round_accounted(result)
    check_doctrine_per_target(result)
    check_outcomes_add_up(result)


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_invariants_on_random_scenarios(seed: int) -> None:
    result, hold_s = _run(seed)
    _check_all(result, hold_s)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_invariants_on_more_random_scenarios(seed: int) -> None:
    result, hold_s = _run(seed)
    _check_all(result, hold_s)


def test_random_scenarios_exercise_the_chain() -> None:
    """The generator is not vacuous: the fast seeds launch, kill and leak."""
    runs = [_run(s)[0] for s in FAST_SEEDS]
    assert sum(len(r.engagements) for r in runs) >= 8
    assert sum(r.summary.n_killed for r in runs) >= 4
    assert any(r.summary.n_leaked for r in runs)
