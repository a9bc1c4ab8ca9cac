"""The threat-motion role: how one group of threats moves, as a registered kind.

A scenario's threats come in *groups* (one per ``threats:`` entry); members share
a motion up to a rigid offset in the route plane and a launch delay
(:class:`~iadsim.truth.TruthModel`). Each group's motion is a
:class:`ThreatMotion`, chosen in the YAML by ``motion: {kind: ...}``:

- ``route`` (default): waypoint routes with coordinated turns and rate-limited
  climbs (:class:`~iadsim.truth.routes.RouteGeometry`);
- recorded-trajectory replay and ballistic arcs plug in as further kinds: a
  class with this interface in ``truth/`` plus its config and compile step
  registered in ``iadsim.scenario.schema_truth.THREAT_MOTIONS``.

Motions are given in the local route plane (azimuthal equidistant about the
scenario origin, :mod:`iadsim.truth.plane`) with an altitude, so that
:class:`~iadsim.truth.TruthModel` maps every kind to ENU the same way.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

__all__ = ["ThreatMotion"]


class ThreatMotion(Protocol):
    """Role: the motion of one threat group after its launch."""

    @property
    def end_s(self) -> float:
        """Duration of the motion after launch, s (the threat is alive from launch
        until launch + ``end_s``, unless killed)."""
        ...

    def plane_states(self, tau_s: F64) -> tuple[F64, F64, F64, F64]:
        """States at times ``tau_s`` (any shape, s after launch; clamped to
        [0, ``end_s``]): plane position (..., 2) and plane velocity (..., 2)
        east/north in m and m/s, altitude (...) in m (above MSL, or above the
        ground for terrain-following groups) and climb rate (...) in m/s."""
        ...
