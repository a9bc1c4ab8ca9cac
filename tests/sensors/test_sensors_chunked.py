"""Chunk-on-demand grids: pvlib's DEM read chunk by chunk gives the heights of the
fully read grid, also from several threads and after pickling."""

from __future__ import annotations

import importlib.util
import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py
import numpy as np

from iadsim.sensors.chunked import ChunkedGrid
from iadsim.sensors.terrain import GridDem, load_pvlib_dem


def _full_pvlib_grid() -> np.ndarray:
    spec = importlib.util.find_spec("pvlib")
    assert spec is not None and spec.origin is not None
    with h5py.File(Path(spec.origin).parent / "data" / "Altitude.h5", "r") as f:
        return np.asarray(f["Altitude"][...])


def _fresh_lazy_dem() -> GridDem:
    dem = load_pvlib_dem.__wrapped__()  # not the process-wide cached one
    assert dem.chunks is not None and not dem.chunks.loaded.any()
    return dem


def test_lazy_pvlib_lookups_equal_the_fully_read_grid() -> None:
    lazy = _fresh_lazy_dem()
    full = GridDem(**{**lazy.__dict__, "elevation_m": _full_pvlib_grid(), "chunks": None})
    rng = np.random.default_rng(4)
    lat, lon = np.radians(rng.uniform(36, 42, 5000)), np.radians(rng.uniform(26, 38, 5000))
    np.testing.assert_array_equal(lazy.elevation_at(lat, lon), full.elevation_at(lat, lon))
    assert 0 < lazy.chunks.loaded.sum() < lazy.chunks.loaded.size  # only where it looked
    edge = np.radians([89.99, -89.99, 10.0, 10.0]), np.radians([0.0, 0.0, 179.99, -179.99])
    np.testing.assert_array_equal(lazy.elevation_at(*edge), full.elevation_at(*edge))
    np.testing.assert_array_equal(lazy.grid(), full.elevation_m)
    assert lazy.chunks.loaded.all()


def test_chunks_filled_from_threads_and_pickled_stay_exact() -> None:
    truth = np.arange(7 * 11, dtype=np.int64).reshape(7, 11)
    reads: list[int] = []

    def read(blocks):
        reads.extend([1] * len(blocks))
        return [truth[b] for b in blocks]

    grid = ChunkedGrid((7, 11), (3, 4), np.int64, read)
    boxes = [(r, r + 1, c, c + 2) for r in range(7) for c in range(11)] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda b: grid.ensure(*b), boxes))
    np.testing.assert_array_equal(grid.array, truth)
    assert len(reads) == grid.loaded.size == 9  # every chunk read exactly once
    copy = pickle.loads(pickle.dumps(ChunkedGrid((7, 11), (3, 4), np.int64, _identity_read)))
    copy.ensure(0, 6, 0, 10)
    np.testing.assert_array_equal(copy.array, np.ones((7, 11), np.int64))


def _identity_read(blocks):
    return [np.ones((b[0].stop - b[0].start, b[1].stop - b[1].start), np.int64) for b in blocks]
