"""Track rows on their way out of the tracker: blocks of states that become one
:class:`iadsim.frames.Tracks` frame (live tracks of a look, then the tracks it deleted).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Tracks

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

    The frame owns its data: states and variances are copied (the filter bank is
    updated in place later, which must never change a frame already returned).
    """
    if not parts:
        return Tracks.empty()

    def cat(arrays: list[NDArray[Any]]) -> NDArray[Any]:
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    x = cat([r.x for r in parts])
    n = x.shape[0]
    z = np.zeros(n)
    xs = x.T.copy()  # (nx, n), C order: one row per column of the frame
    var = cat([np.diagonal(r.P, axis1=1, axis2=2) for r in parts]).T.copy()
    cols = {
        "t_s": np.array(cat([r.t_s for r in parts]), dtype=np.float64),
        "track_id": np.array(cat([r.track_id for r in parts]), dtype=np.int64),
        "status": np.array(cat([r.status for r in parts]), dtype=np.int8),
        "e_m": xs[0],
        "n_m": xs[1],
        "u_m": xs[2] if d == 3 else z,
        "ve_mps": xs[d],
        "vn_mps": xs[d + 1],
        "vu_mps": xs[5] if d == 3 else z,
        "var_e_m2": var[0],
        "var_n_m2": var[1],
        "var_u_m2": var[2] if d == 3 else z,
        "var_ve_m2ps2": var[d],
        "var_vn_m2ps2": var[d + 1],
        "var_vu_m2ps2": var[5] if d == 3 else z,
        "quality": np.array(cat([r.quality for r in parts]), dtype=np.float64),
    }
    return Tracks.from_trusted_columns(cols)
