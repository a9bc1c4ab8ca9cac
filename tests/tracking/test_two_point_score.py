"""Two-point initiation confirmed by the track score (``two_point`` ``confirm: score``).

The SPRT confirmer (:class:`~iadsim.tracking.ScoreConfirmer`, Blackman and Popoli
1999, sec. 6.2) weighs each hit by its likelihood; M-of-N counts a neighbour's plot far
out in a new track's gate like the aircraft's own. Checked here: the score arithmetic
against hand computations, the pair's starting score (its two plots' evidence, in the
polar plots' volume), and a scene where the poor hit confirms under ``m_of_n`` but not
under ``score``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from tracking_helpers import polar_detections

from iadsim.frames import Detections, Tracks, TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking import MOfN, ScoreConfirmer
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.tracker import Tracker

#: densities of the default preset's surveillance radars (Pfa 1e-6 over a 150 m x 1 deg
#: x 2 deg cell: 1.1e-5 per m rad^2), the figures of the score settings measured
SCORE = {"kind": "score", "pd": 0.8, "clutter_density": 1e-5, "new_target_density": 3e-8,
         "false_track_probability": 1e-6, "true_track_deletion_probability": 0.1}  # fmt: skip
SENSOR = np.array([0.0, 0.0, 10.0])


def _confirmer() -> ScoreConfirmer:
    return ScoreConfirmer(pd=0.8, clutter_density=1e-5, new_target_density=3e-8, alpha=1e-6,
                          beta=0.1)  # fmt: skip


def test_score_arithmetic_by_hand() -> None:
    c = _confirmer()
    # L0 = ln(3e-8 / 1e-5) = ln(3e-3)
    assert c.initial_llr() == pytest.approx(-5.809142990314028, abs=1e-12)
    # hit: ln 0.8 + ll - ln 1e-5 = -0.2231435513 + ll + 11.5129254650; miss: ln 0.2
    d = c.delta_llr(np.array([True, True, False]), np.array([2.0, -4.5, 123.0]))
    np.testing.assert_allclose(d, [13.289781913, 6.789781913, -1.609437912], atol=1e-9)
    # thresholds: ln(0.9 / 1e-6) = 13.710150042, ln(0.1 / (1 - 1e-6)) = -2.302584093
    book = TrackBook.new(np.arange(4, dtype=np.int64), 0.0, 0.0)
    book.llr[:] = [13.7101501, 13.7101500, -2.3025840, -2.3025841]
    confirm, drop = c.decide(book)
    assert confirm.tolist() == [True, False, False, False]
    assert drop.tolist() == [False, False, False, True]


def test_two_point_confirm_defaults_to_today_m_of_n() -> None:
    parts = compile_tracker_parts(TrackerConfig(initiation={"kind": "two_point", "m": 3, "n": 5}))
    assert parts.confirmer == MOfN(m=3, n=5)
    cfg = TrackerConfig(initiation={"kind": "two_point", "confirm": SCORE})
    assert compile_tracker_parts(cfg).confirmer == _confirmer()
    assert TrackerConfig.model_validate(cfg.model_dump()) == cfg  # round trip


def _tracker(confirm: object, **init: object) -> Tracker:
    cfg = TrackerConfig.model_validate({"initiation": {
        "kind": "two_point", "m": 3, "n": 4, "velocity_sigma_mps": 400.0,
        "confirm_on_ambiguous": False, "confirm": confirm, **init}})  # fmt: skip
    return compile_tracker_parts(cfg).build()


def _plot(t: float, pos: np.ndarray, sig: tuple[float, float, float]) -> Detections:
    """One plot at ``t`` exactly at ``pos`` (no noise drawn; ``sig`` its stated sigmas)."""
    det = polar_detections(np.array([t]), pos[None, :], SENSOR, (0.0, 0.0, 0.0),
                           np.random.default_rng(0))  # fmt: skip
    m = np.ones(1)
    return dataclasses.replace(det, sigma_range_m=sig[0] * m, sigma_az_rad=sig[1] * m,
                               sigma_el_rad=sig[2] * m)  # fmt: skip


def _look(tr: Tracker, t: float, pos: np.ndarray, sig: tuple[float, float, float]) -> Tracks:
    return tr.step(_plot(t, pos, sig), t, sensor_id=0)


def test_pair_starts_with_its_two_plots_score_in_polar_volume() -> None:
    """Plots at t 0 and 20 s with a look between that saw no plot (one miss): the new
    track's score is L0 + ln P_D + ln N(p2 - p1; 0, (20 s x 400 m/s)^2 I) + ln(r^2 cos
    el) - ln lambda_FA + ln(1 - P_D), the plots' noise negligible here (1 m, 1 urad)."""
    tr = _tracker(SCORE)
    sig = (1.0, 1e-6, 1e-6)
    p1 = np.array([100_000.0, 250_000.0, 9_000.0])
    p2 = p1 + 20.0 * np.array([-250.0, 30.0, -10.0])
    assert len(_look(tr, 0.0, p1, sig)) == 0
    tr.miss(10.0, sensor_id=0)
    out = _look(tr, 20.0, p2, sig)
    assert len(out) == 1 and out.status[0] == TrackStatus.TENTATIVE
    rel = p2 - SENSOR
    r, el = float(np.linalg.norm(rel)), math.asin(rel[2] / np.linalg.norm(rel))
    ln_n = multivariate_normal(np.zeros(3), (20.0 * 400.0) ** 2 * np.eye(3)).logpdf(p2 - p1)
    want = (math.log(3e-8 / 1e-5) + math.log(0.8) + ln_n + math.log(r * r * math.cos(el))
            - math.log(1e-5) + math.log(0.2))  # fmt: skip
    assert out.quality[0] == pytest.approx(want, abs=1e-4)


def test_polar_volume_element_is_the_conversion_jacobian() -> None:
    """ln(r^2 cos el), which carries the pair's Cartesian likelihood into the polar
    plots' volume, is ln |det d(e, n, u) / d(r, az, el)| (finite differences)."""
    r, az, el = 290_000.0, 1.2, 0.03

    def cart(v: np.ndarray) -> np.ndarray:
        r, az, el = v
        return np.array([r * math.cos(el) * math.sin(az), r * math.cos(el) * math.cos(az),
                         r * math.sin(el)])  # fmt: skip

    h = np.array([1e-3, 1e-9, 1e-9])
    v = np.array([r, az, el])
    J = np.stack([(cart(v + h[i] * np.eye(3)[i]) - cart(v - h[i] * np.eye(3)[i])) / (2 * h[i])
                  for i in range(3)], axis=1)  # fmt: skip
    meas = Measurements(t_s=np.zeros(1), z=np.array([[r, az, el]]), R=np.eye(3)[None] * 1e-6,
                        sensor_m=np.zeros((1, 3)), kind="polar", ndim=3)  # fmt: skip
    buf = PlotBuffer.of(meas, debiased_conversion(meas))
    got = float(buf.log_volume(np.array([0]))[0])
    assert got == pytest.approx(math.log(abs(np.linalg.det(J))), abs=1e-6)


def _scene(confirm: object, poor: bool) -> list[int]:
    """One aircraft at 290 km flying west at 250 m/s, seen at t 0 and 10 s (the pair);
    at 20 s its own plot is missed and a neighbour's plot lies alone in the new track's
    gate at d^2 = 12 (``poor``), or the aircraft's own plot is seen; at 30 s its own
    plot again. Returns the track's status after the looks at 20 and 30 s."""
    tr = _tracker(confirm)
    sig = (50.0, 2e-3, 4e-3)
    v = np.array([-250.0, 0.0, 0.0])
    p0 = np.array([0.0, 290_000.0, 8_000.0])
    _look(tr, 0.0, p0, sig)
    _look(tr, 10.0, p0 + 10.0 * v, sig)
    own = p0 + 20.0 * v
    plot = _offset_at_d2(tr, own, 20.0, sig, 12.0) if poor else own
    a = _look(tr, 20.0, plot, sig)
    b = _look(tr, 30.0, p0 + 30.0 * v, sig)
    return [int(a.status[0]), int(b.status[0])] if len(a) and len(b) else []


def _offset_at_d2(tr: Tracker, own: np.ndarray, t: float, sig: tuple[float, float, float],
                  d2: float) -> np.ndarray:  # fmt: skip
    """A point across the line of sight (east) of ``own`` whose plot the track predicts
    at squared Mahalanobis distance ``d2`` at ``t`` (the filter's own innovation)."""
    filt = tr.parts.filter
    bank, book = tr.live_tracks()
    pred = filt.predict(bank, np.full(1, t - book.t_s[0]))

    def d2_at(east_m: float) -> float:
        det = _plot(t, own + np.array([east_m, 0.0, 0.0]), sig)
        meas = filt.prepare(Measurements.from_detections(det, ndim=3, use_rdot=False))
        return float(filt.innovate(pred.x, pred.P, meas).d2[0])

    lo, hi = 0.0, 20_000.0
    for _ in range(60):  # d2 grows with the offset: bisection
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if d2_at(mid) < d2 else (lo, mid)
    return own + np.array([lo, 0.0, 0.0])


def test_poor_hit_confirms_under_m_of_n_not_under_score() -> None:
    """The neighbour's plot (d^2 12, alone in the gate: not ambiguous) is the third hit
    of 3-of-4, and the track it confirms, its velocity pulled across the line of sight,
    misses the aircraft's own plot at 30 s (coasting: a firm track off its target).
    Weighed by its likelihood it leaves the track tentative, and still tentative after
    that miss. The aircraft's own plot at 20 s confirms under both rules."""
    C, T, K = TrackStatus.CONFIRMED, TrackStatus.TENTATIVE, TrackStatus.COASTING
    assert _scene("m_of_n", poor=True) == [C, K]
    assert _scene(SCORE, poor=True) == [T, T]
    assert _scene("m_of_n", poor=False) == [C, C]
    assert _scene(SCORE, poor=False) == [C, C]


def test_pair_score_equals_a_single_point_track_updated_by_the_second_plot() -> None:
    """Two forms of one number: the pair's score (Cartesian velocity-prior likelihood
    times the polar volume element) and the score of a single-point track of the first
    plot (velocity prior 400 m/s) after the EKF update with the second plot (its
    likelihood in range, azimuth and elevation). They differ by the CV process noise
    over 10 s and the linearization only."""
    sig = (50.0, 2e-3, 4e-3)
    p1 = np.array([-60_000.0, 280_000.0, 8_000.0])
    p2 = p1 + 10.0 * np.array([-200.0, -150.0, 0.0])
    pair = _tracker(SCORE)
    single = compile_tracker_parts(TrackerConfig.model_validate({"initiation": {
        **{k: v for k, v in SCORE.items() if k != "kind"}, "kind": "score",
        "velocity_sigma_mps": 400.0, "false_track_probability": 1e-12}})).build()  # fmt: skip
    for tr in (pair, single):
        _look(tr, 0.0, p1, sig)
    a, b = _look(pair, 10.0, p2, sig), _look(single, 10.0, p2, sig)
    assert len(a) == 1 and len(b) == 1 and single.n_tracks == 1  # the first plot's track, hit
    assert a.quality[0] == pytest.approx(b.quality[0], abs=0.02)
