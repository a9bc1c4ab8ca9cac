"""Plain-dict plotly figures: compact, JSON-safe arrays and shared styling.

Figures are built as plain dicts (plotly.js's JSON schema) rather than
``plotly.graph_objects``: validation of thousands of points per trace would cost
more than the whole report, and the page needs only the JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

Fig = dict[str, Any]

#: One colour per category (Okabe-Ito, colour-blind safe), reused across figures.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
OUTCOME_COLOURS: dict[str, str] = {
    "kill": "#009E73",
    "killed": "#009E73",
    "miss": "#E69F00",
    "aborted": "#7F7F7F",
    "in_flight_at_end": "#56B4E9",
    "leak": "#D55E00",
    "leaked": "#D55E00",
    "survived": "#CC79A7",
}
FONT = {"family": "DejaVu Sans, Arial, sans-serif", "size": 12}
#: The matplotlib marker of each plotly marker symbol the report draws, for the PNG and
#: SVG figures (:mod:`.png`); a symbol's ``-open`` variant is the same marker unfilled.
#: One table for both renderings: the PNG timeline drew "leaked" as a circle.
MPL_MARKERS: dict[str, str | tuple[int, int, int]] = {
    "circle": "o",
    "square": "s",
    "diamond": "D",
    "triangle-up": "^",
    "hexagon": "h",
    "star": "*",
    "star-triangle-up": (3, 1, 0),  # (sides, star style, angle): a three-pointed star
    "star-diamond": (4, 1, 0),
    "x": "X",
    "x-thin": "x",
    "cross": "P",
    "cross-thin": "+",
    "circle-x": "$\\otimes$",
    "line-ns": "|",
    "y-down": "1",
}


def mpl_marker(symbol: str) -> tuple[str | tuple[int, int, int], bool]:
    """The matplotlib marker of the plotly marker ``symbol`` (:data:`MPL_MARKERS`) and
    whether plotly fills it (not an ``-open`` variant)."""
    base = symbol.removesuffix("-open")
    if base not in MPL_MARKERS:
        raise ValueError(f"marker symbol {symbol!r}: not in MPL_MARKERS (no PNG marker)")
    return MPL_MARKERS[base], base == symbol


def arr(x: ArrayLike, digits: int = 3) -> list[float | None]:
    """A float array as a JSON list rounded to ``digits``; NaN/inf become null (gaps)."""
    a = np.round(np.asarray(x, dtype=np.float64), digits)
    return [None if not math.isfinite(v) else v for v in a.tolist()]


def with_gaps(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate 1-D pieces with a NaN between them (one trace of separate lines)."""
    if not parts:
        return np.empty(0)
    out: list[np.ndarray] = []
    for p in parts:
        out += [np.asarray(p, dtype=np.float64), np.array([np.nan])]
    return np.concatenate(out[:-1])


#: Pixels the figure titles sit below the top edge: the plotly toolbar's row.
TITLE_DROP_PX = 32


def base_layout(title: str, x_title: str, y_title: str, **extra: Any) -> Fig:
    """Layout with the report's fonts, margins and axis titles (units in every title)."""
    layout: Fig = {
        # the title below the toolbar's row (a long one ran under its icons)
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": TITLE_DROP_PX},
        },
        "font": FONT,
        "margin": {"l": 70, "r": 20, "t": 50 + TITLE_DROP_PX, "b": 55},
        "xaxis": {"title": {"text": x_title}, "zeroline": False},
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "legend": {"orientation": "v"},
        "template": None,
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def whole_dtick(span: float, max_ticks: int = 10) -> int:
    """A whole-number tick step for an axis of counts spanning ``span``: at most about
    ``max_ticks`` ticks, never a fractional one (0.5 runs, 2.5 rounds)."""
    return max(1, math.ceil(span / max_ticks))


def to_json(obj: Any) -> str:
    """Compact JSON; refuses NaN (callers convert gaps to null with :func:`arr`)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=_default)


def _default(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return arr(x) if x.dtype.kind == "f" else x.tolist()
    if isinstance(x, np.generic):
        v = x.item()
        return None if isinstance(v, float) and not math.isfinite(v) else v
    raise TypeError(f"not JSON serializable: {type(x).__name__}")
