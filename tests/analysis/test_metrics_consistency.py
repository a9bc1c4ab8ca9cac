"""NEES / NIS and chi-square bounds.

Reference: Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with
Applications to Tracking and Navigation*, Wiley 2001, sec. 5.4.2: for
``n_x = 2`` and ``N = 50`` runs the 95 % two-sided interval of the average
NEES is about [1.5, 2.6] (p. 235).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from iadsim.analysis.metrics import average_nees, average_nis, chi2_bounds, nees, nis
from iadsim.errors import NumericalError


def random_spd(rng: np.random.Generator, shape: tuple[int, ...], d: int) -> np.ndarray:
    a = rng.normal(size=(*shape, d, d))
    return a @ np.swapaxes(a, -1, -2) + d * np.eye(d)


def test_nees_equals_explicit_inverse_formula() -> None:
    rng = np.random.default_rng(1)
    cov = random_spd(rng, (7, 3), 4)
    err = rng.normal(size=(7, 3, 4))
    explicit = np.einsum("...i,...ij,...j->...", err, np.linalg.inv(cov), err)
    np.testing.assert_allclose(nees(err, cov), explicit, rtol=1e-10)
    np.testing.assert_allclose(nis(err, cov), explicit, rtol=1e-10)


def test_chi2_bounds_textbook_example() -> None:
    lo, hi = chi2_bounds(2, 50, 0.95)
    assert round(lo, 1) == 1.5 and round(hi, 1) == 2.6
    assert chi2_bounds(3, 1) == pytest.approx(tuple(chi2.ppf([0.025, 0.975], 3)))


def test_consistent_errors_fall_inside_bounds() -> None:
    """Errors drawn from N(0, P) give an average NEES inside the 95 % bounds ~95 % of the time."""
    rng = np.random.default_rng(2001)
    n_runs, n_steps, d = 50, 400, 2
    cov = random_spd(rng, (n_runs, n_steps), d)
    chol = np.linalg.cholesky(cov)
    err = (chol @ rng.normal(size=(n_runs, n_steps, d, 1)))[..., 0]
    avg = average_nees(err, cov)
    lo, hi = chi2_bounds(d, n_runs, 0.95)
    inside = np.mean((avg >= lo) & (avg <= hi))
    assert 0.92 <= inside <= 0.98
    assert np.mean(avg) == pytest.approx(d, rel=0.02)
    # an over-confident filter (P too small by 2x) fails the test
    assert np.mean(average_nis(err, cov / 2) <= hi) < 0.05


def test_bad_inputs() -> None:
    with pytest.raises(NumericalError, match="positive definite"):
        nees(np.ones(2), -np.eye(2))
    with pytest.raises(ValueError, match="shape"):
        nees(np.ones(3), np.eye(2))
    with pytest.raises(ValueError, match="prob"):
        chi2_bounds(2, 10, 1.5)
    with pytest.raises(ValueError, match=">= 1"):
        chi2_bounds(0, 10)


def test_effective_samples_iid_ar1_and_series_boundaries() -> None:
    """n_eff of iid samples is about n; of an AR(1) series with coefficient phi about
    n (1 - phi) / (1 + phi); series are never correlated across their boundaries."""
    from iadsim.analysis.metrics import effective_samples

    rng = np.random.default_rng(5)
    n = 20_000
    iid = rng.chisquare(3, n)
    assert 0.85 * n <= effective_samples(np.zeros(n), iid) <= n
    phi = 0.9
    e = rng.standard_normal(n)
    ar = np.empty(n)
    ar[0] = e[0]
    for k in range(1, n):
        ar[k] = phi * ar[k - 1] + np.sqrt(1 - phi**2) * e[k]
    expect = n * (1 - phi) / (1 + phi)
    assert 0.7 * expect <= effective_samples(np.zeros(n), ar) <= 1.3 * expect
    # 200 constant series of 100 samples each (different levels): every series is one
    # sample's worth (fully correlated inside, independent across)
    groups = np.repeat(np.arange(200), 100)
    levels = rng.standard_normal(200)[groups] + 1e-9 * rng.standard_normal(20_000)
    assert effective_samples(groups, levels) <= 200 * 1.5
    assert effective_samples(np.zeros(0), np.zeros(0)) == 0.0
