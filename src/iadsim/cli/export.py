"""``iadsim export acmi RUN_DIR -o run.acmi``: a run in Tacview's ACMI 2.2 text format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from iadsim.errors import IadsimError

out = Console()
export_app = typer.Typer(help="Export a run to other tools' formats.", no_args_is_help=True)


@export_app.command("acmi")
def export_acmi(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="ACMI file (default RUN_DIR/run.acmi)")
    ] = None,
    step_s: Annotated[float, typer.Option("--step-s", help="sampling interval, s")] = 2.0,
) -> None:
    """Write a run as a Tacview ACMI 2.2 text recording.

    Radars, launchers and sites are ground objects, threats and interceptors air
    objects over time; kills are Destroyed events.

    Example:

      iadsim export acmi runs/s400-vs-mixed-raid-20260101T120000Z -o raid.acmi
    """
    from iadsim.analysis.report.acmi import write_acmi
    from iadsim.analysis.report.rundata import load_run

    if not step_s > 0:
        raise IadsimError(f"--step-s: must be > 0 (got {step_s})")
    path = output if output is not None else run_dir / "run.acmi"
    out.print(f"acmi: {write_acmi(load_run(run_dir), path, step_s=step_s)}")


def register(app: typer.Typer) -> None:
    """Add the ``export`` group to the app."""
    app.add_typer(export_app, name="export")
