"""Sweep points: field paths, overrides on the raw scenario dict, grid and zip.

A field path uses the syntax of error messages: ``threats[0].route[1].speed_mps``
(mapping keys separated by dots, list indices in brackets). An override sets the
value at a path in a deep copy of the raw scenario dict (as read from YAML); the
resulting dict is validated by the scenario loader before anything runs.

A sweep has a *grid* part (cartesian product of the value lists) and a *zip* part
(value lists of equal length taken together); the points are the product of the
two. Point ids are the positions in that product, grid varying slowest.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from iadsim.errors import ScenarioError

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]")

PathToken = str | int


@dataclass(frozen=True, kw_only=True)
class SweepPoint:
    """One point of a sweep.

    Attributes
    ----------
    point_id : int
        Position of the point in the sweep (0-based).
    overrides : dict[str, Any]
        Field path -> value, in the order the sweep declares the paths.
    """

    point_id: int
    overrides: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        """Short human-readable label, e.g. ``threats[0].count=4, salvo=2``."""
        if not self.overrides:
            return "baseline"
        return ", ".join(f"{k}={v}" for k, v in self.overrides.items())


def parse_path(path: str) -> list[PathToken]:
    """Split a field path into keys (str) and list indices (int).

    Parameters
    ----------
    path : str
        E.g. ``threats[0].route[1].speed_mps``.

    Returns
    -------
    list of str or int

    Raises
    ------
    ScenarioError
        If the path is empty or malformed (message ``path: invalid field path``).
    """
    tokens: list[PathToken] = []
    pos = 0
    expect_key = True
    while pos < len(path):
        if path[pos] == "." and tokens and not expect_key:
            pos += 1
            expect_key = True
            continue
        m = _TOKEN.match(path, pos)
        if m is None or (m.group(1) is not None and not expect_key):
            raise ScenarioError(f"{path}: invalid field path (at character {pos + 1})")
        if m.group(1) is not None:
            tokens.append(m.group(1))
        else:
            if not tokens:
                raise ScenarioError(f"{path}: invalid field path (starts with an index)")
            tokens.append(int(m.group(2)))
        expect_key = False
        pos = m.end()
    if not tokens or expect_key:
        raise ScenarioError(f"{path}: invalid field path")
    return tokens


def format_path(tokens: Sequence[PathToken]) -> str:
    """Inverse of :func:`parse_path`."""
    out = ""
    for tok in tokens:
        out += f"[{tok}]" if isinstance(tok, int) else (f".{tok}" if out else tok)
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at ``path`` in ``data`` (in place).

    Missing mapping keys are created (the scenario loader then rejects unknown
    fields); list indices must exist.

    Raises
    ------
    ScenarioError
        ``threats[9]: index out of range (scenario has 3 threats)`` and similar,
        naming the path prefix that does not resolve.
    """
    tokens = parse_path(path)
    node: Any = data
    for i, tok in enumerate(tokens):
        last = i == len(tokens) - 1
        here = format_path(tokens[: i + 1])
        if isinstance(tok, int):
            if not isinstance(node, list):
                raise ScenarioError(f"{here}: not a list (got {type(node).__name__})")
            if tok >= len(node):
                owner = (
                    f"scenario has {len(node)} {tokens[0]}"
                    if i == 1
                    else f"{format_path(tokens[:i])} has {len(node)} items"
                )
                raise ScenarioError(f"{here}: index out of range ({owner})")
            if last:
                node[tok] = value
            else:
                node = node[tok]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"{here}: not a mapping (got {type(node).__name__})")
        if last:
            node[tok] = value
        else:
            if tok not in node or node[tok] is None:
                if isinstance(tokens[i + 1], int):
                    raise ScenarioError(f"{here}: no such list in the scenario")
                node[tok] = {}
            node = node[tok]


def apply_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return a deep copy of ``base`` with every ``path -> value`` override set."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for path, value in overrides.items():
        set_path(data, path, copy.deepcopy(value))
    return data


#: Largest sweep (points are validated one by one before a campaign starts).
MAX_SWEEP_POINTS = 10_000

#: Most runs per sweep point (task ids and seeds stay far inside int64): the one limit
#: of a campaign file's ``runs``, ``--runs`` and the planner.
MAX_RUNS = 1_000_000


def expand_points(
    grid: Mapping[str, Sequence[Any]] | None = None,
    zipped: Mapping[str, Sequence[Any]] | None = None,
) -> list[SweepPoint]:
    """Expand grid and zip sweeps into points.

    Parameters
    ----------
    grid : mapping of path -> values, optional
        Cartesian product (first path varies slowest).
    zipped : mapping of path -> values, optional
        Values of equal length taken together.

    Returns
    -------
    list of SweepPoint
        ``len(product of grid lengths) * len(zip)`` points; one baseline point
        with no overrides when both are empty.

    Raises
    ------
    ScenarioError
        If a value list is empty, zip lists differ in length or there would be
        more than ``MAX_SWEEP_POINTS`` points.
    """
    grid = dict(grid or {})
    zipped = dict(zipped or {})
    for name, part in (("grid", grid), ("zip", zipped)):
        for path, values in part.items():
            if len(values) == 0:
                raise ScenarioError(f"{name}.{path}: empty list of values")
    lengths = {len(v) for v in zipped.values()}
    if len(lengths) > 1:
        detail = ", ".join(f"{p}: {len(v)}" for p, v in zipped.items())
        raise ScenarioError(f"zip: value lists differ in length ({detail})")
    dup = set(grid) & set(zipped)
    if dup:
        raise ScenarioError(f"zip.{sorted(dup)[0]}: path also in grid")
    n_points = math.prod(len(v) for v in grid.values()) * (next(iter(lengths), 1))
    if n_points > MAX_SWEEP_POINTS:
        sizes = " x ".join(str(len(v)) for v in [*grid.values(), *zipped.values()][:8])
        raise ScenarioError(
            f"sweep: {n_points:,} points ({sizes}; limit {MAX_SWEEP_POINTS:,}): "
            "every point is validated before the campaign starts"
        )
    grid_rows = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())]
    n_zip = lengths.pop() if lengths else 1
    zip_rows = [{p: v[i] for p, v in zipped.items()} for i in range(n_zip)]
    points: list[SweepPoint] = []
    for g, z in itertools.product(grid_rows, zip_rows):
        points.append(SweepPoint(point_id=len(points), overrides={**g, **z}))
    return points
