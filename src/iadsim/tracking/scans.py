"""Recorded plots grouped into scans: one look per sensor revisit, for re-tracking files.

A real radar stamps every plot with its own illumination time (a rotating antenna
sweeps its coverage over the whole scan period), and so do iadsim's own runs. A
tracker fed such a file one distinct time at a time would see each plot as a scan
of its own and charge every other track a miss: nothing would ever be confirmed.
The plots are therefore grouped, per sensor, into looks of one revisit period
each, and the tracker processes each look as one batch at the look's last plot
time, every plot keeping its own time as an offset (exact registration; see
:meth:`iadsim.tracking.tracker.Tracker.step` ``batch``). A track is then charged at
most one miss per revisit, as a scan-by-scan tracker does.

The revisit period is given or estimated from the plots themselves:
:func:`revisit_period_s` takes, for each plot, the time since the previous plot in
the same azimuth bin. A scanning radar comes back to an azimuth once per revisit,
so these gaps are whole multiples of the period (a plot of the same target one scan
later: T; a target missed for a scan, or another target or a false alarm passing
the bin later: 2 T, 3 T, ...). The estimate is the median of the gaps near the
lowest of them (its 5th percentile, which a few percent of one-scan gaps suffice to
fix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Look", "revisit_period_s", "revisit_periods", "scan_looks"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

#: azimuth bin of the revisit estimate, rad (1 deg)
AZ_BIN_RAD = np.pi / 180.0
#: gaps shorter than this are plots of the same dwell or sweep, not a revisit, s
MIN_REVISIT_S = 0.2
#: gaps the estimate needs before it is trusted
MIN_GAPS = 10


@dataclass(frozen=True)
class Look:
    """One look of one sensor: row indices into the file, in time order.

    Attributes
    ----------
    rows : (m,) int64 row indices of the look's plots (file order, i.e. time order).
    t_s : time of the look, s: its last plot's time (the others are earlier).
    sensor : the sensor id of the look's plots (-1 for a file without sensors).
    """

    rows: I64
    t_s: float
    sensor: int


def revisit_period_s(t_s: F64, az_rad: F64) -> float | None:
    """Revisit period of one sensor estimated from its plots' times and azimuths, s.

    Parameters
    ----------
    t_s : (n,) plot times, s, in non-decreasing order.
    az_rad : (n,) plot azimuths, rad (any branch).

    Returns
    -------
    The median gap between successive plots in the same 1-degree azimuth bin
    (gaps of at least ``MIN_REVISIT_S``), taken among the gaps within 20% of their
    5th percentile; ``None`` with fewer than ``MIN_GAPS`` gaps.
    """
    if t_s.shape[0] < 2:
        return None
    b = np.floor(np.mod(az_rad, 2 * np.pi) / AZ_BIN_RAD).astype(np.int64)
    order = np.lexsort((t_s, b))  # by bin, then by time
    tb, bb = t_s[order], b[order]
    gap = np.diff(tb)
    gap = gap[(bb[1:] == bb[:-1]) & (gap >= MIN_REVISIT_S)]
    if gap.shape[0] < MIN_GAPS:
        return None
    low = float(np.quantile(gap, 0.05))
    return float(np.median(gap[(gap >= 0.8 * low) & (gap <= 1.2 * low)]))


def scan_looks(t_s: F64, sensor: I64, period_s: dict[int, float | None]) -> list[Look]:
    """The plots split into looks of one revisit period per sensor, in time order.

    Parameters
    ----------
    t_s : (n,) plot times, s, non-decreasing (the file's order).
    sensor : (n,) sensor id of each plot (-1: unknown, one sensor).
    period_s : revisit period per sensor id, s; ``None`` (no estimate) keeps that
        sensor's plots grouped by equal time, as stamped.

    Returns
    -------
    Looks ordered by their time (ties by sensor). Look ``k`` of a sensor whose first
    plot is at ``t0`` holds its plots with ``round((t - t0) / T) == k``: windows one
    period wide centred on ``t0 + k T``, so a file stamped once per scan, even with
    jitter below T/2, keeps one look per stamped scan.
    """
    looks: list[Look] = []
    for s in np.unique(sensor).tolist():
        rows = np.flatnonzero(sensor == s)
        ts = t_s[rows]
        period = period_s.get(int(s))
        if period is None:
            key = ts  # equal times, as stamped
        else:
            key = np.floor((ts - ts[0]) / period + 0.5)
        cut = np.flatnonzero(np.diff(key) != 0) + 1
        for part in np.split(rows, cut):
            looks.append(Look(rows=part, t_s=float(t_s[part[-1]]), sensor=int(s)))
    looks.sort(key=lambda look: (look.t_s, look.sensor))
    return looks


def revisit_periods(
    t_s: F64, sensor: I64, az_rad: F64, look_s: float | None = None
) -> dict[int, tuple[float | None, bool]]:
    """Per sensor id: (revisit period, s, or None to keep its time stamps; estimated?).

    ``look_s`` given: that period for every sensor. A sensor whose plots are stamped
    once per scan (two plots or more per time stamp on average) keeps its stamps;
    otherwise its period is :func:`revisit_period_s` (``None`` if too few plots).
    """
    out: dict[int, tuple[float | None, bool]] = {}
    for s in np.unique(sensor).tolist():
        mine = sensor == s
        if look_s is not None:
            out[int(s)] = (look_s, False)
        elif 2 * np.unique(t_s[mine]).shape[0] <= int(mine.sum()):
            out[int(s)] = (None, False)
        else:
            out[int(s)] = (revisit_period_s(t_s[mine], az_rad[mine]), True)
    return out
