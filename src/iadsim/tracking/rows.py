"""Track rows on their way out of the tracker: blocks of states that become one
:class:`iadsim.frames.Tracks` frame (live tracks of a look, then the tracks it deleted).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TRACK_STATE_AXES, Tracks, track_cov_column

F64 = NDArray[np.float64]

__all__ = ["TrackRows", "tracks_frame"]


@dataclasses.dataclass(frozen=True)
class TrackRows:
    """Track rows on their way to a :class:`Tracks` frame: states ``x`` (n, nx),
    covariances ``P`` (n, nx, nx), ids, status codes, quality and times (n,)."""

    x: F64
    P: F64
    track_id: NDArray[np.int64]
    status: NDArray[np.int8]
    quality: F64
    t_s: F64


def tracks_frame(parts: list[TrackRows], d: int) -> Tracks:
    """One Tracks frame from row blocks (live tracks, then deleted ones), ``d`` = 2 or 3.

    The frame owns its data: states and covariances are copied (the filter bank is
    updated in place later, which must never change a frame already returned).
    The position-velocity block of ``P`` is kept in full (variances and the
    upper-triangle covariance columns, :func:`iadsim.frames.track_cov_column`);
    terms of other state components (acceleration, turn rate) are not.
    """
    if not parts:
        return Tracks.empty()

    def cat(arrays: list[NDArray[Any]]) -> NDArray[Any]:
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    x = cat([r.x for r in parts])
    P = cat([r.P for r in parts])
    n = x.shape[0]
    cols: dict[str, NDArray[Any]] = {
        "t_s": np.array(cat([r.t_s for r in parts]), dtype=np.float64),
        "track_id": np.array(cat([r.track_id for r in parts]), dtype=np.int64),
        "status": np.array(cat([r.status for r in parts]), dtype=np.int8),
        "quality": np.array(cat([r.quality for r in parts]), dtype=np.float64),
    }
    # state index of each ENU axis (e, n, u, ve, vn, vu); -1: not estimated (2-D)
    index = [0, 1, 2, d, d + 1, 5] if d == 3 else [0, 1, -1, d, d + 1, -1]
    for name, i in zip(("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps"), index, strict=True):
        cols[name] = x[:, i].copy() if i >= 0 else np.zeros(n)
    for a, (ia, ka) in enumerate(zip(TRACK_STATE_AXES, index, strict=True)):
        for ib, kb in zip(TRACK_STATE_AXES[a:], index[a:], strict=True):
            ok = ka >= 0 and kb >= 0
            cols[track_cov_column(ia, ib)] = P[:, ka, kb].copy() if ok else np.zeros(n)
    return Tracks.from_trusted_columns(cols)
