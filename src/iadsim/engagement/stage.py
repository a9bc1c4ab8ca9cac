"""The engagement stage: launches from Orders, magazines, in-flight engagements, outcomes.

Engine protocol
---------------
* ``events = eng.launch(orders)`` right after ``C2.decide``: commits rounds from
  the magazines, marks launchers busy, creates in-flight engagements (which hold
  fire-control channels until resolved) and returns ``launch`` /
  ``magazine_empty`` events.
* optionally ``eng.update(tracks, t_s)`` after each tracker update (mid-course
  update: the engagement radar re-aims in-flight interceptors at the latest
  track estimate; intercept times may move, so re-read ``next_intercept_t_s``).
* ``eng.next_intercept_t_s()`` gives the earliest pending intercept time (inf if
  none); at that time call ``intercepts, events = eng.resolve(truth, t_s, rng)``
  with the truth states at ``t_s``. Every engagement with ``t_intercept_s <= t_s``
  is resolved (``intercept`` + ``kill``/``miss`` events), its channels released,
  and the track may be re-engaged by C2 after the doctrine's kill-assessment
  delay. The engine sets ``alive = False`` for ``intercepts.threat_id[killed]``.
* ``eng.status(t_s)`` and ``eng.solve(...)`` are what C2 reads (see
  :class:`iadsim.c2.stage.WeaponSystem`).

Magazines: ``rounds (L, I)`` on each launcher and ``reserve (L, I)`` rounds held
for it (transloader). When a launcher's rounds of a type reach 0 and reserve
remains, it reloads ``min(loadout, reserve)`` rounds, ready ``reload_s`` after
its last launch (the launcher is unavailable meanwhile). A salvo of ``n``
rounds keeps the launcher busy ``n * launch_interval_s`` after launch; all
rounds of the salvo are assumed to reach the PIP at the same time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.intercept import InterceptSolutions, predict_intercepts, update_intercepts
from iadsim.engagement.interceptors import InterceptorParams, InterceptorTable
from iadsim.engagement.outcome import Intercepts, resolve_intercepts
from iadsim.frames import Events, Orders, Tracks, TrackStatus, Truth, make_events

__all__ = ["Engagement", "FireStatus", "LauncherParams"]

F = NDArray[np.float64]
Int = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class LauncherParams:
    """Launchers of all batteries, shape (L,) / (L, I) (index = row).

    Attributes
    ----------
    launcher_id : (L,) int64 ids.
    battery_id : (L,) int64 battery id of each launcher.
    pos_m : (L, 3) ENU positions, m.
    loadout : (L, I) rounds per interceptor type carried when full.
    reserve : (L, I) reload rounds held for the launcher (0: no reloads).
    """

    launcher_id: Int
    battery_id: Int
    pos_m: F
    loadout: Int
    reserve: Int

    def __post_init__(self) -> None:
        for name in ("launcher_id", "battery_id", "loadout", "reserve"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        object.__setattr__(self, "pos_m", np.asarray(self.pos_m, dtype=np.float64).reshape(-1, 3))
        n = self.launcher_id.shape[0]
        if self.battery_id.shape != (n,) or self.pos_m.shape != (n, 3):
            raise ValueError("LauncherParams: launcher_id, battery_id, pos_m lengths differ")
        if self.loadout.ndim != 2 or self.loadout.shape[0] != n:
            raise ValueError(f"LauncherParams: loadout must be (L, I) (got {self.loadout.shape})")
        if self.reserve.shape != self.loadout.shape:
            raise ValueError("LauncherParams: reserve shape must equal loadout shape")
        if np.any(self.loadout < 0) or np.any(self.reserve < 0):
            raise ValueError("LauncherParams: rounds must be >= 0")


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class FireStatus:
    """Snapshot of magazines, launchers and engagements that C2 reads each cycle.

    ``rounds``/``loadout`` (L, I); ``ready_t_s`` (L,); in-flight rows (E,);
    ``last_*`` one row per track ever resolved: time of its last intercept and
    whether that engagement killed.
    """

    launcher_id: Int
    battery_id: Int
    pos_m: F
    rounds: Int
    loadout: Int
    ready_t_s: F
    in_flight_track_id: Int
    in_flight_battery_id: Int
    in_flight_rounds: Int
    last_track_id: Int
    last_intercept_t_s: F
    last_killed: NDArray[np.bool_]


def _last_rows(tracks: Tracks, track_id: Int) -> Int:
    """(E,) index of the last row of ``tracks`` not deleted for each id, -1 if none."""
    live = np.flatnonzero(tracks.status != TrackStatus.DELETED)
    if live.size == 0:
        return np.full(track_id.shape[0], -1, dtype=np.int64)
    match = track_id[:, None] == tracks.track_id[live][None, :]  # (E, rows): few of each
    last = live.size - 1 - np.argmax(match[:, ::-1], axis=1)
    return np.where(match.any(axis=1), live[np.minimum(last, live.size - 1)], -1)


class Engagement:
    """Engagement stage (one per run); holds magazines and in-flight engagements.

    Parameters
    ----------
    interceptors : compiled interceptor types; index = ``Orders.interceptor_id``.
    launchers : all launchers (rounds per type in the same index order).
    gate_m : PIP-to-threat match gate for :func:`resolve_intercepts`, m.
    """

    def __init__(
        self,
        *,
        interceptors: Sequence[InterceptorParams],
        launchers: LauncherParams,
        gate_m: float = 1000.0,
    ) -> None:
        self.table = InterceptorTable.from_params(interceptors)
        if launchers.loadout.shape[1] != len(self.table):
            raise ValueError(
                f"LauncherParams: loadout has {launchers.loadout.shape[1]} types, "
                f"interceptors has {len(self.table)}"
            )
        self.launchers = launchers
        self.gate_m = float(gate_m)
        self.rounds = launchers.loadout.copy()
        self.reserve = launchers.reserve.copy()
        self.ready_t_s = np.zeros(launchers.launcher_id.shape[0])
        self.in_flight = Orders.empty()
        self._last: dict[int, tuple[float, bool]] = {}
        self._last_arrays: tuple[Int, F, NDArray[np.bool_]] | None = None
        self._row = {int(lid): k for k, lid in enumerate(launchers.launcher_id)}

    # -- C2 side -------------------------------------------------------------
    def status(self, t_s: float) -> FireStatus:
        """Current magazines and engagements (``t_s`` is informational)."""
        if self._last_arrays is None:  # rebuilt after each resolve that changed it
            last = sorted(self._last.items())
            self._last_arrays = (
                np.array([k for k, _ in last], dtype=np.int64),
                np.array([v[0] for _, v in last], dtype=np.float64),
                np.array([v[1] for _, v in last], dtype=bool),
            )
            for a in self._last_arrays:  # shared by the snapshots until the next change
                a.flags.writeable = False
        last_id, last_t, last_k = self._last_arrays
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
            last_track_id=last_id,
            last_intercept_t_s=last_t,
            last_killed=last_k,
        )

    def solve(
        self, pos_m: F, vel_mps: F, target_class: NDArray[np.int64], t_s: float,
        candidates: NDArray[np.bool_] | None = None,
    ) -> InterceptSolutions:  # fmt: skip
        """Intercept solutions (T, L, I) for tracks at ``t_s`` from every launcher.

        ``candidates`` (T, L, I), optional: solve only these triples, the others
        are infeasible (:func:`predict_intercepts`).
        """
        return predict_intercepts(
            pos_m, vel_mps, target_class, t_s, self.launchers.pos_m, self.table,
            candidates=candidates,
        )  # fmt: skip

    @property
    def max_range_m(self) -> F:
        """(I,) maximum range of each interceptor type, m."""
        return self.table.max_range_m

    # -- launches ------------------------------------------------------------
    def launch(self, orders: Orders) -> Events:
        """Commit orders: decrement magazines, mark launchers busy, start engagements.

        Raises ``ValueError`` if an order asks for rounds a launcher does not hold
        (C2 must never do that).
        """
        events: list[Events] = []
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
            events.append(self._event(orders, k, "launch", t_l, float(n)))
            if self.rounds[row, i] == 0:
                events.append(self._event(orders, k, "magazine_empty", t_l, 0.0))
                refill = min(int(self.launchers.loadout[row, i]), int(self.reserve[row, i]))
                if refill > 0:
                    self.reserve[row, i] -= refill
                    self.rounds[row, i] = refill
                    self.ready_t_s[row] = max(
                        self.ready_t_s[row], t_l + float(self.table.reload_s[i])
                    )
        self.in_flight = Orders.concat([self.in_flight, orders])
        return Events.concat(events)

    def _event(self, orders: Orders, k: int, kind: str, t_s: float, value: float) -> Events:
        return make_events(
            t_s,
            kind,
            track_id=orders.track_id[k],
            battery_id=orders.battery_id[k],
            launcher_id=orders.launcher_id[k],
            order_id=orders.order_id[k],
            value=value,
            detail=self.table.names[int(orders.interceptor_id[k])],
        )

    def update(self, tracks: Tracks, t_s: float) -> int:
        """Mid-course update of in-flight engagements from the latest track rows.

        Each in-flight engagement whose track appears in ``tracks`` (any status
        but deleted; the last row per track id is used, propagated to ``t_s``)
        gets its PIP and intercept time re-solved with its own launch time
        (:func:`update_intercepts`). Where no solution lies in the envelope the
        old PIP is kept. Pk is not changed. Returns the number updated.
        """
        fl = self.in_flight
        if not len(fl) or not len(tracks):
            return 0
        rows = _last_rows(tracks, fl.track_id)
        sel = np.flatnonzero((rows >= 0) & (fl.t_intercept_s > t_s))
        if sel.size == 0:
            return 0
        tr = np.stack([tracks.e_m, tracks.n_m, tracks.u_m, tracks.ve_mps, tracks.vn_mps,
                       tracks.vu_mps, tracks.t_s], axis=-1)[rows[sel]]  # fmt: skip
        vel = tr[:, 3:6]
        pos = tr[:, 0:3] + vel * (t_s - tr[:, 6])[:, None]
        lrow = np.array([self._row[int(x)] for x in fl.launcher_id[sel]], dtype=np.int64)
        t_new, pip, ok = update_intercepts(
            pos, vel, t_s, fl.t_launch_s[sel], self.launchers.pos_m[lrow], self.table,
            fl.interceptor_id[sel],
        )  # fmt: skip
        upd = sel[ok]
        if upd.size == 0:
            return 0
        cols = {c: getattr(fl, c) for c in Orders.columns()}  # read-only, shared
        new = {"t_intercept_s": t_new, "pip_e_m": pip[:, 0], "pip_n_m": pip[:, 1],
               "pip_u_m": pip[:, 2]}  # fmt: skip
        for c, val in new.items():
            cols[c] = cols[c].copy()
            cols[c][upd] = val[ok]
        # the frame's own columns, 4 of them updated
        self.in_flight = Orders.from_trusted_columns(cols)
        return int(upd.size)

    # -- intercepts ----------------------------------------------------------
    def next_intercept_t_s(self) -> float:
        """Earliest pending intercept time, s (inf if nothing is in flight)."""
        return float(self.in_flight.t_intercept_s.min()) if len(self.in_flight) else np.inf

    def resolve(
        self, truth: Truth, t_s: float, rng: np.random.Generator
    ) -> tuple[Intercepts, Events]:
        """Resolve every engagement due by ``t_s`` against ``truth`` (states at ``t_s``).

        Returns the outcomes and the ``intercept`` and ``kill``/``miss`` events;
        resolved engagements release their channels.
        """
        due = self.in_flight.t_intercept_s <= t_s
        if not due.any():  # nothing due (no draws either)
            return Intercepts.empty(), Events.empty()
        eng = self.in_flight.select(due)
        eng = eng.select(np.lexsort((eng.order_id, eng.t_intercept_s)))
        out = resolve_intercepts(eng, truth, rng, gate_m=self.gate_m)
        self.in_flight = self.in_flight.select(~due)
        for tid, t, k in zip(out.track_id, out.t_s, out.killed, strict=True):
            was_killed = self._last.get(int(tid), (0.0, False))[1]
            self._last[int(tid)] = (float(t), bool(k) or was_killed)
            self._last_arrays = None
        if not len(out):
            return out, Events.empty()
        common = {
            "threat_id": out.threat_id,
            "track_id": out.track_id,
            "battery_id": eng.battery_id,
            "launcher_id": eng.launcher_id,
            "order_id": out.order_id,
        }
        ev_i = make_events(out.t_s, "intercept", value=out.miss_distance_m, **common)
        kind = np.where(out.killed, "kill", "miss")
        detail = np.where(
            out.threat_id < 0, "no threat in gate", np.where(out.killed, "", "salvo missed")
        )
        ev_k = make_events(out.t_s, kind, value=eng.pk, detail=detail, **common)
        return out, Events.concat([ev_i, ev_k])
