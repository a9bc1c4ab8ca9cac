"""``iadsim run``, ``validate``, ``presets`` and ``catalog show``."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iadsim.cli.options import format_option, seed_option
from iadsim.cli.output import Col, Format, console, emit, escape, fmt_num, print_table

if TYPE_CHECKING:
    from iadsim.sim.runner import RunResult
    from iadsim.sim.summary_types import RunSummary, TrackingSummary

DEFAULT_SCENARIO = "s400-vs-mixed-raid"


def _km(x: Any) -> str:
    return "-" if x is None else fmt_num(float(x) / 1e3 if x == x else x, 3)


def _s(x: Any) -> str:
    return "-" if x is None else fmt_num(x)


THREAT_COLS = (
    Col("name", "threat", ident=True),
    Col("type", "type", ident=True, stack_under="name"),
    Col("first_detection_range_m", "1st det km", numeric=True, render=_km),
    Col("first_detection_t_s", "1st det s", numeric=True, render=_s),
    Col("first_track_range_m", "1st track km", numeric=True, render=_km),
    Col("engagements", "engaged", numeric=True),
    Col("outcome", "outcome"),
    Col("outcome_t_s", "at s", numeric=True, render=_s),
)


def _radar_table(summary: RunSummary) -> tuple[list[Col], list[dict[str, Any]]]:
    radars = summary.radars
    cols = [Col("threat", "threat", ident=True)]
    for i, rad in enumerate(radars):
        cols.append(
            Col(
                f"r{i}",
                f"{rad.name}\n{rad.type}",
                numeric=True,
                short=rad.name,
                legend=f"{rad.name} = {rad.type}",
                render=_km,
            )
        )
    rows = []
    for th in summary.threats:
        row: dict[str, Any] = {"threat": th.name}
        for i, rad in enumerate(radars):
            first = rad.first_detection.get(th.name)
            row[f"r{i}"] = None if first is None else first.range_m
        rows.append(row)
    return cols, rows


BATTERY_COLS = (
    Col("name", "battery", ident=True),
    Col("fired", "interceptors fired"),
    Col("max_channels_used", "max channels used", numeric=True),
    Col("kills", "kills", numeric=True),
    Col("leakers", "leakers", numeric=True),
    Col("kills_after_leak", "leakers shot down on egress", numeric=True),
)


def print_summary(summary: RunSummary, con: Any = None) -> None:
    """The analyst's tables, fitted to the console: per threat, per radar, per battery, raid."""
    con = con if con is not None else console()
    title = f"{summary.scenario} (seed {summary.seed}): threats"
    print_table(con, title, THREAT_COLS, [th.to_json_dict() for th in summary.threats])
    if summary.radars:
        cols, rows = _radar_table(summary)
        print_table(con, "first detection range by radar, km (- : never)", cols, rows)
    if summary.batteries:
        rows = [
            {**b.to_json_dict(), "fired": "\n".join(f"{k}: {v}" for k, v in b.fired.items()) or "0"}
            for b in summary.batteries
        ]
        print_table(con, "batteries", BATTERY_COLS, rows)
    if summary.tracking is not None:
        print_table(con, "tracking", TRACKING_COLS, _tracking_rows(summary.tracking))
    if summary.batteries:
        outcome = (
            f"raid: {summary.n_threats} threats, {summary.n_killed} killed, "
            f"{summary.n_leaked} leaked{_after_leak(summary.n_killed_after_leak)}, "
            f"{summary.n_survived} survived; "
            f"{summary.interceptors_fired_total} interceptors fired"
        )
    else:  # surveillance only: nothing could be engaged, so no raid outcome
        outcome = f"surveillance only (no batteries): {summary.n_threats} air objects"
    con.print(
        f"{outcome}; {summary.n_detections} detections "
        f"({summary.n_false_alarms} false); wall time {summary.wall_time_s:.2f} s"
    )


TRACKING_COLS = (
    Col("metric", "tracking vs recorded truth", ident=True),
    Col("value", "value", numeric=True, render=lambda x: fmt_num(x)),
)


def _tracking_rows(q: TrackingSummary) -> list[dict[str, Any]]:
    """The summary's ``tracking`` section as (metric, value) rows."""
    names = {
        "gospa_mean_m": f"GOSPA mean, m (c {q.cut_off_m:g} m, p 1)",
        "gospa_localisation_mean_m": "  localisation, m",
        "gospa_missed_mean_m": "  missed targets, m",
        "gospa_false_mean_m": "  false tracks, m",
        "continuity_mean": "track continuity (mean per aircraft)",
        "id_switches": "ID switches",
        "n_tracks": f"tracks (aircraft: {q.n_targets})",
        "rmse_straight_m": "RMSE straight flight, m",
        "rmse_turning_m": f"RMSE turning (>= {q.turn_threshold_deg_s:g} deg/s), m",
    }
    return [{"metric": label, "value": getattr(q, key)} for key, label in names.items()]


def _add_tracking_quality(result: RunResult) -> None:
    """Score the tracks against replayed (recorded) truth: the summary's ``tracking``
    section (:func:`iadsim.analysis.metrics.manoeuvre.tracking_quality`), also written
    to the run's summary.json."""
    from iadsim.analysis.metrics.manoeuvre import tracking_quality

    summary = result.summary
    quality = tracking_quality(result.truth, result.tracks, held=summary.track_history == "changes",
                               detections=result.detections)  # fmt: skip
    result.summary = dataclasses.replace(summary, tracking=quality)
    if result.run_dir is not None:
        from iadsim.sim import recorder

        recorder.write_json(Path(result.run_dir) / "summary.json", result.summary.to_json_dict())


def _warn(messages: Any) -> None:
    if messages:
        err = console(stderr=True)
        for w in messages:
            err.print(f"[yellow]warning:[/] {escape(str(w))}", soft_wrap=False)


def run_command(
    scenario: Annotated[
        str, typer.Argument(help="scenario YAML file or bundled preset name")
    ] = DEFAULT_SCENARIO,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="run directory (default runs/<name>-<UTC time>)")
    ] = None,
    seed: Annotated[int | None, seed_option("random seed (default: the scenario's)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no tables, just the path")] = False,
    fmt: Annotated[Format, format_option()] = Format.table,
    report: Annotated[
        bool, typer.Option("--report", help="also write RUN_DIR/report.html (needs iadsim[report])")
    ] = False,
    no_limits: Annotated[
        bool, typer.Option("--no-limits", help="skip the resource guards (events, memory)")
    ] = False,
) -> None:
    """Run a scenario end to end and write its run directory.

    --format json prints summary.json, csv the per-threat rows; the run directory's
    path then goes to stderr.

    Examples:

      iadsim run                      # the default preset, s400-vs-mixed-raid

      iadsim run stealth-penetration --seed 7

      iadsim run patriot-vs-mixed-raid --format json --out runs/patriot

      iadsim run --report             # and open RUN_DIR/report.html in a browser
    """
    from iadsim.scenario.limits import DEFAULT_LIMITS

    if report:  # fail before running, not after
        from iadsim.cli.report import require_report_extra

        require_report_extra()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    sc = load_scenario(scenario)
    _warn(sc.warnings)
    no_bar = quiet or not sys.stderr.isatty()  # no bar in logs and pipes
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} s simulated"),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
        disable=no_bar,
    ) as bar:
        task = bar.add_task(sc.name, total=sc.simulation.duration_s)
        result = run_scenario(
            sc,
            seed=seed,
            out_dir=out_dir,  # (a disabled bar's update still costs ~5 us an event)
            progress=None if no_bar else lambda t: bar.update(task, completed=t),
            limits=None if no_limits else DEFAULT_LIMITS,
        )
    _warn(result.summary.warnings)
    if any(th.motion.kind == "replay" for th in sc.threats):
        _add_tracking_quality(result)
    if fmt is not Format.table:
        doc = result.summary.to_json_dict()
        emit(fmt, THREAT_COLS, doc["threats"], document=doc)
        print(f"run directory: {result.run_dir}", file=sys.stderr)
    else:
        if not quiet:
            print_summary(result.summary)
        console().print(f"run directory: {escape(str(result.run_dir))}", soft_wrap=True)
    if report and result.run_dir is not None:
        from iadsim.cli.report import write_report

        page = write_report(Path(result.run_dir))
        print(
            f"report: {page} (open it in a browser)",
            file=sys.stderr if fmt is not Format.table else sys.stdout,
        )


def validate_command(
    scenario: Annotated[str, typer.Argument(help="scenario YAML file or bundled preset name")],
    no_limits: Annotated[
        bool, typer.Option("--no-limits", help="skip the resource guards (events, memory)")
    ] = False,
) -> None:
    """Check a scenario without running it (one line and exit 2 on error).

    Examples:

      iadsim validate saturation

      iadsim validate my-raid.yaml
    """
    from iadsim.scenario.limits import DEFAULT_LIMITS, check_limits
    from iadsim.scenario.load import load_scenario

    sc = load_scenario(scenario)
    _warn(sc.warnings)
    check_limits(sc, None if no_limits else DEFAULT_LIMITS)
    import math

    from iadsim.scenario.checks import origin_of
    from iadsim.scenario.compile import compile_truth

    # the motions too (routes built, recordings read): their warnings are a run's
    o = origin_of(sc)
    origin = (math.radians(o.lat_deg), math.radians(o.lon_deg), o.alt_m)
    truth, _, notes = compile_truth(sc, sc.resolved_catalog, origin)
    _warn(notes)
    n = truth.n_threats
    b = len(sc.batteries)
    counts = f"{b} {'battery' if b == 1 else 'batteries'}, {n} {'threat' if n == 1 else 'threats'}"
    console().print(f"{escape(str(sc.file))}: ok ({counts})", soft_wrap=True)


PRESET_COLS = (Col("name", "name", ident=True), Col("description", "description"))
CATALOG_SECTIONS = ("platforms", "radars", "interceptors", "launchers", "rcs_tables")


def presets_command(fmt: Annotated[Format, format_option()] = Format.table) -> None:
    """List bundled scenarios, catalog types and shipped tracker configurations.

    Examples:

      iadsim presets

      iadsim presets --format json
    """
    from iadsim.scenario.load import list_presets, load_catalog, read_scenario_yaml
    from iadsim.scenario.named_trackers import list_named_trackers, named_tracker

    rows = []
    for name in list_presets():
        data, _ = read_scenario_yaml(name)
        rows.append(
            {"name": name, "description": " ".join(str(data.get("description", "")).split())}
        )
    cat = load_catalog()
    types = [{"section": s, "types": ", ".join(sorted(getattr(cat, s)))} for s in CATALOG_SECTIONS]
    trackers = [named_tracker(n) for n in list_named_trackers()]
    tracker_rows = [{"name": t.name, "description": t.description} for t in trackers]
    if fmt is Format.json:
        doc = {
            "presets": rows,
            "catalog": {s: sorted(getattr(cat, s)) for s in CATALOG_SECTIONS},
            "trackers": [
                {**r, "source": t.source} for r, t in zip(tracker_rows, trackers, strict=True)
            ],
        }
        emit(fmt, PRESET_COLS, rows, document=doc)
        return
    if fmt is Format.csv:
        emit(fmt, PRESET_COLS, rows)
        return
    con = console()
    print_table(con, "bundled scenarios", PRESET_COLS, rows)
    type_cols = (Col("section", "section", ident=True), Col("types", "types"))
    print_table(con, "catalog types (iadsim catalog show TYPE)", type_cols, types)
    print_table(
        con, "tracker configurations (iadsim track --tracker NAME; scenario tracker: NAME)",
        PRESET_COLS, tracker_rows,
    )  # fmt: skip


catalog_app = typer.Typer(
    help="Inspect the bundled catalog of types.", no_args_is_help=True, rich_markup_mode=None
)


def suggest(name: str, names: list[str]) -> str:
    """``; did you mean 'x'?`` (the closest name, else up to three containing it) or ``''``."""
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    close = close or [n for n in names if name.lower() in n.lower()][:3]
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


@catalog_app.command("show")
def catalog_show(
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="catalog type name")],
) -> None:
    """Show one catalog type with its figures and sources.

    Examples:

      iadsim catalog show f35-class

      iadsim catalog show s400-class-engagement
    """
    import yaml

    from iadsim.errors import ScenarioError
    from iadsim.scenario.load import load_catalog

    cat = load_catalog()
    names: list[str] = []
    for section in CATALOG_SECTIONS:
        entries = getattr(cat, section)
        names += list(entries)
        if type_name in entries:
            entry = entries[type_name]
            data = entry.model_dump(mode="json") if hasattr(entry, "model_dump") else entry
            con = console()
            con.print(f"[bold]{escape(type_name)}[/] ({section})")
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=con.width - 8)
            con.print(escape(text), soft_wrap=False, highlight=False)  # rare long words wrap
            return
    raise ScenarioError(
        f"catalog: unknown type '{type_name}'{suggest(type_name, names)} (list: iadsim presets)"
    )


def register(app: typer.Typer) -> None:
    """Add run/validate/presets/catalog to the app."""
    app.command("run")(run_command)
    app.command("validate")(validate_command)
    app.command("presets")(presets_command)
    app.add_typer(catalog_app, name="catalog")


def _after_leak(n: int) -> str:
    """`` (n shot down on egress)`` after the leakers, when some were."""
    return f" ({n} shot down on egress)" if n else ""
