"""Width-fitted tables and number formatting (iadsim.cli.output)."""

from __future__ import annotations

import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from iadsim.cli.output import Col, fmt_num, print_table

NOTE = st.characters(min_codepoint=32, max_codepoint=126)
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=30)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.939e-18, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (12345.6, "12346"),
        (217.3, "217"),
        (13.749, "13.7"),
        (0.0968, "0.0968"),
        (0.5, "0.5"),
        (1.0, "1"),
        (2.5e-5, "2.50e-05"),
        (3.2e9, "3.20e+09"),
        (7, "7"),
        (None, "-"),
        (math.nan, "-"),
        (math.inf, "inf"),
    ],
)
def test_numbers_by_magnitude(value: float | None, text: str) -> None:
    assert fmt_num(value) == text


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-1e300, max_value=1e300))
def test_formatted_numbers_are_short_and_close(x: float) -> None:
    text = fmt_num(x)
    assert len(text) <= 10
    if abs(x) >= 1e-9:
        assert float(text) == pytest.approx(x, rel=0.06, abs=0.5)  # 3 digits; >= 100: no decimals


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(min_value=30, max_value=200),
    rows=st.lists(st.tuples(NAME, NAME, st.floats(0, 1e6), st.text(NOTE, max_size=60)),
                  min_size=1, max_size=6),
)  # fmt: skip
def test_identifying_cells_are_never_cut(
    width: int, rows: list[tuple[str, str, float, str]]
) -> None:
    cols = (
        Col("name", "threat", ident=True),
        Col("type", "type", ident=True, stack_under="name"),
        Col("range_m", "1st detection range km", numeric=True),
        Col("note", "a long free-text note column"),
    )
    data = [{"name": a, "type": b, "range_m": r, "note": n} for a, b, r, n in rows]
    buf = io.StringIO()
    con = Console(file=buf, width=width, color_system=None)
    layout = print_table(con, "title", cols, data)
    text = buf.getvalue()
    assert "…" not in text
    for a, b, _, _ in rows:
        assert a in text and b in text
    longest = max(len(x) for r in rows for x in r[:2])
    if longest + 6 <= width:  # a single name wider than the terminal may exceed it
        assert all(len(line) <= width for line in text.splitlines()), layout


def test_layouts_in_order_of_preference() -> None:
    cols = (
        Col("name", "threat", ident=True),
        Col("type", "type", ident=True, stack_under="name"),
        *(Col(f"v{i}", f"value {i}", numeric=True) for i in range(6)),
    )
    row = {"name": "cruise-missiles-12", "type": "cruise-missile-class"} | {
        f"v{i}": 1234.0 for i in range(6)
    }
    layouts = []
    for width in (200, 80, 40):
        con = Console(file=io.StringIO(), width=width, color_system=None)
        layouts.append(print_table(con, None, cols, [row]))
    assert layouts == ["wide", "narrow", "vertical"]


def test_json_and_csv_formats(in_tmp) -> None:  # type: ignore[no-untyped-def]
    from cli_helpers import invoke

    res = invoke("coverage", "s400-class-low-level", "--compare", "--no-plot", "--format", "json")
    rows = json.loads(res.out)
    assert [r["target"] for r in rows][:2] == ["F-35-class frontal", "F-16-class frontal"]
    assert rows[2]["limited_by"] == "horizon" and rows[2]["range_m"] > 1e4
    res = invoke("coverage", "s400-class-low-level", "--no-plot", "--rcs", "1", "--alt-m",
                 "30,10000", "--format", "csv")  # fmt: skip
    lines = res.out.splitlines()
    assert lines[0] == "rcs_m2,alt_m,range_m,limited_by" and len(lines) == 3
    presets = json.loads(invoke("presets", "--format", "json").out)
    assert "s400-vs-mixed-raid" in [p["name"] for p in presets["presets"]]


def test_a_huge_cell_is_clipped_in_tables_only(capsys: pytest.CaptureFixture[str]) -> None:
    """``iadsim query ... "SELECT repeat('x', 1000000)"`` kept rich laying out the table
    for minutes (the SQL time limit does not cover printing): a table shows 2,000
    characters of a cell and says how long it is; CSV keeps it whole."""
    from iadsim.cli.output import MAX_CELL_CHARS, Col, Format, emit

    cols = [Col("s", "s")]
    rows = [{"s": "x" * 1_000_000}]
    assert len(cols[0].text(rows[0]["s"])) <= MAX_CELL_CHARS
    emit(Format.table, cols, rows)
    out = capsys.readouterr().out
    assert "1,000,000 characters" in out and len(out) < 10_000
    emit(Format.csv, cols, rows)
    assert len(capsys.readouterr().out) > 1_000_000
