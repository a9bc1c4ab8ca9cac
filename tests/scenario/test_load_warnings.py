"""Load-time warnings (issue #5 "bad input"): problems that are not errors but that
an analyst must see before trusting a run."""

from __future__ import annotations

import copy

from iadsim.scenario.load import load_scenario_data, read_scenario_yaml


def _base() -> dict:
    data, _ = read_scenario_yaml("s400-vs-mixed-raid")
    return copy.deepcopy(data)


def test_default_preset_loads_without_warnings() -> None:
    assert load_scenario_data(_base(), file="x.yaml").warnings == ()


def test_site_outside_every_interceptor_envelope_is_warned() -> None:
    data = _base()
    # 1,000 km east of the battery: beyond the 400 km of the longest-range type
    data["sites"].append({"name": "far-city", "lat_deg": 40.0, "lon_deg": 44.5, "alt_m": 0})
    warnings = load_scenario_data(data, file="x.yaml").warnings
    assert any(w.startswith("x.yaml: sites[2]: 'far-city' lies outside every") for w in warnings)


def test_sector_radar_that_is_not_the_engagement_radar_is_warned() -> None:
    data = _base()
    bty = data["batteries"][0]
    bty["engagement_radar"] = "surv"  # the sector radar 'fcr' now limits nothing
    warnings = load_scenario_data(data, file="x.yaml").warnings
    assert any("batteries[0].radars[2]: sector radar 'fcr'" in w for w in warnings)
