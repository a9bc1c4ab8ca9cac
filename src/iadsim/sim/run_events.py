"""Run-level events the pipeline derives from what the stages produce: the first
detection of each threat by each radar, and firm-track confirmations and deletions."""

from __future__ import annotations

import numpy as np

from iadsim.frames import Detections, Events, Tracks, TrackStatus, make_events

__all__ = ["first_detection_events", "track_status_events"]


def first_detection_events(
    seen: set[tuple[int, int]], radar_id: int, dets: Detections
) -> Events | None:
    """``first_detection`` events: the first plot of each threat by radar ``radar_id``
    (evaluation: the plots' truth ids); ``seen`` (radar, threat) pairs are updated."""
    out = []
    for k in np.flatnonzero(dets.truth_id >= 0).tolist():
        key = (radar_id, int(dets.truth_id[k]))
        if key not in seen:
            seen.add(key)
            out.append(make_events(
                float(dets.t_s[k]), "first_detection", threat_id=key[1], radar_id=radar_id,
                value=float(dets.range_m[k]),
            ))  # fmt: skip
    return Events.concat(out) if out else None


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
