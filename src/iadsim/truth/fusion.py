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

A recorded velocity that disagrees with those of the reports around it
(:func:`screen_velocities`: a track off by 180 degrees, a ground speed of 0 in
flight) would otherwise be integrated into the truth (511 m off after one report with
its track reversed), so it takes their median instead and is counted. Positions are
not the reference there: where they disagree with consistent velocities, the stale
positions are the error (a flight's first reports), which the fusion exists to mend.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

__all__ = ["DEFAULT_HALF_WINDOW_S", "fuse_positions", "screen_velocities"]

#: Knot spacing of the position level and half-width of each knot's window, s.
DEFAULT_HALF_WINDOW_S = 30.0
#: Half-width of the window of reports a recorded velocity is compared with, s: one
#: report either side at 10 s reporting, and the turn of a standard-rate turn over it
#: (30 degrees) moves their median velocity by 13% of the speed.
SCREEN_HALF_WINDOW_S = 10.0
#: A recorded velocity is a glitch when it differs from the median velocity of the
#: other reports of its window by more than this, m/s, and by more than
#: :data:`SCREEN_FRACTION` of that median's speed.
SCREEN_MPS = 60.0
SCREEN_FRACTION = 0.3


def screen_velocities(t_s: F64, vel_mps: F64) -> tuple[F64, int]:
    """Recorded velocities (k, 2) with the isolated glitches replaced, and how many.

    Each report's velocity is compared with the component-wise median of the other
    reports' velocities within :data:`SCREEN_HALF_WINDOW_S` (at least two); one off by
    more than :data:`SCREEN_MPS` and by more than :data:`SCREEN_FRACTION` of that
    median's speed takes the median. Reports with fewer than two others in the window,
    or with a velocity that is not finite, are kept as they are.
    """
    t = np.asarray(t_s, dtype=float)
    v = np.array(vel_mps, dtype=float)
    given = v.copy()  # (the medians are of the recorded values, not of replaced ones)
    lo = np.searchsorted(t, t - SCREEN_HALF_WINDOW_S, side="left")
    hi = np.searchsorted(t, t + SCREEN_HALF_WINDOW_S, side="right")
    n_bad = 0
    for k in range(t.shape[0]):
        others = np.r_[int(lo[k]) : k, k + 1 : int(hi[k])]
        if others.size < 2 or not np.isfinite(given[k]).all():
            continue
        ref = np.median(given[others], axis=0)
        off = float(np.hypot(*(given[k] - ref)))
        if off > SCREEN_MPS and off > SCREEN_FRACTION * float(np.hypot(*ref)):
            v[k] = ref
            n_bad += 1
    return v, n_bad


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
