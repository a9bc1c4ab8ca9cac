"""Run directory writer (iadsim.sim.recorder) and a recorded run of a tiny scenario."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from iadsim.errors import IadsimError
from iadsim.files import atomic_write
from iadsim.frames import Events, Truth
from iadsim.scenario.load import load_scenario, load_scenario_data
from iadsim.scenario.resolve import resolved_scenario_dict
from iadsim.sim import recorder
from iadsim.sim.runner import run_scenario

TINY: dict[str, Any] = {
    "name": "tiny",
    "origin": {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840},
    "simulation": {"duration_s": 300, "seed": 3, "truth_step_s": 5.0},
    "terrain": {"kind": "none"},
    "sites": [{"name": "base", "lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840}],
    "threats": [
        {
            "name": "cm",
            "type": "cruise-missile-class",
            "count": 2,
            "launch_time_s": 10,
            "launch_interval_s": 20,
            "target_site": "base",
            "route": [
                {"lat_deg": 40.30, "lon_deg": 32.69, "alt_m": 100},
                {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 100, "speed_mps": 240},
            ],
        }
    ],
}


def _tmp_files(d: Path) -> list[Path]:
    return [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.json"
    recorder.write_json(target, {"x": 1.5, "nan": math.nan, "v": np.float64(2.0), "t": (1, 2)})
    assert json.loads(target.read_text()) == {"x": 1.5, "nan": None, "v": 2.0, "t": [1, 2]}
    recorder.write_text(target, "second")
    assert target.read_text() == "second"
    assert _tmp_files(target.parent) == []


def test_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"

    def boom(tmp: str) -> None:
        Path(tmp).write_text("half a file")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, boom)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    # an existing file survives a failed rewrite untouched
    recorder.write_text(target, "good")
    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_failed_parquet_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    with pytest.raises(Exception):  # noqa: B017 - any pyarrow error
        recorder.write_parquet(target, "not a table")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_written_files_have_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "m.txt"
    recorder.write_text(target, "x")
    assert target.stat().st_mode & 0o044 == 0o044  # readable by group/others (not 0600)


def test_parquet_round_trip(tmp_path: Path) -> None:
    table = pa.table({"a": np.arange(5), "b": np.linspace(0, 1, 5)})
    recorder.write_parquet(tmp_path / "x.parquet", table)
    assert pq.read_table(tmp_path / "x.parquet").equals(table)


def test_prepare_run_dir_refuses_completed_run(tmp_path: Path) -> None:
    d = recorder.prepare_run_dir(tmp_path / "r")
    assert d.is_dir()
    recorder.prepare_run_dir(d)  # empty: may be reused
    (d / "notes.txt").write_text("mine")
    recorder.prepare_run_dir(d)  # other files are not a run's
    (d / "tracks.parquet").write_text("someone's tracks")  # (--out . beside them)
    with pytest.raises(IadsimError, match=r"already holds tracks\.parquet"):
        recorder.prepare_run_dir(d)
    (d / "summary.json").write_text("{}")
    with pytest.raises(IadsimError, match="already holds a completed run"):
        recorder.prepare_run_dir(d)
    assert (d / "tracks.parquet").read_text() == "someone's tracks"


def test_default_run_dir_is_unique_and_safe(tmp_path: Path) -> None:
    a = recorder.default_run_dir("my raid/1", root=tmp_path)
    assert a.parent == tmp_path and a.name.startswith("my_raid_1-")
    a.mkdir()
    b = recorder.default_run_dir("my raid/1", root=tmp_path)
    assert b != a and not b.exists()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    sc = load_scenario_data(TINY, file="tiny.yaml")
    out = tmp_path_factory.mktemp("runs") / "tiny-run"
    result = run_scenario(sc, out_dir=str(out))  # the API takes any path-like, str included
    return out, result


def test_run_writes_run_directory(tiny_run: tuple[Path, Any]) -> None:
    out, result = tiny_run
    assert result.run_dir == out
    names = {p.name for p in out.iterdir()}
    assert {"scenario.resolved.yaml", "truth.parquet", "events.parquet", "summary.json"} <= names
    assert not any(n.endswith(".tmp") for n in names)

    truth = pq.read_table(out / "truth.parquet")
    for c in ("lat_deg", "lon_deg", "alive", "threat_name", *Truth.columns()):
        assert c in truth.column_names
    t = Truth.from_arrow(truth)
    assert len(t) == 2 * 61  # 2 threats x (0..300 s step 5)
    lat = truth.column("lat_deg").to_numpy()
    assert np.all((lat > 39.9) & (lat < 40.35))
    # first missile launched at 10 s: not alive at t=0 and 5, alive at t=10
    rows0 = t.threat_id == 0
    assert t.alive[rows0][:3].tolist() == [False, False, True]

    events = Events.from_arrow(pq.read_table(out / "events.parquet"))
    launches = events.select(events.kind == "threat_launch")
    assert sorted(launches.t_s.tolist()) == [10.0, 30.0]

    summary = json.loads((out / "summary.json").read_text())
    in_memory = json.dumps(result.summary.to_json_dict(), allow_nan=True)
    assert summary == json.loads(in_memory.replace("NaN", "null"))
    assert summary["scenario"] == "tiny"
    assert summary["seed"] == 3
    assert summary["n_threats"] == 2
    # ~39 km at 240 m/s: both reach the site (no defences) and leak
    assert summary["n_leaked"] == 2 and summary["n_killed"] == 0
    assert [th["outcome"] for th in summary["threats"]] == ["leaked", "leaked"]


def test_second_run_into_same_directory_is_refused(tiny_run: tuple[Path, Any]) -> None:
    out, _ = tiny_run
    before = (out / "summary.json").read_text()
    sc = load_scenario_data(TINY, file="tiny.yaml")
    with pytest.raises(IadsimError, match="already holds a completed run"):
        run_scenario(sc, out_dir=out)
    assert (out / "summary.json").read_text() == before


def test_resolved_scenario_revalidates(tiny_run: tuple[Path, Any]) -> None:
    out, _ = tiny_run
    data = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert "cruise-missile-class" in data["catalog"]["platforms"]
    sc = load_scenario_data(data, file="scenario.resolved.yaml")
    assert sc.name == "tiny"
    assert sc.threats[0].count == 2
    assert sc.simulation.truth_step_s == 5.0


def test_resolved_default_preset_revalidates() -> None:
    sc = load_scenario("s400-vs-mixed-raid")
    data = yaml.safe_load(yaml.safe_dump(resolved_scenario_dict(sc), sort_keys=False))
    again = load_scenario_data(data, file="scenario.resolved.yaml")
    assert resolved_scenario_dict(again) == resolved_scenario_dict(sc)


def test_run_without_record_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sc = load_scenario_data(TINY, file="tiny.yaml")
    result = run_scenario(sc, record=False, seed=5)
    assert result.run_dir is None
    assert result.summary.seed == 5
    assert list(tmp_path.iterdir()) == []


def test_arrival_grid_is_bounded_by_the_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    from iadsim.scenario.compile import compile_world
    from iadsim.sim import runner

    data = {**TINY, "threats": [{**TINY["threats"][0], "launch_time_s": 50_000}]}
    sc = load_scenario_data(data, file="tiny.yaml")
    assert any("after the end of the simulation" in w for w in sc.warnings)
    world = compile_world(sc)
    seen: list[float] = []
    real_positions = type(world.truth).positions

    def spy(self: Any, t_s: Any, rows: Any) -> Any:
        seen.append(float(np.max(t_s)))
        return real_positions(self, t_s, rows)

    monkeypatch.setattr(type(world.truth), "positions", spy)
    runner.arrival_times_s(world)
    assert max(seen, default=0.0) <= world.duration_s + runner.ARRIVAL_STEP_S


def _dense_arrivals(world: Any) -> np.ndarray:
    """Arrival times as first written: all threats x all seconds of one shared grid."""
    from iadsim.sim.runner import ARRIVAL_STEP_S

    truth, end = world.truth, world.truth.end_s
    out, targets = end.copy(), world.threats.target_site
    t = np.arange(0.0, min(float(end.max()), world.duration_s) + ARRIVAL_STEP_S, ARRIVAL_STEP_S)
    states, n = truth.states(t), truth.n_threats
    pos = states.pos_m().reshape(t.size, n, 3)
    site = world.site_pos_enu_m[np.maximum(targets, 0)]
    horiz = np.hypot(pos[..., 0] - site[None, :, 0], pos[..., 1] - site[None, :, 1])
    inside = (horiz <= world.site_radius_m[np.maximum(targets, 0)][None, :]) & (
        states.alive.reshape(t.size, n)
    )
    first = np.where(inside.any(axis=0), inside.argmax(axis=0), -1)
    hit = (targets >= 0) & (first >= 0)
    out[hit] = np.minimum(t[first[hit]], end[hit])
    return out


@pytest.mark.parametrize("chunk", [1, 997, 200_000])
def test_arrivals_per_threat_equal_the_dense_grid(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunked per-threat scans give the dense all-threats x all-seconds answer exactly
    (saturation preset: 64 threats, staggered launches, arrivals inside the run)."""
    from iadsim.scenario.compile import compile_world
    from iadsim.sim import runner

    monkeypatch.setattr(runner, "ARRIVAL_CHUNK_CELLS", chunk)
    world = compile_world(load_scenario("saturation"))
    got, want = runner.arrival_times_s(world), _dense_arrivals(world)
    np.testing.assert_array_equal(got, want)
    assert np.sum(got < world.truth.end_s) > 10  # most arrive at the site before route end


def test_a_failed_table_write_leaves_the_run_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed Parquet write is the run's error: the files written before it are
    complete, nothing is left half-written, and summary.json (written last) is absent."""
    real = recorder.write_parquet_parts

    def failing(path: Path, parts: Iterable[pa.Table]) -> None:
        if path.name == "tracks.parquet":
            raise OSError("disk full")
        real(path, parts)

    monkeypatch.setattr(recorder, "write_parquet_parts", failing)
    sc = load_scenario_data(TINY, file="tiny.yaml")
    with pytest.raises(OSError, match="disk full"):
        run_scenario(sc, out_dir=tmp_path / "run")
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert "summary.json" not in names and "tracks.parquet" not in names
    assert {"truth.parquet", "detections.parquet"} <= set(names)
    assert not _tmp_files(tmp_path / "run")
