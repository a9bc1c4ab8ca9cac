"""``iadsim run``, ``validate``, ``presets`` and ``catalog show``."""

from __future__ import annotations

import difflib
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iadsim.errors import ScenarioError

DEFAULT_SCENARIO = "s400-vs-mixed-raid"

# Piped output (logs, CI) gets 120 columns instead of rich's 80, so names fit.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True)


def _km(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x / 1e3:.0f}"


def _s(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0f}"


def print_summary(summary: dict[str, Any], console: Console = out) -> None:
    """The analyst's tables: per threat, per battery, raid totals."""
    t = Table(
        title=f"{summary['scenario']} (seed {summary['seed']}): threats", title_justify="left"
    )
    for col, just in (
        ("threat", "left"),
        ("type", "left"),
        ("1st det km", "right"),
        ("1st det s", "right"),
        ("1st track km", "right"),
        ("engaged", "right"),
        ("outcome", "left"),
        ("at s", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    style = {"killed": "green", "leaked": "red", "survived": "yellow"}
    for th in summary["threats"]:
        t.add_row(
            th["name"],
            th["type"],
            _km(th["first_detection_range_m"]),
            _s(th["first_detection_t_s"]),
            _km(th["first_track_range_m"]),
            str(th["engagements"]),
            f"[{style.get(th['outcome'], '')}]{th['outcome']}[/]",
            _s(th["outcome_t_s"]),
        )
    console.print(t)
    radars = summary.get("radars", [])
    if radars:
        r = Table(title="first detection range by radar, km (- : never)", title_justify="left")
        r.add_column("threat")
        for rad in radars:
            r.add_column(f"{rad['name']}\n{rad['type']}", justify="right")
        for th in summary["threats"]:
            cells = []
            for rad in radars:
                first = rad["first_detection"].get(th["name"])
                cells.append("-" if first is None else _km(first["range_m"]))
            r.add_row(th["name"], *cells)
        console.print(r)
    if summary.get("batteries"):
        b = Table(title="batteries", title_justify="left")
        for col in ("battery", "interceptors fired", "max channels used", "kills", "leakers"):
            b.add_column(col)
        for bty in summary["batteries"]:
            fired = ", ".join(f"{k}: {v}" for k, v in bty.get("fired", {}).items()) or "0"
            b.add_row(
                bty["name"],
                fired,
                str(bty.get("max_channels_used", "-")),
                str(bty.get("kills", "-")),
                str(bty.get("leakers", "-")),
            )
        console.print(b)
    console.print(
        f"raid: {summary['n_threats']} threats, [green]{summary['n_killed']} killed[/], "
        f"[red]{summary['n_leaked']} leaked[/], {summary['n_survived']} survived; "
        f"{summary['interceptors_fired_total']} interceptors fired; "
        f"{summary['n_detections']} detections ({summary['n_false_alarms']} false); "
        f"wall time {summary['wall_time_s']:.2f} s"
    )


def run_command(
    scenario: Annotated[
        str, typer.Argument(help="scenario YAML file or bundled preset name")
    ] = DEFAULT_SCENARIO,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="run directory (default runs/<name>-<UTC time>)")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no tables, just the path")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="also write RUN_DIR/report.html (needs iadsim[report])")
    ] = False,
    no_limits: Annotated[
        bool, typer.Option("--no-limits", help="skip the resource guards (events, memory)")
    ] = False,
) -> None:
    """Run a scenario end to end and write its run directory.

    Examples:

      iadsim run                                   # the default preset s400-vs-mixed-raid

      iadsim run stealth-penetration --seed 7

      iadsim run my-raid.yaml --out runs/my-raid

      iadsim run --report                          # and open RUN_DIR/report.html in a browser
    """
    from iadsim.scenario.limits import DEFAULT_LIMITS

    if report:  # fail before running, not after
        from iadsim.cli.report import require_report_extra

        require_report_extra()
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    sc = load_scenario(scenario)
    for w in sc.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} s simulated"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task(sc.name, total=sc.simulation.duration_s)
        result = run_scenario(
            sc,
            seed=seed,
            out_dir=out_dir,
            progress=lambda t: bar.update(task, completed=t),
            limits=None if no_limits else DEFAULT_LIMITS,
        )
    for w in result.summary.get("warnings", []):
        err.print(f"[yellow]warning:[/] {w}")
    if not quiet:
        print_summary(result.summary)
    out.print(f"run directory: {result.run_dir}")
    if report and result.run_dir is not None:
        from iadsim.cli.report import write_report

        out.print(f"report: {write_report(Path(result.run_dir))} (open it in a browser)")


def validate_command(
    scenario: Annotated[str, typer.Argument(help="scenario YAML file or bundled preset name")],
    no_limits: Annotated[
        bool, typer.Option("--no-limits", help="skip the resource guards (events, memory)")
    ] = False,
) -> None:
    """Check a scenario file without running it (exit 2 and one line on error).

    Example:

      iadsim validate my-raid.yaml
    """
    from iadsim.scenario.limits import DEFAULT_LIMITS, check_limits
    from iadsim.scenario.load import load_scenario

    sc = load_scenario(scenario)
    for w in sc.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    check_limits(sc, None if no_limits else DEFAULT_LIMITS)
    n = sum(t.count for t in sc.threats)
    out.print(f"{sc.file}: ok ({len(sc.batteries)} batteries, {n} threats)")


def presets_command() -> None:
    """List bundled scenarios and catalog types.

    Example:

      iadsim presets
    """
    from iadsim.scenario.load import list_presets, load_catalog, read_scenario_yaml

    t = Table(title="bundled scenarios", title_justify="left")
    t.add_column("name")
    t.add_column("description")
    for name in list_presets():
        data, _ = read_scenario_yaml(name)
        desc = " ".join(str(data.get("description", "")).split())
        t.add_row(name, desc[:110] + ("..." if len(desc) > 110 else ""))
    out.print(t)
    cat = load_catalog()
    c = Table(title="catalog types (iadsim catalog show TYPE)", title_justify="left")
    c.add_column("section")
    c.add_column("types")
    for section in ("platforms", "radars", "interceptors", "launchers", "rcs_tables"):
        c.add_row(section, ", ".join(sorted(getattr(cat, section))))
    out.print(c)


catalog_app = typer.Typer(help="Inspect the bundled catalog of types.", no_args_is_help=True)


@catalog_app.command("show")
def catalog_show(
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="catalog type name")],
) -> None:
    """Show one catalog type with its figures and sources.

    Example:

      iadsim catalog show f35-class
    """
    from iadsim.scenario.load import load_catalog

    cat = load_catalog()
    names: list[str] = []
    for section in ("platforms", "radars", "interceptors", "launchers", "rcs_tables"):
        entries = getattr(cat, section)
        names += list(entries)
        if type_name in entries:
            entry = entries[type_name]
            data = entry.model_dump(mode="json") if hasattr(entry, "model_dump") else entry
            out.print(f"[bold]{type_name}[/] ({section})")
            out.print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
            return
    close = difflib.get_close_matches(type_name, names, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(f"catalog: unknown type '{type_name}'{hint}")


def register(app: typer.Typer) -> None:
    """Add run/validate/presets/catalog to the app."""
    app.command("run")(run_command)
    app.command("validate")(validate_command)
    app.command("presets")(presets_command)
    app.add_typer(catalog_app, name="catalog")
