"""Metamorphic properties of the kill chain (issue 10).

* Decisions never depend on truth: the C2 and engagement stages, given the same
  sequence of track pictures, give the same orders whatever truth the intercepts are
  resolved against (and whatever the draws).
* More defence never makes the defence worse in expectation: adding rounds to the
  magazines, or a VHF radar to the battery, does not increase the mean number of
  never-engaged threats or of leakers beyond the sampling error of a small campaign;
  adding a surveillance radar does not increase the rounds aborted for lost
  fire-control support, nor the rounds per kill.
"""

from __future__ import annotations

import numpy as np
import pytest
from killchain_scenarios import random_scenario

from iadsim.c2.stage import C2
from iadsim.engagement.stage import Engagement
from iadsim.frames import Truth
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.stages import build_stages
from iadsim.sim.runner import run_scenario


class _AnyPhysics:
    def threat_class(self, threat_id):
        return np.zeros(np.shape(threat_id), dtype=np.int64)

    def rcs_dbsm(self, threat_id, truth, rows, from_m, frequency_hz):
        return np.full(np.shape(threat_id), 10.0)


def _other_truth(t_s: float, n: int, rng: np.random.Generator) -> Truth:
    """A made-up truth: n threats at random places (some on top of the PIPs' region)."""
    pos = rng.uniform(-300e3, 300e3, (n, 3))
    pos[:, 2] = rng.uniform(0, 12e3, n)
    z = np.zeros(n)
    return Truth(
        t_s=z + t_s, threat_id=np.arange(n), e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2],
        ve_mps=z + 200.0, vn_mps=z, vu_mps=z, alt_m=pos[:, 2], alive=rng.random(n) < 0.7,
    )  # fmt: skip


class _RecordedHolds:
    """The fire-control book's answers the recorded run gave at its launch commits."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers

    def holds(self, t_s, battery_id, track_id, any_radar=False) -> bool:
        return self.answers[t_s, battery_id, track_id, any_radar]


@pytest.mark.parametrize("seed", [1, 2])
def test_orders_do_not_change_when_only_truth_changes(monkeypatch, seed: int) -> None:
    """C2 cycles and launch commits are replayed in their order (a commit cancels a
    salvo whose track the engagement radar no longer holds, and C2 may order again)."""
    sc = random_scenario(seed)
    recorded: list[tuple] = []
    decide, commit = C2.decide, Engagement.commit_launches

    def spy(self, picture, t_s):
        orders = decide(self, picture, t_s)
        recorded.append(("decide", picture, orders))
        return orders

    def spy_commit(self, t_s, track_ids, *, before=False, fc=None):
        answers: dict = {}
        holds = fc.holds if fc is not None else None

        def note(t, b, tid, any_radar=False):
            answers[t, b, tid, any_radar] = out = holds(t, b, tid, any_radar=any_radar)
            return out

        if fc is not None:
            monkeypatch.setattr(fc, "holds", note)
        try:
            return commit(self, t_s, track_ids, before=before, fc=fc)
        finally:
            if fc is not None:
                monkeypatch.setattr(fc, "holds", holds)
            if not before:
                recorded.append(("commit", t_s, track_ids, answers if fc else None))

    monkeypatch.setattr(C2, "decide", spy)
    monkeypatch.setattr(Engagement, "commit_launches", spy_commit)
    run_scenario(sc, record=False)
    monkeypatch.setattr(C2, "decide", decide)
    monkeypatch.setattr(Engagement, "commit_launches", commit)
    n_launched = sum(len(x[2]) for x in recorded if x[0] == "decide")
    assert n_launched > 0, "the scenario must engage for the test to mean anything"

    world = compile_world(sc)
    stages = build_stages(world, sc, np.random.default_rng(0))
    c2, eng = stages.c2, stages.engagement
    assert c2 is not None and eng is not None
    rng = np.random.default_rng(99)
    for step in recorded:
        t = step[1].t_s if step[0] == "decide" else step[1]
        while eng.next_intercept_t_s() <= t:  # resolved against a different world
            t_i = eng.next_intercept_t_s()
            eng.resolve(_other_truth(t_i, world.truth.n_threats, rng), t_i, rng, _AnyPhysics())
        if step[0] == "commit":
            fc = None if step[3] is None else _RecordedHolds(step[3])
            eng.commit_launches(t, step[2], fc=fc)
            continue
        _, picture, want = step
        eng.maintain(picture)
        got = c2.decide(picture, t)
        assert got.to_arrow().equals(want.to_arrow()), f"orders differ at t = {t}"
        eng.launch(got, picture)


def _campaign(seeds, **kw) -> tuple[np.ndarray, np.ndarray]:
    never, leaked = [], []
    for s in seeds:
        r = run_scenario(random_scenario(5, **kw), seed=s, record=False).summary
        never.append(r.n_never_engaged)
        leaked.append(r.n_leaked)
    return np.array(never, float), np.array(leaked, float)


def _not_worse(base: np.ndarray, more: np.ndarray) -> bool:
    """mean(more) <= mean(base) + 2 standard errors of the difference (+ a small floor)."""
    se = np.sqrt(base.var(ddof=1) / base.size + more.var(ddof=1) / more.size)
    return bool(more.mean() <= base.mean() + 2.0 * se + 0.05)


@pytest.mark.slow(cpu_s=170)
def test_more_rounds_or_a_vhf_radar_never_make_the_defence_worse() -> None:
    seeds = range(100, 112)
    base_never, base_leak = _campaign(seeds, vhf=False)
    rounds_never, rounds_leak = _campaign(seeds, vhf=False, extra_rounds=2)
    vhf_never, vhf_leak = _campaign(seeds, vhf=True)
    assert _not_worse(base_never, rounds_never) and _not_worse(base_leak, rounds_leak)
    assert _not_worse(base_never, vhf_never) and _not_worse(base_leak, vhf_leak)


def _patriot_runs(seeds, surveillance: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per run of the patriot preset (with an S-band surveillance radar added to the
    battery if asked): rounds aborted "fire-control support lost", rounds per kill."""
    data, file = read_scenario_yaml("patriot-vs-mixed-raid")
    if surveillance:
        data["batteries"][0]["radars"].append(
            {"name": "surv", "type": "s400-class-surveillance", "lat_deg": 39.97,
             "lon_deg": 32.72, "alt_m": 840, "mast_m": 10}
        )  # fmt: skip
    sc = load_scenario_data(data, file=file)
    lost, per_kill = [], []
    for s in seeds:
        r = run_scenario(sc, seed=s, record=False)
        e = r.engagements
        lost.append(float(e.n_rounds[e.reason == "fire-control support lost"].sum()))
        per_kill.append(float(e.n_rounds.sum()) / max(r.summary.n_killed, 1))
    return np.array(lost), np.array(per_kill)


@pytest.mark.slow(cpu_s=70)
def test_a_surveillance_radar_never_costs_rounds_to_support_lost() -> None:
    """Adding a surveillance radar to the patriot battery (same raid, same engagement
    radar) does not increase, in expectation, the rounds aborted because the engagement
    radar's support was lost, nor the rounds spent per kill. Support is per aircraft: a
    salvo follows its aircraft when the engagement radar's plots leave the fused track
    for one of their own (iadsim.engagement.flight, step 2). Before, these seeds gave
    4.3 rounds a run aborted so (0 without the radar) and 3.40 rounds per kill (2.37);
    now 0.17 and 2.53. (Random scenarios with and without their surveillance radar did
    not tell the two apart: their S-400-class engagement radar resolves the formations.)"""
    seeds = range(98101, 98113)
    base_lost, base_rpk = _patriot_runs(seeds, surveillance=False)
    surv_lost, surv_rpk = _patriot_runs(seeds, surveillance=True)
    assert _not_worse(base_lost, surv_lost)
    assert _not_worse(base_rpk, surv_rpk)
