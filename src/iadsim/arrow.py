"""Numpy columns to Arrow arrays, built from buffers (bottom layer: numpy + pyarrow)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

__all__ = ["arrow_array", "numpy_column"]


#: Largest byte count a ``string`` column's int32 offsets can address.
_MAX_STRING_BYTES = 2**31 - 1


def arrow_array(values: NDArray[Any]) -> pa.Array:
    """A 1-D numpy column (numeric, bool or str) as an Arrow array, built from buffers.

    Numeric columns are zero-copy, bools are bit-packed, str columns are encoded
    to UTF-8 with their offsets. Equal to ``pyarrow.array(values)``, but it never
    goes through pyarrow's numpy/sequence converters, which import pandas when it
    is installed (~0.2 s of every ``iadsim run`` otherwise).
    """
    a = np.ascontiguousarray(values)
    if a.ndim != 1:
        raise ValueError(f"arrow_array: need a 1-D column (got shape {a.shape})")
    n = a.shape[0]
    if a.dtype.kind == "b":
        bits = np.packbits(a, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(bits)])
    if a.dtype.kind != "U":
        return pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), n, [None, pa.py_buffer(a)])
    enc = np.char.encode(a, "utf-8") if n else np.zeros(0, dtype="S1")
    width = max(enc.dtype.itemsize, 1)
    lens = np.char.str_len(enc).astype(np.int64)  # bytes strings: trailing NULs are padding
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    cells = enc.view(np.uint8).reshape(n, width) if n else np.zeros((0, 1), np.uint8)
    data = cells[np.arange(width)[None, :] < lens[:, None]]
    large = offsets[-1] > _MAX_STRING_BYTES
    typ, off = (pa.large_string(), offsets) if large else (pa.string(), offsets.astype(np.int32))
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(off), pa.py_buffer(data)])


_NUMPY_TYPES: dict[str, type[np.generic]] = {
    "double": np.float64, "float": np.float32, "int64": np.int64, "int32": np.int32,
    "int16": np.int16, "int8": np.int8, "uint64": np.uint64, "uint32": np.uint32,
    "uint16": np.uint16, "uint8": np.uint8,
}  # fmt: skip


def numpy_column(col: pa.ChunkedArray | pa.Array) -> NDArray[Any]:
    """An Arrow column as numpy without pyarrow's numpy converters (they import pandas
    when it is installed, ~0.3 s): primitive types from their data buffers (a copy),
    booleans via uint8, the rest via lists (nulls: NaN in float columns, None else)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.uint8())
        return numpy_column(arr).astype(bool)
    kind = _NUMPY_TYPES.get(str(arr.type))
    if kind is None or arr.null_count:
        values = arr.to_pylist()
        if kind is not None and np.dtype(kind).kind == "f":
            return np.array([np.nan if v is None else v for v in values], dtype=kind)
        return np.array(values, dtype=object)
    buf = arr.buffers()[1]
    return np.frombuffer(
        buf, dtype=kind, count=len(arr), offset=arr.offset * np.dtype(kind).itemsize
    ).copy()
