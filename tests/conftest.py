"""Shared fixtures: a tracker assembled from fake parts (the fakes live in ``fakes.py``);
slow tests queued first."""

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Queue the ``slow`` tests first, each group in collection order: under ``-n 2
    --dist worksteal`` (pyproject) the long tests start early and the short ones fill
    the gaps, instead of one worker running the last long tests while the other idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
