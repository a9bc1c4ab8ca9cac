"""Detection step 1: which targets one radar can see in a dwell (a pure kernel).

A target is visible when it is between the minimum and instrumented ranges,
inside the elevation limits (on the apparent, refracted ``k``-earth elevation
computed from the ground distance and the altitudes above mean sea level: the
ENU ``u`` of a distant target drops with the earth's curvature), inside the
azimuth sector, and above the horizon (smooth ``k``-earth, heights relative to
the site ground) or, when the radar has a terrain mask, above the mask (which
already includes earth curvature). The range gate runs first; every later test
works on the targets inside it (a dwell's cost is the number of numpy calls).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import TWO_PI
from iadsim.geo import apparent_tan_el as apparent_tan_el  # re-exported
from iadsim.sensors.horizon import horizon_distance_m

__all__ = ["Coverage", "Visible", "apparent_tan_el", "visible_targets"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Coverage:
    """One radar's coverage as the visibility test needs it (built once per radar).

    Lengths in m, angles in rad (azimuth clockwise from north); ``mask_tan`` is
    ``tan`` of the terrain mask elevation, shape (n_az, n_r) (unused when
    ``masked`` is False).
    """

    e_m: float  # antenna position, scenario ENU
    n_m: float
    u_m: float
    antenna_alt_m: float  # above mean sea level
    ground_alt_m: float  # site ground above mean sea level
    k: float  # effective earth radius factor
    min_range2_m2: float
    max_range2_m2: float
    tan_el_min: float
    tan_el_max: float
    sector: bool  # narrower than a full circle
    az_center_rad: float
    half_width_rad: float
    horizon_antenna_m: float  # smooth-earth horizon distance of the antenna
    masked: bool  # terrain mask instead of the smooth-earth horizon
    mask_tan: F
    mask_n_az: int
    mask_bins_per_rad: float
    mask_step_m: float


class Visible(NamedTuple):
    """Visible targets: their indices and ENU offsets target - radar (m), azimuth."""

    ti: I64
    de: F
    dn: F
    du: F
    az: F | None  # clockwise from north in [0, 2 pi), if a test needed it


def visible_targets(cov: Coverage, e: F, n: F, u: F, alt: F) -> Visible | None:
    """Targets inside one radar's coverage and line of sight (``None``: none).

    Parameters
    ----------
    cov : Coverage
        The radar's coverage.
    e, n, u : (m,) float
        Target ENU positions, m.
    alt : (m,) float
        Target altitudes above mean sea level, m.

    Returns
    -------
    Visible or None
        Indices of the visible targets and their offsets from the antenna.
    """
    de, dn, du = e - cov.e_m, n - cov.n_m, u - cov.u_m
    horiz2 = de * de + dn * dn
    rng2 = horiz2 + du * du
    ti = ((rng2 <= cov.max_range2_m2) & (rng2 >= cov.min_range2_m2)).nonzero()[0]
    if ti.size == 0:
        return None
    de, dn, du = de.take(ti), dn.take(ti), du.take(ti)
    horiz = np.sqrt(horiz2.take(ti))
    a = alt[ti]
    t_el = apparent_tan_el(horiz, a, cov.antenna_alt_m, cov.k)
    ok = (t_el >= cov.tan_el_min) & (t_el <= cov.tan_el_max)
    az = None
    if cov.sector or cov.masked:
        az = np.mod(np.arctan2(de, dn), TWO_PI)
    if cov.sector and az is not None:
        daz = np.mod(az - cov.az_center_rad + np.pi, TWO_PI) - np.pi
        ok &= np.abs(daz) <= cov.half_width_rad
    if cov.masked and az is not None:  # apparent elevation above the cumulative mask
        n_r = cov.mask_tan.shape[1]
        ia = np.rint(az * cov.mask_bins_per_rad).astype(np.int64)
        ia %= cov.mask_n_az
        ir = np.minimum((horiz / cov.mask_step_m).astype(np.int64), n_r - 1)
        ok &= t_el > cov.mask_tan.reshape(-1)[ia * n_r + ir]
    else:  # heights relative to the site ground over a smooth k-earth
        ok &= horiz <= cov.horizon_antenna_m + horizon_distance_m(a - cov.ground_alt_m, cov.k)
    if not ok.any():
        return None
    return Visible(ti[ok], de[ok], dn[ok], du[ok], None if az is None else az[ok])
