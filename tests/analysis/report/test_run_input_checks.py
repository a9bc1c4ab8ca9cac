"""Tampered run directories: a one-line error naming the file and the column (exit 2
from the CLI), or, for valid but unusual data, a report that works.

Each case copies the default run and rewrites one Parquet file with pyarrow.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.report.acmi import acmi_text
from iadsim.analysis.report.figjson import to_json
from iadsim.analysis.report.run_report import render_run_report, run_figures
from iadsim.analysis.report.rundata import load_run
from iadsim.cli import main
from iadsim.errors import InputDataError

Edit = Callable[[pa.Table], pa.Table]


def tampered(src: Path, dest: Path, file: str, edit: Edit) -> Path:
    """A copy of run ``src`` at ``dest`` with ``file`` rewritten by ``edit``."""
    shutil.copytree(src, dest)
    pq.write_table(edit(pq.read_table(src / file)), dest / file)
    return dest


def replace(name: str, make: Callable[[pa.ChunkedArray], pa.Array]) -> Edit:
    """An edit replacing column ``name`` with ``make(old column)``."""

    def edit(t: pa.Table) -> pa.Table:
        return t.set_column(t.column_names.index(name), name, make(t.column(name)))

    return edit


def one_nan(col: pa.ChunkedArray) -> pa.Array:
    values = col.to_pylist()
    values[len(values) // 2] = math.nan
    return pa.array(values, col.type)


def nulls(col: pa.ChunkedArray) -> pa.Array:
    return pa.nulls(len(col), col.type)


def test_missing_covariance_columns_are_filled_as_the_frame_declares(
    default_run: Path, tmp_path: Path
) -> None:
    """Covariance terms have a fill (0) in ``Tracks``: older runs without them report."""
    run_dir = tampered(
        default_run, tmp_path / "r", "tracks.parquet",
        lambda t: t.drop_columns(["cov_vn_vu_m2ps2", "cov_e_n_m2"]),
    )  # fmt: skip
    run, full = load_run(run_dir), load_run(default_run)
    assert (run.tracks["cov_vn_vu_m2ps2"] == 0.0).all() and (run.tracks["cov_e_n_m2"] == 0).all()
    figs = run_figures(run, rcs_m2=(1.0,))
    assert figs.accuracy == run_figures(full, rcs_m2=(1.0,)).accuracy  # GOSPA: positions only
    assert "<html" in render_run_report(run, figs)


def test_truth_without_rows_is_an_error(default_run: Path, tmp_path: Path) -> None:
    """Every run records each threat from t = 0 (a scenario has at least one): no rows
    is a damaged file, not an empty raid."""
    run_dir = tampered(default_run, tmp_path / "r", "truth.parquet", lambda t: t.slice(0, 0))
    with pytest.raises(InputDataError, match=r"truth\.parquet: no rows, but the scenario has 12"):
        load_run(run_dir)


TRUTH_FLOATS = ["t_s", "e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "alt_m"]


@pytest.mark.parametrize("column", TRUTH_FLOATS)
def test_nan_in_truth_is_an_error_naming_the_column(
    column: str, default_run: Path, tmp_path: Path
) -> None:
    run_dir = tampered(default_run, tmp_path / "r", "truth.parquet", replace(column, one_nan))
    with pytest.raises(InputDataError, match=rf"truth\.parquet: {column}: 1 NaN or infinite"):
        load_run(run_dir)


def test_nan_where_the_file_allows_it_becomes_null_in_the_figures(
    default_run: Path, tmp_path: Path
) -> None:
    """NaN in engagement terms (Pk, end point, times of the end) and track variances is
    'unknown': the report and the ACMI export work, and the figure JSON holds no NaN."""
    run_dir = tampered(
        default_run, tmp_path / "r", "engagements.parquet",
        lambda t: replace("pk", one_nan)(replace("end_e_m", one_nan)(replace("t_end_s", nulls)(t))),
    )  # fmt: skip
    shutil.copy(run_dir / "tracks.parquet", tmp_path / "tracks.parquet")
    pq.write_table(
        replace("var_e_m2", one_nan)(pq.read_table(tmp_path / "tracks.parquet")),
        run_dir / "tracks.parquet",
    )
    run = load_run(run_dir)
    assert np.isnan(run.engagements["t_end_s"]).all()
    figs = run_figures(run, rcs_m2=(1.0,))
    for fig in (figs.map, figs.timeline, figs.gospa, figs.position_error, figs.magazine):
        json.loads(to_json(fig))  # to_json refuses NaN (allow_nan=False)
    assert "<html" in render_run_report(run, figs)
    assert "nan" not in acmi_text(run).lower()


def test_track_times_stored_as_text_are_a_type_error(default_run: Path, tmp_path: Path) -> None:
    run_dir = tampered(
        default_run, tmp_path / "r", "tracks.parquet",
        replace("t_s", lambda c: pc.cast(c, pa.string())),
    )  # fmt: skip
    with pytest.raises(InputDataError, match=r"tracks\.parquet: t_s: string values, need numbers"):
        load_run(run_dir)


def test_null_order_ids_are_an_error(default_run: Path, tmp_path: Path) -> None:
    run_dir = tampered(
        default_run, tmp_path / "r", "engagements.parquet", replace("order_id", nulls)
    )
    with pytest.raises(InputDataError, match=r"engagements\.parquet: order_id: \d+ null value"):
        load_run(run_dir)


def test_null_truth_times_are_an_error_not_a_short_acmi(default_run: Path, tmp_path: Path) -> None:
    run_dir = tampered(default_run, tmp_path / "r", "truth.parquet", replace("t_s", nulls))
    with pytest.raises(InputDataError, match=r"truth\.parquet: t_s: \d+ null value"):
        load_run(run_dir)


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("truth.parquet", "threat_id"),
        ("truth.parquet", "alive"),
        ("tracks.parquet", "track_id"),
        ("tracks.parquet", "status"),
        ("tracks.parquet", "e_m"),
        ("events.parquet", "t_s"),
        ("events.parquet", "kind"),
        ("events.parquet", "detail"),
        ("events.parquet", "threat_id"),
        ("engagements.parquet", "launcher_id"),
        ("engagements.parquet", "t_launch_s"),
        ("engagements.parquet", "outcome"),
        ("engagements.parquet", "n_rounds"),
        ("engagements.parquet", "interceptor_type"),
    ],
)
def test_nulls_in_required_columns_name_the_file_and_column(
    file: str, column: str, default_run: Path, tmp_path: Path
) -> None:
    run_dir = tampered(default_run, tmp_path / "r", file, replace(column, nulls))
    with pytest.raises(InputDataError, match=rf"{re.escape(file)}: {column}: \d+ null"):
        load_run(run_dir)


@pytest.mark.parametrize(
    ("file", "column", "value"),
    [
        ("truth.parquet", "threat_id", 12),
        ("events.parquet", "threat_id", -2),
        ("engagements.parquet", "launcher_id", 99),
        ("engagements.parquet", "threat_id_end", 40),
        ("tracks.parquet", "status", 7),
    ],
)
def test_ids_outside_the_scenario_are_an_error(
    file: str, column: str, value: int, default_run: Path, tmp_path: Path
) -> None:
    run_dir = tampered(
        default_run,
        tmp_path / "r",
        file,
        replace(column, lambda c: pa.array([value] * len(c), c.type)),
    )
    with pytest.raises(InputDataError, match=rf"{re.escape(file)}: {column}: values"):
        load_run(run_dir)


def test_missing_launcher_positions_come_from_the_scenario(
    default_run: Path, tmp_path: Path
) -> None:
    names = ["launcher_e_m", "launcher_n_m", "launcher_u_m"]
    run_dir = tampered(
        default_run, tmp_path / "r", "engagements.parquet", lambda t: t.drop_columns(names)
    )
    got, want = load_run(run_dir).engagements, load_run(default_run).engagements
    for name in names:
        np.testing.assert_array_equal(got[name], want[name])


@pytest.mark.parametrize(("command", "out"), [("report", "r.html"), ("export acmi", "r.acmi")])
def test_cli_exits_2_with_one_line(
    command: str,
    out: str,
    default_run: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_dir = tampered(
        default_run, tmp_path / "r", "engagements.parquet", replace("order_id", nulls)
    )
    monkeypatch.setattr(
        sys, "argv", ["iadsim", *command.split(), str(run_dir), "-o", str(tmp_path / out)]
    )
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "engagements.parquet: order_id" in lines[0], err


def test_a_column_named_twice_is_an_error(default_run: Path, tmp_path: Path) -> None:
    run_dir = tampered(
        default_run, tmp_path / "r", "tracks.parquet",
        lambda t: t.append_column("e_m", t.column("n_m")),
    )  # fmt: skip
    with pytest.raises(InputDataError, match=r"tracks\.parquet: columns \['e_m'\] appear more"):
        load_run(run_dir)
