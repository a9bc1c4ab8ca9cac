"""``iadsim report CAMPAIGN_DIR``: distributions, means with 95% bands, per-class probabilities.

Means and intervals per sweep point come from
:func:`iadsim.analysis.campaign.summarize.summarize_campaign` (Student t for
means, Wilson for proportions); per threat class, P(engaged) (at least one
salvo aimed at it), P(killed) and P(leak) are proportions over all threats of
that class and point, with Wilson 95% intervals.

The directory is checked as ``iadsim campaign summarize`` and ``iadsim query``
check it (:func:`~iadsim.analysis.campaign.query.campaign_parts`: a valid manifest
with well-formed sweep points, else its backup; readable part files whose read
columns have their types and no nulls, :mod:`iadsim.analysis.campaign.integrity`),
and beyond: those columns have one type across the parts; any problem is a one-line
:class:`~iadsim.errors.InputDataError` naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.analysis.campaign.integrity import check_part_table
from iadsim.analysis.campaign.query import campaign_parts
from iadsim.analysis.campaign.summarize import summarize_campaign, wilson_interval
from iadsim.analysis.report.figjson import PALETTE, Fig, arr, base_layout, whole_dtick
from iadsim.analysis.report.page import render, table
from iadsim.errors import InputDataError

METRICS = (
    ("n_leaked", "leakers per run"),
    ("n_killed", "kills per run"),
    ("interceptors_fired_total", "rounds spent per run"),
)


def _read_parts(root: Path, name: str, parts: list[Path]) -> dict[str, np.ndarray]:
    """The columns of one campaign table (all its committed parts), checked."""
    if not parts:
        return {}
    tables = []
    for path in parts:
        try:
            table = pq.ParquetFile(path).read()
        except (OSError, pa.ArrowException) as err:
            raise InputDataError(f"{path}: cannot read Parquet: {err}") from err
        check_part_table(path, table, name)
        tables.append(table)
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as err:
        raise InputDataError(_mismatch(parts, tables) or f"{root / name}: {err}") from err
    return {n: np.array(table.column(n).to_pylist()) for n in table.column_names}


def _mismatch(parts: list[Path], tables: list[pa.Table]) -> str | None:
    """``part: column: type ..., but ... in the first part`` for the first column whose
    type differs between parts (None if none does)."""
    first: dict[str, tuple[pa.DataType, Path]] = {}
    for path, part in zip(parts, tables, strict=True):
        for field in part.schema:
            seen = first.setdefault(field.name, (field.type, path))
            try:
                pa.unify_schemas(
                    [pa.schema([(field.name, seen[0])]), pa.schema([field])],
                    promote_options="permissive",
                )
            except pa.ArrowException:
                return f"{path}: {field.name}: {field.type} values, but {seen[0]} in {seen[1]}"
    return None


def _manifest(root: Path) -> tuple[dict[str, Any], dict[str, list[Path]]]:
    """The campaign's manifest (its points checked) and its committed part files
    (their columns checked; :func:`~iadsim.analysis.campaign.query.campaign_parts`)."""
    store, parts = campaign_parts(root)
    return store.read_manifest(), parts


def _distributions(res: dict[str, np.ndarray], points: list[dict[str, Any]]) -> list[Fig]:
    """Per metric, the histogram of its per-run counts, one bar per sweep point side by
    side in each bin (overlaid bars blend into colours no legend shows), on whole-number
    axes."""
    figs = []
    for metric, label in METRICS:
        if metric not in res:
            continue
        values = [res[metric][res["point_id"] == p["point_id"]].astype(float) for p in points]
        data = [
            {
                "type": "histogram",
                "name": p["label"],
                "x": v.tolist(),
                "marker": {"color": PALETTE[k % 8]},
                "xbins": {"size": 1},
            }
            for k, (p, v) in enumerate(zip(points, values, strict=True))
        ]
        layout = base_layout(f"distribution of {label}", f"{label} (count)", "runs",
                             barmode="group", bargap=0.15)  # fmt: skip
        finite = [v[np.isfinite(v)] for v in values]
        counts = [np.unique(v, return_counts=True) for v in finite if v.size]
        x_span = max((float(np.ptp(v)) for v in finite if v.size), default=0.0)
        y_max = max((int(c.max()) for _, c in counts), default=0)
        layout["xaxis"]["dtick"] = whole_dtick(x_span)
        layout["yaxis"]["dtick"] = whole_dtick(y_max)
        figs.append({"data": data, "layout": layout})
    return figs


def _sweep_x(rows: list[dict[str, Any]], points: list[dict[str, Any]]) -> tuple[list[Any], str]:
    paths = list(points[0]["overrides"]) if points and points[0]["overrides"] else []
    if len(paths) == 1:
        return [r[paths[0]] for r in rows], paths[0]
    return [r["label"] for r in rows], "sweep point"


def _bands(rows: list[dict[str, Any]], points: list[dict[str, Any]]) -> list[Fig]:
    x, xlabel = _sweep_x(rows, points)
    numeric = all(isinstance(v, int | float) for v in x)
    figs = []
    for metric, label, key in [(m, lab, f"{m}_") for m, lab in METRICS] + [
        ("p_leak", "P(leak) per threat", "p_leak")
    ]:
        mean_key = f"{metric}_mean" if metric != "p_leak" else "p_leak"
        if mean_key not in rows[0]:
            continue
        lo = [r[f"{key}lo" if metric != "p_leak" else "p_leak_lo"] for r in rows]
        hi = [r[f"{key}hi" if metric != "p_leak" else "p_leak_hi"] for r in rows]
        mean = [r[mean_key] for r in rows]
        band = {
            "type": "scatter",
            "mode": "lines",
            "x": x + x[::-1],
            "y": arr(hi + lo[::-1], 4),
            "fill": "toself",
            "fillcolor": "rgba(0,114,178,0.2)",
            "line": {"width": 0},
            "name": "95% confidence band",
            "hoverinfo": "skip",
        }
        line = {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": arr(mean, 4),
            "name": "mean",
            "line": {"color": "#0072B2"},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": arr(np.subtract(hi, mean), 4),
                "arrayminus": arr(np.subtract(mean, lo), 4),
            },
        }
        unit = "(probability)" if metric == "p_leak" else "(count)"
        layout = base_layout(f"{label}: mean and 95% CI per sweep point", xlabel, f"{label} {unit}")
        if not numeric:
            layout["xaxis"].update(type="category")
        elif all(float(v).is_integer() for v in x):  # a swept count: whole-number ticks
            layout["xaxis"]["dtick"] = whole_dtick(float(max(x)) - float(min(x)))
        figs.append({"data": [band, line], "layout": layout})
    return figs


def class_probabilities(
    thr: dict[str, np.ndarray], points: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per (point, threat class): n and P(engaged), P(killed), P(leak) with Wilson 95% bounds."""
    out = []
    for p in points:
        for cls in sorted(set(thr["type"].tolist())):
            sel = (thr["point_id"] == p["point_id"]) & (thr["type"] == cls)
            n = int(sel.sum())
            row: dict[str, Any] = {"point": p["label"], "class": cls, "n": n}
            for name, hit in (
                ("engaged", thr["engagements"][sel] > 0),
                ("killed", thr["outcome"][sel] == "killed"),
                ("leak", thr["outcome"][sel] == "leaked"),
            ):
                k = int(np.sum(hit))
                row[f"p_{name}"] = k / n if n else float("nan")
                row[f"p_{name}_lo"], row[f"p_{name}_hi"] = wilson_interval(k, n)
            out.append(row)
    return out


def _class_figure(probs: list[dict[str, Any]]) -> Fig:
    data = []
    for k, name in enumerate(("engaged", "killed", "leak")):
        v = [r[f"p_{name}"] for r in probs]
        data.append(
            {
                "type": "bar",
                "name": f"P({name})",
                "x": [f"{r['class']}<br>{r['point']}" for r in probs],
                "y": arr(v, 4),
                "marker": {"color": PALETTE[k]},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": arr([r[f"p_{name}_hi"] - r[f"p_{name}"] for r in probs], 4),
                    "arrayminus": arr([r[f"p_{name}"] - r[f"p_{name}_lo"] for r in probs], 4),
                },
            }
        )
    layout = base_layout(
        "per threat class: P(engaged), P(killed), P(leak) with 95% Wilson intervals",
        "threat class and sweep point",
        "probability",
        barmode="group",
    )
    layout["yaxis"].update(range=[0, 1.05])
    return {"data": data, "layout": layout}


def campaign_figures(
    root: Path,
) -> tuple[list[tuple[str, Fig]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Named figures, summary rows and class probabilities of a campaign directory."""
    manifest, parts = _manifest(root)
    points = manifest["points"]
    res = _read_parts(root, "results", parts["results"])
    thr = _read_parts(root, "threats", parts["threats"])
    if not res:
        raise InputDataError(f"{root / 'results'}: no completed runs")
    rows = summarize_campaign(root)
    figs = [(f"dist_{k}", f) for k, f in enumerate(_distributions(res, points))]
    figs += [(f"band_{k}", f) for k, f in enumerate(_bands(rows, points))]
    probs = class_probabilities(thr, points) if thr else []
    if probs:
        figs.append(("classes", _class_figure(probs)))
    return figs, rows, probs


def write_campaign_report(
    root: str | Path, out: str | Path | None = None, *, png_dir: str | Path | None = None
) -> Path:
    """Write ``report.html`` of a campaign directory (and PNG/SVG figures with ``png_dir``)."""
    from iadsim.sim.recorder import write_text

    root = Path(root)
    figs, rows, probs = campaign_figures(root)
    f2 = lambda v: f"{v:.3g}" if isinstance(v, float) else v  # noqa: E731
    cols = [
        "label",
        "runs",
        "failures",
        "n_leaked_mean",
        "n_killed_mean",
        "interceptors_fired_total_mean",
        "p_leak",
        "p_leak_lo",
        "p_leak_hi",
    ]
    tables = table(
        "per sweep point (means; Wilson 95% interval for P(leak))",
        cols,
        [[f2(r.get(c, "-")) for c in cols] for r in rows],
    )
    pcols = ["point", "class", "n", "p_engaged", "p_killed", "p_leak", "p_leak_lo", "p_leak_hi"]
    tables += table("per threat class", pcols, [[f2(r[c]) for c in pcols] for r in probs])
    manifest, _parts = _manifest(root)
    dist = [f for f in figs if f[0].startswith("dist")]
    bands = [f for f in figs if f[0].startswith("band")]
    classes = [f for f in figs if f[0] == "classes"]
    text = render(
        title=f"iadsim campaign report: {manifest.get('scenario', '?')}",
        subtitle=f"{manifest.get('n_points', '?')} sweep point(s) x "
        f"{manifest.get('runs_per_point', '?')} runs, "
        f"root seed {manifest.get('root_seed')} — {root}",
        sections=[
            ("distributions", "Distributions", dist, ""),
            ("bands", "Means with 95% confidence bands", bands, ""),
            ("classes", "Per threat class", classes, ""),
            ("tables", "Tables", [], tables),
        ],
        meta={"kind": "campaign", "counts": {"points": len(rows), "figures": len(figs)}},
    )
    path = Path(out) if out is not None else root / "report.html"
    write_text(path, text)
    if png_dir is not None:
        from iadsim.analysis.report.png import write_pngs

        write_pngs(figs, Path(png_dir))
    return path
