"""Intercept outcomes: match engagements to truth, draw kills with the run's RNG.

Outcome model (operations-research level)
-----------------------------------------
An engagement (one row of :class:`iadsim.frames.Orders`) reaches its predicted
intercept point (PIP) at ``t_intercept_s``. It is matched to the nearest
*living* truth threat within ``gate_m`` of the PIP (the interceptor's
end-game correction is not modelled beyond this gate). Every interceptor of
the salvo gets one uniform draw ``u``; the round kills if ``u < pk``; the
salvo kills if any round does (independent shots: ``1 - (1 - pk)^n``). An
engagement with no threat in the gate is a miss (its rounds are still drawn so
that the random stream does not depend on the geometry). When several
engagements kill the same threat in one call, the first (by intercept time,
then order id) is credited and the others become misses.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.frames import F64, I64, Frame, Orders, Truth, col

__all__ = ["Intercepts", "draw_salvo_kills", "match_threats", "resolve_intercepts"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Intercepts(Frame):
    """One row per resolved engagement."""

    t_s: NDArray[np.float64] = col(F64, "intercept time, s")
    order_id: NDArray[np.int64] = col(I64)
    track_id: NDArray[np.int64] = col(I64)
    threat_id: NDArray[np.int64] = col(I64, "matched truth threat, -1 if none in the gate")
    killed: NDArray[np.bool_] = col(np.bool_)
    miss_distance_m: NDArray[np.float64] = col(F64, "PIP to matched threat, m (inf if none)")


def match_threats(
    pip_m: NDArray[np.float64],
    truth_pos_m: NDArray[np.float64],
    truth_alive: NDArray[np.bool_],
    gate_m: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Nearest living truth row to each PIP within ``gate_m``.

    Parameters
    ----------
    pip_m : (E, 3) predicted intercept points, ENU m.
    truth_pos_m : (N, 3) truth positions at the intercept time, ENU m.
    truth_alive : (N,) alive flags.
    gate_m : match gate, m.

    Returns
    -------
    index : (E,) truth row index or -1.
    distance_m : (E,) distance to that row (inf where -1).
    """
    e = np.asarray(pip_m, dtype=np.float64).reshape(-1, 3)
    x = np.asarray(truth_pos_m, dtype=np.float64).reshape(-1, 3)
    live = np.flatnonzero(np.asarray(truth_alive, dtype=bool))
    none = np.full(e.shape[0], -1, dtype=np.int64), np.full(e.shape[0], np.inf)
    if e.shape[0] == 0 or live.size == 0:
        return none
    dist, j = cKDTree(x[live]).query(e, k=1, distance_upper_bound=gate_m)
    ok = np.isfinite(dist)
    idx = np.where(ok, live[np.minimum(j, live.size - 1)], -1).astype(np.int64)
    return idx, np.where(ok, dist, np.inf)


def draw_salvo_kills(
    pk: NDArray[np.float64], n_rounds: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Salvo kill flags: one uniform draw per interceptor, salvo kills if any round does.

    Parameters
    ----------
    pk : (E,) single-shot Pk.
    n_rounds : (E,) rounds per salvo (>= 1).
    rng : the stage's random generator (``sum(n_rounds)`` draws, row order).
    """
    n = np.asarray(n_rounds, dtype=np.int64)
    if n.size == 0:
        return np.zeros(0, dtype=bool)
    if np.any(n < 1):
        raise ValueError(f"n_rounds must be >= 1 (got min {n.min()})")
    u = rng.random(int(n.sum()))
    hit = u < np.repeat(np.asarray(pk, dtype=np.float64), n)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    return np.asarray(np.logical_or.reduceat(hit, starts))


def resolve_intercepts(
    engagements: Orders, truth: Truth, rng: np.random.Generator, *, gate_m: float = 1000.0
) -> Intercepts:
    """Resolve engagements against the truth states at their intercept time.

    Parameters
    ----------
    engagements : in-flight orders being resolved (any order; sorted here by
        ``(t_intercept_s, order_id)`` so the draws are reproducible).
    truth : truth rows at the intercept time (``t_s`` not checked).
    rng : random generator of the engagement stage.
    gate_m : PIP-to-threat match gate, m.
    """
    order = np.lexsort((engagements.order_id, engagements.t_intercept_s))
    eng = engagements.select(order)
    pip = np.stack([eng.pip_e_m, eng.pip_n_m, eng.pip_u_m], axis=-1)
    idx, dist = match_threats(pip, truth.pos_m(), truth.alive, gate_m)
    hit = draw_salvo_kills(eng.pk, eng.n_rounds, rng)
    threat = np.where(idx >= 0, truth.threat_id[np.maximum(idx, 0)], -1) if len(eng) else idx
    killed = hit & (idx >= 0)
    if killed.any():  # credit only the first kill of each threat
        k = np.flatnonzero(killed)
        _, first = np.unique(threat[k], return_index=True)
        keep = np.zeros_like(killed)
        keep[k[first]] = True
        killed = keep
    return Intercepts(
        t_s=eng.t_intercept_s,
        order_id=eng.order_id,
        track_id=eng.track_id,
        threat_id=threat,
        killed=killed,
        miss_distance_m=dist,
    )
