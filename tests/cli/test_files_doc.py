"""docs/files.md is generated from the frame definitions and matches a real run directory."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from iadsim.cli.files_doc import (
    EVENT_KIND_DOCS,
    RUN_FILES,
    SUMMARY_KEYS,
    SUMMARY_RECORDS,
    file_columns,
    render,
)
from iadsim.scenario.load import load_scenario
from iadsim.scenario.schema_tracking import TrackCliConfig
from iadsim.sim.json_record import field_docs
from iadsim.sim.runner import run_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "files.md"


def test_page_is_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/files.md is stale: python -m iadsim.cli.files_doc > docs/files.md"
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "default"
    run_scenario(load_scenario("s400-vs-mixed-raid"), seed=3, out_dir=out)
    return out


def test_run_directory_has_exactly_the_documented_files(run_dir: Path) -> None:
    documented = {d.name for d in RUN_FILES} | {"scenario.resolved.yaml", "summary.json"}
    assert {p.name for p in run_dir.iterdir()} == documented
    for name in documented:
        assert f"`{name}`" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", RUN_FILES, ids=lambda d: d.name)
def test_columns_and_types_match_the_file(run_dir: Path, doc) -> None:  # type: ignore[no-untyped-def]
    schema = pq.read_schema(run_dir / doc.name)
    arrow = {"double": "float64", "string": "string", "large_string": "string"}
    got = [(f.name, arrow.get(str(f.type), str(f.type))) for f in schema]
    assert got == [(name, typ) for name, typ, _ in file_columns(doc)]


def test_event_kinds_and_summary_keys_are_documented(run_dir: Path) -> None:
    kinds = set(pq.read_table(run_dir / "events.parquet").column("kind").to_pylist())
    assert kinds and kinds <= set(EVENT_KIND_DOCS)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    # every key documented, in file order; `tracking` only in runs of replayed threats
    assert list(summary) == [k for k in SUMMARY_KEYS if k != "tracking"]
    records = {key: [k for k, _ in field_docs(rec)] for key, _, rec in SUMMARY_RECORDS}
    assert all(list(th) == records["threats[]"] for th in summary["threats"])
    assert all(list(b) == records["batteries[]"] for b in summary["batteries"])
    assert all(list(r) == records["radars[]"] for r in summary["radars"])
    firsts = [f for r in summary["radars"] for f in r["first_detection"].values()]
    assert firsts and all(list(f) == records["radars[].first_detection.<threat>"] for f in firsts)


def test_documented_tracker_config_is_valid() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    cfg = TrackCliConfig.model_validate(yaml.safe_load(block))
    assert cfg.filter.kind == "ekf" and set(cfg.sensors) == {0}
