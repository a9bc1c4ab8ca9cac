"""Data association: GNN (optimal 2-D assignment) and JPDA.

Both take the gated pairs of ``n`` tracks and ``m`` measurements and return an
:class:`Association`: pair weights ``beta`` (1 for a GNN assignment, the JPDA
marginal otherwise), the miss weight ``beta0`` per track, and which
measurements were used.

References
----------
GNN: Blackman and Popoli, *Design and Analysis of Modern Tracking Systems*,
Artech 1999, sec 6.4 (assignment with non-assignment costs); sparse LAPJV via
``scipy.sparse.csgraph.min_weight_full_bipartite_matching``.
JPDA: Fortmann, Bar-Shalom, Scheffe, "Sonar tracking of multiple targets using
joint probabilistic data association", IEEE J. Oceanic Eng. 8(3), 1983 (joint
events, parametric clutter); Fitzgerald, "Development of practical PDA logic
for multitarget tracking by microprocessor", ACC 1986 (cheap JPDA).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from iadsim.tracking.gating import Gate, GatedPairs
from iadsim.tracking.roles import Associator

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = [
    "GNN",
    "JPDA",
    "Association",
    "Associator",
    "Chosen",
    "associate_class",
    "dense_unique",
    "jpda_exact",
    "pda_single",
]


@dataclasses.dataclass(frozen=True)
class Association:
    """Result for ``n`` tracks and ``m`` measurements.

    pair_t, pair_d : (p,) pairs that update tracks; beta (p,) their weights.
    beta0 : (n,) weight of "no detection" for every track (1 if no pair).
    b : (n,) IMM-PDA miss term (0 for GNN).
    used : (m,) measurement was gated to (JPDA) or assigned to (GNN) a track.
    pair_k : (p,) index of each pair in the gated pairs (to reuse their innovations).
    """

    pair_t: I64
    pair_d: I64
    beta: F64
    beta0: F64
    b: F64
    used: NDArray[np.bool_]
    pair_k: I64


def _empty(n: int, m: int) -> Association:
    z = np.zeros(0, np.int64)
    return Association(z, z, np.zeros(0), np.ones(n), np.zeros(n), np.zeros(m, bool), z)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GNN:
    """Global nearest neighbour: min sum of costs, each track takes at most one
    measurement, non-assignment costs the gate value.

    cost : "d2" (squared Mahalanobis distance), "d" (Mahalanobis distance) or
        "nll" (d2 + log|S|, the negative log likelihood up to a constant).
    """

    cost: Literal["d2", "d", "nll"] = "d2"

    def associate(self, n: int, m: int, gp: GatedPairs, gamma: float) -> Association:
        """GNN over the gated pairs of ``n`` tracks and ``m`` detections (``Associator``)."""
        if gp.ti.shape[0] == 0:
            return _empty(n, m)
        if self.cost == "d":
            c, miss = np.sqrt(gp.inn.d2), np.full(n, np.sqrt(gamma))
        elif self.cost == "nll":
            c = gp.inn.d2 + gp.inn.logdet
            miss = np.full(n, np.inf)
            np.minimum.at(miss, gp.ti, gp.inn.logdet)
            miss = miss + gamma
        else:
            c, miss = gp.inn.d2, np.full(n, gamma)
        pidx = gnn_solve(gp.ti, gp.di, c, miss, n, m)
        pair_t, pair_d = gp.ti[pidx], gp.di[pidx]
        beta0 = np.ones(n)
        beta0[pair_t] = 0.0
        used = np.zeros(m, bool)
        used[pair_d] = True
        ones = np.ones(pair_t.shape[0])
        return Association(pair_t, pair_d, ones, beta0, np.zeros(n), used, pidx)


def dense_unique(a: I64) -> tuple[I64, I64]:
    """``np.unique(a, return_inverse=True)`` for small non-negative ints (row indices).

    A presence mask over ``0..max(a)`` and its running count give the sorted
    distinct values and each element's rank: the same arrays, without the sort
    and the Python-level bookkeeping of ``np.unique`` (which dominates at the few
    dozen elements of a dwell).
    """
    if a.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    mask = np.zeros(int(a.max()) + 1, bool)
    mask[a] = True
    return mask.nonzero()[0], (np.cumsum(mask) - 1)[a]


def _conflict_free(ti: I64, di: I64) -> bool:
    """True if no track and no measurement occurs in two pairs: the assignment then
    splits into independent choices, pair or miss, whichever costs less."""
    t_sorted = ti if ti.shape[0] < 2 or np.all(ti[1:] >= ti[:-1]) else np.sort(ti)
    return bool(np.all(t_sorted[1:] != t_sorted[:-1]) and np.bincount(di).max() <= 1)


def _best_per(key: I64, score: F64, ok: NDArray[np.bool_]) -> I64:
    """Index of the lowest ``score`` per distinct ``key`` among pairs with ``ok``."""
    idx = ok.nonzero()[0]
    order = idx[np.lexsort((score[idx], key[idx]))]
    first = np.ones(order.shape[0], bool)
    first[1:] = key[order][1:] != key[order][:-1]
    return order[first]


def _solve_sparse(ti: I64, di: I64, c: F64, miss: F64) -> I64:
    """Exact assignment of one sparse sub-problem: min-weight full matching of the
    tracks to measurements or to a private "miss" column each. Returns pair indices."""
    rows, local = np.unique(ti, return_inverse=True)
    # columns: only the measurements present in the sub-problem (in their order)
    _, dj = np.unique(di, return_inverse=True)
    k, q = rows.shape[0], int(dj.max()) + 1
    base = min(float(c.min()), float(miss[rows].min()))
    # a row-independent shift keeps weights > 0 (explicit zeros would be non-edges)
    data = np.concatenate([c - base + 1.0, miss[rows] - base + 1.0])
    ri = np.concatenate([local, np.arange(k)])
    ci = np.concatenate([dj, q + np.arange(k)])
    G = sp.csr_matrix((data, (ri, ci)), shape=(k, q + k))
    r_ind, c_ind = min_weight_full_bipartite_matching(G)
    took = c_ind < q
    r_ind, c_ind = r_ind[took], c_ind[took]
    key = local.astype(np.int64) * (q + 1) + dj
    order = np.argsort(key)
    return order[np.searchsorted(key[order], r_ind.astype(np.int64) * (q + 1) + c_ind)]


def _solve_dense(ti: I64, di: I64, c: F64, miss: F64) -> I64:
    """Dense assignment with one private "miss" column per track (small problems)."""
    rows, rl = dense_unique(ti)
    cols, cl = dense_unique(di)
    k, q = rows.shape[0], cols.shape[0]
    big = 1e6 * (np.abs(c).max() + np.abs(miss[rows]).max() + 1.0) * (k + 1)
    C = np.full((k, q + k), big)
    C[rl, cl] = c
    C[np.arange(k), q + np.arange(k)] = miss[rows]
    r, cc = linear_sum_assignment(C)
    took = (cc < q) & (C[r, np.minimum(cc, q + k - 1)] < big)
    lut = np.full((k, q), -1, np.int64)
    lut[rl, cl] = np.arange(ti.shape[0])
    return np.sort(lut[r[took], cc[took]])


def gnn_solve(ti: I64, di: I64, c: F64, miss: F64, n: int, m: int) -> I64:
    """Optimal GNN assignment of gated pairs; returns the indices of chosen pairs.

    Minimizes sum over assigned pairs of (c_ij - miss_i) with each track and each
    measurement used at most once. The gating graph is split into connected
    components: components with one track (or one measurement) are solved in
    closed form, all at once; the others together by one sparse LAPJV call.
    Small problems (<= 256 pairs) go to one dense ``linear_sum_assignment``.
    """
    if ti.shape[0] <= 256:
        if _conflict_free(ti, di):  # each track and measurement in at most one pair
            return (c < miss[ti]).nonzero()[0]
        return _solve_dense(ti, di, c, miss)
    _, lab = connected_components(
        sp.coo_matrix((np.ones(ti.shape[0]), (ti, n + di)), shape=(n + m, n + m)),
        directed=False,
    )
    lt = lab[ti]
    nt = np.bincount(lab[:n], minlength=n + m)[lt]
    nd = np.bincount(lab[n:], minlength=n + m)[lt]
    gain = c - miss[ti]
    one_t = (nt == 1) & (gain <= 0)
    one_d = (nt > 1) & (nd == 1) & (gain <= 0)
    chosen = [_best_per(ti, gain, one_t), _best_per(di, gain, one_d)]
    hard = (nt > 1) & (nd > 1)
    if hard.any():
        h = hard.nonzero()[0]
        chosen.append(h[_solve_sparse(ti[h], di[h], c[h], miss)])
    return np.sort(np.concatenate(chosen))


def pda_single(ti: I64, lg: F64, lmiss: float, n: int) -> tuple[F64, F64]:
    """PDA weights for tracks that share no measurement (vectorized).

    beta_j = g_j / (b + sum g), beta_0 = b / (b + sum g), in log form: ``lg`` (p,)
    log pair weights, ``lmiss`` the log miss weight (Bar-Shalom et al. 2009 eq 33).
    """
    top = np.full(n, lmiss)
    np.maximum.at(top, ti, lg)
    s = np.exp(lmiss - top)
    np.add.at(s, ti, np.exp(lg - top[ti]))
    return np.exp(lg - top[ti]) / s[ti], np.exp(lmiss - top) / s


def jpda_exact(ti: I64, di: I64, lg: F64, lmiss: float, n_t: int) -> tuple[F64, F64] | None:
    """Exact JPDA marginals of one cluster by enumerating feasible joint events.

    ti, di : (p,) local track / measurement indices of the gated pairs; lg (p,)
    log weights log(P_D N(y; 0, S) / lambda); lmiss = log(1 - P_D P_G). Returns
    (beta (p,), beta0 (n_t,)) or None if the enumeration exceeds 2**16 events.
    """
    events = np.zeros((1, 0), np.int64)
    lw = np.zeros(1)
    for t in range(n_t):
        sel = (ti == t).nonzero()[0]
        opts = np.concatenate([[-1], di[sel]])
        wts = np.concatenate([[lmiss], lg[sel]])
        clash = (events[:, :, None] == opts[None, None, :]).any(axis=1) & (opts >= 0)
        e_i, o_i = (~clash).nonzero()
        if e_i.shape[0] > 65536:
            return None
        events = np.concatenate([events[e_i], opts[o_i, None]], axis=1)
        lw = lw[e_i] + wts[o_i]
    w = np.exp(lw - lw.max())
    w /= w.sum()
    beta = np.array([w[events[:, t] == d].sum() for t, d in zip(ti, di, strict=True)])
    beta0 = np.array([w[events[:, t] < 0].sum() for t in range(n_t)])
    return beta, beta0


def _cheap(ti: I64, di: I64, lg: F64, lmiss: float, n_t: int, m_d: int) -> tuple[F64, F64]:
    """Cheap JPDA (Fitzgerald 1986): beta_tj = G_tj / (G_t + S_j - G_tj + B)."""
    G = np.exp(lg - lg.max())
    B = np.exp(lmiss - lg.max())
    Gt, Sj = np.zeros(n_t), np.zeros(m_d)
    np.add.at(Gt, ti, G)
    np.add.at(Sj, di, G)
    beta = G / (Gt[ti] + Sj[di] - G + B)
    tot = np.zeros(n_t)
    np.add.at(tot, ti, beta)
    scale = np.maximum(tot, 1.0)
    beta = beta / scale[ti]
    return beta, 1.0 - tot / scale


@dataclasses.dataclass(frozen=True, kw_only=True)
class JPDA:
    """Joint probabilistic data association with parametric Poisson clutter.

    Clusters (connected components of the gating graph) with one track use the
    closed-form PDA; others are enumerated exactly when small, else the cheap
    JPDA approximation. ``clutter_density`` is per unit measurement volume.
    """

    pd: float = 0.9
    clutter_density: float = 1e-9
    gate_probability: float = 0.999
    max_tracks_exact: int = 8

    def associate(self, n: int, m: int, gp: GatedPairs, gamma: float) -> Association:
        """JPDA over the gated pairs of ``n`` tracks and ``m`` detections (``Associator``)."""
        if gp.ti.shape[0] == 0:
            return _empty(n, m)
        ti, di = gp.ti, gp.di
        lg = np.log(self.pd) + gp.inn.loglik() - np.log(self.clutter_density)
        lmiss = float(np.log(max(1.0 - self.pd * self.gate_probability, 1e-300)))
        p = ti.shape[0]
        A = sp.coo_matrix((np.ones(p), (ti, n + di)), shape=(n + m, n + m))
        _, lab = connected_components(A, directed=False)
        ntr = np.bincount(lab[:n], minlength=n + m)
        beta, beta0 = pda_single(ti, lg, lmiss, n)
        multi = (ntr[lab[ti]] > 1).nonzero()[0]
        if multi.shape[0]:
            for c in np.unique(lab[ti[multi]]):  # loop over the rare shared clusters
                sel = multi[lab[ti[multi]] == c]
                tl, tloc = np.unique(ti[sel], return_inverse=True)
                dl, dloc = np.unique(di[sel], return_inverse=True)
                res = None
                if tl.shape[0] <= self.max_tracks_exact:
                    res = jpda_exact(tloc, dloc, lg[sel], lmiss, tl.shape[0])
                if res is None:
                    res = _cheap(tloc, dloc, lg[sel], lmiss, tl.shape[0], dl.shape[0])
                beta[sel], beta0[tl] = res
        used = np.zeros(m, bool)
        used[di] = True
        b = np.full(n, self.clutter_density * (1 - self.pd * self.gate_probability) / self.pd)
        return Association(ti, di, beta, beta0, b, used, np.arange(p, dtype=np.int64))


@dataclasses.dataclass(frozen=True)
class Chosen:
    """What one track class took: ``pair`` (p,) rows into the gated pairs with their
    weights ``beta`` (p,); the updated track ``rows`` (k,) with ``beta0``, ``b`` (k,)."""

    pair: I64
    beta: F64
    rows: I64
    beta0: F64
    b: F64


def associate_class(
    associator: Associator, gate: Gate, gp: GatedPairs, cls: NDArray[np.bool_],
    used: NDArray[np.bool_],
) -> Chosen | None:  # fmt: skip
    """Associate the tracks of one class (``cls``: over a look's rows) with the
    measurements not used yet (firm tracks first, then tentative ones).

    ``gp`` holds the gated pairs of the look's tracks and all measurements; the class
    sees only its tracks' pairs with unused measurements, renumbered locally, so the
    associator gets exactly what gating the class alone would give. Marks the
    measurements it takes in ``used``; None if it takes none.
    """
    rows, avail = cls.nonzero()[0], (~used).nonzero()[0]
    if rows.shape[0] == 0 or avail.shape[0] == 0:
        return None
    k = (cls[gp.ti] & ~used[gp.di]).nonzero()[0]
    local_t = np.cumsum(cls) - 1  # look row -> local index in the class
    local_d = np.cumsum(~used) - 1
    unseen = None if gp.unseen_s is None else gp.unseen_s[k]
    sub = GatedPairs(
        ti=local_t[gp.ti[k]], di=local_d[gp.di[k]], inn=gp.inn.select(k), unseen_s=unseen
    )
    a = associator.associate(rows.shape[0], avail.shape[0], sub, gate.gamma(gp.inn.y.shape[1]))
    used[avail[a.used]] = True
    if a.pair_t.shape[0] == 0:
        return None
    upd = dense_unique(a.pair_t)[0]
    return Chosen(pair=k[a.pair_k], beta=a.beta, rows=rows[upd], beta0=a.beta0[upd], b=a.b[upd])
