"""The adaptive-noise EKF (iadsim.tracking.adaptive): noise level driven by a fading NIS.

References: Bar-Shalom, Li, Kirubarajan (BLK), *Estimation with Applications to
Tracking and Navigation*, 2001: sec 5.4.2 (NEES/NIS consistency tests: with N runs the
average NEES is chi-square with N nx degrees of freedom over N, two-sided 95% band),
sec 11.2 (process noise of adjustable level). The filter must (1) stay consistent and
keep q near q_low on a target that flies the low-noise CV model, (2) raise q to q_high
within a few scans of a manoeuvre the low level cannot follow, and (3) run in the
tracker as a registered kind.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking import ConstantVelocity, ExtendedKalmanFilter, Measurements
from iadsim.tracking.adaptive import AdaptiveCV, AdaptiveNoiseEKF, fading_nis
from iadsim.tracking.filters import Innovation

Q_LOW, Q_HIGH = 1.0, 100.0
ADAPTIVE = AdaptiveNoiseEKF(
    model=AdaptiveCV(ndim=2, q_low_m2ps3=Q_LOW, q_high_m2ps3=Q_HIGH, e_low=1.5, e_high=3.0),
    alpha=0.8,
)


def test_noise_level_is_log_linear_between_the_two_levels() -> None:
    m = ADAPTIVE.model
    q = m.q_of(np.array([0.0, 1.5, 2.25, 3.0, 50.0]))
    assert q == pytest.approx([Q_LOW, Q_LOW, np.sqrt(Q_LOW * Q_HIGH), Q_HIGH, Q_HIGH])
    # Q is the textbook CWNA of that PSD on [pos, vel] (BLK eq 6.2.2-12) and 0 on e
    x = np.zeros((2, m.nx))
    x[:, -1] = [0.0, 3.0]
    dt = np.array([2.0, 2.0])
    Q = m.Q(x, dt)
    cv = ConstantVelocity(ndim=2, q_m2ps3=1.0).Q(x[:, :-1], dt)
    assert Q[0, :-1, :-1] == pytest.approx(Q_LOW * cv[0])
    assert Q[1, :-1, :-1] == pytest.approx(Q_HIGH * cv[1])
    assert np.all(Q[:, -1, :] == 0.0) and np.all(Q[:, :, -1] == 0.0)


def test_fading_nis_against_hand_values() -> None:
    e = np.array([1.0, 2.0, 0.5])
    # row 0: one plot, NIS 6 over nz = 3; row 1: two plots (PDA weights 0.2, 0.6):
    # weighted mean NIS (0.2 * 3 + 0.6 * 9) / 0.8 = 7.5; row 2: no plot, unchanged
    d2 = np.array([6.0, 3.0, 9.0])
    inn = Innovation(y=np.zeros((3, 3)), S=np.zeros((3, 3, 3)), d2=d2,
                     logdet=np.zeros(3), cross=np.zeros((3, 3, 4)))  # fmt: skip
    got = fading_nis(e, inn, np.array([0, 1, 1]), np.array([1.0, 0.2, 0.6]), 0.8)
    assert got == pytest.approx([0.8 * 1.0 + 0.2 * 2.0, 0.8 * 2.0 + 0.2 * 2.5, 0.5])


def _polar(x: np.ndarray, rng: np.random.Generator) -> Measurements:
    n = x.shape[0]
    r = np.hypot(x[:, 0], x[:, 1]) + 10.0 * rng.standard_normal(n)
    az = np.arctan2(x[:, 0], x[:, 1]) + 1e-3 * rng.standard_normal(n)
    R = np.broadcast_to(np.diag([100.0, 1e-6]), (n, 2, 2)).copy()
    return Measurements(t_s=np.zeros(n), z=np.stack([r, az % (2 * np.pi)], 1), R=R,
                        sensor_m=np.zeros((n, 3)), kind="polar", ndim=2)  # fmt: skip


def _run(filt, steps: int, accel_from: int, n_runs: int = 200, seed: int = 3):
    """``n_runs`` tracks of CV truth (q_low, 1 s scans, 20 km out, 100 m/s inbound);
    from step ``accel_from`` on a 30 m/s^2 (3 g) acceleration across the line of sight.
    Returns ANEES (pos, vel) per step and the q each track used per step."""
    rng = np.random.default_rng(seed)
    cv = ConstantVelocity(ndim=2, q_m2ps3=Q_LOW)
    dt = np.ones(n_runs)
    truth = np.tile([20_000.0, 15_000.0, -100.0, 0.0], (n_runs, 1))
    P0 = np.broadcast_to(np.diag([100.0**2, 100.0**2, 20.0**2, 20.0**2]), (n_runs, 4, 4))
    x0 = truth + rng.standard_normal((n_runs, 4)) @ np.linalg.cholesky(P0[0]).T
    nx = filt.nx
    pad = np.zeros((n_runs, nx))
    pad[:, :4] = x0
    Ppad = np.zeros((n_runs, nx, nx))
    Ppad[:, :4, :4] = P0
    bank = filt.init_bank(pad, Ppad)
    Lq = np.linalg.cholesky(cv.Q(truth, dt)[0])
    los = np.array([0.8, -0.6])  # unit vector across the line of sight at the start
    anees, q_used = [], []
    for k in range(steps):
        truth = cv.f(truth, dt) + rng.standard_normal((n_runs, 4)) @ Lq.T
        if k >= accel_from:
            truth[:, :2] += 0.5 * 30.0 * los
            truth[:, 2:] += 30.0 * los
        if isinstance(filt, AdaptiveNoiseEKF):
            q_used.append(filt.model.q_of(bank.x[:, -1]))
        bank = filt.predict(bank, dt)
        m = filt.prepare(_polar(truth, rng))
        row = np.arange(n_runs)
        bank, _ = filt.update(bank, m, row, np.ones(n_runs), np.zeros(n_runs), np.zeros(n_runs))
        err = truth - bank.x[:, :4]
        nees = np.einsum(
            "ni,ni->n", err, np.linalg.solve(bank.P[:, :4, :4], err[..., None])[..., 0]
        )
        anees.append(nees.mean())
    return np.array(anees), np.array(q_used)


def test_consistent_and_quiet_on_a_target_that_flies_the_low_noise_model() -> None:
    anees, q = _run(ADAPTIVE, steps=80, accel_from=10**6)
    lo, hi = scipy.stats.chi2.ppf([0.025, 0.975], 200 * 4) / 200
    inside = np.mean((anees[10:] >= lo) & (anees[10:] <= hi))
    assert inside >= 0.85 and abs(anees[10:].mean() / 4 - 1) < 0.1, (inside, anees.mean())
    # the level settles low: a consistent NIS stays under e_low almost always
    assert np.median(q[20:]) == Q_LOW and q[20:].mean() < 1.5 * Q_LOW


def test_manoeuvre_raises_the_level_within_three_scans_and_bounds_the_nees() -> None:
    onset = 40
    anees, q = _run(ADAPTIVE, steps=70, accel_from=onset)
    assert np.median(q[onset - 5 : onset]) == Q_LOW
    assert np.median(q[onset + 3]) >= 0.5 * Q_HIGH  # most tracks switched within 3 scans

    # a fixed low level cannot follow: its NEES ends far above the adaptive filter's,
    # which ends where a filter tuned to the high level all along does
    def fixed(q: float) -> np.ndarray:
        f = ExtendedKalmanFilter(model=ConstantVelocity(ndim=2, q_m2ps3=q))
        return _run(f, steps=70, accel_from=onset)[0][-10:].mean()

    assert fixed(Q_LOW) > 10 * anees[-10:].mean()
    assert anees[-10:].mean() < 1.2 * fixed(Q_HIGH)


def test_runs_in_the_tracker_as_a_registered_kind() -> None:
    rng = np.random.default_rng(5)
    tr = compile_tracker(TrackerConfig(filter={"kind": "adaptive_ekf"}))
    p0, v = (
        np.array([[30e3, 10e3, 3e3], [-20e3, 25e3, 5e3]]),
        np.array([[-200.0, 0, 0], [0, -250, 0]]),
    )
    for k in range(20):
        t = 2.0 * k
        dets = polar_detections(np.full(2, t), p0 + v * t, np.array([0.0, 0.0, 10.0]),
                                (30.0, 2e-3, 2e-3), rng, truth_id=np.arange(2))  # fmt: skip
        out = tr.step(dets, t)
    conf = out.select(out.status == TrackStatus.CONFIRMED)
    assert len(conf) == 2  # and their states are the targets' (the e element stays inside)
    order = np.argsort(conf.ve_mps)
    got = np.stack([conf.ve_mps, conf.vn_mps, conf.vu_mps], axis=-1)[order]
    assert np.max(np.abs(got - v)) < 30.0
