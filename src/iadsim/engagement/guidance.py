"""Guidance support rules and terminal-acquisition tables (operations-research level).

Nothing here models a guidance law, a seeker or a fuze. An interceptor type states,
as data, what support the defender must give a round in flight, and how likely the
round is to acquire its target at the end, as a *table*:

Guidance support (:class:`GuidanceSupport`)
-------------------------------------------
* ``midcourse``: what re-aims the round between launch and the terminal phase.
  ``fire_control``: a track held by the battery's engagement radar (command or
  track-via-missile guidance); without it for more than ``max_gap_s`` the round is
  aborted. ``any_track``: mid-course updates from the round's track whatever radar
  holds it (data link); without updates the round flies on to its last predicted
  intercept point (PIP). ``none``: fire and forget to the PIP of the launch.
* ``terminal``: ``fire_control`` (semi-active homing or track-via-missile: the
  engagement radar must hold the track at the intercept, within ``max_gap_s``, or the
  round is aborted) or ``autonomous`` (an active seeker acquires on its own).
* A launch always needs a fire-control track: checked by C2 at the order. At the
  launch (``reaction_s`` later) the engagement stage checks that what will guide the
  round still holds the track: the engagement radar, or any radar for ``any_track``.

Probability of terminal acquisition (:class:`AcquisitionTable`)
---------------------------------------------------------------
``P_acq(d, sigma)`` is interpolated bilinearly over the distance ``d`` (m) between
the round's final PIP and the target's true position at the intercept time, and the
target's RCS ``sigma`` (dBsm) at the acquisition band, clamped at the table edges;
beyond the last distance of the table the target is outside the acquisition basket
(``P_acq = 0``). The single-shot kill probability of a round is
``Pk = Pk_table(range, class) x P_acq`` (a round must acquire, then kill).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["MIDCOURSE_MODES", "TERMINAL_MODES", "AcquisitionTable", "GuidanceSupport"]

F = NDArray[np.float64]

Midcourse = Literal["fire_control", "any_track", "none"]
Terminal = Literal["fire_control", "autonomous"]
MIDCOURSE_MODES: tuple[str, ...] = ("fire_control", "any_track", "none")
TERMINAL_MODES: tuple[str, ...] = ("fire_control", "autonomous")


@dataclasses.dataclass(frozen=True, kw_only=True)
class GuidanceSupport:
    """What a round of one interceptor type needs from the defender in flight.

    Attributes
    ----------
    midcourse : "fire_control", "any_track" or "none" (module doc).
    terminal : "fire_control" or "autonomous" (module doc).
    max_gap_s : longest time without the required support before it counts as lost, s.
    """

    midcourse: Midcourse = "fire_control"
    terminal: Terminal = "fire_control"
    max_gap_s: float = 10.0

    def __post_init__(self) -> None:
        if self.midcourse not in MIDCOURSE_MODES:
            raise ValueError(f"GuidanceSupport.midcourse: unknown {self.midcourse!r}")
        if self.terminal not in TERMINAL_MODES:
            raise ValueError(f"GuidanceSupport.terminal: unknown {self.terminal!r}")
        if not self.max_gap_s >= 0:
            raise ValueError(f"GuidanceSupport.max_gap_s: must be >= 0 (got {self.max_gap_s})")

    @property
    def needs_fire_control(self) -> bool:
        """True when losing the engagement radar's track aborts the round."""
        return self.midcourse == "fire_control" or self.terminal == "fire_control"


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class AcquisitionTable:
    """Probability of terminal acquisition over PIP error and target RCS.

    Attributes
    ----------
    pip_error_m : (E,) strictly increasing distances, m; the last one bounds the
        acquisition basket.
    rcs_dbsm : (R,) strictly increasing RCS grid, dBsm.
    p : (E, R) probabilities in [0, 1].
    frequency_hz : band in which the target's RCS is taken (seeker or illuminator).
    """

    pip_error_m: F
    rcs_dbsm: F
    p: F
    frequency_hz: float

    def __post_init__(self) -> None:
        e = np.asarray(self.pip_error_m, dtype=np.float64)
        r = np.asarray(self.rcs_dbsm, dtype=np.float64)
        p = np.asarray(self.p, dtype=np.float64)
        if e.ndim != 1 or e.size < 1 or np.any(np.diff(e) <= 0) or e[0] < 0:
            raise ValueError("AcquisitionTable.pip_error_m: need a strictly increasing grid >= 0")
        if r.ndim != 1 or r.size < 1 or np.any(np.diff(r) <= 0):
            raise ValueError("AcquisitionTable.rcs_dbsm: need a strictly increasing grid")
        if p.shape != (e.size, r.size) or not np.all((p >= 0) & (p <= 1)):
            raise ValueError(
                f"AcquisitionTable.p: need shape {(e.size, r.size)} with values in [0, 1]"
            )
        if not self.frequency_hz > 0:
            raise ValueError("AcquisitionTable.frequency_hz: must be > 0")
        for name, value in (("pip_error_m", e), ("rcs_dbsm", r), ("p", p)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @classmethod
    def certain(cls, basket_m: float = 1000.0, frequency_hz: float = 10e9) -> AcquisitionTable:
        """``P_acq = 1`` inside a basket of ``basket_m`` (0 outside)."""
        return cls(
            pip_error_m=np.array([0.0, basket_m]),
            rcs_dbsm=np.array([0.0]),
            p=np.ones((2, 1)),
            frequency_hz=frequency_hz,
        )

    @property
    def basket_m(self) -> float:
        """Largest PIP error with a chance of acquisition, m."""
        return float(self.pip_error_m[-1])

    def __call__(self, pip_error_m: F, rcs_dbsm: F) -> F:
        """``P_acq`` (N,) for PIP errors (N,) m and RCS (N,) dBsm (module doc)."""
        d = np.asarray(pip_error_m, dtype=np.float64)
        s = np.asarray(rcs_dbsm, dtype=np.float64)
        wd, jd = _weights(self.pip_error_m, d)
        ws, js = _weights(self.rcs_dbsm, s)
        p = self.p
        jd1 = np.minimum(jd + 1, p.shape[0] - 1)
        js1 = np.minimum(js + 1, p.shape[1] - 1)
        top = p[jd, js] * (1 - ws) + p[jd, js1] * ws
        bottom = p[jd1, js] * (1 - ws) + p[jd1, js1] * ws
        out = top * (1 - wd) + bottom * wd
        inside = np.isfinite(d) & (d <= self.basket_m)
        return np.asarray(np.where(inside, out, 0.0))


def _weights(grid: F, x: F) -> tuple[F, NDArray[np.int64]]:
    """Left grid index and interpolation weight of ``x``, clamped to the grid."""
    if grid.size == 1:
        return np.zeros(x.shape), np.zeros(x.shape, dtype=np.int64)
    xc = np.minimum(np.maximum(np.nan_to_num(x, nan=grid[0]), grid[0]), grid[-1])
    j = np.minimum(np.searchsorted(grid, xc, side="right") - 1, grid.size - 2)
    return (xc - grid[j]) / (grid[j + 1] - grid[j]), j.astype(np.int64)
