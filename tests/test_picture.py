"""Near-duplicate track groups: the k-d tree candidate search against all pairs."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.picture import DUPLICATE_GATE, _candidate_pairs, _pair_d2


def _all_pairs(x: np.ndarray, var: np.ndarray) -> np.ndarray:
    """(T, T) chi-square distance of every pair, written out directly."""
    diff = x[:, None, :] - x[None, :, :]
    s = var[:, None, :] + var[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = np.where(s > 0, diff * diff / np.where(s > 0, s, 1.0), np.where(diff == 0, 0, np.inf))
    return d2.sum(axis=-1)


@pytest.mark.parametrize("seed", range(8))
def test_candidate_pairs_give_the_all_pairs_relation(seed) -> None:
    """Formations of near-duplicates, some zero variances: the tree's pairs that pass
    both gates are exactly the pairs (i < j) the all-pairs gate passes."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(65, 500))
    centres = rng.uniform(-5e4, 5e4, (max(1, n // 5), 3))
    pos = centres[rng.integers(0, len(centres), n)] + rng.normal(
        0, [10, 300, 3000][seed % 3], (n, 3)
    )
    pvar = rng.uniform(0, 1e5, (n, 3)) * (rng.random((n, 3)) > 0.05)
    vel, vvar = rng.normal(0, 20, (n, 3)), rng.uniform(1, 400, (n, 3))
    i, j = _candidate_pairs(pos, pvar, DUPLICATE_GATE)
    same = (_pair_d2(pos, pvar, i, j) <= DUPLICATE_GATE) & (
        _pair_d2(vel, vvar, i, j) <= DUPLICATE_GATE
    )
    dense = np.triu(
        (_all_pairs(pos, pvar) <= DUPLICATE_GATE) & (_all_pairs(vel, vvar) <= DUPLICATE_GATE), 1
    )
    bi, bj = np.nonzero(dense)
    assert set(zip(i[same].tolist(), j[same].tolist(), strict=True)) == set(
        zip(bi.tolist(), bj.tolist(), strict=True)
    )
    assert bi.size > 0
    assert i.size < n * (n - 1) // 2  # the tree did prune
