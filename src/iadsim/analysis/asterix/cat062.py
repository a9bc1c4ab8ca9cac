"""System tracks -> CAT062 (SDPS track messages).

Edition: EUROCONTROL-SPEC-0149-9, *ASTERIX Part 9: Category 062 SDPS Track
Messages*, edition 1.20 (libasterix ``Cat_062_1_20``). Items written (LSBs from
the specification):

========  =====================================  ======================================
item      content                                encoding
========  =====================================  ======================================
I062/010  SAC, SIC of the tracker                8 + 8 bits
I062/070  time of track information              24 bits unsigned, LSB 1/128 s
I062/105  WGS-84 latitude, longitude             32 bits each, LSB 180/2^25 deg
I062/100  Cartesian X, Y (east, north)           24 bits each, LSB 0.5 m
I062/185  Cartesian VX, VY                       16 bits each, LSB 0.25 m/s
I062/040  track number                           16 bits (iadsim track id mod 65,536)
I062/080  track status                           CNF (tentative), SIM = 1, TSB (first
                                                 message), TSE (deleted), CST (coasting),
                                                 SRC = 2 (3D radar)
I062/130  geometric altitude (WGS-84 height)     16 bits two's complement, LSB 6.25 ft
I062/220  rate of climb/descent                  16 bits two's complement, LSB 6.25 ft/min
I062/500  APC: 1-sigma X, Y position accuracy    16 bits each, LSB 0.5 m
========  =====================================  ======================================

A value beyond its field's range is written at the range's end, and the export says
for how many messages of which item (:func:`fit_fields`). X, Y are the scenario's local
ENU plane about its origin (the specification's system plane is the SDPS's own
stereographic projection).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.asterix.codec import FT_M, libasterix, quantize, write_blocks
from iadsim.frames import Tracks, TrackStatus

__all__ = ["EDITION", "FIELDS", "LSB", "encode_cat062", "fit_fields"]

EDITION = (1, 20)
LSB = {
    "tod_s": 1.0 / 128.0,
    "latlon_deg": 180.0 / 2**25,
    "xy_m": 0.5,
    "v_mps": 0.25,
    "alt_m": 6.25 * FT_M,
    "climb_mps": 6.25 * FT_M / 60.0,
    "apc_m": 0.5,
}


#: the fields written from a float: item name, LSB key, bits, signed (the value is
#: clipped to the field's range: :func:`fit_fields` counts the messages it clips)
FIELDS: dict[str, tuple[str, str, int, bool]] = {
    "lat": ("I062/105 latitude", "latlon_deg", 32, True),
    "lon": ("I062/105 longitude", "latlon_deg", 32, True),
    "x": ("I062/100 X", "xy_m", 24, True),
    "y": ("I062/100 Y", "xy_m", 24, True),
    "vx": ("I062/185 VX", "v_mps", 16, True),
    "vy": ("I062/185 VY", "v_mps", 16, True),
    "alt": ("I062/130 altitude", "alt_m", 16, True),
    "climb": ("I062/220 rate of climb", "climb_mps", 16, True),
    "apcx": ("I062/500 APC X sigma", "apc_m", 16, False),
    "apcy": ("I062/500 APC Y sigma", "apc_m", 16, False),
}


def fit_fields(
    tracks: Tracks, lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64],
    h_m: NDArray[np.float64],
) -> tuple[dict[str, NDArray[np.int64]], dict[str, int]]:  # fmt: skip
    """The raw field values of each row (unsigned bit patterns) and, per item that had
    to be clipped to its field's range (a coasting track's position sigma beyond the
    32.8 km APC can carry, a diverged track's altitude), the number of messages clipped."""
    value = {
        "lat": lat_deg, "lon": lon_deg, "x": tracks.e_m, "y": tracks.n_m,
        "vx": tracks.ve_mps, "vy": tracks.vn_mps, "alt": h_m, "climb": tracks.vu_mps,
        "apcx": np.sqrt(tracks.var_e_m2), "apcy": np.sqrt(tracks.var_n_m2),
    }  # fmt: skip
    raw: dict[str, NDArray[np.int64]] = {}
    clipped: dict[str, int] = {}
    for key, (item, lsb, bits, signed) in FIELDS.items():
        q = quantize(value[key], LSB[lsb])
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        n = int(np.count_nonzero((q < lo) | (q > hi)))
        if n:
            clipped[item] = n
        raw[key] = np.clip(q, lo, hi) % (2**bits)
    return raw, clipped


def _status(status: int, first: bool) -> tuple[tuple[int | None, ...], ...]:
    """I062/080 groups (each ends with its FX slot, None) of a track status code."""
    return (
        (0, 0, 0, 2, int(status == TrackStatus.TENTATIVE), None),  # MON SPI MRH SRC=3D CNF
        (1, int(status == TrackStatus.DELETED), int(first), 0, 0, 0, 0, None),  # SIM TSE TSB
        (0, 0, 0, 0, 0, None),
        (int(status == TrackStatus.COASTING), 0, 0, 0, 0, 0, 0, None),  # CST
    )


def encode_cat062(
    tracks: Tracks,
    tod_s: NDArray[np.float64],
    lat_deg: NDArray[np.float64],
    lon_deg: NDArray[np.float64],
    h_m: NDArray[np.float64],
    *,
    sac: int,
    sic: int,
) -> tuple[bytes, dict[str, int]]:
    """One CAT062 record per row of ``tracks`` (with its time of day and WGS-84
    position, same length), in row order; and the messages clipped per item
    (:func:`fit_fields`)."""
    spec = libasterix()[1].Cat_062_1_20
    raw, clipped = fit_fields(tracks, lat_deg, lon_deg, h_m)
    raw["tod"] = quantize(tod_s, LSB["tod_s"])  # (time of day: always in range)
    first = np.zeros(len(tracks), dtype=bool)  # TSB: the track's first message
    first[np.unique(tracks.track_id, return_index=True)[1]] = True
    source = spec.cv_record.spec("010").create((("SAC", sac), ("SIC", sic)))
    status_items: dict[tuple[int, bool], Any] = {}  # libasterix items are immutable
    records = []
    for i in range(len(tracks)):
        key = (int(tracks.status[i]), bool(first[i]))
        if key not in status_items:
            status_items[key] = spec.cv_record.spec("080").create(_status(*key))
        items: dict[str, Any] = {
            "010": source,
            "070": int(raw["tod"][i]),
            "105": (("LAT", int(raw["lat"][i])), ("LON", int(raw["lon"][i]))),
            "100": (("X", int(raw["x"][i])), ("Y", int(raw["y"][i]))),
            "185": (("VX", int(raw["vx"][i])), ("VY", int(raw["vy"][i]))),
            "040": int(tracks.track_id[i]) % 2**16,
            "080": status_items[key],
            "130": int(raw["alt"][i]),
            "220": int(raw["climb"][i]),
            "500": {"APC": (("X", int(raw["apcx"][i])), ("Y", int(raw["apcy"][i])))},
        }
        records.append(spec.cv_record.create(items))
    return write_blocks(spec, records), clipped
