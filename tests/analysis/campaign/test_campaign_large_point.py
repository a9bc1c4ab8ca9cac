"""A 1,000-threat campaign point runs on a Dask LocalCluster exactly as in-process
(the real simulation, shared per-point set-up in each worker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_fakes import load_table

from iadsim.analysis.campaign.backends import DaskBackend, InProcessBackend
from iadsim.analysis.campaign.runner import plan_campaign, run_campaign
from iadsim.analysis.campaign.tasks import is_timing_column
from iadsim.scenario.load import read_scenario_yaml


@pytest.mark.slow
def test_thousand_threat_point_same_on_dask_as_in_process(tmp_path: Path) -> None:
    data, file = read_scenario_yaml("saturation")
    for threat in data["threats"]:  # 24 + 24 + 40 threats x 16 = 1,024
        threat["count"] = 16 * int(threat["count"])
    data["simulation"]["duration_s"] = 700.0
    plan = plan_campaign(data, scenario="saturation-x16", file=file, runs=2, root_seed=13)
    tables = {}
    for name, backend in {"local": InProcessBackend(), "dask": DaskBackend(workers=2)}.items():
        out = run_campaign(plan, tmp_path / name, backend=backend)
        assert out.complete and out.n_ok == 2, name
        t = load_table(tmp_path / name)
        tables[name] = t.drop_columns([c for c in t.column_names if is_timing_column(c)])
    assert tables["local"].column("n_threats").to_pylist() == [1024, 1024]
    assert tables["dask"].equals(tables["local"])
    assert load_table(tmp_path / "dask", "threats").num_rows == 2048
