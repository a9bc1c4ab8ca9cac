"""``iadsim track --tracker NAME`` and ``iadsim presets``' table of the shipped tracker
configurations; the held-out recording (Zurich) as ``replay-info`` shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_helpers import invoke

from iadsim.scenario.load import load_scenario
from iadsim.scenario.named_trackers import list_named_trackers
from iadsim.sim.runner import run_scenario


def test_presets_lists_the_tracker_configurations() -> None:
    res = invoke("presets", columns=200)
    assert res.code == 0, res.err
    table = res.out.split("tracker configurations", 1)[1]
    for name in list_named_trackers():
        assert name in table
    doc = json.loads(invoke("presets", "--format", "json").out)
    assert [t["name"] for t in doc["trackers"]] == list_named_trackers()
    assert all(t["description"] and t["source"] for t in doc["trackers"])


@pytest.fixture(scope="module")
def detections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The held-out preset's plots, 4 minutes."""
    sc = load_scenario("real-traffic-zurich")
    sc = sc.model_copy(update={"simulation": sc.simulation.model_copy(
        update={"duration_s": 240.0})})  # fmt: skip
    out = tmp_path_factory.mktemp("run") / "zrh"
    run_scenario(sc, out_dir=out)
    return out / "detections.parquet"


def test_tracker_and_config_together_is_a_one_line_error(detections: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "t.yaml"
    cfg.write_text("dims: 3\n")
    out = tmp_path / "t.parquet"
    res = invoke("track", str(detections), "-o", str(out), "--tracker", "civil-surveillance",
                 "--config", str(cfg))  # fmt: skip
    assert res.code == 2 and res.err.strip().count("\n") == 0
    assert "--tracker and --config: give one" in res.err and not out.exists()


def test_an_unknown_tracker_name_lists_the_known_ones(detections: Path, tmp_path: Path) -> None:
    res = invoke("track", str(detections), "-o", str(tmp_path / "t.parquet"), "--tracker", "civil")
    assert res.code == 2 and res.err.strip().count("\n") == 0
    assert "--tracker: unknown tracker configuration 'civil'" in res.err
    assert ", ".join(list_named_trackers()) in res.err


def test_tracker_by_name_is_the_config_file_naming_it(detections: Path, tmp_path: Path) -> None:
    """--tracker NAME tracks exactly as a --config file that says 'preset: NAME', and
    differently from another configuration."""
    a, b, c = (tmp_path / f"{k}.parquet" for k in "abc")
    cfg = tmp_path / "t.yaml"
    cfg.write_text("preset: civil-surveillance\n")
    assert (
        invoke("track", str(detections), "-o", str(a), "--tracker", "civil-surveillance").code == 0
    )
    assert invoke("track", str(detections), "-o", str(b), "--config", str(cfg)).code == 0
    assert invoke("track", str(detections), "-o", str(c), "--tracker", "air-defense-3d").code == 0
    ta, tb, tc = (pq.read_table(p) for p in (a, b, c))
    assert ta.equals(tb) and not ta.equals(tc)
    assert ta.column("status").to_pylist().count("confirmed") > 0


def test_replay_info_reads_the_held_out_recording() -> None:
    doc = json.loads(invoke("replay-info", "iadsim:zurich-20min.parquet", "--format", "json").out)
    assert doc["flights"] == 35 and doc["cleaning"]["reports_read"] == 915
    assert 1180 < doc["span_s"] < 1200
    lo, hi = doc["lat_deg"]
    assert 46.9 <= lo < hi <= 48.0  # within 60 km of Zurich airport (47.46 N)
    assert doc["cleaning"]["reports_kept"] >= 0.99 * doc["cleaning"]["reports_read"]


@pytest.mark.slow
def test_civil_configuration_holds_the_held_out_traffic(tmp_path: Path) -> None:
    """The shipped civil-surveillance configuration, tuned on Paris only, on the Zurich
    recording: at least 90% of the aircraft tracked, at most 1.5 tracks per aircraft."""
    res = invoke("run", "real-traffic-zurich", "--out", str(tmp_path / "run"), "--format", "json")
    assert res.code == 0, res.err
    q = json.loads(res.out)["tracking"]
    assert q["n_targets"] == 35
    assert q["n_targets_tracked"] >= 0.9 * q["n_targets"]
    assert q["n_tracks"] <= 1.5 * q["n_targets"]


def test_output_named_csv_is_csv_and_scores_as_the_parquet(
    detections: Path, tmp_path: Path
) -> None:
    """``-o tracks.csv`` writes CSV (it wrote Parquet bytes under that name, which
    ``score`` then failed to read), with the same rows as ``-o tracks.parquet``."""
    import pyarrow.csv as pacsv

    runs = {}
    for name in ("t.parquet", "t.csv"):
        res = invoke("track", str(detections), "-o", str(tmp_path / name), "--tracker",
                     "civil-surveillance")  # fmt: skip
        assert res.code == 0, res.err
        runs[name] = res
    pq_rows = pq.read_table(tmp_path / "t.parquet")
    csv_rows = pacsv.read_csv(tmp_path / "t.csv")
    assert csv_rows.column_names == pq_rows.column_names and csv_rows.num_rows == pq_rows.num_rows
    truth = str(detections.parent / "truth.parquet")
    scores = [json.loads(invoke("score", str(tmp_path / n), truth, "-f", "json").out)
              for n in ("t.parquet", "t.csv")]  # fmt: skip
    assert scores[0]["gospa_mean_m"] == pytest.approx(scores[1]["gospa_mean_m"], rel=1e-9)
