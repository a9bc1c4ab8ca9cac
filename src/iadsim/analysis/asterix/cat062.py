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
I062/500  APC: 1-sigma X, Y position accuracy    16 bits each, LSB 0.5 m (capped)
========  =====================================  ======================================

X, Y are the scenario's local ENU plane about its origin (the specification's
system plane is the SDPS's own stereographic projection).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.asterix.codec import FT_M, libasterix, quantize, write_blocks
from iadsim.frames import Tracks, TrackStatus

__all__ = ["EDITION", "LSB", "encode_cat062"]

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


def _signed(raw: NDArray[np.int64], bits: int) -> NDArray[np.int64]:
    """Clip to a ``bits``-bit two's complement range and return the unsigned pattern."""
    lim = 2 ** (bits - 1)
    return np.clip(raw, -lim, lim - 1) % (2**bits)


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
) -> bytes:
    """One CAT062 record per row of ``tracks`` (with its time of day and WGS-84
    position, same length), in row order."""
    spec = libasterix()[1].Cat_062_1_20
    raw = {
        "tod": quantize(tod_s, LSB["tod_s"]),
        "lat": _signed(quantize(lat_deg, LSB["latlon_deg"]), 32),
        "lon": _signed(quantize(lon_deg, LSB["latlon_deg"]), 32),
        "x": _signed(quantize(tracks.e_m, LSB["xy_m"]), 24),
        "y": _signed(quantize(tracks.n_m, LSB["xy_m"]), 24),
        "vx": _signed(quantize(tracks.ve_mps, LSB["v_mps"]), 16),
        "vy": _signed(quantize(tracks.vn_mps, LSB["v_mps"]), 16),
        "alt": _signed(quantize(h_m, LSB["alt_m"]), 16),
        "climb": _signed(quantize(tracks.vu_mps, LSB["climb_mps"]), 16),
        "apcx": np.clip(quantize(np.sqrt(tracks.var_e_m2), LSB["apc_m"]), 0, 2**16 - 1),
        "apcy": np.clip(quantize(np.sqrt(tracks.var_n_m2), LSB["apc_m"]), 0, 2**16 - 1),
    }
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
    return write_blocks(spec, records)
