"""Run summary: per threat, per battery and raid totals (``summary.json``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from iadsim.frames import Detections, Events, Tracks
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
    trk_t = pipeline.stages.get("first_track_t_s", np.full(n, np.nan))
    trk_range = pipeline.stages.get("first_track_range_m", np.full(n, np.nan))
    launches = events.kind == "launch"
    engaged = (
        np.bincount(np.maximum(events.threat_id[launches], 0), minlength=n)
        if launches.any()
        else np.zeros(n, dtype=np.int64)
    )
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
    fired: dict[str, int] = dict(pipeline.stages.get("interceptors_fired", {}))
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
        "batteries": pipeline.stages.get("battery_summary", []),
        "threats": threats,
        "warnings": list(world.warnings) + list(pipeline.stages.get("warnings", [])),
    }
