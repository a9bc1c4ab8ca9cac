"""Measurement noise of Cartesian plots estimated from the plots themselves.

``iadsim track`` uses it when a file has no ``sigma`` column and no ``--sigma-m``
is given, and says so. For a target moving at constant velocity, the middle plot
of three consecutive scans minus its linear interpolation between the outer two,

    r = z1 - (w0 z0 + w2 z2),  w0 = (t2 - t1) / (t2 - t0),  w2 = (t1 - t0) / (t2 - t0),

has zero mean and covariance (1 + w0^2 + w2^2) sigma^2 I for independent plot
noise sigma per axis (the variance of a weighted sum of independent errors; 1.5
sigma^2 for equal scan intervals). Plots are linked to their nearest neighbour in
the previous and next scan; wrong links (missed plots, clutter, crossing targets)
and manoeuvres give large residuals, which a 3-sigma trimmed estimate started low
leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["NoiseEstimate", "estimate_cartesian_sigma"]

F64 = NDArray[np.float64]
#: Fewer usable plot triplets than this: no estimate.
MIN_TRIPLETS = 30


@dataclass(frozen=True)
class NoiseEstimate:
    """1-sigma noise per axis (m), and the plot triplets and residual components used."""

    sigma_m: float
    n_triplets: int
    n_used: int


def _scan_residuals(t_s: F64, z: F64) -> F64:
    """Normalised residuals (k, d) of every interior scan's plots (see module doc)."""
    bounds = np.flatnonzero(np.diff(t_s)) + 1
    starts, stops = np.r_[0, bounds], np.r_[bounds, t_s.shape[0]]
    out = []
    for k in range(1, starts.shape[0] - 1):
        prev, mid, nxt = (slice(starts[j], stops[j]) for j in (k - 1, k, k + 1))
        z1 = z[mid]
        z0 = z[prev][cKDTree(z[prev]).query(z1)[1]]
        z2 = z[nxt][cKDTree(z[nxt]).query(z1)[1]]
        t0, t1, t2 = t_s[starts[k - 1]], t_s[starts[k]], t_s[starts[k + 1]]
        w0, w2 = (t2 - t1) / (t2 - t0), (t1 - t0) / (t2 - t0)
        out.append((z1 - w0 * z0 - w2 * z2) / np.sqrt(1.0 + w0**2 + w2**2))
    return np.concatenate(out) if out else np.empty((0, z.shape[1]))


def estimate_cartesian_sigma(t_s: F64, z_m: F64) -> NoiseEstimate | None:
    """Estimate the per-axis plot noise of time-sorted plots ``z_m`` (n, d) at ``t_s`` (n,).

    The norms of the normalised residuals of good triplets are chi-distributed with
    d degrees of freedom times sigma. Started from their 5% quantile (so that up to
    three wrong links in four still leave the start near the core), sigma is
    re-estimated from the residuals within 3 sigma, corrected for the truncation
    (E[rho^2 | rho < 3 sigma] = d sigma^2 F_{d+2}(9) / F_d(9), F the chi-square CDF),
    until it settles. Returns None when fewer than :data:`MIN_TRIPLETS` triplets exist
    (fewer than three scans, or one plot per time stamp).
    """
    from scipy.stats import chi, chi2

    r = _scan_residuals(np.asarray(t_s, float), np.asarray(z_m, float))
    if r.shape[0] < MIN_TRIPLETS:
        return None
    d = r.shape[1]
    rho = np.sqrt(np.sum(r * r, axis=1))
    sigma = float(np.quantile(rho, 0.05)) / float(chi.ppf(0.05, d))
    shrink = d * float(chi2.cdf(9.0, d + 2)) / float(chi2.cdf(9.0, d))
    kept = rho
    for _ in range(50):
        if not sigma > 0.0:
            return None
        kept = rho[rho < 3.0 * sigma]
        new = float(np.sqrt(np.mean(kept**2) / shrink))
        done = abs(new - sigma) <= 1e-5 * sigma
        sigma = new
        if done:
            break
    return NoiseEstimate(sigma_m=sigma, n_triplets=int(r.shape[0]), n_used=int(kept.size))
