"""Run summary: per threat, per battery and raid totals (``summary.json``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from iadsim.frames import Detections, Events, Orders, Tracks
from iadsim.scenario.compile import World
from iadsim.sim.pipeline import Pipeline


def _first_by_threat(
    t_s: np.ndarray, threat_id: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(n,) first time per threat id and the row index of it (-1 if none)."""
    first_t = np.full(n, np.nan)
    first_row = np.full(n, -1, dtype=np.int64)
    valid = (threat_id >= 0) & (threat_id < n)
    if not valid.any():
        return first_t, first_row
    rows = np.flatnonzero(valid)
    order = rows[np.lexsort((t_s[rows], threat_id[rows]))]
    ids = threat_id[order]
    keep = np.r_[True, ids[1:] != ids[:-1]]
    first_row[ids[keep]] = order[keep]
    first_t[ids[keep]] = t_s[order[keep]]
    return first_t, first_row


def build_summary(
    world: World,
    pipeline: Pipeline,
    detections: Detections,
    tracks: Tracks,
    events: Events,
    *,
    seed: int,
) -> dict[str, Any]:
    """Figures for the analyst's table and for campaigns (JSON-able)."""
    n = world.truth.n_threats
    det_t, det_row = _first_by_threat(detections.t_s, detections.truth_id, n)
    det_range = np.full(n, np.nan)
    det_range[det_row >= 0] = detections.range_m[det_row[det_row >= 0]]
    trk_t, trk_range = pipeline.first_track_t_s, pipeline.first_track_range_m
    # engagements per threat: intercept events carry the threat the shot was
    # resolved against (evaluation only; C2 engaged a track, not a threat id)
    shots = (events.kind == "intercept") & (events.threat_id >= 0)
    engaged = np.bincount(events.threat_id[shots], minlength=n)
    threats = [
        {
            "threat_id": i,
            "name": world.threats.name[i],
            "group": world.threats.group_name[i],
            "type": world.threats.type[i],
            "outcome": pipeline.outcome[i],
            "outcome_t_s": float(pipeline.outcome_t_s[i]),
            "first_detection_t_s": float(det_t[i]),
            "first_detection_range_m": float(det_range[i]),
            "first_track_t_s": float(trk_t[i]),
            "first_track_range_m": float(trk_range[i]),
            "engagements": int(engaged[i]),
        }
        for i in range(n)
    ]
    outcomes = np.asarray(pipeline.outcome)
    fired, batteries = _battery_figures(world, pipeline, events)
    return {
        "scenario": world.name,
        "seed": int(seed),
        "duration_s": world.duration_s,
        "n_threats": n,
        "n_killed": int((outcomes == "killed").sum()),
        "n_leaked": int((outcomes == "leaked").sum()),
        "n_survived": int((outcomes == "survived").sum()),
        "interceptors_fired": fired,
        "interceptors_fired_total": int(sum(fired.values())),
        "n_detections": len(detections),
        "n_false_alarms": int((detections.truth_id < 0).sum()),
        "n_track_rows": len(tracks),
        "batteries": batteries,
        "radars": _radar_figures(world, detections),
        "threats": threats,
        "warnings": list(world.warnings)
        + _silent_radar_warnings(world, detections)
        + list(pipeline.warnings),
    }


def _battery_figures(
    world: World, pipeline: Pipeline, events: Events
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Interceptors fired by type (raid total) and per-battery figures."""
    names = pipeline.stages.interceptor_names
    orders = Orders.concat(pipeline.orders)
    fired_total: dict[str, int] = {}
    per_battery = []
    kills = events.kind == "kill"
    for bty in world.batteries:
        mine = orders.battery_id == bty.battery_id
        fired: dict[str, int] = {}
        for iid, n in zip(orders.interceptor_id[mine], orders.n_rounds[mine], strict=True):
            fired[names[iid]] = fired.get(names[iid], 0) + int(n)
            fired_total[names[iid]] = fired_total.get(names[iid], 0) + int(n)
        per_battery.append(
            {
                "name": bty.name,
                "fired": fired,
                "fired_total": int(sum(fired.values())),
                "engagements": int(mine.sum()),
                "max_channels_used": int(pipeline.max_channels_used.get(bty.battery_id, 0)),
                "kills": int((kills & (events.battery_id == bty.battery_id)).sum()),
                "leakers": int(sum(o == "leaked" for o in pipeline.outcome)),
            }
        )
    return fired_total, per_battery


def _radar_figures(world: World, detections: Detections) -> list[dict[str, Any]]:
    """Per radar: detections, false alarms and first detection per threat (time, range)."""
    out = []
    n = world.truth.n_threats
    for r in world.radars:
        mine = detections.radar_id == r.radar_id
        d = detections.select(mine)
        t, row = _first_by_threat(d.t_s, d.truth_id, n)
        first = {
            world.threats.name[i]: {"t_s": float(t[i]), "range_m": float(d.range_m[row[i]])}
            for i in range(n)
            if row[i] >= 0
        }
        out.append(
            {
                "name": r.name,
                "type": r.type,
                "n_detections": int(mine.sum()),
                "n_false_alarms": int((d.truth_id < 0).sum()),
                "first_detection": first,
            }
        )
    return out


def _silent_radar_warnings(world: World, detections: Detections) -> list[str]:
    """A radar that detected no threat at all is worth a warning, not a silent empty run."""
    out = []
    for r in world.radars:
        mine = (detections.radar_id == r.radar_id) & (detections.truth_id >= 0)
        if not mine.any() and world.truth.n_threats:
            out.append(f"radar '{r.name}' ({r.type}) detected no threat in this run")
    return out
