"""``iadsim track`` on a run's own detections.parquet, whose plots carry their own
times: tracked one look per estimated revisit (tracking/scans.py), it holds the
aircraft as the run's tracker did. Before, it took every plot for a scan and
confirmed no track at all."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from cli_helpers import invoke

from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario


@pytest.mark.slow
def test_retracking_a_run_matches_the_runs_own_tracker(tmp_path: Path) -> None:
    """The real-traffic preset (rotating ASR-9-class radar at 4.8 s), 6 min, re-tracked
    with the preset's tracker: GOSPA within 15% of the run's, as many aircraft held."""
    sc = load_scenario("real-traffic")
    sc = sc.model_copy(update={"simulation": sc.simulation.model_copy(
        update={"duration_s": 360.0})})  # fmt: skip
    run = tmp_path / "run"
    run_scenario(sc, out_dir=run)
    assert sc.tracker is not None
    cfg = tmp_path / "tracker.yaml"
    cfg.write_text(yaml.safe_dump(sc.tracker.model_dump(mode="json")))
    out = tmp_path / "t.parquet"
    res = invoke("track", str(run / "detections.parquet"), "-o", str(out), "--config", str(cfg))
    assert res.code == 0, res.err
    assert "revisit of 4.8 s, estimated" in res.err  # what was assumed is said
    assert pq.read_table(out).column("status").to_pylist().count("confirmed") > 0
    mine, runs = (
        json.loads(invoke("score", str(f), str(run / "truth.parquet"), "--c", "2000",
                          "--format", "json").out)
        for f in (out, run / "tracks.parquet")
    )  # fmt: skip
    assert mine["gospa_mean_m"] == pytest.approx(runs["gospa_mean_m"], rel=0.15)
    assert mine["n_truth_tracked"] >= runs["n_truth_tracked"] - 1
    # the period given instead of estimated: the same looks, nothing said
    res = invoke("track", str(run / "detections.parquet"), "-o", str(tmp_path / "u.parquet"),
                 "--config", str(cfg), "--look-s", "4.8")  # fmt: skip
    assert res.code == 0 and "estimated" not in res.err
