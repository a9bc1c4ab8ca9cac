"""``iadsim score``: swapped arguments are recognised; nothing is written unasked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from cli_helpers import invoke

from iadsim.frames import Truth


def _files(tmp: Path) -> tuple[Path, Path]:
    t = np.repeat(np.arange(5, dtype=float), 2)
    tid = np.tile([0, 1], 5)
    z = np.zeros(t.size)
    truth = Truth(t_s=t, threat_id=tid, e_m=250.0 * t, n_m=5000.0 * tid, u_m=z + 3000.0,
                  ve_mps=z + 250.0, vn_mps=z, vu_mps=z, alt_m=z + 3000.0,
                  alive=np.ones(t.size, bool))  # fmt: skip
    pq.write_table(truth.to_arrow(), tmp / "truth.parquet")
    tracks = pa.table({"time": t, "track_id": tid + 1, "status": ["confirmed"] * t.size,
                       "x": 250.0 * t + 3.0, "y": 5000.0 * tid, "z": z + 3000.0,
                       "vx": z + 250.0, "vy": z, "vz": z})  # fmt: skip
    pq.write_table(tracks, tmp / "tracks.parquet")
    return tmp / "tracks.parquet", tmp / "truth.parquet"


def test_swapped_arguments_are_named(in_tmp: Path) -> None:
    _files(in_tmp)
    res = invoke("score", "truth.parquet", "tracks.parquet")
    assert res.code == 2
    assert res.err == (
        "error: score: the arguments look swapped: truth.parquet is a truth file and "
        "tracks.parquet a tracks file; give TRACKS first: "
        "iadsim score tracks.parquet truth.parquet\n"
    )
    ok = invoke("score", "tracks.parquet", "truth.parquet")
    assert ok.code == 0 and "GOSPA mean (m)" in ok.out


def test_nothing_written_unless_asked(in_tmp: Path) -> None:
    _files(in_tmp)
    before = sorted(p.name for p in in_tmp.iterdir())
    assert invoke("score", "tracks.parquet", "truth.parquet", "--format", "json").code == 0
    assert sorted(p.name for p in in_tmp.iterdir()) == before
    assert invoke("score", "tracks.parquet", "truth.parquet", "--csv", "s.csv").code == 0
    assert (in_tmp / "s.csv").read_text().startswith("t_s,gospa_m,")
