"""Detection step 3: unresolved targets merge into one return (pure kernels).

Targets of one radar in the same resolution cell, i.e. the same range cell
``floor(R / dR)``, azimuth beam ``floor(az / theta_az)`` and elevation beam
``floor((el - el_min) / theta_el)``, are one return: their SNRs add, the position
is the SNR-weighted centroid and the identity is the strongest contributor's
(Skolnik 2001, sec. 1.6 on resolution; the centroid is the usual model of an
unresolved pair's measured position).

Cells are grouped by their three integer indices compared as a tuple (a
lexicographic sort), with no limit on any index: an elevation beam of 0.01 deg
keeps targets 15 deg apart in separate cells.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["Merged", "cell_indices", "merge_cells", "snr_weighted_centroids"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


def cell_indices(
    r: F,
    az: F,
    el: F,
    *,
    range_resolution_m: float,
    az_beamwidth_rad: float,
    el_beamwidth_rad: float,
    el_min_rad: float,
) -> tuple[I64, I64, I64]:
    """Range cell, azimuth beam and elevation beam of each return.

    Parameters
    ----------
    r, az, el : (m,) slant range (m), azimuth in [0, 2 pi) and elevation (rad)
    range_resolution_m, az_beamwidth_rad, el_beamwidth_rad, el_min_rad : float
        The radar's cell sizes and lower elevation limit.

    Returns
    -------
    (m,) int64 each: ``floor(r / dR)``, ``floor(az / theta_az)``,
    ``max(floor((el - el_min) / theta_el), 0)``.
    """
    rb = (r / range_resolution_m).astype(np.int64)
    ab = (az / az_beamwidth_rad).astype(np.int64)
    eb = np.maximum(((el - el_min_rad) / el_beamwidth_rad).astype(np.int64), 0)
    return rb, ab, eb


class Merged(NamedTuple):
    """Returns grouped by cell: group of each input row, strongest row per group,
    summed SNR per group (groups in ascending (range, azimuth, elevation) cell order)."""

    group: I64
    best: I64
    total: F


def merge_cells(rb: I64, ab: I64, eb: I64, snr: F) -> Merged | None:
    """Group returns that share a cell (``None`` when every return is alone).

    Parameters
    ----------
    rb, ab, eb : (m,) int64 cell indices (:func:`cell_indices`)
    snr : (m,) linear SNR per return

    Returns
    -------
    Merged or None
        ``group`` (m,) in [0, g), ``best`` (g,) the row of largest SNR in each group
        (the first such row on ties), ``total`` (g,) the summed SNRs.
    """
    m = rb.shape[0]
    if m < 2:
        return None
    sorted_rb = np.sort(rb)
    if not (sorted_rb[1:] == sorted_rb[:-1]).any():  # distinct range cells: nobody merges
        return None
    order = np.lexsort((eb, ab, rb))  # by range cell, then azimuth beam, then elevation beam
    rs, as_, es = rb[order], ab[order], eb[order]
    same = (rs[1:] == rs[:-1]) & (as_[1:] == as_[:-1]) & (es[1:] == es[:-1])
    if not same.any():
        return None
    start = np.ones(m, dtype=bool)
    start[1:] = ~same
    group_sorted = np.cumsum(start) - 1
    group = np.empty_like(group_sorted)
    group[order] = group_sorted
    n_groups = int(group_sorted[-1]) + 1
    by_power = np.lexsort((-snr, group))  # by group, strongest first
    first = np.ones(m, dtype=bool)
    first[1:] = group[by_power][1:] != group[by_power][:-1]
    total = np.bincount(group, weights=snr, minlength=n_groups)
    return Merged(group.astype(np.int64), by_power[first].astype(np.int64), np.asarray(total))


def snr_weighted_centroids(merged: Merged, snr: F, *columns: F) -> list[F]:
    """SNR-weighted mean of each column over each group.

    Parameters
    ----------
    merged : the grouping (:func:`merge_cells`)
    snr : (m,) linear SNR per return (the weights)
    *columns : (m,) values per return (ENU offsets, range rate, ...)

    Returns
    -------
    list of (g,) arrays, ``sum_i w_i x_i`` with ``w_i = snr_i / total_group``.
    """
    w = snr / merged.total[merged.group]
    g = merged.total.shape[0]
    return [np.bincount(merged.group, w * x, g).astype(np.float64) for x in columns]
