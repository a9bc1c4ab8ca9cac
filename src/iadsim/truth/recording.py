"""Recorded air traffic (ADS-B) read from CSV or Parquet, with declared units.

The common ADS-B layout (OpenSky Network state vectors, the ``traffic`` library,
dump1090 exports): one row per report with the columns

============== ======== ==========================================================
column         required unit
============== ======== ==========================================================
timestamp      yes      Arrow timestamp (any unit, UTC), or numbers in the declared
                        unit ``s`` or ``ms`` since the Unix epoch
icao24         yes      aircraft address (text); one aircraft per value
latitude       yes      degrees (WGS84)
longitude      yes      degrees (WGS84)
altitude       yes      declared: ``ft`` or ``m`` (above mean sea level)
callsign       no       text
groundspeed    no       declared: ``kt`` or ``mps``
track          no       degrees clockwise from true north
vertical_rate  no       declared: ``ft/min`` or ``mps``
============== ======== ==========================================================

Units are declared, never guessed: by the caller (``units=``, the scenario's
``motion.units``, ``iadsim replay-info --units``) or by the file's Parquet schema
metadata ``iadsim.units`` (a JSON object, as the bundled sample carries). A missing
declaration is an :class:`~iadsim.errors.InputDataError` naming the column.
Cleaning (duplicates, frozen positions, outliers, gaps) is in
:mod:`iadsim.truth.cleaning`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from iadsim.errors import InputDataError

F64 = NDArray[np.float64]

__all__ = ["REQUIRED_COLUMNS", "UNITS", "RawReports", "read_reports"]

REQUIRED_COLUMNS = ("timestamp", "icao24", "latitude", "longitude", "altitude")

#: Accepted declared units per column and their factor to SI (s, m, m/s).
UNITS: Mapping[str, Mapping[str, float]] = {
    "timestamp": {"s": 1.0, "ms": 1e-3},
    "altitude": {"ft": 0.3048, "m": 1.0},
    "groundspeed": {"kt": 1852.0 / 3600.0, "mps": 1.0},
    "vertical_rate": {"ft/min": 0.3048 / 60.0, "mps": 1.0},
}

#: Parquet schema metadata key holding the file's declared units (JSON object).
UNITS_METADATA_KEY = b"iadsim.units"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RawReports:
    """Reports as read, in file order, SI units (n rows).

    ``row`` is the 1-based data row of each report in the file (the header of a
    CSV file not counted), used in error messages. ``aircraft`` indexes
    ``icao24`` and ``callsign`` indexes ``callsigns``; absent optional columns read
    NaN (numbers) or "" (callsign).
    """

    file: str
    row: NDArray[np.int64]
    t_s: F64
    aircraft: NDArray[np.int64]
    icao24: tuple[str, ...]
    callsign: NDArray[np.int64]
    callsigns: tuple[str, ...]
    lat_deg: F64
    lon_deg: F64
    alt_m: F64
    groundspeed_mps: F64
    track_deg: F64
    vertical_rate_mps: F64


def _read_table(path: Path, file: str) -> pa.Table:
    """The file as an Arrow table (Parquet by magic bytes, else CSV)."""
    if not path.is_file():
        raise InputDataError(f"{file}: no such file")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic == b"PAR1":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        import pyarrow.csv as pacsv

        opts = pacsv.ConvertOptions(
            column_types={"icao24": pa.string(), "callsign": pa.string()},
            strings_can_be_null=True,
        )
        return pacsv.read_csv(path, convert_options=opts)
    except (pa.ArrowException, OSError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputDataError(f"{file}: not a readable CSV or Parquet file ({first})") from err


def _declared_units(table: pa.Table, units: Mapping[str, str] | None, file: str) -> dict[str, str]:
    """Units per column: the file's metadata, overridden by ``units``; checked."""
    out: dict[str, str] = {}
    meta = (table.schema.metadata or {}).get(UNITS_METADATA_KEY)
    if meta is not None:
        try:
            out.update({str(k): str(v) for k, v in json.loads(meta).items()})
        except (ValueError, AttributeError) as err:
            raise InputDataError(
                f"{file}: schema metadata iadsim.units: not a JSON object"
            ) from err
    out.update(units or {})
    for col, unit in out.items():
        if col not in UNITS:
            raise InputDataError(
                f"{file}: units: unknown column {col!r} (known: {', '.join(UNITS)})"
            )
        if unit not in UNITS[col]:
            known = ", ".join(UNITS[col])
            raise InputDataError(f"{file}: column {col!r}: unknown unit {unit!r} (one of {known})")
    return out


def _floats(table: pa.Table, name: str, file: str) -> F64:
    """A numeric column as float64 (nulls -> NaN); NaN everywhere if absent."""
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    col = table.column(name)
    try:
        col = pc.cast(col, pa.float64())
    except pa.ArrowException as err:
        raise InputDataError(f"{file}: column {name!r}: not numeric ({col.type})") from err
    return np.asarray(col.fill_null(np.nan).to_numpy(), dtype=np.float64)


def _times_s(table: pa.Table, units: Mapping[str, str], file: str) -> F64:
    """Timestamps in s since the epoch (Arrow timestamps, or numbers in the declared unit)."""
    col = table.column("timestamp")
    if pa.types.is_timestamp(col.type):
        per_s = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[col.type.unit]
        ints = pc.cast(col, pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy()
        t = np.asarray(ints, dtype=np.float64) / per_s
        t[ints == np.iinfo(np.int64).min] = np.nan
        return t
    if "timestamp" not in units:
        raise InputDataError(
            f"{file}: column 'timestamp': numeric timestamps need a declared unit (s or ms)"
        )
    return _floats(table, "timestamp", file) * UNITS["timestamp"][units["timestamp"]]


def _strings(table: pa.Table, name: str) -> tuple[NDArray[np.int64], tuple[str, ...]]:
    """A text column as codes (n,) into its distinct values (nulls -> "")."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64), ("",)
    col = pc.cast(table.column(name), pa.string()).fill_null("")
    enc = pc.dictionary_encode(pc.utf8_trim_whitespace(col)).combine_chunks()
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, tuple(str(s) for s in enc.dictionary.to_pylist())


def read_reports(path: str | Path, *, units: Mapping[str, str] | None = None) -> RawReports:
    """Read a recording's reports (file order, SI units); see the module doc.

    Raises
    ------
    InputDataError
        Unreadable file, a missing required column, a column that is not numeric,
        a unit not declared or unknown (one line naming the file and the column).
    """
    path = Path(path)
    file = str(path) if str(path).isprintable() else repr(str(path))  # one-line messages
    table = _read_table(path, file)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        have = ", ".join(table.column_names) or "none"
        raise InputDataError(f"{file}: column {missing[0]!r}: missing (columns: {have})")
    declared = _declared_units(table, units, file)
    for col in ("altitude", "groundspeed", "vertical_rate"):
        if col in table.column_names and col not in declared:
            choices = " or ".join(UNITS[col])
            raise InputDataError(f"{file}: column {col!r}: unit not declared ({choices})")
    ac, icao = _strings(table, "icao24")
    cs_code, cs = _strings(table, "callsign")

    def scaled(col: str) -> F64:
        f = UNITS[col][declared[col]] if col in declared else 1.0
        return _floats(table, col, file) * f

    return RawReports(
        file=file,
        row=np.arange(1, table.num_rows + 1, dtype=np.int64),
        t_s=_times_s(table, declared, file),
        aircraft=ac,
        icao24=icao,
        callsign=cs_code,
        callsigns=cs,
        lat_deg=_floats(table, "latitude", file),
        lon_deg=_floats(table, "longitude", file),
        alt_m=scaled("altitude"),
        groundspeed_mps=scaled("groundspeed"),
        track_deg=_floats(table, "track", file),
        vertical_rate_mps=scaled("vertical_rate"),
    )
