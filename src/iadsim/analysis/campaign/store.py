"""Campaign directory: manifest, Parquet part files, resume bookkeeping, views.

Layout::

    CAMPAIGN_DIR/
      manifest.json                 scenario, sweep points, root seed, runs, versions
      results/part-00001.parquet    one row per successful task
      threats/part-00001.parquet    one row per threat per task
      failures/part-00001.parquet   task_id, seed, error, traceback

A flush writes the three parts of one number, each as a temporary file renamed
with :func:`os.replace` (a part is complete or absent); the results part is
written last and *commits* the flush. On open, threats/failures parts without a
results part of the same number (a crash mid-flush) and temporary files are
deleted. The completed task ids are the union of the ids in the committed
results and failures parts, so a resumed campaign neither loses nor repeats one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.analysis.campaign.integrity import (
    LOCK_NAME,
    InputDataError,
    locked,
    parse_manifest,
    task_ids,
)
from iadsim.analysis.campaign.tasks import TaskResult
from iadsim.files import atomic_write, write_bytes_atomic

TABLES = ("results", "threats", "failures")
_PART = re.compile(r"^part-(\d{5,})\.parquet$")

THREAT_SCHEMA = pa.schema(
    [
        ("task_id", pa.int64()),
        ("point_id", pa.int64()),
        ("replicate", pa.int64()),
        ("threat_id", pa.int64()),
        ("name", pa.string()),
        ("group", pa.string()),
        ("type", pa.string()),
        ("outcome", pa.string()),
        ("outcome_t_s", pa.float64()),
        ("first_detection_t_s", pa.float64()),
        ("first_detection_range_m", pa.float64()),
        ("first_track_t_s", pa.float64()),
        ("first_track_range_m", pa.float64()),
        ("first_fc_track_t_s", pa.float64()),
        ("first_fc_track_range_m", pa.float64()),
        ("engagements", pa.int64()),
        ("rounds", pa.int64()),
    ]
)
FAILURE_SCHEMA = pa.schema(
    [
        ("task_id", pa.int64()),
        ("point_id", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
        ("error", pa.string()),
        ("traceback", pa.string()),
    ]
)
_ID_FIELDS = [("task_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64())]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, flushed to disk (:mod:`iadsim.files`)."""
    write_bytes_atomic(path, data, fsync=True)


def _atomic_write_table(table: pa.Table, path: Path) -> None:
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"), fsync=True)


def sweep_column_types(values_by_path: Mapping[str, Iterable[Any]]) -> dict[str, pa.DataType]:
    """Arrow type of each sweep column: inferred, or string for mixed/nested values."""
    types: dict[str, pa.DataType] = {}
    for path, values in values_by_path.items():
        vals = list(values)
        if any(isinstance(v, list | dict) for v in vals):
            types[path] = pa.string()
            continue
        try:
            types[path] = pa.array(vals).type
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            types[path] = pa.string()
    return types


def sweep_cell(value: Any, kind: pa.DataType) -> Any:
    """Value of a sweep column cell for a column of Arrow type ``kind``."""
    if pa.types.is_string(kind) and not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    return value


def table_from_rows(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Arrow table with the union of the rows' keys (first-seen order), missing = null.

    (``pa.Table.from_pylist`` takes the columns of the first row only.) A column
    whose values Arrow cannot put in one type is stored as strings.
    """
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            columns[name] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(columns)


class CampaignStore:
    """Read and write one campaign directory (see module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        """``CAMPAIGN_DIR/manifest.json``."""
        return self.root / "manifest.json"

    def exists(self) -> bool:
        """True if the directory holds a campaign manifest."""
        return self.manifest_path.is_file()

    def is_blank(self) -> bool:
        """True if the directory is missing or holds only what a failed creation
        leaves (the lock, empty table folders, manifest backup or temporary file)."""
        if not self.root.exists():
            return True
        leftovers = {LOCK_NAME, self.backup_path.name}
        for p in self.root.iterdir():
            if p.name in TABLES and p.is_dir() and not any(p.iterdir()):
                continue
            if p.name not in leftovers:
                return False
        return True

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold an exclusive lock on the campaign directory (see :func:`.integrity.locked`)."""
        return locked(self.root)

    @property
    def backup_path(self) -> Path:
        """``CAMPAIGN_DIR/.manifest.backup.json``, a second copy written at creation."""
        return self.root / ".manifest.backup.json"

    def create(self, manifest: Mapping[str, Any]) -> None:
        """Create the directory tree and write the manifest (and its backup) atomically.

        The manifest is written last: a failure before it (a full disk) leaves no
        manifest, so the directory is not mistaken for a campaign.
        """
        text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
        for name in TABLES:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.backup_path, text.encode("utf-8"))
        atomic_write_bytes(self.manifest_path, text.encode("utf-8"))

    def read_manifest(self, *, repair: bool = False) -> dict[str, Any]:
        """Load and check ``manifest.json``.

        A manifest that is not valid JSON or lacks a required field is an error,
        unless the backup written at creation is valid: then it is used (and,
        with ``repair``, written back over the broken manifest).

        Raises
        ------
        InputDataError
            One line naming the file and the problem.
        """
        try:
            return parse_manifest(self.manifest_path)
        except InputDataError as err:
            try:
                data = parse_manifest(self.backup_path)
            except InputDataError:
                raise err from None
            if repair:
                atomic_write_bytes(self.manifest_path, self.backup_path.read_bytes())
            return data

    def _part_numbers(self, table: str) -> dict[int, Path]:
        folder = self.root / table
        if not folder.is_dir():
            return {}
        out = {}
        for p in folder.iterdir():
            m = _PART.match(p.name)
            if m:
                out[int(m.group(1))] = p
        return out

    def recover(self) -> None:
        """Delete temporary files and parts of uncommitted flushes."""
        committed = set(self._part_numbers("results"))
        for table in TABLES:
            folder = self.root / table
            if not folder.is_dir():
                continue
            for p in folder.glob(".*.tmp"):
                p.unlink(missing_ok=True)
            for num, p in self._part_numbers(table).items():
                if num not in committed:
                    p.unlink(missing_ok=True)

    def parts(self, table: str) -> list[Path]:
        """Committed part files of ``table`` in part order."""
        committed = set(self._part_numbers("results"))
        return [p for n, p in sorted(self._part_numbers(table).items()) if n in committed]

    def next_part_number(self) -> int:
        """One more than the highest part number on disk."""
        nums = [n for t in TABLES for n in self._part_numbers(t)]
        return max(nums, default=0) + 1

    def completed_task_ids(self, *, retry_failed: bool = False) -> set[int]:
        """Union of task ids in committed results and failures parts
        (results only with ``retry_failed``: failed tasks are run again)."""
        done: set[int] = set()
        for table in ("results",) if retry_failed else ("results", "failures"):
            for p in self.parts(table):
                done.update(int(v) for v in task_ids(p))
        return done

    def check_parts(self) -> None:
        """Raise a one-line :class:`InputDataError` naming the first corrupt part, or a
        part holding a task whose rows are in another part too (a task succeeds once:
        a copied part made ``campaign summarize`` count its runs twice)."""
        for table in TABLES:
            seen: dict[int, Path] = {}
            for p in self.parts(table):
                ids = set(task_ids(p).tolist())
                again = sorted(ids & seen.keys()) if table != "failures" else []
                if again:
                    raise InputDataError(
                        f"{p}: task {again[0]} is also in {seen[again[0]].name} (a copied "
                        "part? each task's rows are written once)"
                    )
                seen.update(dict.fromkeys(ids, p))

    def quarantine_corrupt(self) -> list[int]:
        """Move every flush with a corrupt part to ``CAMPAIGN_DIR/quarantine/``.

        Its tasks count as not done, so a resume runs them again. Returns the
        part numbers moved.
        """
        bad: set[int] = set()
        for table in TABLES:
            for num, p in self._part_numbers(table).items():
                try:
                    task_ids(p)
                except InputDataError:
                    bad.add(num)
        for num in sorted(bad):
            for table in TABLES:
                src = self._part_numbers(table).get(num)
                if src is not None:
                    dest = self.root / "quarantine" / table
                    dest.mkdir(parents=True, exist_ok=True)
                    os.replace(src, dest / src.name)
        return sorted(bad)

    def write_part(
        self,
        number: int,
        results: pa.Table,
        threats: pa.Table,
        failures: pa.Table,
    ) -> None:
        """Write one flush: threats and failures first, results (the commit) last."""
        name = f"part-{number:05d}.parquet"
        _atomic_write_table(threats, self.root / "threats" / name)
        _atomic_write_table(failures, self.root / "failures" / name)
        _atomic_write_table(results, self.root / "results" / name)


class PartWriter:
    """Buffer task results and flush them as part files by count and by time.

    Parameters
    ----------
    store : CampaignStore
    sweep_types : dict of str -> pyarrow.DataType
        Arrow type of each sweep column (see :func:`sweep_column_types`).
    flush_every : int
        Flush when this many results are buffered.
    flush_s : float
        Flush when the oldest buffered result is this old.
    """

    def __init__(
        self,
        store: CampaignStore,
        sweep_types: Mapping[str, pa.DataType],
        *,
        flush_every: int = 50,
        flush_s: float = 5.0,
    ) -> None:
        self.store = store
        self.sweep_types = dict(sweep_types)
        self.flush_every = flush_every
        self.flush_s = flush_s
        self._rows: list[dict[str, Any]] = []
        self._threats: list[dict[str, Any]] = []
        self._failures: list[dict[str, Any]] = []
        self._first_t_s: float | None = None
        self._next = store.next_part_number()
        self.n_written = 0

    def __len__(self) -> int:
        return len(self._rows) + len(self._failures)

    def add(self, result: TaskResult) -> None:
        """Buffer one task result."""
        if self._first_t_s is None:
            self._first_t_s = time.monotonic()
        if result.ok and result.row is not None:
            row = dict(result.row)
            for path, kind in self.sweep_types.items():
                for col in (path, f"sweep.{path}"):
                    if col in row:
                        row[col] = sweep_cell(row[col], kind)
            self._rows.append(row)
            self._threats.extend(result.threats)
        else:
            self._failures.append(
                {
                    "task_id": result.task_id,
                    "point_id": result.point_id,
                    "replicate": result.replicate,
                    "seed": result.seed,
                    "error": result.error,
                    "traceback": result.traceback,
                }
            )

    def due(self) -> bool:
        """True if the buffer should be flushed (count or age reached)."""
        if len(self) == 0:
            return False
        if len(self) >= self.flush_every:
            return True
        return self._first_t_s is not None and time.monotonic() - self._first_t_s >= self.flush_s

    def _results_table(self) -> pa.Table:
        if not self._rows:
            return pa.schema([*_ID_FIELDS, ("seed", pa.int64())]).empty_table()
        table = table_from_rows(self._rows)
        for path, kind in self.sweep_types.items():
            if path in table.column_names and table.schema.field(path).type != kind:
                idx = table.column_names.index(path)
                table = table.set_column(idx, path, table.column(path).cast(kind))
        return table

    def _threats_table(self) -> pa.Table:
        try:
            return pa.Table.from_pylist(self._threats, schema=THREAT_SCHEMA)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # unexpected types
            return table_from_rows(self._threats)

    def flush(self) -> int:
        """Write buffered results as the next part; return the number of tasks written."""
        n = len(self)
        if n == 0:
            return 0
        self.store.write_part(
            self._next,
            self._results_table(),
            self._threats_table(),
            pa.Table.from_pylist(self._failures, schema=FAILURE_SCHEMA),
        )
        self._next += 1
        self._rows, self._threats, self._failures = [], [], []
        self._first_t_s = None
        self.n_written += n
        return n
