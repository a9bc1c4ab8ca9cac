"""Two-point (plot-buffer) initiation: the pair state, the buffer, and the tracker with it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from tracking_helpers import polar_detections, random_spd

from iadsim.frames import Detections, TrackStatus
from iadsim.scenario.schema_tracking import (
    MOfNConfig,
    TrackerConfig,
    TwoPointConfig,
    compile_tracker,
    compile_tracker_parts,
)
from iadsim.tracking import TwoPointInitiator
from iadsim.tracking.initiation import pair_state

SENSOR = np.array([0.0, 0.0, 10.0])
SIG = (50.0, 2e-3, 2e-3)  # range m, az and el rad
SCAN_S = 10.0


def _nees(err: np.ndarray, P: np.ndarray) -> np.ndarray:
    return np.einsum("ni,ni->n", err, np.linalg.solve(P, err[:, :, None])[:, :, 0])


def _band(dof: int, n: int, p: float = 0.999) -> tuple[float, float]:
    """Two-sided interval of the mean of ``n`` chi-square(dof) samples."""
    lo, hi = scipy.stats.chi2.ppf([(1 - p) / 2, (1 + p) / 2], dof * n)
    return lo / n, hi / n


@pytest.mark.parametrize("q", [0.0, 20.0])
@pytest.mark.parametrize("tau", [0.0, 0.8])
def test_pair_state_nees_is_chi_square(q: float, tau: float) -> None:
    """Monte Carlo: CV truth with white-noise acceleration q, two plots with their own
    (random, correlated) noise; the pair's position-velocity NEES has mean 2d = 6 and
    its covariance is symmetric positive definite."""
    rng = np.random.default_rng(7)
    n, d, dt = 4000, 3, 10.0
    R1, R2 = random_spd(rng, n, d, 100.0), random_spd(rng, n, d, 150.0)
    # truth from t1 to t2 + tau, exact discretisation of the CV model per axis
    F = np.array([[1, dt], [0, 1]])
    Q = q * np.array([[dt**3 / 3, dt**2 / 2], [dt**2 / 2, dt]])
    Ft = np.array([[1, tau], [0, 1]])
    Qt = q * np.array([[tau**3 / 3, tau**2 / 2], [tau**2 / 2, tau]])
    s0 = np.stack([rng.uniform(-1e5, 1e5, (n, d)), rng.uniform(-300, 300, (n, d))], axis=2)
    w = rng.multivariate_normal(np.zeros(2), Q + 1e-12 * np.eye(2), (n, d))
    s2 = s0 @ F.T + w  # (n, d, [p, v]) at t2
    wt = rng.multivariate_normal(np.zeros(2), Qt + 1e-12 * np.eye(2), (n, d))
    st_ = s2 @ Ft.T + wt  # at t2 + tau
    e1 = np.linalg.cholesky(R1) @ rng.standard_normal((n, d, 1))
    e2 = np.linalg.cholesky(R2) @ rng.standard_normal((n, d, 1))
    p1, p2 = s0[:, :, 0] + e1[:, :, 0], s2[:, :, 0] + e2[:, :, 0]
    x, P = pair_state(p1, R1, p2, R2, np.full(n, dt), np.full(n, tau), q)
    truth = np.concatenate([st_[:, :, 0], st_[:, :, 1]], axis=1)
    lo, hi = _band(2 * d, n)
    assert lo <= _nees(x - truth, P).mean() <= hi
    # the position-velocity cross terms: NEES of the position extrapolated 10 s (no q)
    A = np.hstack([np.eye(d), 10.0 * np.eye(d)])
    lo, hi = _band(d, n)
    assert lo <= _nees((x - truth) @ A.T, A @ P @ A.T).mean() <= hi
    np.testing.assert_array_equal(P, P.swapaxes(1, 2))
    assert np.all(np.linalg.eigvalsh(P) > 0)


def _tracker(kind: str, m: int = 3, n: int = 4):
    init = (
        TwoPointConfig(m=m, n=n) if kind == "two_point" else MOfNConfig(m=m, n=n)
    )  # fmt: skip
    return compile_tracker(TrackerConfig(initiation=init))


def _look(t: float, pos: np.ndarray, rng: np.random.Generator, **kw: object) -> Detections:
    return polar_detections(np.full(len(pos), t), pos, SENSOR, SIG, rng, **kw)  # type: ignore[arg-type]


def _confirm_look(kind: str, p0: np.ndarray, v: np.ndarray, seen: list[bool], seed: int) -> int:
    """1-based look at which the target's first track is confirmed (0: never)."""
    tr, rng = _tracker(kind), np.random.default_rng(seed)
    for k, s in enumerate(seen):
        t = SCAN_S * k
        if s:
            out = tr.step(_look(t, (p0 + v * t)[None], rng), t)
        else:
            out = tr.miss(t)
        if np.any(out.status == TrackStatus.CONFIRMED):
            return k + 1
    return 0


@settings(max_examples=25, deadline=None)
@given(
    range_km=st.floats(20, 150),
    az=st.floats(0, 2 * np.pi),
    speed=st.floats(50, 1000),
    heading=st.floats(0, 2 * np.pi),
    seen=st.sampled_from([[True] * 5, [True, False, True, True, True]]),
    seed=st.integers(0, 2**31),
)
def test_straight_target_confirms_on_the_same_look_as_single_point(
    range_km: float, az: float, speed: float, heading: float, seen: list[bool], seed: int
) -> None:
    """A straight-flying target at up to 1,000 m/s always pairs; 3-of-4 confirms on look
    3 (all seen) or 4 (look 2 missed): never later than single-point initiation (which
    can lose the target after the miss, a 400 m/s prior over 20 s)."""
    p0 = np.array([np.sin(az), np.cos(az), 0.0]) * range_km * 1e3 + [0, 0, 5e3]
    v = speed * np.array([np.sin(heading), np.cos(heading), 0.0])
    want = 3 if all(seen) else 4
    single = _confirm_look("m_of_n", p0, v, seen, seed)
    assert single == 0 or single >= want  # single-point: never earlier
    assert _confirm_look("two_point", p0, v, seen, seed) == want


def test_pair_nees_through_the_tracker_is_consistent() -> None:
    """Polar plots 10 s apart (debiased conversion inside): the new tracks' states at
    the second look have a consistent position-velocity NEES (CV truth, tiny q)."""
    rng = np.random.default_rng(3)
    g = np.arange(-120e3, 121e3, 20e3)  # targets 20 km apart: every pair is the right one
    e, nn = np.meshgrid(g, g)
    far = np.hypot(e, nn).ravel() > 15e3
    cfg = TrackerConfig(
        initiation=TwoPointConfig(max_speed_mps=450.0), motion={"kind": "cv", "q_m2ps3": 1e-3}
    )
    errs, covs = [], []
    for _ in range(20):
        k = int(far.sum())
        p0 = np.column_stack([e.ravel()[far], nn.ravel()[far], rng.uniform(1e3, 9e3, k)])
        v = np.column_stack([rng.uniform(-300, 300, (k, 2)), np.zeros(k)])
        tr = compile_tracker(cfg)
        tr.step(_look(0.0, p0, rng), 0.0)
        out = tr.step(_look(SCAN_S, p0 + v * SCAN_S, rng), SCAN_S)
        assert len(out) == k  # one track per target
        p1 = p0 + v * SCAN_S
        near = np.argmin(np.linalg.norm(out.pos_m()[:, None] - p1[None], axis=2), axis=1)
        errs.append(np.hstack([out.pos_m() - p1[near], out.vel_mps() - v[near]]))
        covs.append(out.state_cov(3))
    err, P = np.concatenate(errs), np.concatenate(covs)
    lo, hi = _band(6, err.shape[0])
    assert lo <= _nees(err, P).mean() <= hi


def test_false_alarms_at_realistic_density_rarely_pair() -> None:
    """30 false alarms per 10 s scan, uniform in range (10-600 km), azimuth and elevation
    (0-40 deg), as the default preset's surveillance radar has them (seed 1: 28 per scan,
    ranges 35-570 km and elevations 2-38 deg from the 5th to the 95th percentile): under
    10% of them start a track (single-point: most; the others feed its false tracks),
    and none is confirmed."""
    rng = np.random.default_rng(11)
    starts = {}
    for kind in ("m_of_n", "two_point"):
        tr, plots = _tracker(kind), 0
        for k in range(30):
            m = 30
            r, a = rng.uniform(10e3, 600e3, m), rng.uniform(0, 2 * np.pi, m)
            el = rng.uniform(0, np.radians(40.0), m)
            pos = np.column_stack(
                [r * np.cos(el) * np.sin(a), r * np.cos(el) * np.cos(a), r * np.sin(el)]
            )
            tr.step(_look(SCAN_S * k, pos, rng), SCAN_S * k)
            plots += m
        starts[kind] = tr.counters["initiated"] / plots
        if kind == "two_point":
            assert tr.counters["confirmed"] == 0
    assert starts["m_of_n"] > 0.5  # the rest updated single-point false tracks
    assert 0.0 < starts["two_point"] < 0.1, starts


def test_plots_of_two_sensors_never_pair() -> None:
    """The same two plots pair when one sensor reports both, never across sensors."""
    rng = np.random.default_rng(5)
    p = np.array([[50e3, 20e3, 5e3]])
    for first, second, want in ((0, 0, 1), (0, 1, 0)):
        tr = _tracker("two_point")
        tr.step(_look(0.0, p, rng), 0.0, sensor_id=first)
        tr.step(_look(SCAN_S, p + np.array([2e3, 0, 0]), rng), SCAN_S, sensor_id=second)
        assert tr.counters["initiated"] == want


def test_buffered_plot_ages_out_after_max_looks_covering_it() -> None:
    """With 3-of-4 a buffered plot waits for two later looks that cover it (one miss is
    allowed); looks that do not cover it (another sector) do not count."""
    p = np.array([[50e3, 20e3, 5e3]])
    elsewhere = lambda pos: np.zeros(len(pos), bool)  # noqa: E731
    cases = (([None, None], 0), ([None], 1), ([elsewhere] * 5, 1))
    for between, want in cases:
        tr, rng = _tracker("two_point"), np.random.default_rng(2)
        tr.step(_look(0.0, p, rng), 0.0)
        for k, obs in enumerate(between):
            tr.miss(1.0 + k, observed=obs)
        t = 1.0 + len(between)
        tr.step(_look(t, p + np.array([100.0, 0, 0]), rng), t)
        assert tr.counters["initiated"] == want, (len(between), want)


def test_max_speed_gate() -> None:
    """Plots further apart than max_speed * dt (plus noise) do not pair; nearer ones do."""
    ini = TwoPointInitiator(max_speed_mps=500.0, turn_rate_sigma_radps=np.radians(5.0))
    for dx, want in ((4.5e3, 1), (6.5e3, 0)):
        parts = compile_tracker_parts(TrackerConfig(initiation=TwoPointConfig(max_speed_mps=500)))
        assert parts.initiator == ini
        tr, rng = parts.build(), np.random.default_rng(4)
        p = np.array([[60e3, 0.0, 3e3]])
        tr.step(_look(0.0, p, rng), 0.0)
        tr.step(_look(SCAN_S, p + np.array([0, dx, 0]), rng), SCAN_S)
        assert tr.counters["initiated"] == want


def test_two_point_config_checks_and_defaults() -> None:
    """m >= 2 (a pair is two hits); max_looks defaults to n - m + 1; q from the CV motion."""
    with pytest.raises(ValueError, match=r"m: must be in 2\.\.n"):
        TwoPointConfig(m=1, n=3)
    cfg = TrackerConfig(
        initiation={"kind": "two_point", "m": 2, "n": 5}, motion={"kind": "cv", "q_m2ps3": 7}
    )
    ini = compile_tracker_parts(cfg).initiator
    assert isinstance(ini, TwoPointInitiator)
    assert (ini.max_looks, ini.q_m2ps3) == (4, 7.0)


def test_ambiguous_pairs_get_the_velocity_prior_only_on_request() -> None:
    """Two aircraft 300 m apart: each new plot has two feasible partners. The pairs are
    the right ones (least total cost); with ambiguous_prior their velocity std includes
    the 400 m/s prior, without it only the plots' noise; a lone aircraft is never
    ambiguous."""
    p = np.array([[60e3, 0.0, 3e3], [60e3, 300.0, 3e3]])
    v = np.array([0.0, 250.0, 0.0])
    for flag in (False, True):
        for pos, want in ((p, flag), (p[:1], False)):
            cfg = TrackerConfig(initiation=TwoPointConfig(ambiguous_prior=flag))
            tr, rng = compile_tracker(cfg), np.random.default_rng(9)
            tr.step(_look(0.0, pos, rng), 0.0)
            out = tr.step(_look(SCAN_S, pos + v * SCAN_S, rng), SCAN_S)
            assert len(out) == len(pos)
            assert np.all(np.abs(out.vel_mps()[:, 1] - 250.0) < 60.0)  # the right pairs
            sd = np.sqrt(out.state_cov(3)[:, 4, 4])
            assert np.all(sd > 350.0) if want else np.all(sd < 100.0), (flag, len(pos), sd)
