"""The true threats' physical properties an intercept depends on (truth side only).

:class:`ThreatPhysics` implements :class:`iadsim.engagement.outcome.TargetPhysics` for
a run: the true class of each threat (its platform kind, not what C2 classified it as)
for the Pk table, and its mean RCS in the acquisition band seen from the launcher, from
the same RCS tables the radars use. Only :meth:`iadsim.engagement.Engagement.resolve`
reads it, to resolve the physics of an intercept.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Truth
from iadsim.sensors.radar_equation import band_index
from iadsim.sensors.rcs import RcsLibrary, aspect_angles
from iadsim.sensors.signatures import TargetSignatures

__all__ = ["PLATFORM_CLASS", "ThreatPhysics"]

F = NDArray[np.float64]

#: Platform ``kind`` (catalog) -> threat class code of the Pk tables
#: (fighter, cruise_missile, drone, ballistic).
PLATFORM_CLASS = {
    "fighter": 0, "bomber": 0, "aircraft": 0, "cruise-missile": 1, "drone": 2, "ballistic": 3,
}  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class ThreatPhysics:
    """True class codes (N,) by threat id, and the run's RCS library and signatures."""

    true_class: NDArray[np.int64]
    library: RcsLibrary
    signatures: TargetSignatures

    @classmethod
    def of(
        cls, kinds: tuple[str, ...], library: RcsLibrary, signatures: TargetSignatures
    ) -> ThreatPhysics:
        """From the threats' platform kinds (aircraft kinds use the fighter row)."""
        codes = np.array([PLATFORM_CLASS.get(k, 0) for k in kinds], dtype=np.int64)
        return cls(true_class=codes, library=library, signatures=signatures)

    def threat_class(self, threat_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """True class code of each threat id."""
        return self.true_class[np.asarray(threat_id, dtype=np.int64)]

    def rcs_dbsm(
        self, threat_id: NDArray[np.int64], truth: Truth, rows: NDArray[np.int64],
        from_m: F, frequency_hz: F,
    ) -> F:  # fmt: skip
        """Mean RCS (dBsm) of the truth rows ``rows`` (threats ``threat_id``) seen from
        ``from_m`` (N, 3) at ``frequency_hz`` (N,), with each threat's RCS offset."""
        table, _, scale_db = self.signatures.lookup(threat_id)
        pos = truth.pos_m()[rows]
        vel = truth.vel_mps()[rows]
        az, el = aspect_angles(vel, np.asarray(from_m) - pos)
        band = band_index(np.asarray(frequency_hz, dtype=np.float64))
        return np.asarray(self.library.rcs_dbsm(table, az, el, band) + scale_db)
