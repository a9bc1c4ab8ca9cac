"""Duplicate-track deletion (track coalescence test, iadsim.tracking.coalesce)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking.coalesce import DuplicateRule, same_target_pairs


def _cov(rng: np.random.Generator, n: int, pos_sd_m: float, vel_sd_mps: float) -> np.ndarray:
    """n random SPD 6x6 covariances with the given scales (positions, velocities)."""
    A = rng.standard_normal((n, 6, 6))
    A[:, :3] *= pos_sd_m
    A[:, 3:] *= vel_sd_mps
    return A @ A.swapaxes(1, 2) / 6 + np.diag([pos_sd_m**2] * 3 + [vel_sd_mps**2] * 3) * 0.1


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    sep_sigmas=st.floats(12.0, 200.0),
    pos_sd=st.floats(5.0, 2000.0),
)
def test_well_separated_targets_are_never_duplicates(seed, sep_sigmas, pos_sd) -> None:
    """Two tracks whose estimates differ by many of their combined position sigmas
    (any direction, any covariance shape) never pass the same-target test."""
    rng = np.random.default_rng(seed)
    P = _cov(rng, 2, pos_sd, 20.0)
    T = P[0, :3, :3] + P[1, :3, :3]
    u = rng.standard_normal(3)
    u /= np.linalg.norm(u)
    # separation of sep_sigmas along u in the metric of T: d2_pos = sep_sigmas^2
    step = u * sep_sigmas / np.sqrt(u @ np.linalg.solve(T, u))
    x = np.zeros((2, 6))
    x[:, 3:] = rng.normal(0.0, 200.0, 3)  # same velocity: only positions differ
    x[1, :3] = step
    gamma = float(chi2.ppf(0.9999, 6))
    assert not same_target_pairs(x, P, np.array([1]), np.array([0]), 3, gamma)[0]


def test_two_estimates_of_one_target_pass_at_about_the_gate_probability() -> None:
    """Independent estimates of one state with errors drawn from their covariances pass
    the test with the gate probability (independent errors: T = P_i + P_j is exact)."""
    rng = np.random.default_rng(7)
    n = 4000
    P = _cov(rng, 2 * n, 100.0, 10.0)
    L = np.linalg.cholesky(P)
    x = np.einsum("nij,nj->ni", L, rng.standard_normal((2 * n, 6)))
    rows, cand = np.arange(n), np.arange(n, 2 * n)
    gamma = float(chi2.ppf(0.99, 6))
    passed = [same_target_pairs(x, P, rows[k : k + 1], cand[k : k + 1], 3, gamma)[0]
              for k in range(0, n, 4)]  # fmt: skip
    assert 0.97 <= np.mean(passed) <= 1.0


def test_rule_waits_min_duration_and_deletes_the_younger() -> None:
    rule = DuplicateRule(gate_probability=0.99, min_duration_s=10.0)
    ids = np.array([5, 9])
    x = np.zeros((2, 6))
    P = np.tile(np.diag([1e4] * 3 + [100.0] * 3), (2, 1, 1))
    since = np.full(2, np.nan)
    firm, hit = np.ones(2, bool), np.ones(2, bool)
    assert not rule.duplicates(ids, firm, hit, x, P, 3, since, 0.0).any()
    assert since[1] == 0.0 and np.isnan(since[0])  # the older track is never a candidate
    assert not rule.duplicates(ids, firm, hit, x, P, 3, since, 5.0).any()
    out = rule.duplicates(ids, firm, hit, x, P, 3, since, 10.0)
    assert out.tolist() == [False, True]
    x[1, 0] = 5_000.0  # separated: the run of "same target" ends
    assert not rule.duplicates(ids, firm, hit, x, P, 3, since, 12.0).any()
    assert np.isnan(since[1])


@pytest.mark.parametrize("rule", [None, {"gate_probability": 0.99, "min_duration_s": 10.0}])
def test_split_plots_of_one_target_leave_one_track(rule) -> None:
    """Every scan gives two plots of one target (a split return, 1.5 sigma apart in
    range): without the rule two tracks follow it for ever, with it one survives."""
    rng = np.random.default_rng(3)
    cfg = TrackerConfig.model_validate(
        {"deletion": {"max_misses": 3, "max_coast_s": 30, "duplicates": rule}}
    )
    trk = compile_tracker(cfg)
    sensor = np.zeros(3)
    sig = (30.0, 0.001, 0.002)
    p0, v = np.array([60e3, 40e3, 5e3]), np.array([-200.0, 50.0, 0.0])
    firm: set[int] = set()
    for k in range(30):
        t = 5.0 * k
        pos = np.stack([p0 + v * t, p0 + v * t])
        det = polar_detections(np.full(2, t), pos, sensor, sig, rng)
        det = dataclasses.replace(det, range_m=det.range_m + np.array([0.0, 45.0]))
        out = trk.step(det, t)
        live = out.select(out.status != TrackStatus.DELETED)
        firm = set(live.track_id[live.status != TrackStatus.TENTATIVE].tolist())
    assert len(firm) == (2 if rule is None else 1)


def test_mach2_crosser_at_10s_revisit_keeps_one_track() -> None:
    """A Mach-2 target (680 m/s) crossing 120 km from a radar revisiting every 10 s
    (Pd 1) is initiated and held as one track by the default tracker."""
    rng = np.random.default_rng(11)
    trk = compile_tracker(TrackerConfig())
    sensor = np.zeros(3)
    p0, v = np.array([-60e3, 120e3, 9e3]), np.array([680.0, 0.0, 0.0])
    ids: set[int] = set()
    for k in range(18):
        t = 10.0 * k
        det = polar_detections(np.array([t]), (p0 + v * t)[None], sensor,
                               (30.0, 0.0009, 0.004), rng)  # fmt: skip
        out = trk.step(det, t)
        ids |= set(out.track_id[out.status == TrackStatus.CONFIRMED].tolist())
    assert len(ids) == 1
