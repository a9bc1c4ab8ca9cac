"""``iadsim coverage RADAR_TYPE``: detection-range table and coverage PNGs of a radar type."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.options import format_option
from iadsim.cli.output import Col, Format, console, emit, fmt_num
from iadsim.errors import ScenarioError

#: Largest accepted RCS (m^2) and target height (m) of the command line.
MAX_RCS_M2 = 1e6
MAX_ALT_M = 100_000.0


def _load_catalog() -> tuple[dict[str, Any], dict[str, Any]]:
    """(radar types, RCS tables) of the bundled catalog, as validated pydantic models."""
    from iadsim.scenario.load import load_catalog

    cat = load_catalog()
    return dict(cat.radars), dict(cat.rcs_tables)


def _floats(
    text: str, option: str, lo: float = -math.inf, hi: float = math.inf, *, positive: bool = False
) -> list[float]:
    """Comma-separated finite numbers in ``[lo, hi]`` (and ``> 0`` if ``positive``)."""
    try:
        vals = [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ScenarioError(f"{option}: expected comma-separated numbers (got {text!r})") from exc
    if not vals:
        raise ScenarioError(f"{option}: expected at least one number (got {text!r})")
    for v in vals:
        if not (math.isfinite(v) and lo <= v <= hi and (v > 0 or not positive)):
            low = "> 0" if positive else f">= {lo:g}"
            raise ScenarioError(f"{option}: each value must be {low} and <= {hi:g} (got {v:g})")
    return vals


def _site(site: str | None) -> tuple[float, float] | None:
    """``LAT,LON`` in degrees, checked before anything is computed or written."""
    if site is None:
        return None
    vals = _floats(site, "--site")
    if len(vals) != 2 or not (-90 <= vals[0] <= 90 and -180 <= vals[1] <= 180):
        raise ScenarioError(
            f"--site: expected LAT,LON in degrees, lat in [-90, 90], lon in [-180, 180] "
            f"(got {site!r})"
        )
    return vals[0], vals[1]


def _pick(name: str, known: dict[str, Any], what: str) -> Any:
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
        raise ScenarioError(f"{what} {name!r} is unknown{hint}")
    return known[name]


def _compare_rows(params: Any, tables: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(label, rcs_m2, alt_m) of the --compare targets: nose-on RCS at the radar's band."""
    from iadsim.scenario.schema_sensors import compile_rcs_table

    rows = []
    for label, table, alt in (
        ("F-35-class frontal", "stealth-fighter", 10_000.0),
        ("F-16-class frontal", "fighter-small", 10_000.0),
        ("cruise missile @30 m", "cruise-missile", 30.0),
    ):
        tab = compile_rcs_table(_pick(table, tables, "RCS table"), table)
        rows.append((label, float(tab.rcs_m2(0.0, 0.0, params.band)), alt))
    return rows


def coverage_command(
    radar_type: Annotated[str, typer.Argument(help="radar type name from the catalog")],
    rcs: Annotated[
        str, typer.Option(help="RCS values, m^2, comma-separated, each > 0")
    ] = "0.001,0.01,0.1,1,5",
    alt_m: Annotated[
        str, typer.Option("--alt-m", help="target heights above the radar ground, m, 0 to 100000")
    ] = "30,100,1000,10000",
    site: Annotated[
        str | None, typer.Option(help="LAT,LON in degrees: terrain-masked plan view")
    ] = None,
    pd: Annotated[
        float, typer.Option(help="probability of detection, in (0, 1)", min=1e-9, max=1 - 1e-9)
    ] = 0.9,
    scans: Annotated[
        int, typer.Option(help="cumulative scans for Pd, 1 to 1000", min=1, max=1000)
    ] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="directory for the PNGs")] = Path("."),
    compare: Annotated[
        bool, typer.Option(help="F-35/F-16-class and cruise missile side by side")
    ] = False,
    plot: Annotated[
        bool, typer.Option("--plot/--no-plot", help="write the PNG diagrams (needs matplotlib)")
    ] = True,
    fmt: Annotated[Format, format_option()] = Format.table,
) -> None:
    """Detection range vs RCS and altitude (4/3 earth), coverage diagrams.

    Writes RADAR_TYPE-vertical.png and RADAR_TYPE-plan.png into --out (unless --no-plot).

    Examples:

      iadsim coverage s400-class-surveillance --no-plot

      iadsim coverage s400-class-low-level --rcs 0.1,1 --alt-m 30,1000 --out plots

      iadsim coverage vhf-counter-stealth-class --compare --no-plot --format json
    """
    from iadsim.cli.options import require_extra
    from iadsim.scenario.schema_sensors import compile_radar
    from iadsim.sensors.coverage import coverage_table

    if not 0.0 < pd < 1.0:
        raise ScenarioError(f"--pd: must be in (0, 1) (got {pd})")
    latlon = _site(site)
    alts = _floats(alt_m, "--alt-m", 0.0, MAX_ALT_M) if not compare else []
    rcs_given = _floats(rcs, "--rcs", 0.0, MAX_RCS_M2, positive=True)
    if plot:
        require_extra("plots", "coverage diagrams", hint=" (or --no-plot for the table only)")
    radars, tables = _load_catalog()
    params = compile_radar(_pick(radar_type, radars, "radar type"), radar_type)
    if pd <= params.pfa:
        raise ScenarioError(f"--pd: must exceed {radar_type}'s pfa ({params.pfa:g}) (got {pd:g})")
    if compare:
        rows3 = _compare_rows(params, tables)
        _compare_table(params, rows3, radar_type, pd, scans, fmt)
        rcs_list = [r[1] for r in rows3]
        labels: list[str] | None = [f"{r[0]} ({r[1]:.3g} m²)" for r in rows3]
        plan_rcs, alts = rcs_list[-1], [30.0, 100.0, 1000.0, 10000.0]
    else:
        tab = coverage_table(params, rcs_given, alts, pd, scans)
        _range_table(params, tab, radar_type, pd, scans, fmt)
        rcs_list, labels, plan_rcs = rcs_given, None, max(rcs_given)
    if not plot:
        return
    _write_pngs(params, rcs_list, labels, plan_rcs, alts, latlon, out_dir, radar_type, pd, scans)


def _compare_table(
    params: Any,
    rows3: list[tuple[str, float, float]],
    radar_type: str,
    pd: float,
    scans: int,
    fmt: Format,
) -> list[dict[str, Any]]:
    from iadsim.sensors.coverage import coverage_table

    rows = []
    for label, sigma, alt in rows3:
        tab = coverage_table(params, [sigma], [alt], pd, scans)
        rows.append(
            {"target": label, "rcs_m2": sigma, "alt_m": alt, "range_m": float(tab.range_m[0, 0]),
             "limited_by": tab.limit_name(0, 0)}
        )  # fmt: skip
    cols = (
        Col("target", "target", ident=True),
        Col("rcs_m2", "RCS m²", numeric=True),
        Col("alt_m", "alt m", numeric=True),
        Col("range_m", "range km", numeric=True, render=lambda v: f"{v / 1e3:.0f}"),
        Col("limited_by", "limited by"),
    )
    title = f"{radar_type} ({params.band_name} band): Pd {pd:g}, {scans} scan(s)"
    emit(fmt, cols, rows, title=title)
    return rows


def _range_table(
    params: Any, tab: Any, radar_type: str, pd: float, scans: int, fmt: Format
) -> list[dict[str, Any]]:
    rows = [
        {"rcs_m2": float(sigma), "alt_m": float(a), "range_m": float(tab.range_m[i, j]),
         "limited_by": tab.limit_name(i, j)}
        for i, sigma in enumerate(tab.rcs_m2) for j, a in enumerate(tab.alt_m)
    ]  # fmt: skip
    if fmt is not Format.table:
        cols = [Col(k, k) for k in ("rcs_m2", "alt_m", "range_m", "limited_by")]
        emit(fmt, cols, rows)
        return rows
    mark = {"radar": "", "horizon": " h", "instrumented": " i", "elevation": " e", "above": ""}
    wide = []
    for i, sigma in enumerate(tab.rcs_m2):
        row: dict[str, Any] = {"rcs": fmt_num(float(sigma))}
        for j in range(tab.alt_m.size):
            r_km = tab.range_m[i, j] / 1e3
            cell = f"{r_km:.0f}" if math.isfinite(r_km) else "- a"  # (never inside the beams)
            row[f"a{j}"] = f"{cell}{mark[tab.limit_name(i, j)]}"
        wide.append(row)
    cols = [Col("rcs", "RCS m²", ident=True, numeric=True)] + [
        Col(f"a{j}", f"{a:g} m", numeric=True, render=str) for j, a in enumerate(tab.alt_m)
    ]
    con = console()
    title = (
        f"{radar_type} ({params.band_name} band): detection range km, Pd {pd:g}, "
        f"{scans} scan(s), 4/3 earth"
    )
    emit(fmt, cols, wide, title=title, con=con)
    con.print(
        "h = limited by the 4/3-earth horizon, i = by the instrumented range, "
        "e = below the lowest elevation, - a = not detected: above the highest elevation "
        "wherever it is detectable",
        soft_wrap=False,
    )
    return rows


def _write_pngs(
    params: Any, rcs_list: list[float], labels: list[str] | None, plan_rcs: float,
    alts: list[float], latlon: tuple[float, float] | None, out_dir: Path, radar_type: str,
    pd: float, scans: int,
) -> None:  # fmt: skip
    from iadsim.sensors.coverage_plots import write_plan_view, write_vertical_coverage

    mask, ground = (None, 0.0) if latlon is None else _site_mask(latlon, params)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ScenarioError(f"--out {out_dir}: cannot create ({err.strerror or err})") from err
    v = write_vertical_coverage(
        params, rcs_list, out_dir / f"{radar_type}-vertical.png", pd=pd, cumulative_scans=scans,
        labels=labels,
    )  # fmt: skip
    p = write_plan_view(
        params, plan_rcs, alts, out_dir / f"{radar_type}-plan.png", pd=pd, cumulative_scans=scans,
        mask=mask, ground_alt_m=ground,
    )  # fmt: skip
    console(stderr=True).print(f"wrote {v} and {p}", soft_wrap=True, highlight=False)


def _site_mask(latlon: tuple[float, float], params: Any) -> tuple[Any, float]:
    from iadsim.sensors.terrain import build_terrain_mask, load_pvlib_dem

    dem = load_pvlib_dem()
    lat, lon = math.radians(latlon[0]), math.radians(latlon[1])
    ground = float(dem.elevation_at(lat, lon))
    mask = build_terrain_mask(
        dem,
        lat_rad=lat,
        lon_rad=lon,
        antenna_alt_m=ground + params.antenna_height_m,
        max_range_m=params.instrumented_range_m,
        n_az=360,
        range_step_m=2000.0,
    )
    return mask, ground


def register(app: typer.Typer) -> None:
    """Add the ``coverage`` command to ``app``."""
    app.command("coverage")(coverage_command)
