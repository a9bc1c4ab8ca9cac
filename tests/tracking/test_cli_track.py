"""``iadsim track``: happy path (Cartesian and polar) and one-line input errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from iadsim.cli.track import register


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)

    @a.command("noop")
    def _noop() -> None:  # a second command keeps "track" as a sub-command
        pass

    return a


def _scene(n_scans: int = 15) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.repeat(np.arange(n_scans, dtype=float), 2)
    k = t
    tgt = np.tile([0, 1], n_scans)
    x = np.where(tgt == 0, 100 * k, 5000 - 80 * k) + rng.normal(0, 5, t.size)
    y = np.where(tgt == 0, 50 * k, 2000.0) + rng.normal(0, 5, t.size)
    return {"time": t, "x": x, "y": y}


def _write(tmp: Path, cols: dict[str, np.ndarray], name: str = "det.parquet") -> Path:
    p = tmp / name
    pq.write_table(pa.table(cols), p)
    return p


def test_track_cartesian_happy_path(app, tmp_path) -> None:
    det = _write(tmp_path, _scene())
    out = tmp_path / "tracks.parquet"
    cfg = tmp_path / "tracker.yaml"
    cfg.write_text(
        "motion: {kind: cv, q_m2ps3: 1.0}\ninitiation: {kind: m_of_n, m: 2, n: 3,"
        " velocity_sigma_mps: 150}\ncartesian_sigma_m: 5\n"
    )
    res = CliRunner().invoke(app, ["track", str(det), "-o", str(out), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    tab = pq.read_table(out)
    for c in ("time", "track_id", "status", "x", "y", "vx", "vy", "var_x", "var_vy"):
        assert c in tab.column_names
    last = tab.filter(pa.compute.equal(tab["time"], 14.0)).to_pydict()
    confirmed = [s == "confirmed" for s in last["status"]]
    assert sum(confirmed) == 2
    vx = sorted(v for v, c in zip(last["vx"], confirmed, strict=True) if c)
    assert vx[0] == pytest.approx(-80, abs=10) and vx[1] == pytest.approx(100, abs=10)


def test_track_polar_happy_path(app, tmp_path) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(20, dtype=float)
    e, n, u = 20_000 - 200 * t, 30_000 + 0 * t, 5000 + 0 * t
    r = np.sqrt(e**2 + n**2 + u**2)
    cols = {
        "time": t, "sensor": np.zeros(20, np.int64),
        "range": r + rng.normal(0, 20, 20),
        "azimuth": np.arctan2(e, n) + rng.normal(0, 1e-3, 20),
        "elevation": np.arctan2(u, np.hypot(e, n)) + rng.normal(0, 1e-3, 20),
    }  # fmt: skip
    det = _write(tmp_path, cols)
    cfg = tmp_path / "tracker.yaml"
    cfg.write_text(
        "sensors: {0: {sigma_range_m: 20, sigma_az_deg: 0.06, sigma_el_deg: 0.06}}\n"
        "initiation: {kind: m_of_n, m: 2, n: 3, velocity_sigma_mps: 400}\n"
    )
    out = tmp_path / "tracks.parquet"
    res = CliRunner().invoke(app, ["track", str(det), "-o", str(out), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    last = pq.read_table(out).to_pandas().query("time == 19.0")
    assert len(last) == 1 and last.status.iloc[0] == "confirmed"
    assert last.vx.iloc[0] == pytest.approx(-200, abs=25)
    assert "z" in last.columns


def _bad(tmp_path: Path, app, cols, expect: str, cfg_text: str | None = None) -> None:
    det = _write(tmp_path, cols)
    out = tmp_path / "tracks.parquet"
    args = ["track", str(det), "-o", str(out)]
    if cfg_text is not None:
        cfg = tmp_path / "tracker.yaml"
        cfg.write_text(cfg_text)
        args += ["--config", str(cfg)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert expect in lines[0], lines[0]
    assert not out.exists()
    assert not list(tmp_path.glob(".tracks.parquet*"))


def test_missing_column(app, tmp_path) -> None:
    s = _scene()
    del s["y"]
    _bad(tmp_path, app, s, "det.parquet: y: required column is missing")


def test_nan_value(app, tmp_path) -> None:
    s = _scene()
    s["x"][7] = np.nan
    _bad(tmp_path, app, s, "det.parquet: x: row 7: not finite")


def test_unsorted_time(app, tmp_path) -> None:
    s = _scene()
    s["time"][5] = 100.0
    _bad(tmp_path, app, s, "det.parquet: time: row 6: not sorted")


def test_unknown_sensor(app, tmp_path) -> None:
    cols = {
        "time": np.zeros(3),
        "range": np.full(3, 1e4),
        "azimuth": np.zeros(3),
        "elevation": np.zeros(3),
        "sensor": np.array([0, 0, 4]),
    }
    _bad(tmp_path, app, cols, "det.parquet: sensor: row 2: sensor 4", "sensors: {0: {}}\n")


def test_config_error_names_field_path(app, tmp_path) -> None:
    _bad(
        tmp_path,
        app,
        _scene(),
        "tracker.yaml: filter.models[1].q_m2ps3",
        "filter: {kind: imm, models: [{kind: cv}, {kind: ct, q_m2ps3: -1}]}\n",
    )


def test_config_unknown_field(app, tmp_path) -> None:
    _bad(
        tmp_path,
        app,
        _scene(),
        "tracker.yaml: association.gate_prob: unknown field",
        "association: {kind: gnn, gate_prob: 0.99}\n",
    )


def test_config_invalid_yaml(app, tmp_path) -> None:
    _bad(tmp_path, app, _scene(), "tracker.yaml:2:4: YAML", "motion: {kind: cv\n  q: [\n")


def test_track_reads_an_iadsim_run_directory_detections_file(app, tmp_path) -> None:
    # detections.parquet of `iadsim run` (frames.Detections columns: t_s, range_m, ...,
    # sensor positions and sigmas per row) is tracked without any sensor config.
    from tracking_helpers import polar_detections

    from iadsim.frames import Detections

    rng = np.random.default_rng(3)
    t = np.arange(20, dtype=float)
    pos = np.column_stack([20_000 - 200 * t, 30_000 + 0 * t, 5000 + 0 * t])
    dets = polar_detections(t, pos, np.array([0.0, 0.0, 10.0]), (20.0, 1e-3, 1e-3), rng)
    det = tmp_path / "detections.parquet"
    pq.write_table(Detections.concat([dets]).to_arrow(), det)
    out = tmp_path / "tracks.parquet"
    res = CliRunner().invoke(app, ["track", str(det), "-o", str(out)])
    assert res.exit_code == 0, res.output
    tab = pq.read_table(out).to_pydict()
    last = [i for i, tt in enumerate(tab["time"]) if tt == 19.0 and tab["status"][i] == "confirmed"]
    assert len(last) == 1
    assert tab["vx"][last[0]] == pytest.approx(-200, abs=25)
