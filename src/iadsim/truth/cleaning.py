"""Cleaning recorded reports into flights: never a silently wrong trajectory.

In this order (counts in :class:`CleaningCounts`):

1. reports without a position or altitude are removed (``incomplete``);
   latitudes or longitudes out of range are rejected (corrupt file);
2. absurd altitudes (outside ``[min_alt_m, max_alt_m]``) and ground speeds (above
   ``max_speed_mps``) are removed, unless more than ``max_absurd_fraction`` of the
   reports are absurd: then the file is rejected (a wrong declared unit, most likely);
3. timestamps must not go backwards for an aircraft in file order (rejected with
   the row); reports repeating an aircraft's time are removed (``duplicates``);
4. a report at exactly the previous report's position is a frozen (not updated)
   position and is removed (``frozen``);
5. isolated spikes, reports whose implied speed to both neighbours is impossible
   (horizontal above ``max_speed_mps`` or vertical above ``max_vertical_mps``)
   while the neighbours agree with each other, are removed (``outliers``);
6. an aircraft's reports are split into flights at gaps above ``max_gap_s``
   (``gap_splits``) and at remaining impossible jumps (``jump_splits``); flights of
   fewer than two reports are dropped (``short_flights``).

Distances for the speed tests use the local equirectangular approximation on the
mean Earth sphere (error well under 1 % over the few km between reports).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.errors import InputDataError
from iadsim.truth.recording import RawReports

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["CleaningCounts", "CleaningOptions", "Flights", "clean_reports"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CleaningOptions:
    """Thresholds of the cleaning steps (module doc); SI units."""

    max_gap_s: float = 30.0
    max_speed_mps: float = 400.0
    max_vertical_mps: float = 120.0
    min_alt_m: float = -500.0
    max_alt_m: float = 20_000.0
    max_absurd_fraction: float = 0.05


@dataclasses.dataclass(frozen=True, kw_only=True)
class CleaningCounts:
    """What cleaning did (report and split counts)."""

    reports_read: int
    incomplete: int
    absurd_altitude: int
    absurd_speed: int
    duplicates: int
    frozen: int
    outliers: int
    gap_splits: int
    jump_splits: int
    short_flights: int
    reports_kept: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class Flights:
    """Cleaned reports grouped into flights (rows sorted by flight, then time).

    ``start[i]:start[i + 1]`` are the rows of flight ``i`` (``start`` has
    ``n_flights + 1`` entries); ``icao24``/``callsign`` name each flight.
    """

    file: str
    start: I64
    icao24: tuple[str, ...]
    callsign: tuple[str, ...]
    t_s: F64
    lat_deg: F64
    lon_deg: F64
    alt_m: F64
    groundspeed_mps: F64
    track_deg: F64
    counts: CleaningCounts

    @property
    def n_flights(self) -> int:
        """Number of flights."""
        return int(self.start.shape[0] - 1)


def _reject(raw: RawReports, col: str, i: int, why: str) -> InputDataError:
    return InputDataError(f"{raw.file}: column {col!r}: row {int(raw.row[i])}: {why}")


def _absurd(raw: RawReports, bad: B, col: str, what: str, opts: CleaningOptions) -> None:
    """Reject the file if too many reports are absurd (likely a wrong unit)."""
    n = int(bad.sum())
    if n and n > opts.max_absurd_fraction * bad.shape[0]:
        first = int(np.flatnonzero(bad)[0])
        raise _reject(
            raw, col, first,
            f"{n} of {bad.shape[0]} reports have an absurd {what} (is the declared unit right?)",
        )  # fmt: skip


def _ground_m(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    """Equirectangular ground distance between points (degrees), m."""
    la1, la2 = np.radians(lat1), np.radians(lat2)
    dlon = (np.radians(lon2) - np.radians(lon1) + np.pi) % (2 * np.pi) - np.pi
    x = dlon * np.cos(0.5 * (la1 + la2))
    return np.asarray(EARTH_MEAN_RADIUS_M * np.hypot(x, la2 - la1))


def _screen(raw: RawReports, opts: CleaningOptions) -> tuple[B, dict[str, int]]:
    """Steps 1-2: mask of usable reports and the counts."""
    pos = np.isfinite(raw.lat_deg) & np.isfinite(raw.lon_deg)
    ok = pos & np.isfinite(raw.alt_m) & np.isfinite(raw.t_s)
    bad_geo = ok & ((np.abs(raw.lat_deg) > 90.0) | (np.abs(raw.lon_deg) > 180.0))
    if bad_geo.any():
        i = int(np.flatnonzero(bad_geo)[0])
        col = "latitude" if abs(raw.lat_deg[i]) > 90.0 else "longitude"
        raise _reject(raw, col, i, "out of range (degrees expected)")
    alt_bad = ok & ((raw.alt_m < opts.min_alt_m) | (raw.alt_m > opts.max_alt_m))
    _absurd(raw, alt_bad, "altitude", "altitude", opts)
    gs_bad = ok & ((raw.groundspeed_mps > opts.max_speed_mps) | (raw.groundspeed_mps < 0.0))
    _absurd(raw, gs_bad, "groundspeed", "ground speed", opts)
    keep = ok & ~alt_bad & ~gs_bad
    counts = {
        "incomplete": int((~ok).sum()),
        "absurd_altitude": int(alt_bad.sum()),
        "absurd_speed": int((gs_bad & ~alt_bad).sum()),
    }
    return keep, counts


def _order(raw: RawReports, keep: B) -> I64:
    """Step 3: kept rows sorted by aircraft then time; rejects times going backwards."""
    rows = np.flatnonzero(keep)
    by_ac = rows[np.argsort(raw.aircraft[rows], kind="stable")]  # file order per aircraft
    same = raw.aircraft[by_ac[1:]] == raw.aircraft[by_ac[:-1]]
    back = same & (raw.t_s[by_ac[1:]] < raw.t_s[by_ac[:-1]])
    if back.any():
        k = int(np.flatnonzero(back)[0])
        i, prev = int(by_ac[k + 1]), int(by_ac[k])
        raise _reject(
            raw, "timestamp", i,
            f"time goes backwards for icao24 {raw.icao24[raw.aircraft[i]]} "
            f"({raw.t_s[i]:.3f} s after {raw.t_s[prev]:.3f} s at row {int(raw.row[prev])})",
        )  # fmt: skip
    return by_ac


def _drop_repeats(raw: RawReports, rows: I64) -> tuple[I64, int, int]:
    """Steps 3-4: remove repeated times (duplicates), then repeated positions (frozen)."""
    if rows.size == 0:  # (an empty recording)
        return rows, 0, 0
    ac, t = raw.aircraft[rows], raw.t_s[rows]
    dup = np.r_[False, (ac[1:] == ac[:-1]) & (t[1:] == t[:-1])]
    rows = rows[~dup]
    ac, lat, lon = raw.aircraft[rows], raw.lat_deg[rows], raw.lon_deg[rows]
    frozen = np.r_[False, (ac[1:] == ac[:-1]) & (lat[1:] == lat[:-1]) & (lon[1:] == lon[:-1])]
    return rows[~frozen], int(dup.sum()), int(frozen.sum())


def _too_fast(raw: RawReports, a: I64, b: I64, opts: CleaningOptions) -> B:
    """Impossible horizontal or vertical speed between report rows ``a`` and ``b``."""
    dt = np.abs(raw.t_s[b] - raw.t_s[a])
    d = _ground_m(raw.lat_deg[a], raw.lon_deg[a], raw.lat_deg[b], raw.lon_deg[b])
    dz = np.abs(raw.alt_m[b] - raw.alt_m[a])
    return np.asarray((d > opts.max_speed_mps * dt) | (dz > opts.max_vertical_mps * dt))


def _drop_spikes(raw: RawReports, rows: I64, opts: CleaningOptions) -> tuple[I64, int]:
    """Step 5: remove isolated spikes, repeatedly (a few passes catch short bursts)."""
    removed = 0
    for _ in range(8):
        n = rows.shape[0]
        if n < 3:
            break
        ac = raw.aircraft[rows]
        jump = np.zeros(n + 1, dtype=bool)  # jump[k]: impossible step from k-1 to k
        same = ac[1:] == ac[:-1]
        jump[1:n] = same & _too_fast(raw, rows[:-1], rows[1:], opts)
        spike = jump[:n] & jump[1:]
        skip_ok = np.zeros(n, dtype=bool)
        inner = np.arange(1, n - 1)
        skip_ok[inner] = (ac[inner - 1] == ac[inner + 1]) & ~_too_fast(
            raw, rows[inner - 1], rows[inner + 1], opts
        )
        first = np.r_[True, ~same]  # an aircraft's first report: no previous one
        last = np.r_[~same, True]
        head = first & ~last & np.r_[jump[1:n], False]  # first report jumping to the rest
        head &= ~np.r_[jump[2:n], False, False]
        bad = (spike & skip_ok) | head
        if not bad.any():
            break
        removed += int(bad.sum())
        rows = rows[~bad]
    return rows, removed


def clean_reports(raw: RawReports, opts: CleaningOptions | None = None) -> Flights:
    """Clean ``raw`` into flights (module doc); raise InputDataError on a corrupt file."""
    opts = opts or CleaningOptions()
    keep, counts = _screen(raw, opts)
    rows = _order(raw, keep)
    rows, counts["duplicates"], counts["frozen"] = _drop_repeats(raw, rows)
    rows, counts["outliers"] = _drop_spikes(raw, rows, opts)
    ac, t = raw.aircraft[rows], raw.t_s[rows]
    same = ac[1:] == ac[:-1]
    gap = same & (t[1:] - t[:-1] > opts.max_gap_s)
    jump = same & ~gap & _too_fast(raw, rows[:-1], rows[1:], opts)
    bounds = np.r_[True, ~same | gap | jump, True] if rows.size else np.ones(1, bool)
    start = np.flatnonzero(bounds)  # (no report left: no flight)
    length = np.diff(start)
    short = length < 2
    keep_rows = np.repeat(~short, length)
    rows = rows[keep_rows]
    length = length[~short]
    start = np.r_[0, np.cumsum(length)].astype(np.int64)
    firsts = rows[start[:-1]]
    return Flights(
        file=raw.file,
        start=start,
        icao24=tuple(raw.icao24[a] for a in raw.aircraft[firsts].tolist()),
        callsign=tuple(raw.callsigns[c] for c in raw.callsign[firsts].tolist()),
        t_s=raw.t_s[rows],
        lat_deg=raw.lat_deg[rows],
        lon_deg=raw.lon_deg[rows],
        alt_m=raw.alt_m[rows],
        groundspeed_mps=raw.groundspeed_mps[rows],
        track_deg=raw.track_deg[rows],
        counts=CleaningCounts(
            reports_read=int(raw.row.shape[0]),
            **counts,
            gap_splits=int(gap.sum()),
            jump_splits=int(jump.sum()),
            short_flights=int(short.sum()),
            reports_kept=int(rows.shape[0]),
        ),
    )
