"""Named tracker configurations shipped with iadsim (``scenario/trackers/NAME.yaml``).

Each file is a mapping of ``description`` (one paragraph), ``source`` (where its
numbers come from) and ``tracker`` (a tracker block, docs/files.md 'Tracker
config'). They are listed by ``iadsim presets``, selected with ``iadsim track
--tracker NAME``, and named in a scenario or a ``--config`` file as
``tracker: NAME`` or ``tracker: {preset: NAME, ...}`` (fields given beside
``preset`` override the named ones, merged like inline catalog overrides: a
block with another ``kind`` replaces the named block whole).
"""

from __future__ import annotations

import dataclasses
import difflib
from importlib import resources
from pathlib import Path
from typing import Any

from iadsim.errors import ScenarioError

__all__ = ["NamedTracker", "expand_tracker_reference", "list_named_trackers", "named_tracker"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NamedTracker:
    """A shipped tracker configuration: its name, description, source and tracker block."""

    name: str
    description: str
    source: str
    tracker: dict[str, Any]


def _dir() -> Path:
    return Path(str(resources.files("iadsim.scenario") / "trackers"))


def list_named_trackers() -> list[str]:
    """Names of the shipped tracker configurations, sorted."""
    return sorted(p.stem for p in _dir().glob("*.yaml"))


def unknown_tracker_message(name: object) -> str:
    """``unknown tracker configuration 'x' (known: a, b)``."""
    known = list_named_trackers()
    shown = repr(name) if not isinstance(name, str) or not name.isprintable() else f"'{name}'"
    close = difflib.get_close_matches(name, known, n=1) if isinstance(name, str) else []
    close = close or [k for k in known if isinstance(name, str) and name and name in k][:1]
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown tracker configuration {shown[:80]}{hint} (known: {', '.join(known)})"


def named_tracker(name: str) -> NamedTracker:
    """The shipped configuration ``name``; an unknown name is a one-line
    :class:`~iadsim.errors.ScenarioError` that lists the known ones."""
    from iadsim.scenario.load import parse_yaml  # load imports the schema, which imports this

    if name not in list_named_trackers():
        raise ScenarioError(unknown_tracker_message(name))
    file = f"trackers/{name}.yaml"
    data = parse_yaml((_dir() / f"{name}.yaml").read_text(encoding="utf-8"), file, fast=True)
    if not isinstance(data, dict) or set(data) != {"description", "source", "tracker"}:
        raise ScenarioError(f"{file}: must map exactly description, source and tracker")
    return NamedTracker(
        name=name,
        description=" ".join(str(data["description"]).split()),
        source=" ".join(str(data["source"]).split()),
        tracker=dict(data["tracker"]),
    )


def expand_tracker_reference(value: Any) -> Any:
    """A tracker block as written -> the mapping to validate.

    ``"NAME"`` becomes the named block, ``{"preset": "NAME", **fields}`` the named
    block with ``fields`` merged over it; anything else is returned unchanged.
    Raises ``ValueError`` (reported by pydantic at the tracker's place in the file)
    for an unknown name.
    """
    from iadsim.scenario.load import deep_merge

    if isinstance(value, str):
        name, fields = value, {}
    elif isinstance(value, dict) and "preset" in value:
        name, fields = value["preset"], {k: v for k, v in value.items() if k != "preset"}
    else:
        return value
    if not isinstance(name, str) or name not in list_named_trackers():
        raise ValueError(
            ("preset: " if isinstance(value, dict) else "") + unknown_tracker_message(name)
        )
    return deep_merge(named_tracker(name).tracker, fields)
