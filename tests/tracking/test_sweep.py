"""The sorted sweep of the pre-gate (:func:`iadsim.tracking.sweep.strip_pairs`) against
the straightforward all-pairs computation."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.tracking.gating import pregate_pairs_var
from iadsim.tracking.sweep import strip_pairs


def _strip_oracle(tp: np.ndarray, r: np.ndarray, dp: np.ndarray) -> set[tuple[int, int]]:
    """Every pair whose separation along the detections' widest axis is within the
    reach (with the kernel's slack), by a double loop over all pairs."""
    a = int(np.argmax(dp.max(axis=0) - dp.min(axis=0)))
    reach = r * (1.0 + 1e-9) + 1e-6
    return {
        (i, j)
        for i in range(tp.shape[0])
        for j in range(dp.shape[0])
        if abs(tp[i, a] - dp[j, a]) <= reach[i]
    }


@pytest.mark.parametrize("seed", range(8))
def test_strip_pairs_equals_all_pairs_along_the_axis(seed: int) -> None:
    """The same pairs as the double loop, sorted by track, and a superset of the pairs
    within each track's reach in Euclidean distance."""
    rng = np.random.default_rng(seed)
    n, m, d = int(rng.integers(1, 120)), int(rng.integers(1, 90)), int(rng.integers(2, 4))
    tp = rng.uniform(-5e4, 5e4, (n, d))
    dp = rng.uniform(-5e4, 5e4, (m, d)) * rng.uniform(0.01, 1.0, d)  # one axis widest
    if seed % 2:  # repeated coordinates: ties in the sort and at the strips' ends
        dp[: m // 2, :] = np.round(dp[: m // 2, :], -4)
        tp[: n // 3, :] = dp[rng.integers(0, m, n // 3)]
    r = np.exp(rng.uniform(0.0, 11.0, n)) * (rng.uniform(size=n) > 0.1)  # some reach 0
    ti, di = strip_pairs(tp, r, dp)
    assert ti.dtype == np.int64 and di.dtype == np.int64
    got = list(zip(ti.tolist(), di.tolist(), strict=True))
    assert len(set(got)) == len(got)  # distinct pairs
    assert set(got) == _strip_oracle(tp, r, dp)
    assert np.all(np.diff(ti) >= 0)  # sorted by track
    dist = np.linalg.norm(tp[:, None, :] - dp[None, :, :], axis=-1)
    assert {tuple(p) for p in np.argwhere(dist <= r[:, None]).tolist()} <= set(got)


def test_strip_pairs_empty_inputs() -> None:
    tp, dp = np.zeros((0, 3)), np.ones((4, 3))
    for a, b in ((tp, dp), (dp, tp)):
        ti, di = strip_pairs(a, np.ones(a.shape[0]), b)
        assert ti.shape == di.shape == (0,)


@pytest.mark.parametrize("seed", range(4))
def test_pregate_sweep_path_equals_all_pairs_in_a_dense_raid(seed: int) -> None:
    """Beyond ALL_PAIRS_MAX pairs (the sweep), the pre-gate keeps exactly the pairs of
    the all-pairs test, in a dense raid with a few distant, wide plots."""
    from iadsim.tracking.gating import norm_m

    rng = np.random.default_rng(100 + seed)
    n, m = 400, 120
    tp = rng.normal(0.0, 3e3, (n, 3)) + np.array([5e4, 8e4, 5e3])
    dp = np.concatenate([tp[rng.integers(0, n, m - 4)] + rng.normal(0, 200, (m - 4, 3)),
                         rng.uniform(-2e5, 2e5, (4, 3))])  # fmt: skip
    vt = np.exp(rng.uniform(6, 14, n))
    vd = np.concatenate([np.exp(rng.uniform(6, 10, m - 4)), np.exp(rng.uniform(14, 18, 4))])
    ti, di = pregate_pairs_var(tp, vt, dp, vd, 3.0)
    bt, bd = np.nonzero(norm_m(tp[:, None] - dp[None]) <= 3.0 * np.sqrt(vt[:, None] + vd[None]))
    np.testing.assert_array_equal(ti, bt)
    np.testing.assert_array_equal(di, bd)
    ut, ud = pregate_pairs_var(tp, vt, dp, vd, 3.0, ordered=False)
    pairs = set(zip(bt.tolist(), bd.tolist(), strict=True))
    assert set(zip(ut.tolist(), ud.tolist(), strict=True)) == pairs


def test_strip_pairs_keeps_pairs_at_the_strip_ends() -> None:
    """A pair within reach whose strip end rounds inside its coordinate (``p + r < x``
    in floats though ``x - p <= r``) is kept, and so is a detection exactly at a
    strip's end, on either side."""
    p, r, x = -2832.9282336421893, 8894.878343490003, 6061.950109847815
    assert x - p <= r and p + r < x  # (the rounding the strips' slack is for)
    ti, di = strip_pairs(np.array([[p, 0.0]]), np.array([r]), np.array([[x, 0.0], [x + 1e4, 0.0]]))
    assert list(zip(ti.tolist(), di.tolist(), strict=True)) == [(0, 0)]
    end = 1000.0 * (1.0 + 1e-9) + 1e-6  # the strip's half-width for reach 1000 m
    dp = np.array([[-end, 0.0], [end, 0.0], [-2 * end, 0.0], [2 * end, 0.0]])
    ti, di = strip_pairs(np.zeros((1, 2)), np.array([1000.0]), dp)
    assert sorted(di.tolist()) == [0, 1]
