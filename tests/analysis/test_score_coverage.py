"""``iadsim score``'s honest defaults (issue #14 item 5): a surveillance-scale cut-off
said in the title, continuity over each target's coverage window, results per class
and per target."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from iadsim.analysis.metrics import coverage_windows, score_frames
from iadsim.cli.score import DEFAULT_C_M, register
from iadsim.frames import Tracks, TrackStatus, Truth

T = np.arange(0.0, 101.0, 1.0)


def _truth() -> Truth:
    """Target 0 (class 'jet') flies 0..100 s; target 1 (class 'drone') too, 20 km away."""
    t = np.repeat(T, 2)
    tid = np.tile([0, 1], T.size)
    z = np.zeros(t.size)
    return Truth(
        t_s=t, threat_id=tid, e_m=200.0 * t, n_m=20e3 * tid, u_m=z + 3000, ve_mps=z + 200,
        vn_mps=z, vu_mps=z, alt_m=z + 3000, alive=np.ones(t.size, bool),
    )  # fmt: skip


def _tracks(t0_s: float, off_m: float = 30.0) -> Tracks:
    """One confirmed track on target 0 from ``t0_s``, ``off_m`` east of it."""
    t = T[T >= t0_s]
    z = np.zeros(t.size)
    return Tracks(
        t_s=t, track_id=np.full(t.size, 7), status=np.full(t.size, TrackStatus.CONFIRMED, np.int8),
        e_m=200.0 * t + off_m, n_m=z, u_m=z + 3000, ve_mps=z + 200, vn_mps=z, vu_mps=z,
        var_e_m2=z + 900, var_n_m2=z + 900, var_u_m2=z + 900, var_ve_m2ps2=z + 1,
        var_vn_m2ps2=z + 1, var_vu_m2ps2=z + 1, quality=z,
    )  # fmt: skip


def test_continuity_counts_the_coverage_window_only() -> None:
    # target 0 is first plotted at 50 s and tracked from 55 s: over its life the
    # tracker holds it ~45% of the time, over its window (50..100 s) ~90%
    cov = coverage_windows(np.r_[np.arange(50.0, 101.0, 5.0), 70.0], np.r_[np.zeros(11), -1])
    life = score_frames(_truth(), _tracks(55.0), c_m=2000.0)
    win = score_frames(_truth(), _tracks(55.0), c_m=2000.0, coverage=cov)
    k_life, k_win = life.continuity, win.continuity
    i = int(np.flatnonzero(k_life.truth_id == 0)[0])
    t_eval = life.series.t_s
    tracked = np.sum(t_eval >= 55.0)
    assert k_life.n_assigned_steps[i] == tracked
    assert k_life.continuity[i] == pytest.approx(tracked / t_eval.size)
    assert list(k_win.truth_id) == [0]  # target 1 never plotted: no window, not a failure
    assert k_win.n_assigned_steps[0] == tracked
    assert k_win.continuity[0] == pytest.approx(tracked / np.sum(t_eval >= 50.0))
    assert k_win.continuity[0] > 1.8 * k_life.continuity[i]
    assert k_win.time_to_track_s[0] == pytest.approx(5.0)  # from its first plot
    # GOSPA and RMSE do not depend on the windows
    assert win.series.gospa_mean_m == life.series.gospa_mean_m
    assert win.truth_pos_rmse_m[0] == pytest.approx(30.0)


def test_coverage_windows_ignore_false_alarms_and_bound_each_target() -> None:
    cov = coverage_windows([5.0, 1.0, 9.0, 3.0, 4.0], [2, 2, 2, -1, 4])
    assert list(cov.truth_id) == [2, 4]
    assert list(cov.t_first_s) == [1.0, 4.0] and list(cov.t_last_s) == [9.0, 4.0]
    inside = cov.inside([2, 2, 2, 4, 3], [0.5, 1.0, 9.5, 4.0, 4.0])
    assert inside.tolist() == [False, True, False, True, False]


@pytest.fixture
def run_like(tmp_path: Path) -> Path:
    """A run-like directory: truth.parquet with classes, detections.parquet beside it,
    tracks 1 km off target 0 (a 50 m cut-off would call it missed plus false)."""
    truth = _truth()
    table = truth.to_arrow()
    names = np.where(truth.threat_id == 0, "jet", "drone")
    table = table.append_column("threat_type", pa.array(names.tolist()))
    pq.write_table(table, tmp_path / "truth.parquet")
    det_t = np.r_[np.arange(50.0, 101.0, 5.0), np.arange(0.0, 101.0, 5.0)]
    det_id = np.r_[np.zeros(11, np.int64), np.ones(21, np.int64)]
    pq.write_table(pa.table({"t_s": det_t, "truth_id": det_id}), tmp_path / "detections.parquet")
    trk = _tracks(55.0, off_m=1000.0).to_arrow()
    pq.write_table(trk, tmp_path / "tracks.parquet")
    return tmp_path


def _invoke(*args: str) -> tuple[int, str, str]:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Test app."""

    res = CliRunner().invoke(app, ["score", *args])
    return res.exit_code, res.stdout, res.stderr


def test_default_cut_off_is_surveillance_scale_and_said(run_like: Path) -> None:
    code, out, err = _invoke(str(run_like / "tracks.parquet"), str(run_like / "truth.parquet"))
    assert code == 0, err
    assert f"c = {DEFAULT_C_M:g} m (default)" in out
    assert "coverage window (first to last plot in detections.parquet)" in err
    code, doc, _ = _invoke(str(run_like / "tracks.parquet"), str(run_like / "truth.parquet"),
                           "--format", "json")  # fmt: skip
    values = json.loads(doc)
    assert values["pos_rmse_m"] == pytest.approx(1000.0)  # a 1 km error is reported as such
    assert values["tracked[jet]"] == 1 and values["targets[drone]"] == 1
    assert values["tracked[drone]"] == 0 and values["continuity[jet]"] > 0.85
    assert values["pos_rmse_m[jet]"] == pytest.approx(1000.0)


def test_per_target_rows_and_life_basis_without_detections(run_like: Path) -> None:
    (run_like / "detections.parquet").rename(run_like / "plots.parquet")
    args = (str(run_like / "tracks.parquet"), str(run_like / "truth.parquet"))
    code, out, err = _invoke(*args, "--per-target", "--format", "json")
    assert code == 0, err
    rows = {r["truth_id"]: r for r in json.loads(out)}
    assert rows[0]["class"] == "jet" and rows[0]["continuity"] < 0.5
    assert rows[1]["continuity"] == 0 and "whole life" in err
    code, out, err = _invoke(*args, "--per-target", "--format", "json",
                             "--detections", str(run_like / "plots.parquet"))  # fmt: skip
    assert code == 0, err
    assert json.loads(out)[0]["continuity"] > 0.85
    pq.write_table(pa.table({"t_s": [1.0]}), run_like / "bad.parquet")
    code, _, err = _invoke(*args, "--detections", str(run_like / "bad.parquet"))
    assert code != 0


def test_class_rmse_pools_the_same_pairs_as_the_overall_rmse() -> None:
    """One class, so its pooled position RMSE is the overall one, whatever the coverage
    windows: a target's pairs outside its window (tracked before its first plot in the
    file given), or a target with pairs and no window, count in both (they were
    weighted by the in-window steps: 68.3 m against 69.4 m on a real-traffic run)."""
    from iadsim.cli.score_breakdown import class_values

    truth = _truth()
    near, far = _tracks(20.0, off_m=30.0), _tracks(40.0, off_m=400.0)
    far = Tracks(**{**{c: getattr(far, c) for c in Tracks.columns()},
                    "track_id": np.full(len(far), 8), "n_m": far.n_m + 20e3})  # fmt: skip
    tracks = Tracks.concat([near, far])
    # target 0 plotted from 60 s (tracked from 20 s); target 1 never plotted
    cov = coverage_windows(np.arange(60.0, 101.0, 5.0), np.zeros(9))
    result = score_frames(truth, tracks, c_m=2000.0, coverage=cov)
    values = class_values(result, {0: "jet", 1: "jet"})
    assert result.pos_rmse_m > 200.0  # both targets' pairs are in it
    assert values["pos_rmse_m[jet]"] == pytest.approx(result.pos_rmse_m, rel=1e-12)
