"""``iadsim replay-info`` and ``iadsim run real-traffic`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke

BUNDLED = "iadsim:paris-cdg-20min.parquet"


def test_replay_info_summarizes_the_bundled_recording() -> None:
    res = invoke("replay-info", BUNDLED, columns=100)
    assert res.code == 0, res.err
    assert "frozen positions removed" in res.out and "2084" in res.out
    doc = json.loads(invoke("replay-info", BUNDLED, "--format", "json").out)
    assert doc["flights"] == 40 and doc["cleaning"]["reports_read"] == 18_500
    c = doc["cleaning"]
    removed = c["incomplete"] + c["duplicates"] + c["frozen"] + c["outliers"]
    assert (
        c["reports_kept"] == c["reports_read"] - removed - c["absurd_altitude"] - c["absurd_speed"]
    )
    assert 1190 < doc["span_s"] < 1200
    lo, hi = doc["lat_deg"]
    assert 48.4 < lo < hi < 49.6
    # stale ADS-B positions: differenced, tens of m/s off the aircraft's own velocity;
    # fused with it (the replay's default), a few m/s
    vel = doc["velocity_vs_recorded_rms_mps"]
    assert vel["reported"] > 20.0 and vel["fused"] < 5.0, vel
    assert "velocity vs recorded" in res.out


def test_replay_info_lists_flights_as_csv() -> None:
    res = invoke("replay-info", BUNDLED, "--flights", "--format", "csv")
    lines = res.out.strip().splitlines()
    assert res.code == 0 and lines[0].startswith("name,icao24,start_s")
    assert len(lines) == 41


def test_replay_info_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "r.csv"
    bad.write_text("timestamp,icao24,latitude,longitude\n1,abc,49,2\n")
    res = invoke("replay-info", str(bad))
    assert res.code == 2 and res.err.strip().count("\n") == 0
    assert f"{bad}: column 'altitude': missing" in res.err
    res = invoke("replay-info", BUNDLED, "--units", "altitude")
    assert res.code == 2 and "--units: expected COLUMN=UNIT" in res.err


def test_real_traffic_preset_runs_and_scores_the_tracker(tmp_path: Path) -> None:
    res = invoke("run", "real-traffic", "--out", str(tmp_path / "run"), "--format", "json")
    assert res.code == 0, res.err
    summary = json.loads(res.out)
    q = summary["tracking"]
    assert q["n_targets"] == 40 and summary["n_threats"] == 40
    # the IMM of the preset (civil-surveillance) holds one track per aircraft through turns
    assert q["id_switches"] <= 5 and q["n_tracks"] <= 50
    assert q["continuity_mean"] > 0.8
    assert 20.0 < q["rmse_straight_m"] < 150.0 and q["rmse_turning_m"] < 300.0
    assert q["n_pairs_turning"] > 100  # the recording has turns
    parts = q["gospa_localisation_mean_m"] + q["gospa_missed_mean_m"] + q["gospa_false_mean_m"]
    assert abs(parts - q["gospa_mean_m"]) < 1e-6 * q["gospa_mean_m"]  # p = 1
    on_disk = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert on_disk["tracking"] == q
    # the summary and ``iadsim score`` of the run say the same under the same names
    # (continuity over each aircraft's coverage window; the summary's was over its life)
    run = tmp_path / "run"
    scored = invoke("score", str(run / "tracks.parquet"), str(run / "truth.parquet"), "-f", "json")
    assert scored.code == 0, scored.err
    doc = json.loads(scored.out)
    assert q["continuity_mean"] == pytest.approx(doc["mean_continuity"], rel=1e-12)
    assert q["gospa_mean_m"] == pytest.approx(doc["gospa_mean_m"], rel=1e-12)


def test_validate_reads_the_recording(tmp_path: Path) -> None:
    import yaml

    from iadsim.scenario.load import read_scenario_yaml

    data, _ = read_scenario_yaml("real-traffic")
    res = invoke("validate", "real-traffic")
    assert res.code == 0 and "40 threats" in res.out
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,icao24,latitude,longitude,altitude\n2,a,49,2,1000\n1,a,49,2,1000\n")
    data["threats"][0]["motion"] = {
        "kind": "replay",
        "file": str(bad),
        "units": {"timestamp": "s", "altitude": "ft"},
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    res = invoke("validate", str(tmp_path / "s.yaml"))
    assert res.code == 2 and res.err.strip().count("\n") == 0
    assert f"threats[0].motion: {bad}: column 'timestamp': row 2: time goes backwards" in res.err


def test_relative_data_paths_are_read_from_the_scenario_directory(
    tmp_path: Path, monkeypatch: object
) -> None:
    """A scenario names its recording and DEM relative to its own directory: it
    validates from any working directory, and a missing file is named by that path."""
    import shutil

    import pytest
    import yaml

    from iadsim.scenario.load import read_scenario_yaml
    from iadsim.scenario.schema_truth import bundled_data_dir

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    scen = tmp_path / "scenarios"
    (scen / "data").mkdir(parents=True)
    shutil.copy(bundled_data_dir() / BUNDLED.removeprefix("iadsim:"), scen / "data" / "rec.parquet")
    data, _ = read_scenario_yaml("real-traffic")
    for threat in data["threats"]:
        threat["motion"]["file"] = "data/rec.parquet"
    (scen / "s.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = invoke("validate", str(scen / "s.yaml"))
    assert res.code == 0 and "40 threats" in res.out, res.err
    anchored, _ = read_scenario_yaml(scen / "s.yaml")
    assert anchored["threats"][0]["motion"]["file"] == str(scen / "data" / "rec.parquet")
    data["terrain"] = {"kind": "geotiff", "path": "dem/missing.tif"}
    (scen / "s.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    res = invoke("validate", str(scen / "s.yaml"))
    assert res.code == 2 and f"{scen / 'dem' / 'missing.tif'}: no such file" in res.err
