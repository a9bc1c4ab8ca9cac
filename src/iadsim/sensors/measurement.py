"""Detection decisions with target fluctuation, measurement noise and false alarms.

Pure kernels over a leading batch axis of (radar, target) pairs; randomness only
through the ``rng`` argument.

Detection decision (exact simulation of the square-law detector of
:mod:`iadsim.sensors.pd`): the integrated signal energy over ``N`` pulses is
``lambda = s * X`` with ``X`` the sum of the per-pulse RCS factors (mean 1 each):

=========  ===================================
Swerling   ``X``
=========  ===================================
0          ``N``
1          ``N * Gamma(1, 1)``     (scan to scan)
2          ``Gamma(N, 1)``         (pulse to pulse)
3          ``N * Gamma(2, 1/2)``   (scan to scan)
4          ``Gamma(2N, 1/2)``      (pulse to pulse)
=========  ===================================

and ``2Y ~ chi'^2(2N, 2 lambda)``; a detection is ``Y > T(N, Pfa)``. The Monte Carlo
frequency of detection therefore converges to :func:`iadsim.sensors.pd.pd_swerling`.

Measurement noise (Barton, *Radar System Analysis and Modeling*, 2005, sec. 8.1;
Skolnik 2001 sec. 6.2 / Curry, *Radar System Performance Modeling*, 2005, ch. 4):

    sigma_R = max(dR / sqrt(2 SNR), floor_R)
    sigma_theta = max(theta_3dB / (k_m sqrt(2 SNR)), floor_theta)
    sigma_rdot = max(dv / sqrt(2 SNR), floor_v)      (inf if no Doppler)

with ``SNR = lambda`` the integrated single-dwell SNR and ``k_m ~ 1.6`` the
monopulse slope.

False alarms: ``Poisson(Pfa * n_cells)`` per dwell, uniform in range, azimuth and
elevation over the coverage; their threshold excess is drawn as ``Y = T + Exp(1)``
(the exact conditional tail for N = 1, an approximation otherwise).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

__all__ = ["OneRadarDraws", "draw_detection", "measurement_sigmas"]

F = NDArray[np.float64]
IA = NDArray[np.int64]


# Swerling case -> Gamma parameters of the summed RCS factor X (table above);
# row 6 is the fallback of the original case analysis for undefined cases.
_SHAPE_A = np.array([1.0, 1.0, 0.0, 2.0, 0.0, 1.0, 1.0])
_SHAPE_B = np.array([0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0])
_SCALE = np.array([1.0, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0])
_TIMES_N = np.array([False, True, False, True, False, False, False])
_STEADY = np.array([True, False, False, False, False, True, False])


def draw_detection(
    snr: F, n_pulses: IA, swerling: IA, threshold: F, rng: np.random.Generator
) -> tuple[NDArray[np.bool_], F]:
    """Draw one dwell: fluctuated integrated SNR and the threshold decision.

    Parameters
    ----------
    snr : ndarray, shape (m,)
        Mean per-pulse SNR (linear).
    n_pulses, swerling : ndarray of int, shape (m,)
        Pulses integrated noncoherently and Swerling case (0-5) per pair
        (``n_pulses`` may also have shape (1,): one radar).
    threshold : ndarray, shape (m,) or (1,)
        ``T = Q^-1(N, Pfa)`` per pair.
    rng : numpy.random.Generator

    Returns
    -------
    detected : ndarray of bool, shape (m,)
    snr_integrated : ndarray, shape (m,)
        ``lambda = s X`` (linear), the dwell's integrated signal-to-noise ratio.
    """
    n = n_pulses.astype(np.float64)
    k = np.asarray(swerling, dtype=np.int64)  # row of the fluctuation table per pair
    if k.size == 0:
        lam = snr * n
        return np.asarray(lam > threshold), np.asarray(lam)
    lo, hi = k.min(), k.max()
    if lo < 0 or hi > 5:  # undefined cases fall back to the last row
        k = np.where((k >= 0) & (k <= 5), k, 6)
        lo, hi = k.min(), k.max()
    # Gamma(shape, scale) with shape = a + b N (exact: a, b in {0, 1, 2}); X = N
    # (Swerling 0/5) or the draw times N (scan to scan) or times 1 (pulse to pulse).
    if lo == hi and k.ndim == 1 and n.ndim == 1 and (n.size == 1 or n.min() == n.max()):
        # One case and one N: scalar parameters draw the same variates, with less
        # per-call overhead in numpy's random module than parameter arrays.
        c = int(lo)
        draw = rng.gamma(_SHAPE_A[c] + _SHAPE_B[c] * n[0], _SCALE[c], size=k.shape)
        x = n if _STEADY[c] else (n * draw if _TIMES_N[c] else draw)
    else:
        draw = rng.gamma(_SHAPE_A[k] + _SHAPE_B[k] * n, _SCALE[k])
        x = np.where(_STEADY[k], n, np.where(_TIMES_N[k], n, 1.0) * draw)
    lam = snr * x
    df, nonc = 2.0 * n, np.maximum(2.0 * lam, 1e-300)
    if df.shape == (1,) and nonc.shape == (1,):
        y = 0.5 * rng.noncentral_chisquare(df[0], nonc[0], size=1)
    else:
        y = 0.5 * rng.noncentral_chisquare(df, nonc)
    return np.asarray(y > threshold), np.asarray(lam)


def measurement_sigmas(
    snr_integrated: F,
    range_resolution_m: F | float,
    az_beamwidth_rad: F | float,
    el_beamwidth_rad: F | float,
    velocity_resolution_mps: F | float,
    monopulse_slope: F | float,
    range_floor_m: F | float,
    angle_floor_rad: F | float,
    rdot_floor_mps: F | float,
) -> tuple[F, F, F, F]:
    """1-sigma noise in range (m), azimuth, elevation (rad) and range rate (m/s).

    Equations in the module docstring; all arguments have shape (m,) (or
    broadcast: one radar's parameters as floats, :class:`OneRadarDraws`).
    ``velocity_resolution_mps <= 0`` gives ``inf`` range-rate sigma.
    """
    root = np.sqrt(2.0 * np.maximum(snr_integrated, 1e-6))
    s_r = np.maximum(range_resolution_m / root, range_floor_m)
    k_root = monopulse_slope * root
    s_az = np.maximum(az_beamwidth_rad / k_root, angle_floor_rad)
    s_el = np.maximum(el_beamwidth_rad / k_root, angle_floor_rad)
    s_v = np.where(
        velocity_resolution_mps > 0,
        np.maximum(velocity_resolution_mps / root, rdot_floor_mps),
        np.inf,
    )
    return np.asarray(s_r), np.asarray(s_az), np.asarray(s_el), np.asarray(s_v)


def draw_confirmed_detection(
    snr: F, n_pulses: IA, swerling: IA, threshold: F, confirm: bool, rng: np.random.Generator
) -> tuple[NDArray[np.bool_], F]:
    """:func:`draw_detection`, then (``confirm``) an immediate second look.

    With alert-confirm, a return crossing the threshold is looked at again at
    once and kept only if that look crosses too; its integrated SNR is the larger
    of the two. Arguments and returns as :func:`draw_detection` (one radar:
    ``n_pulses`` and ``threshold`` of shape (1,)).
    """
    det, lam = draw_detection(snr, n_pulses, swerling, threshold, rng)
    conf = det & confirm
    if conf.any():
        det2, lam2 = draw_detection(snr[conf], n_pulses, swerling[conf], threshold, rng)
        det[conf] = det2
        lam[conf] = np.maximum(lam[conf], lam2)
    return det, lam


def add_measurement_noise(
    r: F, az: F, el: F, rdot: F, sigmas: tuple[F, F, F, F], rng: np.random.Generator
) -> tuple[F, F, F, F]:
    """Noisy range (m), azimuth, elevation (rad) and range rate (m/s).

    Gaussian errors with the 1-sigma values of :func:`measurement_sigmas`, one
    ``standard_normal((4, m))`` draw; range is folded to ``|r|``, azimuth wrapped
    to [0, 2 pi); range rate is 0 where its sigma is ``inf`` (no Doppler).
    """
    s_r, s_az, s_el, s_v = sigmas
    z = rng.standard_normal((4, r.shape[0]))
    has_v = np.isfinite(s_v)
    if has_v.all():
        v = rdot + s_v * z[3]
    else:
        v = np.where(has_v, rdot + np.where(has_v, s_v, 0.0) * z[3], 0.0)
    return np.abs(r + s_r * z[0]), np.mod(az + s_az * z[1], 2 * np.pi), el + s_el * z[2], v


@dataclasses.dataclass(frozen=True, kw_only=True)
class OneRadarDraws:
    """One radar's false alarms and measurement sigmas (module doc), its parameters
    held as floats (derived once, not per dwell: no gathers, broadcasts or differences
    of the radar's constants per dwell)."""

    mean_false_alarms: float  # Pfa n_cells (Pfa^2 n_cells with alert-confirm)
    min_range_m: float
    range_span_m: float  # max_range_m - min_range_m
    az_center_rad: float
    az_width_rad: float
    el_min_rad: float
    el_span_rad: float  # el_max_rad - el_min_rad
    threshold: float
    n_pulses: float
    range_resolution_m: float
    az_beamwidth_rad: float
    el_beamwidth_rad: float
    velocity_resolution_mps: float
    monopulse_slope: float
    range_floor_m: float
    angle_floor_rad: float
    rdot_floor_mps: float

    def false_alarms(self, rng: np.random.Generator) -> tuple[F, F, F, F] | None:
        """Range, azimuth, elevation and apparent integrated SNR ``Y - N`` (m,) of one
        dwell's false alarms (module doc: a Poisson count, then uniform positions over
        the coverage and ``Y = T + Exp(1)``), or None if there is none."""
        m = int(rng.poisson(self.mean_false_alarms, size=1)[0])
        if m == 0:
            return None
        u = rng.random((3, m))
        r = self.min_range_m + u[0] * self.range_span_m
        az = np.mod(self.az_center_rad + (u[1] - 0.5) * self.az_width_rad, 2 * np.pi)
        el = self.el_min_rad + u[2] * self.el_span_rad
        y = self.threshold + rng.exponential(1.0, m)
        return r, az, el, np.maximum(y - self.n_pulses, 1.0)

    def sigmas(self, snr_integrated: F) -> tuple[F, F, F, F]:
        """:func:`measurement_sigmas` of this radar's returns (m,)."""
        return measurement_sigmas(
            snr_integrated, self.range_resolution_m, self.az_beamwidth_rad,
            self.el_beamwidth_rad, self.velocity_resolution_mps, self.monopulse_slope,
            self.range_floor_m, self.angle_floor_rad, self.rdot_floor_mps,
        )  # fmt: skip
