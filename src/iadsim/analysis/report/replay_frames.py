"""Moving layers of the map replay (one plotly frame per slider time) and the figure."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.report import replay as rp
from iadsim.analysis.report.basemap import ATTRIBUTION
from iadsim.analysis.report.coverage import Footprint
from iadsim.analysis.report.figjson import OUTCOME_COLOURS, Fig, arr, base_layout
from iadsim.analysis.report.rundata import RunData
from iadsim.frames import TrackStatus

F64 = NDArray[np.float64]


def _threats_now(run: RunData, t_s: float, grid: F64) -> Fig:
    tr, th = run.truth, run.world.threats
    g = grid[max(int(np.searchsorted(grid, t_s + 1e-9)) - 1, 0)]
    rows = np.flatnonzero((tr.t_s == g) & tr.alive)
    ids = tr.threat_id[rows]
    text = [
        f"{th.name[i]} ({th.type[i]})<br>alt {tr.alt_m[r]:.0f} m, "
        f"{np.hypot(tr.ve_mps[r], tr.vn_mps[r]):.0f} m/s"
        for i, r in zip(ids, rows, strict=True)
    ]
    return {"x": arr(tr.e_m[rows] / 1e3, 2), "y": arr(tr.n_m[rows] / 1e3, 2), "text": text}


def _tracks_now(run: RunData, t_s: float, truth: list[tuple[int, F64, F64]]) -> Fig:
    t, gone = run.tracks, run.track_deletions
    ended = gone["track_id"][gone["t_s"] <= t_s + 1e-6]  # deleted by now: not shown
    live = np.flatnonzero(
        (t["t_s"] <= t_s + 1e-6) & (t["t_s"] > t_s - rp.STALE_S) & ~np.isin(t["track_id"], ended)
    )
    ids = t["track_id"][live]
    # rows are sorted by (track_id, t_s): the last row of each id is its latest update
    last = live[np.r_[ids[1:] != ids[:-1], True]] if live.size else live
    status = [TrackStatus.NAMES[int(s)] for s in t["status"][last]]
    names = run.world.threats.name
    pos = np.stack([t["e_m"][last], t["n_m"][last], t["u_m"][last]], axis=-1).astype(float)
    on = rp.nearest_threat(truth, t["t_s"][last].astype(float), pos)
    text = [
        f"track {int(i)} ({s})<br>on {names[k] if k >= 0 else '?'}"
        for i, s, k in zip(t["track_id"][last], status, on, strict=True)
    ]
    return {
        "x": arr(t["e_m"][last] / 1e3, 2),
        "y": arr(t["n_m"][last] / 1e3, 2),
        "text": text,
        "marker": {
            "symbol": "circle-open",
            "size": 14,
            "line": {"width": 2},
            "color": [rp.STATUS_COLOURS.get(s, "#000") for s in status],
        },
    }


def _interceptors_now(run: RunData, t_s: float, end: F64) -> Fig:
    g = run.engagements
    t0, t1 = g["t_launch_s"].astype(float), rp.end_times(run)
    rows = np.flatnonzero((t0 <= t_s) & (t_s <= t1) & np.isfinite(end).all(axis=1))
    f = (t_s - t0[rows]) / np.maximum(t1[rows] - t0[rows], 1e-9)
    e = g["launcher_e_m"][rows] + f * (end[rows, 0] - g["launcher_e_m"][rows])
    n = g["launcher_n_m"][rows] + f * (end[rows, 1] - g["launcher_n_m"][rows])
    text = [rp._salvo_text(g, i) for i in rows]
    return {"x": arr(e.astype(float) / 1e3, 2), "y": arr(n.astype(float) / 1e3, 2), "text": text}


def _outcome_points(run: RunData, end: F64) -> dict[str, tuple[F64, F64, F64, list[str]]]:
    """Per marker kind: (t_s, e_m, n_m, hover text) of every kill/miss/abort/leak."""
    g, out = run.engagements, {}
    for kind in ("kill", "miss", "aborted"):
        rows = np.flatnonzero((g["outcome"] == kind) & np.isfinite(end).all(axis=1))
        text = [rp._salvo_text(g, i) for i in rows]
        out[kind] = (g["t_end_s"][rows].astype(float), end[rows, 0], end[rows, 1], text)
    ev, tr = run.events, run.truth
    rows = np.flatnonzero((ev.kind == "leak") & (ev.threat_id >= 0))
    pts = rp._truth_at_rows(tr, ev.threat_id[rows], ev.t_s[rows])
    text = [f"leak: {run.world.threats.name[ev.threat_id[i]]} at t={ev.t_s[i]:.0f} s" for i in rows]
    out["leak"] = (ev.t_s[rows], pts[:, 0], pts[:, 1], text)
    return out


def _dynamic_templates() -> list[Fig]:
    def pts(name: str, symbol: str, colour: str, size: int, mode: str = "markers") -> Fig:
        return {
            "type": "scatter",
            "mode": mode,
            "name": name,
            "x": [],
            "y": [],
            "text": [],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
                "symbol": symbol,
                "size": size,
                "color": colour,
                "line": {"width": 1, "color": "#000"},
            },
        }

    return [
        pts("threats now", "circle", "#D55E00", 9),
        pts("tracks now", "circle-open", "#0072B2", 14),
        pts("interceptors in flight", "star-diamond", "#009E73", 10),
        pts("kill", "x", OUTCOME_COLOURS["kill"], 12),
        pts("miss", "circle-x-open", OUTCOME_COLOURS["miss"], 11),
        pts("aborted", "hexagon-open", OUTCOME_COLOURS["aborted"], 11),
        pts("leak", "star-triangle-up", OUTCOME_COLOURS["leak"], 14),
    ]


def _frame_data(run: RunData, t_s: float, ctx: dict[str, Any]) -> list[Fig]:
    data = [
        _threats_now(run, t_s, ctx["grid"]),
        _tracks_now(run, t_s, ctx["truth"]),
        _interceptors_now(run, t_s, ctx["end"]),
    ]
    for kind in ("kill", "miss", "aborted", "leak"):
        t, e, n, text = ctx["outcomes"][kind]
        k = np.flatnonzero(t <= t_s + 1e-6)
        data.append(
            {"x": arr(e[k] / 1e3, 2), "y": arr(n[k] / 1e3, 2), "text": [text[i] for i in k]}
        )
    return data


def _slider(times: F64) -> list[Fig]:
    step_args = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    return [
        {
            "active": 0,
            "pad": {"t": 45, "l": 10},
            "len": 0.82,
            "x": 0.18,
            "currentvalue": {"prefix": "t = ", "suffix": " s", "font": {"size": 14}},
            "steps": [
                {"label": f"{t:.0f}", "method": "animate", "args": [[f"{t:.0f}"], step_args]}
                for t in times
            ],
        }
    ]


def _buttons() -> list[Fig]:
    play = {
        "frame": {"duration": 150, "redraw": False},
        "fromcurrent": True,
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    pause = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    return [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0.0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "pad": {"t": 75, "r": 10},
            "showactive": False,
            "buttons": [
                {"label": "▶ play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ pause", "method": "animate", "args": [[None], pause]},
            ],
        }
    ]


def map_figure(run: RunData, prints: list[Footprint]) -> tuple[Fig, dict[str, int]]:
    """The replay figure (data, layout, frames) and the counts shown on it."""
    w, tr = run.world, run.truth
    # the opening extent: truth, sites, radars and every footprint drawn (a radar's
    # coverage may reach beyond the traffic: the Zurich footprint was cut off)
    xs = np.r_[tr.e_m, w.site_pos_enu_m[:, 0], [r.pos_enu_m[0] for r in w.radars]]
    ys = np.r_[tr.n_m, w.site_pos_enu_m[:, 1], [r.pos_enu_m[1] for r in w.radars]]
    xs = np.concatenate([xs, *(f.e_m for f in prints)])
    ys = np.concatenate([ys, *(f.n_m for f in prints)])
    pad = 0.08 * max(np.ptp(xs), np.ptp(ys), 50e3)
    box = (xs.min() - pad, xs.max() + pad, ys.min() - pad, ys.max() + pad)
    end = rp._end_points(run)
    static = (
        rp._basemap(run, box)
        + rp._footprints(run, prints)
        + rp._truth_paths(run)
        + rp._track_paths(run)
        + rp._cues(run)
        + rp._flyouts(run, end)
        + rp._ground(run)
    )
    dynamic = _dynamic_templates()
    times = rp.frame_times(w.duration_s)
    ctx = {
        "grid": np.unique(tr.t_s),
        "truth": rp.truth_by_threat(run),
        "end": end,
        "outcomes": _outcome_points(run, end),
    }
    idx = list(range(len(static), len(static) + len(dynamic)))
    frames: list[Fig] = [
        {"name": f"{t:.0f}", "data": _frame_data(run, float(t), ctx), "traces": idx} for t in times
    ]
    for frame in frames:
        for layer in frame["data"]:
            if not layer["x"]:  # one gap point: plotly drops a layer with no point from
                layer.update(x=[None], y=[None], text=[])  # the legend at its next redraw
    for tmpl, first in zip(dynamic, frames[0]["data"], strict=True):
        tmpl.update(first)
    layout = base_layout(
        f"{run.summary.scenario}: map replay",
        "east (km)",
        "north (km)",
        height=720,
        sliders=_slider(times),
        updatemenus=_buttons(),
        annotations=[
            {
                "text": ATTRIBUTION,
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": -0.02,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 9, "color": "#777"},
            }
        ],
    )
    layout["xaxis"].update(range=[box[0] / 1e3, box[1] / 1e3])
    layout["yaxis"].update(range=[box[2] / 1e3, box[3] / 1e3], scaleanchor="x", scaleratio=1)
    layout["margin"]["b"] = 120
    counts = {
        "sites": len(w.site_names),
        "radars": len(w.radars),
        "launchers": len(w.launchers),
        "tracks": len(np.unique(run.tracks["track_id"])),
        "salvos": len(run.engagements["order_id"]),
        "frames": len(frames),
        "dynamic_first": idx[0],
    }
    return {"data": static + dynamic, "layout": layout, "frames": frames}, counts
