"""Salvos in flight: handover to successor tracks, support checks, mid-course updates.

Once per C2 cycle, from the defender's :class:`~iadsim.picture.TrackPicture` only:

1. **Handover.** A salvo whose track is no longer in the picture (deleted, or
   replaced after a break, merge or split) flies on to its last PIP and is handed,
   as soon as one exists, to the *successor* track: the
   firm track nearest to the lost track's last estimate propagated to now,
   ``d2 = sum_k (p'_k - q_k)^2 / (var'_k + var_q,k) <= gamma`` over the three
   position components (``p' = p + v dt``, ``var' = max(var_p + var_v dt^2,
   (B / 3)^2)`` with ``B`` the type's acquisition basket: a target the round can
   still reach counts, however sharp the lost estimate was; ``gamma`` the
   chi-square 3 DOF 99% gate), among the tracks that can support the salvo's
   type (held by the battery's engagement radar when the type needs it), those no
   other salvo flies on first (in a formation whose tracks merged, the rounds of the
   lost tracks spread over the aircraft still tracked instead of converging on one).
   A track *awaiting kill assessment* (a salvo reached its intercept on it and no
   detection has updated it since: the aircraft is presumed killed until it is seen
   again, as C2's shoot-look-shoot reads it) counts as engaged, not free.
   Rounds already in the air fall back to an engaged track when no free one is in the
   gate (and spread again later, step 1b); a salvo not launched yet does not:
   launching it on a track another salvo engages would be a second engagement of that
   aircraft, so it waits for a free successor and is cancelled at its launch time if
   none came. No
   successor within the type's ``max_gap_s`` of the loss (a new track needs a few
   looks to become firm): the salvo is aborted (self-destruct), reason ``"track lost,
   no successor"``. Fire-and-forget salvos (``midcourse: none``) keep flying.
1b. **Spread.** A guided salvo in the air whose track an earlier salvo also flies on,
   or whose track awaits kill assessment (another salvo has just intercepted on it),
   moves, as soon as one exists, to a free track (no salvo flies on it, no assessment
   pending) within the same gate
   around that track's estimate (among the tracks that can support it): the aircraft
   of a formation whose tracks merged and split again are each engaged once, the
   second salvo on an aircraft probably killed turns to its unengaged wingman, and C2
   does not read the unengaged-looking tracks as free targets for new salvos.
2. **Support.** A salvo in the air whose type needs the engagement radar in
   mid-course, on a track that radar no longer holds (within ``track_hold_s``), is
   first handed as in step 1b to the free track nearest its estimate in the gate that
   the radar does hold: support is per aircraft, not per track id (the radar's plots
   may leave a fused track for one of their own, e.g. when a surveillance radar
   merges a formation it cannot resolve; ``docs/dev/notes.md``). Without that radar's
   update for more than ``max_gap_s`` beyond ``track_hold_s`` it is aborted, reason
   ``"fire-control support lost"``.
3. **Mid-course update.** Supported salvos (``fire_control``: the engagement radar
   updated the track within its hold time; ``any_track``: track in the picture) get
   their PIP and
   intercept time re-solved from the track they are attached to now
   (:func:`iadsim.engagement.intercept.update_intercepts`); where no solution lies in
   the envelope the old PIP is kept.
4. **Reach.** A guided salvo without support this cycle (its track lost and not yet
   handed over, or not updated by the engagement radar) flies on its last PIP and
   may still acquire any aircraft in its basket: every picture track within the
   handover gate of its last estimate (step 1's test, all tracks, not only the
   nearest) is *within its reach*, and so is every track that entered the picture
   after the salvo last had support and lies within the manoeuvre envelope of that
   estimate (a break turn can put the aircraft kilometres off the extrapolation, and a
   new track there may be it re-acquired; :mod:`iadsim.engagement.reach`). C2 counts
   those tracks engaged until the salvo is handed over, supported again or aborted
   (:attr:`FlightUpdate.reach`), so a fresh track on the same aircraft is not engaged a
   second time meanwhile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.guidance import GuidanceSupport
from iadsim.engagement.intercept import update_intercepts
from iadsim.engagement.interceptors import InterceptorTable, along_line_m
from iadsim.engagement.log import SalvoRecord, abort_event, cancel_event
from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2, reach_mask, successor_rows
from iadsim.frames import Events, Orders, Tracks, make_events
from iadsim.picture import DUPLICATE_GATE, TrackPicture

__all__ = ["FlightUpdate", "maintain_salvos", "successor_rows"]

F = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FlightUpdate:
    """Result of :func:`maintain_salvos`: the salvos still flying, the events, and the
    order ids aborted."""

    in_flight: Orders
    events: Events
    aborted: tuple[int, ...]
    cancelled: tuple[int, ...] = ()
    """Order ids withdrawn before their launch time (their rounds were never fired)."""
    reach: dict[int, tuple[int, ...]] = dataclasses.field(default_factory=dict)
    """Order id -> track ids within reach of that unsupported salvo (module doc, step 4)."""


def maintain_salvos(
    in_flight: Orders,
    records: dict[int, SalvoRecord],
    picture: TrackPicture,
    table: InterceptorTable,
    launcher_pos_m: F,
    gate: float = DUPLICATE_GATE,
    intercepted: Mapping[int, float] | None = None,
    reacquire_accel_mps2: float = REACQUIRE_ACCEL_MPS2,
) -> FlightUpdate:
    """Handover, support and mid-course update of every salvo in ``in_flight``
    (module doc); ``records`` are updated in place, ``launcher_pos_m`` (E, 3),
    ``intercepted`` maps a track id to the time of the last intercept of a salvo on
    it (tracks awaiting kill assessment, module doc step 1), ``reacquire_accel_mps2``
    the acceleration of the manoeuvre envelope (step 4; 0: the handover gate only)."""
    recs = [records[int(o)] for o in in_flight.order_id]
    f = _Flight(
        in_flight=in_flight,
        picture=picture,
        recs=recs,
        support=[table.support[int(i)] for i in in_flight.interceptor_id],
        col=np.array([_column(picture, r.battery_id) for r in recs], dtype=np.int64),
        track_id=in_flight.track_id.copy(),
        rows=picture.rows_of(in_flight.track_id),
        keep=np.ones(len(in_flight), dtype=bool),
        guided=np.array([table.support[int(i)].midcourse != "none"
                         for i in in_flight.interceptor_id], dtype=bool),
        floor_m=np.array([table.acquisition[int(i)].basket_m / 3.0
                          for i in in_flight.interceptor_id], dtype=np.float64),
        assessing=_awaiting_assessment(picture, intercepted or {}),
        launcher_m=launcher_pos_m,
        flown_m=table.flown_m(picture.t_s - in_flight.t_launch_s, in_flight.interceptor_id),
    )  # fmt: skip
    _hand_over(f, gate)
    _spread(f, gate)
    _support_handover(f, gate)
    update = _check_support(f)
    reach = _reach(f, update, gate, reacquire_accel_mps2)
    cols = _midcourse(f, update, table, launcher_pos_m)
    flying = Orders.from_trusted_columns({c: v[f.keep] for c, v in cols.items()})
    gone = set(f.cancelled)
    aborted = tuple(int(o) for o in in_flight.order_id[~f.keep] if int(o) not in gone)
    return FlightUpdate(
        in_flight=flying, events=Events.concat(f.events), aborted=aborted,
        cancelled=tuple(f.cancelled), reach=reach,
    )  # fmt: skip


@dataclasses.dataclass(eq=False, kw_only=True)
class _Flight:
    """Working state of one :func:`maintain_salvos` call over E salvos.

    ``col`` (E,) is each salvo's battery column in the picture (-1: none);
    ``track_id``, ``rows`` (E,) its track now (after handover) and that track's row
    in the picture (-1: not in it); ``keep`` (E,) False once aborted; ``guided`` (E,)
    its type is guided in mid-course; ``floor_m`` (E,) a third of its type's
    acquisition basket (the handover gate's floor on a lost or shared estimate);
    ``assessing`` (T,) the picture tracks awaiting kill assessment (module doc, step 1);
    ``launcher_m`` (E, 3) and ``flown_m`` (E,) each salvo's launcher and the distance
    its rounds have flown (where an abort leaves them).
    """

    in_flight: Orders
    picture: TrackPicture
    recs: list[SalvoRecord]
    support: list[GuidanceSupport]
    col: NDArray[np.int64]
    track_id: NDArray[np.int64]
    rows: NDArray[np.int64]
    keep: NDArray[np.bool_]
    guided: NDArray[np.bool_]
    floor_m: NDArray[np.float64]
    assessing: NDArray[np.bool_]
    events: list[Events] = dataclasses.field(default_factory=list)
    launcher_m: F
    flown_m: F
    cancelled: list[int] = dataclasses.field(default_factory=list)

    def hand_to(self, e: int, r: int) -> None:
        """Attach salvo ``e`` to the picture track of row ``r`` (``handover`` event)."""
        rec, new_id = self.recs[e], int(self.picture.tracks.track_id[r])
        self.events.append(make_events(
            self.picture.t_s, "handover", track_id=new_id, battery_id=rec.battery_id,
            launcher_id=rec.launcher_id, order_id=rec.order_id, value=float(rec.track_id),
        ))  # fmt: skip
        rec.track_id, rec.n_handovers = new_id, rec.n_handovers + 1
        self.track_id[e], self.rows[e] = new_id, r

    def abort(self, e: int, reason: str) -> None:
        """End salvo ``e`` as aborted for ``reason`` now; an order not launched yet is
        cancelled instead (module doc of :mod:`iadsim.engagement.log`)."""
        t = self.picture.t_s
        self.keep[e] = False
        if self.in_flight.t_launch_s[e] > t:
            self.cancelled.append(self.recs[e].order_id)
            self.events.append(cancel_event(self.recs[e], t, f"before launch: {reason}"))
            return
        self.recs[e].end("aborted", reason, t, self.round_position(e))
        self.events.append(abort_event(self.recs[e], t))

    def round_position(self, e: int) -> tuple[float, float, float]:
        """Where salvo ``e``'s rounds are now (its fly-out line, at most the PIP)."""
        at = along_line_m(self.launcher_m[e], np.array(_pip(self.in_flight, e)), self.flown_m[e])
        x, y, z = at.tolist()
        return x, y, z


def _may_support(f: _Flight) -> NDArray[np.bool_]:
    """(E, T): picture track t may carry salvo e (held by the salvo's engagement radar
    when its type needs fire control in mid-course)."""
    fc = f.picture.fc_tracking
    held = np.zeros((len(f.recs), len(f.picture.tracks)), dtype=bool)
    for e in range(len(f.recs)):
        held[e] = fc[:, f.col[e]] if f.col[e] >= 0 else False
        if f.support[e].midcourse != "fire_control":
            held[e] = True
    return held


def _hand_over(f: _Flight, gate: float) -> None:
    """Hand salvos whose track left the picture to a successor, or abort them once
    the type's ``max_gap_s`` has passed without one (module doc, step 1)."""
    t, picture, recs = f.picture.t_s, f.picture, f.recs
    lost = np.flatnonzero((f.rows < 0) & f.guided)
    if lost.size == 0:
        return
    for e in lost.tolist():  # the last estimate of a track lost this cycle
        if recs[e].lost is None:
            recs[e].lost, recs[e].lost_t_s = _last_row(picture.deleted, recs[e].track_id), t
    allowed = _may_support(f)
    taken = f.assessing.copy()  # tracks other salvos fly on or have just flown on
    taken[f.rows[(f.rows >= 0) & f.keep]] = True
    for e in lost.tolist():
        rec = recs[e]
        r = -1
        launched = f.in_flight.t_launch_s[e] < t  # rounds in the air (launches follow C2)
        for may in (allowed[e] & ~taken, allowed[e])[: 2 if launched else 1]:
            r = int(_successors(picture, [rec.lost], may[None, :], gate, f.floor_m[e : e + 1])[0])
            if r >= 0:
                break
        if r >= 0:
            taken[r] = True
            f.hand_to(e, r)
            rec.lost, rec.lost_t_s = None, np.nan
        elif rec.lost is None or t - rec.lost_t_s > f.support[e].max_gap_s:
            f.abort(e, "track lost, no successor")


def _spread(f: _Flight, gate: float) -> None:
    """Move a guided salvo in the air off a track an earlier salvo also flies on, or
    one awaiting kill assessment, to a free track within the handover gate of that
    track (module doc, step 1b): salvos that converged on one track of a formation
    spread again over its aircraft as their tracks reappear."""
    t, tracks = f.picture.t_s, f.picture.tracks
    on = f.keep & f.guided & (f.rows >= 0)
    shared = [e for e in np.flatnonzero(on & (f.in_flight.t_launch_s < t)).tolist()
              if f.assessing[f.rows[e]] or np.any(on[:e] & (f.rows[:e] == f.rows[e]))]  # fmt: skip
    if not shared:
        return
    allowed = _may_support(f)
    taken = f.assessing.copy()
    taken[f.rows[on]] = True
    for e in shared:
        est = tracks.select(f.rows[e : e + 1])
        free = (allowed[e] & ~taken)[None, :]
        r = int(successor_rows(est, t, tracks, free, gate, f.floor_m[e : e + 1])[0])
        if r >= 0:
            taken[r] = True
            f.hand_to(e, r)


def _support_handover(f: _Flight, gate: float) -> None:
    """Move a salvo in the air that needs the engagement radar in mid-course, whose
    track that radar no longer holds, to the free track nearest its estimate within the
    handover gate that the radar does hold (module doc, step 2)."""
    t, fc, tracks = f.picture.t_s, f.picture.fc_tracking, f.picture.tracks
    on = f.keep & (f.rows >= 0) & (f.col >= 0) & (f.in_flight.t_launch_s < t)
    fc_mid = np.array([sup.midcourse == "fire_control" for sup in f.support], dtype=bool)
    need = [e for e in np.flatnonzero(on & fc_mid).tolist() if not fc[f.rows[e], f.col[e]]]
    if not need:
        return
    allowed = _may_support(f)
    taken = f.assessing.copy()
    taken[f.rows[f.keep & (f.rows >= 0)]] = True
    for e in need:
        free = (allowed[e] & ~taken)[None, :]
        est = tracks.select(f.rows[e : e + 1])
        r = int(successor_rows(est, t, tracks, free, gate, f.floor_m[e : e + 1])[0])
        if r >= 0:
            taken[r] = True
            f.hand_to(e, r)


def _reach(
    f: _Flight, update: NDArray[np.bool_], gate: float, accel_mps2: float
) -> dict[int, tuple[int, ...]]:
    """Tracks within reach of each guided salvo that flies unsupported this cycle
    (module doc, step 4), by order id."""
    out: dict[int, tuple[int, ...]] = {}
    tracks = f.picture.tracks
    for e in np.flatnonzero(f.keep & f.guided & ~update).tolist():
        r, rec = int(f.rows[e]), f.recs[e]
        est = tracks.select(np.array([r])) if r >= 0 else rec.lost
        if est is None:
            continue
        new = ~np.isin(tracks.track_id, rec.support_track_ids)
        near = reach_mask(est, f.picture.t_s, tracks, gate, float(f.floor_m[e]), new,
                          f.picture.t_s - rec.seen_t_s, accel_mps2)  # fmt: skip
        out[int(f.in_flight.order_id[e])] = tuple(tracks.track_id[near].tolist())
    return out


def _check_support(f: _Flight) -> NDArray[np.bool_]:
    """Record fire-control and guidance support of the salvos on a picture track;
    abort those that lost fire-control support for longer than ``max_gap_s``
    (module doc, step 2). Returns (E,) the salvos supported now."""
    t, fc = f.picture.t_s, f.picture.fc_tracking
    update = np.zeros(len(f.recs), dtype=bool)
    for e in np.flatnonzero(f.keep & (f.rows >= 0)).tolist():
        rec, sup, r, c = f.recs[e], f.support[e], int(f.rows[e]), int(f.col[e])
        rec.seen_t_s = float(f.picture.last_hit_t_s[r])
        if c >= 0 and fc[r, c]:
            rec.fc_t_s = float(f.picture.fc_last_hit_t_s[r, c])
        if sup.midcourse == "fire_control" and c >= 0:
            supported = bool(fc[r, c])
        else:
            supported = sup.midcourse == "any_track"
        if supported:
            rec.support_t_s, update[e] = t, True
            rec.support_track_ids = f.picture.tracks.track_id
        elif sup.midcourse == "fire_control" and t - rec.support_t_s > sup.max_gap_s:
            f.abort(e, "fire-control support lost")
    return update


def _midcourse(
    f: _Flight, update: NDArray[np.bool_], table: InterceptorTable, launcher_pos_m: F
) -> dict[str, NDArray[np.generic]]:
    """The in-flight columns with the new track ids, and PIPs and intercept times
    re-solved for the supported salvos still before their intercept (step 3)."""
    in_flight, t = f.in_flight, f.picture.t_s
    cols = {c: getattr(in_flight, c).copy() for c in Orders.columns()}
    cols["track_id"] = f.track_id
    sel = np.flatnonzero(update & (in_flight.t_intercept_s > t))
    if sel.size:
        tr = f.picture.tracks
        r = f.rows[sel]
        t_new, pip, ok = update_intercepts(
            tr.pos_m()[r], tr.vel_mps()[r], t, in_flight.t_launch_s[sel], launcher_pos_m[sel],
            table, in_flight.interceptor_id[sel],
        )  # fmt: skip
        upd = sel[ok]
        cols["t_intercept_s"][upd] = t_new[ok]
        for k, c in enumerate(("pip_e_m", "pip_n_m", "pip_u_m")):
            cols[c][upd] = pip[ok, k]
    return cols


def _successors(
    picture: TrackPicture, lost: list[Tracks | None], allowed: NDArray[np.bool_], gate: float,
    sigma_floor_m: F,
) -> NDArray[np.int64]:  # fmt: skip
    """Successor rows in ``picture.tracks`` for lost tracks (their last estimates)."""
    out = np.full(len(lost), -1, dtype=np.int64)
    have = np.array([x is not None for x in lost], dtype=bool)
    if not have.any():
        return out
    rows = Tracks.concat([x for x in lost if x is not None])
    out[have] = successor_rows(
        rows, picture.t_s, picture.tracks, allowed[have], gate, sigma_floor_m[have]
    )
    return out


def _awaiting_assessment(picture: TrackPicture, intercepted: Mapping[int, float]) -> Mask:
    """(T,) picture tracks on which a salvo intercepted and no detection has updated
    them since (module doc, step 1)."""
    tid = picture.tracks.track_id
    if not intercepted or tid.shape[0] == 0:
        return np.zeros(tid.shape[0], dtype=bool)
    ids = np.fromiter(intercepted.keys(), np.int64, len(intercepted))
    t_i = np.fromiter(intercepted.values(), np.float64, len(intercepted))
    order = np.argsort(ids)
    ids, t_i = ids[order], t_i[order]
    k = np.minimum(np.searchsorted(ids, tid), ids.shape[0] - 1)
    return (ids[k] == tid) & (picture.last_hit_t_s <= t_i[k])


def _last_row(deleted: Tracks, track_id: int) -> Tracks | None:
    """The last row of ``track_id`` among the deleted tracks' rows, or None."""
    k = np.flatnonzero(deleted.track_id == track_id)
    return deleted.select(k[-1:]) if k.size else None


def _column(picture: TrackPicture, battery_id: int) -> int:
    hit = np.flatnonzero(picture.battery_id == battery_id)
    return int(hit[0]) if hit.size else -1


def _pip(orders: Orders, e: int) -> tuple[float, float, float]:
    return (float(orders.pip_e_m[e]), float(orders.pip_n_m[e]), float(orders.pip_u_m[e]))
