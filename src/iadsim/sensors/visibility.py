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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import EARTH_MEAN_RADIUS_M, TWO_PI
from iadsim.sensors.horizon import horizon_distance_m

if TYPE_CHECKING:
    from iadsim.sensors.detect import DwellConstants
    from iadsim.sensors.radar import RadarGroup

__all__ = ["Visible", "apparent_tan_el", "visible_targets"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


def apparent_tan_el(d: F, h: F, ha: float | F, k: float) -> F:
    """``tan`` of the apparent elevation over a ``k``-earth (series form).

    Parameters
    ----------
    d : (m,) ground distance, m
    h : (m,) target altitude above mean sea level, m
    ha : antenna altitude above mean sea level, m
    k : effective earth radius factor

    Returns
    -------
    (m,) ``tan`` of :func:`iadsim.sensors.horizon.elevation_angle_rad`, from the
    series of ``cos``/``sin`` of ``d / a_e`` (error < 1e-8 out to 1,000 km).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    phi = d / ae
    p2 = phi * phi
    rt = ae + h
    num = (h - ha) - rt * p2 * (0.5 - p2 / 24.0)
    den = rt * phi * (1.0 - p2 / 6.0 + p2 * p2 / 120.0)
    return np.asarray(num / np.maximum(den, 1e-12))


class Visible(NamedTuple):
    """Visible targets: their indices and ENU offsets target - radar (m), azimuth."""

    ti: I64
    de: F
    dn: F
    du: F
    az: F | None  # clockwise from north in [0, 2 pi), if a test needed it


def visible_targets(g: RadarGroup, c: DwellConstants, e: F, n: F, u: F, alt: F) -> Visible | None:
    """Targets of one radar inside coverage and line of sight (``None``: none).

    Parameters
    ----------
    g, c : the radar's arrays (length 1) and dwell constants
    e, n, u : (m,) target ENU positions, m
    alt : (m,) target altitudes above mean sea level, m
    """
    de, dn, du = e - c.e_m, n - c.n_m, u - c.u_m
    horiz2 = de * de + dn * dn
    rng2 = horiz2 + du * du
    ti = ((rng2 <= c.max_range2_m2) & (rng2 >= c.min_range2_m2)).nonzero()[0]
    if ti.size == 0:
        return None
    de, dn, du = de.take(ti), dn.take(ti), du.take(ti)
    horiz = np.sqrt(horiz2.take(ti))
    a = alt[ti]
    k = float(g.k[0])
    t_el = apparent_tan_el(horiz, a, g.antenna_alt_m[0], k)
    ok = (t_el >= c.tan_el_min) & (t_el <= c.tan_el_max)
    az = None
    if c.sector or c.masked:
        az = np.mod(np.arctan2(de, dn), TWO_PI)
    if c.sector and az is not None:
        daz = np.mod(az - g.az_center_rad[0] + np.pi, TWO_PI) - np.pi
        ok &= np.abs(daz) <= c.half_width_rad
    if c.masked and az is not None:  # apparent elevation above the cumulative mask
        n_r = g.mask_tan.shape[2]
        ia = np.rint(az * c.mask_bins_per_rad).astype(np.int64)
        ia %= g.mask_n_az[0]
        ir = np.minimum((horiz / g.mask_step_m[0]).astype(np.int64), n_r - 1)
        ok &= t_el > g.mask_tan[0].reshape(-1)[ia * n_r + ir]
    else:  # heights relative to the site ground over a smooth k-earth
        ok &= horiz <= c.horizon_antenna_m + horizon_distance_m(a - g.ground_alt_m[0], k)
    if not ok.any():
        return None
    return Visible(ti[ok], de[ok], dn[ok], du[ok], None if az is None else az[ok])
