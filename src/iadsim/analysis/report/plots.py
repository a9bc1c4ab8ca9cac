"""The report's plots: radar coverage, track accuracy, interceptors spent, magazines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.analysis.metrics.score import score_frames
from iadsim.analysis.report import coverage as cov
from iadsim.analysis.report.figjson import PALETTE, Fig, arr, base_layout, whole_dtick
from iadsim.analysis.report.rundata import RunData, track_picture
from iadsim.sensors.radar import Radar

F64 = NDArray[np.float64]

#: GOSPA cut-off of the accuracy plot, m (order p = 1, alpha = 2).
GOSPA_C_M = 2000.0


def range_vs_rcs_figure(radars: Sequence[Radar], alt_m: float) -> Fig:
    """Detection range (Pd 0.9 per scan) vs RCS for each radar of the run at ``alt_m``."""
    data = []
    for k, r in enumerate(radars):
        rng = cov.range_vs_rcs_m(cov.sector_params(r), [alt_m])[:, 0]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": r.params.name,
                "x": arr(cov.RCS_GRID_M2, 6),
                "y": arr(rng / 1e3, 1),
                "line": {"color": PALETTE[k % 8]},
                "hovertemplate": "%{x:.3g} m²: %{y:.0f} km<extra>%{fullData.name}</extra>",
            }
        )
    layout = base_layout(
        f"detection range vs RCS (Pd 0.9/scan, {alt_m:g} m above radar, 4/3 earth)",
        "RCS (m²)",
        "detection range (km)",
    )
    layout["xaxis"].update(type="log")
    return {"data": data, "layout": layout}


def vertical_figure(radar: Radar, rcs_m2: Sequence[float]) -> Fig:
    """Range-height diagram of one radar for each RCS (the farthest detection at each
    altitude closed by the ``el_max`` ray, :func:`.coverage.vertical_coverage_km`), with
    the area below the lowest usable ray (radio horizon or lowest elevation) shaded."""
    p = radar.params
    d0, h0, horizon = cov.lowest_ray_km(p, radar.k)
    below = "radio horizon" if horizon else f"lowest beam {np.degrees(p.el_min_rad):g}°"
    data: list[Fig] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"below {below} ({radar.k:.3g} earth)",
            "x": arr(d0, 2),
            "y": arr(h0, 4),
            "fill": "tozeroy",
            "line": {"color": "#bbbbbb"},
            "fillcolor": "rgba(180,180,180,0.4)",
        }
    ]
    for k, sigma in enumerate(rcs_m2):
        d, h = cov.vertical_coverage_km(p, sigma, k=radar.k)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{sigma:g} m²",
                "x": arr(d, 2),
                "y": arr(h, 4),
                "line": {"color": PALETTE[k % 8]},
            }
        )
    layout = base_layout(
        f"vertical coverage: {p.name} (Pd 0.9 per scan)",
        "ground range (km)",
        "altitude above radar ground (km)",
        height=380,
    )
    layout["yaxis"].update(range=[0, 30])
    return {"data": data, "layout": layout}


def accuracy_figures(run: RunData) -> tuple[Fig, Fig, dict[str, float]]:
    """GOSPA over time with its decomposition, and position error per threat class."""
    picture, times = track_picture(run)
    sc = score_frames(run.truth, picture, c_m=GOSPA_C_M, p=1.0, eval_times_s=times)
    s = sc.series
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": arr(s.t_s, 1),
            "y": arr(y, 1),
            "line": {"color": c, "width": 1.5},
        }
        for name, y, c in (
            ("GOSPA", s.gospa_m, "#000000"),
            ("localisation", s.localisation_pow, "#0072B2"),
            ("missed", s.missed_pow, "#D55E00"),
            ("false", s.false_pow, "#E69F00"),
        )
    ]
    gospa = {
        "data": data,
        "layout": base_layout(
            f"track accuracy: GOSPA (c = {GOSPA_C_M / 1e3:g} km, p = 1, α = 2) "
            "and its decomposition",
            "time (s)",
            "GOSPA term (m)",
        ),
    }
    tid, t_pair, err_m = sc.pair_truth_id, sc.pair_t_s, s.distance_m  # (pair by pair)
    per = []
    types = run.world.threats.type
    for k, cls in enumerate(sorted(set(types))):
        sel = np.isin(tid, [i for i, ty in enumerate(types) if ty == cls])
        per.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": cls,
                "x": arr(t_pair[sel], 1),
                "y": arr(err_m[sel], 1),
                "marker": {"size": 3, "color": PALETTE[(k + 3) % 8]},
            }
        )
    err: Fig = {
        "data": per,
        "layout": base_layout(
            "position error of assigned confirmed tracks, per threat class",
            "time (s)",
            "position error (m)",
        ),
    }
    err["layout"]["yaxis"].update(type="log", dtick=1)  # decades only (minor 2, 5 read as values)
    stats = {
        "mean_gospa_m": float(np.nanmean(s.gospa_m)) if s.gospa_m.size else float("nan"),
        "pos_rmse_m": float(sc.pos_rmse_m),
    }
    return gospa, err, stats


def spent_figure(run: RunData) -> Fig:
    """Rounds launched, stacked by interceptor type, per battery."""
    g, w = run.engagements, run.world
    names = [b.name for b in w.batteries]
    data = []
    for k, typ in enumerate(sorted(set(g["interceptor_type"].tolist()))):
        rounds = [
            int(g["n_rounds"][(g["battery_id"] == b) & (g["interceptor_type"] == typ)].sum())
            for b in range(len(names))
        ]
        data.append(
            {
                "type": "bar",
                "name": typ,
                "x": names,
                "y": rounds,
                "marker": {"color": PALETTE[k % 8]},
            }
        )
    layout = base_layout(
        "interceptors spent by type and battery", "battery", "rounds launched", barmode="stack"
    )
    return {"data": data, "layout": layout}


def magazine_series(run: RunData) -> dict[tuple[int, str], tuple[F64, F64]]:
    """(battery, interceptor type) -> (t_s, rounds left) step series from the loadouts."""
    w, g = run.world, run.engagements
    out: dict[tuple[int, str], tuple[F64, F64]] = {}
    stock: dict[tuple[int, str], int] = {}
    for lc in w.launchers:
        for typ, n in lc.loadout.items():
            stock[(lc.battery_id, typ)] = stock.get((lc.battery_id, typ), 0) + int(n)
    for (b, typ), n0 in sorted(stock.items()):
        sel = np.flatnonzero((g["battery_id"] == b) & (g["interceptor_type"] == typ))
        order = sel[np.argsort(g["t_launch_s"][sel], kind="stable")]
        t = np.r_[0.0, g["t_launch_s"][order].astype(float), w.duration_s]
        left = n0 - np.r_[0, np.cumsum(g["n_rounds"][order]), g["n_rounds"][order].sum()]
        out[(b, typ)] = (t, left.astype(float))
    return out


#: line dashes cycled over a figure's series: equal series (two types never fired,
#: of the same load) overlap, and a dashed line over a solid one shows both colours
DASHES = ("solid", "dash", "dot", "dashdot")


def magazine_figure(run: RunData) -> Fig:
    """Rounds left per battery and interceptor type over time."""
    data: list[Any] = []
    names = [b.name for b in run.world.batteries]
    series = magazine_series(run)
    for k, ((b, typ), (t, left)) in enumerate(series.items()):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "line": {"shape": "hv", "color": PALETTE[k % 8], "dash": DASHES[k % 4]},
                "name": f"{names[b]}: {typ}",
                "x": arr(t, 1),
                "y": arr(left, 0),
            }
        )
    layout = base_layout("magazine state", "time (s)", "rounds left")
    top = max((float(np.max(left)) for _, left in series.values()), default=0.0)
    layout["yaxis"].update(dtick=whole_dtick(top), rangemode="tozero")  # whole rounds, from 0
    return {"data": data, "layout": layout}
