"""Three-point initiation: a plot pair that may be the wrong one waits for a third plot.

Two-point initiation (:mod:`iadsim.tracking.initiation`) pairs a buffered plot with a
new plot of the same sensor when one target could have made both (speed at most
``v_max``). In a formation the pairing gate (``v_max dt``, kilometres) holds the
neighbours too: when an aircraft's own second plot is missing (Pd < 1) or was taken
by another track, its first plot pairs with a neighbour's, and the track starts with
a velocity hundreds of m/s wrong and a small variance (the plots are precise) and
walks along the formation. With ``third_plot`` the pairs whose plots have other
feasible partners (ambiguous; or every pair) start no track: they wait here, their
plots staying in the buffer, for a third plot of the sensor inside the gate predicted
from the pair's own state and covariance (:func:`pair_state`
at the third plot's time, chi-square with ``d`` dof at the initiator's gate
probability); only then does the track start, from the pair's state updated with the
third plot (a Kalman update, CV prediction to the look time), with three hits. This
is the logic-based (M-of-N) initiation of Blackman and Popoli 1999 (sec. 3.3 and 6.2;
Bar-Shalom, Willett and Tian 2011, sec. 3.2): a velocity gate for the second plot, a
predicted-position gate from the pair for the third. A pair waits at most ``max_looks``
looks of its sensor covering the second plot (or ``max_age_s``); one whose third plot
is ambiguous (several plots in its gate, or its plot in several gates) starts
tentative.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.association import gnn_solve
from iadsim.tracking.gating import gate_threshold, pregate_pairs
from iadsim.tracking.measurements import Measurements

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = [
    "Pending",
    "ThirdPlots",
    "cv_predict",
    "kf_position_update",
    "match_third",
    "pair_state",
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
    second; ``ll2`` (k,) the second hit's log-likelihood (the pair's score).
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

    def __len__(self) -> int:
        return int(self.t1_s.shape[0])

    def take(self, idx: I64 | B) -> Pending:
        """The rows ``idx``."""
        return Pending(**{f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)})

    def concat(self, other: Pending) -> Pending:
        """Rows of this then ``other``."""
        return Pending(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in dataclasses.fields(self)
            }
        )


@dataclasses.dataclass(frozen=True)
class ThirdPlots:
    """Pairs that found their third plot: pending rows ``rows`` (p,), new plots ``j``
    (p,), ``amb`` (p,) ambiguous; states ``x`` (p, 2d), ``P`` (p, 2d, 2d) at the look
    time after the third plot's update; ``ll3`` (p,) the third hit's log-likelihood
    (per unit Cartesian volume)."""

    rows: I64
    j: I64
    amb: B
    x: F64
    P: F64
    ll3: F64


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


def match_third(
    pend: Pending, c3: Measurements, t3_s: F64, t_s: float, q: float, gate_probability: float
) -> ThirdPlots:
    """Third plots of the pairs ``pend`` among a look's plots ``c3`` (m rows, debiased
    Cartesian, at their times ``t3_s`` (m,)): gated on the pair's predicted position,
    each pair and plot in one match at most (least total ``-ln N``, any match before
    none), updated and predicted to ``t_s`` (module doc)."""
    k, d = pend.p1.shape
    m = len(c3)
    none = np.zeros(0, np.int64)
    if k == 0 or m == 0:
        return ThirdPlots(none, none, np.zeros(0, bool), np.zeros((0, 2 * d)),
                          np.zeros((0, 2 * d, 2 * d)), np.zeros(0))  # fmt: skip
    dt = pend.t2_s - pend.t1_s
    tau_hi = np.maximum(t3_s.max() - pend.t2_s, 0.0)
    tau_lo = np.maximum(t3_s.min() - pend.t2_s, 0.0)
    x_hi, P_hi = pair_state(pend.p1, pend.R1, pend.p2, pend.R2, dt, tau_hi, q)
    gamma = gate_threshold(d, probability=gate_probability, mahalanobis=None)
    r3 = np.trace(c3.R[:, :d, :d], axis1=1, axis2=2).max()
    spread = np.linalg.norm(x_hi[:, d:], axis=1) * (tau_hi - tau_lo)
    sd = np.sqrt(np.trace(P_hi[:, :d, :d], axis1=1, axis2=2) + r3)
    radius = math.sqrt(gamma) * sd + spread
    ci, j = pregate_pairs(x_hi[:, :d], radius, c3.z[:, :d])
    tau = np.maximum(t3_s[j] - pend.t2_s[ci], 0.0)
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
    xu, Pu = kf_position_update(x, P, c3.z[j, :d], c3.R[j, :d, :d])
    xu, Pu = cv_predict(xu, Pu, np.maximum(t_s - t3_s[j], 0.0), q)
    return ThirdPlots(ci, j, amb, xu, Pu, -cost)
