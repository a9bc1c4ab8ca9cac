"""Change-only track files back to a picture per report time.

A run records ``tracks.parquet`` with ``track_history: changes`` (the default): a
row when a track is started, updated, changes status or is deleted, not one per
radar look for every live track. Metrics that compare the whole track picture at
each time (GOSPA, continuity) need every live track at every evaluation time:
:func:`hold_track_changes` carries each track from its last row until its next
row or its deletion, extrapolating the position at constant velocity (the
variances are held). A file written with ``track_history: full`` reports each
live track at each look already; this function leaves such files unchanged
(every held row is then at its own time).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Tracks, TrackStatus

__all__ = ["TRACK_HISTORY_KEY", "hold_for_scoring", "hold_track_changes"]

#: Parquet schema metadata key of a run's tracks file: b"changes" or b"full".
TRACK_HISTORY_KEY = b"iadsim.track_history"


def hold_track_changes(tracks: Tracks, times_s: NDArray[np.float64] | None = None) -> Tracks:
    """Every live track at every time of ``times_s`` (default: the file's row times).

    A row of track k at t_r stands for that track at the times t with
    t_r <= t < (the track's next row), at position p_r + v_r (t - t_r); a
    ``deleted`` row ends the track (it appears at its own time only). Rows come
    out sorted by time, then track id.
    """
    if len(tracks) == 0:
        return tracks
    times = np.unique(tracks.t_s) if times_s is None else np.unique(np.asarray(times_s, float))
    order = np.lexsort((tracks.t_s, tracks.track_id))
    tr = tracks.select(order)
    same_next = np.zeros(len(tr), bool)
    same_next[:-1] = tr.track_id[1:] == tr.track_id[:-1]
    t_next = np.full(len(tr), np.inf)
    t_next[:-1] = np.where(same_next[:-1], tr.t_s[1:], np.inf)
    lo = np.searchsorted(times, tr.t_s, side="left")
    hi = np.searchsorted(times, t_next, side="left")
    gone = tr.status == TrackStatus.DELETED
    at = np.minimum(lo, times.size - 1)  # a deleted row shows at its own time only
    shown = np.where(times[at] == tr.t_s, lo + 1, lo)
    hi = np.where(gone, shown, np.maximum(hi, lo))
    reps = hi - lo
    row = np.repeat(np.arange(len(tr)), reps)
    offset = np.arange(row.size) - np.repeat(np.cumsum(reps) - reps, reps)
    t = times[lo[row] + offset]
    out = tr.select(row)
    dt = t - out.t_s
    cols = {name: getattr(out, name) for name in Tracks.columns()}
    cols["t_s"] = t
    for p, v in (("e_m", "ve_mps"), ("n_m", "vn_mps"), ("u_m", "vu_mps")):
        cols[p] = cols[p] + cols[v] * dt
    held = Tracks(**cols)
    return held.select(np.lexsort((held.track_id, held.t_s)))


def hold_for_scoring(
    tracks: Tracks, truth_t_s: NDArray[np.float64]
) -> tuple[Tracks, NDArray[np.float64]]:
    """:func:`hold_track_changes` at the times a score evaluates the picture, and those
    times: the change rows' times plus the truth times in gaps between them
    (:func:`~iadsim.analysis.metrics.align.evaluation_times`), to be given to
    ``score_frames(eval_times_s=...)``. Held at the row times only, a truth time
    added in a gap between two change rows found no track there and scored every
    target missed, and a live track as broken (a fragmentation) there."""
    from iadsim.analysis.metrics.align import evaluation_times

    times = evaluation_times(tracks.t_s, truth_t_s)
    return hold_track_changes(tracks, times), times
