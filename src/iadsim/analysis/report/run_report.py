"""``iadsim report RUN_DIR``: the run's HTML report (and its figures as data)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iadsim.analysis.report import coverage as cov
from iadsim.analysis.report import plots
from iadsim.analysis.report.figjson import Fig
from iadsim.analysis.report.page import render, table
from iadsim.analysis.report.replay_frames import map_figure
from iadsim.analysis.report.rundata import RunData, load_run
from iadsim.analysis.report.timeline import timeline_figure
from iadsim.sim.summary_types import RadarSummary, RunSummary

#: Default footprint RCS values, m^2 (a conventional fighter and a low-observable class).
DEFAULT_RCS_M2: tuple[float, ...] = (1.0, 0.01)
#: Default footprint altitude above each radar's ground, m.
DEFAULT_ALT_M = 1000.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunFigures:
    """Every figure of a run report (plotly dicts) and the counts shown on the map."""

    map: Fig
    timeline: Fig
    range_vs_rcs: Fig
    vertical: tuple[Fig, ...]
    gospa: Fig
    position_error: Fig
    spent: Fig
    magazine: Fig
    counts: dict[str, int]
    accuracy: dict[str, float]


def run_figures(
    run: RunData, rcs_m2: Sequence[float] = DEFAULT_RCS_M2, alt_m: float = DEFAULT_ALT_M
) -> RunFigures:
    """All figures of one run; footprints for each RCS at ``alt_m`` above radar ground."""
    radars = cov.site_radars(run.world, run.scenario)
    ground = [r.antenna_alt_m - run.world.radars[r.radar_id].mast_m for r in radars]
    prints = [
        cov.footprint(r, s, alt_m, ground_alt_m=g)
        for s in rcs_m2
        for r, g in zip(radars, ground, strict=True)
    ]
    fmap, counts = map_figure(run, prints)
    gospa, err, acc = plots.accuracy_figures(run)
    return RunFigures(
        map=fmap,
        timeline=timeline_figure(run),
        range_vs_rcs=plots.range_vs_rcs_figure(radars, alt_m),
        vertical=tuple(plots.vertical_figure(r, rcs_m2) for r in radars),
        gospa=gospa,
        position_error=err,
        spent=plots.spent_figure(run),
        magazine=plots.magazine_figure(run),
        counts=counts,
        accuracy=acc,
    )


def _num(x: Any, scale: float = 1.0, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x / scale:.{digits}f}"


def summary_tables(summary: RunSummary) -> str:
    """The run's summary tables (as ``iadsim run`` prints them) in HTML."""
    threats = [
        (
            th.name,
            th.type,
            _num(th.first_detection_range_m, 1e3),
            _num(th.first_detection_t_s),
            _num(th.first_track_range_m, 1e3),
            _num(th.first_fc_track_range_m, 1e3),
            th.engagements,
            th.rounds,
            th.outcome,
            _num(th.outcome_t_s),
        )
        for th in summary.threats
    ]
    out = [
        table(
            "threats",
            [
                "threat",
                "type",
                "1st det km",
                "1st det s",
                "1st track km",
                "1st FC track km",
                "engagements",
                "rounds",
                "outcome",
                "at s",
            ],
            threats,
        )
    ]
    radars = summary.radars
    if radars:
        rows = [
            [th.name] + [_num(_first_range_m(r, th.name), 1e3) for r in radars]
            for th in summary.threats
        ]
        out.append(
            table(
                "first detection range by radar, km (- : never)",
                ["threat"] + [f"{r.name} ({r.type})" for r in radars],
                rows,
            )
        )
    bats = [
        (
            b.name,
            ", ".join(f"{k}: {v}" for k, v in b.fired.items()) or "0",
            b.max_channels_used,
            ", ".join(f"{k}: {v}" for k, v in b.salvos_by_outcome.items()) or "-",
            b.kills,
            b.leakers,
            b.survived,
        )
        for b in summary.batteries
    ]
    if bats:
        out.append(
            table(
                "batteries",
                [
                    "battery",
                    "interceptors fired",
                    "max channels used",
                    "salvos by outcome",
                    "kills",
                    "leakers",
                    "survived",
                ],
                bats,
            )
        )
    keys = (
        "n_threats",
        "n_killed",
        "n_leaked",
        "n_survived",
        "n_never_engaged",
        "salvos",
        "interceptors_fired_total",
        "n_detections",
        "n_false_alarms",
        "wall_time_s",
    )
    totals: list[tuple[str, Any]] = [
        (k, round(v, 2) if isinstance(v := getattr(summary, k), float) else v) for k in keys
    ]  # (wall time 3.62 s, not 17 digits)
    out.append(table("raid totals", ["figure", "value"], totals))
    return "".join(out)


def _first_range_m(radar: RadarSummary, threat: str) -> float | None:
    """Range of the radar's first detection of the threat, m (None: never)."""
    first = radar.first_detection.get(threat)
    return None if first is None else first.range_m


def hidden_tracks_note(run: RunData) -> str:
    """What the map leaves out, in the run's own numbers: tentative-only tracks and the
    false-alarm plots that may have seeded them."""
    s, n = run.summary, run.n_tentative_only
    alarms = f"{s.n_false_alarms} of the run's {s.n_detections} plots were false alarms"
    if n == 0:
        return f"no tentative-only tracks; {alarms}"
    return f"{n} tentative-only track{'s' if n != 1 else ''} hidden; {alarms}"


def render_run_report(run: RunData, figs: RunFigures) -> str:
    """The HTML page of a run."""
    s = run.summary
    note = (
        f"<p class='note'>Tracks shown: {figs.counts['tracks']} ever-confirmed tracks "
        f"({hidden_tracks_note(run)}). Salvos from {run.engagements_source}. Footprints: "
        "farthest detection "
        "(Pd 0.9 per scan) per azimuth, terrain mask and 4/3-earth horizon included; click "
        "legend entries to show the other RCS classes.</p>"
    )
    acc = (
        f"<p class='note'>Mean GOSPA {figs.accuracy['mean_gospa_m']:.0f} m; position RMSE "
        f"of assigned confirmed tracks {figs.accuracy['pos_rmse_m']:.0f} m.</p>"
    )
    sections = [
        ("map", "Map replay", [("fig-map", figs.map)], note),
        ("timeline", "Engagement timeline", [("fig-timeline", figs.timeline)], ""),
        (
            "coverage",
            "Radar coverage",
            [("fig-range-rcs", figs.range_vs_rcs)]
            + [(f"fig-vertical-{k}", f) for k, f in enumerate(figs.vertical)],
            "",
        ),
        (
            "accuracy",
            "Track accuracy",
            [("fig-gospa", figs.gospa), ("fig-poserr", figs.position_error)],
            acc,
        ),
        (
            "interceptors",
            "Interceptors",
            [("fig-spent", figs.spent), ("fig-magazine", figs.magazine)],
            "",
        ),
        ("summary", "Summary tables", [], summary_tables(s)),
    ]
    return render(
        title=f"iadsim run report: {s.scenario}",
        subtitle=f"seed {s.seed}, {s.duration_s:.0f} s simulated, "
        f"{s.n_killed} killed, {s.n_leaked} leaked, "
        f"{s.interceptors_fired_total} interceptors fired — {run.run_dir}",
        sections=sections,
        meta={"kind": "run", "counts": figs.counts, "scenario": s.scenario},
    )


def write_run_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    *,
    rcs_m2: Sequence[float] = DEFAULT_RCS_M2,
    alt_m: float = DEFAULT_ALT_M,
    png_dir: str | Path | None = None,
) -> Path:
    """Write ``report.html`` of a run directory (default ``RUN_DIR/report.html``) and,
    with ``png_dir``, the figures as PNG and SVG (:mod:`.png`)."""
    from iadsim.sim.recorder import write_text

    run = load_run(run_dir)
    figs = run_figures(run, rcs_m2, alt_m)
    text = render_run_report(run, figs)
    path = Path(out) if out is not None else Path(run_dir) / "report.html"
    write_text(path, text)
    if png_dir is not None:
        from iadsim.analysis.report.png import write_run_pngs

        write_run_pngs(run, figs, Path(png_dir))
    return path
