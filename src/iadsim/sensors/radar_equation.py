"""The radar range equation and a simple two-way atmospheric attenuation model.

Single-pulse SNR of a monostatic radar (Skolnik, *Introduction to Radar Systems*,
3rd ed., 2001, eq. 2.61; Mahafza 2013, eq. 2.22):

    SNR_1 = P_t G_t G_r lambda^2 sigma / ((4 pi)^3 R^4 k T_s B L)

with ``T_s = T_0 F`` (``T_0 = 290 K``) when a noise figure ``F`` is given instead of
a system temperature, and ``B ~ 1/tau`` for a matched filter when a pulse width is
given instead of a bandwidth. ``n_coherent`` pulses integrated coherently multiply
the SNR by ``n_coherent``. iadsim folds everything except ``sigma`` and ``R`` into
a *loop constant* ``C`` (m^2) so that ``SNR = C sigma / R^4`` at run time.

Atmospheric attenuation: two-way sea-level coefficients per band read from Blake's
curves (L. V. Blake, "Radar range-performance analysis", 1980, as reproduced in
Skolnik 2001, Fig. 2.28 / Radar Handbook 3rd ed. ch. 2); values are approximate
(order-of-magnitude grade) and labelled as such. The coefficient decays with
height with a scale height ``H`` (7 km) along a straight ray over the ``k``-earth
(:func:`atmospheric_loss_db`), so long grazing paths saturate as in Blake's curves.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erfcx  # (scipy.special is loaded by iadsim.sensors.pd anyway)

from iadsim.constants import EARTH_MEAN_RADIUS_M

__all__ = [
    "BANDS",
    "BAND_CENTER_HZ",
    "BOLTZMANN_J_PER_K",
    "SPEED_OF_LIGHT_MPS",
    "T0_K",
    "TWO_WAY_ATTENUATION_DB_PER_KM",
    "atmospheric_loss_db",
    "band_index",
    "loop_constant_m2",
    "max_detection_range",
    "radar_snr",
]

F = NDArray[np.float64]

BOLTZMANN_J_PER_K = 1.380649e-23
SPEED_OF_LIGHT_MPS = 299_792_458.0
T0_K = 290.0

#: IEEE Std 521-2019 letter bands used by the RCS tables, low to high frequency.
BANDS: tuple[str, ...] = ("VHF", "UHF", "L", "S", "C", "X", "Ku")
#: Nominal centre frequency of each band (Hz), IEEE Std 521 ranges.
BAND_CENTER_HZ: tuple[float, ...] = (200e6, 600e6, 1.3e9, 3.0e9, 5.5e9, 10.0e9, 15.0e9)
_BAND_EDGES_HZ = (30e6, 300e6, 1e9, 2e9, 4e9, 8e9, 12e9, 18e9)

#: Two-way sea-level clear-air attenuation, dB/km, per band (approximate, read from
#: Blake's curves in Skolnik 2001 Fig. 2.28: ~0.003 dB/km one-way near 200 MHz
#: rising to ~0.012 one-way at X band and ~0.025 at Ku). Assumption-grade.
TWO_WAY_ATTENUATION_DB_PER_KM: tuple[float, ...] = (0.002, 0.006, 0.012, 0.014, 0.016, 0.024, 0.05)
_TWO_WAY_ATTENUATION_DB_PER_M = np.asarray(TWO_WAY_ATTENUATION_DB_PER_KM) / 1000.0
_SCALE_HEIGHT_M = 7000.0
_HALF_SQRT_PI = math.sqrt(math.pi) / 2.0


def _f(x: ArrayLike) -> F:
    return np.asarray(x, dtype=np.float64)


def band_index(frequency_hz: ArrayLike) -> NDArray[np.int64]:
    """Index into :data:`BANDS` of the IEEE letter band holding ``frequency_hz``.

    Frequencies below 300 MHz map to VHF and above 12 GHz to Ku.
    """
    edges = np.asarray(_BAND_EDGES_HZ[1:-1])
    return np.searchsorted(edges, _f(frequency_hz), side="right").astype(np.int64)


def loop_constant_m2(
    *,
    peak_power_w: ArrayLike,
    frequency_hz: ArrayLike,
    tx_gain_db: ArrayLike,
    rx_gain_db: ArrayLike | None = None,
    bandwidth_hz: ArrayLike | None = None,
    pulse_width_s: ArrayLike | None = None,
    noise_figure_db: ArrayLike | None = None,
    system_temperature_k: ArrayLike | None = None,
    losses_db: ArrayLike = 0.0,
    n_coherent: ArrayLike = 1,
) -> F:
    """Loop constant ``C = SNR R^4 / sigma`` (m^2) of the radar range equation.

    ``C = n_c P_t G_t G_r lambda^2 / ((4 pi)^3 k T_s B L)`` (Skolnik 2001 eq. 2.61).
    Give ``bandwidth_hz`` or ``pulse_width_s`` (``B = 1/tau``) and
    ``system_temperature_k`` or ``noise_figure_db`` (``T_s = T_0 F``).
    ``rx_gain_db`` defaults to ``tx_gain_db``. All arguments broadcast.
    """
    if bandwidth_hz is None and pulse_width_s is None:
        raise ValueError("loop_constant_m2: give bandwidth_hz or pulse_width_s")
    if system_temperature_k is None and noise_figure_db is None:
        raise ValueError("loop_constant_m2: give system_temperature_k or noise_figure_db")
    if bandwidth_hz is not None:
        b = _f(bandwidth_hz)
    else:
        b = 1.0 / _f(pulse_width_s)  # type: ignore[arg-type]  # checked above
    if system_temperature_k is not None:
        ts = _f(system_temperature_k)
    else:
        ts = T0_K * 10.0 ** (_f(noise_figure_db) / 10.0)  # type: ignore[arg-type]
    gr = tx_gain_db if rx_gain_db is None else rx_gain_db
    lam = SPEED_OF_LIGHT_MPS / _f(frequency_hz)
    gains = 10.0 ** ((_f(tx_gain_db) + _f(gr) - _f(losses_db)) / 10.0)
    return _f(
        _f(n_coherent)
        * _f(peak_power_w)
        * gains
        * lam**2
        / ((4.0 * np.pi) ** 3 * BOLTZMANN_J_PER_K * ts * b)
    )


def radar_snr(
    loop_constant_m2: ArrayLike,
    rcs_m2: ArrayLike,
    range_m: ArrayLike,
    extra_loss_db: ArrayLike = 0.0,
) -> F:
    """Per-pulse SNR (linear): ``SNR = C sigma / R^4 * 10^(-L_extra/10)``.

    Parameters
    ----------
    loop_constant_m2 : array_like
        ``C`` from :func:`loop_constant_m2` or a reference detection range.
    rcs_m2, range_m : array_like
        Target RCS (m^2) and slant range (m); everything broadcasts.
    extra_loss_db : array_like
        Additional two-way losses (atmosphere, ...), dB.
    """
    r = np.maximum(_f(range_m), 1e-3)
    return _f(_f(loop_constant_m2) * _f(rcs_m2) / r**4 * 10.0 ** (-_f(extra_loss_db) / 10.0))


def max_detection_range(
    loop_constant_m2: ArrayLike, rcs_m2: ArrayLike, snr_required: ArrayLike
) -> F:
    """Free-space range (m) at which the SNR equals ``snr_required`` (linear).

    ``R_max = (C sigma / SNR_req)^(1/4)``; scales as ``sigma^(1/4)``.
    """
    return _f((_f(loop_constant_m2) * _f(rcs_m2) / _f(snr_required)) ** 0.25)


def atmospheric_loss_db(
    range_m: ArrayLike,
    el_rad: ArrayLike,
    band: ArrayLike,
    scale_height_m: float = _SCALE_HEIGHT_M,
    k: float = 4.0 / 3.0,
) -> F:
    """Two-way clear-air attenuation (dB) along a ray (approximate, see module doc).

    The attenuation coefficient decays with height as ``exp(-h/H)`` and the ray
    height over a ``k``-earth is ``h(s) = s sin(el) + s^2/(2 a_e)``, so the
    equivalent sea-level path is (completing the square)

        L_eq = sqrt(2 a_e H) (sqrt(pi)/2) [erfcx(b) - exp(-c^2 - 2bc) erfcx(b + c)],
        b = a_e sin(el) / sqrt(2 a_e H),   c = R / sqrt(2 a_e H),

    (-> ``R`` for short paths) and ``L = alpha L_eq`` with ``alpha`` from
    :data:`TWO_WAY_ATTENUATION_DB_PER_KM` for ``band`` (index into :data:`BANDS`).
    Negative elevations are treated as 0. With H = 7 km a grazing S-band ray
    loses ~3.6 dB over 350 km, the order of Blake's curves.
    """
    alpha = _TWO_WAY_ATTENUATION_DB_PER_M[np.asarray(band, dtype=np.int64)]
    ae = k * EARTH_MEAN_RADIUS_M
    scale = math.sqrt(2.0 * ae * scale_height_m)
    # elevation clamped to [0, pi/2] (min/max instead of np.clip: only -0.0 becomes
    # +0.0, and b enters as erfcx(b), b c and b + c, so the loss is the same)
    b = ae * np.sin(np.minimum(np.maximum(_f(el_rad), 0.0), np.pi / 2)) / scale
    c = _f(range_m) / scale
    path = scale * _HALF_SQRT_PI * (erfcx(b) - np.exp(-(c**2) - 2 * b * c) * erfcx(b + c))
    return _f(alpha * path)
