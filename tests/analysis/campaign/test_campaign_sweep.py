"""Sweep paths, overrides, grid/zip expansion, --sweep parsing, campaign YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from campaign_fakes import make_plan
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.analysis.campaign.definition import (
    is_campaign_data,
    load_campaign_file,
    parse_sweep_arg,
)
from iadsim.analysis.campaign.sweep import (
    MAX_RUNS,
    apply_overrides,
    expand_points,
    format_path,
    parse_path,
    set_path,
)
from iadsim.errors import ScenarioError


@pytest.mark.parametrize(
    ("path", "tokens"),
    [
        ("runs", ["runs"]),
        ("threats[0].count", ["threats", 0, "count"]),
        ("threats[0].route[1].speed_mps", ["threats", 0, "route", 1, "speed_mps"]),
        ("a[1][2].b-c", ["a", 1, 2, "b-c"]),
    ],
)
def test_parse_path_round_trip(path: str, tokens: list[Any]) -> None:
    assert parse_path(path) == tokens
    assert format_path(tokens) == path


@pytest.mark.parametrize("bad", ["", "[0]", "a.", "a..b", "a[x]", "a[0", ".a", "a b", "a[0]b"])
def test_parse_path_rejects(bad: str) -> None:
    with pytest.raises(ScenarioError, match="invalid field path"):
        parse_path(bad)


def test_set_path_index_out_of_range_message(fake_data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as info:
        set_path(fake_data, "threats[9].count", 2)
    assert str(info.value) == "threats[9]: index out of range (scenario has 2 threats)"


def test_set_path_nested_and_new_key(fake_data: dict[str, Any]) -> None:
    out = apply_overrides(fake_data, {"threats[1].speed_mps": 80.0, "batteries[0].x.y": 1})
    assert out["threats"][1]["speed_mps"] == 80.0
    assert out["batteries"][0]["x"] == {"y": 1}
    assert fake_data["threats"][1]["speed_mps"] == 50.0  # base untouched
    with pytest.raises(ScenarioError, match=r"^threats\[0\]\.count\[0\]: not a list"):
        set_path(fake_data, "threats[0].count[0]", 1)
    with pytest.raises(ScenarioError, match=r"^nope: no such list"):
        set_path(fake_data, "nope[0].a", 1)


def test_expand_grid_and_zip() -> None:
    pts = expand_points({"a": [1, 2, 3], "b": ["x", "y"]}, {"c": [10, 20], "d": [0.1, 0.2]})
    assert len(pts) == 12
    assert [p.point_id for p in pts] == list(range(12))
    assert pts[0].overrides == {"a": 1, "b": "x", "c": 10, "d": 0.1}
    assert pts[1].overrides == {"a": 1, "b": "x", "c": 20, "d": 0.2}
    assert pts[-1].overrides == {"a": 3, "b": "y", "c": 20, "d": 0.2}
    assert [p.overrides for p in expand_points()] == [{}]
    with pytest.raises(ScenarioError, match="differ in length"):
        expand_points(zipped={"c": [1, 2], "d": [1]})
    with pytest.raises(ScenarioError, match="empty list"):
        expand_points(grid={"a": []})


@pytest.mark.parametrize(
    ("text", "path", "values"),
    [
        ("threats[0].count=2,4,8", "threats[0].count", [2, 4, 8]),
        (
            "x=0.5, 1e3 ,true,null,shoot-look-shoot",
            "x",
            [0.5, 1000.0, True, None, "shoot-look-shoot"],
        ),
        ("r=[1,2],{a: 1}", "r", [[1, 2], {"a": 1}]),
        ("s='a,b',c", "s", ["a,b", "c"]),
    ],
)
def test_parse_sweep_arg(text: str, path: str, values: list[Any]) -> None:
    assert parse_sweep_arg(text) == (path, values)


@pytest.mark.parametrize("text", ["threats[0].count", "=1,2", "a=", "a=1,,2", "a[=1"])
def test_parse_sweep_arg_rejects(text: str) -> None:
    with pytest.raises(ScenarioError, match=r"^--sweep "):
        parse_sweep_arg(text)


def test_plan_reports_sweep_and_path() -> None:
    with pytest.raises(ScenarioError) as info:
        make_plan(grid={"threats[9].count": [2]}, sources={})
    assert str(info.value) == (
        "--sweep threats[9].count=2: threats[9]: index out of range (scenario has 2 threats)"
    )


def test_plan_validates_every_point_before_running() -> None:
    with pytest.raises(ScenarioError) as info:
        make_plan(grid={"threats[0].count": [2, 0]})
    msg = str(info.value)
    assert msg.startswith("--sweep threats[0].count=0: fake.yaml: threats[0].count: must be >= 1")
    assert "\n" not in msg


def test_a_refused_boolean_is_shown_as_written() -> None:
    """``--sweep threats[0].count=false``: the error shows ``false`` (YAML), not Python's
    ``False``, so the user finds the value they typed."""
    with pytest.raises(ScenarioError) as info:
        make_plan(grid={"threats[0].count": [False]})
    assert str(info.value).startswith("--sweep threats[0].count=false: ")


def test_campaign_yaml(tmp_path: Path) -> None:
    good = tmp_path / "campaign.yaml"
    good.write_text(
        "scenario: s400-vs-mixed-raid\nruns: 20\nseed: 7\n"
        "grid:\n  threats[0].count: [2, 4]\nzip: {a: [1, 2], b: [3, 4]}\nmetrics: [duration_s]\n"
    )
    spec = load_campaign_file(good)
    assert spec.runs == 20 and spec.seed == 7
    assert spec.grid == {"threats[0].count": [2, 4]}
    assert spec.zipped == {"a": [1, 2], "b": [3, 4]}
    assert is_campaign_data({"scenario": "x", "runs": 3})
    assert not is_campaign_data({"name": "x", "threats": []})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scenario: x\nruns: 0\n",
            "c.yaml: runs: Input should be greater than or equal to 1 (got 0)",
        ),
        ("scenario: x\nruns: 2\ngrd: {}\n", "c.yaml: grd: Extra inputs are not permitted"),
        ("runs: 2\n", "c.yaml: scenario: Field required"),
        ("scenario: x\nruns: 2\ngrid: {a: []}\n", "c.yaml: grid.a: List should have at least 1"),
        ("scenario: x\nruns: 2\nzip:\n  a[: [1]\n", "c.yaml: zip.a[: invalid field path"),
        ("scenario: x\nruns: [2\n", "c.yaml:3:1: YAML syntax error"),
    ],
)
def test_campaign_yaml_errors_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_campaign_file(path)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_one_runs_limit_for_file_cli_and_planner(tmp_path: Path) -> None:
    """A campaign file, ``--runs`` and the planner refuse the same count: MAX_RUNS is
    accepted by the file and the planner, one more by none (they had three limits)."""
    from iadsim.cli.options import MAX_RUNS as CLI_MAX

    assert CLI_MAX == MAX_RUNS
    path = tmp_path / "c.yaml"
    path.write_text(f"scenario: x\nruns: {MAX_RUNS}\n")
    assert load_campaign_file(path).runs == MAX_RUNS
    assert make_plan(MAX_RUNS).runs == MAX_RUNS
    path.write_text(f"scenario: x\nruns: {MAX_RUNS + 1}\n")
    with pytest.raises(ScenarioError, match=r"c\.yaml: runs: "):
        load_campaign_file(path)
    with pytest.raises(ScenarioError, match="must be <= "):
        make_plan(MAX_RUNS + 1)


_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@given(
    st.lists(st.one_of(_keys, st.integers(0, 99)), min_size=1, max_size=6).filter(
        lambda t: isinstance(t[0], str)
    )
)
@pytest.mark.slow
@settings(max_examples=200, deadline=None)
def test_path_round_trip_property(tokens: list[str | int]) -> None:
    assert parse_path(format_path(tokens)) == tokens


@given(st.dictionaries(_keys, st.lists(st.integers(), min_size=1, max_size=3), max_size=3))
@settings(max_examples=100, deadline=None)
def test_grid_size_is_product_property(grid: dict[str, list[int]]) -> None:
    points = expand_points(grid)
    assert len(points) == int(np.prod([len(v) for v in grid.values()]))
    assert len({tuple(p.overrides.items()) for p in points}) == len(points) or any(
        len(set(v)) < len(v) for v in grid.values()
    )


def test_sweeping_the_run_seed_is_refused() -> None:
    """``simulation.seed`` was accepted as a sweep dimension although each run's seed
    (SeedSequence of the root seed, point and replicate) overrides it: points differing
    only in name."""
    from iadsim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"simulation\.seed cannot be swept"):
        make_plan(2, grid={"simulation.seed": [1, 2]})


def test_a_metric_that_is_no_summary_figure_is_refused() -> None:
    """``metrics: [n_leakd]`` kept only the core columns (the misspelt metric dropped in
    silence, and the other figures with it); a metric must name a summary figure or one
    of a mapping figure's keys."""
    from iadsim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"'n_leakd' is not a figure.*did you mean 'n_leaked'"):
        make_plan(2, metrics=["n_leakd"])
    plan = make_plan(2, metrics=["salvos", "salvos_by_outcome.kill", "interceptors_fired"])
    assert plan.metrics == ("salvos", "salvos_by_outcome.kill", "interceptors_fired")
