"""Publication figures (PNG and SVG) drawn with matplotlib from the report's figure dicts.

The same figures as the HTML page, in one consistent style: single-column width
(3.5 in) for plots, double-column (7 in) for the map and the timeline, 8 pt
text, units in every axis label, titles wrapped and laid out with
``constrained_layout`` so nothing is clipped. The map shows its final state
(every layer as at the end of the run).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.analysis.report.figjson import Fig, mpl_marker

SINGLE_IN = (3.5, 2.6)
DOUBLE_IN = (7.0, 5.2)
STYLE = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 6,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.0,
    "savefig.dpi": 300,
    "svg.fonttype": "none",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _title(layout: Fig) -> str:
    t = layout.get("title", {})
    return str(t.get("text", "") if isinstance(t, dict) else t)


def _axis_title(axis: Fig) -> str:
    t = axis.get("title", {})
    return str(t.get("text", "") if isinstance(t, dict) else t)


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _marker_style(marker: Fig, line_colour: str | None) -> dict[str, Any]:
    """Scatter keywords drawing a plotly ``marker`` as the HTML figure does: its symbol
    (:func:`.figjson.mpl_marker`), open or filled, in its colour(s) (by default the trace's
    line colour, as in plotly), filled ones edged with the marker's line colour."""
    from matplotlib.markers import MarkerStyle

    shape, filled = mpl_marker(str(marker.get("symbol", "circle")))
    colour = marker.get("color") or line_colour  # a colour, or one per point
    if not MarkerStyle(shape).is_filled() or str(shape).startswith("$"):  # strokes, glyphs
        return {"marker": shape, "color": colour}
    if not filled:
        return {"marker": shape, "facecolors": "none", "edgecolors": colour}
    edge = marker.get("line", {}).get("color", colour)
    return {"marker": shape, "facecolors": colour, "edgecolors": edge}


def _scatter(ax: Any, tr: Fig, ycat: dict[str, int] | None) -> None:
    x = _floats(tr.get("x", []))
    ys = tr.get("y", [])
    y = (
        np.array([np.nan if v is None else ycat[v] for v in ys], dtype=float)
        if ycat
        else _floats(ys)
    )
    if not np.isfinite(x).any() or tr.get("showlegend") is False:  # (a gap point only)
        return
    mode = tr.get("mode", "lines")
    line, marker = tr.get("line", {}), tr.get("marker", {})
    colour = line.get("color") if "lines" in mode else marker.get("color")
    colour = colour if isinstance(colour, str) else None
    label = tr.get("name")
    if tr.get("fill") in ("toself", "tozeroy"):
        if tr["fill"] == "toself":
            ax.fill(x, y, alpha=0.25, color=colour, label=label, linewidth=0.5)
        else:
            ax.fill_between(x, 0, y, color=colour or "0.8", alpha=0.5, label=label, linewidth=0)
        return
    style = {"dash": "--", "dot": ":"}.get(line.get("dash", "solid"), "-")
    if "lines" in mode:
        ax.plot(
            x,
            y,
            style,
            color=colour,
            label=label,
            alpha=tr.get("opacity", 1.0),
            drawstyle="steps-post" if line.get("shape") == "hv" else "default",
        )
        label = None
    if "markers" in mode:
        line_colour = line.get("color") if isinstance(line.get("color"), str) else None
        ax.scatter(
            x,
            y,
            s=max(4.0, float(marker.get("size", 6)) ** 2 / 5),
            label=label,
            linewidths=0.6,
            zorder=3,
            **_marker_style(marker, line_colour),
        )


def _bars(ax: Any, traces: list[Fig]) -> None:
    cats = list(dict.fromkeys(c for tr in traces for c in tr.get("x", [])))
    bottom = np.zeros(len(cats))
    for tr in traces:
        h = np.zeros(len(cats))
        for c, v in zip(tr.get("x", []), tr.get("y", []), strict=True):
            h[cats.index(c)] = v
        ax.bar(
            cats,
            h,
            bottom=bottom,
            label=tr.get("name"),
            color=tr.get("marker", {}).get("color"),
            width=0.6,
        )
        bottom += h


def render(fig: Fig, stem: Path, *, size: tuple[float, float] = SINGLE_IN) -> list[Path]:
    """Draw one figure dict and save ``stem.png`` and ``stem.svg``."""
    plt = _pyplot()
    layout, traces = fig["layout"], list(fig["data"])
    if fig.get("frames"):  # the replay: moving layers as in the last frame
        last = fig["frames"][-1]
        for idx, upd in zip(last["traces"], last["data"], strict=True):
            traces[idx] = {**traces[idx], **upd}
    ycat = None
    yaxis = layout.get("yaxis", {})
    if yaxis.get("type") == "category":
        order = list(reversed(yaxis.get("categoryarray", [])))
        ycat = {c: i for i, c in enumerate(reversed(order))}
    with plt.rc_context(STYLE):
        f, ax = plt.subplots(figsize=size, layout="constrained")
        bars = [t for t in traces if t.get("type") == "bar"]
        if bars:
            _bars(ax, bars)
        for tr in (t for t in traces if t.get("type") == "histogram"):
            x = _floats(tr.get("x", []))
            if x.size:
                edges = np.arange(np.floor(x.min()) - 0.5, np.ceil(x.max()) + 1.0, 1.0)
                ax.hist(
                    x,
                    bins=edges,
                    alpha=0.6,
                    label=tr.get("name"),
                    color=tr.get("marker", {}).get("color"),
                )
        for tr in traces:
            if tr.get("type", "scatter") == "scatter" and tr.get("visible", True) is True:
                _scatter(ax, tr, ycat)
        _lines(ax, layout.get("shapes", []))
        _axes(ax, layout, ycat, size)
        paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
        for p in paths:
            f.savefig(p)
        plt.close(f)
    return paths


def _lines(ax: Any, shapes: list[Fig]) -> None:
    """The layout's line shapes (the timeline's class separators): a line spanning the
    plot (``xref`` or ``yref`` "paper") is drawn across the axes, others in data units."""
    for sh in shapes:
        if sh.get("type") != "line":
            continue
        style = {"color": sh.get("line", {}).get("color", "#555"),
                 "linewidth": 0.75 * sh.get("line", {}).get("width", 1)}  # fmt: skip
        if sh.get("xref") == "paper":
            ax.axhline(sh["y0"], xmin=sh["x0"], xmax=sh["x1"], **style)
        elif sh.get("yref") == "paper":
            ax.axvline(sh["x0"], ymin=sh["y0"], ymax=sh["y1"], **style)
        else:
            ax.plot([sh["x0"], sh["x1"]], [sh["y0"], sh["y1"]], **style)


def _axes(ax: Any, layout: Fig, ycat: dict[str, int] | None, size: tuple[float, float]) -> None:
    x, y = layout.get("xaxis", {}), layout.get("yaxis", {})
    ax.set_xlabel(_axis_title(x))
    ax.set_ylabel(_axis_title(y))
    if x.get("type") == "log":
        ax.set_xscale("log")
    if y.get("type") == "log":
        ax.set_yscale("log")
    if x.get("range"):
        ax.set_xlim(*x["range"])
    if y.get("range") and ycat is None:
        ax.set_ylim(*y["range"])
    if y.get("scaleanchor"):
        ax.set_aspect("equal", adjustable="box")
    if ycat:
        ax.set_yticks(list(ycat.values()), list(ycat.keys()), fontsize=5)
    ax.set_title("\n".join(textwrap.wrap(_title(layout), int(size[0] * 14))), loc="left")
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=5 if len(handles) > 8 else 6, loc="best", framealpha=0.8)


def write_run_pngs(run: Any, figs: Any, out_dir: Path) -> list[Path]:
    """Every figure of a run report as PNG + SVG in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, Fig, tuple[float, float]]] = [
        ("map", figs.map, DOUBLE_IN),
        ("timeline", figs.timeline, DOUBLE_IN),
        ("range_vs_rcs", figs.range_vs_rcs, SINGLE_IN),
        ("gospa", figs.gospa, SINGLE_IN),
        ("position_error", figs.position_error, SINGLE_IN),
        ("spent", figs.spent, SINGLE_IN),
        ("magazine", figs.magazine, SINGLE_IN),
    ]
    items += [(f"vertical_{k}", f, SINGLE_IN) for k, f in enumerate(figs.vertical)]
    return [p for name, fig, size in items for p in render(fig, out_dir / name, size=size)]


def write_pngs(figs: list[tuple[str, Fig]], out_dir: Path) -> list[Path]:
    """Named figures (single-column) as PNG + SVG in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [p for name, fig in figs for p in render(fig, out_dir / name)]
