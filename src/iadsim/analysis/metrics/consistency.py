"""Filter consistency: NEES, NIS and their chi-square acceptance bounds.

References
----------
.. [BLK01] Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with
   Applications to Tracking and Navigation*, Wiley, 2001, sec. 5.4.2
   (NEES, eq. 5.4.2-1; N-run average and its chi-square interval,
   eq. 5.4.2-5 to 5.4.2-7) and sec. 5.4.3 (NIS).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2

from iadsim.errors import NumericalError

__all__ = [
    "MonteCarloConsistency",
    "average_nees",
    "average_nis",
    "chi2_bounds",
    "effective_samples",
    "monte_carlo_consistency",
    "nees",
    "nis",
]

F64 = NDArray[np.float64]


def nees(err: ArrayLike, cov: ArrayLike) -> F64:
    r"""Normalised estimation error squared, ``eps = e^T P^{-1} e`` ([BLK01]_ eq. 5.4.2-1).

    Computed with a Cholesky factor ``P = L L^T`` and ``z = L^{-1} e``,
    ``eps = z^T z`` (no explicit inverse).

    Parameters
    ----------
    err : array (..., d)
        Estimation error ``x_true - x_hat`` (any units matching ``cov``).
    cov : array (..., d, d)
        Error covariance ``P``, symmetric positive definite.

    Returns
    -------
    array (...)
        NEES values (dimensionless).

    Raises
    ------
    NumericalError
        If a covariance is not positive definite.
    """
    e = np.asarray(err, dtype=np.float64)
    p = np.asarray(cov, dtype=np.float64)
    if p.shape != e.shape + e.shape[-1:]:
        raise ValueError(f"cov shape {p.shape} does not match err shape {e.shape}")
    try:
        chol = np.linalg.cholesky(p)
    except np.linalg.LinAlgError as exc:
        raise NumericalError("nees: covariance is not positive definite") from exc
    z = np.linalg.solve(chol, e[..., None])[..., 0]
    return np.asarray(np.sum(z * z, axis=-1), dtype=np.float64)


def nis(innov: ArrayLike, innov_cov: ArrayLike) -> F64:
    r"""Normalised innovation squared ``nu^T S^{-1} nu`` ([BLK01]_ sec. 5.4.3).

    Same kernel as :func:`nees` with the innovation ``nu`` (..., d) and its
    covariance ``S`` (..., d, d).
    """
    return nees(innov, innov_cov)


def average_nees(err: ArrayLike, cov: ArrayLike) -> F64:
    r"""Average NEES over ``N`` Monte Carlo runs ([BLK01]_ eq. 5.4.2-5).

    ``eps_bar(k) = (1/N) sum_i e_i(k)^T P_i(k)^{-1} e_i(k)``.

    Parameters
    ----------
    err : array (N, ..., d)
        Errors, run axis first.
    cov : array (N, ..., d, d)
        Covariances.

    Returns
    -------
    array (...)
        Run-averaged NEES; under consistency ``N * eps_bar ~ chi2(N d)``.
    """
    return np.asarray(np.mean(nees(err, cov), axis=0), dtype=np.float64)


def average_nis(innov: ArrayLike, innov_cov: ArrayLike) -> F64:
    """Average NIS over ``N`` runs (run axis first), as :func:`average_nees`."""
    return average_nees(innov, innov_cov)


def chi2_bounds(dof: int, n_runs: int = 1, prob: float = 0.95) -> tuple[float, float]:
    r"""Two-sided acceptance interval of an ``n_runs``-average NEES or NIS.

    ``N eps_bar ~ chi2(N d)``, so ([BLK01]_ eq. 5.4.2-7)

    .. math::
        [r_1, r_2] = \Big[ \frac{\chi^2_{Nd}((1 - q)/2)}{N},
        \frac{\chi^2_{Nd}((1 + q)/2)}{N} \Big]

    with ``q = prob``. Example ([BLK01]_ p. 235): ``d = 2``, ``N = 50``,
    ``q = 0.95`` gives about [1.5, 2.6].

    Parameters
    ----------
    dof : int
        State (NEES) or measurement (NIS) dimension ``d >= 1``.
    n_runs : int
        Number of averaged runs ``N >= 1``.
    prob : float
        Interval probability ``0 < q < 1``.

    Returns
    -------
    (float, float)
        Lower and upper bound of the averaged statistic.
    """
    if dof < 1 or n_runs < 1:
        raise ValueError(f"dof and n_runs must be >= 1 (got {dof}, {n_runs})")
    if not 0.0 < prob < 1.0:
        raise ValueError(f"prob must be in (0, 1) (got {prob})")
    k = dof * n_runs
    lo, hi = chi2.ppf([(1.0 - prob) / 2.0, (1.0 + prob) / 2.0], k) / n_runs
    return float(lo), float(hi)


def effective_samples(group: ArrayLike, values: ArrayLike) -> float:
    r"""Number of effectively independent samples in time-correlated series.

    ``values`` (n,) are samples of several series, ``group`` (n,) labels each
    sample's series (e.g. a track id); the samples of a series are contiguous and in
    time order. A
    series of ``n_i`` samples counts ``n_i / tau_i`` with its integrated
    autocorrelation time

    .. math:: \tau = 1 + 2 \sum_{k \ge 1} \rho_k

    summed over Geyer's initial positive sequence (pairs ``rho_2m + rho_2m+1`` while
    positive; C. J. Geyer, "Practical Markov chain Monte Carlo", Statistical Science
    7(4), 1992, sec. 3.3), with ``rho_k`` the pooled lag-``k`` autocorrelation of all
    series about the common mean (under consistency every sample has the same
    expectation, so a track's persistent bias counts as correlation). The mean of
    correlated samples then has the variance of ``n_eff`` independent ones, so
    ``chi2_bounds(d, round(n_eff))`` is the honest band of a per-sample mean NEES;
    the plain ``chi2_bounds(d, n)`` treats time-correlated NEES samples of a filter
    as independent and is far too narrow.

    Returns the sum over series (>= the number of series, <= n).
    """
    g = np.asarray(group)
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return 0.0
    _, inv, counts = np.unique(g, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    dev = v - v.mean()
    var = float(np.dot(dev, dev))
    if var <= 0.0:
        return float(counts.size)
    rho = [1.0]
    for k in range(1, int(counts.max())):  # lags until Geyer's sequence turns negative
        ok = inv[k:] == inv[:-k]  # both samples in one series (series are contiguous)
        rho.append(float(np.dot(dev[:-k][ok], dev[k:][ok])) / var)
        if k % 2 == 1 and rho[k - 1] + rho[k] <= 0.0:
            rho = rho[: k - 1]
            break
    tau = max(1.0, 2.0 * float(np.sum(rho)) - 1.0)
    return float(min(v.size, max(counts.size, v.size / tau)))


@dataclasses.dataclass(frozen=True, kw_only=True)
class MonteCarloConsistency:
    """Run-averaged NEES and NIS of ``n_runs`` independent runs, per time step.

    ``anees`` (K,) and ``anis`` (K,) are compared at each step with the
    two-sided interval of :func:`chi2_bounds` for ``n_runs`` runs ([BLK01]_
    eq. 5.4.2-7): under consistency about ``prob`` of the steps fall inside.
    """

    anees: F64
    anis: F64
    nx: int
    nz: int
    n_runs: int

    def inside(self, prob: float = 0.95) -> tuple[float, float]:
        """Fractions of steps whose ANEES and ANIS are inside their ``prob`` bounds."""
        lo, hi = chi2_bounds(self.nx, self.n_runs, prob)
        lo_z, hi_z = chi2_bounds(self.nz, self.n_runs, prob)
        return (
            float(np.mean((self.anees >= lo) & (self.anees <= hi))),
            float(np.mean((self.anis >= lo_z) & (self.anis <= hi_z))),
        )


def _sample_noise(Q: F64, rng: np.random.Generator) -> F64:
    """Draws of N(0, Q) for a batch of PSD (possibly singular) ``Q`` (n, nx, nx)."""
    w, V = np.linalg.eigh(Q)
    L = V * np.sqrt(np.clip(w, 0.0, None))[:, None, :]
    return np.einsum("nij,nj->ni", L, rng.standard_normal(Q.shape[:2]))


def monte_carlo_consistency(
    filt: Any,
    truth_model: Any,
    measure: Callable[[F64, np.random.Generator], Any],
    *,
    x0: ArrayLike,
    P0: ArrayLike,
    n_runs: int,
    n_steps: int,
    dt_s: float,
    rng: np.random.Generator,
) -> MonteCarloConsistency:
    """NEES and NIS of a filter over independent Monte Carlo runs of a matched scene.

    Every run starts from ``x_true = x0`` and an estimate drawn from
    ``N(x0, P0)``; the truth moves with ``truth_model`` *and its own process
    noise* (``x <- f(x) + w``, ``w ~ N(0, Q)``), so the filter's model matches
    the scene ([BLK01]_ sec. 5.4.2); each step is predict, measure, NIS of the
    innovation, update, NEES of the full state. All runs are one batch.

    Parameters
    ----------
    filt : iadsim.tracking filter
        ``init_bank``, ``predict``, ``prepare``, ``innovate``, ``update``.
    truth_model : iadsim.tracking motion model
        ``f(x, dt)`` and ``Q(x, dt)`` with the filter's state layout.
    measure : callable
        ``measure(x_true (n, nx), rng) -> Measurements`` (noisy, one per run).
    x0 : array (nx,)
        Initial true state.
    P0 : array (nx, nx)
        Initial estimate covariance (also the spread of the initial estimates).
    n_runs, n_steps : int
        Runs ``N`` and steps ``K``.
    dt_s : float
        Step, s.
    rng : numpy.random.Generator

    Returns
    -------
    MonteCarloConsistency
    """
    nx = int(filt.nx)
    x_true = np.broadcast_to(np.asarray(x0, dtype=float), (n_runs, nx)).copy()
    P = np.broadcast_to(np.asarray(P0, dtype=float), (n_runs, nx, nx)).copy()
    bank = filt.init_bank(x_true + _sample_noise(P, rng), P)
    dt = np.full(n_runs, float(dt_s))
    rows = np.arange(n_runs)
    ones, zeros = np.ones(n_runs), np.zeros(n_runs)
    anees, anis = np.empty(n_steps), np.empty(n_steps)
    nz = 0
    for k in range(n_steps):
        w = _sample_noise(truth_model.Q(x_true, dt), rng)
        x_true = truth_model.f(x_true, dt) + w
        bank = filt.predict(bank, dt)
        meas = filt.prepare(measure(x_true, rng))
        inn = filt.innovate(bank.x, bank.P, meas)
        nz = int(inn.y.shape[1])
        anis[k] = float(np.mean(nis(inn.y, inn.S)))
        bank, _ = filt.update(bank, meas, rows, ones, zeros, zeros, inn)
        anees[k] = float(np.mean(nees(x_true - bank.x, bank.P)))
    return MonteCarloConsistency(anees=anees, anis=anis, nx=nx, nz=nz, n_runs=n_runs)
