"""The PNG/SVG figures against the HTML figures they are drawn from: same marker, fill
and colour for the same kind of event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba

from iadsim.analysis.report import png
from iadsim.analysis.report.figjson import Fig, mpl_marker
from iadsim.analysis.report.replay_frames import map_figure
from iadsim.analysis.report.run_report import run_figures
from iadsim.analysis.report.rundata import load_run
from iadsim.analysis.report.timeline import timeline_figure

#: Plotly symbols that enclose an area: their "-open" variant is drawn unfilled.
AREA_SYMBOLS = {"circle", "square", "diamond", "triangle-up", "hexagon", "star",
                "star-triangle-up", "star-diamond"}  # fmt: skip


def _drawn(fig: Fig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The matplotlib axes :func:`png.render` draws ``fig`` on (nothing saved)."""
    import matplotlib.figure

    kept: list[Any] = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda f, *a, **k: kept.append(f))
    png.render(fig, tmp_path / "fig", size=png.DOUBLE_IN)
    return kept[0].axes[0]


def _marker_traces(fig: Fig) -> list[Fig]:
    """The traces drawn with markers, as the PNG shows them (the map's last frame)."""
    traces = list(fig["data"])
    if fig.get("frames"):
        last = fig["frames"][-1]
        for i, upd in zip(last["traces"], last["data"], strict=True):
            traces[i] = {**traces[i], **upd}
    return [
        tr
        for tr in traces
        if "markers" in tr.get("mode", "")
        and tr.get("visible", True) is True
        and tr.get("showlegend") is not False
        and any(v is not None for v in tr["x"])
    ]


@pytest.mark.parametrize("which", ["timeline", "map"])
def test_png_markers_are_the_html_markers(
    which: str, default_run: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The PNG timeline drew "leaked" (a star-triangle in the page) as a circle, the open
    markers of first detections filled, and the salvo end ticks in matplotlib's default
    blue instead of the salvo's outcome colour."""
    run = load_run(default_run)
    fig = timeline_figure(run) if which == "timeline" else map_figure(run, [])[0]
    traces = _marker_traces(fig)
    ax = _drawn(fig, monkeypatch, tmp_path)
    drawn = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(drawn) == len(traces) >= 6
    shapes: dict[str, np.ndarray] = {}
    for tr, coll in zip(traces, drawn, strict=True):
        symbol, marker = tr["marker"].get("symbol", "circle"), tr["marker"]
        base = symbol.removesuffix("-open")
        colour = marker.get("color", tr.get("line", {}).get("color"))  # plotly's default
        face, edge = coll.get_facecolors(), coll.get_edgecolors()
        unfilled = len(face) == 0 or np.all(face[:, 3] == 0)
        if symbol.endswith("-open") and base in AREA_SYMBOLS:
            assert unfilled, tr["name"]
        if isinstance(colour, str):
            shown = edge if unfilled else face
            assert len(shown) and np.allclose(shown, to_rgba(colour)), tr["name"]
        path = coll.get_paths()[0].vertices
        for other, seen in shapes.items():  # one shape per symbol, distinct symbols differ
            same = seen.shape == path.shape and np.allclose(seen, path)
            assert same == (other == base), (tr["name"], base, other)
        shapes.setdefault(base, path)


def test_every_report_symbol_has_a_png_marker(default_run: Path) -> None:
    figs = run_figures(load_run(default_run))
    symbols = set()
    for fig in (figs.map, figs.timeline, figs.range_vs_rcs, *figs.vertical, figs.gospa,
                figs.position_error, figs.spent, figs.magazine):  # fmt: skip
        for tr in [*fig["data"], *(d for f in fig.get("frames", []) for d in f["data"])]:
            if isinstance(tr.get("marker", {}).get("symbol"), str):
                symbols.add(tr["marker"]["symbol"])
    assert len(symbols) >= 10
    for s in symbols:
        mpl_marker(s)  # raises ValueError for a symbol the PNG would not draw


def test_png_timeline_separates_threat_classes(
    default_run: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The page's timeline draws a line between threat classes; the PNG drew none. Each
    line must lie between the last row of one class and the first of the next, as the
    tick labels read."""
    run = load_run(default_run)
    fig = timeline_figure(run)
    ax = _drawn(fig, monkeypatch, tmp_path)
    ticks = list(ax.get_yticks())
    row_type = {
        t: lab.get_text().split(" · ")[0]
        for t, lab in zip(ticks, ax.get_yticklabels(), strict=True)
    }
    assert set(row_type.values()) == set(run.world.threats.type)
    assert len(set(row_type.values())) >= 3
    expected = sorted(t + 0.5 for t in ticks[:-1] if row_type[t] != row_type[t + 1])
    drawn = sorted(
        float(line.get_ydata()[0])
        for line in ax.get_lines()
        if np.ptp(line.get_ydata()) == 0 and tuple(line.get_xdata()) == (0, 1)
    )
    assert drawn == expected
