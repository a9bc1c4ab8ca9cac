"""The typed run summary: :class:`RunSummary` and its records (``summary.json``).

:func:`iadsim.sim.summary.build_summary` fills it after a run,
``RunResult.summary`` holds it, and ``summary.json`` is its :meth:`~iadsim.sim.
json_record.JsonRecord.to_json_dict` (keys in field order, NaN written as
``null``). :func:`read_summary` reads the file back, every field checked: a
missing or malformed field stops with one line naming the file and the field.
Times are seconds from the scenario epoch, ranges metres from the radar (or the
launcher) to the threat; figures that never happened (no detection, no outcome
yet) are NaN.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from iadsim.errors import InputDataError
from iadsim.sim.json_record import JsonRecord, MaybeFloat, doc_field

__all__ = [
    "BatterySummary",
    "FirstDetection",
    "RadarSummary",
    "RunSummary",
    "ThreatSummary",
    "TrackingSummary",
    "read_summary",
]

#: A threat's fate at the end of the run.
ThreatOutcome = Literal["killed", "leaked", "survived"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ThreatSummary(JsonRecord):
    """One threat: when the defence first saw, tracked and engaged it, and its fate
    (evaluation figures, from truth)."""

    threat_id: int = doc_field("threat id (0-based index, as in truth.parquet)")
    name: str = doc_field("threat name")
    group: str = doc_field("name of its threat group in the scenario")
    type: str = doc_field("catalog type")
    outcome: ThreatOutcome = doc_field(
        "killed, leaked (reached its target site, or the end of its attack route unkilled: "
        "the leak event's detail says which) or survived"
    )
    outcome_t_s: MaybeFloat = doc_field("time of the kill or leak, s (none: survived)")
    killed_after_leak_t_s: MaybeFloat = doc_field(
        "a leaker killed on its egress (threats with an egress route): time, s (none: not)",
        default=None,
    )
    first_detection_t_s: MaybeFloat = doc_field("first plot of it by any radar, s")
    first_detection_range_m: MaybeFloat = doc_field("range of that plot, m")
    first_track_t_s: MaybeFloat = doc_field("first firm track following it, s")
    first_track_range_m: MaybeFloat = doc_field("range at that time, m")
    first_fc_track_t_s: MaybeFloat = doc_field("first fire-control track following it, s")
    first_fc_track_range_m: MaybeFloat = doc_field("range at that time, m")
    engagements: int = doc_field(
        "salvos that engaged it: resolved against it at the end, else aimed at it at "
        "the launch (each salvo counted once)"
    )
    rounds: int = doc_field("rounds of those salvos")


@dataclasses.dataclass(frozen=True, kw_only=True)
class BatterySummary(JsonRecord):
    """One battery: its salvos and rounds, and the threats that came within reach of
    its interceptors, split into ``kills + killed_by_others + leakers + survived ==
    threats_in_reach``."""

    name: str = doc_field("battery name")
    fired: Mapping[str, int] = doc_field("rounds fired per interceptor type loaded (0: none)")
    fired_total: int = doc_field("rounds fired")
    engagements: int = doc_field("salvos launched")
    salvos_by_outcome: Mapping[str, int] = doc_field(
        "salvos per outcome (kill, miss, aborted, in_flight_at_end)"
    )
    max_channels_used: int = doc_field("most fire channels busy at once")
    threats_in_reach: int = doc_field(
        "threats that came within the maximum range of one of its loaded launchers (or "
        "that it engaged)"
    )
    kills: int = doc_field("threats in reach killed by its salvos")
    kills_after_leak: int = doc_field(
        "leakers it killed on their egress (counted in leakers, not in kills)", default=0
    )
    killed_by_others: int = doc_field("threats in reach killed by another battery")
    leakers: int = doc_field("threats in reach that leaked")
    survived: int = doc_field("threats in reach still flying at the end")


@dataclasses.dataclass(frozen=True, kw_only=True)
class FirstDetection(JsonRecord):
    """A radar's first plot of one threat."""

    t_s: float = doc_field("time, s")
    range_m: float = doc_field("range from the radar, m")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RadarSummary(JsonRecord):
    """One radar: its plots and its first detection of each threat it saw."""

    name: str = doc_field("radar name")
    type: str = doc_field("catalog type")
    n_detections: int = doc_field("plots (true and false)")
    n_false_alarms: int = doc_field("false-alarm plots")
    first_detection: Mapping[str, FirstDetection] = doc_field(
        "threat name -> first plot of it (t_s, range_m); threats never seen are absent"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrackingSummary(JsonRecord):
    """Tracks scored against recorded (replayed) truth: runs with replayed threats only
    (:func:`iadsim.analysis.metrics.manoeuvre.tracking_quality`)."""

    cut_off_m: float = doc_field("GOSPA cut-off c, m")
    gospa_p: float = doc_field("GOSPA order p")
    gospa_alpha: float = doc_field("GOSPA alpha")
    gospa_mean_m: MaybeFloat = doc_field("mean GOSPA over the scored instants, m")
    gospa_localisation_mean_m: MaybeFloat = doc_field("its localisation part, m")
    gospa_missed_mean_m: MaybeFloat = doc_field("its missed-target part, m")
    gospa_false_mean_m: MaybeFloat = doc_field("its false-track part, m")
    n_targets: int = doc_field("aircraft in the recorded truth")
    n_targets_tracked: int = doc_field("aircraft ever assigned a track")
    n_tracks: int = doc_field("confirmed or coasting tracks scored")
    continuity_mean: MaybeFloat = doc_field(
        "track continuity over its coverage window (first to last plot), mean per aircraft (0-1)"
    )
    coverage_mean: MaybeFloat = doc_field(
        "fraction of its coverage window an aircraft is tracked, mean"
    )
    id_switches: int = doc_field("track-id switches")
    fragmentations: int = doc_field("track fragmentations")
    rmse_m: MaybeFloat = doc_field("position RMSE of assigned pairs, m")
    rmse_straight_m: MaybeFloat = doc_field("the same, aircraft flying straight, m")
    rmse_turning_m: MaybeFloat = doc_field("the same, aircraft turning, m")
    n_pairs_straight: int = doc_field("assigned pairs flying straight")
    n_pairs_turning: int = doc_field("assigned pairs turning")
    turn_threshold_deg_s: float = doc_field("turn rate from which a pair is turning, deg/s")
    scored: str = doc_field("what was scored against what")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunSummary(JsonRecord):
    """The figures of one run (``summary.json``; ``RunResult.summary``).

    Per threat, per battery and per radar records and the raid totals; the totals
    agree with the records (``n_killed + n_leaked + n_survived == n_threats ==
    len(threats)``, checked on construction).
    """

    scenario: str = doc_field("scenario name")
    seed: int = doc_field("root seed of the run")
    duration_s: float = doc_field("simulated time, s")
    n_threats: int = doc_field("threats in the raid")
    n_killed: int = doc_field("threats killed")
    n_leaked: int = doc_field(
        "threats that reached their target site or the end of their attack route unkilled"
    )
    n_killed_after_leak: int = doc_field(
        "leakers killed on their egress afterwards (counted in n_leaked)", default=0
    )
    n_survived: int = doc_field("threats neither killed nor leaked at the end")
    n_never_engaged: int = doc_field("threats no salvo engaged (per threat: engagements 0)")
    interceptors_fired: Mapping[str, int] = doc_field(
        "rounds fired per interceptor type loaded (0: none)"
    )
    interceptors_fired_total: int = doc_field("rounds fired in total")
    salvos: int = doc_field("salvos launched")
    salvos_by_outcome: Mapping[str, int] = doc_field(
        "salvos per outcome (kill, miss, aborted, in_flight_at_end)"
    )
    n_detections: int = doc_field("radar detections (true and false)")
    n_false_alarms: int = doc_field("false-alarm detections")
    n_track_rows: int = doc_field("rows of tracks.parquet")
    batteries: tuple[BatterySummary, ...] = doc_field(
        "per battery: fired, engagements, channels, kills, leakers, survived (below)"
    )
    radars: tuple[RadarSummary, ...] = doc_field(
        "per radar: detections, false alarms, first detection of each threat (below)"
    )
    threats: tuple[ThreatSummary, ...] = doc_field(
        "per threat: first detection / track / fire-control track, outcome, rounds (below)"
    )
    warnings: tuple[str, ...] = doc_field("run-time warnings")
    n_events_processed: int = doc_field("events of the discrete-event engine")
    stage_time_s: Mapping[str, float] = doc_field("CPU time per stage, s")
    tracker_counters: Mapping[str, int] = doc_field(
        "tracker counters (tentative tracks started and dropped, ...)"
    )
    track_history: Literal["changes", "full"] = doc_field(
        "rows in tracks.parquet: 'changes' (on change) or 'full' (every look)"
    )
    wall_time_s: float = doc_field("wall time of the run, s")
    tracking: TrackingSummary | None = doc_field(
        "runs with replayed (recorded) threats only: tracks scored against the recorded "
        "truth (below)",
        omit_if_none=True,
        default=None,
    )

    def __post_init__(self) -> None:
        """Check the totals against the per-threat records (ValueError)."""
        if len(self.threats) != self.n_threats:
            raise ValueError(f"n_threats {self.n_threats} but {len(self.threats)} threat records")
        if self.n_killed + self.n_leaked + self.n_survived != self.n_threats:
            raise ValueError(
                f"n_killed + n_leaked + n_survived = "
                f"{self.n_killed + self.n_leaked + self.n_survived}, not n_threats {self.n_threats}"
            )


def read_summary(path: str | Path) -> RunSummary:
    """``summary.json`` (the file, or a run directory holding it), every field checked.

    Raises
    ------
    InputDataError
        One line naming the file: absent, not JSON, or a field missing, unknown or of
        the wrong type (``.../summary.json: threats[2].outcome: expected one of ...``).
    """
    p = Path(path)
    p = p / "summary.json" if p.is_dir() else p
    try:
        data: Any = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputDataError(f"{p}: missing (not a completed run directory)") from err
    except (OSError, ValueError) as err:
        msg = " ".join(str(err).split())
        raise InputDataError(f"{p}: cannot read JSON: {msg}") from err
    return RunSummary.from_json_dict(data, file=str(p))
