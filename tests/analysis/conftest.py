"""Fixtures shared by the analysis tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iadsim.analysis.campaign.backends import InProcessBackend
from iadsim.analysis.campaign.runner import plan_campaign, run_campaign
from iadsim.scenario.load import read_scenario_yaml


@pytest.fixture(scope="module")
def tiny_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default preset cut to 120 s, two sweep points of two runs (a directory the
    damaged-input tests copy and break)."""
    data, file = read_scenario_yaml("s400-vs-mixed-raid")
    data["simulation"]["duration_s"] = 120
    plan = plan_campaign(
        data, scenario="s400-vs-mixed-raid", file=file, runs=2, root_seed=1,
        grid={"threats[0].count": [1, 2]},
    )  # fmt: skip
    out = tmp_path_factory.mktemp("campaign") / "c"
    assert run_campaign(plan, out, backend=InProcessBackend()).complete
    return out
