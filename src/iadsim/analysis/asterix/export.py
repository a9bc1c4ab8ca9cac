"""A run directory -> ``cat048.ast`` (plots), ``cat062.ast`` (tracks) and
``radar-sites.yaml`` (what ``iadsim track --radar-sites`` needs to read the plots back).

Times: the scenario epoch is taken as ``tod_offset_s`` seconds after UTC midnight
(default: the time of day of the scenario's ``simulation.epoch_utc``, else 0); the
time of day wraps at 24 h.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim import geo
from iadsim.analysis.asterix.cat048 import MAX_ABS_HEIGHT_M, MAX_RHO_M, encode_cat048
from iadsim.analysis.asterix.cat062 import encode_cat062
from iadsim.analysis.asterix.geometry import enu_plots_to_radar
from iadsim.errors import InputDataError
from iadsim.files import atomic_write
from iadsim.frames import Detections, Tracks

__all__ = ["ExportResult", "detections_to_cat048", "export_run", "sites_yaml"]

SENSOR_COLUMNS = ("sensor_e_m", "sensor_n_m", "sensor_u_m")

Origin = tuple[float, float, float]


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_run` wrote."""

    cat048: Path
    cat062: Path
    sites: Path
    n_plots: int
    n_skipped: int
    n_skipped_false_alarms: int
    n_tracks: int
    clipped: dict[str, int]  # CAT062 item -> messages whose value was clipped to its field


def _time_of_day(t_s: np.ndarray[Any, Any], offset_s: float) -> np.ndarray[Any, Any]:
    return np.mod(t_s + offset_s, 86_400.0)


def detections_to_cat048(
    dets: Detections, origin: Origin, *, sac: int, tod_offset_s: float = 0.0
) -> tuple[bytes, np.ndarray[Any, Any]]:
    """CAT048 data blocks of ``dets`` (SIC = radar id) and the mask of the plots written:
    CAT048 cannot carry a range beyond 256 NM or a height beyond +-62 km (I048/110)."""
    if len(dets) and int(dets.radar_id.max()) > 255:
        raise InputDataError(f"radar id {int(dets.radar_id.max())} does not fit a SIC (0-255)")
    az, rng_m, h = enu_plots_to_radar(dets.enu_m(), dets.sensor_pos_m(), origin)
    ok = (rng_m <= MAX_RHO_M) & (np.abs(h) <= MAX_ABS_HEIGHT_M)
    data = encode_cat048(
        sac, dets.radar_id[ok], _time_of_day(dets.t_s[ok], tod_offset_s), rng_m[ok], az[ok], h[ok]
    )
    return data, ok


def sites_yaml(dets: Detections, origin: Origin, names: list[str], *, sac: int) -> str:
    """The radar-sites YAML of the radars in ``dets`` (position from the plots' sensor
    columns, sigmas their median per radar)."""
    lines = [
        "# radar sites of the CAT048 file (iadsim track FILE --radar-sites THIS)",
        f"origin: {{lat_deg: {math.degrees(origin[0]):.9f}, "
        f"lon_deg: {math.degrees(origin[1]):.9f}, alt_m: {origin[2]:.3f}}}",
        "radars:",
    ]
    for rid in np.unique(dets.radar_id):
        sel = dets.radar_id == rid
        pos = np.median(dets.sensor_pos_m()[sel], axis=0)
        lat, lon, h = geo.enu2geodetic(pos[0], pos[1], pos[2], *origin)
        name = names[int(rid)] if int(rid) < len(names) else f"radar-{int(rid)}"

        def med(col: str, scale: float = 1.0, *, sel: Any = sel) -> float:
            return float(np.median(getattr(dets, col)[sel])) * scale

        lines.append(
            f"  - {{name: {name!r}, sac: {sac}, sic: {int(rid)}, "
            f"lat_deg: {math.degrees(float(lat)):.9f}, lon_deg: {math.degrees(float(lon)):.9f}, "
            f"alt_m: {float(h):.3f}, sigma_range_m: {med('sigma_range_m'):.6g}, "
            f"sigma_az_deg: {med('sigma_az_rad', 180 / math.pi):.6g}, "
            f"sigma_el_deg: {med('sigma_el_rad', 180 / math.pi):.6g}}}"
        )
    return "\n".join(lines) + "\n"


def tracks_to_cat062(
    tracks: Tracks, origin: Origin, *, sac: int, sic: int, tod_offset_s: float = 0.0
) -> tuple[bytes, dict[str, int]]:
    """CAT062 data blocks of every row of ``tracks`` (ENU about ``origin``) and the
    messages clipped per item (:func:`~iadsim.analysis.asterix.cat062.fit_fields`)."""
    lat, lon, h = geo.enu2geodetic(tracks.e_m, tracks.n_m, tracks.u_m, *origin)
    tod = _time_of_day(tracks.t_s, tod_offset_s)
    return encode_cat062(tracks, tod, np.degrees(lat), np.degrees(lon), h, sac=sac, sic=sic)


def _read_frame(cls: Any, path: Path) -> Any:
    try:
        return cls.from_arrow(pq.read_table(path))
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException) as err:
        msg = " ".join(str(err).split())[:200]
        raise InputDataError(f"{path}: cannot read ({msg})") from err


def _origin_names_epoch(run_dir: Path) -> tuple[Origin, list[str], float]:
    """The run's origin, radar names and epoch time of day (s after UTC midnight of
    ``simulation.epoch_utc``, 0 without one)."""
    from iadsim.scenario.checks import origin_of
    from iadsim.scenario.load import load_scenario

    scenario = load_scenario(str(run_dir / "scenario.resolved.yaml"))
    o = origin_of(scenario)
    radars = [r.name for b in scenario.batteries for r in b.radars]
    radars += [r.name for r in scenario.radars]
    epoch, tod_s = scenario.simulation.epoch_utc, 0.0
    if epoch is not None:
        utc = epoch.astimezone(dt.UTC)
        tod_s = utc.hour * 3600.0 + utc.minute * 60.0 + utc.second + utc.microsecond / 1e6
    return (math.radians(o.lat_deg), math.radians(o.lon_deg), float(o.alt_m)), radars, tod_s


def export_run(
    run_dir: Path, out_dir: Path, *, sac: int, sic: int, tod_offset_s: float | None = None
) -> ExportResult:
    """Write ``cat048.ast``, ``cat062.ast`` and ``radar-sites.yaml`` of a run into ``out_dir``
    (``tod_offset_s`` None: the epoch's time of day, module doc)."""
    for name in ("scenario.resolved.yaml", "detections.parquet", "tracks.parquet"):
        if not (run_dir / name).is_file():
            raise InputDataError(f"{run_dir}: not a run directory (no {name})")
    origin, names, epoch_tod_s = _origin_names_epoch(run_dir)
    if tod_offset_s is None:
        tod_offset_s = epoch_tod_s
    dets: Detections = _read_frame(Detections, run_dir / "detections.parquet")
    tracks: Tracks = _read_frame(Tracks, run_dir / "tracks.parquet")
    for frame, name, cols in ((dets, "detections.parquet", ("t_s", *SENSOR_COLUMNS)),
                              (tracks, "tracks.parquet", ("t_s",))):  # fmt: skip
        for col in cols:
            bad = np.flatnonzero(~np.isfinite(getattr(frame, col)))
            if bad.size:  # (plots at time 0, a radar site at NaN degrees)
                raise InputDataError(f"{run_dir / name}: column '{col}': row {bad[0]}: not finite")
    d048, ok = detections_to_cat048(dets, origin, sac=sac, tod_offset_s=tod_offset_s)
    d062, clipped = tracks_to_cat062(tracks, origin, sac=sac, sic=sic, tod_offset_s=tod_offset_s)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = out_dir / "cat048.ast", out_dir / "cat062.ast", out_dir / "radar-sites.yaml"
    atomic_write(paths[0], lambda tmp: Path(tmp).write_bytes(d048))
    atomic_write(paths[1], lambda tmp: Path(tmp).write_bytes(d062))
    text = sites_yaml(dets, origin, names, sac=sac)
    atomic_write(paths[2], lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    false_alarm = dets.truth_id < 0
    n_out = int((~ok).sum())
    n_fa = int((~ok & false_alarm).sum())
    return ExportResult(*paths, int(ok.sum()), n_out, n_fa, len(tracks), clipped)
