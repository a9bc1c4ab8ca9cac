"""``iadsim compare A B``: two scenario results side by side."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

out = Console()


def _by_type(summary: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per threat type: count, killed, leaked, never engaged, salvos and rounds aimed at
    it, mean first detection / track / fire-control track range (km)."""
    acc: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for th in summary["threats"]:
        a = acc[th["type"]]
        a["n"].append(1.0)
        a["killed"].append(float(th["outcome"] == "killed"))
        a["leaked"].append(float(th["outcome"] == "leaked"))
        a["salvos"].append(float(th.get("engagements", 0)))
        a["rounds"].append(float(th.get("rounds", 0)))
        a["never"].append(float(th.get("engagements", 0) == 0))
        for key in ("first_detection_range_m", "first_track_range_m", "first_fc_track_range_m"):
            if key not in th:
                continue
            v = th[key]
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                a[key].append(v / 1e3)
    res: dict[str, dict[str, float]] = {}
    for typ, a in acc.items():
        res[typ] = {key: sum(a[key]) for key in ("n", "killed", "leaked", "never", "salvos",
                                                  "rounds")}  # fmt: skip
        for key, name in (("det_km", "first_detection_range_m"), ("trk_km", "first_track_range_m"),
                          ("fc_km", "first_fc_track_range_m")):  # fmt: skip
            res[typ][key] = sum(a[name]) / len(a[name]) if a[name] else math.nan
    return res


def comparison_table(a: dict[str, Any], b: dict[str, Any]) -> Table:
    """A rich table of raid totals and per-type figures for two run summaries."""
    t = Table(title=f"{a['scenario']} vs {b['scenario']}", title_justify="left")
    t.add_column("figure")
    t.add_column(a["scenario"], justify="right")
    t.add_column(b["scenario"], justify="right")
    for key in (
        "n_threats",
        "n_killed",
        "n_leaked",
        "n_survived",
        "interceptors_fired_total",
        "n_detections",
    ):
        t.add_row(key, str(a[key]), str(b[key]))
    ta, tb = _by_type(a), _by_type(b)

    def fmt(d: dict[str, float] | None, key: str) -> str:
        if d is None:
            return "-"
        v = d[key]
        return "-" if math.isnan(v) else (f"{v:.0f}" if key.endswith("km") else f"{v:g}")

    for typ in sorted(set(ta) | set(tb)):
        for key, label in (
            ("n", "threats"),
            ("killed", "killed"),
            ("leaked", "leaked"),
            ("never", "never engaged"),
            ("salvos", "salvos aimed"),
            ("rounds", "rounds spent"),
            ("det_km", "mean 1st detection km"),
            ("trk_km", "mean 1st track km"),
            ("fc_km", "mean 1st fire-control track km"),
        ):
            t.add_row(f"{typ}: {label}", fmt(ta.get(typ), key), fmt(tb.get(typ), key))
    return t


def compare_command(
    scenario_a: Annotated[str, typer.Argument(help="first scenario file or preset")],
    scenario_b: Annotated[str, typer.Argument(help="second scenario file or preset")],
    seed: Annotated[int | None, typer.Option(help="seed for both runs (default: each own)")] = None,
) -> None:
    """Run two scenarios (no run directories) and show their results side by side.

    Example:

      iadsim compare s400-vs-mixed-raid patriot-vs-mixed-raid --seed 1
    """
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    sa, sb = load_scenario(scenario_a), load_scenario(scenario_b)
    ra = run_scenario(sa, seed=seed, record=False)
    rb = run_scenario(sb, seed=seed, record=False)
    out.print(comparison_table(ra.summary, rb.summary))
    out.print("one seeded run each; use `iadsim campaign` for confidence intervals")


def register(app: typer.Typer) -> None:
    """Add ``compare``."""
    app.command("compare")(compare_command)
