"""Association precedence: which tracks of a look claim its plots first.

The tracker associates a look's plots class by class: the tracks of the first class
share the plots in one assignment (GNN or JPDA), the next class takes what is left,
and so on. Firm tracks (confirmed or coasting) come before tentative ones (the
tracker's order before this module: a tentative track never takes a firm track's plot).

With ``stale_after_s`` the firm tracks are split once more: a firm track whose last
hit is more than ``stale_after_s`` old ("stale") associates after the firm tracks
updated more recently ("fresh"), before the tentative ones. The reason is the cost
of the assignment. A track coasting for ``tau`` seconds has a position covariance
grown by ``q tau^3 / 3`` per axis, so the squared Mahalanobis distance ``d^2 = y'
S^-1 y`` of a neighbour's plot to it is small: the distance the assignment minimises
favours the vaguest track (hence the generalized distance ``d^2 + ln |S|`` of
Blackman and Popoli, *Design and Analysis of Modern Tracking Systems*, Artech 1999,
ch. 6, the GNN ``cost: nll``; Altendorfer and Wirkert, "A complete derivation of the
association log-likelihood distance for multi-object tracking", arXiv:1508.04124,
2015). In a formation that is how a
stale track takes a plot a neighbour's fresh track predicts far better: the track of
a four-ship member shot down coasts, its gate reaches the survivor 2 km away, and it
takes the survivor's plots in turn with the survivor's own track
(``bench/formation_consistency.py``, default preset seed 5); the coasting track of a
stealthy pair member (Pd ~0.5 per look) takes its wingman's plot. Under the split a
stale track takes a plot only if no fresh firm track took it: the fresh track is the
first claimant, the "second track for the pair" that keeps a coasting track from being
the only one near the wingman's plot. A stale track's own target, when it is seen
again, is still its own: a plot a fresh track does not take stays for it.

This is a rule of precedence between track classes, not a joint likelihood over them:
a stale track whose target reappears inside a fresh neighbour's gate loses that plot
to the neighbour if the assignment gives it to the neighbour (it would with the plot
nearer the neighbour's prediction than the neighbour's own plot; with one plot each,
GNN gives each track its own).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TrackStatus

__all__ = ["Precedence"]

B = NDArray[np.bool_]
F64 = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Precedence:
    """The order in which track classes claim a look's plots (module docstring).

    stale_after_s : a firm track whose last hit is older than this (s) associates after
        the other firm tracks; None: firm tracks form one class (the default).
    """

    stale_after_s: float | None = None

    def __post_init__(self) -> None:
        s = self.stale_after_s
        if s is not None and not (np.isfinite(s) and s >= 0.0):
            raise ValueError(f"stale_after_s must be finite and >= 0 (got {s})")

    def classes(self, status: NDArray[np.int8], since_hit_s: F64) -> list[B]:
        """Masks over a look's tracks, one per class, in the order they associate.

        status : (r,) track status; since_hit_s : (r,) time since each track's last
        hit at the look time, s. Returns [firm, tentative] or, with ``stale_after_s``,
        [fresh firm, stale firm, tentative] (disjoint, covering every track).
        """
        firm = status != TrackStatus.TENTATIVE
        if self.stale_after_s is None:
            return [firm, ~firm]
        stale = firm & (since_hit_s > self.stale_after_s)
        return [firm & ~stale, stale, ~firm]
