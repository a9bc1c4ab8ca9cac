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
    assert since.tolist() == [0.0, 0.0]  # each has a partner since now
    assert not rule.duplicates(ids, firm, hit, x, P, 3, since, 5.0).any()
    out = rule.duplicates(ids, firm, hit, x, P, 3, since, 10.0)
    assert out.tolist() == [False, True]  # no hit history given: the younger goes
    x[1, 0] = 5_000.0  # separated: the run of "same target" ends
    assert not rule.duplicates(ids, firm, hit, x, P, 3, since, 12.0).any()
    assert np.isnan(since).all()


def _bits(*hits: int) -> np.uint64:
    """Hit history with ``hits`` (latest first) as the tracker writes it (bit 0 latest)."""
    return np.uint64(sum(h << k for k, h in enumerate(hits)))


@pytest.mark.parametrize(
    ("older", "younger", "recent_looks", "deleted"),
    [
        # the older track coasted (a killed aircraft's), then took the plots: it goes
        ((1, 1, 0, 0, 0, 0, 0, 0), (1, 1, 1, 1, 1, 1, 1, 1), 8, 0),
        ((1, 1, 1, 1, 1, 1, 1, 1), (1, 1, 0, 0, 0, 0, 0, 0), 8, 1),
        ((1, 0, 1, 0, 1, 0, 1, 0), (0, 1, 0, 1, 0, 1, 0, 1), 8, 1),  # a tie: the younger
        ((1, 1, 0, 0, 0, 0, 0, 0), (1, 1, 1, 1, 1, 1, 1, 1), 2, 1),  # equal over 2 looks
        ((1, 1, 0, 0, 0, 0, 0, 0), (1, 1, 1, 1, 1, 1, 1, 1), 0, 1),  # 0: age alone
    ],
)
def test_rule_deletes_the_less_supported(older, younger, recent_looks, deleted) -> None:
    """Of two duplicates the one with fewer hits over its last ``recent_looks`` looks is
    deleted, the younger on a tie (Blackman and Popoli 1999, sec. 6.3.3: the track of
    lower score goes)."""
    rule = DuplicateRule(min_duration_s=10.0, recent_looks=recent_looks)
    ids = np.array([5, 9])
    hist = np.array([_bits(*older), _bits(*younger)])
    x = np.zeros((2, 6))
    P = np.tile(np.diag([1e4] * 3 + [100.0] * 3), (2, 1, 1))
    since = np.full(2, np.nan)
    firm, hit = np.ones(2, bool), np.ones(2, bool)
    rule.duplicates(ids, firm, hit, x, P, 3, since, 0.0, hist)
    out = rule.duplicates(ids, firm, hit, x, P, 3, since, 10.0, hist)
    assert np.flatnonzero(out).tolist() == [deleted]


def test_rule_counts_the_run_whichever_ranks_higher() -> None:
    """Two tracks taking one target's plots in turn swap ranks; the run of updates with
    a partner still counts for both, and at its end the lower-ranked one goes (a run
    that restarted at each swap would keep both for ever)."""
    rule = DuplicateRule(min_duration_s=10.0, recent_looks=4)
    ids = np.array([5, 9])
    x = np.zeros((2, 6))
    P = np.tile(np.diag([1e4] * 3 + [100.0] * 3), (2, 1, 1))
    since = np.full(2, np.nan)
    firm = np.ones(2, bool)
    for k, t in enumerate(np.arange(0.0, 10.0, 1.0)):
        hist = np.array([_bits(1, 1, 0, 1), _bits(1, 0, 1, 1)][:: 1 if k % 2 else -1])
        assert not rule.duplicates(ids, firm, np.ones(2, bool), x, P, 3, since, t, hist).any()
    hist = np.array([_bits(1, 0, 0, 1), _bits(1, 1, 1, 1)])
    out = rule.duplicates(ids, firm, np.ones(2, bool), x, P, 3, since, 10.0, hist)
    assert out.tolist() == [True, False]


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


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 300), spread_m=st.floats(1e2, 1e5))
def test_tree_candidates_give_the_dense_answer(seed, n, spread_m) -> None:
    """The k-d tree path (many pairs) answers exactly as testing every pair: random
    raids with clusters of near-duplicates, a few tracks coasting with huge
    covariances (wider than any hit track's reach) and ids in any order."""
    import iadsim.tracking.coalesce as co

    rng = np.random.default_rng(seed)
    P = _cov(rng, n, 50.0, 10.0)
    P[rng.random(n) < 0.05] *= 1e4  # coasting for long: a reach of kilometres
    x = np.zeros((n, 6))
    x[:, :3] = rng.uniform(-spread_m, spread_m, (n, 3))
    twins = rng.random(n) < 0.3  # near-duplicates of the previous track
    x[1:][twins[1:]] = x[:-1][twins[1:]] + rng.normal(0.0, 40.0, (int(twins[1:].sum()), 6))
    rows = np.flatnonzero(rng.random(n) < 0.5)
    cand = np.arange(n)
    ids = rng.permutation(n).astype(np.int64)
    gamma = float(chi2.ppf(0.99, 6))
    dense_pairs = co._DENSE_PAIRS
    try:
        co._DENSE_PAIRS = 10**12
        dense = same_target_pairs(x, P, rows, cand, 3, gamma, rank=ids)
        co._DENSE_PAIRS = 0
        tree = same_target_pairs(x, P, rows, cand, 3, gamma, rank=ids)
    finally:
        co._DENSE_PAIRS = dense_pairs
    assert np.array_equal(dense, tree)


def test_tree_candidates_reach_the_edge_of_the_gate() -> None:
    """A track with a needle-shaped covariance (1 km sigma along u, 1 m across) and a
    track of 1 m sigma, offset along u by 0.95 of the largest distance that can pass
    (``|D|^2 = gamma lambda_max(T)``): duplicates of each other, found through the k-d
    tree among 200 far tracks (each from its own side: no ids)."""
    import iadsim.tracking.coalesce as co

    rng = np.random.default_rng(3)
    gamma = float(chi2.ppf(0.99, 6))
    u = rng.standard_normal(3)
    u /= np.linalg.norm(u)
    P = np.tile(np.diag([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]), (202, 1, 1))
    P[0, :3, :3] += 1e6 * np.outer(u, u)
    x = np.zeros((202, 6))
    x[1, :3] = 0.95 * np.sqrt(gamma * (1e6 + 2.0)) * u
    x[2:, :3] = rng.uniform(50e3, 90e3, (200, 3))
    dense_pairs = co._DENSE_PAIRS
    try:
        co._DENSE_PAIRS = 0
        found = same_target_pairs(x, P, np.arange(202), np.arange(202), 3, gamma)
    finally:
        co._DENSE_PAIRS = dense_pairs
    assert found[:2].all() and not found[2:].any()
