"""The report in Debian's headless chromium (Playwright pointed at the system browser).

Marked ``browser``; CI installs chromium in ``.ci/run``. A missing browser FAILS
(never skips): the acceptance of the report is that it works in a real browser.
"""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import pytest

from iadsim.analysis.report.run_report import write_run_report
from iadsim.cli.view import make_server
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium not found: install Debian's chromium (.ci/run does)")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "run"
    run_scenario(load_scenario("s400-vs-mixed-raid"), seed=42, out_dir=out)
    return write_run_report(out)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function(
        "window.IADSIM_REPORT && window.IADSIM_REPORT.loaded === true", timeout=60_000
    )
    return page, errors, requests


TRACE_COUNTS = """() => {
  const gd = document.getElementById('fig-map');
  const n = name => { const t = gd.data.find(d => d.name === name); return t ? t.x.length : -1; };
  return {sites: n('defended sites'), radars: n('radars'), launchers: n('launchers'),
          frames: gd._transitionData._frames.length,
          flyout: gd.data.filter(d => (d.name || '').startsWith('fly-out')).length,
          counts: window.IADSIM_REPORT.counts};
}"""
NOW = """() => {
  const gd = document.getElementById('fig-map');
  const t = gd.data.find(d => d.name === 'threats now');
  const label = document.querySelector('#fig-map text.slider-label');
  return {x: Array.from(t.x), y: Array.from(t.y), label: label ? label.textContent : null,
          kills: gd.data.find(d => d.name === 'kill').x.filter(v => v !== null).length};
}"""


def check_report_page(page: Any, errors: list[str], requests: list[str], origin: str) -> None:
    assert errors == []
    assert len(requests) == 1 and requests[0].startswith(origin)  # the page itself, nothing else
    got = page.evaluate(TRACE_COUNTS)
    c = got["counts"]
    assert (got["sites"], got["radars"], got["launchers"]) == (
        c["sites"],
        c["radars"],
        c["launchers"],
    )
    assert (got["sites"], got["radars"], got["launchers"]) == (2, 3, 8)
    assert got["frames"] == c["frames"] > 100 and got["flyout"] >= 1
    assert page.locator("#fig-timeline .main-svg").count() >= 1
    assert page.locator("table").count() >= 3
    before = page.evaluate(NOW)
    assert before["label"].strip() == "t = 0 s"
    # drag the slider to ~60% of the rail: a later frame is shown
    rail = page.locator("#fig-map .slider-rail-rect").bounding_box()
    page.mouse.click(rail["x"] + 0.6 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_function(
        "document.querySelector('#fig-map text.slider-label').textContent.trim() !== 't = 0 s'"
    )
    page.wait_for_timeout(300)
    after = page.evaluate(NOW)
    t_after = float(after["label"].split("=")[1].split()[0])
    assert 800 <= t_after <= 1300
    assert (after["x"], after["y"]) != (before["x"], before["y"])
    assert after["kills"] > before["kills"] == 0
    shot = mpimg.imread(io.BytesIO(page.screenshot()), format="png")
    assert shot[..., :3].std() > 0.05  # not blank
    assert errors == [] and len(requests) == 1


def test_report_file_in_chromium(browser: Any, report: Path) -> None:
    page, errors, requests = open_page(browser, report.as_uri())
    check_report_page(page, errors, requests, "file://")
    page.close()


def test_view_over_http_in_chromium(browser: Any, report: Path) -> None:
    server = make_server(report.parent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        origin = f"http://{host}:{port}/"
        page, errors, requests = open_page(browser, origin + "report.html")
        check_report_page(page, errors, requests, origin)
        page.close()
    finally:
        server.shutdown()
        server.server_close()


OVERLAPS = """() => {
  const out = [];
  document.querySelectorAll('div.fig[data-figure]').forEach(div => {
    const title = div.querySelector('.gtitle');
    const bar = div.querySelector('.modebar');
    if (!title || !bar) { return; }
    const a = title.getBoundingClientRect(), b = bar.getBoundingClientRect();
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    out.push({fig: div.id, title: title.textContent, overlap: x > 0 && y > 0});
  });
  return out;
}"""


def test_no_figure_title_runs_under_its_toolbar(browser: Any, report: Path) -> None:
    """Every figure's title is clear of its plotly toolbar when the toolbar shows (it
    ran under the full toolbar in most panels: "... per sweep point" behind the icons)."""
    page, errors, _ = open_page(browser, report.as_uri())
    for div in page.locator("div.fig[data-figure]").all():
        div.hover()  # the toolbar shows on hover
    got = page.evaluate(OVERLAPS)
    assert len(got) >= 5 and errors == []
    assert [g["title"] for g in got if g["overlap"]] == []
    page.close()


LEGEND = "() => Array.from(document.querySelectorAll('#fig-map .legendtext'), e => e.textContent)"


def test_map_legend_keeps_empty_layers_after_the_slider_moves(browser: Any, report: Path) -> None:
    """At t = 30 s no interceptor flies and nothing was killed; after the slider moved
    there, the next redraw (a zoom, a legend click) dropped those layers' legend entries
    (their frame data had no point, only the opening template had a gap point)."""
    page, errors, _ = open_page(browser, report.as_uri())
    before = page.evaluate(LEGEND)
    assert {"interceptors in flight", "kill", "miss", "aborted", "leak"} <= set(before)
    rail = page.locator("#fig-map .slider-rail-rect").bounding_box()
    page.mouse.click(rail["x"] + 0.02 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_function(
        "document.querySelector('#fig-map text.slider-label').textContent.trim() !== 't = 0 s'"
    )
    now = page.evaluate(NOW)
    assert float(now["label"].split("=")[1].split()[0]) < 100 and now["kills"] == 0
    page.evaluate(  # a redraw, as a zoom makes one
        "() => Plotly.relayout('fig-map', {'xaxis.range': "
        "document.getElementById('fig-map').layout.xaxis.range.map(v => 0.9 * v)})"
    )
    page.wait_for_timeout(300)
    assert page.evaluate(LEGEND) == before
    assert errors == []
    page.close()
