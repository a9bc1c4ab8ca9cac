"""Small synthetic ADS-B recordings for the replay tests (written as CSV or Parquet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

#: Epoch of the synthetic recordings (2021-10-07 12:00:00 UTC), s.
T0_S = 1_633_608_000.0
LAT0, LON0 = 49.0, 2.5


def straight_flight(
    n: int = 21, *, icao: str = "abc123", callsign: str = "TST1", dt_s: float = 1.0,
    t0_s: float = T0_S, lat0: float = LAT0, alt_ft: float = 10_000.0,
) -> dict[str, list[Any]]:  # fmt: skip
    """``n`` reports of an aircraft flying north at ~0.002 deg (~222 m) per report."""
    t = t0_s + dt_s * np.arange(n)
    return {
        "timestamp": t.tolist(),
        "icao24": [icao] * n,
        "callsign": [callsign] * n,
        "latitude": (lat0 + 0.002 * np.arange(n)).tolist(),
        "longitude": [LON0] * n,
        "altitude": (alt_ft + 10.0 * np.arange(n)).tolist(),
        "groundspeed": [430.0] * n,
        "track": [0.0] * n,
        "vertical_rate": [600.0] * n,
    }


def concat(*parts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Rows of several recordings, one after the other."""
    return {k: [x for p in parts for x in p[k]] for k in parts[0]}


def write_csv(path: Path, cols: dict[str, list[Any]]) -> Path:
    """Write ``cols`` as a CSV file (icao24 and callsign as text)."""
    table = pa.table(
        {
            k: pa.array(v, pa.string() if k in ("icao24", "callsign") else None)
            for k, v in cols.items()
        }
    )
    pacsv.write_csv(table, path)
    return path


def write_parquet(path: Path, cols: dict[str, list[Any]], units: str | None = None) -> Path:
    """Write ``cols`` as Parquet, with ``units`` (JSON) as the ``iadsim.units`` metadata."""
    table = pa.table(cols)
    if units is not None:
        table = table.replace_schema_metadata({b"iadsim.units": units.encode()})
    pq.write_table(table, path)
    return path


#: Units of :func:`straight_flight` recordings (OpenSky conventions).
UNITS = {"timestamp": "s", "altitude": "ft", "groundspeed": "kt", "vertical_rate": "ft/min"}
