"""``initiation: {kind: two_point, confirm: ...}``: the confirmer of two-point tracks
(:mod:`iadsim.scenario.schema_confirm`), its default, round trip and one-line errors."""

from __future__ import annotations

from typing import Any

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.schema_confirm import MOfNConfirm, ScoreConfirm
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking import MOfN, ScoreConfirmer

PRESET = "s400-vs-mixed-raid"


def _load(confirm: Any) -> Any:
    data, _ = read_scenario_yaml(PRESET)
    data["tracker"] = {"initiation": {"kind": "two_point", "m": 3, "n": 4, "confirm": confirm}}
    return load_scenario_data(data, file="s.yaml")


def test_default_is_m_of_n_of_the_block() -> None:
    cfg = TrackerConfig(initiation={"kind": "two_point", "m": 2, "n": 3})
    assert cfg.initiation.confirm == MOfNConfirm()
    assert compile_tracker_parts(cfg).confirmer == MOfN(m=2, n=3)
    assert "confirm" not in TrackerConfig(initiation={"kind": "two_point"}).model_dump(
        exclude_defaults=True
    ).get("initiation", {})


def test_score_round_trips_and_compiles() -> None:
    block = {"kind": "score", "pd": 0.7, "clutter_density": 2e-5, "new_target_density": 1e-8,
             "false_track_probability": 1e-5, "true_track_deletion_probability": 0.2}  # fmt: skip
    sc = _load(block)
    cfg = sc.tracker
    assert isinstance(cfg.initiation.confirm, ScoreConfirm)
    again = TrackerConfig.model_validate(cfg.model_dump())
    assert again == cfg
    assert compile_tracker_parts(again).confirmer == ScoreConfirmer(
        pd=0.7, clutter_density=2e-5, new_target_density=1e-8, alpha=1e-5, beta=0.2
    )
    assert _load("score").tracker.initiation.confirm == ScoreConfirm()  # a bare kind name


@pytest.mark.parametrize(
    ("confirm", "where", "what"),
    [
        ({"kind": "score", "pd": 1.0}, "tracker.initiation.confirm.pd", "< 1"),
        ({"kind": "score", "clutter_density": 0}, "tracker.initiation.confirm.clutter_density",
         "> 0"),
        ({"kind": "score", "new_target_density": -1e-8},
         "tracker.initiation.confirm.new_target_density", "> 0"),
        ({"kind": "score", "false_track_probability": 0.6,
          "true_track_deletion_probability": 0.4},
         "tracker.initiation.confirm.false_track_probability", "deletion threshold"),
        ({"kind": "sprt"}, "tracker.initiation.confirm", "m_of_n, score"),
        ({"kind": "m_of_n", "m": 2}, "tracker.initiation.confirm.m", "unknown field"),
        ({"kind": "score", "alpha": 1e-6}, "tracker.initiation.confirm.alpha", "unknown field"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_naming_the_field(confirm: Any, where: str, what: str) -> None:
    with pytest.raises(ScenarioError) as err:
        _load(confirm)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"s.yaml: {where}:"), msg
    assert what in msg
