"""The engagement log: one record per salvo from the C2 order to its end.

Every round is accounted for: a salvo ends ``kill``, ``miss`` (with the physical
reason), ``aborted`` (with the reason: track lost with no successor, fire-control
support lost) or ``in_flight_at_end`` when the run stops first; :data:`REASONS` lists
every reason with its meaning. An order whose track
is lost before its launch time is cancelled (a ``cancel`` event; its rounds go back
to the magazine) and never becomes a salvo: the log has one row per salvo launched. The engagement
stage keeps a :class:`SalvoRecord` per salvo while it flies and writes the
:class:`Engagements` frame (``engagements.parquet``) at the end of the run.

Three tracks are logged: the one the C2 order was given on (``track_id_order``), the
one the salvo left the rail on (``track_id_launch``: an order handed over before its
launch flies on its successor) and the one attached at the end (``track_id_end``).
``threat_id_launch`` (the threat the launch track followed at the launch) is
evaluation data, filled in by the simulation layer; the engagement stage never knows
it. ``threat_id_end`` is the threat the intercept was resolved against.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import F64, I64, Events, Frame, Tracks, col, make_events

__all__ = ["OUTCOMES", "REASONS", "Engagements", "SalvoRecord", "abort_event", "cancel_event"]

#: Salvo outcomes, in the order summaries list them.
OUTCOMES: tuple[str, ...] = ("kill", "miss", "aborted", "in_flight_at_end")

#: Every ``reason`` of a salvo that missed or was aborted (empty for ``kill`` and
#: ``in_flight_at_end``) -> (outcome, meaning). Misses: :mod:`iadsim.engagement.outcome`;
#: aborts: :mod:`iadsim.engagement.flight` and the terminal support check.
REASONS: dict[str, tuple[str, str]] = {
    "warhead miss": ("miss", "a round acquired the target, none killed it (Pk draw)"),
    "terminal acquisition failed": ("miss", "no round acquired the target in its basket"),
    "no threat in acquisition basket": ("miss", "no threat, living or not, near the final PIP"),
    "target already destroyed": (
        "miss", "the threat in the basket was killed by another salvo after this one was "
        "ordered (or by one resolved at the same time)",
    ),
    "track of a destroyed target": (
        "miss", "the threat in the basket had been killed before this salvo was ordered: "
        "the order went to a track of a dead target",
    ),
    "target leaked before intercept": (
        "miss", "the threat in the basket had reached its target site or route end (a "
        "leaker) before the intercept",
    ),
    "track lost, no successor": ("aborted", "the salvo's track was deleted, no successor track"),
    "fire-control support lost": (
        "aborted", "mid-course guidance by the engagement radar, which had not updated the "
        "track for longer than the type's max_gap_s beyond its track_hold_s",
    ),
    "no terminal fire-control support": (
        "aborted", "terminal guidance by the engagement radar, whose last update of the track "
        "was older than the type's max_gap_s at the intercept",
    ),
}  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class Engagements(Frame):
    """One row per salvo (``engagements.parquet``); positions ENU m, times s."""

    order_id: NDArray[np.int64] = col(I64)
    battery_id: NDArray[np.int64] = col(I64)
    launcher_id: NDArray[np.int64] = col(I64)
    interceptor_id: NDArray[np.int64] = col(I64)
    interceptor_type: NDArray[np.str_] = col("U", "catalog type name")
    n_rounds: NDArray[np.int64] = col(I64, "rounds in the salvo")
    track_id_order: NDArray[np.int64] = col(I64, "track the C2 order was given on")
    track_id_launch: NDArray[np.int64] = col(
        I64, "track the salvo left the rail on (after any handover before the launch)"
    )
    track_id_end: NDArray[np.int64] = col(I64, "track attached at the end (after handovers)")
    threat_id_launch: NDArray[np.int64] = col(
        I64, "threat the launch track followed at the launch (eval)"
    )
    threat_id_end: NDArray[np.int64] = col(
        I64,
        "threat the intercept was resolved against (one no longer in the air that the "
        "miss reason names, too; -1: none in the basket or no intercept)",
    )
    fc_radar_id: NDArray[np.int64] = col(I64, "fire-control radar of the launch")
    t_order_s: NDArray[np.float64] = col(F64, "C2 decision time")
    t_launch_s: NDArray[np.float64] = col(F64)
    t_end_s: NDArray[np.float64] = col(F64, "intercept or abort time (NaN: in flight)")
    launcher_e_m: NDArray[np.float64] = col(F64)
    launcher_n_m: NDArray[np.float64] = col(F64)
    launcher_u_m: NDArray[np.float64] = col(F64)
    pip_e_m: NDArray[np.float64] = col(F64, "predicted intercept point at launch")
    pip_n_m: NDArray[np.float64] = col(F64)
    pip_u_m: NDArray[np.float64] = col(F64)
    end_e_m: NDArray[np.float64] = col(F64, "where the salvo ended (NaN: in flight)")
    end_n_m: NDArray[np.float64] = col(F64)
    end_u_m: NDArray[np.float64] = col(F64)
    n_handovers: NDArray[np.int64] = col(I64)
    fc_age_at_launch_s: NDArray[np.float64] = col(
        F64,
        "age at the order of the older of the engagement radar's last two track updates "
        "(the time of the plot each took)",
    )
    pk_table: NDArray[np.float64] = col(F64, "single-shot Pk of the catalog table")
    p_acquisition: NDArray[np.float64] = col(F64, "probability of terminal acquisition")
    pk: NDArray[np.float64] = col(F64, "effective single-shot Pk = pk_table x p_acquisition")
    miss_distance_m: NDArray[np.float64] = col(F64, "final PIP to the resolved threat")
    outcome: NDArray[np.str_] = col("U", "kill, miss, aborted, in_flight_at_end")
    reason: NDArray[np.str_] = col("U", "why it missed or was aborted (list below)")


@dataclasses.dataclass(kw_only=True)
class SalvoRecord:
    """The mutable record of one salvo while it flies (one row of :class:`Engagements`)."""

    order_id: int
    battery_id: int
    launcher_id: int
    interceptor_id: int
    interceptor_type: str
    n_rounds: int
    track_id_order: int
    fc_radar_id: int
    t_order_s: float
    t_launch_s: float
    launcher_m: tuple[float, float, float]
    pip_m: tuple[float, float, float]
    fc_age_at_launch_s: float
    track_id_launch: int = -1
    """The track at the launch (set when the salvo leaves the rail)."""
    track_id: int = -1
    lost: Tracks | None = None
    lost_t_s: float = np.nan
    support_t_s: float = -np.inf
    support_track_ids: NDArray[np.int64] = dataclasses.field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    """The picture's track ids when the salvo last had support (the order counts):
    tracks not among them are new to the picture since (manoeuvre reach, flight.py)."""
    seen_t_s: float = np.nan
    """Last detection of the salvo's track while it was in the picture, s."""
    fc_t_s: float = -np.inf
    n_handovers: int = 0
    threat_id_end: int = -1
    t_end_s: float = np.nan
    end_m: tuple[float, float, float] = (np.nan, np.nan, np.nan)
    pk_table: float = np.nan
    p_acquisition: float = np.nan
    pk: float = np.nan
    miss_distance_m: float = np.nan
    outcome: str = "in_flight_at_end"
    reason: str = ""

    def __post_init__(self) -> None:
        if self.track_id < 0:
            self.track_id = self.track_id_order
        if self.track_id_launch < 0:
            self.track_id_launch = self.track_id_order

    def end(self, outcome: str, reason: str, t_s: float, at_m: tuple[float, float, float]) -> None:
        """Close the record (``outcome`` one of :data:`OUTCOMES`)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"SalvoRecord.end: unknown outcome {outcome!r}")
        self.outcome, self.reason, self.t_end_s, self.end_m = outcome, reason, t_s, at_m

    @staticmethod
    def frame(records: list[SalvoRecord]) -> Engagements:
        """The :class:`Engagements` frame of ``records`` (in the given order)."""
        if not records:
            return Engagements.empty()

        def c(name: str) -> list[Any]:
            return [getattr(r, name) for r in records]

        xyz = {
            "launcher": np.array(c("launcher_m"), dtype=np.float64).reshape(-1, 3),
            "pip": np.array(c("pip_m"), dtype=np.float64).reshape(-1, 3),
            "end": np.array(c("end_m"), dtype=np.float64).reshape(-1, 3),
        }
        cols: dict[str, Any] = {
            f.name: c(f.name)
            for f in dataclasses.fields(Engagements)
            if hasattr(records[0], f.name)
        }
        cols["track_id_end"] = c("track_id")
        cols["threat_id_launch"] = [-1] * len(records)
        for key, arr in xyz.items():
            for k, axis in enumerate("enu"):
                cols[f"{key}_{axis}_m"] = arr[:, k]
        return Engagements(**cols)


def abort_event(rec: SalvoRecord, t_s: float) -> Events:
    """The ``abort`` event of a salvo (value: its rounds; detail: the reason)."""
    return make_events(
        t_s, "abort", track_id=rec.track_id, battery_id=rec.battery_id,
        launcher_id=rec.launcher_id, order_id=rec.order_id, value=float(rec.n_rounds),
        detail=rec.reason,
    )  # fmt: skip


def cancel_event(rec: SalvoRecord, t_s: float, reason: str) -> Events:
    """The ``cancel`` event of an order withdrawn before its launch (value: the rounds
    returned to the magazine; detail: the reason). The order never becomes a salvo."""
    return make_events(
        t_s, "cancel", track_id=rec.track_id, battery_id=rec.battery_id,
        launcher_id=rec.launcher_id, order_id=rec.order_id, value=float(rec.n_rounds),
        detail=reason,
    )  # fmt: skip
