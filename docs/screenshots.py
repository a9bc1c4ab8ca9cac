"""Regenerate the README's report screenshots with the project's own commands.

Runs ``iadsim run --report`` (default scenario) and ``iadsim campaign run`` +
``iadsim report`` (a small sweep of the cruise-missile count), opens both
reports in Debian's headless chromium (Playwright, the system browser), moves
the map's time slider to mid-raid and saves ``docs/img/report-run.png`` and
``docs/img/report-campaign.png`` (palette PNGs, each well under 300 KB).

Usage: python docs/screenshots.py [--workdir DIR]   (needs iadsim[report] and chromium)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

IMG = Path(__file__).parent / "img"


def iadsim(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "iadsim", *args], check=True)


def shoot(url: str, out: Path, *, section: str, slider_at: float | None = None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 950})
        page.goto(url)
        page.wait_for_function("window.IADSIM_REPORT && window.IADSIM_REPORT.loaded === true")
        if slider_at is not None:
            rail = page.locator("#fig-map .slider-rail-rect").bounding_box()
            page.mouse.click(rail["x"] + slider_at * rail["width"], rail["y"] + 2)
            page.wait_for_timeout(500)
        page.locator(section).screenshot(path=str(out))
        browser.close()
    Image.open(out).convert("RGB").quantize(colors=128).save(out, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="iadsim-shots-"))
    IMG.mkdir(exist_ok=True)
    run, camp = work / "run", work / "campaign"
    if not (run / "report.html").is_file():
        iadsim("run", "--out", str(run), "--quiet", "--report")
    if not (camp / "manifest.json").is_file():
        iadsim("campaign", "run", "s400-vs-mixed-raid", "--runs", "8", "--sweep",
               "threats[2].count=2,8,16", "--out", str(camp))  # fmt: skip
    iadsim("report", str(camp))
    shoot((run / "report.html").as_uri(), IMG / "report-run.png", section="#map", slider_at=0.42)
    shoot((camp / "report.html").as_uri(), IMG / "report-campaign.png", section="#bands")
    for name in ("report-run.png", "report-campaign.png"):
        print(f"{IMG / name}: {(IMG / name).stat().st_size / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
