"""The map replay: a plan view (ENU km) with a time slider and play/pause.

Static layers: Natural Earth coastlines and borders, radar footprints, sites,
radars, launchers, truth paths, confirmed-track paths (broken where a track was
not updated), cues and fire-control tracks, interceptor fly-out lines. Layers
that move with the slider (one plotly frame per time step): threats, tracks
with id and status, interceptors in flight, and kill/miss/abort/leak markers
once they have happened.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.report.basemap import clip_lines, load_basemap
from iadsim.analysis.report.coverage import Footprint
from iadsim.analysis.report.figjson import (
    OUTCOME_COLOURS,
    PALETTE,
    Fig,
    arr,
    with_gaps,
)
from iadsim.analysis.report.rundata import RunData
from iadsim.geo import enu2geodetic, geodetic2enu

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
STATUS_COLOURS = {"tentative": "#999999", "confirmed": "#0072B2", "coasting": "#CC79A7"}
#: A track not updated for this long is drawn as broken (and not shown as current).
STALE_S = 30.0
#: A track is named after the nearest threat within this distance of its estimate, m.
ATTRIBUTE_GATE_M = 5000.0
#: Dynamic trace names, in the order of the frames' ``traces``.
DYNAMIC = ("threats now", "tracks now", "interceptors in flight", "kill", "miss", "aborted", "leak")


def frame_times(duration_s: float, n_max: int = 180) -> F64:
    """Slider times, s: a round step giving at most ``n_max`` frames."""
    raw = max(duration_s / n_max, 1.0)
    step = min((s for s in (1, 2, 5, 10, 15, 20, 30, 60, 120, 300) if s >= raw), default=600)
    return np.arange(0.0, duration_s + 1e-9, float(step))


def truth_by_threat(run: RunData) -> list[tuple[int, F64, F64]]:
    """Per threat: (threat id, live sample times (k,) s, positions (k, 3) ENU m), by time."""
    tr = run.truth
    live = np.flatnonzero(tr.alive)
    order = live[np.lexsort((tr.t_s[live], tr.threat_id[live]))]
    ids, first = np.unique(tr.threat_id[order], return_index=True)
    pos = tr.pos_m()
    return [
        (int(i), tr.t_s[rows], pos[rows])
        for i, rows in zip(ids, np.split(order, first[1:]), strict=True)
    ]


def nearest_threat(
    truth: list[tuple[int, F64, F64]], t_s: F64, pos_m: F64, gate_m: float = ATTRIBUTE_GATE_M
) -> I64:
    """Threat nearest each point ``pos_m`` (m, 3) at its time ``t_s`` (m,), or -1.

    Truth is linear between live samples (:func:`truth_by_threat`); a threat counts
    only inside its live span, and only within ``gate_m`` (3-D distance, m).
    """
    best = np.full(t_s.shape, -1, dtype=np.int64)
    best_d = np.full(t_s.shape, float(gate_m))
    for tid, ts, p in truth:  # loop over threats, not points
        inside = (t_s >= ts[0] - 1e-6) & (t_s <= ts[-1] + 1e-6)
        at = np.stack([np.interp(t_s, ts, p[:, c]) for c in range(3)], axis=-1)
        d = np.where(inside, np.linalg.norm(at - pos_m, axis=-1), np.inf)
        closer = d < best_d
        best[closer], best_d[closer] = tid, d[closer]
    return best


def _basemap(run: RunData, box_m: tuple[float, float, float, float]) -> list[Fig]:
    lat0, lon0, h0 = run.world.origin_rad_m
    e = np.array([box_m[0], box_m[1], box_m[0], box_m[1], 0.5 * (box_m[0] + box_m[1])])
    n = np.array([box_m[2], box_m[2], box_m[3], box_m[3], 0.5 * (box_m[2] + box_m[3])])
    lat, lon, _ = enu2geodetic(e, n, np.zeros_like(e), lat0, lon0, h0)
    lon_box = (math.degrees(lon.min()) - 1.0, math.degrees(lon.max()) + 1.0)
    lat_box = (math.degrees(lat.min()) - 1.0, math.degrees(lat.max()) + 1.0)
    base = load_basemap()
    traces = []
    for name, lines, dash in (("coastline", base.coast, "solid"), ("border", base.border, "dot")):
        parts = clip_lines(lines, lon_box, lat_box)
        xs, ys = [], []
        for p in parts:
            pe, pn, _ = geodetic2enu(np.radians(p[:, 1]), np.radians(p[:, 0]), 0.0, lat0, lon0, h0)
            xs.append(pe / 1e3)
            ys.append(pn / 1e3)
        traces.append(
            _polylines(
                name, xs, ys, hoverinfo="skip", legendgroup="map",
                line={"color": "#8c8c8c", "width": 1, "dash": dash},
            )
        )  # fmt: skip
    return traces


def _footprints(run: RunData, prints: list[Footprint]) -> list[Fig]:
    out = []
    rcs_values = list(dict.fromkeys(f.rcs_m2 for f in prints))  # the order asked for
    for f in prints:
        radar = run.world.radars[f.radar_id]
        k = rcs_values.index(f.rcs_m2)
        out.append(
            {
                "type": "scatter",
                "mode": "lines",
                "fill": "toself",
                "x": arr(f.e_m / 1e3, 2),
                "y": arr(f.n_m / 1e3, 2),
                "name": f"{radar.name}: {f.rcs_m2:g} m² at {f.alt_m:g} m",
                "legendgroup": f"cov{k}",
                "line": {
                    "color": PALETTE[f.radar_id % 8],
                    "width": 1,
                    "dash": ["solid", "dash", "dot"][k % 3],
                },
                "opacity": 0.35,
                "hoverinfo": "name",
                "visible": True if k == 0 else "legendonly",
            }
        )
    return out


def _polylines(name: str, xs: list[Any], ys: list[Any], **style: Any) -> Fig:
    """A line trace of the polylines ``xs``, ``ys`` (km; gaps between them) with ``style``."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": arr(with_gaps(xs), 2),
        "y": arr(with_gaps(ys), 2),
        **style,
    }


def _points(name: str, e_m: Any, n_m: Any, text: list[str], symbol: str, colour: str) -> Fig:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": arr(np.asarray(e_m) / 1e3, 2),
        "y": arr(np.asarray(n_m) / 1e3, 2),
        "text": text,
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {
            "symbol": symbol,
            "size": 11,
            "color": colour,
            "line": {"width": 1, "color": "#000"},
        },
    }


def _ground(run: RunData) -> list[Fig]:
    """Defended sites, radars and launchers: one marker trace each, with hover text."""
    w = run.world
    layers = (
        ("defended sites", w.site_pos_enu_m, "star", "#F0E442",
         [f"site {n}<br>value {v:g}" for n, v in zip(w.site_names, w.site_value, strict=True)]),
        ("radars", [r.pos_enu_m for r in w.radars], "triangle-up", "#56B4E9",
         [f"radar {r.radar_id} {r.name}<br>{r.type}<br>instrumented "
          f"{r.params.instrumented_range_m / 1e3:.0f} km" for r in w.radars]),
        ("launchers", [lc.pos_enu_m for lc in w.launchers], "square", "#E69F00",
         [f"launcher {lc.launcher_id} {lc.name} (battery {lc.battery_id})<br>{lc.type}<br>"
          + ", ".join(f"{k}: {v}" for k, v in lc.loadout.items()) for lc in w.launchers]),
    )  # fmt: skip
    out = []
    for name, pos, symbol, colour, text in layers:
        p = np.asarray(pos, dtype=np.float64).reshape(-1, 3)
        out.append(_points(name, p[:, 0], p[:, 1], text, symbol, colour))
    return out


def _truth_paths(run: RunData) -> list[Fig]:
    tr, th = run.truth, run.world.threats
    out = []
    for k, cls in enumerate(sorted(set(th.type))):
        xs, ys = [], []
        for i in (i for i, t in enumerate(th.type) if t == cls):
            rows = np.flatnonzero((tr.threat_id == i) & tr.alive)
            xs.append(tr.e_m[rows] / 1e3)
            ys.append(tr.n_m[rows] / 1e3)
        out.append(
            _polylines(
                f"truth: {cls}", xs, ys, line={"color": PALETTE[(k + 3) % 8], "width": 1.5},
                opacity=0.5, hoverinfo="name", legendgroup="truth",
            )
        )  # fmt: skip
    return out


def _track_paths(run: RunData) -> list[Fig]:
    t = run.tracks
    ids = t["track_id"].astype(np.int64)
    e, n, ts = t["e_m"] / 1e3, t["n_m"] / 1e3, t["t_s"]
    # a new segment where the track changes or was not updated for STALE_S (a break)
    cut = np.flatnonzero((np.diff(ids) != 0) | (np.diff(ts) > STALE_S)) + 1
    xs, ys = np.split(e, cut), np.split(n, cut)
    last = np.r_[np.flatnonzero(np.diff(ids) != 0), ids.size - 1] if ids.size else ids
    path = _polylines(
        "track paths (gaps: breaks)", xs, ys, hoverinfo="skip", legendgroup="tracks",
        line={"color": "#0072B2", "width": 1, "dash": "dot"},
    )  # fmt: skip
    ends = _points(
        "track ends",
        t["e_m"][last],
        t["n_m"][last],
        [f"track {ids[i]} last update t={ts[i]:.0f} s" for i in last],
        "x-thin-open",
        "#0072B2",
    )
    ends["marker"].update(size=8, line={"width": 1.5, "color": "#0072B2"})
    ends["legendgroup"] = "tracks"
    return [path, ends]


def _track_at(run: RunData, track_id: I64, t_s: F64) -> F64:
    """(n, 2) last known (e, n) of each track at each time, m (NaN if unknown)."""
    t = run.tracks
    out = np.full((track_id.size, 2), np.nan)
    for i, (tid, tt) in enumerate(zip(track_id, t_s, strict=True)):
        rows = np.flatnonzero((t["track_id"] == tid) & (t["t_s"] <= tt + 1e-6))
        if rows.size:
            out[i] = (t["e_m"][rows[-1]], t["n_m"][rows[-1]])
    return out


def _cues(run: RunData) -> list[Fig]:
    ev, out = run.events, []
    for kind, symbol, colour in (
        ("cue", "diamond-open", "#CC79A7"),
        ("fire_control_track", "diamond", "#D55E00"),
    ):
        rows = np.flatnonzero(ev.kind == kind)
        if rows.size == 0:
            continue
        pos = _track_at(run, ev.track_id[rows], ev.t_s[rows])
        text = [
            f"{kind.replace('_', ' ')}: radar {ev.radar_id[i]} on track {ev.track_id[i]}"
            f"<br>t={ev.t_s[i]:.0f} s"
            for i in rows
        ]
        out.append(_points(kind.replace("_", " "), pos[:, 0], pos[:, 1], text, symbol, colour))
    return out


def _end_points(run: RunData) -> F64:
    """(n, 2) end (intercept/abort) point of each salvo, m; the engaged track's last
    position where the table has none (runs before engagements.parquet); for a salvo
    still in flight when the run ended, where its rounds were then
    (:func:`in_flight_at_end`)."""
    g = run.engagements
    end = np.c_[g["end_e_m"].astype(float), g["end_n_m"].astype(float)]
    miss = ~np.isfinite(end).all(axis=1) & np.isfinite(g["t_end_s"].astype(float))
    if miss.any():
        end[miss] = _track_at(run, g["track_id_end"][miss].astype(np.int64), g["t_end_s"][miss])
    flying, at = in_flight_at_end(run)
    end[flying] = at[flying, :2]
    return end


def in_flight_at_end(run: RunData) -> tuple[NDArray[np.bool_], F64]:
    """The salvos still in the air when the run ended (n,) and where their rounds were
    then (n, 3), m: on the straight line from the launcher to the salvo's predicted
    intercept point, as far as the type's fly-out model flies in that time (the
    engagement stage's own model; NaN without a PIP: runs before it was logged). Drawn
    nowhere before: the map and the ACMI file skipped salvos without an end point."""
    from iadsim.engagement.interceptors import along_line_m, flyout_range_m
    from iadsim.scenario.schema_engagement import compile_interceptor

    g = run.engagements
    flying = np.asarray(g["outcome"] == "in_flight_at_end")
    at = np.full((flying.shape[0], 3), np.nan)
    types = run.scenario.resolved_catalog.interceptors
    for i in np.flatnonzero(flying):
        name = str(g["interceptor_type"][i])
        if name not in types:
            continue
        p = compile_interceptor(types[name], name)
        flown = flyout_range_m(run.world.duration_s - float(g["t_launch_s"][i]), p.boost_s,
                               p.max_speed_mps, p.decel_mps2, p.min_speed_mps)  # fmt: skip
        start = np.array([g[f"launcher_{a}_m"][i] for a in "enu"], dtype=float)
        pip = np.array([g[f"pip_{a}_m"][i] for a in "enu"], dtype=float)
        at[i] = along_line_m(start, pip, flown)
    return flying, at


def end_times(run: RunData) -> F64:
    """(n,) each salvo's end time, s; the run's end for a salvo still in flight then."""
    g = run.engagements
    t = g["t_end_s"].astype(float).copy()
    t[np.asarray(g["outcome"] == "in_flight_at_end")] = run.world.duration_s
    return t


def _salvo_text(g: dict[str, Any], i: int | np.integer[Any]) -> str:
    def f(key: str, fmt: str) -> str:
        v = float(g[key][i])
        return format(v, fmt) if math.isfinite(v) else "-"

    return (
        f"order {g['order_id'][i]}: {g['n_rounds'][i]} x {g['interceptor_type'][i]}<br>"
        f"launcher {g['launcher_id'][i]}, battery {g['battery_id'][i]}, track "
        f"{g['track_id_launch'][i]}->{g['track_id_end'][i]}, threat {g['threat_id_end'][i]}<br>"
        f"launch {f('t_launch_s', '.0f')} s, end {f('t_end_s', '.0f')} s: {g['outcome'][i]} "
        f"{g['reason'][i]}<br>Pk {f('pk', '.2f')} = table {f('pk_table', '.2f')} x "
        f"acquisition {f('p_acquisition', '.2f')}; miss {f('miss_distance_m', '.0f')} m"
    )


def _flyouts(run: RunData, end: F64) -> list[Fig]:
    g = run.engagements
    out = []
    for outcome in ("kill", "miss", "aborted", "in_flight_at_end"):
        rows = np.flatnonzero((g["outcome"] == outcome) & np.isfinite(end).all(axis=1))
        if rows.size == 0:
            continue
        xs = [np.array([g["launcher_e_m"][i], end[i, 0]]) / 1e3 for i in rows]
        ys = [np.array([g["launcher_n_m"][i], end[i, 1]]) / 1e3 for i in rows]
        text = [t for i in rows for t in (_salvo_text(g, i),) * 2 + ("",)][:-1]
        out.append(
            _polylines(
                f"fly-out: {outcome}", xs, ys, text=text,
                hovertemplate="%{text}<extra></extra>", legendgroup="flyout",
                line={"color": OUTCOME_COLOURS[outcome], "width": 1},
            )
        )  # fmt: skip
    return out


def _truth_at_rows(truth: Any, threat_id: I64, t_s: F64) -> F64:
    """(n, 2) true (e, n) of each threat at (the truth sample nearest) each time, m."""
    out = np.full((threat_id.size, 2), np.nan)
    for i, (tid, t) in enumerate(zip(threat_id, t_s, strict=True)):
        rows = np.flatnonzero(truth.threat_id == tid)
        if rows.size:
            j = rows[np.argmin(np.abs(truth.t_s[rows] - t))]
            out[i] = (truth.e_m[j], truth.n_m[j])
    return out
