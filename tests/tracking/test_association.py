"""GNN and JPDA against brute-force enumeration on small random problems."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.tracking import GNN, JPDA
from iadsim.tracking.association import dense_unique
from iadsim.tracking.filters import Innovation
from iadsim.tracking.gating import GatedPairs, pregate_pairs


def _pairs(rng: np.random.Generator, n: int, m: int, density: float, gamma: float) -> GatedPairs:
    mask = rng.random((n, m)) < density
    ti, di = np.nonzero(mask)
    p = ti.shape[0]
    d2 = rng.uniform(0, gamma, p)
    logdet = rng.uniform(2.0, 6.0, p)
    y = np.zeros((p, 2))
    inn = Innovation(y=y, S=np.zeros((p, 2, 2)), d2=d2, logdet=logdet, cross=np.zeros((p, 2, 4)))
    return GatedPairs(ti=ti.astype(np.int64), di=di.astype(np.int64), inn=inn)


def _brute_gnn(n, m, gp, gamma):
    cost = {(int(t), int(d)): c - gamma for t, d, c in zip(gp.ti, gp.di, gp.inn.d2, strict=True)}
    best = 0.0
    options = [[None] + [d for (t, d) in cost if t == i] for i in range(n)]
    for combo in itertools.product(*options):
        ds = [d for d in combo if d is not None]
        if len(ds) != len(set(ds)):
            continue
        total = sum(cost[(i, d)] for i, d in enumerate(combo) if d is not None)
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_gnn_equals_brute_force(seed) -> None:
    rng = np.random.default_rng(seed)
    n, m, gamma = int(rng.integers(1, 6)), int(rng.integers(1, 6)), 9.0
    gp = _pairs(rng, n, m, 0.6, gamma)
    a = GNN().associate(n, m, gp, gamma)
    cost = {(int(t), int(d)): c - gamma for t, d, c in zip(gp.ti, gp.di, gp.inn.d2, strict=True)}
    ours = sum(cost[(int(t), int(d))] for t, d in zip(a.pair_t, a.pair_d, strict=True))
    assert len(set(a.pair_d.tolist())) == a.pair_d.shape[0]
    assert len(set(a.pair_t.tolist())) == a.pair_t.shape[0]
    assert ours == pytest.approx(_brute_gnn(n, m, gp, gamma), abs=1e-9)
    np.testing.assert_array_equal(a.beta0[a.pair_t], 0.0)


def _brute_jpda(n, m, gp, pd, lam, pg):
    g = {}
    for t, d, c, ld in zip(gp.ti, gp.di, gp.inn.d2, gp.inn.logdet, strict=True):
        lik = np.exp(-0.5 * (c + ld + 2 * np.log(2 * np.pi)))
        g[(int(t), int(d))] = pd * lik / lam
    miss = 1 - pd * pg
    options = [[None] + [d for (t, d) in g if t == i] for i in range(n)]
    tot, marg, marg0 = 0.0, dict.fromkeys(g, 0.0), np.zeros(n)
    for combo in itertools.product(*options):
        ds = [d for d in combo if d is not None]
        if len(ds) != len(set(ds)):
            continue
        w = 1.0
        for i, d in enumerate(combo):
            w *= miss if d is None else g[(i, d)]
        tot += w
        for i, d in enumerate(combo):
            if d is None:
                marg0[i] += w
            else:
                marg[(i, d)] += w
    return {k: v / tot for k, v in marg.items()}, marg0 / tot


@pytest.mark.parametrize("seed", range(40))
def test_jpda_marginals_equal_brute_force(seed) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    gp = _pairs(rng, n, m, 0.5, 9.0)
    j = JPDA(pd=0.8, clutter_density=1e-4, gate_probability=0.99)
    a = j.associate(n, m, gp, 9.0)
    marg, marg0 = _brute_jpda(n, m, gp, 0.8, 1e-4, 0.99)
    for t, d, b in zip(a.pair_t, a.pair_d, a.beta, strict=True):
        assert b == pytest.approx(marg[(int(t), int(d))], rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(a.beta0, marg0, rtol=1e-9, atol=1e-12)


def test_cheap_jpda_used_for_large_clusters_sums_to_one() -> None:
    rng = np.random.default_rng(3)
    n, m = 12, 12
    gp = _pairs(rng, n, m, 0.9, 9.0)
    a = JPDA(pd=0.9, clutter_density=1e-4, max_tracks_exact=4).associate(n, m, gp, 9.0)
    tot = np.zeros(n)
    np.add.at(tot, a.pair_t, a.beta)
    np.testing.assert_allclose(tot + a.beta0, 1.0, atol=1e-12)
    assert np.all(a.beta >= 0) and np.all(a.beta0 >= 0)


def test_pregate_tree_equals_all_pairs() -> None:
    rng = np.random.default_rng(5)
    tp, dp = rng.uniform(0, 1000, (300, 2)), rng.uniform(0, 1000, (400, 2))
    r = rng.uniform(5, 60, 300)
    ti, di = pregate_pairs(tp, r, dp)
    dist = np.linalg.norm(tp[:, None] - dp[None], axis=-1)
    bt, bd = np.nonzero(dist <= r[:, None])
    assert set(zip(ti.tolist(), di.tolist(), strict=True)) == set(
        zip(bt.tolist(), bd.tolist(), strict=True)
    )


@pytest.mark.parametrize("seed", range(5))
def test_gnn_component_path_equals_dense_on_large_sparse_problems(seed) -> None:
    """> 256 pairs: the component split + sparse LAPJV must reach the dense optimum."""
    from iadsim.tracking.association import _solve_dense, gnn_solve

    rng = np.random.default_rng(seed)
    n, m, gamma = 400, 450, 9.0
    tp, dp = rng.uniform(0, 2000, (n, 2)), rng.uniform(0, 2000, (m, 2))
    ti, di = pregate_pairs(tp, np.full(n, 60.0), dp)
    assert ti.shape[0] > 256
    c = rng.uniform(0, gamma, ti.shape[0])
    miss = np.full(n, gamma)
    a, b = gnn_solve(ti, di, c, miss, n, m), _solve_dense(ti, di, c, miss)
    assert np.sum(c[a] - gamma) == pytest.approx(np.sum(c[b] - gamma), abs=1e-9)
    assert len(set(ti[a].tolist())) == a.shape[0] and len(set(di[a].tolist())) == a.shape[0]


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 40), max_size=60))
def test_dense_unique_equals_np_unique(values) -> None:
    a = np.asarray(values, dtype=np.int64)
    uniq, inv = dense_unique(a)
    ref_u, ref_i = np.unique(a, return_inverse=True)
    np.testing.assert_array_equal(uniq, ref_u)
    np.testing.assert_array_equal(inv, ref_i)


@pytest.mark.parametrize("seed", range(20))
def test_gnn_conflict_free_shortcut_equals_dense_assignment(seed) -> None:
    """Pairs sharing no track and no measurement: the closed-form choice equals the
    dense assignment, also when some pairs cost more than a miss ("nll" costs)."""
    from iadsim.tracking.association import _conflict_free, _solve_dense, gnn_solve

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    k = int(rng.integers(1, min(n, m) + 1))
    ti = np.sort(rng.choice(n, k, replace=False)).astype(np.int64)
    di = rng.choice(m, k, replace=False).astype(np.int64)
    c, miss = rng.uniform(0, 12, k), rng.uniform(3, 9, n)
    assert _conflict_free(ti, di)
    np.testing.assert_array_equal(gnn_solve(ti, di, c, miss, n, m), _solve_dense(ti, di, c, miss))
    if k > 1:  # a shared measurement is a conflict
        assert not _conflict_free(ti, np.r_[di[:-1], di[0]])


@pytest.mark.parametrize(("n", "m"), [(30, 40), (300, 400)])
def test_pregate_per_pair_radius_equals_all_pairs(n, m) -> None:
    """Small (all pairs) and tree paths keep exactly |p_i - z_j| <= s sqrt(vt_i + vd_j)."""
    from iadsim.tracking.gating import pregate_pairs_var

    rng = np.random.default_rng(n)
    tp, dp = rng.uniform(0, 1000, (n, 2)), rng.uniform(0, 1000, (m, 2))
    vt, vd = rng.uniform(1, 400, n), np.exp(rng.uniform(0, 9, m))  # variances over 4 decades
    ti, di = pregate_pairs_var(tp, vt, dp, vd, 2.0)
    dist = np.linalg.norm(tp[:, None] - dp[None], axis=-1)
    bt, bd = np.nonzero(dist <= 2.0 * np.sqrt(vt[:, None] + vd[None, :]))
    np.testing.assert_array_equal(ti, bt)
    np.testing.assert_array_equal(di, bd)
    assert 0 < ti.shape[0] < n * m


@pytest.mark.parametrize("seed", range(6))
def test_near_box_keeps_every_track_with_a_pregate_pair(seed) -> None:
    """The bounding-box prefilter is a superset of the tracks the pre-gate pairs, and
    drops tracks far from every detection (a dwell's cost is the tracks near it)."""
    from iadsim.tracking.gating import near_box, pregate_pairs_var

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 400)), int(rng.integers(1, 60))
    tp = rng.uniform(-5e4, 5e4, (n, 3))
    dp = rng.uniform(0, 8e3, (m, 3)) + rng.uniform(-4e4, 4e4, 3)
    vt, vd = np.exp(rng.uniform(0, 14, n)), np.exp(rng.uniform(0, 12, m))
    keep = near_box(tp, vt, dp, vd, 3.0)
    ti, _ = pregate_pairs_var(tp, vt, dp, vd, 3.0)
    assert keep[ti].all()
    far = np.linalg.norm(tp - dp.mean(axis=0), axis=1) > 3.0 * np.sqrt(vt + vd.max()) + 2e4
    assert not keep[far].any()
    assert not near_box(tp, vt, dp[:0], vd[:0], 3.0).any()


@pytest.mark.parametrize("seed", range(6))
def test_near_plots_keeps_exactly_the_tracks_with_a_pregate_pair(seed) -> None:
    """Few plots spread over a sector (a look's false alarms): the per-plot test keeps
    every track the pre-gate pairs (and, slack aside, only those), where the plots'
    bounding box keeps most tracks between them; with many pairs it is the box."""
    from iadsim.tracking.gating import ALL_PAIRS_MAX, near_box, near_plots, pregate_pairs_var

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(50, 400)), int(rng.integers(3, 6))
    lo, hi = np.array([-2e5, -2e5, 0.0]), np.array([2e5, 2e5, 1e4])  # east, north, up
    tp = rng.uniform(lo, hi, (n, 3))
    dp = rng.uniform(lo, hi, (m, 3))  # plots far apart: a box spanning the sector
    vt, vd = np.exp(rng.uniform(0, 14, n)), np.exp(rng.uniform(0, 12, m))
    keep = near_plots(tp, vt, dp, vd, 3.0)
    ti, _ = pregate_pairs_var(tp, vt, dp, vd, 3.0)
    paired = np.zeros(n, bool)
    paired[ti] = True
    np.testing.assert_array_equal(keep, paired)  # (no pair sits within the 1e-9 slack)
    assert near_box(tp, vt, dp, vd, 3.0).sum() > 2 * max(keep.sum(), 1)
    assert not near_plots(tp, vt, dp[:0], vd[:0], 3.0).any()
    k = ALL_PAIRS_MAX // m + 1  # more pairs than the per-pair test takes: the box
    many = rng.uniform(dp.min(axis=0), dp.max(axis=0), (k, 3))  # all inside the box
    np.testing.assert_array_equal(
        near_plots(many, np.ones(k), dp, vd, 3.0), near_box(many, np.ones(k), dp, vd, 3.0)
    )
