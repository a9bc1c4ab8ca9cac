"""Plausibility warnings for values that look like the wrong unit (feet in ``alt_m``)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.errors import ScenarioError
from iadsim.scenario.checks import AIR_BREATHING_CEILING_M, FORMATION_WARN_WIDTH_M
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml

BASE, _ = read_scenario_yaml("s400-vs-mixed-raid")


def _with_alt(alt_m: float, threat: int = 1, point: int = 0) -> dict:
    data = copy.deepcopy(BASE)
    data["threats"][threat]["route"][point]["alt_m"] = alt_m
    return data


def test_fighter_cruise_typed_in_feet_is_warned() -> None:
    warnings = load_scenario_data(_with_alt(33_000.0), file="raid.yaml").warnings
    assert len(warnings) == 1
    assert warnings[0].startswith("raid.yaml: threats[1].route[0].alt_m: 33000 m is above 25,000 m")
    assert "feet? 33000 ft = 10,058 m" in warnings[0]


@settings(max_examples=20, deadline=None)
@given(alt_m=st.floats(min_value=0.0, max_value=60_000.0))
def test_warned_exactly_above_the_ceiling(alt_m: float) -> None:
    warnings = load_scenario_data(_with_alt(alt_m), file="raid.yaml").warnings
    assert (len(warnings) == 1) == (alt_m > AIR_BREATHING_CEILING_M)


@pytest.mark.parametrize("threat", range(len(BASE["threats"])))
def test_every_preset_threat_group_is_checked(threat: int) -> None:
    warnings = load_scenario_data(_with_alt(30_000.0, threat), file="raid.yaml").warnings
    assert any(f"threats[{threat}].route[0].alt_m" in w for w in warnings)


def _flat(data: dict) -> dict:
    """``data`` without a terrain model and with every threat's altitudes above sea level."""
    data = copy.deepcopy(data)
    data["terrain"] = {"kind": "none"}
    for th in data["threats"]:
        th.pop("altitude_reference", None)
    return data


def test_agl_without_a_terrain_model_is_an_error() -> None:
    """The preset's terrain-following cruise missiles with ``terrain.kind: none``: there
    is no ground to follow, and the altitudes were silently taken above sea level."""
    data = _flat(BASE)
    data["threats"][2]["altitude_reference"] = "agl"
    with pytest.raises(ScenarioError, match=r"^raid.yaml: threats\[2\].altitude_reference: agl"):
        load_scenario_data(data, file="raid.yaml")


@settings(max_examples=20, deadline=None)
@given(alt_m=st.floats(min_value=0.0, max_value=3_000.0))
def test_route_below_every_radar_ground_is_warned(alt_m: float) -> None:
    """Without terrain each radar sees over smooth ground at its site altitude: a route
    point below the lowest radar site is visible to none (the kill-chain test generator's
    cruise missiles flew at 60 m below a plateau at 840 m and were never seen)."""
    data = _flat(_with_alt(alt_m))
    lowest = min(r["alt_m"] for b in data["batteries"] for r in b["radars"])
    warnings = load_scenario_data(data, file="raid.yaml").warnings
    below = [w for w in warnings if "below the ground of every radar" in w]
    assert any("threats[1].route[0].alt_m" in w for w in below) == (alt_m < lowest)
    assert any("threats[2].route[0].alt_m: 100 m" in w for w in below)  # the cruise missiles


@pytest.mark.parametrize(
    ("section", "entry", "path"),
    [
        ("radars", {"frequency_hz": 3.0}, "catalog.radars.s400-class-engagement.frequency_hz"),
        (
            "interceptors",
            {"acquisition": {"frequency_hz": 10.0}},
            "catalog.interceptors.s400-medium-range-class.acquisition.frequency_hz",
        ),
    ],
)
def test_frequency_typed_in_ghz_is_refused(section: str, entry: dict, path: str) -> None:
    """``frequency_hz: 3`` (GHz meant) made a 3 Hz radar, read as VHF by the band
    tables (an F-35-class target got its VHF RCS), silently; a radio frequency below
    1 MHz is now refused with the unit spelled out."""
    data = copy.deepcopy(BASE)
    name = path.split(".")[2]
    data["catalog"] = {section: {name: entry}}
    with pytest.raises(ScenarioError) as err:
        load_scenario_data(data, file="raid.yaml")
    msg = str(err.value)
    assert msg.startswith(f"raid.yaml: {path}: "), msg
    assert "in Hz" in msg and "3 GHz = 3e9" in msg, msg
    assert "\n" not in msg


def test_hf_radar_frequency_is_accepted() -> None:
    data = copy.deepcopy(BASE)
    data["catalog"] = {"radars": {"s400-class-surveillance": {"frequency_hz": 3.0e6}}}
    load_scenario_data(data, file="raid.yaml")


@settings(max_examples=20, deadline=None)
@given(count=st.integers(1, 400), spacing_m=st.floats(0.0, 5_000.0))
def test_a_formation_wider_than_50_km_is_warned(count: int, spacing_m: float) -> None:
    """A mass raid's ``count`` with the default 1 km spacing flew line abreast hundreds of
    km wide, silently (200 drones: 199 km)."""
    data = copy.deepcopy(BASE)
    data["threats"][1].update(count=count, formation_spacing_m=spacing_m)
    warnings = [w for w in load_scenario_data(data, file="raid.yaml").warnings
                if "threats[1].formation_spacing_m" in w]  # fmt: skip
    assert len(warnings) == ((count - 1) * spacing_m > FORMATION_WARN_WIDTH_M)
    if warnings:
        assert warnings[0].startswith(f"raid.yaml: threats[1].formation_spacing_m: {count} threats")


def test_two_hundred_at_the_default_spacing() -> None:
    data = copy.deepcopy(BASE)
    data["threats"][1]["count"] = 200
    data["threats"][1].pop("formation_spacing_m", None)
    warnings = load_scenario_data(data, file="raid.yaml").warnings
    assert "200 threats 1000 m apart fly line abreast 199 km wide" in " ".join(warnings)
