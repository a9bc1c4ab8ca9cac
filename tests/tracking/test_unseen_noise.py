"""A plot taken ``tau`` before its look's time cannot see the process noise of the
track's last ``tau`` seconds (``Measurements.with_unseen``, ``Filter.seen_part``).

Oracle: the NEES of a linear filter on a target that moves exactly as its model says
(CV with white acceleration noise of the filter's own ``q``): its mean is the state
dimension (4 in 2-D) when the update is exact (Bar-Shalom, "Update with
out-of-sequence measurements in tracking: exact solution", IEEE Trans. AES-38(3),
2002: a measurement of ``t - tau`` with no update in between uses ``P - Q(tau)``),
larger when the plot is credited with noise it never saw.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking.filters import ExtendedKalmanFilter, UnscentedKalmanFilter
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.models import ConstantVelocity

Q_M2PS3, SIGMA_M, SCAN_S = 50.0, 20.0, 4.0


def _mean_nees(filter_cls: type, correct: bool, look_s: float, seed: int = 0) -> float:
    """Mean NEES (4 dof) over 2,000 independent 2-D tracks and 30 scans (after 10 of
    burn-in): each scan's plot taken ``tau ~ U(0, look_s)`` before the look time, the
    state predicted one scan to the look time and updated with it."""
    rng = np.random.default_rng(seed)
    n, model = 2_000, ConstantVelocity(ndim=2, q_m2ps3=Q_M2PS3)
    filt = filter_cls(model=model)
    x = np.zeros((n, 4))
    x[:, 2] = 200.0
    P = np.tile(np.diag([SIGMA_M**2] * 2 + [400.0] * 2), (n, 1, 1))
    xh = x + np.einsum("nij,nj->ni", np.linalg.cholesky(P), rng.standard_normal((n, 4)))

    def move(x: np.ndarray, dt: float) -> np.ndarray:  # the truth: the model itself
        Q = model.Q(x, np.full(n, dt)) + 1e-12 * np.eye(4)
        w = np.einsum("nij,nj->ni", np.linalg.cholesky(Q), rng.standard_normal((n, 4)))
        return np.einsum("nij,nj->ni", model.F(x, np.full(n, dt)), x) + w

    nees = []
    for k in range(40):
        tau = float(rng.uniform(0.0, look_s))
        at_plot = move(x, SCAN_S - tau)
        z = at_plot[:, :2] + SIGMA_M * rng.standard_normal((n, 2))
        x = move(at_plot, tau)
        xh, P = filt.predict_xP(xh, P, np.full(n, SCAN_S))
        plain = Measurements.cartesian(np.zeros(n), z, np.eye(2) * SIGMA_M**2)
        meas = dataclasses.replace(plain, dt_s=np.full(n, -tau))
        if correct:
            meas = meas.with_unseen(np.full(n, SCAN_S))  # predicted a whole scan
        xh, P = filt.update_xP(xh, P, meas, filt.innovate(xh, P, meas))
        if k >= 10:
            e = x - xh
            nees.append(np.einsum("ni,ni->n", e, np.linalg.solve(P, e[..., None])[..., 0]))
    return float(np.mean(nees))


@pytest.mark.parametrize("filter_cls", [ExtendedKalmanFilter, UnscentedKalmanFilter])
@pytest.mark.parametrize("look_s", [1.0, 4.0])
def test_plot_of_an_earlier_time_keeps_the_filter_consistent(
    filter_cls: type, look_s: float
) -> None:
    """With the unseen noise left out of the update the NEES is the state dimension
    (60,000 samples: within 3%) for any offset."""
    assert abs(_mean_nees(filter_cls, True, look_s) - 4.0) < 0.12


def test_crediting_the_unseen_noise_is_over_confident() -> None:
    """The oracle can fail: the first-order update alone (state moved back at constant
    velocity, full ``P``) reads NEES 5.7 for plots up to a whole scan old."""
    assert _mean_nees(ExtendedKalmanFilter, False, 4.0) > 5.0


def test_with_unseen_is_the_offset_capped_by_the_last_prediction() -> None:
    """``unseen = min(-dt, since)``: a plot older than the track's last move sees only
    the noise since then; a plot at the look time (dt = 0) none."""
    m = dataclasses.replace(
        Measurements.cartesian(np.zeros(3), np.zeros((3, 2)), np.eye(2)),
        dt_s=np.array([-1.5, -0.5, 0.0]),
    )
    np.testing.assert_array_equal(m.with_unseen(np.full(3, 1.0)).unseen_s, [1.0, 0.5, 0.0])
    plain = Measurements.cartesian(np.zeros(3), np.zeros((3, 2)), np.eye(2))
    assert plain.with_unseen(np.full(3, 1.0)).unseen_s is None


def test_tracker_updates_a_sector_look_without_the_unseen_noise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tracker passes each associated pair's unseen time to its filter: a target
    seen every 4 s in 2 s sector looks, each plot 0.5-1.9 s before its look's end;
    every update's ``unseen_s`` is the plot's offset (the track was last moved one
    look, 4 s, before)."""
    seen: list[tuple[np.ndarray, np.ndarray | None]] = []
    real = ExtendedKalmanFilter.update_xP

    def spy(self, x, P, meas, inn):  # type: ignore[no-untyped-def]
        seen.append((-meas.dt_s if meas.dt_s is not None else np.zeros(0), meas.unseen_s))
        return real(self, x, P, meas, inn)

    monkeypatch.setattr(ExtendedKalmanFilter, "update_xP", spy)
    cfg = {"dims": 3, "filter": {"kind": "ekf"}, "motion": {"kind": "cv", "q_m2ps3": 20.0},
           "initiation": {"kind": "m_of_n", "m": 2, "n": 3, "velocity_sigma_mps": 300}}  # fmt: skip
    tracker = compile_tracker(TrackerConfig.model_validate(cfg))
    rng = np.random.default_rng(3)
    v = np.array([200.0, -100.0, 0.0])
    for k in range(8):
        t_look = 4.0 * (k + 1)
        t_plot = t_look - rng.uniform(0.5, 1.9)
        pos = np.array([30e3, 40e3, 5e3]) + v * t_plot
        det = polar_detections(np.array([t_plot]), pos[None], np.zeros(3),
                               (20.0, 1e-3, 1e-3), rng)  # fmt: skip
        tracker.step(det, t_look, batch=True)
    assert len(seen) >= 6
    for offset, unseen in seen:
        assert unseen is not None
        np.testing.assert_allclose(unseen, offset)
