"""Track rows on their way out of the tracker: blocks of states that become one
:class:`iadsim.frames.Tracks` frame (live tracks of a look, then the tracks it deleted).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TRACK_STATE_AXES, Tracks, track_cov_column

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["TrackRows", "hit_summary", "tracks_frame"]

#: hit_summary of a look without hits (shared: empty, nothing to write)
_NO_HITS = (np.zeros(0, dtype=np.int64), np.zeros(0))


def hit_summary(hits: list[I64], hit_t: list[F64]) -> tuple[I64, F64]:
    """The ids a look's updates ``hits`` updated (sorted, unique) and, per id, the latest
    of its updates' plot times ``hit_t``."""
    if not hits:
        return _NO_HITS
    ids, inv = np.unique(np.concatenate(hits), return_inverse=True)
    t = np.full(ids.shape[0], -np.inf)
    np.maximum.at(t, inv, np.concatenate(hit_t))
    return ids, t


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
    updated in place later, which must never change a frame already returned), all
    state and covariance columns into one read-only (27, n) block in two fancy-index
    copies. The position-velocity block of ``P`` is kept in full (variances and the
    upper-triangle covariance columns, :func:`iadsim.frames.track_cov_column`);
    terms of other state components (acceleration, turn rate) are not.
    """
    if not parts:
        return Tracks.empty()

    def cat(arrays: list[NDArray[Any]], dtype: type) -> NDArray[Any]:
        out: NDArray[Any] = np.array(
            arrays[0] if len(arrays) == 1 else np.concatenate(arrays), dtype=dtype
        )
        out.flags.writeable = False
        return out

    x = parts[0].x if len(parts) == 1 else np.concatenate([r.x for r in parts])
    P = parts[0].P if len(parts) == 1 else np.concatenate([r.P for r in parts])
    names, (sx, kx), (ia, ib, kc) = _layout(d)
    block = np.zeros((len(names), x.shape[0]))
    block[kx] = x[:, sx].T
    block[kc] = P[:, ia, ib].T
    block.flags.writeable = False  # its rows are the frame's columns
    cols: dict[str, NDArray[Any]] = {
        "t_s": cat([r.t_s for r in parts], np.float64),
        "track_id": cat([r.track_id for r in parts], np.int64),
        "status": cat([r.status for r in parts], np.int8),
        "quality": cat([r.quality for r in parts], np.float64),
    }
    cols.update(zip(names, block, strict=True))
    return Tracks.from_owned_columns(cols)  # fresh read-only columns (cat, block rows)


@functools.cache
def _layout(d: int) -> tuple[tuple[str, ...], tuple[I64, I64], tuple[I64, I64, I64]]:
    """The state and covariance columns of a ``d``-D tracker's frame: their names, the
    state index of each estimated state column with its block row, and the (row, col)
    index into ``P`` of each estimated covariance column with its block row (columns
    of axes the tracker does not estimate, ``u`` in 2-D, stay 0)."""
    # state index of each ENU axis (e, n, u, ve, vn, vu); -1: not estimated (2-D)
    index = [0, 1, 2, d, d + 1, 5] if d == 3 else [0, 1, -1, d, d + 1, -1]
    names = ["e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps"]
    sx = [(i, k) for k, i in enumerate(index) if i >= 0]
    cov = []
    for a, (na, ka) in enumerate(zip(TRACK_STATE_AXES, index, strict=True)):
        for nb, kb in zip(TRACK_STATE_AXES[a:], index[a:], strict=True):
            if ka >= 0 and kb >= 0:
                cov.append((ka, kb, len(names)))
            names.append(track_cov_column(na, nb))
    ints = functools.partial(np.array, dtype=np.int64)
    state = (ints([i for i, _ in sx]), ints([k for _, k in sx]))
    return (
        tuple(names),
        state,
        (ints([c[0] for c in cov]), ints([c[1] for c in cov]), ints([c[2] for c in cov])),
    )
