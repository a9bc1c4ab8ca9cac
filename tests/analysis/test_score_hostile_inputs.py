"""Scoring inputs: ids, ranges and sizes are checked at read, one line each."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from iadsim.analysis.trackfiles import (
    MAX_SCORE_PAIRS,
    check_score_size,
    tracks_from_table,
    truth_from_table,
)
from iadsim.errors import InputDataError


def _tracks(n: int = 4, **over: object) -> pa.Table:
    cols: dict[str, object] = {
        "time": np.arange(n, dtype=float),
        "track_id": np.ones(n),
        "status": np.ones(n, dtype=np.int64),
        "x": np.zeros(n),
        "y": np.zeros(n),
        "vx": np.zeros(n),
        "vy": np.zeros(n),
        "var_x": np.ones(n),
    }
    cols.update(over)
    return pa.table(cols)


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        (
            {"track_id": [1, 1e30, 1, 1]},
            "column 'track_id': not an integer id at row 1 (got 1e+30)",
        ),
        ({"var_x": [1.0, -1.0, 1, 1]}, "column 'var_x': out of range [0, 1e+16] at row 1"),
        ({"x": [0, 0, 1e12, 0]}, "column 'x': out of range [-1e+08, 1e+08] at row 2"),
        ({"vy": [0, 0, 0, 1e9]}, "column 'vy': out of range [-100000, 100000] at row 3"),
        ({"time": [0, 1, 2, 1e300]}, "column 'time': out of range"),
    ],
)
def test_bad_track_values(over: dict[str, object], expected: str) -> None:
    with pytest.raises(InputDataError) as err:
        tracks_from_table(_tracks(**over), file="t.parquet")
    assert str(err.value).startswith("t.parquet: " + expected), str(err.value)


def test_zero_row_truth_and_oversized_scoring() -> None:
    empty = pa.table(
        {
            "time": pa.array([], pa.float64()),
            "id": pa.array([], pa.int64()),
            "x": pa.array([], pa.float64()),
            "y": pa.array([], pa.float64()),
        }
    )
    with pytest.raises(InputDataError, match=r"^truth.parquet: no truth rows"):
        truth_from_table(empty, file="truth.parquet")
    n = MAX_SCORE_PAIRS // 10 + 1
    many = tracks_from_table(_tracks(n, time=np.zeros(n), track_id=np.arange(n)), file="t.parquet")
    truth = truth_from_table(
        pa.table({"time": np.zeros(10), "id": np.arange(10), "x": np.zeros(10), "y": np.zeros(10)}),
        file="truth.parquet",
    )
    with pytest.raises(
        InputDataError, match=r"^t.parquet: column 'time': 200,001 tracks at time 0"
    ):
        check_score_size(many, truth)
    check_score_size(tracks_from_table(_tracks(), file="t.parquet"), truth)  # small: fine
