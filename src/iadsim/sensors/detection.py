"""The detection-model role: how one dwell of a radar turns truth into detections.

A radar type carries its detection model (``RadarParams.detection``); the YAML
chooses it by ``kind`` (``detection: {kind: standard}``, the default), and
:meth:`iadsim.sensors.Radar.observe` delegates to it. A model sees the placed
radar (its parameters, position, terrain mask and RCS library), the true states
at the dwell time and the run's sensor random stream; it returns the dwell's
:class:`~iadsim.frames.Detections` (target returns and false alarms, with
measurement noise and its standard deviations).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

import numpy as np

from iadsim.frames import Detections, Truth

if TYPE_CHECKING:
    from iadsim.sensors.radar import Radar
    from iadsim.sensors.signatures import TargetSignatures

__all__ = ["DetectionModel", "StandardDetection"]


class DetectionModel(Protocol):
    """Role: the detections of one dwell of one radar."""

    def observe(
        self,
        radar: Radar,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
    ) -> Detections:
        """Detections of ``radar``'s dwell at ``t_s`` (s from epoch).

        ``truth`` holds every threat's state at ``t_s`` (ENU m, m/s; rows with
        ``alive == False`` are ignored); ``signatures`` maps threat ids to RCS
        tables. Draw every random number from ``rng``, in a fixed order, so a run
        is reproducible. Detections carry range (m), azimuth and elevation (rad),
        radial velocity (m/s), SNR (dB), their noise standard deviations, the
        sensor position (ENU m) and ``truth_id`` (-1 for false alarms).
        """
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class StandardDetection:
    """The standard dwell (kind ``standard``): visibility (coverage, horizon,
    terrain mask), SNR from the radar equation with RCS by aspect, Swerling Pd
    draw against the Pfa threshold, merging of returns in one resolution cell,
    false alarms per cell and SNR-dependent measurement noise
    (see :mod:`iadsim.sensors.detect` for the steps and their references).

    Parameters
    ----------
    false_alarms : draw false alarms (True in runs; False for clean studies).
    """

    false_alarms: bool = True

    def observe(
        self,
        radar: Radar,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
    ) -> Detections:
        """Detections of one dwell (see :class:`DetectionModel`): the radar's dwell
        kernel (``Radar.detection``, :class:`iadsim.sensors.detect.StandardDetection`
        unless a test plugs another in) with this configuration."""
        return radar.detection.observe(
            radar.group, truth, t_s, rng, signatures, false_alarms=self.false_alarms
        )


#: The default detection model of a radar type.
STANDARD = StandardDetection()
