"""``iadsim score``: score a tracks file against a truth file (GOSPA, OSPA, continuity).

Thin layer: read and validate the files (:mod:`iadsim.analysis.trackfiles`),
score them (:func:`iadsim.analysis.metrics.score_frames`), print the metrics
(table, JSON or CSV) and, only when asked with ``--csv``, write the per-time CSV
atomically (temporary file + ``os.replace``; nothing is written on error).
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iadsim.cli.options import format_option
from iadsim.cli.output import Col, Format, emit
from iadsim.errors import InputDataError
from iadsim.files import write_text_atomic

if TYPE_CHECKING:  # metrics pull in scipy.stats (0.6 s): imported when the command runs
    from iadsim.analysis.metrics import LifeNees, Score

__all__ = ["CSV_COLUMNS", "register", "score_command", "write_text_atomic"]

#: Default GOSPA cut-off, m: surveillance scale (issue #14: a 50 m default reported a
#: 30 m error where the error at a 20 km cut-off was 946 m; tracks kilometres off
#: their target are then missed targets plus false tracks, not hidden).
DEFAULT_C_M = 2000.0

CSV_COLUMNS: tuple[str, ...] = (
    "t_s",
    "gospa_m",
    "localisation_pow",
    "missed_pow",
    "false_pow",
    "ospa_m",
    "n_truth",
    "n_tracks",
    "n_assigned",
)


def register(app: typer.Typer) -> None:
    """Add the ``score`` command to ``app``."""
    app.command("score")(score_command)


def series_csv(result: Score) -> str:
    """The per-time CSV text (columns :data:`CSV_COLUMNS`)."""
    import numpy as np

    s = result.series
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    columns = [getattr(s, name) for name in CSV_COLUMNS]
    for row in zip(*columns, strict=True):
        writer.writerow([repr(float(v)) if isinstance(v, np.floating) else int(v) for v in row])
    return buf.getvalue()


def _check_options(c: float, p: float, alpha: float, time_tol: float) -> None:
    checks = (
        ("--c", c, math.isfinite(c) and c > 0, "must be finite and > 0"),
        ("--p", p, math.isfinite(p) and p >= 1, "must be finite and >= 1"),
        ("--alpha", alpha, 0 < alpha <= 2, "must be in (0, 2]"),
        ("--time-tol", time_tol, time_tol >= 0, "must be >= 0"),
        ("--time-tol", time_tol, math.isfinite(time_tol), "must be finite"),
    )
    for flag, value, ok, what in checks:
        if not ok:
            raise InputDataError(f"score: {flag}: {what} (got {value})")
    digits = abs(p * math.log10(c))
    if not digits < 290.0:  # = metrics.score.MAX_POW_DIGITS (not imported: CLI start-up)
        raise InputDataError(
            f"score: --p: c^p = {c:g}^{p:g} leaves the float64 range (|p log10 c| = "
            f"{digits:.3g}, must be < 290): use a smaller --p or a --c nearer 1"
        )
    if not p * math.log10(c) - math.log10(alpha) < 290.0:
        raise InputDataError(
            f"score: --alpha: c^p / alpha = {c:g}^{p:g} / {alpha:g} overflows float64: "
            "use a larger --alpha"
        )


def life_nees_values(life: LifeNees) -> dict[str, float | int]:
    """Life NEES per threat class as raw numbers (``--format json|csv``)."""
    out: dict[str, float | int] = {
        "nees_life_dof": life.dof,
        "nees_life_tracks_unassociated": life.n_unassociated,
    }
    for c in life.classes:
        out |= {
            f"nees_life[{c.name}]": c.nees_mean,
            f"nees_life_lo[{c.name}]": c.lo,
            f"nees_life_hi[{c.name}]": c.hi,
            f"nees_life_tracks[{c.name}]": c.n_tracks,
        }
    return out


def life_nees_rows(life: LifeNees) -> list[tuple[str, str]]:
    """Table rows: one per threat class, mean of the tracks' time-averaged NEES and
    its 95% interval for that many independent tracks."""
    if not life.classes:
        return [("NEES over track life", "n/a (no track associated)")]
    rows = [
        (
            f"NEES over track life, {c.name} ({c.n_tracks} tracks)",
            f"{c.nees_mean:.2f} (95% [{c.lo:.2f}, {c.hi:.2f}])",
        )
        for c in life.classes
    ]
    rows.append(("  NEES dof / unassociated tracks", f"{life.dof} / {life.n_unassociated}"))
    return rows


def _print_scores(
    fmt: Format, title: str, result: Score, life: LifeNees, classes: dict[int, str],
    per_target: bool,
) -> None:  # fmt: skip
    """The scores in ``fmt``: the metrics with per-class rows, or one row per target."""
    from iadsim.cli.score_breakdown import TARGET_KEYS, class_values, target_rows

    if per_target:
        cols = [Col(k, k, ident=k in ("truth_id", "class")) for k in TARGET_KEYS]
        emit(fmt, cols, target_rows(result, classes), title=f"{title}, per target")
    elif fmt is Format.table:
        rows = metric_rows(result) + _class_rows(class_values(result, classes))
        rows += [{"metric": k, "value": v} for k, v in life_nees_rows(life)]
        emit(fmt, METRIC_COLS, rows, title=title)
        print(f"NEES over track life: {life.rule}; cut-off independent.", file=sys.stderr)
    else:
        values = metric_values(result) | class_values(result, classes) | life_nees_values(life)
        emit(fmt, [Col(key, key) for key in values], [values], document=values)


def _class_rows(values: dict[str, float | int]) -> list[dict[str, str]]:
    """Table rows of :func:`class_values`: four per threat class."""
    labels = sorted({k.split("[", 1)[1][:-1] for k in values})
    rows = []
    for c in labels:
        rows += [
            (
                f"{c}: targets tracked / total",
                f"{values[f'tracked[{c}]']} / {values[f'targets[{c}]']}",
            ),
            (f"  {c}: mean continuity", _num(float(values[f"continuity[{c}]"]))),
            (f"  {c}: mean time to track (s)", _num(float(values[f"time_to_track_s[{c}]"]), 1)),
            (f"  {c}: position RMSE (m)", _num(float(values[f"pos_rmse_m[{c}]"]), 1)),
        ]
    return [{"metric": label, "value": text} for label, text in rows]


def _num(value: float, digits: int = 3) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def metric_values(result: Score) -> dict[str, float | int]:
    """The scores as raw numbers, keyed by name (``--format json|csv``)."""
    s, k = result.series, result.continuity
    return {
        "gospa_mean_m": float(s.gospa_mean_m),
        "localisation_mean_pow": float(s.localisation_mean_pow),
        "missed_mean_pow": float(s.missed_mean_pow),
        "false_mean_pow": float(s.false_mean_pow),
        "ospa_mean_m": float(s.ospa_mean_m),
        "n_times_scored": int(s.t_s.size),
        "n_times_dropped": int(result.n_times_dropped),
        "n_truth_tracked": int(k.n_truth_tracked),
        "n_truth": int(k.truth_id.size),
        "n_tracks_scored": int(k.track_id.size),
        "id_switches": int(k.id_switches),
        "fragmentations": int(k.fragmentations),
        "mean_time_to_track_s": float(k.mean_time_to_track_s),
        "mean_purity": float(k.mean_purity),
        "mean_continuity": float(k.mean_continuity),
        "pos_rmse_m": float(result.pos_rmse_m),
        "vel_rmse_mps": float(result.vel_rmse_mps),
    }


def metric_rows(result: Score) -> list[dict[str, str]]:
    """The table rows: ``metric`` (label) and ``value`` (text)."""
    v = metric_values(result)
    rows = [
        ("GOSPA mean (m)", _num(v["gospa_mean_m"])),
        ("  localisation mean (m^p)", _num(v["localisation_mean_pow"])),
        ("  missed mean (m^p)", _num(v["missed_mean_pow"])),
        ("  false mean (m^p)", _num(v["false_mean_pow"])),
        ("OSPA mean (m)", _num(v["ospa_mean_m"])),
        ("times scored / dropped", f"{v['n_times_scored']} / {v['n_times_dropped']}"),
        ("truths tracked / total", f"{v['n_truth_tracked']} / {v['n_truth']}"),
        ("tracks scored", str(v["n_tracks_scored"])),
        ("ID switches", str(v["id_switches"])),
        ("fragmentations", str(v["fragmentations"])),
        ("mean time to track (s)", _num(v["mean_time_to_track_s"])),
        ("mean track purity", _num(v["mean_purity"])),
        ("mean truth continuity", _num(v["mean_continuity"])),
        ("position RMSE (m)", _num(v["pos_rmse_m"])),
        ("velocity RMSE (m/s)", _num(v["vel_rmse_mps"])),
    ]
    return [{"metric": label, "value": text} for label, text in rows]


METRIC_COLS = (Col("metric", "metric", ident=True), Col("value", "value", numeric=True, render=str))


def _read_pair(tracks: Path, truth: Path) -> tuple[Any, Any]:
    """Read both files; arguments given the wrong way round are recognised and named."""
    from iadsim.analysis.trackfiles import read_tracks, read_truth

    try:
        return read_tracks(tracks), read_truth(truth)
    except InputDataError as first:
        try:
            read_tracks(truth), read_truth(tracks)
        except InputDataError:
            raise first from None
        raise InputDataError(
            f"score: the arguments look swapped: {tracks.name} is a truth file and "
            f"{truth.name} a tracks file; give TRACKS first: "
            f"iadsim score {truth} {tracks}"
        ) from first


def score_command(
    tracks: Annotated[Path, typer.Argument(help="Tracks Parquet/CSV file.")],
    truth: Annotated[Path, typer.Argument(help="Truth Parquet/CSV file (or run truth.parquet).")],
    c: Annotated[
        float,
        typer.Option(
            "--c",
            help="GOSPA/OSPA cut-off distance, m (default: surveillance scale, said in the title).",
        ),
    ] = DEFAULT_C_M,
    p: Annotated[float, typer.Option("--p", help="GOSPA/OSPA order p >= 1.")] = 1.0,
    alpha: Annotated[float, typer.Option("--alpha", help="GOSPA alpha in (0, 2].")] = 2.0,
    csv_out: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the per-time series to this CSV file."),
    ] = None,
    all_tracks: Annotated[
        bool, typer.Option("--all-tracks", help="Score all tracks, not only confirmed.")
    ] = False,
    time_match: Annotated[
        str,
        typer.Option(
            "--time-match",
            help="Truth at track times: 'interpolate' (linear, default) or 'nearest'.",
        ),
    ] = "interpolate",
    time_tol: Annotated[
        float,
        typer.Option("--time-tol", help="Snap (interpolate) or matching (nearest) tolerance, s."),
    ] = 1e-6,
    detections: Annotated[
        Path | None,
        typer.Option(
            "--detections",
            help="a run's detections.parquet: continuity over each target's coverage window "
            "(first to last plot). Default: the one beside a run's truth.parquet",
        ),
    ] = None,
    per_target: Annotated[
        bool, typer.Option("--per-target", help="Print the figures per target instead.")
    ] = False,
    fmt: Annotated[Format, format_option()] = Format.table,
) -> None:
    """Score tracks against truth: GOSPA, OSPA, ID switches, RMSE, per threat class.

    Continuity, coverage, ID switches and time to track count each target's coverage
    window (first to last plot) when a run's detections.parquet is given or lies
    beside the truth file; otherwise the target's whole life (said on stderr).
    Nothing is written unless --csv is given.

    Examples:

      iadsim run --quiet --out runs/demo

      iadsim track runs/demo/detections.parquet -o runs/demo/t2.parquet

      iadsim score runs/demo/t2.parquet runs/demo/truth.parquet --c 500

      iadsim score runs/demo/t2.parquet runs/demo/truth.parquet --csv score.csv
    """
    _check_options(c, p, alpha, time_tol)
    if time_match not in ("interpolate", "nearest"):
        msg = f"score: --time-match: must be 'interpolate' or 'nearest' (got {time_match!r})"
        raise InputDataError(msg)
    from iadsim.analysis.metrics import CONFIRMED_STATUSES, score_frames, track_life_nees
    from iadsim.analysis.outputs import check_output_file, writing
    from iadsim.analysis.trackfiles import check_score_size

    for what, given in (("TRACKS", tracks), ("TRUTH", truth)):
        if not given.name:
            raise InputDataError(f"score: {what}: not a file name (got '{given}')")
    if csv_out is not None:
        read = [tracks, truth] + ([detections] if detections is not None else [])
        check_output_file(csv_out, "--csv", read, suffix=".csv")
    track_file, truth_file = _read_pair(tracks, truth)
    for said in track_file.assumed:
        print(said, file=sys.stderr)
    from iadsim.cli.score_breakdown import coverage_for
    from iadsim.cli.score_checks import check_coverage_targets, check_time_overlap

    coverage, detections = coverage_for(truth, detections)
    check_score_size(track_file, truth_file)
    check_coverage_targets(coverage, detections, truth_file)
    check_time_overlap(track_file, truth_file, time_match, time_tol)
    picture, eval_times = track_file.tracks, None
    if track_file.history == "changes":  # a run's change-only rows: every live track per time
        from iadsim.analysis.metrics.held import hold_for_scoring

        picture, eval_times = hold_for_scoring(picture, truth_file.truth.t_s)
    result = score_frames(
        truth_file.truth,
        picture,
        c_m=c,
        p=p,
        alpha=alpha,
        statuses=None if all_tracks else CONFIRMED_STATUSES,
        n_dim=min(track_file.n_dim, truth_file.n_dim),
        time_match="nearest" if time_match == "nearest" else "interpolate",
        time_tol_s=time_tol,
        coverage=coverage,
        eval_times_s=eval_times,
    )
    if len(picture) and len(truth_file.truth) and result.n_pairs == 0:
        print(f"warning: no track of {track_file.file} came within c = {c:g} m of a target of "
              f"{truth_file.file}: are they of the same run?", file=sys.stderr)  # fmt: skip
    if csv_out is not None:
        with writing(csv_out, "no CSV written (the scores are printed below)"):
            write_text_atomic(csv_out, series_csv(result))
    life = track_life_nees(
        truth_file.truth,
        track_file.tracks,  # the tracker's own rows: held rows are not estimates
        n_dim=min(track_file.n_dim, truth_file.n_dim),
        truth_class=truth_file.classes,
        statuses=None if all_tracks else CONFIRMED_STATUSES,
        time_tol_s=time_tol,
    )
    default = " (default)" if c == DEFAULT_C_M else ""
    title = f"Track scoring (c = {c:g} m{default}, p = {p:g}, alpha = {alpha:g})"
    _print_scores(fmt, title, result, life, truth_file.classes, per_target)
    basis = (
        f"each target's coverage window (first to last plot in {detections.name})"
        if detections is not None
        else "each target's whole life (--detections for coverage windows)"
    )
    print(f"continuity, coverage and time to track over {basis}.", file=sys.stderr)
    if csv_out is not None:
        print(f"per-time CSV: {csv_out}", file=sys.stderr)
