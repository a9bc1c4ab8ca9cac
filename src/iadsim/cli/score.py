"""``iadsim score``: score a tracks file against a truth file (GOSPA, OSPA, continuity).

Thin layer: read and validate the files (:mod:`iadsim.analysis.trackfiles`),
score them (:func:`iadsim.analysis.metrics.score_frames`), print a rich table
and write the per-time CSV atomically (temporary file + ``os.replace``; nothing
is written on error).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # metrics pull in scipy.stats (0.6 s): imported when the command runs
    from iadsim.analysis.metrics import Score
from iadsim.errors import InputDataError
from iadsim.files import write_text_atomic

__all__ = ["CSV_COLUMNS", "register", "score_command", "write_text_atomic"]

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
    )
    for flag, value, ok, what in checks:
        if not ok:
            raise InputDataError(f"score: {flag}: {what} (got {value})")


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def _nees_text(result: Score) -> str:
    if not math.isfinite(result.pos_nees_mean):
        return "n/a"
    from iadsim.analysis.metrics import chi2_bounds

    lo, hi = chi2_bounds(result.n_dim, result.n_pairs, 0.95)
    return f"{result.pos_nees_mean:.2f} (95% [{lo:.2f}, {hi:.2f}])"


def _table(result: Score, c: float, p: float, alpha: float) -> Table:
    s, k = result.series, result.continuity
    table = Table(title=f"Track scoring (c = {c:g} m, p = {p:g}, alpha = {alpha:g})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("GOSPA mean (m)", _fmt(s.gospa_mean_m)),
        ("  localisation mean (m^p)", _fmt(s.localisation_mean_pow)),
        ("  missed mean (m^p)", _fmt(s.missed_mean_pow)),
        ("  false mean (m^p)", _fmt(s.false_mean_pow)),
        ("OSPA mean (m)", _fmt(s.ospa_mean_m)),
        ("times scored / dropped", f"{s.t_s.size} / {result.n_times_dropped}"),
        ("truths tracked / total", f"{k.n_truth_tracked} / {k.truth_id.size}"),
        ("tracks scored", str(k.track_id.size)),
        ("ID switches", str(k.id_switches)),
        ("fragmentations", str(k.fragmentations)),
        ("mean time to track (s)", _fmt(k.mean_time_to_track_s)),
        ("mean track purity", _fmt(k.mean_purity)),
        ("mean truth continuity", _fmt(k.mean_continuity)),
        ("position RMSE (m)", _fmt(result.pos_rmse_m)),
        ("velocity RMSE (m/s)", _fmt(result.vel_rmse_mps)),
        ("mean position NEES (diag. cov.)", _nees_text(result)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def score_command(
    tracks: Annotated[Path, typer.Argument(help="Tracks Parquet/CSV file.")],
    truth: Annotated[Path, typer.Argument(help="Truth Parquet/CSV file (or run truth.parquet).")],
    c: Annotated[float, typer.Option("--c", help="GOSPA/OSPA cut-off distance, m.")] = 50.0,
    p: Annotated[float, typer.Option("--p", help="GOSPA/OSPA order p >= 1.")] = 1.0,
    alpha: Annotated[float, typer.Option("--alpha", help="GOSPA alpha in (0, 2].")] = 2.0,
    csv_out: Annotated[
        Path | None,
        typer.Option("--csv", help="Per-time CSV (default <tracks stem>.score.csv)."),
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
) -> None:
    """Score TRACKS against TRUTH: GOSPA, OSPA, ID switches, fragmentation, RMSE."""
    _check_options(c, p, alpha, time_tol)
    if time_match not in ("interpolate", "nearest"):
        msg = f"score: --time-match: must be 'interpolate' or 'nearest' (got {time_match!r})"
        raise InputDataError(msg)
    from iadsim.analysis.metrics import CONFIRMED_STATUSES, score_frames
    from iadsim.analysis.outputs import check_output_file, writing
    from iadsim.analysis.trackfiles import check_score_size, read_tracks, read_truth

    for what, given in (("TRACKS", tracks), ("TRUTH", truth)):
        if not given.name:
            raise InputDataError(f"score: {what}: not a file name (got '{given}')")
    out = csv_out if csv_out is not None else tracks.with_name(f"{tracks.stem}.score.csv")
    check_output_file(out, "--csv")
    track_file = read_tracks(tracks)
    truth_file = read_truth(truth)
    check_score_size(track_file, truth_file)
    picture = track_file.tracks
    if track_file.history == "changes":  # a run's change-only rows: every live track per time
        from iadsim.analysis.metrics.held import hold_track_changes

        picture = hold_track_changes(picture)
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
    )
    if len(track_file.tracks) and result.series.t_s.size == 0:
        how = (
            f"within {time_tol:g} s of a truth time"
            if time_match == "nearest"
            else "inside the truth time span"
        )
        raise InputDataError(
            f"{track_file.file}: column 'time': no track time {how} in {truth_file.file}"
        )
    with writing(out, "no CSV written (the scores are printed below)"):
        write_text_atomic(out, series_csv(result))
    console = Console()
    console.print(_table(result, c, p, alpha))
    console.print(f"per-time CSV: {out}", soft_wrap=True)
