"""tools/make_traffic_sample.py: the window, the radius about the centre and the
airborne filter select the reports; the output loads as a recording."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq

from iadsim.truth.recording import read_reports

TOOL = Path(__file__).resolve().parents[2] / "tools" / "make_traffic_sample.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_traffic_sample", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _report(t_s: float, icao: str, lat: float, lon: float, **extra: object) -> dict[str, object]:
    return {"timestamp": int(t_s * 1e3), "icao24": icao, "callsign": icao.upper(),
            "latitude": lat, "longitude": lon, "altitude": 30000.0, "groundspeed": 400.0,
            "track": 90.0, "vertical_rate": 0.0, **extra}  # fmt: skip


def test_window_radius_and_airborne_select_the_reports(tmp_path: Path) -> None:
    centre = (47.0, 8.0)
    rows = [_report(0.0, "first", 47.0, 8.0)]  # the collection's first report: t0
    for k in range(5):  # inside, 10 s apart, from t0 + 100 s
        rows.append(_report(100.0 + 10 * k, "near", 47.0 + 0.01 * k, 8.0))
    rows.append(_report(120.0, "far", 48.0, 8.0))  # 111 km from the centre
    rows.append(_report(500.0, "late", 47.0, 8.0))  # after the window
    rows.append(_report(130.0, "taxi", 47.0, 8.0, onground=True))  # on the ground
    src = tmp_path / "c.json.gz"
    with gzip.open(src, "wt") as fh:
        json.dump(rows, fh)
    out = tmp_path / "s.parquet"
    _tool().main([str(src), "--centre", *map(str, centre), "--radius-km", "20",
                  "--window-s", "50", "400", "--out", str(out), "--source", "test"])  # fmt: skip
    table = pq.read_table(out)
    assert table.column("icao24").to_pylist() == ["near"] * 5
    assert table.schema.metadata[b"source"] == b"test"
    raw = read_reports(out)  # units from the file's own metadata
    assert len(raw.t_s) == 5
