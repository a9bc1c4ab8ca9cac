"""Engagement timeline: one row per threat (grouped by class), events over time.

Per threat: first detection by each radar, first firm track, first fire-control
track (where the run records it), each salvo aimed at it from launch to its end
coloured by outcome, and the kill or leak.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from iadsim.analysis.report.figjson import OUTCOME_COLOURS, PALETTE, Fig, arr, base_layout
from iadsim.analysis.report.rundata import RunData

RADAR_SYMBOLS = ("circle-open", "square-open", "diamond-open", "triangle-up-open", "cross-thin")


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that orders the digit runs of ``text`` as numbers (``a-2`` before ``a-10``)."""
    parts = re.split(r"(\d+)", text)
    return tuple((int(p), "") if k % 2 else (-1, p) for k, p in enumerate(parts))


def threat_rows(run: RunData) -> list[int]:
    """Threat ids in display order: by class (type), then name in natural order."""
    th = run.world.threats
    return sorted(range(len(th.name)), key=lambda i: (th.type[i], natural_key(th.name[i])))


def _label(run: RunData, i: int) -> str:
    th = run.world.threats
    return f"{th.type[i]} · {th.name[i]}"


def _markers(name: str, xs: list[float], ys: list[str], text: list[str], **marker: Any) -> Fig:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": arr(xs, 1),
        "y": ys,
        "text": text,
        "hovertemplate": "%{text}<extra></extra>",
        "marker": marker,
    }


def salvo_threat(run: RunData) -> np.ndarray:
    """Threat id of each salvo: the one it ended on, else the one its launch track
    followed (-1: a salvo at a track of no threat, e.g. a false track)."""
    g = run.engagements
    threat = g["threat_id_end"].astype(np.int64)
    return np.where(threat < 0, g["threat_id_launch"].astype(np.int64), threat)


def _detections(run: RunData, order: list[int]) -> list[Fig]:
    out = []
    for k, rad in enumerate(run.summary.radars):
        xs, ys, text = [], [], []
        for i in order:
            hit = rad.first_detection.get(run.world.threats.name[i])
            if hit is not None:
                xs.append(hit.t_s)
                ys.append(_label(run, i))
                text.append(
                    f"first detection by {rad.name}: t={hit.t_s:.0f} s, {hit.range_m / 1e3:.0f} km"
                )
        out.append(
            _markers(
                f"1st detection: {rad.name}",
                xs,
                ys,
                text,
                size=9,
                symbol=RADAR_SYMBOLS[k % 5],
                color=PALETTE[k % 8],
            )
        )
    return out


def _track_marks(run: RunData, order: list[int]) -> list[Fig]:
    by_id = {th.threat_id: th for th in run.summary.threats}
    out = []
    for fc, name, symbol in (
        (False, "1st firm track", "line-ns-open"),
        (True, "1st fire-control track", "y-down-open"),
    ):
        xs, ys, text = [], [], []
        for i in (i for i in order if i in by_id):
            th = by_id[i]
            t, r = (
                (th.first_fc_track_t_s, th.first_fc_track_range_m)
                if fc
                else (th.first_track_t_s, th.first_track_range_m)
            )
            if math.isfinite(t):
                xs.append(t)
                ys.append(_label(run, i))
                km = f", {r / 1e3:.0f} km" if math.isfinite(r) else ""
                text.append(f"{name}: t={t:.0f} s{km}")
        if xs:
            out.append(
                _markers(
                    name,
                    xs,
                    ys,
                    text,
                    size=14,
                    symbol=symbol,
                    color="#000",
                    line={"width": 2, "color": "#000"},
                )
            )
    return out


def _salvos(run: RunData) -> list[Fig]:
    g, threat = run.engagements, salvo_threat(run)
    t1 = np.where(np.isfinite(g["t_end_s"].astype(float)), g["t_end_s"], run.world.duration_s)
    out = []
    for outcome in ("kill", "miss", "aborted", "in_flight_at_end"):
        rows = [i for i in np.flatnonzero(g["outcome"] == outcome) if threat[i] >= 0]
        if not rows:
            continue
        xs, ys, text = [], [], []
        for i in rows:
            label = _label(run, int(threat[i]))
            hover = (
                f"order {g['order_id'][i]}: {g['n_rounds'][i]} x {g['interceptor_type'][i]} "
                f"from launcher {g['launcher_id'][i]}<br>launch {g['t_launch_s'][i]:.0f} s -> "
                f"{outcome} {t1[i]:.0f} s"
            )
            xs += [float(g["t_launch_s"][i]), float(t1[i]), math.nan]
            ys += [label, label, None]
            text += [hover, hover, ""]
        out.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"salvo: {outcome}",
                "x": arr(xs, 1),
                "y": ys,
                "text": text,
                "hovertemplate": "%{text}<extra></extra>",
                "line": {"color": OUTCOME_COLOURS[outcome], "width": 5},
                "marker": {"size": 6, "symbol": "line-ns-open"},
            }
        )
    return out


def _fates(run: RunData, order: list[int]) -> list[Fig]:
    by_id = {th.threat_id: th for th in run.summary.threats}
    out = []
    for fate, symbol in (("killed", "x"), ("leaked", "star-triangle-up")):
        sel = [i for i in order if i in by_id and by_id[i].outcome == fate]
        xs = [by_id[i].outcome_t_s for i in sel]
        text = [f"{run.world.threats.name[i]} {fate} at {by_id[i].outcome_t_s:.0f} s" for i in sel]
        if sel:
            out.append(
                _markers(
                    fate,
                    xs,
                    [_label(run, i) for i in sel],
                    text,
                    size=13,
                    symbol=symbol,
                    color=OUTCOME_COLOURS[fate],
                )
            )
    return out


def timeline_figure(run: RunData) -> Fig:
    """The engagement timeline figure (plotly dict)."""
    order = threat_rows(run)
    labels = [_label(run, i) for i in order]
    rows = {
        "type": "scatter",
        "mode": "markers",
        "x": [0.0] * len(labels),
        "y": labels,
        "marker": {"opacity": 0},
        "showlegend": False,
        "hoverinfo": "skip",
    }
    data = [rows, *_detections(run, order), *_track_marks(run, order)]
    data += [*_salvos(run), *_fates(run, order)]
    types = [run.world.threats.type[i] for i in order]
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            # categories run bottom-up (the array is reversed): row k sits at n - 1 - k
            "y0": len(types) - k - 0.5,
            "y1": len(types) - k - 0.5,
            "line": {"color": "#555", "width": 1},
        }
        for k in range(1, len(types))
        if types[k] != types[k - 1]
    ]
    layout = base_layout(
        "engagement timeline (one row per threat, grouped by class)",
        "time (s)",
        "",
        height=max(320, 70 + 26 * len(order)),
        shapes=shapes,
    )
    layout["yaxis"].update(
        categoryorder="array", categoryarray=labels[::-1], type="category", automargin=True
    )
    pad = 0.015 * run.world.duration_s  # markers at t = 0 and at the end drawn whole
    layout["xaxis"].update(range=[-pad, run.world.duration_s + pad])
    return {"data": data, "layout": layout}
