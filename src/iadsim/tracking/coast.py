"""Process noise of a manoeuvre the target may start while its track coasts.

A nearly-constant-velocity filter's PSD ``q`` (CWNA, BLK sec 6.2.2) is sized for the
manoeuvres a track follows from update to update at its radars' revisit (Blackman and
Popoli 1999, sec 4.2.1: ``q ~ a^2 T``). While the track coasts (no plot for longer
than a revisit), a manoeuvre the target starts is seen by no update, and its effect
grows with the coast: a constant acceleration ``a`` over ``tau`` seconds moves the
velocity by ``a tau`` and the position by ``a tau^2 / 2``, where the CWNA's variances
grow only as ``q tau`` and ``q tau^3 / 3``. Singer's model takes the manoeuvre
acceleration as a random process of variance

    sigma_a^2 = (A_max^2 / 3) (1 + 4 P_max - P_0)

(A_max the largest acceleration, P_max its probability, P_0 the probability of none;
Singer, "Estimating optimal tracking filter performance for manned maneuvering
targets", IEEE Trans. AES-6(4), 1970, eq. 3) and correlation time ``tau_m``; for
coasts much shorter than ``tau_m`` (tens of seconds for an aircraft's turn or
push-over) the acceleration is a random constant over the coast, and the velocity
variance it adds after ``tau`` seconds is ``sigma_a^2 tau^2`` (the Singer model's
limit for ``tau << tau_m``). The same need, a coasting track's covariance that covers
the manoeuvres it cannot see, is what an IMM's manoeuvre mode gains as misses
accumulate (BLK = Bar-Shalom, Li and Kirubarajan, *Estimation with Applications to
Tracking and Navigation*, Wiley 2001, ch. 11) and what covariance inflation on missed
updates does in track maintenance (Blackman and Popoli, *Design and Analysis of Modern
Tracking Systems*, Artech House 1999, ch. 4, manoeuvring targets and the Singer model).

Measured on the default preset (2026-12-06, docs/dev/notes.md): it keeps coasting
tracks through unseen push-overs closer to consistent, but in formations the wider
coasting gates take the neighbours' plots, so the preset does not use it.

Here that growth is process noise of a PSD that ramps with the coast time ``tau``
counted from ``grace_s`` after the last update,

    q_c(tau) = 2 sigma_a^2 tau,

which gives the random constant's velocity variance ``sigma_a^2 tau^2`` exactly (the
position's ``sigma_a^2 tau^4 / 6`` against ``/ 4``), keeps every step's ``Q`` positive
semi-definite (a CWNA ``Q(dt)`` times a non-negative PSD) and makes the velocity
variance independent of how the coast is split into prediction steps: a step from
coast time ``c`` to ``c + dt`` uses the ramp's mean over the step,

    q_step = sigma_a^2 ((c + dt - g)_+^2 - (c - g)_+^2) / dt,     g = grace_s.

An update ends the coast (``c = 0``). ``grace_s`` is the revisit within which the
CWNA level ``q`` is trusted (the longest revisit of the radars that update the track).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

__all__ = ["coast_psd", "singer_sigma2"]


def singer_sigma2(a_max_mps2: float, p_max: float, p_0: float) -> float:
    """Singer's manoeuvre acceleration variance ``(A_max^2 / 3)(1 + 4 P_max - P_0)``,
    m^2/s^4 (module docstring)."""
    return a_max_mps2**2 / 3.0 * (1.0 + 4.0 * p_max - p_0)


def coast_psd(c_s: F64, dt_s: F64, sigma2_mps4: F64, grace_s: float) -> F64:
    """(n,) mean PSD over a step, m^2/s^3, of the coast ramp ``2 sigma_a^2 tau`` for
    steps from coast times ``c_s`` (n,) over ``dt_s`` (n,) s (0 where ``dt <= 0``);
    ``sigma2_mps4`` (n,) the per-axis manoeuvre variance (module docstring)."""
    c = np.asarray(c_s, dtype=np.float64)
    dt = np.broadcast_to(np.asarray(dt_s, dtype=np.float64), c.shape)
    t0 = np.maximum(c - grace_s, 0.0)
    t1 = np.maximum(c + dt - grace_s, 0.0)
    ok = dt > 0.0
    return np.where(ok, sigma2_mps4 * (t1 * t1 - t0 * t0) / np.where(ok, dt, 1.0), 0.0)
