"""Windowed truth velocity of the track-life NEES (``truth_vel_window_s``).

A replayed recording's velocity is the finite difference of reports whose positions
carry time-stamp errors along track, so its instantaneous velocity zig-zags (the
Paris sample: 55, 194, 55, 202 m/s for an aircraft at 123 m/s). A tracker that
follows the aircraft's real, mean, velocity is consistent against the windowed truth
velocity and looks badly over-confident against the instantaneous one.
"""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.analysis.metrics import track_life_nees
from iadsim.analysis.metrics.lifenees import windowed_velocity
from iadsim.frames import TRACK_STATE_AXES, Tracks, Truth, track_cov_column

SPEED_MPS = 120.0
JITTER_M = 40.0  # along-track position error of every other report
SIGMA_POS_M = 30.0
SIGMA_VEL_MPS = 3.0


def _truth(n: int, jitter_m: float, t0_s: float = 0.0, tid: int = 0) -> Truth:
    """A target flying north at SPEED_MPS, reports every second, every other report
    displaced ``jitter_m`` along track; velocity the finite difference (as a replay)."""
    t = t0_s + np.arange(float(n))
    north = SPEED_MPS * (t - t0_s) + jitter_m * (np.arange(n) % 2)
    step = np.diff(north) if n > 1 else np.array([SPEED_MPS])
    vn = np.append(step, step[-1])[:n]  # constant between reports
    z = np.zeros(n)
    return Truth(
        t_s=t, threat_id=np.full(n, tid, np.int64), e_m=z, n_m=north, u_m=z + 3000.0,
        ve_mps=z, vn_mps=vn, vu_mps=z, alt_m=z + 3000.0, alive=np.ones(n, bool),
    )  # fmt: skip


def _tracks(t_s: np.ndarray, rng: np.random.Generator) -> Tracks:
    """A consistent track of the aircraft's real (smooth) state at ``t_s``."""
    n = t_s.size
    sd = np.array([SIGMA_POS_M] * 3 + [SIGMA_VEL_MPS] * 3)
    true = np.zeros((n, 6))
    true[:, 1], true[:, 2], true[:, 4] = SPEED_MPS * t_s, 3000.0, SPEED_MPS
    x = true + rng.normal(size=(n, 6)) * sd
    cols = {"t_s": t_s, "track_id": np.full(n, 7), "status": np.ones(n, np.int8),
            "quality": np.zeros(n)}  # fmt: skip
    for k, name in enumerate(("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps")):
        cols[name] = x[:, k]
    for i, a in enumerate(TRACK_STATE_AXES):
        for j in range(i, 6):
            cols[track_cov_column(a, TRACK_STATE_AXES[j])] = np.full(n, sd[i] ** 2 * (i == j))
    return Tracks(**cols)


def test_windowed_velocity_of_a_zigzag_is_the_mean_velocity() -> None:
    truth = _truth(200, JITTER_M)
    assert np.ptp(truth.vn_mps) == pytest.approx(2 * JITTER_M)  # 80 .. 160 m/s
    t = np.arange(20.0, 180.0, 4.8)
    v = windowed_velocity(truth, np.zeros(t.size, np.int64), t, 20.0)
    np.testing.assert_allclose(v[:, 1], SPEED_MPS, atol=2 * JITTER_M / 20.0 + 1e-9)
    np.testing.assert_allclose(v[:, [0, 2]], 0.0, atol=1e-9)


def test_window_is_clamped_to_the_life_and_per_target() -> None:
    """At a life's ends the window is one-sided; a second target does not leak in;
    a one-sample life gives its own velocity."""
    a = _truth(50, 0.0)
    b = _truth(50, 0.0, t0_s=50.0, tid=1)
    b = Truth(
        **{**{f: getattr(b, f) for f in b.__dataclass_fields__}, "n_m": -b.n_m, "vn_mps": -b.vn_mps}
    )  # fmt: skip  (flies south)
    one = _truth(1, 0.0, t0_s=10.0, tid=2)
    one = Truth(
        **{**{f: getattr(one, f) for f in one.__dataclass_fields__}, "ve_mps": one.vn_mps + 5.0}
    )
    cols = {f: np.concatenate([getattr(x, f) for x in (a, b, one)]) for f in a.__dataclass_fields__}
    truth = Truth(**cols)
    ids = np.array([0, 0, 1, 1, 2])
    t = np.array([0.0, 49.0, 50.0, 99.0, 10.0])
    v = windowed_velocity(truth, ids, t, 20.0)
    np.testing.assert_allclose(v[:4, 1], [SPEED_MPS, SPEED_MPS, -SPEED_MPS, -SPEED_MPS])
    assert v[4, 0] == pytest.approx(truth.ve_mps[-1])


def test_life_nees_is_consistent_only_against_the_windowed_velocity() -> None:
    """The smooth, consistent track: full NEES near 6 with a 20 s window, and far
    above its band against the zig-zag instantaneous velocity (the real-traffic
    symptom); the position part is the same either way."""
    rng = np.random.default_rng(11)
    truth = _truth(600, JITTER_M)
    tracks = _tracks(np.arange(15.0, 580.0, 4.8), rng)
    inst = track_life_nees(truth, tracks, n_dim=3)
    win = track_life_nees(truth, tracks, n_dim=3, truth_vel_window_s=20.0)
    assert inst.dof == win.dof == 6 and win.truth_vel_window_s == 20.0
    np.testing.assert_allclose(inst.row_pos_nees, win.row_pos_nees)
    assert inst.nees_mean[0] > 50.0  # (40 m/s / 3 m/s)^2 ~ 180 on the velocity axis
    # jitter along track is +-20 m about the mean path: pos NEES ~ 3 + 0.4
    assert 4.5 < win.nees_mean[0] < 8.0, win.nees_mean
    assert 2.0 < float(np.mean(win.row_vel_nees)) < 4.5
    assert win.row_truth_id.tolist() == [0] * win.row_nees.size


def test_negative_window_is_rejected() -> None:
    truth = _truth(10, 0.0)
    with pytest.raises(ValueError, match="truth_vel_window_s"):
        track_life_nees(truth, _tracks(np.arange(2.0, 8.0), np.random.default_rng(0)),
                        truth_vel_window_s=-1.0)  # fmt: skip
