"""Column lookup and validation of one track or truth table, errors naming the file,
the column and the first bad row (used by :mod:`iadsim.analysis.trackfiles`)."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from iadsim.errors import InputDataError
from iadsim.frames import TrackStatus

__all__ = ["Columns", "status_codes", "truth_classes"]

F64 = NDArray[np.float64]


class Columns:
    """Column lookup and validation on one table, errors naming the file."""

    def __init__(self, table: pa.Table, file: str, names: dict[str, tuple[str, ...]]) -> None:
        self.table, self.file, self.names = table, file, names

    def error(self, col: str, message: str) -> InputDataError:
        """A one-line error naming the file and the column."""
        return InputDataError(f"{self.file}: column '{col}': {message}")

    def which(self, key: str) -> str | None:
        """The column present for ``key`` (first accepted name found), or None."""
        return next((n for n in self.names[key] if n in self.table.column_names), None)

    def has(self, key: str) -> bool:
        """Whether a column for ``key`` is present."""
        return self.which(key) is not None

    def raw(self, key: str) -> tuple[str, pa.ChunkedArray]:
        """The column for ``key`` and its name; missing or empty values are errors."""
        name = self.which(key)
        if name is None:
            alts = " or ".join(f"'{n}'" for n in self.names[key])
            have = ", ".join(self.table.column_names)
            raise InputDataError(f"{self.file}: column {alts}: missing (columns: {have})")
        column = self.table.column(name)
        if column.null_count:
            row = int(np.flatnonzero(pc.is_null(column).to_numpy(zero_copy_only=False))[0])
            raise self.error(name, f"empty value at row {row}")
        return name, column

    def floats(self, key: str, mask: NDArray[np.bool_] | None = None, finite: bool = True) -> F64:
        """The column as float64; non-numeric (and, if ``finite``, NaN/inf) values are errors."""
        name, column = self.raw(key)
        if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
            raise self.error(name, f"not numeric (got {column.type})")
        values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
        if finite:
            checked = values if mask is None else np.where(mask, values, 0.0)
            bad = np.flatnonzero(~np.isfinite(checked))
            if bad.size:
                what = "NaN" if np.isnan(values[bad[0]]) else "inf"
                raise self.error(name, f"{what} at row {int(bad[0])}")
        return values

    def optional(
        self,
        key: str,
        n: int,
        default: float,
        finite: bool = True,
        lo: float = -np.inf,
        hi: float = np.inf,
    ) -> F64:
        """The column if present (checked as :meth:`bounded`), else ``default`` everywhere."""
        if not self.has(key):
            return np.full(n, default)
        return self.bounded(key, lo, hi, finite=finite)

    def non_empty(self, what: str) -> None:
        """Refuse a table without rows."""
        if self.table.num_rows == 0:
            raise InputDataError(f"{self.file}: no {what} (the file has no rows)")

    def ints(self, key: str) -> NDArray[np.int64]:
        """The column as int64 ids: integers, or floats that are whole numbers below 2^53."""
        name, column = self.raw(key)
        if pa.types.is_integer(column.type):
            return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)
        values = self.floats(key)
        # whole numbers exactly representable in float64 (1e30 would wrap to INT64_MIN)
        bad = np.flatnonzero((values != np.round(values)) | (np.abs(values) > 2.0**53))
        if bad.size:
            r = int(bad[0])
            raise self.error(name, f"not an integer id at row {r} (got {values[r]:g})")
        return values.astype(np.int64)

    def bounded(
        self,
        key: str,
        lo: float,
        hi: float,
        mask: NDArray[np.bool_] | None = None,
        finite: bool = True,
    ) -> F64:
        """Like :meth:`floats`, and every (finite, unmasked) value within [lo, hi]."""
        values = self.floats(key, mask=mask, finite=finite)
        inf = np.flatnonzero(np.isinf(values) if mask is None else mask & np.isinf(values))
        if inf.size:  # NaN may mean "not given" (finite=False); inf never means anything
            raise self.error(str(self.which(key)), f"inf at row {int(inf[0])}")
        check = np.isfinite(values) if mask is None else mask & np.isfinite(values)
        bad = np.flatnonzero(check & ((values < lo) | (values > hi)))
        if bad.size:
            r = int(bad[0])
            raise self.error(
                str(self.which(key)),
                f"out of range [{lo:g}, {hi:g}] at row {r} (got {values[r]:g})",
            )
        return values

    def sorted_time(self) -> F64:
        """The time column: finite, within +-1e10 s, non-decreasing."""
        t = self.bounded("time", -1e10, 1e10)
        bad = np.flatnonzero(np.diff(t) < 0)
        if bad.size:
            i = int(bad[0]) + 1
            msg = f"not sorted at row {i} ({t[i]:g} after {t[i - 1]:g})"
            raise self.error(str(self.which("time")), msg)
        return t

    def unique_per_time(self, t: F64, ids: NDArray[np.int64], id_key: str) -> None:
        """Refuse two rows with the same (time, id)."""
        order = np.lexsort((ids, t))
        dup = np.flatnonzero((np.diff(t[order]) == 0) & (np.diff(ids[order]) == 0))
        if dup.size:
            row = int(order[dup[0] + 1])
            name = str(self.which(id_key))
            raise self.error(name, f"duplicate (time, {name}) {ids[row]} at row {row}")


def status_codes(cols: Columns) -> NDArray[np.int8]:
    """The ``status`` column as :class:`TrackStatus` codes (ints 0..3 or names)."""
    name, column = cols.raw("status")
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = np.char.lower(np.asarray(column.to_numpy(zero_copy_only=False), dtype=str))
        uniq, inv = np.unique(text, return_inverse=True)
        lookup = {name_: code for code, name_ in enumerate(TrackStatus.NAMES)}
        codes = np.asarray([lookup.get(str(u), -1) for u in uniq], dtype=np.int64)[inv]
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            got = text[bad[0]]
            raise cols.error(name, f"unknown status '{got}' at row {int(bad[0])}")
        return codes.astype(np.int8)
    codes_i = cols.ints("status")
    bad = np.flatnonzero((codes_i < 0) | (codes_i > len(TrackStatus.NAMES) - 1))
    if bad.size:
        msg = f"status code {codes_i[bad[0]]} at row {int(bad[0])} (expected 0..3 or a name)"
        raise cols.error(name, msg)
    return codes_i.astype(np.int8)


def truth_classes(cols: Columns, ids: NDArray[np.int64]) -> dict[int, str]:
    """Threat class of each truth id: ``threat_type``/``class``, else the group of
    ``threat_name`` (the name without its ``-index``), else none."""
    key = "class" if cols.has("class") else "name" if cols.has("name") else None
    if key is None:
        return {}
    _, column = cols.raw(key)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise cols.error(str(cols.which(key)), f"not text (got {column.type})")
    first = np.unique(ids, return_index=True)[1]
    text = column.take(pa.array(first)).to_pylist()
    if key == "name":
        text = [re.sub(r"-\d+$", "", str(t)) for t in text]
    return {int(ids[i]): str(t)[:80] for i, t in zip(first.tolist(), text, strict=True)}
