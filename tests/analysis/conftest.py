"""Fixtures shared by the analysis tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from iadsim.analysis.campaign.backends import InProcessBackend
from iadsim.analysis.campaign.runner import plan_campaign, run_campaign
from iadsim.scenario.load import read_scenario_yaml


def _default_preset_campaign(
    out: Path, *, duration_s: float, runs: int, seed: int, grid: dict[str, list[int]]
) -> Path:
    """A campaign of the default preset cut to ``duration_s``, run in-process into ``out``."""
    data, file = read_scenario_yaml("s400-vs-mixed-raid")
    data["simulation"]["duration_s"] = duration_s
    plan = plan_campaign(
        data, scenario="s400-vs-mixed-raid", file=file, runs=runs, root_seed=seed, grid=grid
    )
    assert run_campaign(plan, out, backend=InProcessBackend()).complete
    return out


@pytest.fixture(scope="module")
def tiny_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default preset cut to 120 s, two sweep points of two runs (a directory the
    damaged-input tests copy and break)."""
    out = tmp_path_factory.mktemp("campaign") / "c"
    return _default_preset_campaign(
        out, duration_s=120, runs=2, seed=1, grid={"threats[0].count": [1, 2]}
    )


@pytest.fixture(scope="session")
def default_preset_campaign() -> Callable[..., Path]:
    """The campaign maker of :func:`tiny_campaign`, for fixtures of other sizes."""
    return _default_preset_campaign
