"""Checked columns of a run directory's Parquet files: the one gate of the report's input.

Every table the report reads (truth, tracks, events, engagements) goes through
:func:`checked_columns` with a :class:`ColumnSpec` per column: a required column
is present, of its kind (float, integer, boolean or text), without nulls (a float
column that may be NaN reads a null as NaN), finite where NaN has no meaning
(times, positions), and inside its range where it indexes the scenario (threat,
launcher and battery ids; other ids are -1 or more); a missing optional column is
filled (as the frame declares, or with the reader's default). Any
problem is a one-line :class:`~iadsim.errors.InputDataError` naming the file and
the column, never a traceback or a silently wrong figure downstream.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from iadsim.arrow import numpy_column
from iadsim.errors import InputDataError
from iadsim.frame_base import Frame

Columns = dict[str, NDArray[Any]]

_KIND_NAMES = {"f": "numbers", "i": "integers", "b": "booleans", "U": "text"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ColumnSpec:
    """What one column must hold.

    ``kind`` is a numpy dtype kind (``f``, ``i``, ``b``, ``U``); ``dtype`` the numpy
    dtype it is read as (default float64 / int64 / bool / object text). ``fill``:
    the value of every row when the column is absent (None: the column is required).
    ``finite``: floats must be finite (else NaN and nulls are allowed, a null
    reading as NaN). ``low``/``high``: integers must lie in ``[low, high)``.
    """

    kind: str
    dtype: Any = None
    fill: Any = None
    finite: bool = False
    low: int | None = None
    high: int | None = None


Spec = dict[str, ColumnSpec]


def frame_spec(cls: type[Frame], finite: Iterable[str] = ()) -> Spec:
    """The spec of a frame's columns: kinds, dtypes and fills as declared
    (:func:`~iadsim.frame_base.col`: a column with a fill may be absent), and the
    ``finite`` float columns."""
    fin = set(finite)
    out: Spec = {}
    for field in dataclasses.fields(cls):
        dtype, fill = field.metadata["dtype"], field.metadata["fill"]
        kind = "i" if dtype.kind == "u" else dtype.kind
        out[field.name] = ColumnSpec(
            kind=kind, dtype=None if kind == "U" else dtype, fill=fill, finite=field.name in fin
        )
    return out


def float_columns(cls: type[Frame]) -> list[str]:
    """Names of a frame's float columns."""
    return [f.name for f in dataclasses.fields(cls) if f.metadata["dtype"].kind == "f"]


def with_ranges(spec: Spec, ranges: Mapping[str, tuple[int | None, int | None]]) -> Spec:
    """``spec`` with integer columns limited to ``[low, high)`` (None: no bound)."""
    out = dict(spec)
    for name, (low, high) in ranges.items():
        out[name] = dataclasses.replace(out[name], low=low, high=high)
    return out


def _kind_ok(kind: str, typ: pa.DataType) -> bool:
    if pa.types.is_null(typ):  # an all-null column: judged by the null check
        return True
    if kind == "f":
        return bool(pa.types.is_floating(typ) or pa.types.is_integer(typ))
    if kind == "i":
        return bool(pa.types.is_integer(typ))
    if kind == "b":
        return bool(pa.types.is_boolean(typ))
    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def _values(name: str, spec: ColumnSpec, col: pa.ChunkedArray, where: str) -> NDArray[Any]:
    """The column as numpy after the checks of ``spec``."""
    if not _kind_ok(spec.kind, col.type):
        raise InputDataError(f"{where}: {name}: {col.type} values, need {_KIND_NAMES[spec.kind]}")
    n_null = col.null_count
    if n_null and (spec.kind != "f" or spec.finite):
        need = "finite numbers" if spec.kind == "f" else _KIND_NAMES[spec.kind]
        raise InputDataError(f"{where}: {name}: {n_null} null value(s), need {need}")
    if pa.types.is_null(col.type):
        values: NDArray[Any] = np.full(len(col), np.nan)
    elif spec.kind == "f" and pa.types.is_integer(col.type):  # nulls read as NaN, not None
        values = numpy_column(col.cast(pa.float64()))
    else:
        values = numpy_column(col)
    if spec.kind == "f":
        values = values.astype(np.float64 if spec.dtype is None else spec.dtype)
        if spec.finite and not np.isfinite(values).all():
            bad = np.flatnonzero(~np.isfinite(values))
            raise InputDataError(
                f"{where}: {name}: {bad.size} NaN or infinite value(s) (first at row {bad[0]})"
            )
    if spec.kind == "i" and values.size and (spec.low is not None or spec.high is not None):
        lo, hi = values.min(), values.max()
        if (spec.low is not None and lo < spec.low) or (spec.high is not None and hi >= spec.high):
            bounds = [f">= {spec.low}"] if spec.low is not None else []
            bounds += [f"<= {spec.high - 1}"] if spec.high is not None else []
            raise InputDataError(
                f"{where}: {name}: values must be {' and '.join(bounds)} for this scenario "
                f"(found {lo}..{hi})"
            )
    if spec.kind in "ib" and spec.dtype is not None:
        values = values.astype(spec.dtype)
    return values


def checked_columns(path: Path, table: pa.Table, spec: Spec) -> Columns:
    """The columns of ``spec`` read from ``table`` (from file ``path``), checked.

    Columns of the table not in ``spec`` are kept as read. Raises
    :class:`InputDataError` naming ``path`` and the column on a missing required
    column, a column named twice, a wrong type, a null or non-finite value where not
    allowed, or an id out of range.
    """
    where = str(path)
    names = set(table.column_names)
    if len(names) < table.num_columns:
        twice = sorted({c for c in table.column_names if table.column_names.count(c) > 1})
        raise InputDataError(f"{where}: columns {twice} appear more than once")
    missing = [c for c, s in spec.items() if s.fill is None and c not in names]
    if missing:
        raise InputDataError(f"{where}: missing columns {missing}")
    n = table.num_rows
    out: Columns = {}
    for name in table.column_names:
        s = spec.get(name)
        col = table.column(name)
        out[name] = numpy_column(col) if s is None else _values(name, s, col, where)
    for name, s in spec.items():
        if name not in out:
            dtype = object if s.kind == "U" else (s.dtype or np.float64)
            out[name] = np.full(n, s.fill, dtype=dtype)
    return out
