"""Shared fixtures for the sensors tests: compiled catalog and RCS libraries."""

from __future__ import annotations

import pytest
from sensors_helpers import constant_table, load_yaml

from iadsim.scenario.schema_sensors import RadarType, RcsTable, compile_radar, compile_rcs_table
from iadsim.sensors.params import RadarParams
from iadsim.sensors.rcs import RcsLibrary, RcsTableParams


@pytest.fixture(scope="session")
def radar_models() -> dict[str, RadarType]:
    return {k: RadarType.model_validate(v) for k, v in load_yaml("radars.yaml").items()}


@pytest.fixture(scope="session")
def radar_params(radar_models: dict[str, RadarType]) -> dict[str, RadarParams]:
    return {k: compile_radar(v, k) for k, v in radar_models.items()}


@pytest.fixture(scope="session")
def rcs_tables() -> dict[str, RcsTableParams]:
    return {
        k: compile_rcs_table(RcsTable.model_validate(v), k)
        for k, v in load_yaml("rcs.yaml").items()
    }


@pytest.fixture(scope="session")
def const_library() -> RcsLibrary:
    """Tables 0-4: 0 dBsm with Swerling 0..4; table 5: +40 dBsm Swerling 0."""
    tabs = [constant_table(f"sw{s}", 0.0, s) for s in range(5)]
    tabs.append(constant_table("huge", 40.0, 0))
    return RcsLibrary.from_tables(tabs)
