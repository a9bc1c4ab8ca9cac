"""``iadsim report RUN_DIR|CAMPAIGN_DIR [-o report.html] [--png DIR]``: the offline HTML report."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from iadsim.errors import IadsimError

out = Console()
INSTALL_HINT = "pip install 'iadsim[report]'"


def require_report_extra() -> None:
    """One-line error naming the extra when plotly (the report's only extra) is missing."""
    if importlib.util.find_spec("plotly") is None:
        raise IadsimError(f"the report needs plotly, which is not installed: {INSTALL_HINT}")


def _floats(text: str, option: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError as err:
        raise IadsimError(f"{option}: expected comma-separated numbers (got '{text}')") from err
    if not values or any(not v > 0 for v in values):
        raise IadsimError(f"{option}: expected positive numbers (got '{text}')")
    return values


def is_campaign_dir(path: Path) -> bool:
    """A campaign directory has ``manifest.json`` (a run directory ``summary.json``)."""
    return (path / "manifest.json").is_file() and not (path / "summary.json").is_file()


def write_report(
    path: Path,
    output: Path | None = None,
    *,
    png_dir: Path | None = None,
    rcs_m2: tuple[float, ...] = (1.0, 0.01),
    alt_m: float = 1000.0,
) -> Path:
    """Write the HTML report of a run or campaign directory (and PNG/SVG figures)."""
    require_report_extra()
    from iadsim.analysis.outputs import check_output_dir, check_output_file

    # the default PATH/report.html is checked too (a read-only run or campaign directory
    # gave a traceback after the work): -o says where else to write
    if output is not None:
        check_output_file(output, "-o", suffix=".html")
    elif Path(path).is_dir():  # (else the reader says what is wrong with PATH)
        check_output_file(path / "report.html", "report (no -o)", suffix=".html")
    if png_dir is not None:
        check_output_dir(png_dir, "--png")
    if is_campaign_dir(path):
        from iadsim.analysis.report.campaign_report import write_campaign_report

        html_path = write_campaign_report(path, output, png_dir=png_dir)
    else:
        from iadsim.analysis.report.run_report import write_run_report

        html_path = write_run_report(path, output, rcs_m2=rcs_m2, alt_m=alt_m, png_dir=png_dir)
    return html_path


def report_command(
    path: Annotated[Path, typer.Argument(help="run directory or campaign directory")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="HTML file (default PATH/report.html)")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="also write the figures as PNG and SVG here")
    ] = None,
    rcs: Annotated[
        str, typer.Option(help="RCS values of the map footprints, m² (comma-separated)")
    ] = "1,0.01",
    alt_m: Annotated[
        float, typer.Option("--alt-m", help="footprint altitude above radar ground, m")
    ] = 1000.0,
) -> None:
    """Write a self-contained offline HTML report of a run or a campaign.

    A run report has a map replay (time slider, play/pause), the engagement
    timeline, radar coverage, track accuracy, interceptors and the summary
    tables; a campaign report has distributions, means with 95% confidence bands
    per sweep point and per-class probabilities. Needs the 'report' extra.

    Examples:

      iadsim report runs/s400-vs-mixed-raid-20260101T120000Z

      iadsim report campaigns/cm -o cm.html --png figures/
    """
    if not alt_m >= 0:
        raise IadsimError(f"--alt-m: must be >= 0 (got {alt_m})")
    html_path = write_report(
        path, output, png_dir=png, rcs_m2=tuple(_floats(rcs, "--rcs")), alt_m=alt_m
    )
    out.print(f"report: {html_path}")
    if png is not None:
        out.print(f"figures: {png}/ (PNG and SVG)")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""
    app.command("report")(report_command)
