"""Inputs an adversarial tester found that ``validate`` passed and a later command
crashed on, or that gave a traceback (2026-12-05): each now runs or ends in one line
naming the file and the field, exit 2."""

from __future__ import annotations

import copy
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from cli_helpers import TINY, invoke

from iadsim.scenario.schema_truth import recording_path


def _one_line(res, *said: str) -> None:  # type: ignore[no-untyped-def]
    assert res.code == 2, (res.out, res.err)
    lines = [x for x in res.err.strip().splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and all(s in lines[0] for s in said), res.err


@pytest.mark.parametrize("field", ["launch_time_s", "launch_interval_s"])
def test_a_launch_far_beyond_the_run_is_a_threat_that_never_flies(
    tmp_path: Path, field: str
) -> None:
    """1e20 s (the arrival search counted steps in int64 and failed on an empty argmax)."""
    data = copy.deepcopy(TINY)
    data["simulation"]["duration_s"] = 60
    data["threats"][1][field] = 1e20
    f = tmp_path / "late.yaml"
    f.write_text(yaml.safe_dump(data))
    res = invoke("run", str(f), "--quiet", "--out", str(tmp_path / "run"))
    assert res.code == 0, res.err
    assert (tmp_path / "run" / "summary.json").is_file()


def test_coverage_pd_below_the_radars_pfa() -> None:
    res = invoke("coverage", "s400-class-surveillance", "--pd", "1e-9", "--no-plot")
    _one_line(res, "--pd", "pfa")


@pytest.mark.parametrize("rows", [0, 1])
def test_a_recording_without_a_flight(tmp_path: Path, rows: int) -> None:
    """An empty recording, or one report: ``replay-info`` summarizes it (no flight), a
    scenario replaying it is refused naming the file."""
    table = pq.read_table(recording_path("iadsim:paris-cdg-20min.parquet"))
    rec = tmp_path / "rec.parquet"
    pq.write_table(table.slice(0, rows), rec)
    res = invoke("replay-info", str(rec))
    assert res.code == 0, res.err
    scen = tmp_path / "replay.yaml"
    data = copy.deepcopy(TINY)
    data["threats"] = [{"name": "traffic", "type": "airliner-class",
                        "motion": {"kind": "replay", "file": str(rec)}}]  # fmt: skip
    scen.write_text(yaml.safe_dump(data))
    _one_line(invoke("validate", str(scen)), "replay.yaml", "threats[0].motion", "no flight")


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [("--sigma-m", "nan", "must be a finite number (got nan)"),
     ("--sigma-m", "-inf", "must be a finite number (got -inf)"),
     ("--look-s", "nan", "must be a finite number (got nan)"),
     ("--sigma-m", "0", "must be in [1e-09, 1e+08] (got 0)")],
)  # fmt: skip
def test_track_number_options_say_what_is_wrong(
    tmp_path: Path, option: str, value: str, said: str
) -> None:
    """``--sigma-m nan`` read "must be <= 1e8" (click's range check with NaN)."""
    out = tmp_path / "t.parquet"
    res = invoke("track", str(tmp_path / "d.parquet"), "-o", str(out), option, value)
    assert res.code == 2 and res.err.strip().count("\n") == 0
    assert f"'{option}': {said}" in res.err and not out.exists()
