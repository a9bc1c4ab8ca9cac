"""Run-level events the pipeline derives from what the stages produce: the first
detection of each threat by each radar, and firm-track confirmations and deletions
(:class:`RunEvents` keeps what they need to remember over a run)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Events, Tracks, TrackStatus, make_events

__all__ = ["RunEvents", "first_detection_events", "track_status_events"]


class RunEvents:
    """The run's memory for its derived events: the threats each radar has detected
    (a flag per threat id, per radar) and the ids of the tracks that have been firm.

    Parameters
    ----------
    n_threats : threats in the run (threat ids 0..n-1).
    """

    def __init__(self, n_threats: int) -> None:
        self.n_threats = n_threats
        self._first_seen: dict[int, NDArray[np.bool_]] = {}
        self._firm_ids: set[int] = set()

    def first_detections(self, radar_id: int, dets: Detections) -> list[Events]:
        """``first_detection`` events of a look of radar ``radar_id``
        (:func:`first_detection_events`)."""
        seen = self._first_seen.get(radar_id)
        if seen is None:
            seen = self._first_seen[radar_id] = np.zeros(self.n_threats, bool)
        return first_detection_events(seen, radar_id, dets)

    def track_status(self, tracks: Tracks, t_s: float) -> list[Events]:
        """``track_confirmed``/``track_deleted`` events of a tracker output at ``t_s``
        (:func:`track_status_events`)."""
        return track_status_events(self._firm_ids, tracks, t_s)


def first_detection_events(
    seen: NDArray[np.bool_], radar_id: int, dets: Detections
) -> list[Events]:
    """``first_detection`` events: the first plot of each threat by radar ``radar_id``
    (evaluation: the plots' truth ids), in plot order; ``seen`` (a flag per threat id,
    this radar's) is updated. An empty list if no threat is seen for the first time."""
    ids = dets.truth_id
    plots = (ids >= 0).nonzero()[0]
    if plots.size == 0:  # (false alarms only)
        return []
    _, first = np.unique(ids[plots], return_index=True)  # each threat's first plot
    k = np.sort(plots[first])
    k = k[~seen[ids[k]]]
    if k.size == 0:
        return []
    seen[ids[k]] = True
    ev = make_events(dets.t_s[k], "first_detection", threat_id=ids[k], radar_id=radar_id,
                     value=dets.range_m[k])  # fmt: skip
    return [ev]


def track_status_events(firm_ids: set[int], tracks: Tracks, t_s: float) -> list[Events]:
    """``track_confirmed`` for tracks firm for the first time, ``track_deleted`` for
    firm tracks deleted (tentative churn stays in the tracker's counters); ``firm_ids``
    is updated."""
    ids, status = tracks.track_id, tracks.status
    firm = (status == TrackStatus.CONFIRMED) | (status == TrackStatus.COASTING)
    new = [k for k in np.flatnonzero(firm).tolist() if ids[k] not in firm_ids]
    firm_ids.update(int(ids[k]) for k in new)
    out = []
    if new:
        out.append(make_events(np.full(len(new), t_s), "track_confirmed", track_id=ids[new]))
    gone = [k for k in np.flatnonzero(status == TrackStatus.DELETED).tolist() if ids[k] in firm_ids]
    if gone:
        out.append(make_events(np.full(len(gone), t_s), "track_deleted", track_id=ids[gone]))
    return out
