"""Reading and validating track / truth files for scoring (iadsim.analysis.trackfiles)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.trackfiles import read_tracks, read_truth
from iadsim.errors import InputDataError
from iadsim.frames import Tracks, TrackStatus, Truth


def generic_tracks(n: int = 20, **override) -> dict:
    t = np.repeat(np.arange(n // 2, dtype=float), 2)
    cols = {
        "time": t,
        "track_id": np.tile([1, 2], n // 2),
        "status": np.tile(["tentative", "Confirmed"], n // 2),
        "x": np.linspace(0.0, 1.0, n),
        "y": np.zeros(n),
        "vx": np.ones(n),
        "vy": np.zeros(n),
    }
    cols.update(override)
    return cols


def write(tmp_path: Path, name: str, cols: dict) -> Path:
    path = tmp_path / name
    table = pa.table(cols)
    if name.endswith(".csv"):
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def test_generic_2d_tracks_with_string_status(tmp_path: Path) -> None:
    tf = read_tracks(write(tmp_path, "tracks.parquet", generic_tracks()))
    assert tf.n_dim == 2 and tf.file == "tracks.parquet"
    assert tf.tracks.status[:2].tolist() == [TrackStatus.TENTATIVE, TrackStatus.CONFIRMED]
    assert np.all(tf.tracks.u_m == 0.0) and np.all(np.isnan(tf.tracks.var_e_m2))


def test_tracks_without_status_are_confirmed_and_it_is_said(tmp_path: Path) -> None:
    """Another tracker's output (Stone Soup's, say) has no status column: every row is
    a confirmed track, and the file says so; with the column nothing is assumed."""
    cols = generic_tracks()
    del cols["status"]
    tf = read_tracks(write(tmp_path, "other.csv", cols))
    assert np.all(tf.tracks.status == TrackStatus.CONFIRMED)
    assert tf.assumed == ("other.csv: no status column: every row taken as a confirmed track",)
    assert read_tracks(write(tmp_path, "mine.csv", generic_tracks())).assumed == ()


def test_int_status_3d_and_covariance(tmp_path: Path) -> None:
    cols = generic_tracks(
        status=np.tile([1, 2], 10), z=np.full(20, 5.0), vz=np.zeros(20), var_x=np.full(20, 4.0)
    )
    tf = read_tracks(write(tmp_path, "t.csv", cols))
    assert tf.n_dim == 3 and tf.tracks.u_m[0] == 5.0 and tf.tracks.var_e_m2[0] == 4.0


def test_run_directory_frames_round_trip(tmp_path: Path) -> None:
    n = 4
    z = np.zeros(n)
    tracks = Tracks(
        t_s=np.arange(n, dtype=float),
        track_id=np.arange(n),
        status=np.ones(n),
        e_m=z + 1,
        n_m=z + 2,
        u_m=z + 3,
        ve_mps=z,
        vn_mps=z,
        vu_mps=z,
        var_e_m2=z + 9,
        var_n_m2=z,
        var_u_m2=z,
        var_ve_m2ps2=z,
        var_vn_m2ps2=z,
        var_vu_m2ps2=z,
        quality=z,
    )
    pq.write_table(tracks.to_arrow(), tmp_path / "tracks.parquet")
    tf = read_tracks(tmp_path / "tracks.parquet")
    assert tf.n_dim == 3
    for name in Tracks.columns():
        np.testing.assert_array_equal(getattr(tf.tracks, name), getattr(tracks, name))
    # truth.parquet of a run: dead rows may hold NaN, they are kept but not validated
    nan_pos = np.array([0.0, 1.0, np.nan, np.nan])
    truth = Truth(
        t_s=np.arange(n, dtype=float),
        threat_id=z.astype(int),
        e_m=nan_pos,
        n_m=z,
        u_m=z,
        ve_mps=z,
        vn_mps=z,
        vu_mps=z,
        alt_m=z,
        alive=np.array([True, True, False, False]),
    )
    pq.write_table(truth.to_arrow(), tmp_path / "truth.parquet")
    th = read_truth(tmp_path / "truth.parquet")
    assert th.n_dim == 3 and th.has_velocity
    assert th.truth.alive.tolist() == [True, True, False, False]


def test_generic_truth_csv_without_velocity(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "truth.csv",
        {"time": [0.0, 0.0, 1.0], "id": [1, 2, 1], "x": [0.0, 5.0, 1.0], "y": [0.0, 0.0, 0.0]},
    )
    th = read_truth(path)
    assert th.n_dim == 2 and not th.has_velocity and np.all(np.isnan(th.truth.ve_mps))
    assert np.all(th.truth.alive)


def _bad(**override) -> dict:
    return generic_tracks(**override)


x_nan = np.linspace(0.0, 1.0, 20)
x_nan[17] = np.nan
x_inf = np.linspace(0.0, 1.0, 20)
x_inf[3] = np.inf
t_unsorted = np.repeat(np.arange(10, dtype=float), 2)
t_unsorted[5] = 0.5
no_x = generic_tracks()
del no_x["x"]


@pytest.mark.parametrize(
    ("cols", "message"),
    [
        (_bad(x=x_nan), "tracks.parquet: column 'x': NaN at row 17"),
        (_bad(x=x_inf), "tracks.parquet: column 'x': inf at row 3"),
        (_bad(time=t_unsorted), "tracks.parquet: column 'time': not sorted at row 5 (0.5 after 2)"),
        (no_x, "tracks.parquet: column 'x' or 'e_m': missing (columns: time, track_id,"),
        (
            _bad(track_id=np.ones(20, int)),
            "tracks.parquet: column 'track_id': duplicate (time, track_id) 1 at row 1",
        ),
        (
            _bad(status=np.tile(["confirmed", "lost"], 10)),
            "tracks.parquet: column 'status': unknown status 'lost' at row 1",
        ),
        (
            _bad(status=np.tile([1, 7], 10)),
            "tracks.parquet: column 'status': status code 7 at row 1",
        ),
        (
            _bad(track_id=np.tile([1.0, 2.5], 10)),
            "tracks.parquet: column 'track_id': not an integer id at row 1",
        ),
        (
            _bad(vx=pa.array([None] * 2 + [1.0] * 18)),
            "tracks.parquet: column 'vx': empty value at row 0",
        ),
        (_bad(y=np.tile(["a", "b"], 10)), "tracks.parquet: column 'y': not numeric (got string)"),
    ],
)
def test_track_file_errors_are_one_line(tmp_path: Path, cols: dict, message: str) -> None:
    path = write(tmp_path, "tracks.parquet", cols)
    with pytest.raises(InputDataError) as info:
        read_tracks(path)
    text = str(info.value)
    assert text.startswith(message) and "\n" not in text


def test_truth_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "truth.csv",
        {"time": [0.0, 1.0], "threat_id": [1, 1], "x": [0.0, np.nan], "y": [0.0, 0.0]},
    )
    # a NaN written to CSV is an empty cell
    with pytest.raises(InputDataError, match=r"^truth.csv: column 'x': empty value at row 1$"):
        read_truth(path)
    path = write(
        tmp_path,
        "truth.parquet",
        {"t_s": [0.0, 1.0], "threat_id": [1, 1], "e_m": [0.0, 0.0], "n_m": [0.0, -np.inf]},
    )
    with pytest.raises(InputDataError, match=r"^truth.parquet: column 'n_m': inf at row 1$"):
        read_truth(path)
    path = write(tmp_path, "truth2.csv", {"time": [0.0], "x": [0.0], "y": [0.0]})
    with pytest.raises(InputDataError, match=r"column 'id' or 'threat_id': missing"):
        read_truth(path)
    with pytest.raises(InputDataError, match=r"^nope.parquet: file not found"):
        read_truth(tmp_path / "nope.parquet")
    (tmp_path / "junk.parquet").write_text("not parquet")
    with pytest.raises(InputDataError, match=r"^junk.parquet: cannot read file \("):
        read_truth(tmp_path / "junk.parquet")
