"""The engagement stage: launches, magazines, salvos in flight, their support and ends.

Engine protocol (every step reads a :class:`~iadsim.picture.TrackPicture`, never truth,
except :meth:`Engagement.resolve`, which resolves the physics)
----------------------------------------------------------------------------------
* ``events = eng.maintain(picture)`` each C2 cycle, before ``C2.decide``: salvos whose
  track was deleted are handed over to a successor track on the same target or
  aborted; salvos that lost the support their type needs are aborted; supported
  salvos get a mid-course update of their PIP (:mod:`iadsim.engagement.flight`).
* ``events = eng.launch(orders, picture)`` right after ``C2.decide``: takes rounds
  from the magazines, marks launchers busy and starts a :class:`SalvoRecord` per order,
  pending until its launch time (``reaction_s`` later).
* ``events = eng.commit_launches(t_s, track_ids, fc=book)`` at each
  ``eng.next_launch_t_s()``, after that instant's C2 cycle (launch commit): a pending
  salvo whose track (after any handover) is still firm and held now, within the
  battery's fire-control hold time, by what will guide it (:class:`FireControlHold`:
  the battery's engagement radar, or for a type guided by any radar's track in
  mid-course, any radar), is launched (``launch`` event); one whose track is lost or
  not held is cancelled (``cancel`` event, rounds back to the magazine, no salvo in the
  log; C2 may order again once the radar holds the track).
  A pending salvo that maintenance would abort is cancelled the same way.
* ``eng.next_intercept_t_s()`` gives the earliest pending intercept (inf if none); at
  that time ``intercepts, events = eng.resolve(truth, t_s, rng, physics)`` resolves
  every salvo due (:mod:`iadsim.engagement.outcome`); channels are released.
* ``eng.log()`` at the end: the :class:`Engagements` frame, one row per salvo, with
  salvos still flying marked ``in_flight_at_end``.
* ``eng.status(t_s)`` and ``eng.solve(...)`` (intercepts inside the engagement radar's
  coverage for the types it guides: :mod:`iadsim.engagement.volume`) are what C2 reads
  (:class:`iadsim.c2.roles.WeaponSystem`); C2 is never told whether a salvo killed.

Magazines: ``rounds (L, I)`` per launcher and ``reserve (L, I)`` reload rounds. When a
launcher's rounds of a type reach 0 and reserve remains, it reloads ``min(loadout,
reserve)`` rounds, ready ``reload_s`` after its last launch. A salvo of ``n`` rounds
keeps the launcher busy ``n * launch_interval_s``; all rounds reach the PIP together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.flight import FlightUpdate, maintain_salvos
from iadsim.engagement.intercept import InterceptSolutions, predict_intercepts
from iadsim.engagement.interceptors import InterceptorParams, InterceptorTable
from iadsim.engagement.log import Engagements, SalvoRecord, abort_event, cancel_event
from iadsim.engagement.outcome import Intercepts, TargetPhysics, resolve_intercepts
from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2
from iadsim.engagement.roles import FireControlHold
from iadsim.engagement.status import FireStatus, LauncherParams
from iadsim.engagement.volume import EngagementVolume, restrict_to_volumes
from iadsim.frames import Events, Orders, Truth, make_events
from iadsim.picture import TrackPicture

__all__ = ["Engagement", "FireStatus", "LauncherParams"]

F = NDArray[np.float64]
Int = NDArray[np.int64]


class Engagement:
    """Engagement stage (one per run): magazines, salvos in flight, the engagement log.

    Parameters
    ----------
    interceptors : compiled interceptor types; index = ``Orders.interceptor_id``.
    launchers : all launchers (rounds per type in the same index order).
    fc_radar_id : battery id -> radar id of its engagement radar (-1: none).
    fc_volume : battery id -> its engagement radar's coverage; C2's intercepts of
        types needing fire control must lie inside (:mod:`iadsim.engagement.volume`).
    reacquire_accel_mps2 : acceleration of the manoeuvre envelope in which a new
        track counts as within reach of a salvo flying unsupported
        (:mod:`iadsim.engagement.reach`; 0: the handover gate only).
    """

    def __init__(
        self,
        *,
        interceptors: Sequence[InterceptorParams],
        launchers: LauncherParams,
        fc_radar_id: Mapping[int, int] | None = None,
        fc_volume: Mapping[int, EngagementVolume] | None = None,
        reacquire_accel_mps2: float = REACQUIRE_ACCEL_MPS2,
    ) -> None:
        self.table = InterceptorTable.from_params(interceptors)
        self.reacquire_accel_mps2 = float(reacquire_accel_mps2)
        if launchers.loadout.shape[1] != len(self.table):
            raise ValueError(
                f"LauncherParams: loadout has {launchers.loadout.shape[1]} types, "
                f"interceptors has {len(self.table)}"
            )
        self.launchers = launchers
        self.fc_radar_id = dict(fc_radar_id or {})
        self.fc_volume = dict(fc_volume or {})
        self.rounds = launchers.loadout.copy()
        self.reserve = launchers.reserve.copy()
        self.ready_t_s = np.zeros(launchers.launcher_id.shape[0])
        self.in_flight = Orders.empty()
        self.records: dict[int, SalvoRecord] = {}
        self._last: dict[int, float] = {}  # track id -> time a salvo on it last ended
        self._intercepted: dict[int, float] = {}  # track id -> time of its last intercept
        # threats the intercepts killed and when (outcome reasons only; C2 never sees it)
        self._killed_id, self._killed_t_s = np.zeros(0, np.int64), np.zeros(0)
        self._reach: dict[int, tuple[int, ...]] = {}  # order id -> tracks within reach
        # order id -> (launcher row, type, rounds, launch time) of salvos not launched yet
        self._pending: dict[int, tuple[int, int, int, float]] = {}
        self._row = {int(lid): k for k, lid in enumerate(launchers.launcher_id)}

    # -- C2 side -------------------------------------------------------------
    def status(self, t_s: float) -> FireStatus:
        """Current magazines and salvos (``t_s`` is informational)."""
        last = sorted(self._last.items())
        return FireStatus(
            launcher_id=self.launchers.launcher_id,
            battery_id=self.launchers.battery_id,
            pos_m=self.launchers.pos_m,
            rounds=self.rounds.copy(),
            loadout=self.launchers.loadout,
            ready_t_s=self.ready_t_s.copy(),
            in_flight_track_id=self.in_flight.track_id,  # frame columns are read-only
            in_flight_battery_id=self.in_flight.battery_id,
            in_flight_rounds=self.in_flight.n_rounds,
            in_flight_reach_track_id=self._reach_track_ids(),
            last_track_id=np.array([k for k, _ in last], dtype=np.int64),
            last_intercept_t_s=np.array([v for _, v in last], dtype=np.float64),
        )

    def solve(
        self, pos_m: F, vel_mps: F, target_class: NDArray[np.int64], t_s: float,
        candidates: NDArray[np.bool_] | None = None,
    ) -> InterceptSolutions:  # fmt: skip
        """Intercept solutions (T, L, I) for tracks at ``t_s`` from every launcher; a
        type needing fire control only where its battery's engagement radar sees the
        PIP (``fc_volume``). ``candidates`` (T, L, I), optional: solve only these
        triples, the others are infeasible (:func:`predict_intercepts`).
        """
        sol = predict_intercepts(
            pos_m, vel_mps, target_class, t_s, self.launchers.pos_m, self.table,
            candidates=candidates,
        )  # fmt: skip
        return restrict_to_volumes(
            sol, self.launchers.battery_id, self.table.needs_fire_control, self.fc_volume
        )

    @property
    def max_range_m(self) -> F:
        """(I,) maximum range of each interceptor type, m."""
        return self.table.max_range_m

    # -- launches ------------------------------------------------------------
    def launch(self, orders: Orders, picture: TrackPicture) -> Events:
        """Commit orders: take the rounds from the magazines, mark launchers busy and
        start a salvo per order, pending until its launch time (:meth:`commit_launches`
        fires or cancels it then). Returns no events: ``launch`` events are emitted at
        the launch.

        Raises ``ValueError`` if an order asks for rounds a launcher does not hold
        (C2 must never do that).
        """
        rows = picture.rows_of(orders.track_id)
        for k in range(len(orders)):  # few orders per cycle; bookkeeping only
            row = self._row[int(orders.launcher_id[k])]
            i = int(orders.interceptor_id[k])
            n = int(orders.n_rounds[k])
            if n < 1 or self.rounds[row, i] < n:
                raise ValueError(
                    f"order {orders.order_id[k]}: launcher {orders.launcher_id[k]} holds "
                    f"{self.rounds[row, i]} rounds of {self.table.names[i]} (asked {n})"
                )
            t_l = float(orders.t_launch_s[k])
            self.rounds[row, i] -= n
            self.ready_t_s[row] = t_l + n * self.table.launch_interval_s[i]
            self._record(orders, k, picture, int(rows[k]))
            self._pending[int(orders.order_id[k])] = (row, i, n, t_l)
        self.in_flight = Orders.concat([self.in_flight, orders])
        return Events.empty()

    def commit_launches(
        self, t_s: float, track_ids: NDArray[np.int64] | None, *, before: bool = False,
        fc: FireControlHold | None = None,
    ) -> Events:  # fmt: skip
        """Launch the pending salvos due by ``t_s`` (strictly before it if ``before``)
        whose track (after any handover) is among ``track_ids`` (the firm tracks now)
        and held within the battery's hold time (``fc``; None: not checked) by the
        battery's engagement radar, or by any radar for a type any radar's track guides
        in mid-course; cancel the others: a launch needs a track to fire at and a
        current one to guide the round (a track started on a formation's plots that
        has since left it, coasting unseen, is not fired at).
        ``track_ids`` None: launch them all. Returns the ``launch``/``magazine_empty``/
        ``cancel`` events."""
        events: list[Events] = []
        firm = None if track_ids is None else set(np.asarray(track_ids).tolist())
        due = sorted((v[3], o) for o, v in self._pending.items()
                     if v[3] < t_s or (v[3] == t_s and not before))  # fmt: skip
        for _, oid in due:
            row, i, n, t_l = self._pending[oid]
            k = int(np.flatnonzero(self.in_flight.order_id == oid)[0])
            why = self._launch_inhibit(k, i, t_s, firm, fc)
            if why:
                rec = self._withdraw(oid, t_s)
                self.in_flight = self.in_flight.select(self.in_flight.order_id != oid)
                events.append(cancel_event(rec, t_s, why))
                continue
            del self._pending[oid]
            self.records[oid].track_id_launch = int(self.in_flight.track_id[k])
            events.append(self._event(self.in_flight, k, "launch", t_l, float(n)))
            if self.rounds[row, i] == 0 and not any(
                v[0] == row and v[1] == i for v in self._pending.values()
            ):
                events.append(self._event(self.in_flight, k, "magazine_empty", t_l, 0.0))
                self._reload(row, i, t_l)
        return Events.concat(events)

    def _launch_inhibit(
        self, k: int, i: int, t_s: float, firm: set[int] | None, fc: FireControlHold | None
    ) -> str:
        """Why pending salvo ``k`` (of type ``i``) may not leave the rail now ("": it may)."""
        track_id = int(self.in_flight.track_id[k])
        if firm is not None and track_id not in firm:
            return "track lost before launch"
        battery_id = int(self.in_flight.battery_id[k])
        if fc is None:
            return ""
        if self.table.support[i].midcourse == "any_track":  # any radar's track guides it
            if not fc.holds(t_s, battery_id, track_id, any_radar=True):
                return "no current track at launch"
        elif not fc.holds(t_s, battery_id, track_id):
            return "no fire-control track at launch"
        return ""

    def _launch_overdue(self, t_s: float) -> Events:
        """Launch, unchecked, the salvos whose launch time passed before ``t_s`` without a
        :meth:`commit_launches` (a driver that never calls it keeps the old protocol)."""
        return self.commit_launches(t_s, None, before=True)

    def next_launch_t_s(self) -> float:
        """Earliest pending launch time, s (inf if none)."""
        return min((v[3] for v in self._pending.values()), default=np.inf)

    def _withdraw(self, order_id: int, t_s: float) -> SalvoRecord:
        """Withdraw a pending order: rounds back to the magazine, launcher free now,
        no salvo in the log. Returns its record (for the ``cancel`` event)."""
        row, i, n, _ = self._pending.pop(order_id)
        self.rounds[row, i] += n
        self.ready_t_s[row] = min(self.ready_t_s[row], t_s)
        self._reach.pop(order_id, None)
        return self.records.pop(order_id)

    def _reload(self, row: int, i: int, t_s: float) -> None:
        refill = min(int(self.launchers.loadout[row, i]), int(self.reserve[row, i]))
        if refill > 0:
            self.reserve[row, i] -= refill
            self.rounds[row, i] = refill
            self.ready_t_s[row] = max(self.ready_t_s[row], t_s + float(self.table.reload_s[i]))

    def _record(self, orders: Orders, k: int, picture: TrackPicture, row: int) -> None:
        b = int(orders.battery_id[k])
        fc_t = fc_prev = -np.inf
        if row >= 0 and b in picture.battery_id:
            col = picture.column(b)
            fc_t = float(picture.fc_last_hit_t_s[row, col])
            fc_prev = float(picture.fc_prev_hit_t_s[row, col])
        lrow = self._row[int(orders.launcher_id[k])]
        oid = int(orders.order_id[k])
        self.records[oid] = SalvoRecord(
            order_id=oid,
            battery_id=b,
            launcher_id=int(orders.launcher_id[k]),
            interceptor_id=int(orders.interceptor_id[k]),
            interceptor_type=self.table.names[int(orders.interceptor_id[k])],
            n_rounds=int(orders.n_rounds[k]),
            track_id_order=int(orders.track_id[k]),
            fc_radar_id=int(self.fc_radar_id.get(b, -1)),
            t_order_s=float(orders.t_s[k]),
            t_launch_s=float(orders.t_launch_s[k]),
            launcher_m=tuple(float(v) for v in self.launchers.pos_m[lrow]),  # type: ignore[arg-type]
            pip_m=(float(orders.pip_e_m[k]), float(orders.pip_n_m[k]), float(orders.pip_u_m[k])),
            fc_age_at_launch_s=float(picture.t_s - fc_prev),
            support_t_s=float(orders.t_s[k]),
            support_track_ids=picture.tracks.track_id,
            fc_t_s=fc_t,
        )

    def _event(self, orders: Orders, k: int, kind: str, t_s: float, value: float) -> Events:
        return make_events(
            t_s, kind, track_id=orders.track_id[k], battery_id=orders.battery_id[k],
            launcher_id=orders.launcher_id[k], order_id=orders.order_id[k], value=value,
            detail=self.table.names[int(orders.interceptor_id[k])],
        )  # fmt: skip

    # -- in flight -----------------------------------------------------------
    def maintain(self, picture: TrackPicture) -> Events:
        """Handover, support check and mid-course update of the salvos in flight
        (:func:`iadsim.engagement.flight.maintain_salvos`). Returns ``handover`` and
        ``abort`` events."""
        if not len(self.in_flight):
            return Events.empty()
        overdue = self._launch_overdue(picture.t_s)
        lrow = np.array([self._row[int(x)] for x in self.in_flight.launcher_id], dtype=np.int64)
        upd: FlightUpdate = maintain_salvos(
            self.in_flight, self.records, picture, self.table,
            self.launchers.pos_m[lrow], intercepted=self._intercepted,
            reacquire_accel_mps2=self.reacquire_accel_mps2,
        )  # fmt: skip
        for oid in upd.aborted:
            self._last[self.records[oid].track_id] = picture.t_s
        self.in_flight, self._reach = upd.in_flight, upd.reach
        for oid in upd.cancelled:  # flight.py emitted their cancel events
            self._withdraw(oid, picture.t_s)
        return Events.concat([overdue, upd.events])

    def _reach_track_ids(self) -> Int:
        """Tracks within reach of the salvos flying unsupported (still in flight)."""
        flying = set(self.in_flight.order_id.tolist())
        ids = {t for o, ts in self._reach.items() if o in flying for t in ts}
        return np.array(sorted(ids), dtype=np.int64)

    # -- intercepts ----------------------------------------------------------
    def next_intercept_t_s(self) -> float:
        """Earliest pending intercept time, s (inf if nothing is in flight)."""
        return float(self.in_flight.t_intercept_s.min()) if len(self.in_flight) else np.inf

    def resolve(
        self, truth: Truth, t_s: float, rng: np.random.Generator, physics: TargetPhysics
    ) -> tuple[Intercepts, Events]:
        """Resolve every salvo due by ``t_s`` against ``truth`` (states at ``t_s``).

        Salvos whose type needs the engagement radar at the end and lost it are
        aborted first. Returns the outcomes and the ``intercept``, ``kill``/``miss``
        and ``abort`` events; resolved salvos release their channels.
        """
        due = self.in_flight.t_intercept_s <= t_s
        if not due.any():  # nothing due (no draws either)
            return Intercepts.empty(), Events.empty()
        launched = self._launch_overdue(t_s)
        eng = self.in_flight.select(due)
        self.in_flight = self.in_flight.select(~due)
        terminal_ok = np.array([self._terminal_supported(int(o), t_s) for o in eng.order_id])
        events = [launched, self._abort_terminal(eng.select(~terminal_ok), t_s)]
        eng = eng.select(terminal_ok)
        lrow = np.array([self._row[int(x)] for x in eng.launcher_id], dtype=np.int64)
        out = resolve_intercepts(
            eng, truth, rng, table=self.table,
            launcher_pos_m=self.launchers.pos_m[lrow].reshape(-1, 3), physics=physics,
            killed_threat_id=self._killed_id, killed_t_s=self._killed_t_s,
        )  # fmt: skip
        if not len(out):
            return out, Events.concat(events)
        self._killed_id = np.concatenate([self._killed_id, out.threat_id[out.killed]])
        self._killed_t_s = np.concatenate([self._killed_t_s, out.t_s[out.killed]])
        live = truth.alive  # a salvo ends on a living target it acquired, else at its PIP
        pos = dict(zip(truth.threat_id[live].tolist(), truth.pos_m()[live].tolist(), strict=True))
        by_id = {int(o): k for k, o in enumerate(eng.order_id)}
        for j in range(len(out)):
            rec = self.records[int(out.order_id[j])]
            k = by_id[rec.order_id]
            pip = (float(eng.pip_e_m[k]), float(eng.pip_n_m[k]), float(eng.pip_u_m[k]))
            th = int(out.threat_id[j])
            acquired = th in pos and out.reason[j] != "terminal acquisition failed"
            at = tuple(pos[th]) if acquired else pip
            rec.threat_id_end, rec.miss_distance_m = th, float(out.miss_distance_m[j])
            rec.pk_table, rec.p_acquisition = float(out.pk_table[j]), float(out.p_acquisition[j])
            rec.pk = rec.pk_table * rec.p_acquisition
            outcome = "kill" if out.killed[j] else "miss"
            rec.end(outcome, str(out.reason[j]), float(out.t_s[j]), at)
            self._last[rec.track_id] = self._intercepted[rec.track_id] = float(out.t_s[j])
        common = {
            "threat_id": out.threat_id, "track_id": out.track_id,
            "battery_id": np.array([self.records[int(o)].battery_id for o in out.order_id]),
            "launcher_id": np.array([self.records[int(o)].launcher_id for o in out.order_id]),
            "order_id": out.order_id,
        }  # fmt: skip
        events.append(make_events(out.t_s, "intercept", value=out.miss_distance_m, **common))
        kind = np.where(out.killed, "kill", "miss")
        pk = out.pk_table * out.p_acquisition
        events.append(make_events(out.t_s, kind, value=pk, detail=out.reason, **common))
        return out, Events.concat(events)

    def _terminal_supported(self, order_id: int, t_s: float) -> bool:
        rec = self.records[order_id]
        sup = self.table.support[rec.interceptor_id]
        return sup.terminal != "fire_control" or t_s - rec.fc_t_s <= sup.max_gap_s

    def _abort_terminal(self, salvos: Orders, t_s: float) -> Events:
        out = []
        for k in range(len(salvos)):
            rec = self.records[int(salvos.order_id[k])]
            pip = (float(salvos.pip_e_m[k]), float(salvos.pip_n_m[k]), float(salvos.pip_u_m[k]))
            rec.end("aborted", "no terminal fire-control support", t_s, pip)
            self._last[rec.track_id] = t_s
            out.append(abort_event(rec, t_s))
        return Events.concat(out)

    def log(self) -> Engagements:
        """One row per salvo launched so far, in order id order (orders still waiting
        for their launch time are not salvos yet)."""
        launched = [k for k in sorted(self.records) if k not in self._pending]
        return SalvoRecord.frame([self.records[k] for k in launched])
