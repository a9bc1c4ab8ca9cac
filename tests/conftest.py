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


def _queue_key(item: pytest.Item) -> tuple[bool, float]:
    slow = item.get_closest_marker("slow")
    return slow is None, -float(slow.kwargs.get("cpu_s", 0.0)) if slow else 0.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Queue the ``slow`` tests first, those with a CPU estimate (``slow(cpu_s=...)``:
    the few that run for minutes) longest first, the others in collection order: under
    ``-n 2 --dist worksteal`` (pyproject) the long tests start early and the short ones
    fill the gaps, instead of one worker running the last long tests while the other
    idles."""
    items.sort(key=_queue_key)
