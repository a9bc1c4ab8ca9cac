"""Outputs written as the rows are made: Parquet in parts, truth in time chunks.

A run's largest file (``truth.parquet``) is written a row group at a time from truth
computed a chunk of times at a time; the file must be the one the whole table would
give (same bytes), a failed or interrupted write must leave no file under the final
name, and the in-memory ``RunResult.truth`` must hold the same rows.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_recorder import TINY

from iadsim.frames import Tracks
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario, load_scenario_data
from iadsim.sim import outputs, recorder
from iadsim.sim.runner import run_scenario
from iadsim.truth import model as truth_model


def _table(n: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "t_s": np.sort(rng.uniform(0, 100, n)),
            "threat_id": rng.integers(0, 7, n),
            "e_m": rng.normal(size=n),
            "alive": rng.random(n) < 0.5,
            "name": pa.array([f"cm-{k}" for k in rng.integers(0, 5, n)], type=pa.string()),
        }
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pieces(table: pa.Table, cuts: list[int]) -> list[pa.Table]:
    edges = [0, *cuts, table.num_rows]
    return [table.slice(a, b - a) for a, b in itertools.pairwise(edges)]


@pytest.mark.parametrize(
    ("n", "cuts"),
    [(0, []), (5, [2]), (100, [40, 40, 99]), (250, [1, 7, 130, 201]), (300, [100, 200])],
)
def test_parts_give_the_bytes_of_the_whole_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, cuts: list[int]
) -> None:
    """Any split of the rows (empty parts, parts across row-group ends) writes the file
    pyarrow's write_table writes for the whole table with those row groups."""
    monkeypatch.setattr(recorder, "ROW_GROUP_ROWS", 100)
    table = _table(n)
    oracle = tmp_path / "oracle.parquet"
    pq.write_table(
        table, oracle, compression="zstd", use_dictionary=["threat_id", "name"], row_group_size=100
    )
    recorder.write_parquet_parts(tmp_path / "parts.parquet", _pieces(table, cuts))
    recorder.write_parquet(tmp_path / "whole.parquet", table)
    assert _digest(tmp_path / "parts.parquet") == _digest(oracle)
    assert _digest(tmp_path / "whole.parquet") == _digest(oracle)
    meta = pq.read_metadata(tmp_path / "parts.parquet")
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == (
        [min(100, n - k) for k in range(0, n, 100)] or [0]
    )


def test_an_interrupted_stream_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows already written to the temporary file never appear under the final name."""
    monkeypatch.setattr(recorder, "ROW_GROUP_ROWS", 10)
    table = _table(50)

    def parts() -> Iterator[pa.Table]:
        yield table.slice(0, 35)  # three row groups are written before the failure
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        recorder.write_parquet_parts(tmp_path / "t.parquet", parts())
    assert list(tmp_path.iterdir()) == []


def test_state_chunks_join_to_the_states(monkeypatch: pytest.MonkeyPatch) -> None:
    """Truth a chunk of times at a time is bit-identical to all times at once."""
    world = compile_world(load_scenario("saturation"))
    n = world.truth.n_threats
    t = np.arange(0.0, 1500.0, 7.0)
    kill = np.where(np.arange(n) % 3 == 0, 700.0, np.inf)
    whole = world.truth.states(t, kill)
    monkeypatch.setattr(truth_model, "STATES_CHUNK_CELLS", 5 * n + 1)  # 5 times a chunk
    chunks = list(world.truth.state_chunks(t, kill))
    assert len(chunks) == int(np.ceil(t.size / 5))
    for c in whole.columns():
        np.testing.assert_array_equal(
            np.concatenate([getattr(p, c) for p in chunks]), getattr(whole, c)
        )
    assert whole.alive.any() and not whole.alive.all()


def test_recorded_truth_equals_the_result_truth(tmp_path: Path) -> None:
    """truth.parquet (streamed) holds the rows of ``RunResult.truth`` (computed on use)."""
    result = run_scenario(load_scenario_data(TINY, file="tiny.yaml"), out_dir=tmp_path / "run")
    assert "truth" not in vars(result)  # not computed by the run itself
    table = pq.read_table(tmp_path / "run" / "truth.parquet")
    truth = result.truth
    assert table.num_rows == len(truth) > 0
    for c in truth.columns():
        np.testing.assert_array_equal(table.column(c).to_numpy(), getattr(truth, c))
    assert result.truth is truth  # kept once computed


def _tracks(t_s: list[float], ids: list[int]) -> Tracks:
    n = len(t_s)
    cols = {c: np.arange(n, dtype=float) for c in Tracks.columns()}
    cols.update(t_s=np.array(t_s), track_id=np.array(ids, dtype=np.int64))
    cols["status"] = np.zeros(n, dtype=np.int8)
    return Tracks(**cols)


def test_track_rows_keep_the_last_row_of_each_instant_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Repeated (time, track) rows, also across parts: the last one kept, order kept,
    whole and chunked alike (chunks of 3 rows joining parts of 1 to 3 rows)."""
    monkeypatch.setattr(outputs, "TRACK_PART_ROWS", 3)
    parts = [
        _tracks([1.0, 1.0, 2.0], [5, 6, 5]),
        _tracks([1.0], [5]),  # a second look at t=1 updates track 5 again
        _tracks([2.0, 3.0], [6, 5]),
        _tracks([3.0, 3.0], [5, 7]),
    ]
    rows = outputs.TrackRows.of(parts)
    whole = Tracks.concat(parts)
    last: dict[tuple[float, int], int] = {}
    for k, (t, i) in enumerate(zip(whole.t_s.tolist(), whole.track_id.tolist(), strict=True)):
        last[(t, i)] = k
    want = sorted(last.values())
    got = rows.frame()
    assert len(rows) == len(got) == len(want) == 6
    np.testing.assert_array_equal(got.e_m, whole.e_m[want])
    chunked = Tracks.concat(list(rows.chunks()))
    for c in Tracks.columns():
        np.testing.assert_array_equal(getattr(chunked, c), getattr(got, c))
    [empty] = list(outputs.TrackRows.of([]).chunks())
    assert len(empty) == 0
