"""Run directory writer: atomic Parquet/JSON/YAML files.

Every file is written to a temporary name in the same directory and renamed
into place (``os.replace`` is atomic on POSIX), so a killed run never leaves a
half-written file under a final name. ``summary.json`` is written last: a run
directory without it is incomplete.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from iadsim.errors import IadsimError
from iadsim.files import atomic_write, write_text_atomic


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write a pyarrow Table atomically (zstd-compressed Parquet).

    Dictionary encoding only for string and integer columns (kinds, names, ids):
    on float columns of measured values it finds no repeats, and trying costs
    more than the whole write (80,000 track rows: 0.11 s vs 0.02 s, and larger).
    """
    dictionary = [
        f.name
        for f in table.schema
        if pa.types.is_string(f.type)
        or pa.types.is_large_string(f.type)
        or pa.types.is_integer(f.type)
    ]
    atomic_write(
        path,
        lambda tmp: pq.write_table(table, tmp, compression="zstd", use_dictionary=dictionary),
        parents=True,
    )


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_text_atomic(path, text, parents=True)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (NaN/inf become null)."""
    write_text(path, json.dumps(_jsonable(data), indent=2, allow_nan=False) + "\n")


def write_yaml(path: Path, data: Any) -> None:
    """Write YAML atomically (safe dumper, key order kept; libyaml's when PyYAML has it,
    which writes the same text several times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    write_text(path, yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True))


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return None
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return _jsonable(x.item())
    return x


def default_run_dir(scenario_name: str, root: Path = Path("runs")) -> Path:
    """``runs/<scenario>-<UTC timestamp>`` (made unique with a suffix if it exists)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", scenario_name)
    path = root / f"{safe}-{stamp}"
    k = 1
    while path.exists():
        k += 1
        path = root / f"{safe}-{stamp}-{k}"
    return path


def prepare_run_dir(path: str | os.PathLike[str]) -> Path:
    """Create the run directory; refuse one that already holds a completed run."""
    path = Path(path)
    if (path / "summary.json").exists():
        raise IadsimError(f"{path}: already holds a completed run (summary.json); choose --out")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise IadsimError(f"{path}: cannot create run directory: {err}") from err
    return path
