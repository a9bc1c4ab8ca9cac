"""Process noise of a manoeuvre started while a track coasts (iadsim.tracking.coast) and
its use in the class-aided filter (iadsim.tracking.classaided).

References: Singer, IEEE Trans. AES-6(4), 1970 (manoeuvre acceleration variance);
Bar-Shalom, Li, Kirubarajan (BLK), *Estimation with Applications to Tracking and
Navigation*, 2001, sec 5.4.2 (NEES). The kernel must (1) add nothing within the grace
and give the random-constant acceleration's velocity variance ``sigma^2 tau^2`` after
it, however the coast is split into steps, (2) keep a track that coasts through a
push-over it cannot see consistent where the CWNA level alone is not, (3) leave a track
that is updated at every revisit exactly as before.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.stats
from tracking_helpers import polar_measurements

from iadsim.tracking.classaided import ClassAidedCV, ClassAidedEKF
from iadsim.tracking.coast import coast_psd, singer_sigma2
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import FilterState

SIGMA = (30.0, 1e-3, 1e-3)  # range m, azimuth and elevation rad
#: 1 g, never at full acceleration, half the time none: Singer's variance, m^2/s^4
SIGMA2 = singer_sigma2(10.0, 0.0, 0.5)


def test_singer_variance_against_hand_value() -> None:
    assert singer_sigma2(10.0, 0.0, 0.5) == pytest.approx(100.0 / 3.0 * 0.5)
    assert singer_sigma2(30.0, 0.1, 0.2) == pytest.approx(300.0 * 1.2)


def test_coast_psd_is_zero_in_the_grace_and_gives_sigma2_tau2_in_any_steps() -> None:
    grace = 10.0
    assert np.all(coast_psd(np.array([0.0, 4.0]), np.array([6.0, 6.0]), 2.0, grace) == 0.0)
    assert coast_psd(np.array([3.0]), np.array([0.0]), 2.0, grace)[0] == 0.0
    # velocity variance added over a 30 s coast: integral of the PSD = sigma^2 tau^2
    for steps in (np.full(1, 30.0), np.full(3, 10.0), np.array([0.7, 9.1, 4.2, 16.0])):
        c = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
        var_v = float(np.sum(coast_psd(c, steps, SIGMA2, grace) * steps))
        assert var_v == pytest.approx(SIGMA2 * 20.0**2)


def _polar(x: np.ndarray, rng: np.random.Generator) -> Measurements:
    return polar_measurements(x, rng, SIGMA)


def _coast_nees(filt: ClassAidedEKF, n_runs: int = 200, seed: int = 3) -> tuple[float, float]:
    """``n_runs`` tracks of a 250 m/s target 60 km out at 8 km, a plot every 10 s for
    200 s, then 30 s unseen during which it pushes over at 1 g for 12 s (from 2 s on) and
    then descends at a steady 120 m/s; the mean 6-dof NEES of the prediction at the end
    of the coast, and that of the updated state before it."""
    rng = np.random.default_rng(seed)
    truth = np.tile([40e3, 45e3, 8000.0, -180.0, -173.0, 0.0], (n_runs, 1))
    P0 = np.diag([300.0**2] * 3 + [60.0**2] * 3)
    x0 = np.zeros((n_runs, filt.nx))
    x0[:, :6] = truth + rng.standard_normal((n_runs, 6)) @ np.linalg.cholesky(P0).T
    P = np.zeros((n_runs, filt.nx, filt.nx))
    P[:, :6, :6] = P0
    bank = filt.init_bank(x0, P)
    row, ones, zeros = np.arange(n_runs), np.ones(n_runs), np.zeros(n_runs)

    def nees(b: FilterState) -> float:
        err = truth - b.x[:, :6]
        w = np.linalg.solve(b.P[:, :6, :6], err[..., None])[..., 0]
        return float(np.mean(np.einsum("ni,ni->n", err, w)))

    for _ in range(20):
        truth[:, :3] += 10.0 * truth[:, 3:]
        bank = filt.predict(bank, np.full(n_runs, 10.0))
        bank, _ = filt.update(bank, filt.prepare(_polar(truth, rng)), row, ones, zeros, zeros)
    before = nees(bank)
    for k in range(300):  # 30 s in 0.1 s steps, the push-over from 2 s to 14 s
        a = -10.0 if 20 <= k < 140 else 0.0
        truth[:, 2] += 0.1 * truth[:, 5] + 0.5 * a * 0.01
        truth[:, 5] += 0.1 * a
        truth[:, :2] += 0.1 * truth[:, 3:5]
        if k % 50 == 49:  # the tracker's looks: predictions, no plot
            bank = filt.predict(bank, np.full(n_runs, 5.0))
    return nees(bank), before


def test_coast_noise_keeps_a_track_consistent_through_an_unseen_push_over() -> None:
    model = ClassAidedCV(ndim=3, q_m2ps3=20.0, coast_accel_mps2=float(np.sqrt(SIGMA2)))
    with_coast = ClassAidedEKF(model=model)
    without = ClassAidedEKF(model=dataclasses.replace(model, coast_accel_mps2=0.0))
    hi = scipy.stats.chi2.ppf(0.99, 6)  # a single 6-dof draw's 99% point, 16.8
    got, before = _coast_nees(with_coast)
    old, old_before = _coast_nees(without)
    assert before == pytest.approx(old_before)  # updated every revisit: no change
    assert got < hi  # (12.6)
    assert old > 1.5 * hi  # the CWNA level alone: outside (28.5)


def test_an_update_ends_the_coast() -> None:
    filt = ClassAidedEKF(model=ClassAidedCV(ndim=3, coast_accel_mps2=3.0))
    rng = np.random.default_rng(1)
    x = np.zeros((2, filt.nx))
    x[:, :6] = [[30e3, 30e3, 5e3, -200, 0, 0], [30e3, 30e3, 5e3, -200, 0, 0]]
    P = np.zeros((2, filt.nx, filt.nx))
    P[:, :6, :6] = np.diag([100.0**2] * 3 + [20.0**2] * 3)
    bank = filt.predict(filt.init_bank(x, P), np.full(2, 25.0))
    c = 2 * filt.model.ndim
    assert np.all(bank.x[:, c] == 25.0)
    meas = filt.prepare(_polar(bank.x[:1, :6], rng))
    bank, _ = filt.update(bank, meas, np.array([0]), np.ones(1), np.array([0.0, 1.0]),
                          np.zeros(2))  # fmt: skip
    assert bank.x[0, c] == 0.0 and bank.x[1, c] == 25.0
