"""Printing results: width-adaptive tables, ``--format json|csv``, numbers by magnitude.

Every command that prints results describes them as columns (:class:`Col`) and
rows (dicts of raw values) and calls :func:`emit`. In ``table`` format the table
adapts to the console width without ever cutting an identifying cell (names,
types): it is drawn at full width when it fits; otherwise secondary identifying
columns are stacked under their primary column (``name`` over ``type``) and long
headers are abbreviated with a legend; if it still does not fit, each row is
printed as a block of ``header: value`` lines (vertical layout). ``json`` prints
the raw rows (or a command's own document), ``csv`` the raw rows with a header.

Only ``rich`` is used here, imported when something is printed: ``iadsim --help``
and the error paths must not pay for it or for the stack.
"""

from __future__ import annotations

import csv
import enum
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when something is printed (start-up time)
    from rich.console import Console
    from rich.table import Table

__all__ = ["Col", "Format", "console", "emit", "escape", "fmt_num", "table_width"]

#: Width of piped output (logs, CI) when ``COLUMNS`` is not set.
PIPE_WIDTH = 120


class Format(enum.StrEnum):
    """Output format of the commands that print results (``--format``)."""

    table = "table"
    json = "json"
    csv = "csv"


def escape(text: str) -> str:
    """``text`` with rich markup escaped (printed as is)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def console(stderr: bool = False) -> Console:
    """A console of the terminal's width, ``COLUMNS`` if set, else 120 for a pipe."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    width = None if (tty or os.environ.get("COLUMNS")) else PIPE_WIDTH
    return Console(width=width, stderr=stderr, soft_wrap=False)


def fmt_num(x: Any, digits: int = 3) -> str:
    """A number for a human: integers as they are, floats by magnitude.

    ``None``/NaN -> ``-``; ``|x| < 1e-9`` -> ``0``; ``|x| >= 100`` -> no decimals;
    otherwise ``digits`` significant figures without exponent down to 1e-4, then
    ``1.2e-05``. A confidence bound of ``6.939e-18`` therefore prints as ``0``.
    """
    if x is None:
        return "-"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    a = abs(v)
    if a < 1e-9:
        return "0"
    if a >= 1e7:
        return f"{v:.{digits - 1}e}"
    if a >= 10 ** (digits - 1):
        return f"{v:.0f}"
    if a < 1e-4:
        return f"{v:.{digits - 1}e}"
    decimals = digits - 1 - math.floor(math.log10(a))
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Col:
    r"""One printed column.

    Parameters
    ----------
    key : str
        Key of the raw value in each row dict (also the JSON/CSV field name).
    header : str
        Table header (may contain ``\\n``).
    ident : bool
        Identifying column: never truncated (kept on one line).
    nowrap : bool
        Kept on one line like an identifying column (e.g. ``0.5 [0.15, 0.85]``), but
        listed under the row's heading in the vertical layout.
    numeric : bool
        Right-justified; values formatted with :func:`fmt_num`.
    stack_under : str or None
        Key of an identifying column under which this one is stacked when narrow.
    short : str or None
        Abbreviated header used when narrow, explained by ``legend`` below the table.
    legend : str or None
        Legend line of the abbreviated header (default ``short = header``).
    render : callable or None
        Raw value -> table text (default: :func:`fmt_num` or ``str``).
    """

    key: str
    header: str
    ident: bool = False
    nowrap: bool = False
    numeric: bool = False
    stack_under: str | None = None
    short: str | None = None
    legend: str | None = None
    render: Callable[[Any], str] | None = None

    def text(self, value: Any) -> str:
        """The table text of a raw value (at most :data:`MAX_CELL_CHARS` characters: a
        query's megabyte cell kept rich laying out the table for minutes; json and csv
        print it whole)."""
        if self.render is not None:
            return _clipped(self.render(value))
        if value is None or value == "":
            return "-" if self.numeric else ""
        text = fmt_num(value) if self.numeric or isinstance(value, float) else str(value)
        return _clipped(text)


#: Longest cell text a table shows (the rest is cut, with its length said; a preset's
#: description is a few hundred characters).
MAX_CELL_CHARS = 2_000


def _clipped(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    tail = f"... ({len(text):,} characters; -f csv for all)"
    return text[: MAX_CELL_CHARS - len(tail)] + tail


def _need(header: str, cells: Sequence[str], ident: bool) -> int:
    """Minimum width of a column: its longest cell line, header word (or line if ident)."""
    if ident:  # identifying text stays on its lines
        parts = header.split("\n") + [ln for c in cells for ln in c.split("\n")]
    else:  # other text may wrap between words
        parts = header.split() + [w for c in cells for w in c.split()]
    return max([len(p) for p in parts] + [1])


def table_width(widths: Sequence[int]) -> int:
    """Width of a rich table (heavy box, padding 1) with these column widths."""
    return 1 + sum(w + 3 for w in widths)


def _layout(
    cols: Sequence[Col], rows: Sequence[dict[str, Any]], narrow: bool
) -> tuple[list[str], list[list[str]], list[bool], list[bool], list[str]]:
    """(headers, cell rows, ident flags, numeric flags, legend) of the wide or narrow form."""
    stacked = {c.key: c for c in cols if narrow and c.stack_under}
    under: dict[str, list[Col]] = {}
    for c in stacked.values():
        under.setdefault(str(c.stack_under), []).append(c)
    headers, idents, nums, legend = [], [], [], []
    keep = [c for c in cols if c.key not in stacked]
    for c in keep:
        head = c.short if (narrow and c.short) else c.header
        if narrow and c.short:
            legend.append(c.legend or f"{c.short} = {' '.join(c.header.split())}")
        headers.append("\n".join([head, *(s.header for s in under.get(c.key, []))]))
        idents.append(c.ident or c.nowrap)
        nums.append(c.numeric)
    body = []
    for r in rows:
        body.append(
            [
                "\n".join(
                    [c.text(r.get(c.key)), *(s.text(r.get(s.key)) for s in under.get(c.key, []))]
                )
                for c in keep
            ]
        )
    return headers, body, idents, nums, legend


def _grow(widths: list[int], headers: list[str], body: list[list[str]], width: int) -> None:
    """Widen columns in place toward their longest header or cell line, smallest
    shortfall first, while the table still fits ``width`` (fewer wrapped lines)."""
    want = [
        max(len(ln) for ln in headers[i].split("\n") + [c for r in body for c in r[i].split("\n")])
        for i in range(len(widths))
    ]
    for i in sorted(range(len(widths)), key=lambda i: want[i] - widths[i]):
        spare = width - table_width(widths)
        widths[i] = max(widths[i], min(want[i], widths[i] + max(spare, 0)))


def _rich_table(
    title: str | None,
    headers: list[str],
    body: list[list[str]],
    idents: list[bool],
    nums: list[bool],
    widths: list[int],
) -> Table:
    from rich.table import Table

    t = Table(title=None)
    for h, ident, num, w in zip(headers, idents, nums, widths, strict=True):
        t.add_column(
            escape(h), justify="right" if num else "left", width=w, no_wrap=ident, overflow="fold"
        )
    for cells in body:
        t.add_row(*(escape(c) for c in cells))
    return t


def _vertical(
    con: Console, title: str | None, cols: Sequence[Col], rows: Sequence[dict[str, Any]]
) -> None:
    """One block per row: identifying values on their own line, then ``header: value``."""
    if title:
        con.print(escape(title), style="italic", soft_wrap=False)
    idents = [c for c in cols if c.ident]
    others = [c for c in cols if not c.ident]
    label_w = max([len(" ".join(c.header.split())) for c in others] + [1])
    for r in rows:
        names = [c.text(r.get(c.key)) for c in idents]
        joined = "  ".join(names)
        for line in [joined] if len(joined) <= con.width else names:  # never cut a name
            con.print(escape(line), style="bold", soft_wrap=True)
        for c in others:
            head = " ".join(c.header.split())
            con.print(
                f"  {escape(head):<{label_w}}  {escape(c.text(r.get(c.key)))}", soft_wrap=False
            )


def print_table(
    con: Console, title: str | None, cols: Sequence[Col], rows: Sequence[dict[str, Any]]
) -> str:
    """Print ``rows`` as a table fitted to ``con.width``; returns the layout used.

    Layouts, in order of preference: ``wide`` (every column side by side), ``narrow``
    (secondary identifying columns stacked, long headers abbreviated with a legend),
    ``vertical`` (one block per row).
    """
    for narrow in (False, True):
        headers, body, idents, nums, legend = _layout(cols, rows, narrow)
        widths = [
            _need(h, [row[i] for row in body], ident)
            for i, (h, ident) in enumerate(zip(headers, idents, strict=True))
        ]
        if table_width(widths) <= con.width:
            _grow(widths, headers, body, con.width)
            if title:
                con.print(escape(title), style="italic", soft_wrap=False)
            con.print(_rich_table(title, headers, body, idents, nums, widths))
            for line in legend:
                con.print(escape(line), soft_wrap=True)
            return "narrow" if narrow else "wide"
    _vertical(con, title, cols, rows)
    return "vertical"


def _plain(value: Any) -> Any:
    """A JSON-safe value (NaN/inf -> None, numpy scalars -> Python), recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalar
        return _plain(value.item())
    return value


def emit(
    fmt: Format,
    cols: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    con: Console | None = None,
    document: Any = None,
) -> None:
    """Print rows in ``fmt``: a fitted table, JSON (``document`` if given, else the rows) or CSV."""
    if fmt is Format.json:
        data = (
            document
            if document is not None
            else [{c.key: r.get(c.key) for c in cols} for r in rows]
        )
        sys.stdout.write(json.dumps(_plain(data), indent=2, default=str, allow_nan=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in cols])
        for r in rows:
            writer.writerow(
                ["" if _plain(r.get(c.key)) is None else _plain(r.get(c.key)) for c in cols]
            )
    else:
        print_table(con if con is not None else console(), title, cols, rows)
