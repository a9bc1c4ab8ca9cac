"""``iadsim coverage RADAR_TYPE``: detection-range table and coverage PNGs of a radar type."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from iadsim.errors import ScenarioError

out = Console()


def _load_catalog() -> tuple[dict[str, Any], dict[str, Any]]:
    """(radar types, RCS tables) of the bundled catalog, as validated pydantic models."""
    from iadsim.scenario.load import load_catalog

    cat = load_catalog()
    return dict(cat.radars), dict(cat.rcs_tables)


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ScenarioError(f"{option}: expected comma-separated numbers (got {text!r})") from exc


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
        str, typer.Option(help="RCS values, m^2, comma-separated")
    ] = "0.001,0.01,0.1,1,5",
    alt_m: Annotated[
        str, typer.Option("--alt-m", help="target heights above the radar ground, m")
    ] = "30,100,1000,10000",
    site: Annotated[
        str | None, typer.Option(help="LAT,LON in degrees: terrain-masked plan view")
    ] = None,
    pd: Annotated[float, typer.Option(help="probability of detection")] = 0.9,
    scans: Annotated[int, typer.Option(help="cumulative scans for Pd")] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="directory for the PNGs")] = Path("."),
    compare: Annotated[
        bool, typer.Option(help="F-35/F-16-class and cruise missile side by side")
    ] = False,
) -> None:
    """Detection range of RADAR_TYPE vs RCS and altitude (4/3 earth), plus PNG diagrams."""
    from iadsim.scenario.schema_sensors import compile_radar
    from iadsim.sensors.coverage import coverage_table
    from iadsim.sensors.coverage_plots import write_plan_view, write_vertical_coverage

    if not 0.0 < pd < 1.0:
        raise ScenarioError(f"--pd: must be in (0, 1) (got {pd})")
    if scans < 1:
        raise ScenarioError(f"--scans: must be >= 1 (got {scans})")
    radars, tables = _load_catalog()
    params = compile_radar(_pick(radar_type, radars, "radar type"), radar_type)
    alts = _floats(alt_m, "--alt-m")
    if compare:
        rows = _compare_rows(params, tables)
        t = Table(title=f"{radar_type} ({params.band_name} band): Pd {pd:g}, {scans} scan(s)")
        for col in ("target", "RCS m²", "alt m", "range km", "limited by"):
            t.add_column(col, justify="left" if col in ("target", "limited by") else "right")
        for label, sigma, alt in rows:
            tab = coverage_table(params, [sigma], [alt], pd, scans)
            t.add_row(
                label,
                f"{sigma:.3g}",
                f"{alt:g}",
                f"{tab.range_m[0, 0] / 1e3:.0f}",
                tab.limit_name(0, 0),
            )
        out.print(t)
        rcs_list = [r[1] for r in rows]
        labels = [f"{r[0]} ({r[1]:.3g} m²)" for r in rows]
    else:
        rcs_list = _floats(rcs, "--rcs")
        labels = None
        tab = coverage_table(params, rcs_list, alts, pd, scans)
        t = Table(
            title=f"{radar_type} ({params.band_name} band): detection range km, Pd {pd:g}, "
            f"{scans} scan(s), 4/3 earth"
        )
        t.add_column("RCS m²", justify="right")
        for a in alts:
            t.add_column(f"{a:g} m", justify="right")
        for i, sigma in enumerate(rcs_list):
            cells = []
            for j in range(len(alts)):
                mark = {"radar": "", "horizon": " h", "instrumented": " i"}[tab.limit_name(i, j)]
                cells.append(f"{tab.range_m[i, j] / 1e3:.0f}{mark}")
            t.add_row(f"{sigma:g}", *cells)
        out.print(t)
        out.print("h = limited by the 4/3-earth horizon, i = by the instrumented range")
    out_dir.mkdir(parents=True, exist_ok=True)
    v = write_vertical_coverage(
        params,
        rcs_list,
        out_dir / f"{radar_type}-vertical.png",
        pd=pd,
        cumulative_scans=scans,
        labels=labels,
    )
    mask, ground = None, 0.0
    if site is not None:
        mask, ground = _site_mask(site, params)
    p = write_plan_view(
        params,
        rcs_list[-1] if compare else max(rcs_list),
        alts,
        out_dir / f"{radar_type}-plan.png",
        pd=pd,
        cumulative_scans=scans,
        mask=mask,
        ground_alt_m=ground,
    )
    out.print(f"wrote {v} and {p}")


def _site_mask(site: str, params: Any) -> tuple[Any, float]:
    from iadsim.sensors.terrain import build_terrain_mask, load_pvlib_dem

    vals = _floats(site, "--site")
    if len(vals) != 2 or not (-90 <= vals[0] <= 90 and -180 <= vals[1] <= 180):
        raise ScenarioError(f"--site: expected LAT,LON in degrees (got {site!r})")
    dem = load_pvlib_dem()
    lat, lon = math.radians(vals[0]), math.radians(vals[1])
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
