"""One self-contained HTML page: plotly.js inlined from the installed plotly package.

The page loads nothing from anywhere: the script is the ``plotly.min.js`` that
the ``plotly`` wheel ships (``plotly/package_data``), figures are JSON in
``<script type="application/json">`` blocks, tables are plain HTML. Geo traces
(which would fetch topojson from a CDN) are never used: the map is a Cartesian
plan view with Natural Earth lines shipped by iadsim.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib import metadata, resources
from typing import Any

from iadsim.analysis.report.figjson import Fig, to_json
from iadsim.errors import IadsimError

INSTALL_HINT = "pip install 'iadsim[report]'"

CSS = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;font-size:13px;opacity:.85}nav{padding:6px 24px;background:#e8eef3}
nav a{margin-right:16px;color:#1f3b57;font-size:14px}section{padding:8px 24px}
h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px}.fig{background:#fff;
margin-bottom:14px;border:1px solid #ddd}.grid{display:grid;grid-template-columns:repeat(auto-fit,
minmax(480px,1fr));gap:10px}table{border-collapse:collapse;font-size:13px;margin:6px 0 16px;
background:#fff}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eef}
td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:bold;
padding:4px 0}.note{font-size:12px;color:#555}
"""

BOOT = """
(function(){
  // (the toolbar buttons a report reader uses: image, zoom, pan, reset)
  var cfg={responsive:true,displaylogo:false,scrollZoom:true,modeBarButtonsToRemove:
    ['select2d','lasso2d','zoomIn2d','zoomOut2d','autoScale2d']};
  var ready=[];
  document.querySelectorAll('div.fig[data-figure]').forEach(function(div){
    var fig=JSON.parse(document.getElementById(div.dataset.figure).textContent);
    var p=Plotly.newPlot(div,fig.data,fig.layout,cfg).then(function(){
      if(fig.frames){return Plotly.addFrames(div,fig.frames);}
    });
    ready.push(p);
  });
  window.IADSIM_REPORT.ready=Promise.all(ready).then(function(){
    window.IADSIM_REPORT.loaded=true;});
})();
"""


def plotly_js() -> str:
    """The plotly.js bundle shipped by the installed ``plotly`` package (not imported)."""
    try:
        ref = resources.files("plotly").joinpath("package_data", "plotly.min.js")
        return ref.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise IadsimError(f"the report needs plotly: {INSTALL_HINT}") from err


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def table(caption: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An HTML table (cells escaped)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def _script_json(fig_id: str, fig: Fig) -> str:
    text = to_json(fig).replace("</", "<\\/")  # never close the script element early
    return f'<script type="application/json" id="{fig_id}">{text}</script>'


def render(
    *,
    title: str,
    subtitle: str,
    sections: Sequence[tuple[str, str, Sequence[tuple[str, Fig]], str]],
    meta: dict[str, Any],
) -> str:
    """The page. ``sections``: (anchor, heading, [(figure id, figure)], extra HTML after)."""
    nav = "".join(f'<a href="#{a}">{html.escape(h)}</a>' for a, h, _f, _x in sections)
    parts = []
    for anchor, heading, figs, extra in sections:
        grid = len(figs) > 1
        divs = "".join(
            f'<div class="fig" id="{fid}" data-figure="data-{fid}"></div>'
            + _script_json("data-" + fid, f)
            for fid, f in figs
        )
        divs = f'<div class="grid">{divs}</div>' if grid else divs
        parts.append(
            f'<section id="{anchor}"><h2>{html.escape(heading)}</h2>{divs}{extra}</section>'
        )
    meta = {**meta, "iadsim": _version("iadsim"), "plotly": _version("plotly")}
    meta_js = to_json(meta).replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><meta name='viewport' content='width=device-width'>"
        f"<style>{CSS}</style><script>{plotly_js()}</script>"
        f"<script>window.IADSIM_REPORT={meta_js};</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav>{''.join(parts)}"
        f"<footer class='note' style='padding:10px 24px'>iadsim {meta['iadsim']}, plotly.js from "
        f"plotly {meta['plotly']} (inlined). Coastlines and borders: Natural Earth "
        "(public domain).</footer>"
        f"<script>{BOOT}</script></body></html>"
    )
