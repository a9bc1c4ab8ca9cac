"""Three-point initiation: a plot pair that may be the wrong one waits for a third plot.

Two-point initiation (:mod:`iadsim.tracking.initiation`) pairs a buffered plot with a
new plot of the same sensor when one target could have made both (speed at most
``v_max``). In a formation the pairing gate (``v_max dt``, kilometres) holds the
neighbours too: when an aircraft's own second plot is missing (Pd < 1) or was taken by
another track, its first plot pairs with a neighbour's, and the track starts with a
velocity hundreds of m/s wrong and a small variance (the plots are precise) and walks
along the formation. With ``third_plot`` the pairs whose plots have other feasible
partners (ambiguous; or every pair) start no track: they wait here, their plots staying
in the buffer, for a third plot of the sensor inside the gate predicted from the pair's
state and covariance (:func:`pair_state` at the third plot's time, chi-square with ``d``
dof at the initiator's gate probability); only then does the track start, from the
pair's state updated with the third plot (a Kalman update, CV prediction to the look
time), with three hits. This is the logic-based (M-of-N) initiation of Blackman and
Popoli 1999 (sec. 3.3 and 6.2; Bar-Shalom, Willett and Tian 2011, sec. 3.2): a velocity
gate for the second plot, a predicted-position gate from the pair for the third. A pair
waits at most ``max_looks`` looks of its sensor covering the second plot (or
``max_age_s``); one whose third plot is ambiguous (several plots in its gate, or its
plot in several gates) starts tentative. A pair's ambiguity counts the plots three-point
births took on the same look as partners too.

Limit (measured, not a cure for formations): plots of three aircraft abreast seen one
per look line up like one target flying across the formation, and that chain passes the
third plot's gate as well as an aircraft's own plots do
(``tests/tracking/test_initiation_formation.py``); ``chain_check`` drops such a chain
when the first plot's own aircraft explains the third look better
(:func:`chain_rejected`). The default preset uses ``third_plot: ambiguous`` with the
chain check (its YAML has the measurements). Cost: in a dense raid nearly every pair
waits (ambiguous), and more plots stay free to pair (5,004 threats: 1.3 times the CPU of
two-point starts, 2026-12-07).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.association import gnn_solve
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.gating import gate_threshold, pregate_pairs
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.roles import Confirmer

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = [
    "Pending",
    "ThirdPlots",
    "chain_rejected",
    "cv_predict",
    "kf_position_update",
    "match_third",
    "new_book",
    "pair_state",
    "prior_loglik",
    "third_reach",
    "three_hit_history",
]


def pair_state(
    p1: F64, R1: F64, p2: F64, R2: F64, dt: F64, tau: F64, q: float, extra_vv: F64 | None = None
) -> tuple[F64, F64]:
    """Two-point differencing: position-velocity state of ``k`` plot pairs
    (:mod:`iadsim.tracking.initiation`'s module doc).

    Parameters
    ----------
    p1, p2 : (k, d) Cartesian positions of the older and the newer plot, m.
    R1, R2 : (k, d, d) their covariances, m^2 (independent errors).
    dt : (k,) time from the older to the newer plot, s (> 0).
    tau : (k,) time from the newer plot to the state's time, s (>= 0).
    q : white-noise acceleration PSD of the CV model, m^2/s^3.
    extra_vv : (k,) variance added to each velocity axis like ``W`` (an ambiguous
        pair's velocity prior), m^2/s^2; None: none.

    Returns
    -------
    x : (k, 2d) positions then velocities at the state time.
    P : (k, 2d, 2d) their covariance.
    """
    k, d = p1.shape
    a = (tau / dt)[:, None, None]
    v = (p2 - p1) / dt[:, None]
    eye = np.eye(d)
    w = q * dt / 3.0 if extra_vv is None else q * dt / 3.0 + extra_vv
    W = w[:, None, None] * eye  # velocity at t2 minus the mean over dt (and a prior)
    t = tau[:, None, None]
    Qt = q * eye  # CV process noise over tau: q [tau^3/3, tau^2/2; tau^2/2, tau]
    x = np.concatenate([p2 + tau[:, None] * v, v], axis=1)
    P = np.empty((k, 2 * d, 2 * d))
    P[:, :d, :d] = (1 + a) ** 2 * R2 + a * a * R1 + t * t * W + t**3 / 3.0 * Qt
    P[:, :d, d:] = ((1 + a) * R2 + a * R1) / dt[:, None, None] + t * W + t * t / 2.0 * Qt
    P[:, d:, :d] = P[:, :d, d:].swapaxes(1, 2)
    P[:, d:, d:] = (R1 + R2) / (dt * dt)[:, None, None] + W + t * Qt
    return x, 0.5 * (P + P.swapaxes(1, 2))


@dataclasses.dataclass
class Pending:
    """Plot pairs waiting for a third plot (k rows).

    ``t1_s``, ``t2_s`` (k,) the plots' times; ``p1``, ``p2`` (k, d), ``R1``, ``R2``
    (k, d, d) their debiased Cartesian conversions; ``r1``, ``r2`` (k,) their first
    measured component as given (with the times, the plots' identity in the buffer);
    ``misses`` (k,) looks between the two plots, ``waited`` (k,) looks since the
    second; ``ll2`` (k,) the second hit's log-likelihood (the pair's score); ``amb``
    (k,) the pair was ambiguous (a plot with another feasible partner).
    """

    t1_s: F64
    t2_s: F64
    p1: F64
    R1: F64
    p2: F64
    R2: F64
    r1: F64
    r2: F64
    misses: I64
    waited: I64
    ll2: F64
    amb: B

    def __len__(self) -> int:
        return int(self.t1_s.shape[0])

    @classmethod
    def of(cls, old: PlotBuffer, new: PlotBuffer, i: I64, j: I64, ll: F64, amb: B) -> Pending:
        """The pairs (buffered row ``i``, new row ``j``, second hit's log-likelihood
        ``ll``, ``amb`` ambiguous) waiting for their third plot."""
        c1, c2 = debiased_conversion(old.raw(i)), debiased_conversion(new.raw(j))
        return cls(
            t1_s=old.t_s[i], t2_s=new.t_s[j], p1=c1.z, R1=c1.R, p2=c2.z, R2=c2.R,
            r1=old.z[i, 0], r2=new.z[j, 0], misses=old.looks[i],
            waited=np.zeros(i.shape[0], np.int64), ll2=ll, amb=amb,
        )  # fmt: skip

    def covered(self, seen: B, max_looks: int) -> Pending:
        """After a look that covered the second plots ``seen`` (k,): the pairs that
        waited fewer than ``max_looks`` such looks."""
        self.waited = self.waited + seen
        return self.keep(self.waited < max_looks)

    def plots_in(self, t_s: F64, z0: F64) -> B:
        """Mask of the plots (times ``t_s``, first measured components ``z0``) that
        are one of these pairs' plots."""
        t = np.concatenate([self.t1_s, self.t2_s])
        return np.isin(t_s, t) & np.isin(z0, np.concatenate([self.r1, self.r2]))

    def keep(self, mask: B) -> Pending:
        """The rows ``mask`` (k,) (this, when it keeps them all: most looks drop none)."""
        return self if mask.all() else self.take(mask)

    def take(self, idx: I64 | B | slice) -> Pending:
        """The rows ``idx``."""
        return Pending(**{f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)})

    @classmethod
    def join(cls, parts: list[Pending]) -> Pending:
        """The rows of ``parts`` (at least one) in order."""
        names = [f.name for f in dataclasses.fields(cls)]
        return cls(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


@dataclasses.dataclass(frozen=True)
class ThirdPlots:
    """Pairs that found their third plot: pending rows ``rows`` (p,), new plots ``j``
    (p,), ``amb`` (p,) ambiguous; states ``x`` (p, 2d), ``P`` (p, 2d, 2d) at the look
    time after the third plot's update; ``ll3`` (p,) the third hit's log-likelihood
    (per unit Cartesian volume); ``dropped``: pending rows whose third plot made a
    chain (:func:`chain_rejected`), to drop."""

    rows: I64
    j: I64
    amb: B
    x: F64
    P: F64
    ll3: F64
    dropped: I64

    @classmethod
    def none(cls, d: int) -> ThirdPlots:
        """No third plot (``d`` position axes)."""
        e = np.zeros(0, np.int64)
        return cls(e, e, np.zeros(0, bool), np.zeros((0, 2 * d)), np.zeros((0, 2 * d, 2 * d)),
                   np.zeros(0), e)  # fmt: skip


def three_hit_history(waited: I64, misses: I64, first: B) -> tuple[NDArray[np.uint64], I64]:
    """Hit histories (bit 0: now) and ages of tracks started from three plots: hit,
    ``misses`` misses, hit, ``waited`` misses, hit; the first plot's hit only where
    ``first`` (an ambiguous pair counts one hit with ``ambiguous_hits: 1``)."""
    one = np.uint64(1)
    hist = (
        one
        | (one << (waited + 1).astype(np.uint64))
        | (first.astype(np.uint64) << (waited + misses + 2).astype(np.uint64))
    )
    return hist, waited + misses + 3


def new_book(
    c: Confirmer, hist: NDArray[np.uint64], age: I64, hits: list[F64], misses: I64,
    t_s: float | F64, first_id: int, bit: int | NDArray[np.uint64],
) -> TrackBook:  # fmt: skip
    """Bookkeeping of new tracks (ids from ``first_id``) started at ``t_s`` by sensor
    ``bit`` (each or per track (p,)): hit histories, ages, the scores (confirmer ``c``)
    of their hits' log-likelihoods ``hits`` and of ``misses`` (p,) misses."""
    p = hist.shape[0]
    book = TrackBook.new(np.arange(first_id, first_id + p, dtype=np.int64), t_s,
                         c.initial_llr(), bit)  # fmt: skip
    book.hist, book.age = hist, age
    on_miss = c.delta_llr(np.zeros(1, bool), np.zeros(1))[0]
    book.llr += sum(c.delta_llr(np.ones(p, bool), ll) for ll in hits) + misses * on_miss
    return book


def cv_predict(x: F64, P: F64, tau: F64, q: float) -> tuple[F64, F64]:
    """Constant-velocity prediction of states ``x`` (k, 2d) and ``P`` (k, 2d, 2d) over
    ``tau`` (k,) s with white-noise acceleration PSD ``q``, m^2/s^3."""
    k, n = x.shape
    d = n // 2
    eye = np.eye(d)
    F = np.broadcast_to(np.eye(n), (k, n, n)).copy()
    F[:, :d, d:] = tau[:, None, None] * eye
    t = tau[:, None, None]
    Q = np.empty((k, n, n))
    Q[:, :d, :d] = q * t**3 / 3.0 * eye
    Q[:, :d, d:] = Q[:, d:, :d] = q * t**2 / 2.0 * eye
    Q[:, d:, d:] = q * t * eye
    xp = np.einsum("kij,kj->ki", F, x)
    Pp = F @ P @ F.swapaxes(1, 2) + Q
    return xp, 0.5 * (Pp + Pp.swapaxes(1, 2))


def kf_position_update(x: F64, P: F64, z: F64, R: F64) -> tuple[F64, F64]:
    """Kalman update of ``x`` (k, n), ``P`` (k, n, n) with position measurements ``z``
    (k, d) of covariance ``R`` (k, d, d) (the first ``d`` states; Joseph form)."""
    k, n = x.shape
    d = z.shape[1]
    S = P[:, :d, :d] + R
    K = np.linalg.solve(S, P[:, :d, :]).swapaxes(1, 2)  # P H' S^-1 (S symmetric)
    xn = x + np.einsum("kij,kj->ki", K, z - x[:, :d])
    IKH = np.broadcast_to(np.eye(n), (k, n, n)).copy()
    IKH[:, :, :d] -= K
    Pn = IKH @ P @ IKH.swapaxes(1, 2) + K @ R @ K.swapaxes(1, 2)
    return xn, 0.5 * (Pn + Pn.swapaxes(1, 2))


def prior_loglik(dp: F64, S: F64, span: F64, sigma_v: float) -> F64:
    """``ln N(dp; 0, S + span^2 sigma_v^2 I)`` (...): displacements ``dp`` (..., d) of
    plots ``span`` (...) s apart under their noise ``S`` (..., d, d) and a velocity
    prior of std ``sigma_v`` per axis."""
    d = dp.shape[-1]
    L = np.linalg.cholesky(S + ((span * sigma_v) ** 2)[..., None, None] * np.eye(d))
    w = np.linalg.solve(L, dp[..., None])[..., 0]
    logdet = 2.0 * np.log(np.diagonal(L, axis1=-2, axis2=-1)).sum(axis=-1)
    return -0.5 * (np.einsum("...i,...i->...", w, w) + logdet + d * math.log(2 * math.pi))


def chain_rejected(
    pend: Pending, rows: I64, j: I64, c3: Measurements, t3_s: F64, sigma_v: float
) -> B:
    """(p,) matches (pending ``rows``, third plot ``j``) whose first plot has a likelier
    partner among the look's plots that no match took (another match's third plot is
    its own pair's) under the velocity prior (zero mean, std ``sigma_v`` per axis):
    ``ln N(q - p1; 0, R1 + Rq + T^2 sigma_v^2 I)`` above the third plot's, ``T`` the
    time between them. In a formation whose spacing is near the plots' noise, an
    aircraft's plot, a neighbour's on the next look and the next neighbour's on the one
    after look like one target flying across the formation at spacing / revisit; the
    first plot's own aircraft's plot on the third look then explains it with the slower
    velocity, and the chain is dropped (its plots free). (Counting other matches' third
    plots too dropped 81% of the mixed raid x50's matches: ``docs/dev/notes.md``).

    Only the plots within :func:`_likelier_radius` of a first plot are scored (a plot
    farther away cannot be likelier): a dense look costs the plots near each match."""
    p, m = rows.shape[0], len(c3)
    if p == 0 or m < 2:
        return np.zeros(p, bool)
    d = pend.p1.shape[1]
    p1, R1, t1 = pend.p1[rows], pend.R1[rows], pend.t1_s[rows]
    R3 = c3.R[:, :d, :d]
    own = prior_loglik(c3.z[j, :d] - p1, R1 + R3[j], np.maximum(t3_s[j] - t1, 1e-9), sigma_v)
    radius = _likelier_radius(own, R1, R3, t3_s, t1, sigma_v)
    mi, q = pregate_pairs(p1, radius, c3.z[:, :d])
    alt = np.isin(q, j, invert=True).nonzero()[0]  # (another match's third plot is its own)
    mi, q = mi[alt], q[alt]
    if mi.shape[0] == 0:
        return np.zeros(p, bool)
    span = np.maximum(t3_s[q] - t1[mi], 1e-9)
    ll = prior_loglik(c3.z[q, :d] - p1[mi], R1[mi] + R3[q], span, sigma_v)
    return np.bincount(mi[ll > own[mi]], minlength=p) > 0


def _likelier_radius(own: F64, R1: F64, R3: F64, t3_s: F64, t1_s: F64, sigma_v: float) -> F64:
    """(p,) distances from each first plot beyond which no plot of the look is likelier
    than the match's own third plot (log-likelihood ``own`` (p,)). With ``S = R1 + Rq +
    T^2 sigma_v^2 I``: ``d2 >= |q - p1|^2 / lambda_max(S)`` and ``ln det S >= d ln(T^2
    sigma_v^2)``, so a likelier plot has ``|q - p1|^2 < lambda (-2 own - d ln 2 pi -
    d ln(T_min^2 sigma_v^2))``, with ``lambda = tr R1 + max tr Rq + T_max^2 sigma_v^2``
    (>= lambda_max(S)) and ``T_min``, ``T_max`` over the look's plots (``R3`` (m, d, d),
    times ``t3_s`` (m,)); the first plots' ``R1`` (p, d, d) at ``t1_s`` (p,)."""
    d = R1.shape[1]
    t_hi = np.maximum(t3_s.max() - t1_s, 1e-9)
    t_lo = np.maximum(t3_s.min() - t1_s, 1e-9)
    lam = (
        np.trace(R1, axis1=1, axis2=2)
        + np.trace(R3, axis1=1, axis2=2).max()
        + (t_hi * sigma_v) ** 2
    )
    budget = -2.0 * own - d * math.log(2 * math.pi) - d * np.log((t_lo * sigma_v) ** 2)
    return np.sqrt(lam * np.maximum(budget, 0.0)) * (1 + 1e-9) + 1e-6


def _near_third(
    pend: Pending, ci: I64, j: I64, tau: F64, z3: F64, bound: F64
) -> tuple[I64, I64, F64]:
    """The candidate matches (pending row ``ci``, plot ``j`` at ``z3[j]``, ``tau`` after the
    second plot) whose squared distance from the pair's predicted position is within
    ``bound`` = ``gamma (tr P_hi + tr R_j)``: the only ones that can pass the chi-square
    gate, since ``d2 >= |nu|^2 / tr S`` and ``tr S`` at ``tau`` is at most its value at
    ``tau_hi`` (every term of the pair's position covariance grows with ``tau``). The
    dense raid's loose pre-gate (one radius per pair, the look's largest plot variance and
    time spread) holds ~170 candidates per match (mixed raid x50, 2026-12-06)."""
    v = (pend.p2[ci] - pend.p1[ci]) / (pend.t2_s - pend.t1_s)[ci][:, None]
    nu = z3[j] - (pend.p2[ci] + tau[:, None] * v)  # (pair_state's position, as it computes it)
    near = (np.einsum("pi,pi->p", nu, nu) <= bound * (1 + 1e-9)).nonzero()[0]
    return ci[near], j[near], tau[near]


def third_reach(
    pend: Pending, t3_hi: F64 | float, t3_lo: F64 | float, var3_max: F64 | float, q: float,
    gamma: float,
) -> tuple[F64, F64, F64]:  # fmt: skip
    """:func:`match_third`'s pre-gate towards plots of times ``t3_lo`` to ``t3_hi`` and
    ``tr R`` up to ``var3_max`` (scalars, or (k,) per pair): each pair's position (k, d)
    and ``tr P_pp`` (k,) at ``t3_hi``, and the radius (k,) around that position beyond
    which no plot passes the chi-square gate ``gamma``."""
    d = pend.p1.shape[1]
    tau_hi = np.maximum(t3_hi - pend.t2_s, 0.0)
    tau_lo = np.maximum(t3_lo - pend.t2_s, 0.0)
    x_hi, P_hi = pair_state(pend.p1, pend.R1, pend.p2, pend.R2, pend.t2_s - pend.t1_s, tau_hi, q)
    var_hi = np.trace(P_hi[:, :d, :d], axis1=1, axis2=2)
    spread = np.linalg.norm(x_hi[:, d:], axis=1) * (tau_hi - tau_lo)
    return x_hi[:, :d], var_hi, math.sqrt(gamma) * np.sqrt(var_hi + var3_max) + spread


def match_third(
    pend: Pending, c3: Measurements, t3_s: F64, t_s: float, q: float, gate_probability: float,
    sigma_v: float | None = None,
) -> ThirdPlots:  # fmt: skip
    """Third plots of the pairs ``pend`` among a look's plots ``c3`` (m rows, debiased
    Cartesian, at their times ``t3_s`` (m,)): gated on the pair's predicted position,
    each pair and plot in one match at most (least total ``-ln N``, any match before
    none), updated and predicted to ``t_s`` (module doc); with ``sigma_v``, the
    matches :func:`chain_rejected` rejects are dropped instead."""
    k, d = pend.p1.shape
    m = len(c3)
    none = np.zeros(0, np.int64)
    if k == 0 or m == 0:
        return ThirdPlots.none(d)
    dt = pend.t2_s - pend.t1_s
    gamma = gate_threshold(d, probability=gate_probability, mahalanobis=None)
    var3 = np.trace(c3.R[:, :d, :d], axis1=1, axis2=2)
    at, var_hi, radius = third_reach(pend, t3_s.max(), t3_s.min(), var3.max(), q, gamma)
    ci, j = pregate_pairs(at, radius, c3.z[:, :d])
    if ci.shape[0] == 0:  # (most looks: false-alarm pairs whose third plot never comes)
        return ThirdPlots.none(d)
    tau = np.maximum(t3_s[j] - pend.t2_s[ci], 0.0)
    ci, j, tau = _near_third(pend, ci, j, tau, c3.z[:, :d], gamma * (var_hi[ci] + var3[j]))
    x, P = pair_state(pend.p1[ci], pend.R1[ci], pend.p2[ci], pend.R2[ci], dt[ci], tau, q)
    nu = c3.z[j, :d] - x[:, :d]
    S = P[:, :d, :d] + c3.R[j, :d, :d]
    L = np.linalg.cholesky(S)
    w = np.linalg.solve(L, nu[:, :, None])[:, :, 0]
    d2 = np.einsum("pi,pi->p", w, w)
    ok = (d2 <= gamma).nonzero()[0]
    ci, j, x, P, d2 = ci[ok], j[ok], x[ok], P[ok], d2[ok]
    logdet = 2.0 * np.log(np.diagonal(L[ok], axis1=1, axis2=2)).sum(axis=1)
    cost = 0.5 * (d2 + logdet + d * math.log(2 * math.pi))
    amb = (np.bincount(ci, minlength=k)[ci] > 1) | (np.bincount(j, minlength=m)[j] > 1)
    if ci.shape[0] and amb.any():
        pick = gnn_solve(ci, j, cost, np.full(k, cost.max() + 1.0), k, m)
        ci, j, amb, x, P, cost = ci[pick], j[pick], amb[pick], x[pick], P[pick], cost[pick]
    dropped = none
    if sigma_v is not None:
        bad = chain_rejected(pend, ci, j, c3, t3_s, sigma_v)
        if bad.any():
            dropped, ok = ci[bad], (~bad).nonzero()[0]
            ci, j, amb, x, P, cost = ci[ok], j[ok], amb[ok], x[ok], P[ok], cost[ok]
    xu, Pu = kf_position_update(x, P, c3.z[j, :d], c3.R[j, :d, :d])
    xu, Pu = cv_predict(xu, Pu, np.maximum(t_s - t3_s[j], 0.0), q)
    return ThirdPlots(ci, j, amb, xu, Pu, -cost, dropped)
