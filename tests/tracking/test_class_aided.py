"""Classification-aided process noise (iadsim.tracking.classaided): the PSD of a track
follows the kinematic class its own estimate shows, with hysteresis.

References: Challa and Pulford, IEEE TAES 37(3), 2001 (joint tracking and
classification, class-dependent motion models); Bar-Shalom, Li, Kirubarajan (BLK),
*Estimation with Applications to Tracking and Navigation*, 2001, sec 5.4.2 (NEES) and
sec 11.2 (the NIS manoeuvre detector that ends the quiet class). The filter must (1)
classify a low, subsonic, straight track only after ``enter_s`` seconds, and never a
high one, (2) leave the class within a few looks of a manoeuvre the quiet PSD cannot
follow and stay far more consistent than a fixed quiet PSD, (3) run in the tracker as a
registered kind with clear errors for bad settings.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import scipy.stats
from tracking_helpers import polar_detections, polar_measurements

from iadsim.errors import ScenarioError
from iadsim.frames import TrackStatus
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking import ConstantVelocity, ExtendedKalmanFilter, Measurements
from iadsim.tracking.classaided import (
    EARTH_RADIUS_M,
    ClassAidedCV,
    ClassAidedEKF,
    KinematicClass,
    height_above_origin_m,
)

Q, Q_QUIET, ENTER_S = 20.0, 0.1, 60.0
QUIET = KinematicClass(q_m2ps3=Q_QUIET, max_height_m=1500.0, min_speed_mps=100.0,
                       max_speed_mps=320.0, max_climb_mps=50.0, enter_s=ENTER_S)  # fmt: skip
FILT = ClassAidedEKF(model=ClassAidedCV(ndim=3, q_m2ps3=Q, quiet=QUIET), exit_nis=3.0)
SCAN_S = 5.0
SIGMA = (30.0, 1e-3, 1e-3)  # range m, azimuth and elevation rad


def test_height_above_origin_follows_the_earth_curvature() -> None:
    # points h above the sphere at 300 km ground range sit ~7 km below the tangent plane
    R, th = EARTH_RADIUS_M, 300e3 / EARTH_RADIUS_M
    h = np.array([100.0, 0.0, 500.0])
    pos = np.stack([(R + h) * np.sin([0.0, th, 0.0]), (R + h) * np.sin([0.0, 0.0, th]),
                    (R + h) * np.cos([0.0, th, th]) - R], axis=1)  # fmt: skip
    assert pos[1, 2] < -7000.0
    assert height_above_origin_m(pos) == pytest.approx(h, abs=1e-6)


def _state(pos: list[float], vel: list[float], s: float, c: float = 0.0) -> np.ndarray:
    return np.array([[*pos, *vel, c, s, 1.0]])


def test_dwell_advances_inside_resets_outside_and_sets_the_psd() -> None:
    m = FILT.model
    low = _state([20e3, 0, 200], [-240, 0, 0], 0.0)
    high = _state([20e3, 0, 5000], [-240, 0, 0], 100.0)
    fast = _state([20e3, 0, 200], [-400, 0, 0], 100.0)
    dt = np.array([10.0])
    assert m.f(low, dt)[0, -2] == 10.0
    assert m.f(m.f(low, dt / 2), dt / 2)[0, -2] == 10.0  # split steps agree
    assert m.f(high, dt)[0, -2] == 0.0 and m.f(fast, dt)[0, -2] == 0.0
    cv = ConstantVelocity(ndim=3, q_m2ps3=1.0).Q(low[:, :6], dt)[0]
    before = _state([20e3, 0, 200], [-240, 0, 0], ENTER_S - 1)
    after = _state([20e3, 0, 200], [-240, 0, 0], ENTER_S)
    assert m.Q(before, dt)[0, :6, :6] == pytest.approx(Q * cv)
    assert m.Q(after, dt)[0, :6, :6] == pytest.approx(Q_QUIET * cv)
    assert np.all(m.Q(after, dt)[0, 6:, :] == 0) and np.all(m.Q(after, dt)[0, :, 6:] == 0)


def _polar(x: np.ndarray, rng: np.random.Generator) -> Measurements:
    return polar_measurements(x, rng, SIGMA)


def _run(filt, height_m: float, turn_from_s: float = np.inf, n_runs: int = 100, seed: int = 4):
    """``n_runs`` tracks of a straight 240 m/s target at ``height_m`` 40 km out, one look
    every 5 s for 300 s; from ``turn_from_s`` on a 3 g level turn. Returns per look the
    time, the ANEES (6 dof), the fraction of tracks in the quiet class and the rms
    velocity sigma per axis, m/s."""
    rng = np.random.default_rng(seed)
    truth = np.tile([30e3, 30e3, height_m, -170.0, -170.0, 0.0], (n_runs, 1))
    P0 = np.diag([200.0**2] * 3 + [50.0**2] * 3)
    x0 = np.zeros((n_runs, filt.nx))
    x0[:, :6] = truth + rng.standard_normal((n_runs, 6)) @ np.linalg.cholesky(P0).T
    P = np.zeros((n_runs, filt.nx, filt.nx))
    P[:, :6, :6] = P0
    bank = filt.init_bank(x0, P)
    omega = 30.0 / 240.0  # rad/s of a 3 g turn at 240 m/s
    out = []
    for k in range(1, int(300 / SCAN_S) + 1):
        for j in range(50):  # truth in 0.1 s steps (exact rotation of the velocity)
            t = (k - 1) * SCAN_S + j * 0.1
            w = omega * 0.1 if t >= turn_from_s else 0.0
            c, s = np.cos(w), np.sin(w)
            v = truth[:, 3:5].copy()
            truth[:, 3], truth[:, 4] = c * v[:, 0] - s * v[:, 1], s * v[:, 0] + c * v[:, 1]
            truth[:, :3] += 0.1 * 0.5 * (np.pad(v, ((0, 0), (0, 1))) + truth[:, 3:6])
        bank = filt.predict(bank, np.full(n_runs, SCAN_S))
        row = np.arange(n_runs)
        ones, zeros = np.ones(n_runs), np.zeros(n_runs)
        bank, _ = filt.update(bank, filt.prepare(_polar(truth, rng)), row, ones, zeros, zeros)
        err = truth - bank.x[:, :6]
        nees = np.einsum(
            "ni,ni->n", err, np.linalg.solve(bank.P[:, :6, :6], err[..., None])[..., 0]
        )
        quiet = filt.model.classified(bank.x) if isinstance(filt, ClassAidedEKF) else zeros
        sv = np.sqrt(np.trace(bank.P[:, 3:6, 3:6], axis1=1, axis2=2).mean() / 3)
        out.append((k * SCAN_S, nees.mean(), float(np.mean(quiet)), sv))
    return np.array(out).T


def test_low_straight_track_is_classified_only_after_enter_s_and_stays_consistent() -> None:
    t, anees, quiet, sv = _run(FILT, height_m=200.0)
    assert np.all(quiet[t < ENTER_S] == 0.0)  # the hysteresis: nothing before enter_s
    assert quiet[t == ENTER_S + SCAN_S].item() > 0.8  # (the others' first estimates
    assert np.all(quiet[t >= 2 * ENTER_S] == 1.0)  # climbed > 50 m/s: their dwell restarted)
    # truth flies straight: the quiet PSD is not over-confident (ANEES of 100 runs at
    # most the upper end of its 95% band, about 6.7) and states the velocity far more
    # tightly than the default q = 20 on the same target
    hi = scipy.stats.chi2.ppf(0.975, 100 * 6) / 100
    default = ExtendedKalmanFilter(model=ConstantVelocity(ndim=3, q_m2ps3=Q))
    _, _, _, sv_default = _run(default, height_m=200.0)
    late = t >= 200.0
    assert anees[late].mean() < hi
    assert sv[late].mean() < 0.5 * sv_default[late].mean()


def test_high_track_is_never_classified() -> None:
    _, _, quiet, _ = _run(FILT, height_m=5000.0)
    assert np.all(quiet == 0.0)


def test_manoeuvre_while_classified_leaves_the_class_and_bounds_the_nees() -> None:
    onset = 200.0
    t, anees, quiet, _ = _run(FILT, height_m=200.0, turn_from_s=onset)
    assert quiet[t == onset].item() == 1.0
    assert np.all(quiet[t >= onset + 3 * SCAN_S] < 0.1)  # left within three looks
    fixed = ExtendedKalmanFilter(model=ConstantVelocity(ndim=3, q_m2ps3=Q_QUIET))
    _, anees_fixed, _, _ = _run(fixed, height_m=200.0, turn_from_s=onset)
    turn = t > onset
    assert anees_fixed[turn].mean() > 10 * anees[turn].mean()


def test_runs_in_the_tracker_as_a_registered_kind() -> None:
    rng = np.random.default_rng(5)
    tr = compile_tracker(TrackerConfig(filter={"kind": "class_aided_ekf"}))
    p0 = np.array([[30e3, 10e3, 300.0], [-20e3, 25e3, 5e3]])
    v = np.array([[-240.0, 0, 0], [0, -250, 0]])
    for k in range(20):
        t = 5.0 * k
        dets = polar_detections(np.full(2, t), p0 + v * t, np.array([0.0, 0.0, 10.0]),
                                SIGMA, rng, truth_id=np.arange(2))  # fmt: skip
        out = tr.step(dets, t)
    conf = out.select(out.status == TrackStatus.CONFIRMED)
    assert len(conf) == 2  # and their states are the targets' (s and e stay outside)
    order = np.argsort(conf.ve_mps)
    got = np.stack([conf.ve_mps, conf.vn_mps, conf.vu_mps], axis=-1)[order]
    assert np.max(np.abs(got - v)) < 30.0


def _with_tracker(tracker: dict) -> dict:
    data, _ = read_scenario_yaml("s400-vs-mixed-raid")
    data = copy.deepcopy(data)
    data["tracker"] = tracker
    return data


@pytest.mark.parametrize(
    ("tracker", "field", "message"),
    [
        (
            {
                "filter": {
                    "kind": "class_aided_ekf",
                    "quiet": {"min_speed_mps": 300, "max_speed_mps": 200},
                }
            },
            "tracker.filter",
            "must be > min_speed_mps",
        ),
        (
            {"filter": {"kind": "class_aided_ekf", "quiet": {"enter_s": -1}}},
            "tracker.filter.quiet.enter_s",
            "must be >= 0",
        ),
        (
            {"filter": {"kind": "class_aided_ekf", "coast_accel_mps2": -1}},
            "tracker.filter.coast_accel_mps2",
            "must be >= 0",
        ),
        (
            {"filter": {"kind": "class_aided_ekf", "quiet": {"max_height": 1}}},
            "tracker.filter.quiet.max_height",
            "unknown field",
        ),
        (
            {"motion": {"kind": "ca"}, "filter": {"kind": "class_aided_ekf"}},
            "tracker",
            "class_aided_ekf needs motion: {kind: cv}",
        ),
    ],
)
def test_bad_settings_name_the_field(tracker: dict, field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario_data(_with_tracker(tracker), file="raid.yaml")
    text = str(err.value)
    assert field in text and message in text, text
