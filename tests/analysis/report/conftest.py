"""Shared run directories for the report tests: the default preset run once per session,
and a copy with an ``engagements.parquet`` written per the kill-chain contract."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from iadsim.analysis.report.rundata import ENGAGEMENT_COLUMNS, load_run
from iadsim.scenario.load import load_scenario
from iadsim.sim.recorder import write_parquet
from iadsim.sim.runner import run_scenario


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default preset's run directory (seed 42)."""
    out = tmp_path_factory.mktemp("runs") / "default"
    run_scenario(load_scenario("s400-vs-mixed-raid"), seed=42, out_dir=out)
    return out


@pytest.fixture(scope="session")
def legacy_run(default_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run as a run written before engagements.parquet existed."""
    out = tmp_path_factory.mktemp("runs") / "legacy"
    shutil.copytree(default_run, out)
    (out / "engagements.parquet").unlink(missing_ok=True)
    return out


@pytest.fixture(scope="session")
def contract_run(legacy_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default run plus a synthetic engagements.parquet with every contract column;
    end points are shifted 1 km east of the event-derived ones, so a test can tell
    which source the report used."""
    out = tmp_path_factory.mktemp("runs") / "contract"
    shutil.copytree(legacy_run, out)
    g = load_run(out).engagements
    n = len(g["order_id"])
    cols = {k: g[k] for k in ENGAGEMENT_COLUMNS}
    cols["end_e_m"] = np.nan_to_num(g["end_e_m"].astype(float), nan=5000.0) + 1000.0
    cols["end_n_m"] = np.nan_to_num(g["end_n_m"].astype(float), nan=5000.0)
    cols["end_u_m"] = np.full(n, 3000.0)
    cols["pip_e_m"], cols["pip_n_m"], cols["pip_u_m"] = (np.zeros(n),) * 3
    cols["pk_table"], cols["p_acquisition"] = np.full(n, 0.8), np.full(n, 0.9)
    cols["pk"] = cols["pk_table"] * cols["p_acquisition"]
    cols["fc_radar_id"] = np.full(n, 2, dtype=np.int64)
    cols["reason"] = np.where(g["outcome"] == "kill", "", "salvo missed")
    arrays = {}
    for k, v in cols.items():
        v = np.asarray(v)
        arrays[k] = (
            pa.array(v.tolist(), type=pa.string())
            if v.dtype == object or v.dtype.kind == "U"
            else pa.array(v)
        )
    write_parquet(out / "engagements.parquet", pa.table(arrays))
    return out
