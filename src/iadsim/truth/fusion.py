"""Recorded positions fused with the recorded ground velocity (replayed truth).

ADS-B state vectors as archived (OpenSky, resampled to one row a second) carry the
last position message received, not the position at the row's time: positions are
stale by a varying fraction of a second, and at some flights' start by many
seconds. Differencing them gives velocities tens of m/s wrong (an airliner at
123 m/s replayed at 55, 194, 55, 202 m/s), which then drive the simulated radial
velocities and every velocity error a tracker is scored on. The recorded ground
speed and track come from the aircraft's own navigation and are good to a few m/s.

:func:`fuse_positions` keeps the velocity of the recording and the position level
of its reports: the new position of report ``k`` is ``I(t_k) + L(t_k)``, where ``I``
is the trapezoid integral of the recorded ground velocity from the first report and
the level ``L`` is piecewise linear through knots every ``half_window_s``, each the
median of the offsets ``p_j - I(t_j)`` of the reports within ``half_window_s`` of it.
Any constant or slowly varying offset (the projection, a wind-dependent track bias)
is taken from the positions; the along-track jitter of stale positions (a lag of a
fraction of a second on average) is removed by the median, and the level changes
the replayed velocity only by its slope between knots (a median per report would
jump a few metres at every report: a few m/s of velocity noise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

__all__ = ["DEFAULT_HALF_WINDOW_S", "fuse_positions"]

#: Knot spacing of the position level and half-width of each knot's window, s.
DEFAULT_HALF_WINDOW_S = 30.0


def fuse_positions(
    t_s: F64, pos_m: F64, vel_mps: F64, half_window_s: float = DEFAULT_HALF_WINDOW_S
) -> F64:
    """Positions (k, 2) of one flight's reports made consistent with its velocities.

    Parameters
    ----------
    t_s : (k,) report times, s, strictly increasing.
    pos_m : (k, 2) reported horizontal positions (east, north), m.
    vel_mps : (k, 2) recorded ground velocity (east, north), m/s.
    half_window_s : knot spacing and half-width of a knot's window (module doc).

    Returns
    -------
    (k, 2) fused positions; ``pos_m`` itself (a copy) when fewer than three reports
    or any velocity is not finite (nothing to fuse with).
    """
    t = np.asarray(t_s, dtype=float)
    p = np.asarray(pos_m, dtype=float)
    v = np.asarray(vel_mps, dtype=float)
    if t.shape[0] < 3 or not np.isfinite(v).all():
        return p.copy()
    steps = 0.5 * (v[1:] + v[:-1]) * np.diff(t)[:, None]
    integral = np.vstack([np.zeros(2), np.cumsum(steps, axis=0)])
    offset = p - integral
    knots = np.append(np.arange(t[0], t[-1], half_window_s), t[-1])
    lo = np.searchsorted(t, knots - half_window_s, side="left")
    hi = np.searchsorted(t, knots + half_window_s, side="right")
    med = np.array([np.median(offset[a:b], axis=0) for a, b in zip(lo, hi, strict=True)])
    level = np.stack([np.interp(t, knots, med[:, i]) for i in range(2)], axis=-1)
    return integral + level
