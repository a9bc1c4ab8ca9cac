r"""Make a bundled real-traffic sample (``src/iadsim/truth/data/*.parquet``).

Source: the sample collections of the ``traffic`` package (2.13, MIT licence,
X. Olive), OpenSky Network state vectors. Get the files without the package's
dependencies, then run this script once per sample::

    pip download --no-deps traffic==2.13 -d /tmp/traffic
    unzip -o /tmp/traffic/traffic-2.13-py3-none-any.whl \\
        'traffic/data/samples/collections/*.json.gz' -d /tmp/traffic
    C=/tmp/traffic/traffic/data/samples/collections

    # paris-cdg-20min.parquet (the development recording; the defaults)
    python tools/make_traffic_sample.py $C/quickstart.json.gz

    # zurich-20min.parquet (held out: never used to tune a tracker)
    python tools/make_traffic_sample.py $C/switzerland.json.gz \\
        --centre 47.4582 8.5555 --window-s 23700 24900 \\
        --out src/iadsim/truth/data/zurich-20min.parquet \\
        --source 'OpenSky Network via the traffic package 2.13 (MIT), switzerland sample'

Kept: the reports from ``--window-s START END`` (s after the collection's first
report; default 600-1800 s: 20 minutes), airborne (``onground`` false, where the
collection has that field) and within ``--radius-km`` (default 60) of ``--centre``
(default Paris-Charles de Gaulle, 49.0097 N 2.5479 E); reports without an altitude
are kept (the loader counts them). Columns and units are the collection's own (ft,
kt, ft/min), declared in the Parquet metadata ``iadsim.units``. The Zurich window
(23,700 s: 35 aircraft) is the 20 minutes of that collection with the most aircraft
within 60 km of Zurich airport.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CDG_DEG = (49.0097, 2.5479)
WINDOW_S = (600.0, 1800.0)
RADIUS_KM = 60.0
DATA = Path(__file__).resolve().parents[1] / "src/iadsim/truth/data"
OUT = DATA / "paris-cdg-20min.parquet"
SOURCE = "OpenSky Network via the traffic package 2.13 (MIT), quickstart sample"
COLS = ("timestamp", "icao24", "callsign", "latitude", "longitude", "altitude",
        "groundspeed", "track", "vertical_rate")  # fmt: skip


def select_rows(
    rows: list[dict[str, object]],
    centre_deg: tuple[float, float],
    radius_m: float,
    window_s: tuple[float, float],
) -> np.ndarray:
    """Indices of the kept reports (module doc), ordered by aircraft then time."""
    t_s = np.array([r["timestamp"] for r in rows], dtype=float) / 1e3
    lat = np.array([np.nan if r["latitude"] is None else r["latitude"] for r in rows], float)
    lon = np.array([np.nan if r["longitude"] is None else r["longitude"] for r in rows], float)
    y = (lat - centre_deg[0]) * 111.2e3  # equirectangular: ample for a 60 km selection
    x = (lon - centre_deg[1]) * 111.2e3 * np.cos(np.radians(centre_deg[0]))
    t0 = t_s.min()
    keep = (t_s >= t0 + window_s[0]) & (t_s < t0 + window_s[1]) & (np.hypot(x, y) < radius_m)
    keep &= np.array([not r.get("onground", False) for r in rows])
    idx = np.flatnonzero(keep)
    return idx[np.lexsort((t_s[idx], np.array([rows[i]["icao24"] for i in idx])))]


def main(argv: list[str] | None = None) -> None:
    """Convert a collection into a bundled sample (module doc)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", help="a traffic sample collection (*.json.gz)")
    ap.add_argument("--centre", nargs=2, type=float, default=CDG_DEG, metavar=("LAT", "LON"))
    ap.add_argument("--radius-km", type=float, default=RADIUS_KM)
    ap.add_argument("--window-s", nargs=2, type=float, default=WINDOW_S, metavar=("START", "END"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--source", default=SOURCE, help="the 'source' Parquet metadata")
    a = ap.parse_args(argv)
    with gzip.open(a.src) as fh:
        rows = json.loads(fh.read())
    idx = select_rows(rows, tuple(a.centre), a.radius_km * 1e3, tuple(a.window_s))
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
        b"source": a.source.encode(),
    }
    table = table.replace_schema_metadata(meta)
    pq.write_table(table, a.out, compression="zstd", compression_level=19)
    print(f"{a.out}: {table.num_rows} reports, {len(set(data['icao24']))} aircraft")


if __name__ == "__main__":
    main()
