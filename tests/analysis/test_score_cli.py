"""``iadsim score`` command (iadsim.cli.score), app assembled in the test."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

import iadsim.cli
from iadsim.analysis.metrics import score_frames
from iadsim.analysis.trackfiles import read_tracks, read_truth
from iadsim.cli.score import CSV_COLUMNS, register
from iadsim.errors import IadsimError, InputDataError
from iadsim.frames import Truth

N_STEPS = 6


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # keep "score" as a named sub-command
        """Test app."""

    return app


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Two threats 5 km apart; track 1 on threat 0 from step 1, track 2 tentative on threat 1."""
    t = np.repeat(np.arange(N_STEPS, dtype=float), 2)
    tid = np.tile([0, 1], N_STEPS)
    z = np.zeros(t.size)
    e = 250.0 * t
    n = 5000.0 * tid
    truth = Truth(
        t_s=t,
        threat_id=tid,
        e_m=e,
        n_m=n,
        u_m=z + 3000.0,
        ve_mps=z + 250.0,
        vn_mps=z,
        vu_mps=z,
        alt_m=z + 3000.0,
        alive=np.ones(t.size, bool),
    )
    pq.write_table(truth.to_arrow(), tmp_path / "truth.parquet")
    status = np.where(tid == 0, "confirmed", "tentative")
    status[0] = "tentative"
    tracks = pa.table(
        {
            "time": t,
            "track_id": tid + 1,
            "status": status,
            "x": e + 3.0,
            "y": n + 4.0,
            "z": z + 3000.0,
            "vx": z + 240.0,
            "vy": z,
            "vz": z,
            "var_x": z + 25.0,
            "var_y": z + 25.0,
            "var_z": z + 25.0,
        }
    )
    pq.write_table(tracks, tmp_path / "tracks.parquet")
    return tmp_path / "tracks.parquet", tmp_path / "truth.parquet"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_score_prints_table_and_writes_only_the_csv_asked_for(app, files) -> None:
    tracks, truth = files
    before = set(tracks.parent.iterdir())
    result = CliRunner().invoke(app, ["score", str(tracks), str(truth), "--c", "50"])
    assert result.exit_code == 0, result.output
    for label in ("GOSPA mean", "OSPA mean", "ID switches", "fragmentations", "position RMSE"):
        assert label in result.output
    # errors (3, 4, 0) m with variances 25 m^2 (no truth velocity): position NEES
    # (9 + 16) / 25 = 1 over each track's life
    assert "NEES over track life, all" in result.output and "1.00 (95% [" in result.output
    assert set(tracks.parent.iterdir()) == before  # nothing written unasked
    out = tracks.with_name("tracks.score.csv")
    args = ["score", str(tracks), str(truth), "--c", "50", "--csv", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert list(rows[0]) == list(CSV_COLUMNS) and len(rows) == N_STEPS
    ref = score_frames(read_truth(truth).truth, read_tracks(tracks).tracks, c_m=50.0)
    np.testing.assert_allclose([float(r["gospa_m"]) for r in rows], ref.series.gospa_m)
    # step 0: both threats missed (c/2 each); later: threat 1 missed, track 1 at 5 m
    assert float(rows[0]["gospa_m"]) == pytest.approx(50.0)
    assert float(rows[1]["gospa_m"]) == pytest.approx(5.0 + 25.0)
    assert not list(tracks.parent.glob(".*.tmp"))


def test_all_tracks_and_explicit_csv(app, files, tmp_path: Path) -> None:
    tracks, truth = files
    out = tmp_path / "custom.csv"
    args = ["score", str(tracks), str(truth), "--c", "50", "--p", "2", "--csv", str(out)]
    result = CliRunner().invoke(app, [*args, "--all-tracks"])
    assert result.exit_code == 0, result.output
    gospa = [float(r["gospa_m"]) for r in read_csv(out)]
    np.testing.assert_allclose(gospa, 5.0 * np.sqrt(2.0))  # both tracked, 5 m each, p = 2
    assert not tracks.with_name("tracks.score.csv").exists()


def test_tracks_without_status_score_as_confirmed_and_say_so(app, files, capsys) -> None:
    """Another tracker's file without a status column: every row is a confirmed track
    (track 2, tentative in the fixture, now counts: both threats tracked at 5 m), and
    the assumption is printed on stderr."""
    tracks, truth = files
    table = pq.read_table(tracks)
    other = tracks.with_name("other.parquet")
    pq.write_table(table.drop_columns(["status"]), other)
    out = tracks.with_name("other.csv")
    result = CliRunner().invoke(app, ["score", str(other), str(truth), "--c", "50",
                                      "--csv", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    said = "other.parquet: no status column: every row taken as a confirmed track"
    assert said in result.output + capsys.readouterr().err
    assert [float(r["gospa_m"]) for r in read_csv(out)] == pytest.approx([10.0] * N_STEPS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--c", "-1"], "score: --c: must be finite and > 0 (got -1.0)"),
        (["--p", "0.5"], "score: --p: must be finite and >= 1 (got 0.5)"),
        (["--alpha", "3"], "score: --alpha: must be in (0, 2] (got 3.0)"),
        (["--time-tol", "-1"], "score: --time-tol: must be >= 0 (got -1.0)"),
    ],
)
def test_bad_options_raise_input_error(app, files, args, message) -> None:
    tracks, truth = files
    result = CliRunner().invoke(app, ["score", str(tracks), str(truth), *args])
    assert isinstance(result.exception, InputDataError)
    assert str(result.exception) == message


def test_bad_file_through_main_exits_2_with_one_line(app, files, monkeypatch, capsys) -> None:
    tracks, truth = files
    table = pq.read_table(tracks)
    x = table.column("x").to_numpy().copy()
    x[7] = np.nan
    pq.write_table(table.set_column(table.column_names.index("x"), "x", pa.array(x)), tracks)
    out = tracks.with_name("tracks.score.csv")
    out.write_text("old\n")
    monkeypatch.setattr(iadsim.cli, "app", app)
    monkeypatch.setattr(sys, "argv", ["iadsim", "score", str(tracks), str(truth)])
    with pytest.raises(SystemExit) as info:
        iadsim.cli.main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: tracks.parquet: column 'x': NaN at row 7\n"
    assert out.read_text() == "old\n"  # nothing written on error


def test_no_matching_times_and_unwritable_csv(app, files, tmp_path: Path) -> None:
    tracks, truth = files
    table = pq.read_table(tracks)
    shifted = table.set_column(0, "time", pa.array(table.column("time").to_numpy() + 0.5))
    pq.write_table(shifted, tmp_path / "late.parquet")
    late = str(tmp_path / "late.parquet")
    result = CliRunner().invoke(app, ["score", late, str(truth), "--time-match", "nearest"])
    assert isinstance(result.exception, InputDataError)
    assert str(result.exception) == (
        "late.parquet: column 'time': no track time within 1e-06 s of a truth time of "
        "truth.parquet (tracks 0.5..5.5 s, truth 0..5 s: another time base?)"
    )
    for extra in (["--time-match", "nearest", "--time-tol", "0.5"], []):
        ok = CliRunner().invoke(app, ["score", late, str(truth), *extra])
        assert ok.exit_code == 0, ok.output
    way_late = shifted.set_column(0, "time", pa.array(table.column("time").to_numpy() + 99.0))
    pq.write_table(way_late, tmp_path / "way_late.parquet")
    # tracks after the truth ends (another time base: seconds of day, an epoch): scored,
    # the truth's own times read "every target missed" with nothing compared, exit 0
    result = CliRunner().invoke(app, ["score", str(tmp_path / "way_late.parquet"), str(truth)])
    assert isinstance(result.exception, InputDataError)
    assert "no track time inside the truth time span of truth.parquet" in str(result.exception)
    part = shifted.set_column(0, "time", pa.array(table.column("time").to_numpy() + 3.0))
    pq.write_table(part, tmp_path / "part_late.parquet")  # half inside: scored
    result = CliRunner().invoke(app, ["score", str(tmp_path / "part_late.parquet"), str(truth)])
    assert result.exit_code == 0, result.output
    empty_truth = pq.read_table(truth).slice(0, 0)
    pq.write_table(empty_truth, tmp_path / "empty_truth.parquet")
    result = CliRunner().invoke(app, ["score", late, str(tmp_path / "empty_truth.parquet")])
    assert str(result.exception) == "empty_truth.parquet: no truth rows (the file has no rows)"
    bad = CliRunner().invoke(app, ["score", late, str(truth), "--time-match", "spline"])
    assert "--time-match: must be" in str(bad.exception)
    missing_dir = tmp_path / "nope" / "out.csv"
    bad = CliRunner().invoke(app, ["score", str(tracks), str(truth), "--csv", str(missing_dir)])
    assert isinstance(bad.exception, IadsimError)
    assert str(bad.exception) == f"--csv {missing_dir}: folder {missing_dir.parent} does not exist"
    assert not missing_dir.parent.exists()
