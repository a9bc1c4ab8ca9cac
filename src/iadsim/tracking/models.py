"""Motion models batched over a leading track axis.

State layout (all models): positions ``x[:, :d]``, velocities ``x[:, d:2d]``,
then model-specific extras (accelerations for CA/Singer, the turn rate for CT).
``d`` is 2 (east, north) or 3 (east, north, up). Every method takes per-track
time steps ``dt`` of shape (n,), seconds.

References
----------
Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, Wiley 2001 (BLK): sec 6.2.2 (continuous white-noise acceleration,
CWNA), sec 6.2.3 (Wiener-process acceleration), sec 11.7.1 (coordinated turn).
Singer, "Estimating optimal tracking filter performance for manned maneuvering
targets", IEEE Trans. AES-6(4), 1970.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from iadsim.tracking.roles import MotionModel

F64 = NDArray[np.float64]

__all__ = [
    "ConstantAcceleration",
    "ConstantVelocity",
    "CoordinatedTurn",
    "MotionModel",
    "Singer",
    "ZeroPadded",
]


def _kron_axes(block: F64, ndim: int) -> F64:
    """Per-axis (n, k, k) block -> (n, k*d, k*d) with layout [pos(d), vel(d), ...].

    Element ``[i*d + a, j*d + b]`` is ``block[i, j]`` if ``a == b``, else 0
    (``block (x) I_d``); filled by ``d`` strided assignments.
    """
    n, k, _ = block.shape
    out = np.zeros((n, k * ndim, k * ndim))
    for a in range(ndim):  # loop over the 2-3 spatial axes only
        out[:, a::ndim, a::ndim] = block
    return out


def cwna_blocks(dt: F64, q: float) -> tuple[F64, F64]:
    """Per-axis CV transition and CWNA process noise, (n, 2, 2) each.

    F = [[1, T], [0, 1]];  Q = q [[T^3/3, T^2/2], [T^2/2, T]]   (BLK eq 6.2.2-12)
    with ``q`` the power spectral density of the acceleration noise, m^2/s^3.
    """
    T = np.asarray(dt, dtype=float)
    F = np.empty((*T.shape, 2, 2))
    F[..., 0, 0], F[..., 0, 1], F[..., 1, 0], F[..., 1, 1] = 1.0, T, 0.0, 1.0
    Q = np.empty((*T.shape, 2, 2))
    Q[..., 0, 0] = q * (T**3 / 3)
    Q[..., 0, 1] = Q[..., 1, 0] = q * (T**2 / 2)
    Q[..., 1, 1] = q * T
    return F, Q


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConstantVelocity:
    """Nearly constant velocity (CWNA) model, BLK sec 6.2.2.

    Parameters
    ----------
    ndim : 2 or 3 spatial dimensions.
    q_m2ps3 : acceleration noise power spectral density per axis, m^2/s^3.
    """

    ndim: int = 2
    q_m2ps3: float = 1.0

    @property
    def nx(self) -> int:
        """State dimension: position and velocity per axis."""
        return 2 * self.ndim

    def F(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) transition matrices over ``dt`` (N,) s."""
        return _kron_axes(cwna_blocks(dt, self.q_m2ps3)[0], self.ndim)

    def f(self, x: F64, dt: F64) -> F64:
        """(N, nx) states propagated over ``dt`` (N,) s."""
        d = self.ndim
        out = x.copy()
        out[:, :d] += dt[:, None] * x[:, d : 2 * d]  # p' = p + T v
        return out

    def Q(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) process noise over ``dt`` (N,) s."""
        return _kron_axes(cwna_blocks(dt, self.q_m2ps3)[1], self.ndim)


class _PerAxisBlocks:
    """Linear models whose F and Q are one per-axis block repeated over ``ndim``
    axes; subclasses provide ``ndim`` and ``_blocks(dt) -> (F_axis, Q_axis)``."""

    ndim: int

    def _blocks(self, dt: F64) -> tuple[F64, F64]:
        raise NotImplementedError

    def F(self, x: F64, dt: F64) -> F64:
        return _kron_axes(self._blocks(dt)[0], self.ndim)

    def f(self, x: F64, dt: F64) -> F64:
        return np.einsum("nij,nj->ni", self.F(x, dt), x)

    def Q(self, x: F64, dt: F64) -> F64:
        return _kron_axes(self._blocks(dt)[1], self.ndim)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConstantAcceleration(_PerAxisBlocks):
    """Nearly constant acceleration (Wiener-process acceleration), BLK sec 6.2.3.

    Q = q [[T^5/20, T^4/8, T^3/6], [T^4/8, T^3/3, T^2/2], [T^3/6, T^2/2, T]]
    (BLK eq 6.2.3-8), ``q_m2ps5`` the jerk noise PSD per axis, m^2/s^5.
    """

    ndim: int = 2
    q_m2ps5: float = 1.0

    @property
    def nx(self) -> int:
        """State dimension: position, velocity and acceleration per axis."""
        return 3 * self.ndim

    def _blocks(self, dt: F64) -> tuple[F64, F64]:
        T = np.asarray(dt, dtype=float)
        o, z = np.ones_like(T), np.zeros_like(T)
        F = np.stack(
            [np.stack([o, T, T**2 / 2], -1), np.stack([z, o, T], -1), np.stack([z, z, o], -1)],
            -2,
        )
        rows = [
            [T**5 / 20, T**4 / 8, T**3 / 6],
            [T**4 / 8, T**3 / 3, T**2 / 2],
            [T**3 / 6, T**2 / 2, T],
        ]
        Q = self.q_m2ps5 * np.stack([np.stack(r, -1) for r in rows], -2)
        return F, Q


@dataclasses.dataclass(frozen=True, kw_only=True)
class Singer(_PerAxisBlocks):
    """Singer exponentially correlated acceleration model (Singer 1970; BLK sec 8.2.3).

    Per axis: a' = -a / tau + w, E[w w] = 2 sigma_a^2 / tau. F and Q are the exact
    discretization, computed by Van Loan's matrix exponential (batched ``expm``).
    """

    ndim: int = 2
    sigma_a_mps2: float = 10.0
    tau_s: float = 20.0

    @property
    def nx(self) -> int:
        """State dimension: position, velocity and acceleration per axis."""
        return 3 * self.ndim

    def _blocks(self, dt: F64) -> tuple[F64, F64]:
        A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -1.0 / self.tau_s]])
        Gq = np.zeros((3, 3))
        Gq[2, 2] = 2.0 * self.sigma_a_mps2**2 / self.tau_s
        M = np.zeros((6, 6))
        M[:3, :3], M[:3, 3:], M[3:, 3:] = -A, Gq, A.T  # Van Loan (1978)
        E = scipy.linalg.expm(np.asarray(dt, dtype=float)[:, None, None] * M)
        Phi = E[:, 3:, 3:].swapaxes(1, 2)
        Q = Phi @ E[:, :3, 3:]
        return Phi, 0.5 * (Q + Q.swapaxes(1, 2))


@dataclasses.dataclass(frozen=True, kw_only=True)
class CoordinatedTurn:
    """Horizontal coordinated turn with the turn rate as a state (BLK sec 11.7.1).

    State [pos(d), vel(d), omega]; omega in rad/s, positive counter-clockwise seen
    from above (east towards north). The vertical axis (d = 3) is CV. Process
    noise: CWNA ``q_m2ps3`` on each axis and a random walk ``q_omega_rad2ps3``
    on omega.
    """

    ndim: int = 2
    q_m2ps3: float = 1.0
    q_omega_rad2ps3: float = 1e-4

    @property
    def nx(self) -> int:
        """State dimension: position and velocity per axis plus the turn rate."""
        return 2 * self.ndim + 1

    def _terms(self, x: F64, dt: F64) -> tuple[F64, ...]:
        w = x[:, -1]
        wT = w * dt
        small = np.abs(wT) < 1e-3  # series below: truncation error ~ (wT)^4 / 30
        ws = np.where(small, 1.0, w)
        s, c = np.sin(wT), np.cos(wT)
        a = np.where(small, dt - w**2 * dt**3 / 6, s / ws)  # sin(wT)/w
        b = np.where(small, w * dt**2 / 2 - w**3 * dt**4 / 24, (1 - c) / ws)  # (1-cos wT)/w
        da = np.where(small, -w * dt**3 / 3 + w**3 * dt**5 / 30, (dt * c - a) / ws)  # da/dw
        db = np.where(small, dt**2 / 2 - w**2 * dt**4 / 8, (dt * s - b) / ws)  # db/dw
        return s, c, a, b, da, db

    def f(self, x: F64, dt: F64) -> F64:
        """(N, nx) states propagated over ``dt`` (N,) s along the turn."""
        d = self.ndim
        s, c, a, b, _, _ = self._terms(x, dt)
        vx, vy = x[:, d], x[:, d + 1]
        out = x.copy()
        out[:, 0] = x[:, 0] + a * vx - b * vy
        out[:, 1] = x[:, 1] + b * vx + a * vy
        out[:, d] = c * vx - s * vy
        out[:, d + 1] = s * vx + c * vy
        if d == 3:
            out[:, 2] = x[:, 2] + dt * x[:, 5]
        return out

    def F(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) Jacobians of :meth:`f` at ``x`` (N, nx)."""
        d, n = self.ndim, x.shape[0]
        s, c, a, b, da, db = self._terms(x, dt)
        vx, vy = x[:, d], x[:, d + 1]
        J = np.broadcast_to(np.eye(self.nx), (n, self.nx, self.nx)).copy()
        J[:, 0, d], J[:, 0, d + 1], J[:, 0, -1] = a, -b, da * vx - db * vy
        J[:, 1, d], J[:, 1, d + 1], J[:, 1, -1] = b, a, db * vx + da * vy
        J[:, d, d], J[:, d, d + 1] = c, -s
        J[:, d + 1, d], J[:, d + 1, d + 1] = s, c
        J[:, d, -1] = dt * (-s * vx - c * vy)
        J[:, d + 1, -1] = dt * (c * vx - s * vy)
        if d == 3:
            J[:, 2, 5] = dt
        return J

    def Q(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) process noise over ``dt`` (N,) s."""
        n, d = x.shape[0], self.ndim
        out = np.zeros((n, self.nx, self.nx))
        out[:, : 2 * d, : 2 * d] = _kron_axes(cwna_blocks(dt, self.q_m2ps3)[1], d)
        out[:, -1, -1] = self.q_omega_rad2ps3 * dt
        return out


@dataclasses.dataclass(frozen=True, kw_only=True)
class ZeroPadded:
    """A model run inside a larger state (for IMM): extra states are reset to 0.

    E.g. CV inside the CT state [pos, vel, omega] (omega -> 0) or inside the CA
    state (accelerations -> 0), the usual way of mixing models of unequal
    dimension (BLK sec 11.6.6 and the Blair/Watson IMM benchmark designs).
    """

    model: MotionModel
    nx_total: int

    @property
    def ndim(self) -> int:
        """Spatial axes of the wrapped model."""
        return self.model.ndim

    @property
    def nx(self) -> int:
        """State dimension of the padded state."""
        return self.nx_total

    def f(self, x: F64, dt: F64) -> F64:
        """(N, nx) states propagated by the wrapped model; padding set to 0."""
        k = self.model.nx
        out = np.zeros_like(x)
        out[:, :k] = self.model.f(x[:, :k], dt)
        return out

    def F(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) wrapped model's Jacobian, zero on the padding."""
        k = self.model.nx
        out = np.zeros((x.shape[0], self.nx_total, self.nx_total))
        out[:, :k, :k] = self.model.F(x[:, :k], dt)
        return out

    def Q(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) wrapped model's process noise, zero on the padding."""
        k = self.model.nx
        out = np.zeros((x.shape[0], self.nx_total, self.nx_total))
        out[:, :k, :k] = self.model.Q(x[:, :k], dt)
        return out
