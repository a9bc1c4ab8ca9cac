"""The scenario layer's one base model: strict everywhere, inf/NaN rejected."""

from __future__ import annotations

import copy
import math

import pydantic
import pytest
import yaml

from iadsim.scenario import schema, schema_engagement, schema_sensors, schema_tracking
from iadsim.scenario.base import Model

RADAR = "mahafza-c-band-example"


def _radar_entry() -> dict:
    from importlib.resources import files

    text = files("iadsim.scenario").joinpath("catalog/radars.yaml").read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text)[RADAR])


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_radar_schema_rejects_non_finite_power(bad: float) -> None:
    entry = _radar_entry()
    schema_sensors.RadarType.model_validate(entry)  # the catalog entry as shipped is valid
    entry["performance"]["peak_power_w"] = bad
    with pytest.raises(pydantic.ValidationError, match="peak_power_w"):
        schema_sensors.RadarType.model_validate(entry)


def test_every_scenario_model_derives_from_the_one_base() -> None:
    modules = (schema, schema_sensors, schema_tracking, schema_engagement)
    models = [
        obj
        for mod in modules
        for obj in vars(mod).values()
        if isinstance(obj, type)
        and issubclass(obj, pydantic.BaseModel)
        and obj.__module__ == mod.__name__
    ]
    assert len(models) > 20
    for m in models:
        assert issubclass(m, Model), m
        assert m.model_config.get("allow_inf_nan") is False, m
        assert m.model_config.get("extra") == "forbid", m
