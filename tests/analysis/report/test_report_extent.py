"""The map's initial extent against the layers it draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iadsim.analysis.report import coverage as cov
from iadsim.analysis.report.replay_frames import map_figure
from iadsim.analysis.report.rundata import RunData, load_run
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.sim.runner import run_scenario


@pytest.fixture(scope="module")
def compact_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Zurich replay cut to 120 s: traffic within ~60 km, an airport radar seeing a 1 m²
    target at 1 km out to ~80 km (its footprint is wider than the traffic)."""
    data, file = read_scenario_yaml("real-traffic-zurich")
    data["simulation"]["duration_s"] = 120
    out = tmp_path_factory.mktemp("runs") / "zurich"
    run_scenario(load_scenario_data(data, file=file), seed=98003, out_dir=out)
    return out


def _prints(run: RunData, alt_m: float) -> list[cov.Footprint]:
    radars = cov.site_radars(run.world, run.scenario)
    return [
        cov.footprint(r, s, alt_m, ground_alt_m=r.antenna_alt_m - w.mast_m)
        for s in (1.0, 0.01)
        for r, w in zip(radars, run.world.radars, strict=True)
    ]


@pytest.mark.parametrize(("which", "alt_m"), [("compact_run", 1000.0), ("default_run", 100.0)])
def test_initial_map_extent_holds_every_footprint(
    which: str, alt_m: float, request: pytest.FixtureRequest
) -> None:
    """The Zurich map opened on the traffic and cut the 1 m² footprint at 1 km off on
    three sides (box from truth, sites and radars only)."""
    run = load_run(request.getfixturevalue(which))
    prints = _prints(run, alt_m)
    fig, _counts = map_figure(run, prints)
    x0, x1 = fig["layout"]["xaxis"]["range"]
    y0, y1 = fig["layout"]["yaxis"]["range"]
    drawn = [tr for tr in fig["data"] if tr.get("fill") == "toself"]
    assert len(drawn) == len(prints)
    for tr in drawn:  # the figure's own footprint outlines, km
        x = np.array([v for v in tr["x"] if v is not None], dtype=float)
        y = np.array([v for v in tr["y"] if v is not None], dtype=float)
        assert x0 <= x.min() and x.max() <= x1, tr["name"]
        assert y0 <= y.min() and y.max() <= y1, tr["name"]
    tr = run.truth  # and still every path, site and radar
    assert x0 <= tr.e_m.min() / 1e3 and tr.e_m.max() / 1e3 <= x1
    assert y0 <= tr.n_m.min() / 1e3 and tr.n_m.max() / 1e3 <= y1
    for r in run.world.radars:
        assert x0 <= r.pos_enu_m[0] / 1e3 <= x1 and y0 <= r.pos_enu_m[1] / 1e3 <= y1
