"""``iadsim compare A B``: two scenario results side by side."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iadsim.cli.options import format_option, seed_option
from iadsim.cli.output import Col, Format, emit, fmt_num

if TYPE_CHECKING:
    from iadsim.sim.summary_types import RunSummary


def _by_type(summary: RunSummary) -> dict[str, dict[str, float]]:
    """Per threat type: count, killed, leaked (and of those shot down on egress), never
    engaged, salvos and rounds aimed at it, mean first detection / track / fire-control
    track range (km)."""
    acc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for th in summary.threats:
        a = acc[th.type]
        a["n"].append(1.0)
        a["killed"].append(float(th.outcome == "killed"))
        a["leaked"].append(float(th.outcome == "leaked"))
        after = th.killed_after_leak_t_s
        a["after"].append(float(after is not None and not math.isnan(after)))
        a["salvos"].append(float(th.engagements))
        a["rounds"].append(float(th.rounds))
        a["never"].append(float(th.engagements == 0))
        for key, v in (
            ("first_detection_range_m", th.first_detection_range_m),
            ("first_track_range_m", th.first_track_range_m),
            ("first_fc_track_range_m", th.first_fc_track_range_m),
        ):
            if not math.isnan(v):
                a[key].append(v / 1e3)
    res: dict[str, dict[str, float]] = {}
    for typ, a in acc.items():
        res[typ] = {key: sum(a[key]) for key in ("n", "killed", "leaked", "after", "never",
                                                  "salvos", "rounds")}  # fmt: skip
        for key, name in (("det_km", "first_detection_range_m"), ("trk_km", "first_track_range_m"),
                          ("fc_km", "first_fc_track_range_m")):  # fmt: skip
            res[typ][key] = sum(a[name]) / len(a[name]) if a[name] else math.nan
    return res


RAID_KEYS = (
    "n_threats",
    "n_killed",
    "n_leaked",
    "n_killed_after_leak",
    "n_survived",
    "interceptors_fired_total",
    "n_detections",
)
TYPE_FIGURES = (
    ("n", "threats"),
    ("killed", "killed"),
    ("leaked", "leaked"),
    ("after", "leaked, shot down on egress"),
    ("never", "never engaged"),
    ("salvos", "salvos aimed"),
    ("rounds", "rounds spent"),
    ("det_km", "mean 1st detection km"),
    ("trk_km", "mean 1st track km"),
    ("fc_km", "mean 1st fire-control track km"),
)


def comparison_rows(a: RunSummary, b: RunSummary) -> list[dict[str, Any]]:
    """Raid totals and per-type figures of two run summaries: rows ``figure, type, a, b``."""
    rows: list[dict[str, Any]] = [
        {"figure": key, "type": "", "a": getattr(a, key), "b": getattr(b, key)} for key in RAID_KEYS
    ]
    ta, tb = _by_type(a), _by_type(b)
    for typ in sorted(set(ta) | set(tb)):
        for key, label in TYPE_FIGURES:
            va, vb = (None if t.get(typ) is None else t[typ][key] for t in (ta, tb))
            rows.append({"figure": label, "type": typ, "a": va, "b": vb})
    return rows


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return fmt_num(int(v) if isinstance(v, float) and v.is_integer() else v)


def compare_command(
    scenario_a: Annotated[str, typer.Argument(help="first scenario file or preset")],
    scenario_b: Annotated[str, typer.Argument(help="second scenario file or preset")],
    seed: Annotated[
        int | None, seed_option("seed for both runs, 0 to 2^63-1 (default: each own)")
    ] = None,
    fmt: Annotated[Format, format_option()] = Format.table,
) -> None:
    """Two scenarios' results side by side (one seeded run each).

    Use `iadsim campaign` for confidence intervals.

    Examples:

      iadsim compare s400-vs-mixed-raid patriot-vs-mixed-raid --seed 1
    """
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    sa, sb = load_scenario(scenario_a), load_scenario(scenario_b)
    ra = run_scenario(sa, seed=seed, record=False)
    rb = run_scenario(sb, seed=seed, record=False)
    name_a, name_b = ra.summary.scenario, rb.summary.scenario
    if name_a == name_b:
        name_a, name_b = f"{name_a} (A)", f"{name_b} (B)"
    cols = (
        Col("figure", "figure", ident=True),
        Col("type", "threat type", ident=True, stack_under="figure"),
        Col("a", name_a, numeric=True, short="A", legend=f"A = {name_a}", render=_cell),
        Col("b", name_b, numeric=True, short="B", legend=f"B = {name_b}", render=_cell),
    )
    rows = comparison_rows(ra.summary, rb.summary)
    doc = {"a": name_a, "b": name_b, "seed": seed, "rows": rows}
    emit(fmt, cols, rows, title=f"{name_a} vs {name_b}", document=doc)
    if fmt is Format.table:
        print("one seeded run each; use `iadsim campaign` for confidence intervals")


def register(app: typer.Typer) -> None:
    """Add ``compare``."""
    app.command("compare")(compare_command)
