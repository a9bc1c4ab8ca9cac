"""Batched Kalman-family filters: KF, EKF, UKF and converted-measurement KF.

All kernels take a leading batch axis (tracks or track-detection pairs):
``x (n, nx)``, ``P (n, nx, nx)``, ``z (n, nz)``, ``R (n, nz, nz)``. Innovations
are formed for *pairs* (one row per track-measurement pair), so gating, GNN and
JPDA all use the same kernels. No matrix is ever inverted: gains come from
``solve`` with the innovation covariance S.

References
----------
BLK = Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking
and Navigation*, Wiley 2001: KF sec 5.2.3 eqs 5.2.3-1..-17 (pp. 202-204),
Joseph form eq 5.2.3-18 (p. 206), EKF sec 10.3 (pp. 382-387).
Julier and Uhlmann, "Unscented filtering and nonlinear estimation", Proc. IEEE
92(3), 2004 (UKF). Mixture reduction (PDA/JPDA update): Bar-Shalom, Daum,
Huang, "The probabilistic data association filter", IEEE CSM 29(6), 2009.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.measurements import (
    AZ,
    Measurements,
    debiased_conversion,
    h_and_jacobian,
    h_of_x,
    standard_conversion,
    trace_of_block,
    wrap_pi,
)
from iadsim.tracking.roles import Filter, FilterState, MotionModel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
#: The filter state (formerly a dict); see :class:`iadsim.tracking.roles.FilterState`.
Bank = FilterState
LOG2PI = float(np.log(2.0 * np.pi))

__all__ = [
    "Bank",
    "ConvertedMeasurementKF",
    "ExtendedKalmanFilter",
    "Filter",
    "FilterState",
    "Innovation",
    "KalmanFilter",
    "SingleModelFilter",
    "UnscentedKalmanFilter",
    "joseph_update",
    "kf_predict",
    "mixture_reduce",
    "sym",
    "trace_of_block",
]


def sym(P: F64) -> F64:
    """Symmetric part 0.5 (P + P^T) of a batch of matrices."""
    return 0.5 * (P + P.swapaxes(-1, -2))


def kf_predict(x: F64, P: F64, F: F64, Q: F64) -> tuple[F64, F64]:
    """Linear prediction (BLK eqs 5.2.3-5, 5.2.3-6).

    x = F x ;  P = F P F^T + Q.  Shapes x (n, nx), P/F/Q (n, nx, nx).
    """
    x = np.einsum("nij,nj->ni", F, x)  # x = F x
    P = F @ P @ F.swapaxes(1, 2) + Q  # P = F P F' + Q
    return x, sym(P)


def joseph_update(x: F64, P: F64, y: F64, S: F64, H: F64, R: F64) -> tuple[F64, F64]:
    """Kalman update in Joseph form (BLK eqs 5.2.3-11..-15, 5.2.3-18).

    K = P H^T S^-1 (via solve) ; x = x + K y ;
    P = (I - K H) P (I - K H)^T + K R K^T (symmetric PSD by construction).
    """
    PHt = P @ H.swapaxes(1, 2)
    K = np.linalg.solve(S, PHt.swapaxes(1, 2)).swapaxes(1, 2)  # K = P H' S^-1
    x = x + np.einsum("nij,nj->ni", K, y)  # x = x + K y
    IKH = np.eye(x.shape[1]) - K @ H
    P = IKH @ P @ IKH.swapaxes(1, 2) + K @ R @ K.swapaxes(1, 2)
    return x, sym(P)


@dataclasses.dataclass(frozen=True)
class Innovation:
    """Innovations of ``p`` pairs: y (p, nz), S (p, nz, nz), d2 = y' S^-1 y (p,),
    log|S| (p,), and the filter-specific cross term (H for KF/EKF, Pxz for UKF)."""

    y: F64
    S: F64
    d2: F64
    logdet: F64
    cross: F64

    def select(self, idx: I64) -> Innovation:
        """The innovations of pairs ``idx``."""
        return Innovation(
            y=self.y[idx],
            S=self.S[idx],
            d2=self.d2[idx],
            logdet=self.logdet[idx],
            cross=self.cross[idx],
        )

    def loglik(self) -> F64:
        """log N(y; 0, S) (BLK eq 5.2.6-?; Gaussian likelihood), (p,)."""
        nz = self.y.shape[1]
        return -0.5 * (self.d2 + self.logdet + nz * LOG2PI)


def _finish(y: F64, S: F64, cross: F64) -> Innovation:
    S = sym(S)
    d2 = np.einsum("pi,pi->p", y, np.linalg.solve(S, y[..., None])[..., 0])  # y' S^-1 y
    sign, logdet = np.linalg.slogdet(S)
    logdet = np.where(sign > 0, logdet, np.inf)
    return Innovation(y=y, S=S, d2=d2, logdet=logdet, cross=cross)


def _residual(z: F64, zhat: F64, meas: Measurements) -> F64:
    y = z - zhat
    if meas.kind == "polar":
        y[:, AZ] = wrap_pi(y[:, AZ])  # azimuth innovation wrapped to [-pi, pi)
    return y


def mixture_reduce(
    x0: F64, P0: F64, xj: F64, Pj: F64, row: I64, beta: F64, beta0: F64
) -> tuple[F64, F64]:
    """Moment-matched merge of the predicted and per-pair updated Gaussians.

    x = b0 x0 + sum_j b_j x_j ; P = b0 (P0 + dx0 dx0') + sum_j b_j (P_j + dx_j dx_j')
    (PDA/JPDA update, Bar-Shalom et al. 2009 eqs 37-41 in mixture form). ``row``
    (p,) maps each pair to a row of x0 (k, nx). With one pair per row and
    beta = 1, beta0 = 0 this is exactly the KF update.
    """
    k = x0.shape[0]
    if row.shape[0] == k and np.all(beta == 1.0) and np.array_equal(row, np.arange(k)):
        return xj, Pj
    x = beta0[:, None] * x0
    np.add.at(x, row, beta[:, None] * xj)
    d0 = x0 - x
    dj = xj - x[row]
    P = beta0[:, None, None] * (P0 + np.einsum("ki,kj->kij", d0, d0))
    np.add.at(P, row, beta[:, None, None] * (Pj + np.einsum("pi,pj->pij", dj, dj)))
    return x, sym(P)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SingleModelFilter:
    """A Gaussian filter with one motion model: the base of KF, EKF, UKF and CMKF.

    Implements the :class:`~iadsim.tracking.roles.Filter` role on a state of
    ``x`` (n, nx) and ``P`` (n, nx, nx). A subclass changes how measurements are
    prepared (:meth:`prepare`), predicted (:meth:`predict_xP`), innovated
    (:meth:`innovate`) or updated (:meth:`update_xP`); the bank-level methods
    (PDA mixture for weighted pairs) are shared. The defaults are the EKF
    (BLK sec 10.3) with a Joseph-form update; an :class:`~iadsim.tracking.IMM`
    runs one copy per mode (``dataclasses.replace(f, model=...)``).

    Parameters
    ----------
    model : the motion model (state layout and dimension).
    """

    model: MotionModel

    @property
    def nx(self) -> int:
        """State dimension of the motion model."""
        return self.model.nx

    @property
    def ndim(self) -> int:
        """Spatial dimension (2 or 3)."""
        return self.model.ndim

    def prepare(self, meas: Measurements) -> Measurements:
        """Measurements as given (polar for the EKF/UKF)."""
        return meas

    def init_bank(self, x: F64, P: F64) -> FilterState:
        """State of new tracks: x (n, nx), P (n, nx, nx)."""
        return FilterState(x=x, P=P)

    def predict_xP(self, x: F64, P: F64, dt: F64) -> tuple[F64, F64]:
        """EKF prediction x = f(x), P = F P F' + Q (BLK eqs 10.3.2-1..-4)."""
        F = self.model.F(x, dt)
        P = F @ P @ F.swapaxes(1, 2) + self.model.Q(x, dt)
        return self.model.f(x, dt), sym(P)

    def seen_part(self, x: F64, P: F64, meas: Measurements) -> tuple[F64, F64 | None]:
        """``P`` less the process noise over each pair's ``meas.unseen_s`` (that noise
        entered the state after the measurement was taken), and that noise (None if
        none): the covariance an update with ``meas`` uses, the noise it adds back
        (:meth:`~iadsim.tracking.measurements.Measurements.with_unseen`)."""
        if meas.unseen_s is None:
            return P, None
        Q = self.model.Q(x, meas.unseen_s)
        return P - Q, Q

    def innovate(self, x: F64, P: F64, meas: Measurements) -> Innovation:
        """y = z - h(x), S = H P H' + R (BLK eqs 10.3.2-9, 10.3.2-10), ``P`` less the
        noise the measurement cannot see (:meth:`seen_part`)."""
        P, _ = self.seen_part(x, P, meas)
        zhat, H = h_and_jacobian(x, meas)
        S = H @ P @ H.swapaxes(1, 2) + meas.R  # S = H P H' + R
        return _finish(_residual(meas.z, zhat, meas), S, H)

    def update_xP(self, x: F64, P: F64, meas: Measurements, inn: Innovation) -> tuple[F64, F64]:
        """Joseph-form update of p pairs (BLK eq 5.2.3-18): x (p, nx), P (p, nx, nx); of
        ``P`` less the noise the measurement cannot see, added back after
        (:meth:`seen_part`)."""
        P, Q = self.seen_part(x, P, meas)
        x, P = joseph_update(x, P, inn.y, inn.S, inn.cross, meas.R)
        return (x, P) if Q is None else (x, sym(P + Q))

    def predict(self, bank: FilterState, dt: F64) -> FilterState:
        """Every row predicted ``dt`` (n,) s ahead."""
        x, P = self.predict_xP(bank.x, bank.P, dt)
        return FilterState(x=x, P=P)

    def update(
        self,
        bank: Bank,
        meas: Measurements,
        row: I64,
        beta: F64,
        beta0: F64,
        b: F64,
        inn: Innovation | None = None,
    ) -> tuple[FilterState, F64]:
        """Update ``k`` rows of ``bank`` with ``p`` pairs (row, beta); returns loglik (p,).

        ``inn`` optionally passes the pairs' innovations at this very state (from
        gating), which are then not computed again.
        """
        x0, P0 = bank.x, bank.P
        if inn is None:
            inn = self.innovate(x0[row], P0[row], meas)
        xj, Pj = self.update_xP(x0[row], P0[row], meas, inn)
        x, P = mixture_reduce(x0, P0, xj, Pj, row, beta, beta0)
        return FilterState(x=x, P=P), inn.loglik()


@dataclasses.dataclass(frozen=True, kw_only=True)
class KalmanFilter(SingleModelFilter):
    """Linear KF; polar measurements are converted by the plain (biased) conversion."""

    def prepare(self, meas: Measurements) -> Measurements:
        """Polar detections to Cartesian positions by the plain conversion."""
        return standard_conversion(meas)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtendedKalmanFilter(SingleModelFilter):
    """EKF: polar measurements used directly, Jacobians at the predicted state."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConvertedMeasurementKF(SingleModelFilter):
    """Converted-measurement KF with debiased conversion (Mo et al. 1998)."""

    def prepare(self, meas: Measurements) -> Measurements:
        """Polar detections to Cartesian positions by the debiased conversion."""
        return debiased_conversion(meas)


def safe_cholesky(P: F64) -> F64:
    """Lower Cholesky factor with a tiny diagonal jitter (for PSD-singular P)."""
    nx = P.shape[-1]
    scale = np.max(np.abs(np.diagonal(P, axis1=-2, axis2=-1)), axis=-1)
    jitter = (1e-12 * scale + 1e-300)[..., None, None] * np.eye(nx)
    return np.asarray(np.linalg.cholesky(sym(P) + jitter))


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnscentedKalmanFilter(SingleModelFilter):
    """UKF with the scaled unscented transform (Julier & Uhlmann 2004).

    lambda = alpha^2 (nx + kappa) - nx; sigma points x, x +- sqrt(nx + lambda) L_i.
    """

    alpha: float = 1.0
    beta: float = 2.0
    kappa: float = 0.0

    def _weights(self, n: int) -> tuple[F64, F64, float]:
        lam = self.alpha**2 * (n + self.kappa) - n
        Wm = np.full(2 * n + 1, 0.5 / (n + lam))
        Wc = Wm.copy()
        Wm[0] = lam / (n + lam)
        Wc[0] = Wm[0] + 1 - self.alpha**2 + self.beta
        return Wm, Wc, float(np.sqrt(n + lam))

    def _sigma(self, x: F64, P: F64) -> tuple[F64, F64, F64]:
        n = x.shape[1]
        Wm, Wc, g = self._weights(n)
        L = g * safe_cholesky(P)
        cols = L.swapaxes(1, 2)  # rows = columns of L
        X = np.concatenate([x[:, None, :], x[:, None, :] + cols, x[:, None, :] - cols], 1)
        return X, Wm, Wc

    def predict_xP(self, x: F64, P: F64, dt: F64) -> tuple[F64, F64]:
        """Unscented prediction: X' = f(X); x = sum Wm X'; P = sum Wc dX dX' + Q."""
        X, Wm, Wc = self._sigma(x, P)
        n, s, nx = X.shape
        Xp = self.model.f(X.reshape(n * s, nx), np.repeat(dt, s)).reshape(n, s, nx)
        xp = np.einsum("s,nsi->ni", Wm, Xp)
        dX = Xp - xp[:, None, :]
        P = np.einsum("s,nsi,nsj->nij", Wc, dX, dX) + self.model.Q(x, dt)
        return xp, sym(P)

    def innovate(self, x: F64, P: F64, meas: Measurements) -> Innovation:
        """S = sum Wc dZ dZ' + R ; Pxz = sum Wc dX dZ' ; azimuth residuals wrapped; the
        sigma points of ``P`` less the noise the measurement cannot see
        (:meth:`seen_part`; the update ``P - K S K'`` keeps that noise)."""
        X, Wm, Wc = self._sigma(x, self.seen_part(x, P, meas)[0])
        p, s, nx = X.shape
        rep = meas.select(np.repeat(np.arange(p), s))
        Z = h_of_x(X.reshape(p * s, nx), rep).reshape(p, s, meas.z.shape[1])
        dZ0 = Z - Z[:, :1, :]
        if meas.kind == "polar":
            dZ0[..., AZ] = wrap_pi(dZ0[..., AZ])
        zhat = Z[:, 0, :] + np.einsum("s,psi->pi", Wm, dZ0)
        dZ = dZ0 - (zhat - Z[:, 0, :])[:, None, :]
        S = np.einsum("s,psi,psj->pij", Wc, dZ, dZ) + meas.R
        Pxz = np.einsum("s,psi,psj->pij", Wc, X - x[:, None, :], dZ)
        return _finish(_residual(meas.z, zhat, meas), S, Pxz)

    def update_xP(self, x: F64, P: F64, meas: Measurements, inn: Innovation) -> tuple[F64, F64]:
        """K = Pxz S^-1 ; x = x + K y ; P = P - K S K'."""
        K = np.linalg.solve(inn.S, inn.cross.swapaxes(1, 2)).swapaxes(1, 2)
        x = x + np.einsum("pij,pj->pi", K, inn.y)
        P = P - K @ inn.S @ K.swapaxes(1, 2)
        return x, sym(P)
