"""The reference page of a run directory's files, generated from the frame definitions.

``python -m iadsim.cli.files_doc > docs/files.md`` writes ``docs/files.md``: every
file of a run directory with its columns (name, type, meaning) taken from the
frame classes (:mod:`iadsim.frames`, :class:`iadsim.engagement.log.Engagements`)
plus the columns the recorder adds, the event kinds, the track status codes,
``summary.json``'s keys and the tracker configuration format of ``iadsim track
--config`` (dumped from its pydantic model). ``tests/cli/test_files_doc.py``
checks that the page equals :func:`render` and that a real run directory has
exactly these files and columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from iadsim.engagement.log import REASONS, Engagements
from iadsim.frames import Detections, Events, Frame, Tracks, TrackStatus, Truth
from iadsim.sim.json_record import field_docs
from iadsim.sim.summary_types import (
    BatterySummary,
    FirstDetection,
    RadarSummary,
    RunSummary,
    ThreatSummary,
    TrackingSummary,
)

__all__ = [
    "EVENT_KIND_DOCS",
    "RUN_FILES",
    "SUMMARY_KEYS",
    "SUMMARY_RECORDS",
    "FileDoc",
    "file_columns",
    "render",
]


@dataclass(frozen=True)
class FileDoc:
    """One Parquet file of a run directory: its frame and the columns the recorder adds."""

    name: str
    about: str
    frame: type[Frame]
    extra: tuple[tuple[str, str, str], ...] = ()  # (column, type, meaning)


RUN_FILES: tuple[FileDoc, ...] = (
    FileDoc(
        "truth.parquet",
        "true threat states on the truth grid (evaluation data)",
        Truth,
        (
            ("lat_deg", "float64", "geodetic latitude, deg"),
            ("lon_deg", "float64", "geodetic longitude, deg"),
            ("threat_name", "string", "threat name of the scenario (group name-index)"),
            ("threat_type", "string", "threat type (catalog class): the class of life NEES"),
        ),
    ),
    FileDoc(
        "detections.parquet",
        "radar plots, one row per detection, in time order (`t_s`: each plot's own "
        "illumination time)",
        Detections,
    ),
    FileDoc("tracks.parquet", "tracker output, one row per live track per update", Tracks),
    FileDoc("events.parquet", "typed event log, sorted by time (kinds below)", Events),
    FileDoc(
        "engagements.parquet",
        "one row per salvo launched, from the C2 order to its outcome (an order cancelled"
        " before launch is a cancel event, not a row)",
        Engagements,
        (("fc_radar", "string", "name of the fire-control radar (fc_radar_id)"),),
    ),
)

#: Event kinds of ``events.parquet`` (what ``radar_id``/``track_id``/``value`` mean per kind).
EVENT_KIND_DOCS: dict[str, str] = {
    "threat_launch": "a threat starts flying (threat_id)",
    "threat_route_end": "a threat reaches the end of its route",
    "first_detection": "first detection of a threat by a radar (radar_id, value = range m)",
    "track_confirmed": "a track becomes firm (track_id)",
    "track_deleted": "a firm track is dropped (track_id)",
    "cue": "a surveillance track cues an engagement radar (radar_id, track_id)",
    "fire_control_track": "first fire-control-quality track of a track id by a radar",
    "threat_eval": "C2 threat evaluation of a track (value = priority)",
    "launch": "a salvo is launched (order_id, battery_id, launcher_id, track_id)",
    "handover": "a salvo moves to a successor track (track_id = new, value = old track)",
    "abort": "a salvo is aborted (detail = reason)",
    "cancel": (
        "an order is withdrawn before launch: its track lost, or no longer held by what"
        " would guide the round (value = rounds returned, detail = why)"
    ),
    "intercept": "a salvo reaches its intercept point",
    "kill": "a threat is killed",
    "miss": "a salvo misses (detail = reason)",
    "leak": (
        "a threat reaches its target site, or ends its attack route unkilled (detail: the"
        " site, or 'route end [X km from SITE]' outside the site's radius)"
    ),
    "magazine_empty": "a launcher has no rounds left",
    "warning": "a run-time warning (detail)",
}

#: Top-level keys of ``summary.json``: the fields of
#: :class:`~iadsim.sim.summary_types.RunSummary`, with their documentation.
SUMMARY_KEYS: dict[str, str] = dict(field_docs(RunSummary))
#: The records inside ``summary.json``: (key, what it is, record type).
SUMMARY_RECORDS: tuple[tuple[str, str, type], ...] = (
    ("threats[]", "One per threat, in threat-id order (evaluation figures, from truth).",
     ThreatSummary),
    ("batteries[]", "One per battery; the threats that came within its reach split into "
     "`kills + killed_by_others + leakers + survived == threats_in_reach`.", BatterySummary),
    ("radars[]", "One per radar.", RadarSummary),
    ("radars[].first_detection.<threat>", "A radar's first plot of one threat.", FirstDetection),
    ("tracking", "Only in runs with replayed (recorded) threats: the tracks scored against "
     "the recorded truth.", TrackingSummary),
)  # fmt: skip


def _dtype_name(dtype: np.dtype[Any]) -> str:
    if dtype.kind == "U":
        return "string"
    return "bool" if dtype.kind == "b" else str(dtype)


def file_columns(doc: FileDoc) -> list[tuple[str, str, str]]:
    """(column, type, meaning) of a run-directory file, in file order."""
    cols = [
        (f.name, _dtype_name(f.metadata["dtype"]), str(f.metadata.get("doc", "")))
        for f in dataclasses.fields(doc.frame)
    ]
    return cols + list(doc.extra)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return [*out, ""]


def _tracker_yaml() -> str:
    import yaml

    from iadsim.scenario.schema_tracking import TrackCliConfig

    data = TrackCliConfig().model_dump(mode="json")
    data["sensors"] = {
        0: {"e_m": 0.0, "n_m": 0.0, "u_m": 10.0, "sigma_range_m": 50.0, "sigma_az_deg": 0.2,
            "sigma_el_deg": 0.3},
    }  # fmt: skip
    return yaml.safe_dump(data, sort_keys=False)


def _named_trackers() -> list[str]:
    from iadsim.scenario.named_trackers import list_named_trackers, named_tracker

    lines = [
        "Shipped configurations (`scenario/trackers/NAME.yaml`, listed by `iadsim presets`):",
        "`iadsim track --tracker NAME` (not with `--config`), or `tracker: NAME` in a",
        "scenario, or `tracker: {preset: NAME, ...}` in a scenario or a `--config` file, the",
        "fields beside `preset` merged over the named ones (a block of another `kind`",
        "replaces the named block).",
        "",
    ]
    rows = [(f"`{n}`", named_tracker(n).description) for n in list_named_trackers()]
    return lines + _table(("name", "configuration"), rows)


def render() -> str:
    """The whole reference page (Markdown)."""
    lines = [
        "# Files of a run directory",
        "",
        "<!-- generated by `python -m iadsim.cli.files_doc > docs/files.md`; do not edit -->",
        "",
        "`iadsim run` writes `runs/<scenario>-<UTC time>/` (or `--out DIR`). Every file is",
        "written atomically; `summary.json` is written last, so a directory without it is",
        "incomplete. Positions are local ENU metres about the scenario's `origin`, times",
        "seconds from the scenario epoch; ids are 0-based indices, -1 for none.",
        "",
        "| file | content |",
        "|---|---|",
        "| `scenario.resolved.yaml` | the scenario as validated, every default filled (tracker"
        " included), used catalog types expanded; loads back as a scenario |",
    ]
    lines += [f"| `{d.name}` | {d.about} |" for d in RUN_FILES]
    lines += ["| `summary.json` | the figures of the summary tables (keys below) |", ""]
    for d in RUN_FILES:
        lines += [f"## {d.name}", "", d.about + ".", ""]
        lines += _table(("column", "type", "meaning"), file_columns(d))
    names = ", ".join(f"{i} {n}" for i, n in enumerate(TrackStatus.NAMES))
    lines += ["Track `status` codes (tracks.parquet): " + names + ".", ""]
    lines += ["Salvo `reason`s (engagements.parquet; empty for kill and in_flight_at_end):", ""]
    lines += _table(("reason", "outcome", "meaning"), [(r, *m) for r, m in REASONS.items()])
    lines += ["## Event kinds (events.parquet `kind`)", ""]
    lines += _table(("kind", "meaning"), list(EVENT_KIND_DOCS.items()))
    lines += ["## summary.json", ""]
    lines += [
        "The figures of `RunSummary` (`iadsim.sim.summary_types`; `RunResult.summary` in",
        "Python), keys in this order. Times s, ranges m; a figure that never happened",
        "(no detection, no track, no outcome) is `null` (NaN in Python). Read it back, every",
        "field checked, with `iadsim.sim.summary_types.read_summary(path)`.",
        "",
    ]
    lines += _table(("key", "content"), list(SUMMARY_KEYS.items()))
    for key, about, record in SUMMARY_RECORDS:
        lines += [f"### summary.json `{key}`", "", about, ""]
        lines += _table(("key", "content"), field_docs(record))
    lines += [
        "## Tracker config (`iadsim track --config`, scenario `tracker:`)",
        "",
        "YAML with these keys (the defaults shown; `sensors` is an example); every key is",
        "optional. `filter.kind`: kf, ekf, ukf, cmkf or imm; `motion.kind`: cv, ca, singer or",
        "ct; `association.kind`: gnn or jpda; `initiation.kind`: two_point, m_of_n or score.",
        "`sensors` (only for `iadsim track`",
        "on polar files) maps the file's `sensor` id to the site (ENU m) and noise;",
        "`cartesian_sigma_m` is the noise of Cartesian files without a `sigma` column",
        "(`--sigma-m` overrides it). Nothing is assumed silently: a polar file takes its",
        "noise from its `sigma_range` (m), `sigma_azimuth` and `sigma_elevation` (rad)",
        "columns, else its sensors must give their sigmas; a Cartesian file with neither a",
        "`sigma` column,",
        "`--sigma-m` nor `cartesian_sigma_m` has its noise estimated from the plots",
        "(second differences over three scans, trimmed at 3 sigma), printed on stderr.",
        "",
        "```yaml",
        _tracker_yaml().rstrip(),
        "```",
        "",
        *_named_trackers(),
    ]
    from iadsim.analysis.asterix.mapping import doc_lines

    lines += doc_lines()
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
