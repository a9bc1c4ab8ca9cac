"""A radar site below the terrain model's ground is stood on that ground: say so."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario
from iadsim.scenario.stages import lifted_site_warnings, radar_sites
from iadsim.sim.runner import run_scenario

PRESETS = Path(str(resources.files("iadsim.scenario") / "presets"))


def _default_with_surv_at(tmp_path: Path, alt_m: float, duration_s: float = 1800) -> Path:
    data = yaml.safe_load((PRESETS / "s400-vs-mixed-raid.yaml").read_text())
    data["batteries"][0]["radars"][0].update(alt_m=alt_m, mast_m=0)
    data["simulation"]["duration_s"] = duration_s
    path = tmp_path / "buried.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_buried_site_is_warned_and_the_stated_one_is_not(tmp_path: Path) -> None:
    """Site at 0 m over Ankara's ~840 m plateau: one warning, naming the radar and the
    height it runs from; the preset's own sites (within the DEM cell's spread) none."""
    world = compile_world(load_scenario(_default_with_surv_at(tmp_path, 0.0)))
    alt_m = [a for a, _ in radar_sites(world)]
    out = lifted_site_warnings(world, alt_m)
    assert len(out) == 1 and out[0].startswith("radar 'surv': its site (alt_m 0)"), out
    assert f"({alt_m[0]:.0f} m + mast 0 m)" in out[0] and alt_m[0] > 600
    preset = compile_world(load_scenario("s400-vs-mixed-raid"))
    assert lifted_site_warnings(preset, [a for a, _ in radar_sites(preset)]) == []


def test_the_run_summary_carries_the_warning(tmp_path: Path) -> None:
    sc = load_scenario(_default_with_surv_at(tmp_path, 0.0, duration_s=30))
    warnings = run_scenario(sc, seed=1, record=False).summary.warnings
    assert sum(w.startswith("radar 'surv': its site") for w in warnings) == 1, warnings
