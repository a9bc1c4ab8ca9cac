"""Intercept outcomes: terminal acquisition and kill draws, resolved on truth.

Outcome model (operations-research level)
-----------------------------------------
A salvo reaches its (last updated) predicted intercept point (PIP) at
``t_intercept_s``. Truth decides the physics, and only the physics:

1. The candidate is the *living* threat nearest to the PIP (evaluated on truth)
   within the acquisition basket of the type (the last PIP error of its
   :class:`~iadsim.engagement.guidance.AcquisitionTable`); none -> miss. When a
   threat no longer in the air lies in the basket the reason says why it is gone
   (given the engagement's earlier kills, ``killed_threat_id`` and ``killed_t_s``):
   ``"track of a destroyed target"`` if it was killed before this salvo was ordered
   (the order went to a track of a dead target), ``"target already destroyed"`` if it
   was killed later (by another salvo), ``"target leaked before intercept"`` if no
   salvo killed it (it reached its target site or route end first); that threat and
   its distance to the PIP are recorded. Else ``"no threat in acquisition basket"``.
   The reasons are listed in :data:`iadsim.engagement.log.REASONS`.
2. Each round acquires the candidate with probability ``P_acq(d, sigma)`` (PIP
   error ``d`` and the candidate's RCS ``sigma`` at the acquisition band, seen from
   the launcher) and, once acquired, kills it with the catalog's single-shot
   ``Pk(range fraction, true class)``. The salvo kills if any round does
   (independent rounds: ``1 - (1 - P_acq Pk)^n``). A miss says whether no round
   acquired (``"terminal acquisition failed"``) or the acquired rounds missed
   (``"warhead miss"``).
3. Two uniform draws per round (acquisition, kill) are always taken, so the random
   stream does not depend on the geometry. When several salvos kill one threat in
   the same call, the first (by intercept time, then order id) is credited and the
   others become misses (``"target already destroyed"``).
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.engagement.interceptors import InterceptorTable
from iadsim.frames import F64, I64, Frame, Orders, Truth, col
from iadsim.numeric import sorted_position

__all__ = ["Intercepts", "TargetPhysics", "draw_salvo", "match_threats", "resolve_intercepts"]

F = NDArray[np.float64]


class TargetPhysics(Protocol):
    """Physical properties of the true threats that an intercept depends on
    (implemented by the simulation layer from the sensors' RCS tables)."""

    def threat_class(self, threat_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """True class code (Pk table row) of each threat id."""
        ...

    def rcs_dbsm(
        self, threat_id: NDArray[np.int64], truth: Truth, rows: NDArray[np.int64],
        from_m: F, frequency_hz: F,
    ) -> F:  # fmt: skip
        """Mean RCS (dBsm) of the threats in ``truth`` rows ``rows`` seen from
        ``from_m`` (N, 3) at ``frequency_hz`` (N,)."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class Intercepts(Frame):
    """One row per resolved salvo."""

    t_s: NDArray[np.float64] = col(F64, "intercept time, s")
    order_id: NDArray[np.int64] = col(I64)
    track_id: NDArray[np.int64] = col(I64)
    threat_id: NDArray[np.int64] = col(
        I64, "candidate threat (living; else the one no longer in the air), -1 if none"
    )
    killed: NDArray[np.bool_] = col(np.bool_)
    miss_distance_m: NDArray[np.float64] = col(F64, "PIP to that threat, m (inf if none)")
    pk_table: NDArray[np.float64] = col(F64, "single-shot Pk of the table (true class)")
    p_acquisition: NDArray[np.float64] = col(F64, "probability of terminal acquisition")
    reason: NDArray[np.str_] = col("U", "'' for a kill, else why the salvo missed")


def match_threats(
    pip_m: F, truth_pos_m: F, truth_alive: NDArray[np.bool_], gate_m: F | float
) -> tuple[NDArray[np.int64], F]:
    """Nearest living truth row to each PIP within its gate.

    Parameters
    ----------
    pip_m : (E, 3) predicted intercept points, ENU m.
    truth_pos_m : (N, 3) truth positions at the intercept time, ENU m.
    truth_alive : (N,) alive flags.
    gate_m : scalar or (E,) match gates, m.

    Returns
    -------
    index : (E,) truth row index or -1; distance_m : (E,) (inf where -1).
    """
    e = np.asarray(pip_m, dtype=np.float64).reshape(-1, 3)
    x = np.asarray(truth_pos_m, dtype=np.float64).reshape(-1, 3)
    gate = np.broadcast_to(np.asarray(gate_m, dtype=np.float64), (e.shape[0],))
    live = np.flatnonzero(np.asarray(truth_alive, dtype=bool) & np.isfinite(x).all(axis=1))
    none = np.full(e.shape[0], -1, dtype=np.int64), np.full(e.shape[0], np.inf)
    if e.shape[0] == 0 or live.size == 0:
        return none
    dist, j = cKDTree(x[live]).query(e, k=1)
    ok = np.isfinite(dist) & (dist <= gate)
    idx = np.where(ok, live[np.minimum(j, live.size - 1)], -1).astype(np.int64)
    return idx, np.where(ok, dist, np.inf)


def draw_salvo(
    p_acq: F, pk: F, n_rounds: NDArray[np.int64], rng: np.random.Generator
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(any round acquired, any round killed) per salvo (E,).

    ``2 * sum(n_rounds)`` uniform draws in row order: per round one for the
    acquisition (``u < p_acq``) and one for the kill (``u < pk``).
    """
    n = np.asarray(n_rounds, dtype=np.int64)
    if n.size == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    if np.any(n < 1):
        raise ValueError(f"n_rounds must be >= 1 (got min {n.min()})")
    u = rng.random((int(n.sum()), 2))
    acq = u[:, 0] < np.repeat(np.asarray(p_acq, dtype=np.float64), n)
    hit = acq & (u[:, 1] < np.repeat(np.asarray(pk, dtype=np.float64), n))
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    return np.logical_or.reduceat(acq, starts), np.logical_or.reduceat(hit, starts)


def _why_gone(
    threat_id: NDArray[np.int64], t_order_s: F, killed_id: NDArray[np.int64] | None,
    killed_t_s: F | None,
) -> NDArray[np.object_]:  # fmt: skip
    """Reason (E,) for salvos whose basket holds ``threat_id`` (E,), no longer in the air
    (module doc, 1); ``t_order_s`` (E,) the salvos' order times."""
    if killed_id is None or killed_t_s is None:
        return np.full(threat_id.shape[0], "target already destroyed", dtype=object)
    order = np.argsort(killed_id, kind="stable")
    at = sorted_position(killed_id, threat_id, sorter=order)
    t_kill = np.append(np.asarray(killed_t_s, dtype=np.float64), np.inf)[at]  # -1: never
    out = np.where(t_kill <= t_order_s, "track of a destroyed target", "target already destroyed")
    return np.where(at < 0, "target leaked before intercept", out).astype(object)


def resolve_intercepts(
    salvos: Orders,
    truth: Truth,
    rng: np.random.Generator,
    *,
    table: InterceptorTable,
    launcher_pos_m: F,
    physics: TargetPhysics,
    killed_threat_id: NDArray[np.int64] | None = None,
    killed_t_s: F | None = None,
) -> Intercepts:
    """Resolve salvos (sorted here by intercept time, then order id) on truth at ``t``.

    ``launcher_pos_m`` (E, 3) are the salvos' launcher positions (aspect of the
    acquisition and the intercept range of the Pk table). ``killed_threat_id`` (K,)
    and ``killed_t_s`` (K,): the threats earlier intercepts killed and when (None:
    every threat gone from the air counts as destroyed), for the reason of a salvo
    whose basket holds a threat no longer in the air (module doc, 1).
    """
    order = np.lexsort((salvos.order_id, salvos.t_intercept_s))
    eng = salvos.select(order)
    x_l = np.asarray(launcher_pos_m, dtype=np.float64).reshape(-1, 3)[order]
    i = eng.interceptor_id
    pip = np.stack([eng.pip_e_m, eng.pip_n_m, eng.pip_u_m], axis=-1)
    basket = np.array([table.acquisition[k].basket_m for k in i], dtype=np.float64)
    idx, dist = match_threats(pip, truth.pos_m(), truth.alive, basket)
    found = idx >= 0
    threat = np.where(found, truth.threat_id[np.maximum(idx, 0)], -1) if len(eng) else idx
    p_acq = np.zeros(len(eng))
    pk = np.zeros(len(eng))
    if found.any():
        k = np.flatnonzero(found)
        rng_m = np.sqrt(np.sum((pip[k] - x_l[k]) ** 2, axis=-1))
        pk[k] = table.pk_of_type(rng_m, physics.threat_class(threat[k]), i[k])
        freq = np.array([table.acquisition[j].frequency_hz for j in i[k]], dtype=np.float64)
        rcs = physics.rcs_dbsm(threat[k], truth, idx[k], x_l[k], freq)
        for j in np.unique(i[k]):  # loop over interceptor types only (few)
            sel = k[i[k] == j]
            p_acq[sel] = table.acquisition[j](dist[sel], rcs[i[k] == j])
    acquired, killed = draw_salvo(p_acq, pk, eng.n_rounds, rng)
    killed &= found
    dead_idx, dead_dist = match_threats(pip, truth.pos_m(), ~truth.alive, basket)
    dead_id = np.append(truth.threat_id, -1)[dead_idx]  # (-1: none in the basket)
    gone = _why_gone(dead_id, eng.t_s, killed_threat_id, killed_t_s)
    threat = np.where(found, threat, dead_id)  # a threat no longer in the air: named too
    dist = np.where(found, dist, dead_dist)
    reason = np.where(
        ~found,
        np.where(dead_idx >= 0, gone, "no threat in acquisition basket"),
        np.where(~acquired, "terminal acquisition failed", "warhead miss"),
    ).astype(object)
    if killed.any():  # credit only the first kill of each threat
        k = np.flatnonzero(killed)
        _, first = np.unique(threat[k], return_index=True)
        later = np.setdiff1d(k, k[first])
        killed[later] = False
        reason[later] = "target already destroyed"
    reason[killed] = ""
    return Intercepts(
        t_s=eng.t_intercept_s,
        order_id=eng.order_id,
        track_id=eng.track_id,
        threat_id=threat,
        killed=killed,
        miss_distance_m=dist,
        pk_table=pk,
        p_acquisition=p_acq,
        reason=reason.astype(str),
    )
