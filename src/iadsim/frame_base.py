"""The frame base class: a frozen dataclass of equal-length, typed 1-D columns.

Concrete frames (:mod:`iadsim.frames`) declare their columns with :func:`col`;
:class:`Frame` validates them once (``__post_init__`` converts, while
:meth:`Frame.from_trusted_columns` only checks), holds them read-only and
converts to and from pyarrow Tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from iadsim.arrow import arrow_array, numpy_column

__all__ = ["Frame", "col"]


def col(dtype: Any, doc: str = "", fill: float | None = None) -> Any:
    """Declare a frame column with its numpy dtype (and a unit in ``doc``).

    With ``fill``, the column may be left out of the constructor: it is then
    ``fill`` on every row (e.g. covariance terms a producer does not estimate).
    """
    meta = {"dtype": np.dtype(dtype), "doc": doc, "fill": fill}
    if fill is None:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=None, metadata=meta)


def _read_only(value: NDArray[Any]) -> NDArray[Any]:
    """``value`` itself if read-only, else a read-only view (the caller's array keeps
    its flags)."""
    if not value.flags.writeable:
        return value
    view = value.view()
    view.flags.writeable = False
    return view


def _frozen(fresh: NDArray[Any]) -> NDArray[Any]:
    """``fresh`` (an array nobody else holds) made read-only, so a frame takes it as is."""
    fresh.flags.writeable = False
    return fresh


@dataclasses.dataclass(frozen=True, kw_only=True)
class Frame:
    """Base of all frames: equal-length 1-D columns with declared dtypes."""

    def __post_init__(self) -> None:
        n: int | None = None
        spec = self._spec()
        given = [getattr(self, name) for name, _ in spec]
        n_rows = next((np.shape(v)[0] for v in given if v is not None and np.ndim(v)), 0)
        for (name, dtype), raw in zip(spec, given, strict=True):
            if raw is None:
                raw = np.full(n_rows, self._fills()[name], dtype=dtype)
            value = np.asarray(raw)
            if dtype.kind == "U":
                value = value.astype(str) if value.size else np.zeros(0, dtype="<U1")
            elif value.dtype != dtype:
                value = value.astype(dtype)
            if value.ndim != 1:
                raise ValueError(
                    f"{type(self).__name__}.{name}: must be 1-D (got shape {value.shape})"
                )
            if n is None:
                n = value.shape[0]
            elif value.shape[0] != n:
                raise ValueError(f"{type(self).__name__}.{name}: length {value.shape[0]} != {n}")
            object.__setattr__(self, name, _read_only(value))
        self._check_rows()

    def _check_rows(self) -> None:
        """Checks of column values beyond dtype and length (none by default)."""

    @classmethod
    def _spec(cls) -> tuple[tuple[str, np.dtype[Any]], ...]:
        """(column name, dtype) pairs, computed once per frame class."""
        spec = cls.__dict__.get("_SPEC")
        if spec is None:
            spec = tuple((f.name, f.metadata["dtype"]) for f in dataclasses.fields(cls))
            type.__setattr__(cls, "_SPEC", spec)
        return spec

    @classmethod
    def _names(cls) -> frozenset[str]:
        """The column names, as a set (computed once per frame class)."""
        names = cls.__dict__.get("_NAMES")
        if names is None:
            names = frozenset(name for name, _ in cls._spec())
            type.__setattr__(cls, "_NAMES", names)
        return names

    @classmethod
    def _fills(cls) -> dict[str, float]:
        """Fill values of the columns declared with ``col(..., fill=...)``."""
        return {
            f.name: f.metadata["fill"]
            for f in dataclasses.fields(cls)
            if f.metadata.get("fill") is not None
        }

    # -- construction -----------------------------------------------------
    @classmethod
    def columns(cls) -> list[str]:
        """Column names in declaration order."""
        return [name for name, _ in cls._spec()]

    @classmethod
    def empty(cls) -> Self:
        """A frame with zero rows (one shared instance per class: frames are immutable)."""
        cached = cls.__dict__.get("_EMPTY")
        if cached is None:
            cached = cls(
                **{
                    name: np.zeros(0, dtype=dtype if dtype.kind != "U" else "<U1")
                    for name, dtype in cls._spec()
                }
            )
            type.__setattr__(cls, "_EMPTY", cached)
        return cached

    @classmethod
    def concat(cls, frames: Sequence[Self]) -> Self:
        """Stack frames row-wise (an empty sequence gives an empty frame)."""
        if not frames:
            return cls.empty()
        if len(frames) == 1:
            return frames[0]
        if any(type(fr) is not cls for fr in frames):
            raise TypeError(f"{cls.__name__}.concat: all frames must be {cls.__name__}")
        return cls.from_trusted_columns(
            {
                name: _frozen(np.concatenate([getattr(fr, name) for fr in frames]))
                for name in cls.columns()
            }
        )

    def select(self, index: NDArray[Any]) -> Self:
        """Rows picked by a boolean mask or an integer index array."""
        idx = np.asarray(index)
        if idx.ndim != 1 or (idx.dtype == bool and idx.shape[0] != len(self)):
            raise IndexError(f"{type(self).__name__}.select: bad index of shape {idx.shape}")
        return self.from_trusted_columns(
            {name: _frozen(getattr(self, name)[idx]) for name in self.columns()}
        )

    def rows(self, start: int, stop: int) -> Self:
        """Rows ``start:stop`` as views (no copy; the columns are read-only)."""
        return self.from_trusted_columns(
            {name: getattr(self, name)[start:stop] for name in self.columns()}
        )

    @classmethod
    def from_trusted_columns(cls, columns: dict[str, NDArray[Any]]) -> Self:
        """Build from columns that already have the declared dtypes (no conversion).

        For producers on hot paths (rows of validated frames, arrays a kernel has
        just allocated). Checked, at ~0.3 us per column: the column names are exactly
        :meth:`columns`, every column is a 1-D array of the declared dtype (any
        width for text), all of one length, plus the frame's own row checks
        (:data:`EVENT_KINDS` for :class:`Events`). Raises ``ValueError`` naming the
        frame and the column. The caller's arrays are never modified: the frame
        holds read-only views of them, so the producer must not write them
        afterwards (copy first if it will, as the tracker does with its filter bank).
        A producer that hands over read-only arrays of its own (fresh arrays it has
        made read-only) saves the views: they are taken as they are.
        """
        spec = cls._spec()
        if columns.keys() != cls._names():
            names = sorted(set(columns) ^ cls._names())
            raise ValueError(f"{cls.__name__}: columns differ from the declaration: {names}")
        obj = object.__new__(cls)
        values = obj.__dict__  # frozen dataclass: fields live in the instance dict
        shape = getattr(columns[spec[0][0]], "shape", ())
        shape = shape if len(shape) == 1 else ()  # no 1-D first column: all are looked at
        for name, dtype in spec:
            value = columns[name]
            # one test for the usual column (a plain array of the declared dtype, with
            # the first column's 1-D shape); anything else is looked at in detail
            if type(value) is not np.ndarray or value.dtype is not dtype or value.shape != shape:
                cls._check_trusted(name, dtype, value, shape)
            if value.flags.writeable:  # (_read_only, inlined: ~30 columns a frame)
                value = value.view()
                value.flags.writeable = False
            values[name] = value
        obj._check_rows()
        return obj

    @classmethod
    def from_owned_columns(cls, columns: dict[str, NDArray[Any]]) -> Self:
        """Build from columns that are this frame's by construction, without any check.

        For the producers of a look's frames (truth, detections, tracks: ~10^5 frames
        of a few rows in a many-radar run, where the checks of
        :meth:`from_trusted_columns` cost more than the values): the columns must be
        named exactly :meth:`columns`, be read-only 1-D arrays of the declared dtypes
        and of one length, and the frame class must have no row checks. Nothing is
        verified here; tests/sim/test_owned_frames.py runs the producers with every
        frame checked.
        """
        obj = object.__new__(cls)
        obj.__dict__.update(columns)
        return obj

    @classmethod
    def _check_trusted(
        cls, name: str, dtype: np.dtype[Any], value: Any, shape: tuple[int, ...]
    ) -> None:
        """Raise ``ValueError`` unless ``value`` is a valid column ``name`` of the rows'
        ``shape`` (:meth:`from_trusted_columns`)."""
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            raise ValueError(f"{cls.__name__}.{name}: need a 1-D numpy array")
        if value.dtype != dtype and not (dtype.kind == "U" == value.dtype.kind):
            raise ValueError(f"{cls.__name__}.{name}: dtype {value.dtype} != {dtype}")
        if value.shape != shape:
            raise ValueError(f"{cls.__name__}.{name}: length {value.shape[0]} != {shape[0]}")

    def __len__(self) -> int:
        first = type(self).__dict__.get("_FIRST")
        if first is None:
            first = self._spec()[0][0]
            type.__setattr__(type(self), "_FIRST", first)
        return int(self.__dict__[first].shape[0])

    # -- Arrow ------------------------------------------------------------
    def to_arrow(self) -> pa.Table:
        """A pyarrow Table with one column per field."""
        names = self.columns()
        return pa.Table.from_arrays([arrow_array(getattr(self, n)) for n in names], names=names)

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Self:
        """Build from a pyarrow Table holding (at least) this frame's columns."""
        missing = [c for c in cls.columns() if c not in table.column_names]
        if missing:
            raise KeyError(f"{cls.__name__}: missing columns {missing}")
        nulls = [c for c in cls.columns() if table.column(c).null_count]  # (iadsim writes none)
        if nulls:
            raise ValueError(
                f"column '{nulls[0]}': {table.column(nulls[0]).null_count} null values"
            )
        # numpy_column, not to_numpy: pyarrow's converters import pandas (~0.3 s)
        return cls(**{f.name: numpy_column(table.column(f.name)) for f in dataclasses.fields(cls)})
