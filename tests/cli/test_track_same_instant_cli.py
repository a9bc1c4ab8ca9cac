"""``iadsim track`` on plots of two sensors whose looks end at the same instants: a
track updated by both looks was written twice at that time, and ``iadsim score``
refused the file ("duplicate (time, track_id)"); found by exporting a run to ASTERIX
CAT048 (1/128 s time stamps) and tracking the plots back. The last row of each (time,
track id) is kept, as a run's own tracks.parquet does (sim/outputs.TrackRows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cli_helpers import invoke, tiny_run


def test_two_sensors_looking_at_one_instant_give_one_row_per_track_and_time(
    tmp_path: Path,
) -> None:
    run = tiny_run(tmp_path, radars=("fcr",))
    det = pq.read_table(run / "detections.parquet")
    assert len(det) and len(pc.unique(det.column("radar_id"))) == 1
    twin = det.set_column(det.schema.get_field_index("radar_id"), "radar_id",
                          pc.add(det.column("radar_id"), 1))  # fmt: skip
    both = pa.concat_tables([det, twin]).sort_by("t_s")  # the same plots from a second radar
    src = tmp_path / "two.parquet"
    pq.write_table(both, src)
    out = tmp_path / "t.parquet"
    res = invoke("track", str(src), "-o", str(out))
    assert res.code == 0, res.err
    t = pq.read_table(out)
    keys = np.rec.fromarrays([t.column("time").to_numpy(), t.column("track_id").to_numpy()])
    assert np.unique(keys).shape[0] == len(t)  # one row per (time, track id)
    assert t.column("status").to_pylist().count("confirmed") > 0
    res = invoke("score", str(out), str(run / "truth.parquet"))
    assert res.code == 0, res.err
