"""NEES over each track's life (iadsim.analysis.metrics.lifenees, ``iadsim score``).

End to end: straight constant-velocity targets, noisy Cartesian plots, the
tracker of ``iadsim track`` (Kalman filter, CV model), its tracks file scored
against truth. A filter told the true plot noise is consistent (life NEES inside
its chi-square interval); one told three times the noise is not (below it), and
one told a third of it is not either (above it). The value does not depend on
the GOSPA cut-off, and the full covariance written by the tracker is used.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from iadsim.analysis.metrics import track_life_nees
from iadsim.analysis.trackfiles import read_tracks, read_truth
from iadsim.cli import app
from iadsim.cli.tracking_io import track_file
from iadsim.frames import TRACK_STATE_AXES, Tracks, Truth, track_cov_column

N_TARGETS = 24
N_STEPS = 60
SIGMA_M = 20.0
CONFIG = (
    "motion: {kind: cv, q_m2ps3: 1.0e-6}\nfilter: {kind: kf}\n"
    "association: {kind: gnn, gate_probability: 0.9999}\n"
    "initiation: {kind: m_of_n, m: 2, n: 3, velocity_sigma_mps: 300}\n"
)


def _scene(tmp: Path, sigma_told_m: float, seed: int) -> tuple[Path, Path]:
    """Straight targets 30 km apart (classes by parity), plots every second."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_STEPS, dtype=float)
    x0 = np.arange(N_TARGETS) * 30e3
    v = rng.uniform(-250, 250, (N_TARGETS, 2))
    tt, ii = np.meshgrid(t, np.arange(N_TARGETS), indexing="ij")
    tt, ii = tt.ravel(), ii.ravel()
    x = x0[ii] + v[ii, 0] * tt
    y = v[ii, 1] * tt
    noise = rng.normal(0.0, SIGMA_M, (tt.size, 2))
    det = tmp / f"det{sigma_told_m:g}.parquet"  # the filter's R is sigma^2
    pq.write_table(
        pa.table(
            {
                "time": tt,
                "x": x + noise[:, 0],
                "y": y + noise[:, 1],
                "sigma": np.full(tt.size, sigma_told_m),
            }
        ),
        det,
    )
    truth = tmp / "truth.parquet"
    pq.write_table(
        pa.table(
            {
                "time": tt,
                "id": ii,
                "x": x,
                "y": y,
                "vx": v[ii, 0],
                "vy": v[ii, 1],
                "threat_type": np.where(ii % 2 == 0, "fighter", "bomber"),
            }
        ),
        truth,
    )
    cfg = tmp / "tracker.yaml"
    cfg.write_text(CONFIG)
    out = tmp / f"tracks{sigma_told_m:g}.parquet"
    track_file(det, out, cfg)
    return out, truth


@pytest.fixture(scope="module", params=[1, 2, 3])
def scenes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[float, tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("life")
    return {told: _scene(tmp, told, request.param) for told in (SIGMA_M, 3 * SIGMA_M, SIGMA_M / 3)}


def _life(tracks: Path, truth: Path):  # type: ignore[no-untyped-def]
    tf, th = read_tracks(tracks), read_truth(truth)
    return track_life_nees(th.truth, tf.tracks, n_dim=2, truth_class=th.classes)


def test_tracker_writes_the_full_covariance(scenes) -> None:  # type: ignore[no-untyped-def]
    tracks, _ = scenes[SIGMA_M]
    names = pq.read_schema(tracks).names
    assert {"cov_x_y", "cov_x_vx", "cov_y_vy", "cov_vx_vy"} <= set(names)
    tf = read_tracks(tracks).tracks
    # a CV Kalman filter correlates position and velocity along each axis
    assert np.all(tf.cov_e_ve_m2ps[tf.status == 1] > 0)
    P = tf.state_cov(2)
    assert np.allclose(P, np.swapaxes(P, 1, 2))
    assert np.all(np.linalg.eigvalsh(P[tf.status == 1]) > 0)


def test_matched_filter_is_inside_and_mismatched_outside(scenes) -> None:  # type: ignore[no-untyped-def]
    matched = _life(*scenes[SIGMA_M])
    assert matched.dof == 4 and matched.n_unassociated == 0
    assert {c.name for c in matched.classes} == {"fighter", "bomber"}
    assert sum(c.n_tracks for c in matched.classes) == N_TARGETS
    for c in matched.classes:
        assert c.inside, c
    assert np.array_equal(np.sort(matched.truth_id), np.arange(N_TARGETS))  # one each
    for c in _life(*scenes[3 * SIGMA_M]).classes:  # told 3x the noise: too cautious
        assert c.nees_mean < c.lo, c
    for c in _life(*scenes[SIGMA_M / 3]).classes:  # told a third: overconfident
        assert c.nees_mean > c.hi, c


def test_score_cli_life_nees_does_not_depend_on_the_cutoff(scenes) -> None:  # type: ignore[no-untyped-def]
    tracks, truth = scenes[SIGMA_M]
    values = []
    for c in ("1", "50", "5000"):
        res = CliRunner().invoke(
            app, ["score", str(tracks), str(truth), "--c", c, "--format", "json"]
        )
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        values.append({k: v for k, v in doc.items() if k.startswith("nees_life")})
    assert values[0] == values[1] == values[2]
    assert values[0]["nees_life_tracks[fighter]"] == N_TARGETS // 2
    res = CliRunner().invoke(app, ["score", str(tracks), str(truth)])
    assert "NEES over track life, fighter (12 tracks)" in res.stdout


def _one_track(P: np.ndarray, err: np.ndarray) -> tuple[Truth, Tracks]:
    n = err.shape[0]
    t = np.arange(float(n))
    z = np.zeros(n)
    truth = Truth(
        t_s=t, threat_id=np.zeros(n, np.int64), e_m=z, n_m=z, u_m=z, ve_mps=z, vn_mps=z,
        vu_mps=z, alt_m=z, alive=np.ones(n, bool),
    )  # fmt: skip
    cols = {"t_s": t, "track_id": np.full(n, 5), "status": np.ones(n, np.int8), "quality": z}
    for k, name in enumerate(("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps")):
        cols[name] = -err[:, k]
    for i, a in enumerate(TRACK_STATE_AXES):
        for j in range(i, 6):
            cols[track_cov_column(a, TRACK_STATE_AXES[j])] = np.full(n, P[i, j])
    return truth, Tracks(**cols)


def test_full_covariance_is_used_against_an_oracle() -> None:
    """Strongly correlated errors: the NEES with the full P is e^T P^-1 e, not the
    diagonal one (oracle: numpy's inverse)."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6))
    P = A @ A.T + 0.1 * np.eye(6)
    w, V = np.linalg.eigh(P)  # errors along the least certain-looking direction
    err = np.outer(rng.normal(1.0, 0.1, 40), V[:, 0] * np.sqrt(w[0]))
    truth, tracks = _one_track(P, err)
    life = track_life_nees(truth, tracks, n_dim=3)
    want = np.mean(np.einsum("ni,ij,nj->n", err, np.linalg.inv(P), err))
    assert life.dof == 6 and life.track_id.tolist() == [5]
    np.testing.assert_allclose(life.nees_mean, [want], rtol=1e-9)
    diag = np.mean(np.sum(err**2 / np.diag(P), axis=1))
    assert abs(diag - want) > 0.5 * want  # the diagonal would have given another answer


def test_false_track_is_not_associated() -> None:
    P = np.eye(6) * 100.0
    err = np.full((10, 6), 5_000.0)  # 5 km off, sigma 10 m: never inside the gate
    truth, tracks = _one_track(P, err)
    life = track_life_nees(truth, tracks, n_dim=3)
    assert life.n_unassociated == 1 and life.classes == ()
