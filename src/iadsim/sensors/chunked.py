"""A grid filled chunk by chunk on demand from a chunked store (e.g. a gzip-chunked
HDF5 dataset such as pvlib's global DEM).

A run looks up terrain only around its radars and routes: reading and inflating
the few chunks there instead of the whole grid (pvlib's 2160 x 4320 cells are
100 gzip chunks, ~0.04 s to read in full) is what a cold start needs. Values are
the stored ones, so lookups give the same bits as a fully read grid.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Block", "ChunkedGrid"]

#: A block of the grid: (row slice, column slice).
Block = tuple[slice, slice]
#: Reads blocks from the store, returns their arrays (same order).
BlockReader = Callable[[Sequence[Block]], Sequence[NDArray[Any]]]


class ChunkedGrid:
    """``array`` (n_rows, n_cols), whose chunks (``chunk_shape``) are read on first use.

    :meth:`ensure` fills every chunk meeting a box of cells; it is thread-safe
    (terrain masks are built in threads). Pickles with its filled chunks.
    """

    def __init__(
        self, shape: tuple[int, int], chunk_shape: tuple[int, int], dtype: Any, read: BlockReader
    ) -> None:
        self.array = np.zeros(shape, dtype=dtype)
        self.chunk_shape = chunk_shape
        self.read = read
        n_r = -(-shape[0] // chunk_shape[0])
        n_c = -(-shape[1] // chunk_shape[1])
        self.loaded = np.zeros((n_r, n_c), dtype=bool)
        self._lock = threading.Lock()

    def ensure(self, row0: int, row1: int, col0: int, col1: int) -> None:
        """Fill the chunks meeting cells ``[row0, row1] x [col0, col1]`` (inclusive)."""
        (c_r, c_c), (n_rows, n_cols) = self.chunk_shape, self.array.shape
        r0, r1 = max(row0, 0) // c_r, min(row1, n_rows - 1) // c_r
        q0, q1 = max(col0, 0) // c_c, min(col1, n_cols - 1) // c_c
        if self.loaded[r0 : r1 + 1, q0 : q1 + 1].all():
            return
        with self._lock:  # another thread may have filled some meanwhile: look again
            rows, cols = np.nonzero(~self.loaded[r0 : r1 + 1, q0 : q1 + 1])
            blocks = [
                (
                    slice(r * c_r, min((r + 1) * c_r, n_rows)),
                    slice(q * c_c, min((q + 1) * c_c, n_cols)),
                )
                for r, q in zip((rows + r0).tolist(), (cols + q0).tolist(), strict=True)
            ]  # a loop over the few chunks, not over cells
            for block, values in zip(blocks, self.read(blocks), strict=True):
                self.array[block] = values
            self.loaded[rows + r0, cols + q0] = True

    def full(self) -> NDArray[Any]:
        """The whole grid (reads every chunk not read yet)."""
        self.ensure(0, self.array.shape[0] - 1, 0, self.array.shape[1] - 1)
        return self.array

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
