"""Where a threat leaked, as the ``leak`` event says it: its target site's name only
when it came within the site's radius, else how far from the site its attack route
ended (an analyst's check: the outer drones of saturation seed 90001's 40-wide line
ended 3-6 km from the airbase, 3 km radius, and read "airbase")."""

from __future__ import annotations

import re

import numpy as np
from killchain_scenarios import random_scenario_dict

from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario


def test_leak_detail_is_where_the_threat_was() -> None:
    """Weapons on hold, every group a line abreast 3 km apart: the middle members reach
    the airbase, the outer ones end 3 km and more from its centre. Each leak event's
    detail is checked against the truth at its time."""
    outside = inside = 0
    for seed in (2, 5):
        data = random_scenario_dict(seed)
        data["batteries"][0]["doctrine"]["weapons"] = "hold"
        for th in data["threats"]:
            th.update(count=3, formation_spacing_m=3500.0)
        sc = load_scenario_data(data, file=f"leaks-{seed}.yaml")
        world = compile_world(sc)
        site, radius = world.site_pos_enu_m[0, :2], float(world.site_radius_m[0])
        r = run_scenario(sc, seed=seed, record=False)
        ev, truth = r.events, r.truth
        leaks = np.flatnonzero(ev.kind == "leak")
        assert leaks.size == r.summary.n_leaked > 0
        for k in leaks:
            th, t = int(ev.threat_id[k]), float(ev.t_s[k])
            rows = truth.threat_id == th
            e = np.interp(t, truth.t_s[rows], truth.e_m[rows])
            n = np.interp(t, truth.t_s[rows], truth.n_m[rows])
            d_km = float(np.hypot(e - site[0], n - site[1])) / 1000.0
            if d_km * 1000.0 <= radius - 1.0:
                assert ev.detail[k] == "airbase", (th, d_km, ev.detail[k])
                inside += 1
            elif d_km * 1000.0 > radius + 1.0:
                got = re.fullmatch(r"route end (\d+\.\d) km from airbase", str(ev.detail[k]))
                assert got, (th, d_km, ev.detail[k])
                assert abs(float(got.group(1)) - d_km) <= 0.051, (th, d_km, ev.detail[k])
                outside += 1
    assert inside and outside  # both cases met
