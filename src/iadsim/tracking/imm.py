"""Interacting Multiple Model (IMM) estimator, batched over tracks.

Bank layout: ``xm (n, M, nx)``, ``Pm (n, M, nx, nx)`` mode-matched estimates,
``mu (n, M)`` mode probabilities, and the combined ``x (n, nx)``, ``P``.
All models share one state layout (wrap smaller models in
:class:`iadsim.tracking.models.ZeroPadded`).

Reference: BLK 2001 sec 11.6.6, pp. 453-457 (IMM cycle: interaction eqs
11.6.6-7..-11, mode-matched filtering, mode probability update eq 11.6.6-15,
combination eqs 11.6.6-16, -17); Houles and Bar-Shalom, "Multisensor tracking of
a maneuvering target in clutter", IEEE Trans. AES-25(2), 1989 (IMM-PDA likelihood).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.filters import Innovation, SingleModelFilter, sym
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import FilterState, MotionModel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["IMM", "combine", "markov_transition"]


def markov_transition(dt: F64, sojourn_s: F64) -> F64:
    """Mode transition matrices Pi[n, i, j] = P(mode j at k+1 | mode i at k).

    p_ii = exp(-dt / tau_i) for mean sojourn time tau_i; the rest split evenly,
    so the chain is consistent for any (per-track) time step.
    """
    M = sojourn_s.shape[0]
    stay = np.exp(-dt[:, None] / sojourn_s[None, :])  # (n, M)
    Pi = np.broadcast_to(((1.0 - stay) / max(M - 1, 1))[:, :, None], (dt.shape[0], M, M)).copy()
    idx = np.arange(M)
    Pi[:, idx, idx] = stay
    return Pi


def combine(xm: F64, Pm: F64, mu: F64) -> tuple[F64, F64]:
    """x = sum_j mu_j x_j ; P = sum_j mu_j (P_j + dx_j dx_j') (BLK eqs 11.6.6-16, -17)."""
    x = np.einsum("nm,nmi->ni", mu, xm)
    d = xm - x[:, None, :]
    P = np.einsum("nm,nmij->nij", mu, Pm + np.einsum("nmi,nmj->nmij", d, d))
    return x, sym(P)


@dataclasses.dataclass(frozen=True, kw_only=True)
class IMM:
    """IMM over ``models`` with a mode-matched ``base`` filter (KF/EKF/UKF/CMKF).

    Parameters
    ----------
    base : a single-model filter; its ``model`` is replaced by each of ``models``.
    models : motion models with equal ``nx``.
    sojourn_s : mean sojourn time per mode, s (sets the Markov transition).
    mu0 : initial mode probabilities.
    """

    base: SingleModelFilter
    models: tuple[MotionModel, ...]
    sojourn_s: tuple[float, ...]
    mu0: tuple[float, ...]

    def __post_init__(self) -> None:
        nxs = {m.nx for m in self.models}
        if len(nxs) != 1:
            raise ValueError(f"IMM: models must share one state dimension (got {sorted(nxs)})")
        if not (len(self.sojourn_s) == len(self.mu0) == len(self.models)):
            raise ValueError("IMM: models, sojourn_s and mu0 must have equal lengths")

    @property
    def filters(self) -> tuple[SingleModelFilter, ...]:
        """The mode-matched filters: ``base`` with each motion model."""
        return tuple(dataclasses.replace(self.base, model=m) for m in self.models)

    @property
    def nx(self) -> int:
        """State dimension (of the first model; all models share it)."""
        return self.models[0].nx

    @property
    def ndim(self) -> int:
        """Spatial axes (2 or 3)."""
        return self.models[0].ndim

    def prepare(self, meas: Measurements) -> Measurements:
        """Measurements as the base filter takes them."""
        return self.base.prepare(meas)

    def init_bank(self, x: F64, P: F64) -> FilterState:
        """Bank of N tracks from ``x`` (N, nx) and ``P`` (N, nx, nx), modes at ``mu0``."""
        M, n = len(self.models), x.shape[0]
        mu = np.broadcast_to(np.asarray(self.mu0) / np.sum(self.mu0), (n, M)).copy()
        xm = np.repeat(x[:, None, :], M, axis=1)
        Pm = np.repeat(P[:, None, :, :], M, axis=1)
        return FilterState(x=x, P=P, xm=xm, Pm=Pm, mu=mu)

    def predict(self, bank: FilterState, dt: F64) -> FilterState:
        """Interaction (mixing) then mode-matched prediction."""
        xm, Pm, mu = _modes(bank)
        Pi = markov_transition(dt, np.asarray(self.sojourn_s, dtype=float))
        c = np.einsum("nij,ni->nj", Pi, mu)  # c_j = sum_i p_ij mu_i   (11.6.6-8)
        cs = np.maximum(c, 1e-300)
        w = Pi * mu[:, :, None] / cs[:, None, :]  # mu_{i|j} = p_ij mu_i / c_j   (11.6.6-7)
        x0 = np.einsum("nij,nik->njk", w, xm)  # x0_j = sum_i mu_{i|j} x_i   (11.6.6-9)
        d = xm[:, :, None, :] - x0[:, None, :, :]  # (n, i, j, nx)
        P0 = np.einsum("nij,nikl->njkl", w, Pm) + np.einsum("nij,nijk,nijl->njkl", w, d, d)
        outx, outP = np.empty_like(xm), np.empty_like(Pm)
        for j, f in enumerate(self.filters):  # loop over the M models, not tracks
            outx[:, j], outP[:, j] = f.predict_xP(x0[:, j], sym(P0[:, j]), dt)
        x, P = combine(outx, outP, c)
        return FilterState(x=x, P=P, xm=outx, Pm=outP, mu=c)

    def innovate(self, x: F64, P: F64, meas: Measurements) -> Innovation:
        """Gating innovations on the combined prediction."""
        return self.base.innovate(x, P, meas)

    def update(
        self,
        bank: FilterState,
        meas: Measurements,
        row: I64,
        beta: F64,
        beta0: F64,
        b: F64,
        inn: Innovation | None = None,
    ) -> tuple[FilterState, F64]:
        """Mode-matched (PDA-)updates and mode probabilities (``inn``, the gating
        innovations of the combined estimate, is not used: each model has its own).

        Lambda_j = b + sum_pairs N(y_pj; 0, S_pj) (b = 0 for GNN), mu_j ~ Lambda_j c_j
        (BLK eq 11.6.6-15; Houles and Bar-Shalom 1989 for b > 0).
        """
        xm, Pm, c = _modes(bank)
        k, M = xm.shape[0], len(self.models)
        newx, newP = np.empty_like(xm), np.empty_like(Pm)
        ll = np.empty((row.shape[0], M))
        for j, f in enumerate(self.filters):
            (bj, llj) = f.update(FilterState(x=xm[:, j], P=Pm[:, j]), meas, row, beta, beta0, b)
            newx[:, j], newP[:, j], ll[:, j] = bj.x, bj.P, llj
        top = np.full(k, -np.inf)
        np.maximum.at(top, row, ll.max(axis=1))
        top = np.where(np.isfinite(top), top, 0.0)
        lam = np.zeros((k, M))
        np.add.at(lam, row, np.exp(ll - top[row, None]))
        lam += (b * np.exp(np.clip(-top, -700.0, 700.0)))[:, None]
        mu = lam * c
        tot = mu.sum(axis=1, keepdims=True)
        mu = np.where(tot > 0, mu / np.where(tot > 0, tot, 1.0), c)
        x, P = combine(newx, newP, mu)
        ll_pair = (
            np.log(np.maximum(np.einsum("pm,pm->p", np.exp(ll - top[row, None]), c[row]), 1e-300))
            + top[row]
        )
        return FilterState(x=x, P=P, xm=newx, Pm=newP, mu=mu), ll_pair


def _modes(bank: FilterState) -> tuple[F64, F64, F64]:
    """The mode-conditioned arrays of an IMM state (xm, Pm, mu)."""
    if bank.xm is None or bank.Pm is None or bank.mu is None:
        raise ValueError("IMM: the filter state has no modes (not built by IMM.init_bank)")
    return bank.xm, bank.Pm, bank.mu
