"""CLI: ``iadsim campaign summarize`` and ``iadsim query``: a campaign's results as
tables (confidence intervals per sweep point; SQL over the result tables).

Registered by :func:`iadsim.cli.campaign.register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from iadsim.cli.options import FORMAT_HELP, require_extra
from iadsim.cli.output import Col, Format, console, emit, fmt_num

__all__ = ["query_cmd", "summarize_cmd"]


def _fmt(value: Any) -> str:
    return "" if value is None else fmt_num(value, 3)


def _print_table(table: Any, fmt: Format, title: str | None = None, max_rows: int = 50) -> None:
    """An Arrow table as a fitted table (first ``max_rows`` rows), JSON or CSV (all rows)."""
    cols = [
        Col(name, name, ident=i == 0 or not _is_numeric(table.schema.field(name).type),
            numeric=_is_numeric(table.schema.field(name).type))
        for i, name in enumerate(table.column_names)
    ]  # fmt: skip
    if fmt is not Format.table:
        emit(fmt, cols, table.to_pylist())
        return
    emit(fmt, cols, table.slice(0, max_rows).to_pylist(), title=title)
    if table.num_rows > max_rows:
        console().print(
            f"... {table.num_rows - max_rows} more row(s); use --format csv or --csv to get all"
        )


def _is_numeric(dtype: Any) -> bool:
    import pyarrow.types as pat

    return bool(pat.is_integer(dtype) or pat.is_floating(dtype))


def _write_csv(table: Any, path: Path) -> None:
    import pyarrow.csv as pacsv

    from iadsim.analysis.outputs import writing

    with writing(path, "the campaign directory is unchanged"):
        pacsv.write_csv(table, path)


def _ci(row: dict[str, Any], key: str) -> str:
    """``value [lo, hi]`` of ``key`` (``p_leak``) or of a mean (``n_leaked_mean``)."""
    base = key.removesuffix("_mean")
    if key not in row:
        return ""
    return f"{_fmt(row[key])} [{_fmt(row[base + '_lo'])}, {_fmt(row[base + '_hi'])}]"


SUMMARY_COLS = (
    Col("point_id", "point", ident=True),
    Col("label", "sweep", ident=True, stack_under="point_id"),
    Col("runs", "runs", numeric=True),
    Col("failures", "failed", numeric=True),
    Col("p_leak", "P(leak) per threat", nowrap=True),
    Col("p_any_leak", "P(any leak)", nowrap=True),
    Col("n_leaked_mean", "leaked / run", nowrap=True),
    Col("interceptors_fired_total_mean", "fired / run", nowrap=True),
)


def summarize_cmd(
    campaign_dir: Path = typer.Argument(..., help="Campaign directory."),
    csv: Path | None = typer.Option(None, "--csv", help="CSV output [CAMPAIGN_DIR/summary.csv]."),
    confidence: float = typer.Option(
        0.95, "--confidence", min=0.5, max=0.9999, help="Confidence level, 0.5 to 0.9999."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Confidence intervals per sweep point of a campaign.

    Means with Student-t CIs, leak probabilities with Wilson CIs.

    Also writes every column to CAMPAIGN_DIR/summary.csv (or --csv).

    Examples:

      iadsim campaign run s400-vs-mixed-raid --runs 4 --seed 1 --out campaigns/demo

      iadsim campaign summarize campaigns/demo

      iadsim campaign summarize campaigns/demo --format json --confidence 0.9
    """
    from iadsim.analysis.campaign.summarize import rows_to_table, summarize_campaign
    from iadsim.analysis.outputs import check_output_file

    csv_path = csv if csv is not None else campaign_dir / "summary.csv"
    if (campaign_dir / "manifest.json").is_file():
        check_output_file(csv_path, "--csv", suffix=".csv")
    rows = summarize_campaign(campaign_dir, confidence=confidence)
    table = rows_to_table(rows)
    _write_csv(table, csv_path)
    if fmt is not Format.table:
        emit(fmt, [Col(n, n) for n in table.column_names], table.to_pylist())
    else:
        pct = f"{100 * confidence:g}%"
        shown = [
            {c.key: (_ci(r, c.key) if c.key in CI_KEYS else r.get(c.key)) for c in SUMMARY_COLS}
            for r in rows
        ]
        emit(fmt, SUMMARY_COLS, shown, title=f"campaign summary (mean [{pct} CI])")
    typer.echo(f"wrote {csv_path}", err=True)


CI_KEYS = ("p_leak", "p_any_leak", "n_leaked_mean", "interceptors_fired_total_mean")


def query_cmd(
    campaign_dir: Path = typer.Argument(..., help="Campaign directory."),
    sql: str = typer.Argument(..., help="SQL over views results, threats, failures."),
    csv: Path | None = typer.Option(None, "--csv", help="Write all rows to this CSV file."),
    max_rows: int = typer.Option(
        50, "--max-rows", min=1, max=10**9, help="Rows to print in table format, >= 1."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP),
    timeout_s: float = typer.Option(
        60.0, "--timeout-s", min=0.1, max=86400.0, help="Stop the query after this many seconds."
    ),
    memory_mib: int = typer.Option(
        2048, "--memory-mib", min=256, max=1024**2, help="Memory the query may use, MiB."
    ),
) -> None:
    """SQL (DuckDB) over a campaign's results, threats and failures.

    The query runs in a separate, sandboxed process: it reads the campaign's own
    files only, and is stopped with a one-line error past --timeout-s or
    --memory-mib.

    Needs the analysis extra: pip install 'iadsim[analysis]'.

    Examples:

      iadsim campaign run s400-vs-mixed-raid --runs 4 --seed 1 --out campaigns/demo

      iadsim query campaigns/demo "SELECT AVG(n_leaked) AS leaked FROM results"

      iadsim query campaigns/demo "SELECT * FROM threats" --format csv
    """
    require_extra("analysis", "iadsim query")
    from iadsim.analysis.campaign.query import run_query
    from iadsim.analysis.outputs import check_output_file

    if csv is not None:
        check_output_file(csv, "--csv", suffix=".csv")
    table = run_query(campaign_dir, sql, timeout_s=timeout_s, memory_mib=memory_mib)
    if csv is not None:
        _write_csv(table, csv)
        typer.echo(f"wrote {table.num_rows} row(s) to {csv}", err=True)
    _print_table(table, fmt, max_rows=max_rows)
