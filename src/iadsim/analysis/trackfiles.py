"""Read and validate track and truth files (Parquet or CSV) for scoring.

Tracks file columns (generic name, or the iadsim ``tracks.parquet`` name):

* ``time`` (``t_s``): s, non-decreasing;
* ``track_id``: integer, at most one row per (time, track_id);
* ``status``: int code 0..3 or tentative / confirmed / coasting / deleted
  (case-insensitive), see :class:`iadsim.frames.TrackStatus`; without the column
  (another tracker's output) every row is a confirmed track, which
  :attr:`TrackFile.assumed` says;
* ``x, y[, z]`` (``e_m, n_m[, u_m]``): position, m, local ENU; no ``z``: 2-D;
* ``vx, vy[, vz]`` (``ve_mps, vn_mps[, vu_mps]``): velocity, m/s;
* optional covariance diagonal ``var_x, var_y, var_z, var_vx, var_vy, var_vz``
  (``var_e_m2 ... var_vu_m2ps2``), m^2 and m^2/s^2, NaN if absent; optional
  upper triangle ``cov_x_y, cov_x_vx, ... cov_vy_vz`` (``cov_e_n_m2 ...
  cov_vn_vu_m2ps2``), 0 if absent; ``quality``.

Truth file columns: ``time`` (or ``t_s``), ``id`` (or ``threat_id``),
``x, y[, z]`` (or ``e_m, n_m[, u_m]``), optional ``vx, vy[, vz]`` (or
``ve_mps ...``), ``alive`` (default true) and the threat class, ``threat_type``
(or ``class``; else the group of ``threat_name``, its name without the
trailing ``-index``). An iadsim run-directory
``truth.parquet`` therefore reads as is; rows with ``alive`` false keep their
time (a known truth sample) but are not scored and not validated.

Every problem raises :class:`iadsim.errors.InputDataError` with one line naming
the file, the column and the first bad row (0-based data row), e.g.
``tracks.parquet: column 'x': NaN at row 17``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from iadsim.analysis.metrics.held import TRACK_HISTORY_KEY
from iadsim.analysis.trackcols import Columns, status_codes, truth_classes
from iadsim.errors import InputDataError
from iadsim.frames import (
    TRACK_STATE_AXES,
    Tracks,
    TrackStatus,
    Truth,
    track_cov_column,
    track_cov_generic,
)

__all__ = [
    "TrackFile",
    "TruthFile",
    "check_score_size",
    "read_table",
    "read_tracks",
    "read_truth",
]

F64 = NDArray[np.float64]

#: Plausibility bounds: positions within 1e8 m of the origin, speeds below 1e5 m/s,
#: variances non-negative and below (1e8 m)^2; beyond is a unit or format error.
MAX_POS_M = 1e8
MAX_SPEED_MPS = 1e5
MAX_VAR = 1e16

#: generic covariance column (``cov_x_vy``) -> Tracks column (``cov_e_vn_m2ps``)
_COV_COLUMNS: dict[str, str] = {
    track_cov_generic(a, b): track_cov_column(a, b)
    for i, a in enumerate(TRACK_STATE_AXES)
    for b in TRACK_STATE_AXES[i + 1 :]
}

# canonical name -> accepted column names (first found wins)
_TRACK_COLS: dict[str, tuple[str, ...]] = {
    "time": ("time", "t_s"),
    "track_id": ("track_id",),
    "status": ("status",),
    "x": ("x", "e_m"),
    "y": ("y", "n_m"),
    "z": ("z", "u_m"),
    "vx": ("vx", "ve_mps"),
    "vy": ("vy", "vn_mps"),
    "vz": ("vz", "vu_mps"),
    "var_x": ("var_x", "var_e_m2"),
    "var_y": ("var_y", "var_n_m2"),
    "var_z": ("var_z", "var_u_m2"),
    "var_vx": ("var_vx", "var_ve_m2ps2"),
    "var_vy": ("var_vy", "var_vn_m2ps2"),
    "var_vz": ("var_vz", "var_vu_m2ps2"),
    "quality": ("quality",),
    # the covariance upper triangle: generic name (iadsim track) or the run's name
    **{generic: (generic, column) for generic, column in _COV_COLUMNS.items()},
}
_TRUTH_COLS: dict[str, tuple[str, ...]] = {
    "time": ("time", "t_s"),
    "id": ("id", "threat_id"),
    "x": ("x", "e_m"),
    "y": ("y", "n_m"),
    "z": ("z", "u_m"),
    "vx": ("vx", "ve_mps"),
    "vy": ("vy", "vn_mps"),
    "vz": ("vz", "vu_mps"),
    "alive": ("alive",),
    "class": ("threat_type", "class"),
    "name": ("threat_name",),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrackFile:
    """A validated tracks file: the frame, its spatial dimension (2 or 3), its name."""

    tracks: Tracks
    n_dim: int
    file: str
    #: "changes" for an iadsim run's change-only tracks file (see
    #: :func:`iadsim.analysis.metrics.held.hold_track_changes`), else None
    history: str | None = None
    #: what was assumed of the file (said on stderr by ``iadsim score``)
    assumed: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class TruthFile:
    """A validated truth file (all rows; ``alive`` marks the scored ones)."""

    truth: Truth
    n_dim: int
    has_velocity: bool
    file: str
    #: threat class of each truth id (``threat_type`` column, or the group of
    #: ``threat_name``); empty if the file names none
    classes: dict[int, str] = dataclasses.field(default_factory=dict)


def read_table(path: str | Path) -> pa.Table:
    """Read a Parquet or CSV (by ``.csv`` suffix) file into a pyarrow Table."""
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"{p.name}: file not found ({p})")
    try:
        if p.suffix.lower() == ".csv":
            return pacsv.read_csv(p)
        return pq.read_table(p)
    except (OSError, pa.ArrowException) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputDataError(f"{p.name}: cannot read file ({first})") from err


def tracks_from_table(table: pa.Table, *, file: str) -> TrackFile:
    """Validate a tracks table (see the module docstring) into a :class:`TrackFile`."""
    cols = Columns(table, file, _TRACK_COLS)
    t = cols.sorted_time()
    n = t.shape[0]
    track_id = cols.ints("track_id")
    cols.unique_per_time(t, track_id, "track_id")
    n_dim = 3 if cols.has("z") else 2
    var = {
        k: cols.optional(k, n, np.nan, finite=False, lo=0.0, hi=MAX_VAR)
        for k in _TRACK_COLS
        if "var" in k
    }
    tracks = Tracks(
        t_s=t,
        track_id=track_id,
        status=status_codes(cols)
        if cols.has("status")
        else np.full(n, TrackStatus.CONFIRMED, np.int8),
        e_m=cols.bounded("x", -MAX_POS_M, MAX_POS_M),
        n_m=cols.bounded("y", -MAX_POS_M, MAX_POS_M),
        u_m=cols.optional("z", n, 0.0, lo=-MAX_POS_M, hi=MAX_POS_M),
        ve_mps=cols.bounded("vx", -MAX_SPEED_MPS, MAX_SPEED_MPS),
        vn_mps=cols.bounded("vy", -MAX_SPEED_MPS, MAX_SPEED_MPS),
        vu_mps=cols.optional(
            "vz", n, 0.0 if n_dim == 2 else np.nan, lo=-MAX_SPEED_MPS, hi=MAX_SPEED_MPS
        ),
        var_e_m2=var["var_x"],
        var_n_m2=var["var_y"],
        var_u_m2=var["var_z"],
        var_ve_m2ps2=var["var_vx"],
        var_vn_m2ps2=var["var_vy"],
        var_vu_m2ps2=var["var_vz"],
        quality=cols.optional("quality", n, np.nan, finite=False),
        **{
            column: cols.optional(key, n, 0.0, lo=-MAX_VAR, hi=MAX_VAR)
            for key, column in _COV_COLUMNS.items()
        },
    )
    meta = table.schema.metadata or {}
    history = meta.get(TRACK_HISTORY_KEY, b"").decode() or None
    assumed = (
        ()
        if cols.has("status")
        else (f"{file}: no status column: every row taken as a confirmed track",)
    )
    return TrackFile(tracks=tracks, n_dim=n_dim, file=file, history=history, assumed=assumed)


def truth_from_table(table: pa.Table, *, file: str) -> TruthFile:
    """Validate a truth table (see the module docstring) into a :class:`TruthFile`."""
    cols = Columns(table, file, _TRUTH_COLS)
    cols.non_empty("truth rows")
    t = cols.sorted_time()
    n = t.shape[0]
    ids = cols.ints("id")
    cols.unique_per_time(t, ids, "id")
    if cols.has("alive"):
        name, column = cols.raw("alive")
        if not pa.types.is_boolean(column.type):
            raise cols.error(name, f"not boolean (got {column.type})")
        alive = np.asarray(column.to_numpy(zero_copy_only=False), dtype=bool)
    else:
        alive = np.ones(n, dtype=bool)
    n_dim = 3 if cols.has("z") else 2
    has_vel = cols.has("vx") and cols.has("vy") and (n_dim == 2 or cols.has("vz"))

    def vel(key: str) -> F64:
        return cols.floats(key, mask=alive) if has_vel and cols.has(key) else np.full(n, np.nan)

    z = cols.bounded("z", -MAX_POS_M, MAX_POS_M, mask=alive) if n_dim == 3 else np.zeros(n)
    truth = Truth(
        t_s=t,
        threat_id=ids,
        e_m=cols.bounded("x", -MAX_POS_M, MAX_POS_M, mask=alive),
        n_m=cols.bounded("y", -MAX_POS_M, MAX_POS_M, mask=alive),
        u_m=z,
        ve_mps=vel("vx"),
        vn_mps=vel("vy"),
        vu_mps=vel("vz") if n_dim == 3 else np.zeros(n),
        alt_m=z,
        alive=alive,
    )
    return TruthFile(
        truth=truth, n_dim=n_dim, has_velocity=has_vel, file=file, classes=truth_classes(cols, ids)
    )


def read_tracks(path: str | Path) -> TrackFile:
    """Read and validate a tracks Parquet/CSV file.

    Raises
    ------
    InputDataError
        Unreadable file, missing column, NaN/inf, unsorted time, duplicate
        (time, track_id), unknown status.
    """
    return tracks_from_table(read_table(path), file=Path(path).name)


def read_truth(path: str | Path) -> TruthFile:
    """Read and validate a truth Parquet/CSV file (or an iadsim ``truth.parquet``).

    Raises
    ------
    InputDataError
        Unreadable file, missing column, NaN/inf in a live row, unsorted time,
        duplicate (time, id).
    """
    return truth_from_table(read_table(path), file=Path(path).name)


#: Scoring builds (tracks x truths) distance and assignment matrices per time,
#: ~600 bytes per pair in all; a file needing more pairs at one time is refused.
MAX_SCORE_PAIRS = 2_000_000


def check_score_size(tracks: TrackFile, truth: TruthFile) -> None:
    """Refuse a scoring whose per-time matrices would exhaust memory.

    Raises
    ------
    InputDataError
        Naming the tracks file, the busiest time and the limit.
    """
    t = tracks.tracks.t_s
    if t.size == 0:
        return
    times, counts = np.unique(t, return_counts=True)
    i = int(np.argmax(counts))
    n_truth = int(np.unique(truth.truth.threat_id).size)
    pairs = int(counts[i]) * max(n_truth, 1)
    if pairs > MAX_SCORE_PAIRS:
        raise InputDataError(
            f"{tracks.file}: column 'time': {int(counts[i]):,} tracks at time {times[i]:g} "
            f"against {n_truth:,} truths ({pairs:,} pairs; limit {MAX_SCORE_PAIRS:,})"
        )
