"""``iadsim score``: coverage windows from a detections file, and results per threat
class or per target (the figures :class:`iadsim.analysis.metrics.Score` holds per
truth, grouped)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from iadsim.errors import InputDataError, located

if TYPE_CHECKING:
    from iadsim.analysis.metrics import CoverageWindows, Score

__all__ = ["TARGET_KEYS", "class_values", "coverage_for", "read_coverage", "target_rows"]

#: Columns of ``--per-target`` (raw keys, in order).
TARGET_KEYS = (
    "truth_id", "class", "steps", "coverage", "continuity", "segments", "id_switches",
    "time_to_track_s", "pos_rmse_m",
)  # fmt: skip


def read_coverage(path: Path) -> CoverageWindows:
    """Coverage windows (first to last plot per target) from a run's detections.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from iadsim.analysis.metrics import coverage_windows

    try:
        names = pq.read_schema(path).names
        if "truth_id" not in names or "t_s" not in names:
            what = "missing: coverage windows need a run's detections.parquet (t_s, truth_id)"
            raise InputDataError(located(path.name, "truth_id", what))
        table = pq.read_table(path, columns=["t_s", "truth_id"])
    except (OSError, pa.ArrowException) as err:
        raise InputDataError(located(path.name, "", " ".join(str(err).split())[:200])) from err
    for name in ("t_s", "truth_id"):
        if table.column(name).null_count:
            raise InputDataError(located(path.name, name, "null values (a damaged file?)"))
    t = table.column("t_s").to_numpy(zero_copy_only=False).astype(np.float64)
    tid = table.column("truth_id").to_numpy(zero_copy_only=False)
    if not np.issubdtype(tid.dtype, np.integer):
        raise InputDataError(located(path.name, "truth_id", f"not integers (got {tid.dtype})"))
    return coverage_windows(t, tid.astype(np.int64))


def coverage_for(
    truth: Path, detections: Path | None
) -> tuple[CoverageWindows | None, Path | None]:
    """Coverage windows from ``detections``, else from the detections.parquet beside a
    run's truth.parquet, else none; and the file they came from."""
    if detections is None and truth.name == "truth.parquet":
        beside = truth.parent / "detections.parquet"
        detections = beside if beside.is_file() else None
    return (None if detections is None else read_coverage(detections)), detections


def _per_truth(result: Score) -> dict[str, np.ndarray[Any, Any]]:
    k = result.continuity
    return {
        "truth_id": k.truth_id,
        "steps": k.n_truth_steps,
        "assigned": k.n_assigned_steps,
        "coverage": k.coverage,
        "continuity": k.continuity,
        "segments": k.n_segments,
        "id_switches": k.n_id_switches,
        "time_to_track_s": k.time_to_track_s,
        "pos_rmse_m": _aligned_rmse(result),
    }


def _aligned_rmse(result: Score) -> np.ndarray[Any, Any]:
    rmse = result.truth_pos_rmse_m
    n = result.continuity.truth_id.size
    return rmse if rmse.size == n else np.full(n, np.nan)


def target_rows(result: Score, classes: dict[int, str]) -> list[dict[str, Any]]:
    """One row per target (keys :data:`TARGET_KEYS`; NaN where a figure is undefined)."""
    f = _per_truth(result)
    rows = []
    for i, tid in enumerate(f["truth_id"].tolist()):
        row: dict[str, Any] = {key: f[key][i].item() for key in TARGET_KEYS if key in f}
        row["class"] = classes.get(int(tid), "")
        rows.append({key: row[key] for key in TARGET_KEYS})
    return rows


def class_values(result: Score, classes: dict[int, str]) -> dict[str, float | int]:
    """Per threat class (``name[class]`` keys): targets, targets tracked, mean
    continuity, mean time to track (tracked targets) and the pooled position RMSE."""
    f = _per_truth(result)
    names = np.array([classes.get(int(t), "") for t in f["truth_id"].tolist()], dtype=object)
    pair_class = np.array([classes.get(t, "") for t in result.pair_truth_id.tolist()],
                          dtype=object)  # fmt: skip
    out: dict[str, float | int] = {}
    if not classes:
        return out
    for name in sorted(set(names.tolist())):
        mine = names == name
        label = name or "unclassified"
        tracked = mine & (f["assigned"] > 0)
        # over the class's pairs, as the overall RMSE is over all pairs (also a
        # target's pairs outside its coverage window, or of a target without one)
        err = result.pair_pos_err_m[pair_class == name]
        ttt = f["time_to_track_s"][tracked]
        out |= {
            f"targets[{label}]": int(mine.sum()),
            f"tracked[{label}]": int(tracked.sum()),
            f"continuity[{label}]": float(np.mean(f["continuity"][mine])),
            f"time_to_track_s[{label}]": float(np.mean(ttt)) if ttt.size else math.nan,
            f"pos_rmse_m[{label}]": float(np.sqrt(np.mean(err * err))) if err.size else math.nan,
        }
    return out
