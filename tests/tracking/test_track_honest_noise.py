"""``iadsim track`` assumes no noise silently: without a ``sigma`` column or
``--sigma-m`` it estimates the plots' noise, says so on stderr, and tracks about as
well as a configuration that knows the true noise; the old silent 10 m default did not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.metrics.score import score_frames
from iadsim.analysis.noise_estimate import estimate_cartesian_sigma
from iadsim.analysis.trackfiles import read_tracks, read_truth
from iadsim.cli.tracking_io import track_file
from iadsim.errors import InputDataError

SIGMA_M = 50.0
DT_S = 4.0


def _scene(seed: int, n_tgt: int = 12, n_scans: int = 120) -> tuple[pa.Table, pa.Table]:
    """2-D surveillance plots: straight flights, Pd 0.9, 10 false alarms per scan."""
    rng = np.random.default_rng(seed)
    p0 = rng.uniform(-60e3, 60e3, (n_tgt, 2))
    hdg = rng.uniform(0, 2 * np.pi, n_tgt)
    v = rng.uniform(150, 250, n_tgt)[:, None] * np.column_stack([np.sin(hdg), np.cos(hdg)])
    t = np.arange(n_scans) * DT_S
    truth = {"time": np.repeat(t, n_tgt), "id": np.tile(np.arange(n_tgt), n_scans)}
    pos = p0[truth["id"]] + v[truth["id"]] * truth["time"][:, None]
    truth |= {"x": pos[:, 0], "y": pos[:, 1], "vx": v[truth["id"], 0], "vy": v[truth["id"], 1]}
    seen = rng.random(pos.shape[0]) < 0.9
    z = pos[seen] + rng.normal(0, SIGMA_M, (int(seen.sum()), 2))
    n_fa = rng.poisson(10, n_scans)
    t_fa = np.repeat(t, n_fa)
    z_fa = rng.uniform(-100e3, 100e3, (t_fa.size, 2))
    tt = np.r_[truth["time"][seen], t_fa]
    zz = np.r_[z, z_fa]
    order = np.argsort(tt, kind="stable")
    plots = pa.table({"time": tt[order], "x": zz[order, 0], "y": zz[order, 1]})
    return plots, pa.table(truth)


def _gospa(tmp: Path, plots: Path, truth: Path, name: str, **kw: object) -> float:
    out = tmp / f"{name}.parquet"
    cfg = kw.pop("config", None)
    cfg_path = None
    if cfg is not None:
        cfg_path = tmp / f"{name}.yaml"
        cfg_path.write_text(str(cfg))
    track_file(plots, out, cfg_path, **kw)  # type: ignore[arg-type]
    tracks, tru = read_tracks(out), read_truth(truth)
    res = score_frames(tru.truth, tracks.tracks, c_m=1000.0, n_dim=2)
    return res.series.gospa_mean_m


@pytest.mark.parametrize("seed", [1, 2])
def test_no_config_tracks_as_well_as_the_matched_noise(seed: int, tmp_path: Path) -> None:
    plots, truth = _scene(seed)
    pq.write_table(plots, tmp_path / "plots.parquet")
    pq.write_table(truth, tmp_path / "truth.parquet")
    p, tr = tmp_path / "plots.parquet", tmp_path / "truth.parquet"
    notes: list[str] = []
    estimated = _gospa(tmp_path, p, tr, "auto", note=notes.append)
    matched = _gospa(tmp_path, p, tr, "matched", sigma_m=SIGMA_M)
    old_default = _gospa(tmp_path, p, tr, "old", config="cartesian_sigma_m: 10\n")
    # it says what it assumed, with the estimate
    assert len(notes) == 1 and "estimated from the plots as" in notes[0] and "--sigma-m" in notes[0]
    est = float(notes[0].split("estimated from the plots as ")[1].split(" m")[0])
    assert est == pytest.approx(SIGMA_M, rel=0.1)
    # tolerance: within 5% of the matched configuration's mean GOSPA (c = 1 km, p = 1) ...
    assert estimated <= 1.05 * matched, (estimated, matched, old_default)
    # ... which the old silent 10 m default misses by far
    assert old_default > 1.2 * matched, (estimated, matched, old_default)


def test_estimator_recovers_the_noise_over_seeds_and_levels() -> None:
    for seed in range(5):
        for sigma in (5.0, 50.0, 300.0):
            rng = np.random.default_rng(seed)
            t = np.repeat(np.arange(60) * 5.0, 15)
            k = np.tile(np.arange(15), 60)
            p0, v = rng.uniform(-2e5, 2e5, (15, 3)), rng.uniform(-300, 300, (15, 3))
            z = p0[k] + v[k] * t[:, None] + rng.normal(0, sigma, (t.size, 3))
            est = estimate_cartesian_sigma(t, z)
            assert est is not None and est.sigma_m == pytest.approx(sigma, rel=0.1)


def test_too_few_scans_is_an_error_naming_the_option(tmp_path: Path) -> None:
    cols = {"time": np.array([0.0, 0.0, 4.0, 4.0]), "x": np.zeros(4), "y": np.zeros(4)}
    pq.write_table(pa.table(cols), tmp_path / "d.parquet")
    with pytest.raises(InputDataError, match=r"^d\.parquet: sigma: .*give --sigma-m"):
        track_file(tmp_path / "d.parquet", tmp_path / "o.parquet", None)


def test_polar_sensors_must_state_their_sigmas(tmp_path: Path) -> None:
    cols = {"time": np.zeros(2), "range": np.full(2, 1e4), "azimuth": np.zeros(2),
            "elevation": np.zeros(2), "sensor": np.zeros(2, np.int64)}  # fmt: skip
    pq.write_table(pa.table(cols), tmp_path / "d.parquet")
    (tmp_path / "t.yaml").write_text("sensors: {0: {sigma_range_m: 30, sigma_az_deg: 0.1}}\n")
    with pytest.raises(InputDataError, match=r"^t\.yaml: sensors\.0\.sigma_el_deg: required"):
        track_file(tmp_path / "d.parquet", tmp_path / "o.parquet", tmp_path / "t.yaml")
    with pytest.raises(InputDataError, match=r"^--sigma-m: only for Cartesian files"):
        track_file(tmp_path / "d.parquet", tmp_path / "o.parquet", tmp_path / "t.yaml",
                   sigma_m=5.0)  # fmt: skip


def test_polar_sigma_columns_are_used_without_config_sigmas(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    t = np.arange(20, dtype=float)
    e, n, u = 20_000 - 200 * t, 30_000 + 0 * t, 5000 + 0 * t
    cols = {
        "time": t, "sensor": np.zeros(20, np.int64),
        "range": np.sqrt(e**2 + n**2 + u**2) + rng.normal(0, 20, 20),
        "azimuth": np.arctan2(e, n) + rng.normal(0, 1e-3, 20),
        "elevation": np.arctan2(u, np.hypot(e, n)) + rng.normal(0, 1e-3, 20),
        "sigma_range": np.full(20, 20.0), "sigma_azimuth": np.full(20, 1e-3),
        "sigma_elevation": np.full(20, 1e-3),
    }  # fmt: skip
    pq.write_table(pa.table(cols), tmp_path / "d.parquet")
    (tmp_path / "t.yaml").write_text(
        "sensors: {0: {}}\ninitiation: {kind: m_of_n, m: 2, n: 3, velocity_sigma_mps: 400}\n"
    )
    out = tmp_path / "o.parquet"
    track_file(tmp_path / "d.parquet", out, tmp_path / "t.yaml")
    last = pq.read_table(out).to_pandas().query("time == 19.0 and status == 'confirmed'")
    assert len(last) == 1 and last.vx.iloc[0] == pytest.approx(-200, abs=25)
    cols["sigma_azimuth"][3] = -1.0
    pq.write_table(pa.table(cols), tmp_path / "d.parquet")
    with pytest.raises(InputDataError, match=r"^d\.parquet: sigma_azimuth: row 3: out of range"):
        track_file(tmp_path / "d.parquet", out, tmp_path / "t.yaml")
