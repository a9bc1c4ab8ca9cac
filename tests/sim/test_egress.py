"""Egress after the strike (``threats[i].egress``): the threat leaks at its target site,
flies home on its egress waypoints, may still be killed, and leaves at the last one."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from killchain_scenarios import random_scenario_dict

from iadsim.cli.compare import comparison_rows
from iadsim.errors import ScenarioError
from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario


def _with_egress(seed: int) -> dict:
    """Random kill-chain scenario ``seed`` with its first aircraft group flying home (as
    well as those the generator sends home)."""
    data = random_scenario_dict(seed)
    for th in data["threats"]:
        if th["type"] != "cruise-missile-class":
            alt = th["route"][0]["alt_m"]
            th["egress"] = [{"lat_deg": 41.2, "lon_deg": 31.0, "alt_m": alt, "speed_mps": 280.0}]
            return data
    raise AssertionError("no aircraft group")


def test_a_leaker_flies_home_and_leaves_at_the_egress_end() -> None:
    """Weapons on hold: the egressing group's members leak when they reach the airbase
    (event ``leak`` then) and stay in the truth, flying, until their egress ends, ~130 km
    on; the groups without egress leave the air when they leak."""
    data = _with_egress(2)
    data["batteries"][0]["doctrine"]["weapons"] = "hold"
    sc = load_scenario_data(copy.deepcopy(data), file="egress.yaml")
    r = run_scenario(sc, seed=2, record=False)
    s, truth = r.summary, r.truth
    homebound = {th["name"] for th in data["threats"] if "egress" in th}
    egressing = {t.threat_id for t in s.threats if t.group in homebound}
    assert egressing and len(egressing) < len(s.threats) and s.n_killed == 0
    for t in s.threats:
        if t.outcome != "leaked":
            continue
        rows = truth.threat_id == t.threat_id
        last_alive = float(truth.t_s[rows & truth.alive].max())
        if t.threat_id in egressing:
            assert last_alive > t.outcome_t_s + 300.0  # 130 km at 280 m/s: ~460 s
        else:
            assert last_alive <= t.outcome_t_s + 1e-9
    leak_t = r.events.t_s[r.events.kind == "leak"]
    assert sorted(leak_t.tolist()) == sorted(
        t.outcome_t_s for t in s.threats if t.outcome == "leaked"
    )


def test_a_kill_on_the_egress_is_counted_apart() -> None:
    """Random scenario 16 (its aircraft fly home): a leaker is killed on its way out. It
    stays a leaker; the battery's kill is a kill after leak, the engagement that killed
    it ended at that time, and the totals add up (as the invariants check on every
    seed). (Scenario 1's egress kill was a pair fired over its engagement radar, 74 deg
    up: refused since C2's intercepts lie inside that radar's coverage.)"""
    data = random_scenario_dict(16)
    assert any("egress" in th for th in data["threats"])
    r = run_scenario(load_scenario_data(data, file="random-16.yaml"), seed=16, record=False)
    s = r.summary
    after = [t for t in s.threats if t.killed_after_leak_t_s is not None
             and np.isfinite(t.killed_after_leak_t_s)]  # fmt: skip
    assert len(after) == s.n_killed_after_leak >= 1
    e = r.engagements
    for t in after:
        assert t.outcome == "leaked" and t.killed_after_leak_t_s > t.outcome_t_s
        kill = (e.outcome == "kill") & (e.threat_id_end == t.threat_id)
        assert np.isclose(e.t_end_s[kill], t.killed_after_leak_t_s).any()
    b = s.batteries[0]
    assert b.kills_after_leak == len(after)
    assert b.kills + b.killed_by_others + b.leakers + b.survived == b.threats_in_reach
    # `iadsim compare`'s per-type figures add up to the raid's
    rows = comparison_rows(s, s)
    per_type = {
        label: sum(r["a"] for r in rows if r["figure"] == label and r["type"])
        for label in ("killed", "leaked", "leaked, shot down on egress")
    }
    assert per_type == {
        "killed": s.n_killed,
        "leaked": s.n_leaked,
        "leaked, shot down on egress": s.n_killed_after_leak,
    }


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda th: th.pop("target_site"), "threats[0].egress"),
        (lambda th: th["egress"][0].update(speed_mps=4000.0), "threats[0].egress[0].speed_mps"),
    ],
)
def test_bad_egress_names_its_field(edit, field) -> None:  # type: ignore[no-untyped-def]
    data = _with_egress(2)
    th = next(t for t in data["threats"] if "egress" in t)
    data["threats"] = [th]
    edit(th)
    with pytest.raises(ScenarioError, match="egress.yaml: " + re.escape(field)):
        load_scenario_data(data, file="egress.yaml")
