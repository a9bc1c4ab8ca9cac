"""``scenario.resolved.yaml`` shows the tracker actually used, defaults filled."""

from __future__ import annotations

import yaml

from iadsim.scenario.load import load_scenario, load_scenario_data
from iadsim.scenario.resolve import resolved_scenario_dict
from iadsim.scenario.schema_tracking import TrackerConfig


def test_default_tracker_is_written_in_full_and_loads_back() -> None:
    sc = load_scenario("saturation")
    assert sc.tracker is None  # the preset relies on the default tracker
    data = yaml.safe_load(yaml.safe_dump(resolved_scenario_dict(sc), sort_keys=False))
    assert data["tracker"] == TrackerConfig().model_dump(mode="json")
    for part in ("motion", "filter", "association", "initiation"):
        assert data["tracker"][part]["kind"]
    assert data["tracker"]["deletion"]["max_misses"] >= 1
    again = load_scenario_data(data, file="scenario.resolved.yaml")
    assert again.tracker == TrackerConfig()


def test_a_configured_tracker_is_kept() -> None:
    sc = load_scenario("s400-vs-mixed-raid")
    data = resolved_scenario_dict(sc)
    data["tracker"]["filter"] = {"kind": "ukf"}
    again = load_scenario_data(yaml.safe_load(yaml.safe_dump(data)), file="x.yaml")
    out = resolved_scenario_dict(again)["tracker"]
    assert out["filter"]["kind"] == "ukf" and out != TrackerConfig().model_dump(mode="json")
