"""Load-time warnings (issue #5 "bad input"): problems that are not errors but that
an analyst must see before trusting a run."""

from __future__ import annotations

import copy

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.compile import compile_world
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


def test_engagement_radar_without_fire_control_is_an_error() -> None:
    data = _base()
    data["batteries"][0]["engagement_radar"] = "surv"  # a surveillance radar guides nothing
    with pytest.raises(
        ScenarioError,
        match=r"x\.yaml: batteries\[0\]\.engagement_radar: radar "
        r"'surv' \(s400-class-surveillance\) has no fire_control block",
    ):
        load_scenario_data(data, file="x.yaml")


def test_sector_radar_without_heading_is_an_error() -> None:
    """The boresight of a sector radar never comes from the attackers' routes (truth)."""
    data = _base()
    for r in data["batteries"][0]["radars"]:
        r.pop("heading_deg", None)
    with pytest.raises(ScenarioError, match=r"radars\[2\]\.heading_deg: required for sector radar"):
        load_scenario_data(data, file="x.yaml")


def test_engagement_radar_defaults_to_the_only_fire_control_radar() -> None:
    data = _base()
    data["batteries"][0].pop("engagement_radar", None)
    world = compile_world(load_scenario_data(data, file="x.yaml"))
    fcr = next(r for r in world.radars if r.name == "fcr")
    assert world.batteries[0].engagement_radar_id == fcr.radar_id


def test_fire_control_hold_shorter_than_a_frame_is_warned() -> None:
    """``track_hold_s: 0.1`` on a 3 s frame: a fire-control track (two updates within
    the hold) never stood at a C2 decision, so the battery never fired, silently."""
    data = _base()
    data["catalog"] = {"radars": {"s400-class-engagement": {"fire_control": {"track_hold_s": 0.1}}}}
    warnings = load_scenario_data(data, file="x.yaml").warnings
    assert any(
        w.startswith(
            "x.yaml: batteries[0].engagement_radar: fire_control.track_hold_s of "
            "'fcr' (s400-class-engagement) is 0.1 s, shorter than its scan_period_s (3 s)"
        )
        for w in warnings
    ), warnings
