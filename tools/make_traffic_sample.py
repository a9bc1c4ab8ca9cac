r"""Make the bundled real-traffic sample (``src/iadsim/truth/data/paris-cdg-20min.parquet``).

Source: the ``quickstart`` collection of the ``traffic`` package (2.13, MIT licence,
X. Olive), OpenSky Network state vectors over Paris on 2021-10-07, 1 s updates.
Get the file without the package's dependencies and run this script once::

    pip download --no-deps traffic==2.13 -d /tmp/traffic
    unzip -o /tmp/traffic/traffic-2.13-py3-none-any.whl \\
        'traffic/data/samples/collections/quickstart.json.gz' -d /tmp/traffic
    python tools/make_traffic_sample.py \\
        /tmp/traffic/traffic/data/samples/collections/quickstart.json.gz

Kept: the 20 minutes from 600 s after the collection's first report, airborne
reports (``onground`` false) within 60 km of Paris-Charles de Gaulle; reports
without an altitude are kept (the loader counts them). Columns and units are the
collection's own (ft, kt, ft/min), declared in the Parquet metadata ``iadsim.units``.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CDG_DEG = (49.0097, 2.5479)
WINDOW_S = (600.0, 1800.0)
RADIUS_M = 60e3
OUT = Path(__file__).resolve().parents[1] / "src/iadsim/truth/data/paris-cdg-20min.parquet"
COLS = ("timestamp", "icao24", "callsign", "latitude", "longitude", "altitude",
        "groundspeed", "track", "vertical_rate")  # fmt: skip


def main(src: str) -> None:
    """Convert the collection at ``src`` into the bundled sample (module doc)."""
    rows = json.loads(gzip.open(src).read())
    t_s = np.array([r["timestamp"] for r in rows]) / 1e3
    lat = np.array([np.nan if r["latitude"] is None else r["latitude"] for r in rows])
    lon = np.array([np.nan if r["longitude"] is None else r["longitude"] for r in rows])
    y = (lat - CDG_DEG[0]) * 111.2e3
    x = (lon - CDG_DEG[1]) * 111.2e3 * np.cos(np.radians(CDG_DEG[0]))
    t0 = t_s.min()
    keep = (t_s >= t0 + WINDOW_S[0]) & (t_s < t0 + WINDOW_S[1]) & (np.hypot(x, y) < RADIUS_M)
    keep &= np.array([not r["onground"] for r in rows])
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((t_s[idx], np.array([rows[i]["icao24"] for i in idx])))]
    data = {c: [rows[i][c] for i in idx] for c in COLS}
    data["timestamp"] = [int(rows[i]["timestamp"]) for i in idx]
    table = pa.table(
        {
            "timestamp": pa.array(data["timestamp"], pa.timestamp("ms", tz="UTC")),
            **{c: pa.array(data[c], pa.string()) for c in ("icao24", "callsign")},
            **{c: pa.array(data[c], pa.float64()) for c in COLS[3:]},
        }
    )
    meta = {
        b"iadsim.units": json.dumps(
            {"altitude": "ft", "groundspeed": "kt", "vertical_rate": "ft/min"}
        ).encode(),
        b"source": b"OpenSky Network via the traffic package 2.13 (MIT), quickstart sample",
    }
    table = table.replace_schema_metadata(meta)
    pq.write_table(table, OUT, compression="zstd", compression_level=19)
    print(f"{OUT}: {table.num_rows} reports, {len(set(data['icao24']))} aircraft")


if __name__ == "__main__":
    main(sys.argv[1])
