"""The typed run summary: summary.json round trips byte for byte, the figures agree with
each other, and a damaged summary.json stops with one line naming the file and field."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from killchain_scenarios import random_scenario

from iadsim.errors import InputDataError
from iadsim.sim.runner import RunResult, run_scenario
from iadsim.sim.summary_types import (
    BatterySummary,
    FirstDetection,
    RadarSummary,
    RunSummary,
    ThreatSummary,
    TrackingSummary,
    read_summary,
)


def _canon(x: Any) -> Any:
    """JSON value as written to a file: NaN/inf as null (the recorder's convention)."""
    if isinstance(x, dict):
        return {k: _canon(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_canon(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _text(summary: RunSummary) -> str:
    """The summary.json text of a summary (the recorder's format)."""
    return json.dumps(_canon(summary.to_json_dict()), indent=2, allow_nan=False) + "\n"


@pytest.fixture(scope="module", params=[1, 4])
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """A small random kill-chain scenario run and recorded (two seeds)."""
    out = tmp_path_factory.mktemp("runs") / f"run{request.param}"
    return run_scenario(random_scenario(request.param), seed=request.param, out_dir=out)


def test_summary_json_reads_back_to_the_same_bytes(recorded: RunResult) -> None:
    path = Path(str(recorded.run_dir)) / "summary.json"
    text = path.read_text(encoding="utf-8")
    back = read_summary(path)
    assert _text(back) == text
    assert _text(recorded.summary) == text  # the in-memory summary is what was written
    assert list(json.loads(text)) == list(back.to_json_dict())  # key order kept
    assert _text(read_summary(path.parent)) == text  # a run directory reads the same


def test_the_figures_agree_with_each_other(recorded: RunResult) -> None:
    s = recorded.summary
    assert s.n_killed + s.n_leaked + s.n_survived == s.n_threats == len(s.threats) > 0
    assert [t.threat_id for t in s.threats] == list(range(s.n_threats))
    assert s.n_never_engaged == sum(t.engagements == 0 for t in s.threats)
    assert s.interceptors_fired_total == sum(s.interceptors_fired.values())
    assert s.interceptors_fired_total == sum(b.fired_total for b in s.batteries)
    # every loaded type has its count, 0 included (a missing key was a NULL in campaign
    # results, skipped by avg()): the battery's loadout types, and their union
    sc = random_scenario(s.seed)
    for b, bty in zip(s.batteries, sc.batteries, strict=True):
        loaded = {t for lc in bty.launchers for t in lc.loadout}
        assert set(b.fired) == loaded
        assert all(
            b.fired[t]
            == sum(
                recorded.engagements.n_rounds[
                    (recorded.engagements.interceptor_type == t)
                    & (recorded.engagements.battery_id == sc.batteries.index(bty))
                ]
            )
            for t in loaded
        )
    assert set(s.interceptors_fired) == {t for b in s.batteries for t in b.fired}
    assert s.salvos == sum(s.salvos_by_outcome.values()) == sum(b.engagements for b in s.batteries)
    assert s.salvos == len(recorded.engagements)
    assert s.n_detections == sum(r.n_detections for r in s.radars) == len(recorded.detections)
    assert s.n_false_alarms == sum(r.n_false_alarms for r in s.radars)
    for b in s.batteries:
        assert b.kills + b.killed_by_others + b.leakers + b.survived == b.threats_in_reach
    by_name = {t.name: t for t in s.threats}
    for r in s.radars:  # the earliest radar's first plot is the threat's first detection
        for name, first in r.first_detection.items():
            assert first.t_s >= by_name[name].first_detection_t_s
    for t in s.threats:
        assert math.isnan(t.outcome_t_s) == (t.outcome == "survived")
    assert s.tracking is None and "tracking" not in s.to_json_dict()


def _damage(data: dict[str, Any], how: str) -> str:
    """Damage a summary dict in place; return the field path the error must name."""
    if how == "missing":
        del data["threats"][1]["outcome"]
        return "threats[1].outcome: missing"
    if how == "wrong type":
        data["n_killed"] = "three"
        return "n_killed: expected an integer"
    if how == "bool for int":
        data["batteries"][0]["kills"] = True
        return "batteries[0].kills: expected an integer"
    if how == "bad choice":
        data["threats"][0]["outcome"] = "exploded"
        return "threats[0].outcome: expected one of"
    if how == "unknown":
        data["radars"][0]["colour"] = "red"
        return "radars[0].colour: unknown field"
    if how == "null range":
        first = next(r for r in data["radars"] if r["first_detection"])["first_detection"]
        name = next(iter(first))
        first[name]["range_m"] = None
        return f".first_detection.{name}.range_m: expected a number, got null"
    if how == "inconsistent":
        data["n_leaked"] += 1
        return "n_killed + n_leaked + n_survived"
    assert how == "list"
    data["threats"] = {}
    return "threats: expected a list"


HOW = ("missing", "wrong type", "bool for int", "bad choice", "unknown", "null range",
       "inconsistent", "list")  # fmt: skip


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_summary_stops_with_one_line_naming_file_and_field(
    recorded: RunResult, tmp_path: Path, how: str
) -> None:
    data = json.loads((Path(str(recorded.run_dir)) / "summary.json").read_text())
    where = _damage(data, how)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputDataError) as err:
        read_summary(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: ") and where in msg and "\n" not in msg


def test_unreadable_summary_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"summary\.json: missing"):
        read_summary(tmp_path)
    (tmp_path / "summary.json").write_text('{"scenario": "x", ')
    with pytest.raises(InputDataError, match=r"summary\.json: cannot read JSON"):
        read_summary(tmp_path)
    (tmp_path / "summary.json").write_text("[1, 2]")
    with pytest.raises(InputDataError, match=r"summary\.json: expected an object, got list"):
        read_summary(tmp_path)


def test_a_summary_whose_totals_disagree_cannot_be_built(recorded: RunResult) -> None:
    import dataclasses

    s = recorded.summary
    with pytest.raises(ValueError, match="n_threats"):
        dataclasses.replace(s, n_killed=s.n_killed + 1)
    with pytest.raises(ValueError, match="threat records"):
        dataclasses.replace(s, threats=s.threats[:-1])


# -- property: any summary (NaN figures, odd names, a tracking section) round-trips --------

_f = st.floats(allow_nan=True, allow_infinity=False, width=64)
_names = st.text(min_size=1, max_size=8)
_counts = st.dictionaries(_names, st.integers(0, 10**6), max_size=3)


@st.composite
def _summaries(draw: st.DrawFn) -> RunSummary:
    outcomes = draw(st.lists(st.sampled_from(["killed", "leaked", "survived"]), max_size=5))
    threats = tuple(
        ThreatSummary(
            threat_id=i,
            name=draw(_names),
            group=draw(_names),
            type=draw(_names),
            outcome=o,
            outcome_t_s=draw(_f),
            first_detection_t_s=draw(_f),
            first_detection_range_m=draw(_f),
            first_track_t_s=draw(_f),
            first_track_range_m=draw(_f),
            first_fc_track_t_s=draw(_f),
            first_fc_track_range_m=draw(_f),
            engagements=draw(st.integers(0, 9)),
            rounds=draw(st.integers(0, 99)),
        )
        for i, o in enumerate(outcomes)
    )
    finite = st.floats(allow_nan=False, allow_infinity=False)
    radars = tuple(
        RadarSummary(
            name=draw(_names),
            type=draw(_names),
            n_detections=draw(st.integers(0, 99)),
            n_false_alarms=draw(st.integers(0, 9)),
            first_detection=draw(
                st.dictionaries(
                    _names, st.builds(FirstDetection, t_s=finite, range_m=finite), max_size=2
                )
            ),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    battery = st.builds(
        BatterySummary, name=_names, fired=_counts, fired_total=st.integers(0, 99),
        engagements=st.integers(0, 99), salvos_by_outcome=_counts,
        max_channels_used=st.integers(0, 9), threats_in_reach=st.integers(0, 9),
        kills=st.integers(0, 9), killed_by_others=st.integers(0, 9),
        leakers=st.integers(0, 9), survived=st.integers(0, 9),
    )  # fmt: skip
    ints = st.integers(0, 10**9)
    tracking = st.none() | st.builds(
        TrackingSummary, cut_off_m=finite, gospa_p=finite, gospa_alpha=finite,
        gospa_mean_m=_f, gospa_localisation_mean_m=_f, gospa_missed_mean_m=_f,
        gospa_false_mean_m=_f, n_targets=ints, n_targets_tracked=ints, n_tracks=ints,
        continuity_mean=_f, coverage_mean=_f, id_switches=ints, fragmentations=ints,
        rmse_m=_f, rmse_straight_m=_f, rmse_turning_m=_f, n_pairs_straight=ints,
        n_pairs_turning=ints, turn_threshold_deg_s=finite, scored=_names,
    )  # fmt: skip
    return RunSummary(
        scenario=draw(_names), seed=draw(st.integers(0, 2**63 - 1)), duration_s=draw(finite),
        n_threats=len(threats), n_killed=outcomes.count("killed"),
        n_leaked=outcomes.count("leaked"), n_survived=outcomes.count("survived"),
        n_never_engaged=draw(ints), interceptors_fired=draw(_counts),
        interceptors_fired_total=draw(ints), salvos=draw(ints), salvos_by_outcome=draw(_counts),
        n_detections=draw(ints), n_false_alarms=draw(ints), n_track_rows=draw(ints),
        batteries=tuple(draw(st.lists(battery, max_size=2))), radars=radars, threats=threats,
        warnings=tuple(draw(st.lists(st.text(max_size=20), max_size=2))),
        n_events_processed=draw(ints),
        stage_time_s=draw(st.dictionaries(_names, finite, max_size=3)),
        tracker_counters=draw(_counts), track_history=draw(st.sampled_from(["changes", "full"])),
        wall_time_s=draw(finite), tracking=draw(tracking),
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_summaries())
def test_any_summary_round_trips_through_its_json_text(summary: RunSummary) -> None:
    text = _text(summary)
    back = RunSummary.from_json_dict(json.loads(text), file="s.json")
    assert _text(back) == text
    assert (back.tracking is None) == (summary.tracking is None)
    assert ("tracking" in json.loads(text)) == (summary.tracking is not None)
