r"""Tacview ACMI 2.2 text export of a run (``iadsim export acmi``).

File layout (Tacview "Technical Reference - ACMI flight recordings 2.2"): a
header ``FileType=text/acmi/tacview`` / ``FileVersion=2.2``; global properties
on object ``0`` (ReferenceTime, ReferenceLongitude/Latitude, Title, DataSource);
then time frames ``#<seconds>`` followed by object lines
``<hex id>,T=<lon>|<lat>|<alt>,Type=...,Name=...`` (longitude and latitude
relative to the reference point, degrees; altitude m), removals ``-<hex id>``
and events ``0,Event=Destroyed|<hex id>|``. Commas inside values are escaped as ``\\,``.
Frame times are the run's seconds from the scenario epoch; ReferenceTime is that
epoch, the scenario's ``simulation.epoch_utc`` in UTC, or 2000-01-01T00:00:00Z
(:data:`DEFAULT_REFERENCE_TIME`) when the scenario gives none.

Objects: defended sites, radars and launchers are static ground objects of the
defending coalition (Allies, blue); threats are air objects (Enemies, red),
present while alive; each salvo is one interceptor object flying straight from
its launcher to its intercept or abort point (the model has no fly-out path).
A kill destroys the threat; a leak removes it with a ``LeftArea`` event.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.report.replay import _end_points, end_times, in_flight_at_end
from iadsim.analysis.report.rundata import RunData
from iadsim.geo import enu2geodetic
from iadsim.scenario.compile import LauncherInfo, PlacedRadarInfo

F64 = NDArray[np.float64]
SITE_ID, RADAR_ID, LAUNCHER_ID, THREAT_ID, SALVO_ID = 0x100, 0x400, 0x800, 0x1000, 0x4000
#: ReferenceTime of a run whose scenario gives no ``simulation.epoch_utc``.
DEFAULT_REFERENCE_TIME = "2000-01-01T00:00:00Z"
_AIR_TYPES = {"cruise_missile": "Weapon+Missile", "cruise-missile": "Weapon+Missile"}


def escape(text: str) -> str:
    """An ACMI property value: commas and backslashes escaped, line breaks removed."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("\n", " ")


class _Geo:
    def __init__(self, run: RunData) -> None:
        self.origin = run.world.origin_rad_m
        self.lon0 = math.floor(math.degrees(self.origin[1]))
        self.lat0 = math.floor(math.degrees(self.origin[0]))

    def t(self, e_m: F64, n_m: F64, u_m: F64) -> list[str]:
        """``T=`` values (lon|lat|alt relative to the reference point) of ENU points."""
        lat, lon, h = enu2geodetic(e_m, n_m, u_m, *self.origin)
        return [
            f"T={math.degrees(a) - self.lon0:.6f}|{math.degrees(b) - self.lat0:.6f}|{c:.1f}"
            for a, b, c in zip(
                np.atleast_1d(lon), np.atleast_1d(lat), np.atleast_1d(h), strict=True
            )
        ]


def reference_time(run: RunData) -> str:
    """The file's ReferenceTime: the scenario's ``simulation.epoch_utc`` in UTC (``Z``,
    milliseconds when it has fractions of a second), else :data:`DEFAULT_REFERENCE_TIME`."""
    epoch = run.scenario.simulation.epoch_utc
    if epoch is None:
        return DEFAULT_REFERENCE_TIME
    utc = epoch.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds") + "Z"


def _threat_type(kind: str) -> str:
    return _AIR_TYPES.get(kind, "Air+FixedWing")


def _ground(run: RunData, geo: _Geo) -> list[str]:
    w, lines = run.world, []
    sp = w.site_pos_enu_m
    for i, t in enumerate(geo.t(sp[:, 0], sp[:, 1], sp[:, 2])):
        lines.append(
            f"{SITE_ID + i:x},{t},Type=Ground+Static+Building,Coalition=Allies,"
            f"Color=Blue,Name={escape(w.site_names[i])}"
        )
    units: list[tuple[int, str, PlacedRadarInfo | LauncherInfo]]
    units = [(RADAR_ID + r.radar_id, "Ground+Static+AntiAircraft", r) for r in w.radars]
    units += [(LAUNCHER_ID + lc.launcher_id, "Ground+AntiAircraft", lc) for lc in w.launchers]
    for object_id, kind, u in units:
        (t,) = geo.t(*u.pos_enu_m[:, None])
        lines.append(
            f"{object_id:x},{t},Type={kind},Coalition=Allies,Color=Blue,"
            f"Name={escape(u.type)},CallSign={escape(u.name)}"
        )
    return lines


def _threat_records(run: RunData, geo: _Geo, step_s: float) -> list[tuple[float, int, str]]:
    tr, th = run.truth, run.world.threats
    keep = tr.alive & (np.abs(np.round(tr.t_s / step_s) * step_s - tr.t_s) < 1e-6)
    rows = np.flatnonzero(keep)
    ts = geo.t(tr.e_m[rows], tr.n_m[rows], tr.u_m[rows])
    seen: set[int] = set()
    out = []
    for r, t in zip(rows, ts, strict=True):
        i = int(tr.threat_id[r])
        line = f"{THREAT_ID + i:x},{t}"
        if i not in seen:
            seen.add(i)
            line += (
                f",Type={_threat_type(th.kind[i])},Coalition=Enemies,Color=Red,"
                f"Name={escape(th.type[i])},CallSign={escape(th.name[i])}"
            )
        out.append((float(tr.t_s[r]), 1, line))
    ev = run.events
    egress = np.isfinite(th.egress_s)
    killed: set[int] = set()
    for k in np.flatnonzero((ev.kind == "kill") & (ev.threat_id >= 0)):
        i = int(ev.threat_id[k])
        killed.add(i)
        out += _removal(float(ev.t_s[k]), THREAT_ID + i, "Destroyed")
    for k in np.flatnonzero((ev.kind == "leak") & (ev.threat_id >= 0)):
        i, t_leak = int(ev.threat_id[k]), float(ev.t_s[k])
        if egress[i]:  # it struck and flies home: a message, the object flies on
            out.append((t_leak, 3, f"0,Event=Message|{THREAT_ID + i:x}|leaked"))
        else:
            out += _removal(t_leak, THREAT_ID + i, "LeftArea")
    # an egress ends at its last waypoint: the aircraft leaves the air there (it came
    # back as an unnamed object after a LeftArea at its leak)
    last = {int(i): float(t_r) for i, t_r in zip(tr.threat_id[rows], tr.t_s[rows], strict=True)}
    for i, t_last in last.items():
        if egress[i] and i not in killed and t_last < run.world.duration_s - 1e-6:
            out += _removal(t_last, THREAT_ID + i, "LeftArea")
    return out


def _removal(t_s: float, oid: int, event: str) -> list[tuple[float, int, str]]:
    """An object's last event (``Destroyed``, ``LeftArea``) and its removal at ``t_s``."""
    return [(t_s, 3, f"0,Event={event}|{oid:x}|"), (t_s, 4, f"-{oid:x}")]


def _salvo_records(run: RunData, geo: _Geo, step_s: float) -> list[tuple[float, int, str]]:
    g, end, out = run.engagements, _end_points(run), []
    flying, at = in_flight_at_end(run)
    u_end = np.where(flying, at[:, 2], g["end_u_m"].astype(float))
    u_end = np.where(np.isfinite(u_end), u_end, 5000.0)
    t_end = end_times(run)
    for i in range(len(g["order_id"])):
        t0, t1 = float(g["t_launch_s"][i]), float(t_end[i])
        if not (math.isfinite(t1) and np.isfinite(end[i]).all()):
            continue
        ts = np.unique(np.r_[t0, np.arange(math.ceil(t0 / step_s) * step_s, t1, step_s), t1])
        f = (ts - t0) / max(t1 - t0, 1e-9)
        p0 = np.array([g["launcher_e_m"][i], g["launcher_n_m"][i], g["launcher_u_m"][i]], float)
        p1 = np.array([end[i, 0], end[i, 1], u_end[i]])
        pts = p0[None, :] + f[:, None] * (p1 - p0)[None, :]
        oid = SALVO_ID + int(g["order_id"][i])
        for k, (t, tt) in enumerate(zip(ts, geo.t(pts[:, 0], pts[:, 1], pts[:, 2]), strict=True)):
            extra = (
                (
                    f",Type=Weapon+Missile,Coalition=Allies,Color=Blue,"
                    f"Name={escape(str(g['interceptor_type'][i]))},"
                    f"Parent={LAUNCHER_ID + int(g['launcher_id'][i]):x}"
                )
                if k == 0
                else ""
            )
            out.append((float(t), 1, f"{oid:x},{tt}{extra}"))
        out.append((t1, 2, f"-{oid:x}"))
    return out


def acmi_text(run: RunData, *, step_s: float = 2.0) -> str:
    """The run as ACMI 2.2 text (threats and interceptors sampled every ``step_s``)."""
    geo = _Geo(run)
    head = [
        "FileType=text/acmi/tacview",
        "FileVersion=2.2",
        f"0,ReferenceTime={reference_time(run)}",
        f"0,ReferenceLongitude={geo.lon0}",
        f"0,ReferenceLatitude={geo.lat0}",
        "0,DataSource=iadsim",
        "0,DataRecorder=iadsim",
        f"0,Title={escape(run.summary.scenario)}",
        f"0,Comments={escape(f'seed {run.summary.seed}')}",
        "#0",
        *_ground(run, geo),
    ]
    records = _threat_records(run, geo, step_s) + _salvo_records(run, geo, step_s)
    records.sort(key=lambda r: (round(r[0], 3), r[1]))
    lines, frame = head, 0.0
    for t, _prio, line in records:
        tt = round(t, 3)
        if tt != frame:
            lines.append(f"#{tt:g}")
            frame = tt
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_acmi(run: RunData, path: Path, *, step_s: float = 2.0) -> Path:
    """Write :func:`acmi_text` atomically (UTF-8; Tacview reads ``.acmi`` / ``.txt.acmi``)."""
    from iadsim.sim.recorder import write_text

    write_text(path, acmi_text(run, step_s=step_s))
    return path
