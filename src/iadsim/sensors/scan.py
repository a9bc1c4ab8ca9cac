"""Per-azimuth time stamps: a scan observed as sector looks.

A rotating radar illuminates each azimuth at its own time within the rotation; an
electronically scanned (sector) radar visits its beam positions in azimuth order
over its search frame. Both are modelled the same way: scan ``j`` starts at
``t0_j = scan_phase_s + j * scan_period_s`` with the beam at ``az_start = az_centre -
W / 2`` (``W`` the azimuth coverage, 2 pi for a rotating radar) and sweeps clockwise
at ``W / scan_period_s``, so azimuth ``az`` is illuminated at::

    t(az) = t0_j + scan_period_s * ((az - az_start) mod 2 pi) / W

(for a sector radar this is the frame's raster order, azimuth-major; the elevation
bars of one azimuth column share its time, and ``scan_period_s`` is its frame time).
A scan is split into ``n`` equal sectors (``RadarParams.scan_sectors``, default
``ceil(scan_period_s / 1 s)``); sector ``k`` spans ``[t0_j + k T / n, t0_j + (k + 1)
T / n]`` and is one *look*, an engine event at the sector's end, when its last azimuth
has been lit. Its targets are stamped with their own illumination times (truth
evaluated at those times), and its plots reach the tracker as one batch at the look
time with each plot's time kept as a measurement time offset (``dt <= 0``:
:mod:`iadsim.tracking.measurements`), so the tracker registers every plot at its own
time and never sees a plot before it exists; a plot waits at most ``T / n`` for its
look. The sector count trades that latency against the cost of a tracker call per
look. Fire-control acquisition dwells on a cue are instantaneous (one beam cluster,
stamped with the dwell time).

Targets near a sector boundary are assigned by their azimuth at ``t_c``; returns
in one azimuth beam that straddles a boundary are not merged (they are in different
looks). References: Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, sec.
1.6 (scan, time on target) and sec. 8.10 (electronically steered search);
Blackman and Popoli, *Design and Analysis of Modern Tracking Systems*, 1999, sec.
1.2 (plots are time-tagged by the beam position).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import TWO_PI
from iadsim.frames import Truth
from iadsim.sensors.radar import Radar

__all__ = [
    "DEFAULT_SECTOR_S",
    "Scan",
    "default_sectors",
    "illuminated_states",
    "illuminated_truth",
    "sector_views",
    "sectors_reached",
]

F = NDArray[np.float64]

#: Longest sector look of the default ``scan_sectors = ceil(scan_period_s / 1 s)``: a
#: plot waits at most 1 s for the tracker (registration is exact to first order at any
#: sector count: the plot's own time is kept); a tracker call per look costs ~1 ms.
DEFAULT_SECTOR_S = 1.0


def default_sectors(scan_period_s: float) -> int:
    """``ceil(scan_period_s / DEFAULT_SECTOR_S)`` (at least 1)."""
    return max(1, math.ceil(scan_period_s / DEFAULT_SECTOR_S - 1e-9))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Scan:
    """The scan schedule of one placed radar (see the module docstring).

    Attributes
    ----------
    period_s, phase_s : float
        Scan (rotation or frame) period and the start time of scan 0, s.
    az_start_rad, width_rad : float
        Azimuth at the start of a scan (clockwise from north) and the swept width.
    n_sectors : int
        Sector looks per scan.
    """

    period_s: float
    phase_s: float
    az_start_rad: float
    width_rad: float
    n_sectors: int

    @classmethod
    def of(cls, radar: Radar) -> Scan:
        """The schedule of ``radar`` (its coverage, period, phase and sectors)."""
        p = radar.params
        width = min(p.az_width_rad, TWO_PI)
        return cls(
            period_s=p.scan_period_s,
            phase_s=radar.scan_phase_s,
            az_start_rad=(radar.az_center_rad - 0.5 * width) % TWO_PI,
            width_rad=width,
            n_sectors=p.scan_sectors or default_sectors(p.scan_period_s),
        )

    @property
    def sector_s(self) -> float:
        """Duration of one sector look, s."""
        return self.period_s / self.n_sectors

    @property
    def rate_rad_s(self) -> float:
        """Azimuth sweep rate, rad/s."""
        return self.width_rad / self.period_s

    def next_look_after(self, t_s: float) -> float:
        """Time of the first sector look (a sector's end) strictly after ``t_s``."""
        d = self.sector_s
        j = max(math.floor((t_s - self.phase_s) / d) + 1.0, 1.0)
        t_next = self.phase_s + j * d
        while t_next <= t_s:  # the division can round down at a look time itself
            j += 1.0
            t_next = self.phase_s + j * d
        return t_next

    def look_at(self, t_s: float) -> tuple[int, float, float]:
        """Sector index and time span ``(k, t_start_s, t_end_s)`` of the look at ``t_s``."""
        d = self.sector_s
        j = round((t_s - self.phase_s) / d) - 1
        return int(j % self.n_sectors), self.phase_s + j * d, self.phase_s + (j + 1) * d

    def sector_centre_rad(self, k: int) -> float:
        """Azimuth at the centre of sector ``k``."""
        return (self.az_start_rad + (k + 0.5) * self.width_rad / self.n_sectors) % TWO_PI


def sector_views(radar: Radar, scan: Scan) -> list[Radar]:
    """One :class:`Radar` per sector: the radar restricted to the sector's azimuth wedge
    and sweeping at the scan rate (its compiled arrays share the radar's, terrain mask
    included; false alarms scale with the wedge's share of the resolution cells)."""
    base = radar.group
    width = scan.width_rad / scan.n_sectors
    params = dataclasses.replace(radar.params, az_width_rad=width)
    views = []
    for k in range(scan.n_sectors):
        centre = scan.sector_centre_rad(k)
        view = dataclasses.replace(
            radar, params=params, boresight_az_rad=centre, sweep_rate_rad_s=scan.rate_rad_s
        )
        group = dataclasses.replace(
            base,
            az_center_rad=np.array([centre]),
            az_width_rad=np.array([width]),
            n_cells=np.array([params.n_resolution_cells()]),
            sweep_rate_rad_s=np.array([scan.rate_rad_s]),
        )
        object.__setattr__(view, "_group", group)
        views.append(view)
    return views


def illuminated_truth(
    view: Radar, start: Truth, end: Truth, t_start_s: float, t_end_s: float
) -> Truth:
    """Truth of one sector look: each target in the sector at its illumination time.

    ``start`` and ``end`` are all threats' states at the look's start and end times
    (same rows). A target belongs to the look if it is alive at both ends and its
    azimuth from the radar at ``t_c`` (midway) is in the view's wedge ``[centre - w/2,
    centre + w/2)``; its illumination time is ``t_c + wrap(az - centre) / rate``
    (clipped to the sector's span), refined once with the azimuth at that time, and
    its state is interpolated linearly between ``start`` and ``end`` (the truth table
    is itself linear on a 0.25 s grid). Only the wedge's targets are interpolated:
    a look costs the threats alive plus the targets in its wedge, not all rows (a
    look with none, most looks of a small raid, returns one shared empty frame).

    Returns
    -------
    Truth
        The rows of ``start`` of the targets in the look, in their order (``alive``
        True); ``t_s`` holds each row's illumination time.
    """
    return illuminated_states(
        view, (_columns(start), start.alive), (_columns(end), end.alive), start.threat_id,
        t_start_s, t_end_s,
    )  # fmt: skip


def illuminated_states(
    view: Radar,
    start: tuple[F, NDArray[np.bool_]],
    end: tuple[F, NDArray[np.bool_]],
    threat_id: NDArray[np.int64],
    t_start_s: float,
    t_end_s: float,
) -> Truth:
    """:func:`illuminated_truth` from the states as arrays: ``start`` and ``end`` are
    ``(x, alive)``, the states (7, n) (columns ``e_m, n_m, u_m, ve_mps, vn_mps,
    vu_mps, alt_m``) and alive flags (n,) of all threats, ``threat_id`` (n,) their ids
    (a truth table's blocks: a look gathers its wedge's rows of the 7 columns at once)."""
    (xa, alive_a), (xb, alive_b) = start, end
    c = view.group.dwell_constants.coverage
    span, t_c = t_end_s - t_start_s, 0.5 * (t_start_s + t_end_s)
    half = 0.5 * view.params.az_width_rad
    rows = (alive_a & alive_b).nonzero()[0]
    mid = 0.5 * (xa[:2, rows] + xb[:2, rows])  # e, n midway
    d = _offset(mid[0], mid[1], c.e_m, c.n_m, c.az_center_rad)
    inside = (d >= -half) & (d < half)
    if not inside.any():  # most looks of a small raid: nothing in the wedge
        return _NOTHING_LIT
    rows, d = rows[inside], d[inside]
    a, b = xa[:, rows], xb[:, rows]  # (7, k) states of the wedge's rows
    rate = view.sweep_rate_rad_s

    def state_at(t: F, m: int = len(_STATE)) -> F:  # (m, k) states at the times t (k,)
        w = (t - t_start_s) / span
        return a[:m] * (1.0 - w) + b[:m] * w

    # the illumination time from the azimuth at t_c, refined once with the azimuth then
    t = np.clip(t_c + d / rate, t_start_s, t_end_s)
    at = state_at(t, 2)  # e, n
    t = np.clip(
        t_c + _offset(at[0], at[1], c.e_m, c.n_m, c.az_center_rad) / rate, t_start_s, t_end_s
    )
    row = state_at(t)
    alive = np.ones(rows.shape[0], dtype=np.bool_)
    ids = threat_id[rows]
    for fresh in (row, t, alive, ids):  # handed over read-only (the frame makes no views)
        fresh.flags.writeable = False
    return Truth.from_owned_columns(
        {
            "t_s": t,
            "threat_id": ids,
            **dict(zip(_STATE, row, strict=True)),
            "alive": alive,
        }
    )


def sectors_reached(views: list[Radar], box_m: F) -> NDArray[np.bool_]:
    """Which sector looks (one per view) may light a target whose horizontal positions
    lie in its box, for each set of boxes: a superset of the looks of
    :func:`illuminated_states` with a row in their wedge, for looks whose start and end
    states lie in one box of each target, or in two that share a point (adjacent
    windows of a truth table: :meth:`~iadsim.truth.TruthTable.extent`).

    ``box_m`` (c, 4, k): ``e`` min, ``e`` max, ``n`` min, ``n`` max of ``k`` targets in
    ``c`` sets (m, NaN: anywhere); returns (c, n_sectors). A box seen from the radar
    within an azimuth arc of half-width ``dev < pi / 4`` about its centre's azimuth (its
    corners bound it) holds every position of the target; two such arcs that share a
    point span less than pi, a convex cone, which holds the midpoint of a start and an
    end position, the point whose azimuth :func:`illuminated_states` tests. A look may
    light the target if its wedge meets one of the arcs (1e-6 rad slack, far above
    rounding). Boxes within 1 m of the radar, wider arcs or non-finite ones reach
    every sector.
    """
    c = views[0].group.dwell_constants.coverage
    e0, e1 = box_m[:, 0] - c.e_m, box_m[:, 1] - c.e_m  # (c, k) each
    n0, n1 = box_m[:, 2] - c.n_m, box_m[:, 3] - c.n_m
    with np.errstate(invalid="ignore"):
        centre = np.arctan2(0.5 * (e0 + e1), 0.5 * (n0 + n1))
        dev = np.zeros(centre.shape)
        for e, n in ((e0, n0), (e0, n1), (e1, n0), (e1, n1)):
            off = (np.arctan2(e, n) - centre + np.pi) % TWO_PI - np.pi
            dev = np.maximum(dev, np.abs(off))  # (NaN propagates)
        near = (e0 <= 1.0) & (e1 >= -1.0) & (n0 <= 1.0) & (n1 >= -1.0)  # the radar in it
        anywhere = near | ~(dev < 0.25 * np.pi)  # (NaN: not < )
    wedge = np.array([v.group.dwell_constants.coverage.az_center_rad for v in views])
    half = np.array([0.5 * v.params.az_width_rad for v in views])
    gap = np.abs((centre[:, None, :] - wedge[None, :, None] + np.pi) % TWO_PI - np.pi)
    reach = gap <= half[None, :, None] + dev[:, None, :] + 1e-6  # (c, n_sectors, k)
    return np.asarray((reach | anywhere[:, None, :]).any(axis=2))


_STATE = ("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "alt_m")

#: The truth of a look whose wedge holds no target (frames are immutable: one shared).
_NOTHING_LIT = Truth.empty()


def _columns(truth: Truth) -> F:
    """The state columns of ``truth`` as a (7, n) array (in ``_STATE`` order)."""
    return np.array([getattr(truth, name) for name in _STATE])  # (np.stack: 5x slower)


def _offset(e: F, n: F, sensor_e: float, sensor_n: float, centre_rad: float) -> F:
    """Azimuth of points (e, n) (n,) from the sensor minus ``centre_rad``, in [-pi, pi)."""
    with np.errstate(invalid="ignore"):
        az = np.arctan2(e - sensor_e, n - sensor_n)
    return np.asarray((az - centre_rad + np.pi) % TWO_PI - np.pi)
