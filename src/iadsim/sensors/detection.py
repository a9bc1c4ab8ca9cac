"""The detection-model role: how one look of a radar turns truth into detections.

The single seam where a detection model is chosen and called: a radar type carries
its model (``RadarParams.detection``, compiled from the registered ``kind`` the YAML
names, ``detection: {kind: standard}`` by default, see
:data:`iadsim.scenario.schema_sensors.DETECTION_MODELS`), and
:meth:`iadsim.sensors.Radar.observe` calls it. A model sees the placed radar (its
parameters, position, terrain mask, RCS library and compiled arrays ``radar.group``),
the true states of the look and the run's sensor random stream; it returns the look's
:class:`~iadsim.frames.Detections` (target returns and false alarms, with measurement
noise and its standard deviations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from iadsim.frames import Detections, Truth
from iadsim.sensors.detect import StandardDetection

if TYPE_CHECKING:
    from iadsim.sensors.radar import Radar
    from iadsim.sensors.signatures import TargetSignatures

__all__ = ["STANDARD", "DetectionModel", "StandardDetection"]


class DetectionModel(Protocol):
    """Role: the detections of one look of one radar."""

    def observe(
        self,
        radar: Radar,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
    ) -> Detections:
        """Detections of ``radar``'s look at ``t_s`` (s from epoch).

        ``truth`` holds every threat's state at the time the beam illuminated it
        (its ``t_s`` column: ``t_s`` itself for an instantaneous look, the
        per-azimuth time of a scanning look, see :mod:`iadsim.sensors.scan`; rows
        with ``alive == False`` are ignored); ``signatures`` maps threat ids to RCS
        tables. Stamp each plot with the time its target was illuminated. Draw
        every random number from ``rng``, in a fixed order, so a run is
        reproducible. Detections carry range (m), azimuth and elevation (rad),
        radial velocity (m/s), SNR (dB), their noise standard deviations, the
        sensor position (ENU m) and ``truth_id`` (-1 for false alarms).
        """
        ...


#: The default detection model of a radar type.
STANDARD = StandardDetection()
