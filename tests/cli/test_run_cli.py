"""``iadsim run`` as a user runs it: a fresh process through the real entry point,
which after success exits without interpreter teardown (output must be complete)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TINY = {
    "name": "tiny",
    "origin": {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840},
    "simulation": {"duration_s": 200, "seed": 3, "truth_step_s": 5.0},
    "terrain": {"kind": "none"},
    "sites": [{"name": "base", "lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840}],
    "threats": [
        {
            "name": "cm",
            "type": "cruise-missile-class",
            "launch_time_s": 10,
            "target_site": "base",
            "route": [
                {"lat_deg": 40.30, "lon_deg": 32.69, "alt_m": 100},
                {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 100, "speed_mps": 240},
            ],
        }
    ],
}


def _iadsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iadsim", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


@pytest.mark.slow
def test_run_writes_a_complete_run_directory_and_full_output(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(TINY), encoding="utf-8")
    proc = _iadsim("run", "tiny.yaml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # the summary tables and the last line reached the pipe
    assert "surveillance only (no batteries): 1 air objects" in " ".join(proc.stdout.split())
    assert proc.stdout.rstrip().endswith("run directory: out")
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"truth.parquet", "detections.parquet", "tracks.parquet", "events.parquet"} <= names
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_threats"] == 1


@pytest.mark.slow
def test_failed_run_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = {**TINY, "simulation": {**TINY["simulation"], "duration_s": -5}}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    proc = _iadsim("run", "bad.yaml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: bad.yaml: simulation.duration_s")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_run_under_a_profiler_exits_normally_so_the_profile_is_written(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(TINY), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", "run.prof", "-m", "iadsim", "run", "tiny.yaml",
         "--quiet", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "run.prof").stat().st_size > 0
    assert (tmp_path / "out" / "summary.json").exists()
