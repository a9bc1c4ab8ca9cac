"""Run-level events the pipeline derives from what the stages produce: the first
detection of each threat by each radar, firm-track confirmations and deletions
(:class:`RunEvents` keeps what they need to remember over a run), where a threat
leaked (:func:`leak_detail`) and whether a cue dwell acquired its track
(:func:`cue_event`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Events, Tracks, TrackStatus, Truth, make_events
from iadsim.scenario.compile import World

__all__ = ["RunEvents", "cue_event", "first_detection_events", "leak_detail", "track_status_events"]


class RunEvents:
    """The run's memory for its derived events: the ids of the tracks that have been
    firm."""

    def __init__(self) -> None:
        self._firm_ids: set[int] = set()

    def track_status(self, tracks: Tracks, t_s: float) -> list[Events]:
        """``track_confirmed``/``track_deleted`` events of a tracker output at ``t_s``
        (:func:`track_status_events`)."""
        return track_status_events(self._firm_ids, tracks, t_s)


def first_detection_events(dets: Detections) -> Events:
    """``first_detection`` events: each radar's first plot of each threat (evaluation:
    the plots' truth ids), from a run's plots in time order (``dets``: ties in look
    order). Found after the run, not look by look: a sector look's plots carry their
    own illumination times, so a look processed later may hold an earlier plot (a cue
    dwell at 1,603.0 s before a sector look's plot of 1,602.964 s)."""
    rows = (dets.truth_id >= 0).nonzero()[0]
    pairs = np.stack([dets.radar_id[rows], dets.truth_id[rows]])
    _, first = np.unique(pairs, axis=1, return_index=True)
    k = rows[np.sort(first)]
    return make_events(dets.t_s[k], "first_detection", threat_id=dets.truth_id[k],
                       radar_id=dets.radar_id[k], value=dets.range_m[k])  # fmt: skip


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


def leak_detail(world: World, i: int, truth: Truth) -> str:
    """Where threat ``i`` leaked (``truth``: the states then): its target site's name if
    inside the site's radius, else how far from it its attack route ended (the outer
    members of a formation aimed at the site: saturation seed 90001, drones ending
    3-6 km from the airbase read "airbase"); "route end" without a target site."""
    site = int(world.threats.target_site[i])
    if site < 0:
        return "route end"
    row = (truth.threat_id == i).nonzero()[0][:1]
    d = np.hypot(*(truth.pos_m()[row, :2] - world.site_pos_enu_m[site, :2]).T)
    if not d.size or d[0] <= world.site_radius_m[site]:
        return world.site_names[site]
    return f"route end {d[0] / 1000:.1f} km from {world.site_names[site]}"


def cue_event(
    t_s: float, track_id: int, radar_id: int, sigma_m: float, hit_ids: NDArray[np.int64]
) -> Events:
    """The ``cue`` event of an acquisition dwell at ``t_s`` on ``track_id`` (cue
    uncertainty ``sigma_m``): "acquired" if the dwell's look updated it (``hit_ids``)."""
    acquired = bool(np.isin(track_id, hit_ids))
    return make_events(
        t_s, "cue", track_id=track_id, radar_id=radar_id, value=sigma_m,
        detail="acquired" if acquired else "not acquired",
    )  # fmt: skip
