"""Many looks handed to the tracker at once (a *wave*), with what each look returned.

A run's radars make tens of looks between two reads of the track picture (a C2
cycle, a cue, a launch commit, an intercept): nothing outside the tracker depends on
a look's tracker result before the next read. :func:`step_looks` takes such a wave and
returns, per look, exactly what :meth:`Tracker.step <iadsim.tracking.tracker.Tracker.step>`
(a look with plots, ``batch=True``) or :meth:`Tracker.miss
<iadsim.tracking.tracker.Tracker.miss>` (a look without) would have returned and left
behind (``last_hit_ids``, ``last_hit_t_s``, ``last_changes``, ``n_tracks``): the
looks are processed in their order, one by one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Tracks
from iadsim.tracking.looks import Observed

if TYPE_CHECKING:
    from iadsim.tracking.tracker import Tracker

__all__ = ["Look", "LookResult", "step_looks"]


@dataclasses.dataclass(frozen=True)
class Look:
    """One look of one sensor: its plots (``detections``, each at its own time; may be
    empty), the look's time ``t_s``, the sensor and its coverage predicate, and whether
    the tracker returns only the rows that changed (``changes_only``)."""

    detections: Detections
    t_s: float
    sensor_id: int | None
    observed: Observed | None
    changes_only: bool = True


@dataclasses.dataclass(frozen=True)
class LookResult:
    """What the tracker returned for one look (``tracks``) and left behind after it:
    the ids it updated and each update's plot time, the rows of ``tracks`` that carry
    news (``changes``) and the number of live tracks."""

    tracks: Tracks
    hit_ids: NDArray[np.int64]
    hit_t_s: NDArray[np.float64]
    changes: NDArray[np.bool_]
    n_tracks: int


def step_looks(tracker: Tracker, wave: Sequence[Look]) -> list[LookResult]:
    """Process the looks of ``wave`` in order; one :class:`LookResult` per look."""
    out: list[LookResult] = []
    for look in wave:
        if len(look.detections):
            tracks = tracker.step(
                look.detections, look.t_s, observed=look.observed, sensor_id=look.sensor_id,
                batch=True, changes_only=look.changes_only,
            )  # fmt: skip
        else:
            tracks = tracker.miss(look.t_s, observed=look.observed, sensor_id=look.sensor_id)
        out.append(LookResult(tracks, tracker.last_hit_ids, tracker.last_hit_t_s,
                              tracker.last_changes, tracker.n_tracks))  # fmt: skip
    return out
