"""Reading and cleaning recorded traffic: units, counts, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from replay_helpers import UNITS, concat, straight_flight, write_csv, write_parquet

from iadsim.errors import InputDataError
from iadsim.truth.cleaning import clean_reports
from iadsim.truth.recording import read_reports


def test_declared_units_are_converted_to_si(tmp_path: Path) -> None:
    cols = straight_flight(3)
    cols["timestamp"] = [t * 1e3 for t in cols["timestamp"]]  # ms
    raw = read_reports(write_csv(tmp_path / "r.csv", cols), units={**UNITS, "timestamp": "ms"})
    assert raw.t_s[1] - raw.t_s[0] == pytest.approx(1.0)
    assert raw.alt_m[0] == pytest.approx(10_000 * 0.3048)  # ft -> m (exact definition)
    assert raw.groundspeed_mps[0] == pytest.approx(430 * 1852 / 3600)  # kt -> m/s
    assert raw.vertical_rate_mps[0] == pytest.approx(600 * 0.3048 / 60)  # ft/min -> m/s
    same_in_m = read_reports(
        write_csv(tmp_path / "m.csv", {**cols, "altitude": [3048.0, 3049.0, 3050.0]}),
        units={**UNITS, "timestamp": "ms", "altitude": "m"},
    )
    assert same_in_m.alt_m[0] == 3048.0


def test_units_from_parquet_metadata_and_arrow_timestamps(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = straight_flight(4)
    table = pa.table(cols).set_column(
        0,
        "timestamp",
        pa.array((np.array(cols["timestamp"]) * 1e3).astype("int64"), pa.timestamp("ms", tz="UTC")),
    )
    meta = json.dumps({"altitude": "ft", "groundspeed": "kt", "vertical_rate": "ft/min"})
    pq.write_table(
        table.replace_schema_metadata({b"iadsim.units": meta.encode()}), tmp_path / "r.parquet"
    )
    raw = read_reports(tmp_path / "r.parquet")
    np.testing.assert_allclose(raw.t_s, cols["timestamp"])
    assert raw.alt_m[0] == pytest.approx(3048.0)


def test_clean_recording_is_kept_whole(tmp_path: Path) -> None:
    raw = read_reports(write_csv(tmp_path / "r.csv", straight_flight(30)), units=UNITS)
    fl = clean_reports(raw)
    c = fl.counts
    assert fl.n_flights == 1 and c.reports_kept == c.reports_read == 30
    assert (c.duplicates, c.frozen, c.outliers, c.gap_splits, c.jump_splits) == (0, 0, 0, 0, 0)
    assert fl.callsign == ("TST1",) and fl.icao24 == ("abc123",)


def test_gap_splits_a_flight(tmp_path: Path) -> None:
    a = straight_flight(10)
    b = straight_flight(10, t0_s=a["timestamp"][-1] + 100.0, lat0=49.1)  # 100 s later
    fl = clean_reports(read_reports(write_csv(tmp_path / "r.csv", concat(a, b)), units=UNITS))
    assert fl.n_flights == 2 and fl.counts.gap_splits == 1
    np.testing.assert_array_equal(np.diff(fl.start), [10, 10])


def test_duplicates_frozen_and_spikes_are_counted(tmp_path: Path) -> None:
    cols = straight_flight(30)
    for k in ("timestamp", "icao24", "callsign", "latitude", "longitude", "altitude",
              "groundspeed", "track", "vertical_rate"):  # fmt: skip
        cols[k].insert(6, cols[k][5])  # a duplicated report (same time)
    cols["latitude"][12] = cols["latitude"][11]  # two frozen positions
    cols["latitude"][13] = cols["latitude"][11]
    cols["latitude"][20] += 0.5  # a 55 km spike
    cols["altitude"][25] += 30_000  # a 9 km altitude spike (below the absurd limit)
    fl = clean_reports(read_reports(write_csv(tmp_path / "r.csv", cols), units=UNITS))
    c = fl.counts
    assert (c.duplicates, c.frozen, c.outliers) == (1, 2, 2)
    assert fl.n_flights == 1 and c.reports_kept == 31 - 5
    assert np.all(np.diff(fl.lat_deg) > 0)  # what is left is the straight flight


def test_incomplete_reports_are_removed(tmp_path: Path) -> None:
    cols = straight_flight(10)
    cols["altitude"][3] = None
    fl = clean_reports(read_reports(write_csv(tmp_path / "r.csv", cols), units=UNITS))
    assert fl.counts.incomplete == 1 and fl.counts.reports_kept == 9


def _one_line_error(path: Path, units: dict[str, str] | None = UNITS) -> str:
    with pytest.raises(InputDataError) as err:
        clean_reports(read_reports(path, units=units))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(path))
    return msg


def test_bad_recordings_are_rejected_with_file_column_and_row(tmp_path: Path) -> None:
    cols = straight_flight(10)
    no_alt = {k: v for k, v in cols.items() if k != "altitude"}
    assert "column 'altitude': missing" in _one_line_error(write_csv(tmp_path / "a.csv", no_alt))
    back = dict(
        cols, timestamp=[*cols["timestamp"][:4], cols["timestamp"][0], *cols["timestamp"][5:]]
    )
    msg = _one_line_error(write_csv(tmp_path / "b.csv", back))
    assert "column 'timestamp': row 5: time goes backwards for icao24 abc123" in msg
    high = dict(cols, altitude=[40_000.0] * 10)  # FL400 typed as metres
    msg = _one_line_error(write_csv(tmp_path / "d.csv", high), units={**UNITS, "altitude": "m"})
    assert "column 'altitude': row 1: 10 of 10 reports have an absurd altitude" in msg
    fast = dict(cols, groundspeed=[430.0 * 3600] * 10)
    assert "column 'groundspeed': row 1" in _one_line_error(write_csv(tmp_path / "e.csv", fast))
    bad_lat = dict(cols, latitude=[95.0, *cols["latitude"][1:]])
    assert "column 'latitude': row 1: out of range" in _one_line_error(
        write_csv(tmp_path / "f.csv", bad_lat)
    )
    assert "column 'altitude': unit not declared" in _one_line_error(
        write_csv(tmp_path / "g.csv", cols), units={"timestamp": "s"}
    )
    assert "unknown unit 'furlong'" in _one_line_error(
        write_csv(tmp_path / "h.csv", cols), units={**UNITS, "altitude": "furlong"}
    )
    (tmp_path / "i.parquet").write_bytes(b"PAR1 not really")
    assert "not a readable CSV or Parquet file" in _one_line_error(tmp_path / "i.parquet")
    text = dict(cols, latitude=["north"] * 10)
    assert "column 'latitude': not numeric" in _one_line_error(write_csv(tmp_path / "j.csv", text))


def test_parquet_without_declared_units_is_rejected(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "r.parquet", straight_flight(5))
    assert "column 'altitude': unit not declared (ft or m)" in _one_line_error(path, units=None)
    meta = json.dumps({"altitude": "ft", "groundspeed": "kt", "vertical_rate": "ft/min"})
    path = write_parquet(tmp_path / "s.parquet", straight_flight(5), units=meta)
    assert "numeric timestamps need a declared unit" in _one_line_error(path, units=None)


def test_negative_ground_speeds_are_absurd(tmp_path: Path) -> None:
    """A ground speed is a magnitude: a negative one (a sign error) is removed and
    counted like a speed above the limit, and a file of them is rejected (all of a
    flight's, fused, had put the truth 6 km off its reports)."""
    cols = straight_flight(40)
    one = dict(cols, groundspeed=[-g if i == 7 else g for i, g in enumerate(cols["groundspeed"])])
    fl = clean_reports(read_reports(write_csv(tmp_path / "a.csv", one), units=UNITS))
    assert fl.counts.absurd_speed == 1 and fl.counts.reports_kept == 39
    every = dict(cols, groundspeed=[-g for g in cols["groundspeed"]])
    msg = _one_line_error(write_csv(tmp_path / "b.csv", every))
    assert "column 'groundspeed': row 1: 40 of 40 reports have an absurd ground speed" in msg
