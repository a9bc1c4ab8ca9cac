"""Shared fixtures: a tracker assembled from fake parts (the fakes live in ``fakes.py``)."""

from __future__ import annotations

import pytest

from fakes import (
    HitCountConfirmer,
    MissCountDeleter,
    NearestAssociator,
    SnapFilter,
    ZeroVelocityInitiator,
)
from iadsim.tracking import Gate, TrackerParts


@pytest.fixture
def fake_parts() -> TrackerParts:
    """A tracker made only of fakes (2-D, Cartesian measurements, chi-square gate)."""
    return TrackerParts(
        filter=SnapFilter(),
        gate=Gate(probability=0.999),
        associator=NearestAssociator(),
        initiator=ZeroVelocityInitiator(),
        confirmer=HitCountConfirmer(),
        deleter=MissCountDeleter(),
    )
