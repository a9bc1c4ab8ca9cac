"""Small numeric helpers shared by kernels (bottom layer: imports only numpy).

The three-term sum is written out because ``np.linalg.norm`` or ``np.sum`` over a
trailing axis of size 3 costs 5-50 us per call on the few dozen rows of a dwell or
a tracker cycle, while three element-wise adds cost ~1 us; the terms are added
left to right, the order numpy's reductions use for three terms, so the results
are the same bits.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["last_per_time", "norm3", "norm_m", "sorted_position", "sum3"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


def sum3(x: F) -> F:
    """Sum over the last axis of size 3, ``x[..., 0] + x[..., 1] + x[..., 2]``.

    Parameters
    ----------
    x : (..., 3) float array

    Returns
    -------
    (...) float array, equal to ``np.sum(x, axis=-1)``.
    """
    return np.asarray(x[..., 0] + x[..., 1] + x[..., 2])


def norm3(x: F) -> F:
    """Euclidean norm over the last axis of size 3, ``sqrt(x0^2 + x1^2 + x2^2)``.

    Parameters
    ----------
    x : (..., 3) float array (e.g. ENU offsets in m)

    Returns
    -------
    (...) float array, equal to ``np.linalg.norm(x, axis=-1)`` (:func:`norm_m`).
    """
    return norm_m(x)


def norm_m(rel: F) -> F:
    """|rel| over the last axis of ``rel`` (..., d): the squares summed axis by axis,
    the same sum in the same order as ``np.linalg.norm(rel, axis=-1)``, without its
    reduction over 2-3 elements (the pre-gates', the coverage tests' and the
    attribution's distance)."""
    sq = np.square(rel[..., 0])
    for k in range(1, rel.shape[-1]):
        sq += np.square(rel[..., k])
    return np.asarray(np.sqrt(sq))


def sorted_position(keys: I64, query: I64, sorter: I64 | None = None) -> I64:
    """Index in ``keys`` of each of ``query`` (-1 where absent), by binary search.

    Parameters
    ----------
    keys : (n,) unique ints, sorted (or put in order by ``sorter``, as for
        ``np.searchsorted``).
    query : (...) ints.

    Returns
    -------
    (...) int64 indices into ``keys`` (not into the sorted order), -1 for ids not in it.
    """
    q = np.asarray(query, dtype=np.int64)
    if keys.size == 0:
        return np.full(q.shape, -1, dtype=np.int64)
    j = np.minimum(np.searchsorted(keys, q, sorter=sorter), keys.size - 1)
    at = j if sorter is None else sorter[j]
    return np.where(keys[at] == q, at, -1).astype(np.int64)


def last_per_time(t_s: F, ids: I64) -> NDArray[np.bool_]:
    """(n,) True on the last row (in row order) of each (time, id) pair of the rows
    ``t_s``, ``ids`` (n,): a tracker's output over several looks at one instant (radars
    whose looks end together) holds a track once per look, and the last row is its
    state after all of them."""
    n = t_s.shape[0]
    keep = np.ones(n, dtype=bool)
    if n >= 2:
        order = np.lexsort((np.arange(n), ids, t_s))
        last = np.ones(n, dtype=bool)
        last[:-1] = (t_s[order][1:] != t_s[order][:-1]) | (ids[order][1:] != ids[order][:-1])
        keep[order] = last
    return keep
