"""Named tracker configurations shipped with iadsim (scenario/trackers/*.yaml): each
loads, says where its numbers come from, and is usable by name from a scenario."""

from __future__ import annotations

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import load_scenario, load_scenario_data, read_scenario_yaml
from iadsim.scenario.named_trackers import list_named_trackers, named_tracker
from iadsim.scenario.resolve import resolved_scenario_dict
from iadsim.scenario.schema_tracking import TrackCliConfig, TrackerConfig


def test_the_documented_configurations_are_shipped() -> None:
    assert {"air-defense-3d", "civil-surveillance"} <= set(list_named_trackers())


@pytest.mark.parametrize("name", list_named_trackers())
def test_each_configuration_validates_and_gives_its_source(name: str) -> None:
    nt = named_tracker(name)
    cfg = TrackerConfig.model_validate(nt.tracker)
    assert TrackerConfig.model_validate(name) == cfg  # by name, the same
    assert TrackCliConfig.model_validate(name).filter == cfg.filter  # and for iadsim track
    assert len(nt.description) > 40 and "\n" not in nt.description
    assert len(nt.source) > 40 and "placeholder" not in nt.source.lower()


def test_air_defense_3d_is_the_default_presets_tracker() -> None:
    sc = load_scenario("s400-vs-mixed-raid")
    assert TrackerConfig.model_validate("air-defense-3d") == (sc.tracker or TrackerConfig())


@pytest.mark.parametrize("preset", ["real-traffic", "real-traffic-zurich"])
def test_real_traffic_presets_use_the_shipped_civil_configuration(preset: str) -> None:
    data, _ = read_scenario_yaml(preset)
    assert data["tracker"] == {"preset": "civil-surveillance"}
    sc = load_scenario(preset)
    assert sc.tracker == TrackerConfig.model_validate(named_tracker("civil-surveillance").tracker)
    # the resolved scenario spells the configuration out and loads back the same
    again = load_scenario_data(resolved_scenario_dict(sc), file="resolved")
    assert again.tracker == sc.tracker


def test_fields_beside_preset_override_the_named_ones() -> None:
    base = TrackerConfig.model_validate("civil-surveillance")
    cfg = TrackerConfig.model_validate(
        {"preset": "civil-surveillance", "deletion": {"max_misses": 7}, "dims": 2}
    )
    assert cfg.deletion.max_misses == 7 and cfg.dims == 2
    assert cfg.deletion.max_coast_s == base.deletion.max_coast_s  # merged, not replaced
    assert cfg.filter == base.filter and cfg.initiation == base.initiation
    other = TrackerConfig.model_validate(
        {"preset": "civil-surveillance", "filter": {"kind": "ukf"}}
    )
    assert other.filter.kind == "ukf"  # a block of another kind replaces the named block


@pytest.mark.parametrize(
    ("tracker", "where"),
    [("civl-surveillance", "tracker: "), ({"preset": "nope"}, "tracker.preset: ")],
)
def test_an_unknown_name_in_a_scenario_is_a_one_line_error(tracker: object, where: str) -> None:
    data, _ = read_scenario_yaml("real-traffic-zurich")
    data["tracker"] = tracker
    with pytest.raises(ScenarioError) as err:
        load_scenario_data(data, file="s.yaml")
    msg = str(err.value)
    assert msg.startswith(f"s.yaml: {where}unknown tracker configuration") and "\n" not in msg
    assert "air-defense-3d, civil-surveillance" in msg


def test_named_tracker_suggests_the_closest_name() -> None:
    with pytest.raises(ScenarioError, match="did you mean 'civil-surveillance'"):
        named_tracker("civil-surveilance")


def test_a_campaign_override_changes_one_field_of_the_named_configuration() -> None:
    from iadsim.analysis.campaign.sweep import apply_overrides

    data, _ = read_scenario_yaml("real-traffic")
    sc = load_scenario_data(
        apply_overrides(data, {"tracker.deletion.max_misses": 5}), file="real-traffic.yaml"
    )
    named = TrackerConfig.model_validate("civil-surveillance")
    assert sc.tracker is not None and sc.tracker.deletion.max_misses == 5
    assert sc.tracker.filter == named.filter and sc.tracker.initiation == named.initiation
