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
    objects over time; kills are Destroyed events. The recording starts at the
    scenario's simulation.epoch_utc (ReferenceTime; 2000-01-01T00:00:00Z if unset).

    Example:

      iadsim export acmi runs/s400-vs-mixed-raid-20260101T120000Z -o raid.acmi
    """
    from iadsim.analysis.outputs import check_output_file
    from iadsim.analysis.report.acmi import write_acmi
    from iadsim.analysis.report.rundata import load_run

    if not step_s > 0:
        raise IadsimError(f"--step-s: must be > 0 (got {step_s})")
    path = output if output is not None else run_dir / "run.acmi"
    check_output_file(path, "-o", suffix=".acmi")
    out.print(f"acmi: {write_acmi(load_run(run_dir), path, step_s=step_s)}")


@export_app.command("asterix")
def export_asterix(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    out_dir: Annotated[
        Path | None, typer.Option("-o", "--out-dir", help="folder for the files (default RUN_DIR)")
    ] = None,
    sac: Annotated[int, typer.Option("--sac", min=0, max=255, help="system area code")] = 0,
    sic: Annotated[
        int, typer.Option("--sic", min=0, max=255, help="SIC of the tracker (CAT062)")
    ] = 255,
    tod_offset_s: Annotated[
        float | None,
        typer.Option(
            "--tod-offset-s",
            min=0.0,
            max=86_399.0,
            help="time of day of the scenario epoch, s after UTC midnight (default: that "
            "of the scenario's simulation.epoch_utc, else 0)",
        ),
    ] = None,
) -> None:
    """Write a run's plots as ASTERIX CAT048 and its tracks as CAT062.

    Writes cat048.ast (one monoradar target report per detection; SIC = radar id),
    cat062.ast (one system track message per tracks.parquet row) and
    radar-sites.yaml (radar positions and sigmas, for `iadsim track --radar-sites`).
    Needs libasterix: pip install 'iadsim[asterix]'. Fields, units, LSBs and what
    does not fit: docs/files.md, section ASTERIX.

    Example:

      iadsim export asterix runs/demo

      iadsim track runs/demo/cat048.ast --radar-sites runs/demo/radar-sites.yaml -o t.parquet
    """
    import sys

    from iadsim.cli.options import require_extra

    require_extra("asterix", "iadsim export asterix")  # before reading anything
    from iadsim.analysis.asterix.export import export_run
    from iadsim.analysis.outputs import check_output_dir

    check_output_dir(out_dir or run_dir, "-o")
    res = export_run(run_dir, out_dir or run_dir, sac=sac, sic=sic, tod_offset_s=tod_offset_s)
    print(f"cat048: {res.cat048} ({res.n_plots:,} plots)")  # plain: paths are never wrapped
    if res.n_skipped:
        print(
            f"note: {res.n_skipped:,} plots left out ({res.n_skipped_false_alarms:,} of them "
            "false alarms): CAT048 carries range <= 256 NM and |height| <= 62 km",
            file=sys.stderr,
        )
    print(f"cat062: {res.cat062} ({res.n_tracks:,} track messages)")
    if res.clipped:
        items = "; ".join(f"{item} in {n:,}" for item, n in res.clipped.items())
        print(f"note: CAT062 values beyond their field, written at its limit: {items}",
              file=sys.stderr)  # fmt: skip
    print(f"radar sites: {res.sites}")


def register(app: typer.Typer) -> None:
    """Add the ``export`` group to the app."""
    app.add_typer(export_app, name="export")
