"""``iadsim replay-info FILE``: what a recorded-traffic file holds once cleaned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from iadsim.cli.options import format_option
from iadsim.cli.output import Col, Format, emit, fmt_num

if TYPE_CHECKING:
    from iadsim.truth.cleaning import Flights

SUMMARY_COLS = (
    Col("item", "item", ident=True),
    Col("value", "value", numeric=True, render=lambda x: x if isinstance(x, str) else fmt_num(x)),
)
FLIGHT_COLS = (
    Col("name", "flight", ident=True),
    Col("icao24", "icao24", ident=True, stack_under="name"),
    Col("start_s", "start s", numeric=True, render=fmt_num),
    Col("duration_s", "duration s", numeric=True, render=fmt_num),
    Col("reports", "reports", numeric=True),
    Col("alt_min_m", "alt min m", numeric=True, render=fmt_num),
    Col("alt_max_m", "alt max m", numeric=True, render=fmt_num),
)


def parse_units(items: list[str] | None) -> dict[str, str]:
    """``["altitude=ft", "groundspeed=kt"]`` -> a dict (one-line error if malformed)."""
    from iadsim.errors import InputDataError

    out: dict[str, str] = {}
    for item in items or []:
        col, sep, unit = item.partition("=")
        if not sep or not col.strip() or not unit.strip():
            raise InputDataError(f"--units: expected COLUMN=UNIT, e.g. altitude=ft (got {item!r})")
        out[col.strip()] = unit.strip()
    return out


def _range(a: Any) -> list[float]:
    import numpy as np

    ok = a[np.isfinite(a)]
    return [float(ok.min()), float(ok.max())] if ok.size else [float("nan")] * 2


def recording_summary(flights: Flights) -> dict[str, Any]:
    """Figures of a cleaned recording (JSON-able); times in s from its first report."""
    import numpy as np

    c = flights.counts
    t0 = float(flights.t_s.min()) if flights.t_s.size else float("nan")
    a, b = flights.start[:-1], flights.start[1:] - 1
    names = [cs or ic for cs, ic in zip(flights.callsign, flights.icao24, strict=True)]
    per_flight = [
        {
            "name": names[i],
            "icao24": flights.icao24[i],
            "start_s": float(flights.t_s[a[i]] - t0),
            "duration_s": float(flights.t_s[b[i]] - flights.t_s[a[i]]),
            "reports": int(b[i] - a[i] + 1),
            "alt_min_m": float(flights.alt_m[a[i] : b[i] + 1].min()),
            "alt_max_m": float(flights.alt_m[a[i] : b[i] + 1].max()),
        }
        for i in range(flights.n_flights)
    ]
    from iadsim.truth.replay import velocity_disagreement_mps

    gs = flights.groundspeed_mps
    vel_err = {
        "reported": velocity_disagreement_mps(flights, fuse_velocity=False),
        "fused": velocity_disagreement_mps(flights, fuse_velocity=True),
    }
    return {
        "file": flights.file,
        "flights": flights.n_flights,
        "aircraft": len(set(flights.icao24)),
        "start_utc_s": t0,
        "span_s": float(np.ptp(flights.t_s)) if flights.t_s.size else 0.0,
        "cleaning": dict(vars(c)),
        "lat_deg": _range(flights.lat_deg),
        "lon_deg": _range(flights.lon_deg),
        "alt_m": _range(flights.alt_m),
        "groundspeed_mps": _range(gs),
        "velocity_vs_recorded_rms_mps": vel_err,
        "per_flight": per_flight,
    }


def _rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    c, v = doc["cleaning"], doc["velocity_vs_recorded_rms_mps"]

    def rng(key: str) -> str:
        lo, hi = doc[key]
        return f"{fmt_num(lo)} to {fmt_num(hi)}"

    return [
        {"item": "flights (aircraft)", "value": f"{doc['flights']} ({doc['aircraft']})"},
        {"item": "time span, s", "value": doc["span_s"]},
        {"item": "reports kept / read", "value": f"{c['reports_kept']} / {c['reports_read']}"},
        {"item": "incomplete removed", "value": c["incomplete"]},
        {"item": "duplicates removed", "value": c["duplicates"]},
        {"item": "frozen positions removed", "value": c["frozen"]},
        {"item": "outliers removed", "value": c["outliers"]},
        {
            "item": "absurd alt / speed removed",
            "value": f"{c['absurd_altitude']} / {c['absurd_speed']}",
        },
        {"item": "splits at gaps / jumps", "value": f"{c['gap_splits']} / {c['jump_splits']}"},
        {"item": "one-report flights dropped", "value": c["short_flights"]},
        {"item": "latitude, deg", "value": rng("lat_deg")},
        {"item": "longitude, deg", "value": rng("lon_deg")},
        {"item": "altitude, m", "value": rng("alt_m")},
        {"item": "ground speed, m/s", "value": rng("groundspeed_mps")},
        {
            "item": "velocity vs recorded, rms m/s: raw / fused",
            "value": f"{fmt_num(v['reported'])} / {fmt_num(v['fused'])}",
        },
    ]


def replay_info_command(
    file: Annotated[str, typer.Argument(help="CSV or Parquet recording, or iadsim:<name>")],
    units: Annotated[
        list[str] | None,
        typer.Option("--units", help="declare a column's unit, COLUMN=UNIT (repeatable)"),
    ] = None,
    max_gap_s: Annotated[
        float, typer.Option("--max-gap-s", min=0.001, help="split a flight at longer gaps, s")
    ] = 30.0,
    flights: Annotated[bool, typer.Option("--flights", help="also list every flight")] = False,
    fmt: Annotated[Format, format_option()] = Format.table,
) -> None:
    """Summarize a recorded-traffic file (ADS-B layout) as motion kind replay reads it.

    Units: altitude ft|m, groundspeed kt|mps, vertical_rate ft/min|mps, numeric
    timestamp s|ms, from --units or the file's Parquet metadata.

    Examples:

      iadsim replay-info iadsim:paris-cdg-20min.parquet

      iadsim replay-info iadsim:paris-cdg-20min.parquet --units altitude=ft --max-gap-s 60

      iadsim replay-info iadsim:paris-cdg-20min.parquet --flights --format csv

    A CSV file declares its units on the command line, e.g.
    ``iadsim replay-info adsb.csv --units altitude=ft --units timestamp=s``.
    """
    from iadsim.scenario.schema_truth import recording_path
    from iadsim.truth.cleaning import CleaningOptions, clean_reports
    from iadsim.truth.recording import read_reports

    raw = read_reports(recording_path(file), units=parse_units(units))
    doc = recording_summary(clean_reports(raw, CleaningOptions(max_gap_s=max_gap_s)))
    if flights and fmt is not Format.json:
        emit(fmt, FLIGHT_COLS, doc["per_flight"], title=f"{file}: flights")
        return
    if not flights:
        doc.pop("per_flight")
    emit(fmt, SUMMARY_COLS, _rows(doc), title=f"{file}: recording", document=doc)


def register(app: typer.Typer) -> None:
    """Add the ``replay-info`` command to ``app``."""
    app.command("replay-info")(replay_info_command)
