"""``iadsim track``: run the multi-target tracker on a detections file.

The work is in :mod:`iadsim.cli.tracking_io` (imported when the command runs, so
the CLI starts without the tracker); its public names are re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.options import finite_range

__all__ = ["register", "track_command"]

_LAZY = ("load_track_config", "read_detections_table", "track_file", "write_parquet_atomic")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from iadsim.cli import tracking_io

        return getattr(tracking_io, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(app: typer.Typer) -> None:
    """Add the ``track`` command to ``app``."""
    app.command("track")(track_command)


def track_command(
    detections: Annotated[
        Path, typer.Argument(help="detections Parquet file (or a run's detections.parquet)")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="tracks file to write: Parquet, or CSV if it ends in .csv"
        ),
    ],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="tracker YAML (format: docs/files.md, 'Tracker config')"),
    ] = None,
    tracker: Annotated[
        str | None,
        typer.Option(
            "--tracker",
            metavar="NAME",
            help="a shipped tracker configuration (iadsim presets lists them; "
            "not with --config, whose file can say 'preset: NAME')",
        ),
    ] = None,
    sigma_m: Annotated[
        float | None,
        typer.Option(
            "--sigma-m",
            callback=finite_range(1e-9, 1e8),
            help="1-sigma plot noise per axis, m, of a Cartesian file without a sigma column "
            "(default: estimated from the plots, and said)",
        ),
    ] = None,
    radar_sites: Annotated[
        Path | None,
        typer.Option(
            "--radar-sites",
            help="radar sites YAML (SAC/SIC -> position, sigmas): the input is ASTERIX CAT048",
        ),
    ] = None,
    look_s: Annotated[
        float | None,
        typer.Option(
            "--look-s",
            callback=finite_range(1e-6, 1e6),
            help="revisit period of the sensors, s: plots that carry their own times are "
            "tracked one look per revisit (default: estimated per sensor, and said)",
        ),
    ] = None,
    skip_bad_records: Annotated[
        bool,
        typer.Option(
            "--skip-bad-records",
            help="ASTERIX input: skip malformed records (counted, first one shown) "
            "instead of stopping at the first",
        ),
    ] = False,
) -> None:
    """Run the multi-target tracker on a detections file.

    Input: Parquet with 'time' (s, sorted) and x, y[, z] (m) or range (m), azimuth,
    elevation (rad) and sensor; or a run directory's detections.parquet (re-track a
    run with another tracker); or ASTERIX CAT048 plots with --radar-sites. Noise:
    the file's sigma columns, --sigma-m, the --config sensors, or (Cartesian files)
    estimated from the plots and said on stderr. Tracker: --config FILE, or a
    shipped configuration with --tracker NAME (civil-surveillance, air-defense-3d:
    iadsim presets). Output: time, track_id, status, x, y[, z], vx, vy[, vz],
    var_*, quality.

    Examples:

      iadsim run --quiet --out runs/demo

      iadsim track runs/demo/detections.parquet -o runs/demo/retracked.parquet

      iadsim track runs/demo/detections.parquet -o t.parquet --config tracker.yaml

      iadsim track runs/demo/detections.parquet -o t.parquet --tracker civil-surveillance

      iadsim export asterix runs/demo

      iadsim track runs/demo/cat048.ast --radar-sites runs/demo/radar-sites.yaml -o t.parquet
    """
    import sys

    from iadsim.cli.tracking_io import track_file
    from iadsim.errors import IadsimError, InputDataError, ScenarioError

    try:
        if tracker is not None and config is not None:
            raise InputDataError(
                "--tracker and --config: give one (a --config file can start from a "
                "shipped configuration with 'preset: NAME')"
            )
        if tracker is not None:
            from iadsim.scenario.named_trackers import list_named_trackers, unknown_tracker_message

            if tracker not in list_named_trackers():
                raise ScenarioError(f"--tracker: {unknown_tracker_message(tracker)}")
        if radar_sites is not None:
            from iadsim.cli.options import require_extra

            require_extra("asterix", "iadsim track --radar-sites (ASTERIX CAT048 input)")
        if output.resolve() == detections.resolve():
            raise InputDataError(f"-o {output}: would overwrite the detections file")
        counters = track_file(
            detections, output, config, sigma_m=sigma_m, radar_sites=radar_sites,
            skip_bad_records=skip_bad_records, look_s=look_s, tracker_name=tracker,
        )  # fmt: skip
    except IadsimError as err:  # one line + exit 2 also when the app is used without main()
        print(f"error: {err}", file=sys.stderr)
        raise typer.Exit(2) from None
    summary = ", ".join(f"{k}={v}" for k, v in counters.items())
    print(f"wrote {output} ({summary})")
