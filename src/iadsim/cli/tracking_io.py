"""What ``iadsim track`` does: read detections, run the multi-target tracker, write tracks.

Input (Parquet): ``time`` (s, non-decreasing) and either Cartesian ``x, y[, z]``
(m, local ENU; noise from the ``sigma`` column (m), else ``--sigma-m``, else
``cartesian_sigma_m`` in ``--config``, else estimated from the plots and said on
stderr) or polar ``range`` (m), ``azimuth`` (rad, clockwise from north),
``elevation`` (rad) and ``sensor`` (integer id; sensor sites in the ``--config``
YAML, ``sensors:``, with the noise unless the file has ``sigma_range`` (m),
``sigma_azimuth`` and ``sigma_elevation`` (rad) columns). Or ASTERIX CAT048 plots with
``--radar-sites`` (:mod:`iadsim.analysis.asterix`).
Output (Parquet, written atomically): ``time, track_id, status, x, y[, z], vx,
vy[, vz]``, the covariance diagonals ``var_*``, its upper triangle ``cov_*``
(m^2, m^2/s, m^2/s^2) and ``quality``, one row per
live track per scan time (plus a ``deleted`` row when a track is dropped).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from iadsim.cli.track_config import load_track_config
from iadsim.errors import InputDataError, located
from iadsim.files import atomic_write
from iadsim.frames import Detections, Tracks, TrackStatus, track_cov_column, track_cov_generic
from iadsim.numeric import last_per_time
from iadsim.scenario.schema_tracking import TrackCliConfig, compile_tracker_parts
from iadsim.tracking import Measurements, Tracker
from iadsim.tracking.scans import Look, revisit_periods, scan_looks

__all__ = ["load_track_config", "read_detections_table", "track_file", "write_parquet_atomic"]

D2R = np.pi / 180.0


#: Plausible bounds of each input column (inclusive); outside is an error naming the row.
#: Positions and ranges within 1e8 m (beyond the Moon's distance is a unit error).
_BOUNDS: dict[str, tuple[float, float]] = {
    "time": (-1e10, 1e10), "t_s": (-1e10, 1e10),
    "x": (-1e8, 1e8), "y": (-1e8, 1e8), "z": (-1e8, 1e8),
    "sigma": (1e-9, 1e8),
    "range": (0.0, 1e8), "range_m": (0.0, 1e8),
    "azimuth": (-100.0, 100.0), "elevation": (-np.pi / 2, np.pi / 2),
    "az_rad": (-100.0, 100.0), "el_rad": (-np.pi / 2, np.pi / 2),
    "sigma_range_m": (1e-9, 1e8), "sigma_az_rad": (1e-12, np.pi),
    "sigma_range": (1e-9, 1e8), "sigma_azimuth": (1e-12, np.pi),
    "sigma_elevation": (1e-12, np.pi),
    "sigma_el_rad": (1e-12, np.pi),
    "sensor_e_m": (-1e8, 1e8), "sensor_n_m": (-1e8, 1e8), "sensor_u_m": (-1e8, 1e8),
}  # fmt: skip

#: Tracker memory grows with live tracks x detections of a scan (gating and
#: assignment matrices, ~0.8 KiB per pair); a scan above this many pairs is refused.
MAX_PAIRS_PER_SCAN = 1_500_000


def _column(table: pa.Table, name: str, file: str) -> np.ndarray[Any, Any]:
    """A numeric column as float64, finite and within :data:`_BOUNDS`; one-line errors."""
    if name not in table.column_names:
        raise InputDataError(located(file, name, "required column is missing"))
    col = table.column(name)
    kind = col.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)):
        raise InputDataError(located(file, name, f"must be numeric (got {kind})"))
    arr = np.asarray(col.to_numpy(zero_copy_only=False), dtype=float)
    bad = np.nonzero(~np.isfinite(arr))[0]
    if bad.size:
        raise InputDataError(located(file, name, f"row {bad[0]}: not finite (got {arr[bad[0]]})"))
    lo, hi = _BOUNDS.get(name, (-np.inf, np.inf))
    out = np.nonzero((arr < lo) | (arr > hi))[0]
    if out.size:
        r = int(out[0])
        raise InputDataError(
            located(file, name, f"row {r}: out of range [{lo:g}, {hi:g}] (got {arr[r]:g})")
        )
    return arr


def _id_column(table: pa.Table, name: str, file: str) -> np.ndarray[Any, Any]:
    """A sensor id column: whole numbers from 0 (a negative id was taken as one more sensor)."""
    arr = _column(table, name, file)
    bad = np.nonzero((arr != np.round(arr)) | (arr < 0) | (arr > 2**53))[0]
    if bad.size:
        r = int(bad[0])
        why = f"row {r}: not a sensor id, a whole number >= 0 (got {arr[r]:g})"
        raise InputDataError(located(file, name, why))
    return arr.astype(np.int64)


def read_detections_table(path: Path) -> tuple[pa.Table, str]:
    """Read the Parquet file and check ``time``; returns (table, mode 'cartesian'|'polar')."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError) as err:
        msg = " ".join(str(err).split())[:200]
        raise InputDataError(located(path.name, "", f"cannot read Parquet ({msg})")) from err
    if table.num_rows == 0:
        raise InputDataError(located(path.name, "", "no detections (the file has no rows)"))
    # an iadsim run directory's detections.parquet (frames.Detections columns)
    names = set(table.column_names)
    run_dir = "time" not in names and set(Detections.columns()) <= names
    if "time" not in names and {"t_s", "range_m", "radar_id"} & names and not run_dir:
        missing = sorted(set(Detections.columns()) - names)
        raise InputDataError(located(path.name, missing[0], "required column is missing "
                                     f"(a run's detections file; missing {missing})"))  # fmt: skip
    t = _column(table, "t_s" if run_dir else "time", path.name)
    dec = np.nonzero(np.diff(t) < 0)[0]
    if dec.size:
        r = int(dec[0]) + 1
        raise InputDataError(
            located(path.name, "time", f"row {r}: not sorted (got {t[r]} after {t[r - 1]})")
        )
    cols = set(table.column_names)
    if run_dir:
        return table, "iadsim"
    if {"x", "y"} <= cols or not ({"range", "azimuth"} & cols):
        return table, "cartesian"
    return table, "polar"


Note = Callable[[str], None]


def _cartesian_sigma(
    t: np.ndarray[Any, Any], z: np.ndarray[Any, Any], file: str, sigma_m: float | None, note: Note
) -> np.ndarray[Any, Any]:
    """Per-plot noise without a ``sigma`` column: ``sigma_m`` if given, else an estimate
    from the plots (said through ``note``), else a one-line error naming --sigma-m."""
    if sigma_m is not None:
        return np.full(z.shape[0], sigma_m)
    from iadsim.analysis.noise_estimate import estimate_cartesian_sigma

    est = estimate_cartesian_sigma(t, z)
    if est is None:
        raise InputDataError(
            located(
                file,
                "sigma",
                "no sigma column, and too few scans to estimate the noise: "
                "give --sigma-m (or cartesian_sigma_m in --config)",
            )
        )
    note(
        f"note: {file} has no sigma column: measurement noise estimated from the plots as "
        f"{est.sigma_m:.3g} m (1-sigma per axis, from {est.n_triplets:,} plot triplets); "
        "set it with --sigma-m"
    )
    return np.full(z.shape[0], est.sigma_m)


def _cartesian_meas(table: pa.Table, file: str, sigma_m: float | None, note: Note) -> Measurements:
    names = ["x", "y", "z"] if "z" in table.column_names else ["x", "y"]
    z = np.stack([_column(table, c, file) for c in names], axis=1)
    t = _column(table, "time", file)
    if "sigma" in table.column_names:
        if sigma_m is not None:
            note(f"note: {file} has a sigma column: it is used, not --sigma-m/cartesian_sigma_m")
        sig = _column(table, "sigma", file)
        if np.any(sig <= 0):
            r = int(np.nonzero(sig <= 0)[0][0])
            raise InputDataError(located(file, "sigma", f"row {r}: must be > 0 (got {sig[r]})"))
    else:
        sig = _cartesian_sigma(t, z, file, sigma_m, note)
    R = np.einsum("m,ij->mij", sig**2, np.eye(z.shape[1]))
    return Measurements.cartesian(t, z, R)


#: Optional per-row noise columns of polar files: (column, config field, to column unit).
_POLAR_SIGMAS = (
    ("sigma_range", "sigma_range_m", 1.0),
    ("sigma_azimuth", "sigma_az_deg", D2R),
    ("sigma_elevation", "sigma_el_deg", D2R),
)


def _polar_dets(table: pa.Table, file: str, cfg: TrackCliConfig, cfg_file: str) -> Detections:
    t = _column(table, "time", file)
    rng_m, az, el = (_column(table, c, file) for c in ("range", "azimuth", "elevation"))
    sensor = _id_column(table, "sensor", file)
    unknown = np.nonzero(~np.isin(sensor, np.array(list(cfg.sensors), dtype=np.int64)))[0]
    if unknown.size:
        r = int(unknown[0])
        raise InputDataError(
            located(file, "sensor", f"row {r}: sensor {sensor[r]} is not in the config sensors")
        )

    def site(attr: str, scale: float = 1.0) -> np.ndarray[Any, Any]:
        lut = {k: getattr(v, attr) for k, v in cfg.sensors.items()}
        lut = {k: np.nan if v is None else v * scale for k, v in lut.items()}
        return np.array([lut[int(s)] for s in sensor], dtype=float)

    sig = {}
    for col, name, scale in _POLAR_SIGMAS:
        if col in table.column_names:  # the file's own sigmas, row by row
            sig[col] = _column(table, col, file)
            continue
        for k in np.unique(sensor):
            if getattr(cfg.sensors[int(k)], name) is None:
                raise InputDataError(
                    located(cfg_file, f"sensors.{k}.{name}",
                            f"required: {file} has polar plots of sensor {k} and no "
                            f"'{col}' column (no silent default)")
                )  # fmt: skip
        sig[col] = site(name, scale)

    m = t.shape[0]
    return Detections(
        t_s=t, radar_id=sensor, range_m=rng_m, az_rad=az % (2 * np.pi), el_rad=el,
        rdot_mps=np.zeros(m), snr_db=np.full(m, np.nan),
        sigma_range_m=sig["sigma_range"], sigma_az_rad=sig["sigma_azimuth"],
        sigma_el_rad=sig["sigma_elevation"], sigma_rdot_mps=np.full(m, np.inf),
        sensor_e_m=site("e_m"), sensor_n_m=site("n_m"), sensor_u_m=site("u_m"),
        truth_id=np.full(m, -1),
    )  # fmt: skip


def _to_table(tracks: Tracks, dims: int) -> pa.Table:
    names = np.array(TrackStatus.NAMES)
    out: dict[str, Any] = {
        "time": tracks.t_s,
        "track_id": tracks.track_id,
        "status": names[tracks.status.astype(int)],
    }
    axes = [("x", "e"), ("y", "n"), ("z", "u")][:dims]
    for a, b in axes:
        out[a] = getattr(tracks, f"{b}_m")
    for a, b in axes:
        out[f"v{a}"] = getattr(tracks, f"v{b}_mps")
    for a, b in axes:
        out[f"var_{a}"] = getattr(tracks, f"var_{b}_m2")
    for a, b in axes:
        out[f"var_v{a}"] = getattr(tracks, f"var_v{b}_m2ps2")
    state = [b for _, b in axes] + [f"v{b}" for _, b in axes]
    for i, a in enumerate(state):  # the covariance upper triangle (cov_x_y, cov_x_vx, ...)
        for b in state[i + 1 :]:
            out[track_cov_generic(a, b)] = getattr(tracks, track_cov_column(a, b))
    out["quality"] = tracks.quality
    return pa.table(out)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` as Parquet, atomically (:func:`iadsim.files.atomic_write`)."""
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def _check_density(n_tracks: int, n_dets: int, file: str, row: int, t_s: float) -> None:
    """Refuse a scan whose tracks x detections would exhaust memory."""
    pairs = max(n_tracks, n_dets) * n_dets  # the tracks it starts pair with the next scan
    if pairs > MAX_PAIRS_PER_SCAN:
        msg = (
            f"row {row}: scan at t={t_s:g} s has {n_dets:,} detections against {n_tracks:,} "
            f"tracks (~{pairs:,} track-detection pairs; limit {MAX_PAIRS_PER_SCAN:,}): "
            "thin the clutter or split the file by sensor"
        )
        raise InputDataError(located(file, "time", msg))


def _is_parquet(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return True  # let the Parquet reader say what is wrong


def _load_input(
    det_path: Path, cfg: TrackCliConfig, cfg_file: str, sigma_m: float | None,
    sites: Path | None, note: Note, skip_bad: bool = False,
) -> tuple[np.ndarray[Any, Any], Measurements | Detections, TrackCliConfig]:  # fmt: skip
    """Times, measurements (Cartesian) or detections (polar), and the config to track with."""
    file = det_path.name
    if not det_path.is_file():  # (a FIFO would block the read, a folder is no file)
        what = "no such file" if not det_path.exists() else "not a regular file"
        raise InputDataError(located(file, "", f"{what} ({det_path})"))
    if sites is not None or not _is_parquet(det_path):
        if sites is None:
            raise InputDataError(located(file, "", "not a Parquet file (for ASTERIX CAT048 "
                                         "plots give --radar-sites SITES.yaml)"))  # fmt: skip
        if sigma_m is not None:
            raise InputDataError("--sigma-m: CAT048 noise comes from --radar-sites (sigma_*)")
        from iadsim.analysis.asterix.reader import read_cat048_detections

        dets = read_cat048_detections(det_path, sites, dims=cfg.dims, note=note, skip_bad=skip_bad)
        return dets.t_s, dets, cfg
    table, mode = read_detections_table(det_path)
    times = _column(table, "t_s" if mode == "iadsim" else "time", file)
    if mode == "cartesian":
        sigma = sigma_m if sigma_m is not None else cfg.cartesian_sigma_m
        meas = _cartesian_meas(table, file, sigma, note)
        return times, meas, cfg.model_copy(update={"dims": meas.ndim})
    if sigma_m is not None:
        raise InputDataError(f"--sigma-m: only for Cartesian files (x, y[, z]); {file} is polar")
    if mode == "iadsim":  # sensor positions and sigmas are in the file itself
        for name in ("range_m", "az_rad", "el_rad", "sigma_range_m", "sigma_az_rad",
                     "sigma_el_rad", "sensor_e_m", "sensor_n_m", "sensor_u_m"):  # fmt: skip
            _column(table, name, file)
        _id_column(table, "radar_id", file)
        try:
            return times, Detections.from_arrow(table), cfg
        except (ValueError, TypeError, pa.ArrowException) as err:
            raise InputDataError(located(file, "", " ".join(str(err).split())[:200])) from err
    return times, _polar_dets(table, file, cfg, cfg_file), cfg


def _file_looks(
    data: Measurements | Detections, times: np.ndarray[Any, Any], look_s: float | None,
    file: str, note: Note,
) -> list[Look]:  # fmt: skip
    """The file's plots, one look per sensor revisit (:mod:`iadsim.tracking.scans`);
    an estimated period is said."""
    if isinstance(data, Measurements):
        sensor = np.full(len(data), -1, dtype=np.int64)
        az = np.arctan2(data.z[:, 0], data.z[:, 1])  # from the frame origin
    else:
        sensor, az = data.radar_id.astype(np.int64), data.az_rad
    periods = revisit_periods(times, sensor, az, look_s)
    for s, (period, estimated) in periods.items():
        who = f"{file}: sensor {s}" if s >= 0 else f"{file}: the plots"
        if estimated and period is None:
            note(f"{who}: too few plots to estimate a revisit period; tracked as "
                 "time-stamped (--look-s sets one)")  # fmt: skip
        elif estimated:
            note(f"{who}: plots carry their own times; tracked one look per revisit of "
                 f"{period:.3g} s, estimated from the plots (--look-s sets it)")  # fmt: skip
    return scan_looks(times, sensor, {s: p for s, (p, _) in periods.items()})


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def track_file(
    det_path: Path,
    out_path: Path,
    cfg_path: Path | None,
    *,
    sigma_m: float | None = None,
    radar_sites: Path | None = None,
    skip_bad_records: bool = False,
    look_s: float | None = None,
    tracker_name: str | None = None,
    note: Note = _stderr,
) -> dict[str, int]:
    """Validate inputs, run the tracker scan by scan, write the tracks; returns counters.

    The output path is checked before any work; a failed write (full disk) is a
    one-line error and leaves no partial file. What was assumed or estimated (the
    noise of a file without sigmas, skipped ASTERIX blocks) goes to ``note`` (stderr).
    Plots are tracked one look per sensor revisit (``look_s``, else estimated and
    said: :mod:`iadsim.tracking.scans`); of several looks at one instant (sensors whose
    looks end together) a track's last row is kept, one row per (time, track id).
    """
    from iadsim.analysis.outputs import check_output_file, writing

    given = [p for p in (det_path, cfg_path, radar_sites) if p is not None]
    csv = out_path.suffix.lower() == ".csv"  # CSV asked for by name, else Parquet
    check_output_file(out_path, "--output", given, suffix=".csv" if csv else ".parquet")
    cfg = load_track_config(cfg_path, tracker_name)  # a shipped configuration's name
    file = det_path.name
    cfg_file = cfg_path.name if cfg_path is not None else "--config"
    times, data, cfg = _load_input(
        det_path, cfg, cfg_file, sigma_m, radar_sites, note, skip_bad_records
    )
    dims = cfg.dims
    tracker = Tracker(parts=compile_tracker_parts(cfg))
    frames = []
    for look in _file_looks(data, times, look_s, file, note):
        rows, t = look.rows, look.t_s
        _check_density(tracker.n_tracks, int(rows.shape[0]), file, int(rows[0]), t)
        if isinstance(data, Measurements):  # one batch at t, each plot's time an offset
            m = data.select(rows)
            m = dataclasses.replace(m, t_s=np.full(len(m), t), dt_s=m.t_s - t)
            frames.append(tracker.step_measurements(m, t))
        else:
            sensor = look.sensor if 0 <= look.sensor < 63 else None  # sensor-aware misses
            frames.append(tracker.step(data.select(rows), t, sensor_id=sensor, batch=True))
    out = Tracks.concat(frames)
    with writing(out_path, "no tracks file written (the input is unchanged)"):
        table = _to_table(out.select(last_per_time(out.t_s, out.track_id)), dims)
        if csv:
            atomic_write(out_path, lambda tmp: pacsv.write_csv(table, tmp))
        else:
            write_parquet_atomic(table, out_path)
    return tracker.counters
