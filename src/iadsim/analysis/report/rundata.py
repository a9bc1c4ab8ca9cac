"""Read a run directory into plain arrays for the report (older runs degrade gracefully).

A run directory holds ``summary.json`` (written last), ``scenario.resolved.yaml``,
``truth.parquet``, ``tracks.parquet``, ``events.parquet`` and, from the kill-chain
rework on, ``engagements.parquet`` (one row per salvo). Where
``engagements.parquet`` is absent the salvos are rebuilt from the events
(:func:`engagements_from_events`); a layer whose data is missing is skipped.
Every table is read through :func:`.runcheck.checked_columns` (columns present, of
their type, no nulls where a value is required, finite times and positions, ids
inside the scenario): bad data is a one-line error naming the file and the column.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from iadsim.analysis.report.runcheck import (
    Spec,
    checked_columns,
    float_columns,
    frame_spec,
    with_ranges,
)
from iadsim.engagement.log import Engagements
from iadsim.errors import InputDataError
from iadsim.frames import Events, Tracks, TrackStatus, Truth
from iadsim.scenario.compile import World, compile_world
from iadsim.scenario.load import load_scenario_data, parse_yaml
from iadsim.scenario.schema import Scenario
from iadsim.sim.summary_types import RunSummary, read_summary

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Columns = dict[str, NDArray[Any]]

#: Columns of ``engagements.parquet`` the report reads (see the kill-chain contract).
ENGAGEMENT_COLUMNS: tuple[str, ...] = (
    "order_id",
    "battery_id",
    "launcher_id",
    "interceptor_type",
    "n_rounds",
    "track_id_launch",
    "track_id_end",
    "threat_id_launch",
    "threat_id_end",
    "fc_radar_id",
    "t_order_s",
    "t_launch_s",
    "t_end_s",
    "launcher_e_m",
    "launcher_n_m",
    "launcher_u_m",
    "end_e_m",
    "end_n_m",
    "end_u_m",
    "pip_e_m",
    "pip_n_m",
    "pip_u_m",
    "n_handovers",
    "pk_table",
    "p_acquisition",
    "pk",
    "miss_distance_m",
    "outcome",
    "reason",
)
_ENGAGEMENT_DEFAULTS: dict[str, Any] = {
    "t_order_s": math.nan,
    "pip_e_m": math.nan,
    "pip_n_m": math.nan,
    "pip_u_m": math.nan,
    "fc_radar_id": -1,
    "n_handovers": 0,
    "pk_table": math.nan,
    "p_acquisition": math.nan,
    "pk": math.nan,
    "miss_distance_m": math.nan,
    "reason": "",
    "threat_id_launch": -1,
}
#: Columns ``engagements.parquet`` must have (the others are filled when absent).
_ENGAGEMENT_REQUIRED = ("order_id", "launcher_id", "t_launch_s", "outcome")
#: Launcher position columns: taken from the scenario's launchers when absent.
_LAUNCHER_POS = ("launcher_e_m", "launcher_n_m", "launcher_u_m")
#: Tracks columns that must be finite (time, position, velocity).
_TRACK_FINITE = ("t_s", "e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunData:
    """One run, read for display.

    ``tracks`` keeps only tracks that were ever confirmed (the thousands of
    tentative tracks seeded by false alarms are counted in ``n_tentative_only``),
    without their deletion rows (``track_deletions``; :func:`track_picture` joins them).
    ``engagements`` has the columns of :data:`ENGAGEMENT_COLUMNS`, one row per salvo.
    """

    run_dir: Path
    summary: RunSummary
    scenario: Scenario
    world: World
    truth: Truth
    tracks: Columns
    track_deletions: Columns  # the deletion rows of the tracks of ``tracks``
    track_times_s: NDArray[np.float64]  # the distinct row times of the whole file
    n_tentative_only: int
    events: Events
    engagements: Columns
    engagements_source: str


def _read(path: Path) -> pa.Table:
    try:
        # ParquetFile, not read_table: the latter imports pyarrow.dataset and pandas (~1 s)
        return pq.ParquetFile(path).read()
    except (OSError, pa.ArrowException) as err:
        raise InputDataError(f"{path}: cannot read Parquet: {err}") from err


def _frame(cls: Any, path: Path, spec: Spec) -> Any:
    """A frame of ``cls`` from file ``path``, its columns checked against ``spec``."""
    cols = checked_columns(path, _read(path), spec)
    kwargs = {name: cols[name] for name in cls.columns()}
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as err:
        raise InputDataError(f"{path}: {err}") from err


def _default_fill(kind: str) -> Any:
    """Value of an absent engagements column: NaN, -1 (ids) or empty text."""
    return {"f": math.nan, "U": ""}.get(kind, -1)


def _specs(world: World) -> dict[str, Spec]:
    """Column specs of the run files, with the id ranges of the run's scenario."""
    n_threats, n_launchers = len(world.threats.name), len(world.launchers)
    truth = frame_spec(Truth, finite=float_columns(Truth))
    tracks = frame_spec(Tracks, finite=_TRACK_FINITE)
    events = frame_spec(Events, finite=["t_s"])
    given = frame_spec(Engagements, finite=("t_launch_s", *_LAUNCHER_POS))
    eng = {
        name: dataclasses.replace(
            given[name],
            fill=None
            if name in _ENGAGEMENT_REQUIRED
            else _ENGAGEMENT_DEFAULTS.get(name, _default_fill(given[name].kind)),
        )
        for name in ENGAGEMENT_COLUMNS
    }
    return {
        "truth": with_ranges(truth, {"threat_id": (0, n_threats)}),
        "tracks": with_ranges(tracks, {"status": (0, len(TrackStatus.NAMES))}),
        "events": with_ranges(
            events,
            {"threat_id": (-1, n_threats), "launcher_id": (-1, n_launchers)}
            | dict.fromkeys(("track_id", "radar_id", "battery_id", "order_id"), (-1, None)),
        ),
        "engagements": with_ranges(
            eng,
            {
                "order_id": (0, None),
                "launcher_id": (0, n_launchers),
                "battery_id": (0, len(world.batteries)),
                "threat_id_launch": (-1, n_threats),
                "threat_id_end": (-1, n_threats),
                "n_rounds": (0, None),
            },
        ),
    }


def confirmed_tracks(cols: Columns) -> tuple[Columns, int, Columns]:
    """Rows of tracks ever confirmed or coasting, sorted by (track_id, t_s); the
    number of tracks that never were (tentative only); and the deletion rows of the
    former (a track ends there: the map and the scores must not hold it beyond)."""
    status = cols["status"].astype(np.int64)
    ids = cols["track_id"].astype(np.int64)
    firm = np.unique(ids[(status == TrackStatus.CONFIRMED) | (status == TrackStatus.COASTING)])
    gone = status == TrackStatus.DELETED
    keep = np.isin(ids, firm) & ~gone
    order = np.flatnonzero(keep)[np.lexsort((cols["t_s"][keep], ids[keep]))]
    ends = np.flatnonzero(np.isin(ids, firm) & gone)
    n_tentative = int(np.unique(ids).size - firm.size)
    return (
        {k: v[order] for k, v in cols.items()},
        n_tentative,
        {k: v[ends] for k, v in cols.items()},
    )


def track_picture(run: RunData) -> tuple[Tracks, NDArray[np.float64]]:
    """The ever-confirmed tracks as ``iadsim score`` reads the whole file, and the
    times it evaluates: the file's row times plus truth times in its gaps; from a
    change-only file (``track_history: changes``) every live track is held at those
    times (:func:`~iadsim.analysis.metrics.held.hold_for_scoring`; scored on the change
    rows alone, a track without a row at an instant counted as missing there: the
    report's GOSPA read 7,094 m where ``iadsim score`` reads 6,641 m)."""
    from iadsim.analysis.metrics.align import evaluation_times
    from iadsim.analysis.metrics.held import hold_track_changes

    rows = {k: np.concatenate([run.tracks[k], run.track_deletions[k]]) for k in Tracks.columns()}
    tracks = Tracks.from_trusted_columns({k: np.ascontiguousarray(v) for k, v in rows.items()})
    times = evaluation_times(run.track_times_s, run.truth.t_s)
    if run.summary.track_history != "changes":
        return tracks, times
    return hold_track_changes(tracks, times), times


def _ev(events: Events, kind: str) -> NDArray[np.bool_]:
    return np.asarray(events.kind == kind)


def engagements_from_events(events: Events, world: World, truth: Truth) -> Columns:
    """Salvos rebuilt from ``launch``/``intercept``/``kill``/``miss``/``abort`` events.

    For runs written before ``engagements.parquet``: launch events give order,
    launcher, interceptor type (``detail``), rounds (``value``) and time; the
    end is the first intercept/abort of the order; a kill event marks the salvo
    a kill (its threat's true position at that time is the end point), else a
    miss at the launch track's last known point is approximated by the truth of
    the nearest threat. Pk terms are not in old event logs (NaN).
    """
    launch = np.flatnonzero(_ev(events, "launch"))
    n = launch.size
    order = events.order_id[launch]
    out: Columns = {
        "order_id": order,
        "battery_id": events.battery_id[launch],
        "launcher_id": events.launcher_id[launch],
        "interceptor_type": np.asarray(events.detail[launch], dtype=object),
        "n_rounds": np.nan_to_num(events.value[launch], nan=1.0).astype(np.int64),
        "track_id_launch": events.track_id[launch],
        "t_launch_s": events.t_s[launch],
    }
    t_end = np.full(n, np.nan)
    outcome = np.full(n, "in_flight_at_end", dtype=object)
    threat = np.full(n, -1, dtype=np.int64)
    pk = np.full(n, np.nan)
    for kind, label in (("abort", "aborted"), ("miss", "miss"), ("kill", "kill")):
        rows = np.flatnonzero(_ev(events, kind))
        pos = np.searchsorted(order, events.order_id[rows]) if n else rows[:0]
        ok = (pos < n) & (order[np.minimum(pos, max(n - 1, 0))] == events.order_id[rows])
        pos, rows = pos[ok], rows[ok]
        t_end[pos] = events.t_s[rows]
        outcome[pos] = label
        if kind != "abort":
            pk[pos] = events.value[rows]
        threat[pos] = np.where(events.threat_id[rows] >= 0, events.threat_id[rows], threat[pos])
    out.update(t_end_s=t_end, outcome=outcome, threat_id_end=threat, pk=pk)
    out["track_id_end"] = out["track_id_launch"]
    lpos = np.array([world.launchers[i].pos_enu_m for i in out["launcher_id"]]).reshape(n, 3)
    out.update(launcher_e_m=lpos[:, 0], launcher_n_m=lpos[:, 1], launcher_u_m=lpos[:, 2])
    end = _truth_points(truth, threat, t_end)
    out.update(end_e_m=end[:, 0], end_n_m=end[:, 1], end_u_m=end[:, 2])
    for name, default in _ENGAGEMENT_DEFAULTS.items():
        out.setdefault(name, np.full(n, default, dtype=type(default) if default != "" else object))
    return out


def _truth_points(truth: Truth, threat_id: I64, t_s: F64) -> F64:
    """(n, 3) true ENU position of each threat at each time (NaN if unknown)."""
    pts = np.full((threat_id.size, 3), np.nan)
    for i, (tid, t) in enumerate(zip(threat_id, t_s, strict=True)):
        rows = np.flatnonzero(truth.threat_id == tid)
        if tid < 0 or not np.isfinite(t) or rows.size == 0:
            continue
        j = rows[np.argmin(np.abs(truth.t_s[rows] - t))]
        pts[i] = (truth.e_m[j], truth.n_m[j], truth.u_m[j])
    return pts


def _engagements(
    run_dir: Path, events: Events, world: World, truth: Truth, spec: Spec
) -> tuple[Columns, str]:
    path = run_dir / "engagements.parquet"
    if not path.is_file():
        return engagements_from_events(events, world, truth), "events.parquet"
    table = _read(path)
    cols = checked_columns(path, table, spec)
    if any(name not in table.column_names for name in _LAUNCHER_POS):
        pos = np.array([world.launchers[i].pos_enu_m for i in cols["launcher_id"]]).reshape(-1, 3)
        for k, name in enumerate(_LAUNCHER_POS):
            cols[name] = pos[:, k]
    return cols, "engagements.parquet"


def _load_resolved(path: Path) -> Scenario:
    """The run's resolved scenario (libyaml: written by iadsim itself, ~10x faster)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputDataError(f"{path}: cannot read file: {err}") from err
    data = parse_yaml(text, str(path), fast=True)
    if not isinstance(data, dict):
        raise InputDataError(f"{path}: not a scenario mapping")
    return load_scenario_data(data, file=str(path))


def load_run(run_dir: str | Path) -> RunData:
    """Read a completed run directory (InputDataError naming the file on bad input)."""
    root = Path(run_dir)
    if not root.is_dir():
        raise InputDataError(f"{root}: no such run directory")
    summary = read_summary(root / "summary.json")
    for name in ("scenario.resolved.yaml", "truth.parquet", "tracks.parquet", "events.parquet"):
        if not (root / name).is_file():
            raise InputDataError(f"{root / name}: missing")
    scenario = _load_resolved(root / "scenario.resolved.yaml")
    world = compile_world(scenario)
    specs = _specs(world)
    truth = _frame(Truth, root / "truth.parquet", specs["truth"])
    if len(truth) == 0:
        raise InputDataError(
            f"{root / 'truth.parquet'}: no rows, but the scenario has "
            f"{len(world.threats.name)} threats (a run records every threat at every step)"
        )
    events = _frame(Events, root / "events.parquet", specs["events"])
    path = root / "tracks.parquet"
    track_cols = checked_columns(path, _read(path), specs["tracks"])
    tracks, n_tentative, deletions = confirmed_tracks(track_cols)
    engagements, source = _engagements(root, events, world, truth, specs["engagements"])
    return RunData(
        run_dir=root,
        summary=summary,
        scenario=scenario,
        world=world,
        truth=truth,
        tracks=tracks,
        track_deletions=deletions,
        track_times_s=np.unique(track_cols["t_s"].astype(np.float64)),
        n_tentative_only=n_tentative,
        events=events,
        engagements=engagements,
        engagements_source=source,
    )
