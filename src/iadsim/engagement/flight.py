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
   type (held by the battery's engagement radar when the type needs it). No
   successor within the type's ``max_gap_s`` of the loss (a new track needs a few
   looks to become firm): the salvo is aborted (self-destruct), reason ``"track lost,
   no successor"``. Fire-and-forget salvos (``midcourse: none``) keep flying.
2. **Support.** A salvo whose type needs the engagement radar in mid-course and
   whose track the engagement radar has not updated for more than ``max_gap_s``
   (beyond its ``track_hold_s``) is aborted, reason ``"fire-control support lost"``.
3. **Mid-course update.** Supported salvos (``fire_control``: the engagement radar
   updated the track within its hold time; ``any_track``: track in the picture) get
   their PIP and
   intercept time re-solved from the track they are attached to now
   (:func:`iadsim.engagement.intercept.update_intercepts`); where no solution lies in
   the envelope the old PIP is kept.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.intercept import update_intercepts
from iadsim.engagement.interceptors import InterceptorTable
from iadsim.engagement.log import SalvoRecord, abort_event
from iadsim.frames import Events, Orders, Tracks, make_events
from iadsim.picture import DUPLICATE_GATE, TrackPicture

__all__ = ["FlightUpdate", "maintain_salvos", "successor_rows"]

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FlightUpdate:
    """Result of :func:`maintain_salvos`: the salvos still flying, the events, and the
    order ids aborted."""

    in_flight: Orders
    events: Events
    aborted: tuple[int, ...]


def successor_rows(
    lost: Tracks, t_s: float, tracks: Tracks, allowed: NDArray[np.bool_], gate: float,
    sigma_floor_m: F | float = 0.0,
) -> NDArray[np.int64]:  # fmt: skip
    """Row of the successor in ``tracks`` of each lost track (module doc), -1 if none.

    Parameters
    ----------
    lost : last estimates of the lost tracks (K rows, their own ``t_s``).
    t_s : time of ``tracks`` (the picture), s.
    tracks : candidate tracks (T rows, at ``t_s``).
    allowed : (K, T) candidates each lost track may be handed to.
    gate : chi-square gate on the position distance.
    sigma_floor_m : scalar or (K,) floor on the lost estimate's position sigma, m.
    """
    k, n = len(lost), len(tracks)
    if k == 0 or n == 0:
        return np.full(k, -1, dtype=np.int64)
    dt = (t_s - lost.t_s)[:, None]
    p = lost.pos_m() + lost.vel_mps() * dt
    vp = np.stack([lost.var_e_m2, lost.var_n_m2, lost.var_u_m2], axis=-1)
    vv = np.stack([lost.var_ve_m2ps2, lost.var_vn_m2ps2, lost.var_vu_m2ps2], axis=-1)
    floor = np.broadcast_to(np.asarray(sigma_floor_m, dtype=np.float64), (k,))[:, None]
    var = np.maximum(vp + vv * dt * dt, floor * floor)
    q = tracks.pos_m()
    vq = np.stack([tracks.var_e_m2, tracks.var_n_m2, tracks.var_u_m2], axis=-1)
    diff = p[:, None, :] - q[None, :, :]
    d2 = np.sum(diff * diff / np.maximum(var[:, None, :] + vq[None, :, :], 1e-9), axis=-1)
    d2 = np.where(allowed & (d2 <= gate), d2, np.inf)
    best = np.argmin(d2, axis=1)
    return np.where(np.isfinite(d2[np.arange(k), best]), best, -1).astype(np.int64)


def maintain_salvos(
    in_flight: Orders,
    records: dict[int, SalvoRecord],
    picture: TrackPicture,
    table: InterceptorTable,
    launcher_pos_m: F,
    gate: float = DUPLICATE_GATE,
) -> FlightUpdate:
    """Handover, support and mid-course update of every salvo in ``in_flight``
    (module doc); ``records`` are updated in place, ``launcher_pos_m`` (E, 3)."""
    t = picture.t_s
    n = len(in_flight)
    track_id = in_flight.track_id.copy()
    rows = picture.rows_of(track_id)
    recs = [records[int(o)] for o in in_flight.order_id]
    support = [table.support[int(i)] for i in in_flight.interceptor_id]
    col = np.array([_column(picture, r.battery_id) for r in recs], dtype=np.int64)
    held = np.zeros((n, len(picture.tracks)), dtype=bool)  # candidate may support salvo e
    fc = picture.fc_tracking
    for e in range(n):
        held[e] = fc[:, col[e]] if col[e] >= 0 else False
        if support[e].midcourse != "fire_control":
            held[e] = True
    events: list[Events] = []
    keep = np.ones(n, dtype=bool)
    lost = np.flatnonzero((rows < 0) & np.array([s.midcourse != "none" for s in support]))
    if lost.size:
        for e in lost.tolist():  # the last estimate of a track lost this cycle
            if recs[e].lost is None:
                recs[e].lost, recs[e].lost_t_s = _last_row(picture.deleted, recs[e].track_id), t
        basket = np.array([table.acquisition[int(in_flight.interceptor_id[e])].basket_m
                           for e in lost.tolist()])  # fmt: skip
        succ = _successors(
            picture, [recs[e].lost for e in lost.tolist()], held[lost], gate, basket / 3.0
        )
        for e, r in zip(lost.tolist(), succ.tolist(), strict=True):
            rec = recs[e]
            if r >= 0:
                new_id = int(picture.tracks.track_id[r])
                events.append(make_events(
                    t, "handover", track_id=new_id, battery_id=rec.battery_id,
                    launcher_id=rec.launcher_id, order_id=rec.order_id, value=float(rec.track_id),
                ))  # fmt: skip
                rec.track_id, rec.n_handovers = new_id, rec.n_handovers + 1
                rec.lost, rec.lost_t_s = None, np.nan
                track_id[e], rows[e] = new_id, r
            elif rec.lost is None or t - rec.lost_t_s > support[e].max_gap_s:
                keep[e] = False
                rec.end("aborted", "track lost, no successor", t, _pip(in_flight, e))
                events.append(abort_event(rec, t))
    update = np.zeros(n, dtype=bool)
    for e in np.flatnonzero(keep & (rows >= 0)).tolist():
        rec, sup, r = recs[e], support[e], int(rows[e])
        if col[e] >= 0 and fc[r, col[e]]:
            rec.fc_t_s = float(picture.fc_last_hit_t_s[r, col[e]])
        supported = bool(fc[r, col[e]]) if sup.midcourse == "fire_control" and col[e] >= 0 else (
            sup.midcourse == "any_track"
        )  # fmt: skip
        if supported:
            rec.support_t_s, update[e] = t, True
        elif sup.midcourse == "fire_control" and t - rec.support_t_s > sup.max_gap_s:
            keep[e] = False
            rec.end("aborted", "fire-control support lost", t, _pip(in_flight, e))
            events.append(abort_event(rec, t))
    cols = {c: getattr(in_flight, c).copy() for c in Orders.columns()}
    cols["track_id"] = track_id
    sel = np.flatnonzero(update & (in_flight.t_intercept_s > t))
    if sel.size:
        tr = picture.tracks
        r = rows[sel]
        t_new, pip, ok = update_intercepts(
            tr.pos_m()[r], tr.vel_mps()[r], t, in_flight.t_launch_s[sel], launcher_pos_m[sel],
            table, in_flight.interceptor_id[sel],
        )  # fmt: skip
        upd = sel[ok]
        cols["t_intercept_s"][upd] = t_new[ok]
        for k, c in enumerate(("pip_e_m", "pip_n_m", "pip_u_m")):
            cols[c][upd] = pip[ok, k]
    flying = Orders.from_trusted_columns({c: v[keep] for c, v in cols.items()})
    aborted = tuple(int(o) for o in in_flight.order_id[~keep])
    return FlightUpdate(in_flight=flying, events=Events.concat(events), aborted=aborted)


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


def _last_row(deleted: Tracks, track_id: int) -> Tracks | None:
    """The last row of ``track_id`` among the deleted tracks' rows, or None."""
    k = np.flatnonzero(deleted.track_id == track_id)
    return deleted.select(k[-1:]) if k.size else None


def _column(picture: TrackPicture, battery_id: int) -> int:
    hit = np.flatnonzero(picture.battery_id == battery_id)
    return int(hit[0]) if hit.size else -1


def _pip(orders: Orders, e: int) -> tuple[float, float, float]:
    return (float(orders.pip_e_m[e]), float(orders.pip_n_m[e]), float(orders.pip_u_m[e]))
