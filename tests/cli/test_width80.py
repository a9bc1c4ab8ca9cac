"""Every command at a terminal width of 80: no line wider, no identifying cell cut.

Identifying cells are names and types (threats, radars, batteries, presets,
catalog types, coverage targets, metrics, sweep points): each must appear in the
output verbatim; rich's ellipsis must never appear; descriptions may wrap but
never between the letters of a word.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from cli_helpers import TINY, Result, invoke

from iadsim.scenario.load import list_presets, load_catalog, read_scenario_yaml

WIDTH = 80


def check(res: Result, idents: list[str]) -> None:
    assert res.code == 0, res.err
    text = res.out
    for line in text.splitlines():
        assert len(line) <= WIDTH, line
    assert "…" not in text
    for name in idents:
        assert name in text, f"{name!r} cut or missing"


def tokens(text: str) -> set[str]:
    return set(re.split(r"[\s│┃|]+", text))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """``iadsim run`` of the default preset (engagements, batteries, three radars)."""
    base = tmp_path_factory.mktemp("w80")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        res = invoke("run", "--seed", "1", "--out", "run")
    return base, res


def test_run(default_run: tuple[Path, Result]) -> None:
    base, res = default_run
    summary = json.loads((base / "run" / "summary.json").read_text(encoding="utf-8"))
    idents = [t["name"] for t in summary["threats"]] + [t["type"] for t in summary["threats"]]
    idents += [r["name"] for r in summary["radars"]] + [r["type"] for r in summary["radars"]]
    idents += [b["name"] for b in summary["batteries"]]
    idents += [k for b in summary["batteries"] for k in b["fired"]]
    check(res, idents)


def test_score(default_run: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch) -> None:
    base, _ = default_run
    monkeypatch.chdir(base)
    # a re-tracked file: the run's own tracks.parquet currently repeats some (time, track)
    # rows, which the scorer rejects (reported to the lead)
    assert invoke("track", "run/detections.parquet", "-o", "t.parquet").code == 0
    res = invoke("score", "t.parquet", "run/truth.parquet", "--c", "500")
    check(res, ["GOSPA mean (m)", "NEES over track life", "times scored / dropped"])


def test_presets() -> None:
    res = invoke("presets")
    check(res, list(list_presets()) + sorted(load_catalog().radars))
    words = tokens(res.out)
    for name in list_presets():
        desc = str(read_scenario_yaml(name)[0].get("description", ""))
        for word in desc.split():
            assert word in words, f"{name}: description word {word!r} cut"


def test_catalog_show_and_validate(in_tmp: Path) -> None:
    check(invoke("catalog", "show", "s400-class-engagement"), ["s400-class-engagement"])
    (in_tmp / "tiny.yaml").write_text(yaml.safe_dump(TINY), encoding="utf-8")
    check(invoke("validate", "tiny.yaml"), ["tiny.yaml: ok"])


def test_coverage(in_tmp: Path) -> None:
    res = invoke(
        "coverage",
        "vhf-counter-stealth-class",
        "--no-plot",
        "--alt-m",
        "30,100,1000,3000,10000,20000",
    )
    check(res, ["vhf-counter-stealth-class", "20000 m"])
    res = invoke("coverage", "s400-class-low-level", "--compare", "--no-plot")
    check(res, ["F-35-class frontal", "F-16-class frontal", "cruise missile @30 m", "horizon"])


def test_compare(in_tmp: Path) -> None:
    (in_tmp / "tiny.yaml").write_text(yaml.safe_dump(TINY), encoding="utf-8")
    res = invoke("compare", "tiny.yaml", "tiny.yaml", "--seed", "2")
    check(res, ["cruise-missile-class", "f16-class", "mean 1st detection km", "n_threats"])


def test_campaign_summarize_and_query(in_tmp: Path) -> None:
    (in_tmp / "tiny.yaml").write_text(yaml.safe_dump(TINY), encoding="utf-8")
    sweep = "threats[1].count=1,2"
    run = invoke("campaign", "run", "tiny.yaml", "-n", "2", "--seed", "1", "--sweep", sweep,
                 "--backend", "inprocess", "--no-progress", "--out", "c")  # fmt: skip
    assert run.code == 0, run.err
    check(invoke("campaign", "summarize", "c"), ["threats[1].count=1", "threats[1].count=2"])
    res = invoke("query", "c", "SELECT DISTINCT name, type FROM threats ORDER BY name")
    check(res, ["long-named-cruise-missile-group", "cruise-missile-class", "viper-flight-1"])
