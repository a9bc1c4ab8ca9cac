"""Detection step 2: geometry and mean SNR of the visible targets (a pure kernel).

``SNR = C sigma / R^4`` times the two-way atmospheric loss, with ``C`` the radar's
loop constant (:mod:`iadsim.sensors.radar_equation`, Skolnik 2001 eq. 2.61) and
``sigma`` the target's RCS at its aspect angles and the radar's band, scaled by
the target's RCS offset. Range rate is ``(rel . v) / R`` (positive receding).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import TWO_PI
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.rcs import RcsLibrary, aspect_angles_enu

__all__ = ["Signal", "target_signal"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


class Signal(NamedTuple):
    """Per visible target: slant range (m), azimuth, elevation (rad), range rate
    (m/s) and mean per-pulse SNR (linear)."""

    r: F
    az: F
    el: F
    rdot: F
    snr: F


def target_signal(
    de: F,
    dn: F,
    du: F,
    ve: F,
    vn: F,
    vu: F,
    *,
    az: F | None,
    rcs: RcsLibrary,
    table_index: I64,
    rcs_scale_linear: F,
    band: int,
    loop_constant_m2: float,
    atmosphere: bool,
) -> Signal:
    """Geometry and mean SNR of targets seen by one radar.

    Parameters
    ----------
    de, dn, du : (m,) ENU offsets target - radar, m
    ve, vn, vu : (m,) target ENU velocities, m/s
    az : (m,) azimuth of the offsets if already computed, else ``None``
    rcs, table_index, rcs_scale_linear : RCS tables, each target's table row and
        linear RCS factor
    band : the radar's band index (:data:`iadsim.sensors.radar_equation.BANDS`)
    loop_constant_m2 : ``C`` of ``SNR = C sigma / R^4``
    atmosphere : apply the two-way atmospheric loss
    """
    m = de.shape[0]
    bands = np.full(m, band, dtype=np.int64)
    aa, ae, horiz = aspect_angles_enu(ve, vn, vu, -de, -dn, -du)
    sigma = rcs.rcs_m2_pairs(table_index, aa, ae, bands) * rcs_scale_linear
    r = np.hypot(horiz, du)  # horiz = hypot(de, dn) (sign-symmetric)
    az = np.mod(np.arctan2(de, dn), TWO_PI) if az is None else az
    el = np.arctan2(du, horiz)
    snr = loop_constant_m2 * sigma / r**4
    if atmosphere:
        snr = snr * 10.0 ** (-atmospheric_loss_db(r, el, bands) / 10.0)
    # rdot = (rel . v) / R, summed (e + u) + n (the order the recorded results used)
    rdot = ((de * ve + du * vu) + dn * vn) / np.maximum(r, 1e-9)
    return Signal(r, az, el, rdot, np.asarray(snr))
