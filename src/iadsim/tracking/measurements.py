"""Measurement batches and measurement functions (Cartesian and polar radar).

A :class:`Measurements` batch holds ``m`` measurements of one kind:

* ``cartesian``: z = [e, n(, u)] in m, h(x) = H x with H picking positions.
* ``polar``: z = [range_m, az_rad(, el_rad)(, rdot_mps)] relative to each
  measurement's own sensor position; azimuth clockwise from north, so
  az = atan2(de, dn); el = atan2(du, hypot(de, dn)); rdot = p.v / |p|.
  A 2-D tracker uses [ground range, az] (elevation projected out).

A batch is processed at one time ``t_s``; each measurement may have been taken
``dt_s`` seconds from it (a sector look of a scanning radar: every plot carries the
time the beam illuminated its target, :mod:`iadsim.sensors.scan`). The measurement
functions see the state moved to the measurement's own time, ``pos + dt v``, so
``dh/dv = dt dh/dpos``; the process noise of the state's last ``-dt`` seconds, which
the measurement cannot see, is left out of the update (:meth:`Measurements.with_unseen`:
the exact update with a measurement of an earlier time, Bar-Shalom, "Update with
out-of-sequence measurements in tracking: exact solution", IEEE Trans. AES-38(3),
2002). Track initiation moves each plot's position back to ``t_s`` the same way
(``p(t) = z - dt v``). The Euclidean pre-gates compare a track with plots of its own
times too (:func:`iadsim.tracking.gating.offset_pregate`): a plot of a 240 m/s cruise
missile taken 1.5 s before the look lies 360 m from the track's position at the look
time, beyond the pre-gate of a firm track though well inside its gate.

References: BLK 2001 sec 10.3 (EKF with polar measurements); Lerro and
Bar-Shalom, "Tracking with debiased consistent converted measurements versus
EKF", IEEE Trans. AES-29(3), 1993; Mo, Song, Zhou, Sun, "Unbiased converted
measurements for tracking", IEEE Trans. AES-34(3), 1998 (multiplicative
debiasing used in :func:`debiased_conversion`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections

F64 = NDArray[np.float64]
Kind = Literal["cartesian", "polar"]
AZ = 1  # index of azimuth in a polar measurement vector

__all__ = [
    "Measurements",
    "debiased_conversion",
    "h_and_jacobian",
    "h_jacobian",
    "h_of_x",
    "standard_conversion",
    "trace_of_block",
    "wrap_pi",
]


def wrap_pi(a: F64) -> F64:
    """Wrap angles to [-pi, pi)."""
    return (np.asarray(a) + np.pi) % (2.0 * np.pi) - np.pi


@dataclasses.dataclass(frozen=True, kw_only=True)
class Measurements:
    """A batch of ``m`` measurements of one kind, with per-measurement noise.

    Attributes
    ----------
    t_s : (m,) times, s.
    z : (m, nz) measurement vectors (see module docstring).
    R : (m, nz, nz) measurement-noise covariances.
    sensor_m : (m, 3) sensor ENU positions, m (zeros for Cartesian).
    kind : "cartesian" or "polar".
    ndim : spatial dimension of the tracker (2 or 3).
    has_rdot : polar vectors end with a radial velocity.
    index : (m,) row of each measurement in the caller's input (for reporting).
    dt_s : (m,) time of each measurement minus ``t_s``, s (zeros: taken at ``t_s``).
    unseen_s : (m,) for a batch of track-measurement pairs: the last ``unseen_s`` of the
        process noise in the track's state, which its measurement, taken that long
        before the state time, cannot see (:meth:`with_unseen`; None: none).
    """

    t_s: F64
    z: F64
    R: F64
    sensor_m: F64
    kind: Kind
    ndim: int
    has_rdot: bool = False
    index: NDArray[np.int64] = dataclasses.field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    dt_s: F64 | None = None
    unseen_s: F64 | None = None

    def __post_init__(self) -> None:
        if self.index.shape[0] != self.t_s.shape[0]:
            object.__setattr__(self, "index", np.arange(self.t_s.shape[0], dtype=np.int64))
        if self.dt_s is not None and not np.count_nonzero(self.dt_s):
            object.__setattr__(self, "dt_s", None)  # all at t_s: the plain functions

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def select(self, idx: NDArray[np.int64] | NDArray[np.bool_]) -> Measurements:
        """Rows picked by an index or mask."""
        return Measurements(
            t_s=self.t_s[idx],
            z=self.z[idx],
            R=self.R[idx],
            sensor_m=self.sensor_m[idx],
            kind=self.kind,
            ndim=self.ndim,
            has_rdot=self.has_rdot,
            index=self.index[idx],
            dt_s=None if self.dt_s is None else self.dt_s[idx],
            unseen_s=None if self.unseen_s is None else self.unseen_s[idx],
        )

    def with_unseen(self, since_s: F64) -> Measurements:
        """These measurements paired with tracks last moved (predicted or updated)
        ``since_s`` (m,) before the batch time: ``unseen_s = min(-dt_s, since_s)``.

        That last noise entered the state after the measurement was taken: the exact
        update uses ``P - Q(unseen)`` and adds ``Q(unseen)`` back (one-step-lag
        out-of-sequence update, Bar-Shalom, IEEE Trans. AES-38(3), 2002); crediting
        it is over-confident, most for long sector looks and high ``q``.
        """
        if self.dt_s is None:
            return self
        tau = np.minimum(np.maximum(-self.dt_s, 0.0), np.maximum(since_s, 0.0))
        return dataclasses.replace(self, unseen_s=tau if np.count_nonzero(tau) else None)

    @classmethod
    def cartesian(cls, t_s: F64, z: F64, R: F64) -> Measurements:
        """Cartesian position measurements: z (m, d), R (m, d, d) or (d, d)."""
        z = np.asarray(z, dtype=float)
        m, d = z.shape
        R = np.broadcast_to(np.asarray(R, dtype=float), (m, d, d)).copy()
        t = np.asarray(t_s, dtype=float)
        return cls(t_s=t, z=z, R=R, sensor_m=np.zeros((m, 3)), kind="cartesian", ndim=d)

    @classmethod
    def from_detections(
        cls, det: Detections, *, ndim: int, use_rdot: bool, t_ref_s: float | None = None
    ) -> Measurements:
        """Polar measurements from a :class:`iadsim.frames.Detections` frame.

        Radial velocity is used only if ``use_rdot`` and every ``sigma_rdot_mps``
        in the batch is finite (the tracker splits batches to make it so). With
        ``t_ref_s`` the batch is at ``t_ref_s`` and each plot's own time is kept as
        its offset ``dt_s``.
        """
        m = len(det)
        rdot = bool(use_rdot and m and np.all(np.isfinite(det.sigma_rdot_mps)))
        if ndim == 3:
            cols = [det.range_m, det.az_rad, det.el_rad]
            sig = [det.sigma_range_m, det.sigma_az_rad, det.sigma_el_rad]
        else:  # ground range; the el noise is folded into the range variance
            ce = np.cos(det.el_rad)
            cols = [det.range_m * ce, det.az_rad]
            sr = np.hypot(
                det.sigma_range_m * ce, det.range_m * np.sin(det.el_rad) * det.sigma_el_rad
            )
            sig = [sr, det.sigma_az_rad]
        if rdot:
            cols.append(det.rdot_mps)
            sig.append(det.sigma_rdot_mps)
        nz = len(cols)
        z, R = np.empty((m, nz)), np.zeros((m, nz, nz))
        for i in range(nz):  # over the 2-4 measurement components
            z[:, i] = cols[i]
            R[:, i, i] = sig[i] ** 2
        t = np.asarray(det.t_s, dtype=float)
        return cls(
            t_s=t if t_ref_s is None else np.full(m, float(t_ref_s)),
            z=z,
            R=R,
            sensor_m=det.sensor_pos_m(),
            kind="polar",
            ndim=ndim,
            has_rdot=rdot,
            dt_s=None if t_ref_s is None else t - t_ref_s,
        )


def _rel(x: F64, meas: Measurements) -> tuple[F64, F64, F64]:
    """Line of sight ``p = pos - sensor`` (p, d), velocity ``v`` (p, d), range |p| (p,)."""
    d = meas.ndim
    p = x[:, :d] - meas.sensor_m[:, :d]
    if meas.dt_s is not None:  # the position at each measurement's own time
        p = p + meas.dt_s[:, None] * x[:, d : 2 * d]
    sq = p[:, 0] * p[:, 0] + p[:, 1] * p[:, 1]  # summed in the order of a norm over axis -1
    if d == 3:
        sq += p[:, 2] * p[:, 2]
    return p, x[:, d : 2 * d], np.sqrt(sq)


def _h_polar(p: F64, v: F64, r: F64, meas: Measurements) -> F64:
    """h(x) = [r, az(, el)(, rdot)] from the line-of-sight terms of :func:`_rel`."""
    out = np.empty((p.shape[0], meas.z.shape[1]))
    out[:, 0] = r
    out[:, 1] = np.arctan2(p[:, 0], p[:, 1]) % (2 * np.pi)
    if meas.ndim == 3:
        out[:, 2] = np.arctan2(p[:, 2], np.hypot(p[:, 0], p[:, 1]))
    if meas.has_rdot:
        out[:, -1] = np.einsum("pi,pi->p", p, v) / np.maximum(r, 1e-9)
    return out


def _H_polar(p: F64, v: F64, r_raw: F64, meas: Measurements, nx: int) -> F64:
    """Polar Jacobian (p, nz, nx) from the line-of-sight terms of :func:`_rel`."""
    d, pn, nz = meas.ndim, p.shape[0], meas.z.shape[1]
    H = np.zeros((pn, nz, nx))
    r = np.maximum(r_raw, 1e-9)
    rho2 = np.maximum(p[:, 0] ** 2 + p[:, 1] ** 2, 1e-18)
    H[:, 0, :d] = p / r[:, None]  # dr/dp
    H[:, 1, 0], H[:, 1, 1] = p[:, 1] / rho2, -p[:, 0] / rho2  # d az / d(e, n)
    k = 2
    if d == 3:
        rho = np.sqrt(rho2)
        r2rho = r**2 * rho
        H[:, 2, 0] = -p[:, 0] * p[:, 2] / r2rho
        H[:, 2, 1] = -p[:, 1] * p[:, 2] / r2rho
        H[:, 2, 2] = rho / r**2
        k = 3
    if meas.has_rdot:
        pv = np.einsum("pi,pi->p", p, v)
        H[:, k, :d] = v / r[:, None] - pv[:, None] * p / r[:, None] ** 3
        H[:, k, d : 2 * d] = p / r[:, None]
    if meas.dt_s is not None:  # p = pos + dt v - sensor: dh/dv = dt dh/dpos
        H[:, :, d : 2 * d] += meas.dt_s[:, None, None] * H[:, :, :d]
    return H


def _H_cartesian(pn: int, meas: Measurements, nx: int) -> F64:
    d = meas.ndim
    H = np.zeros((pn, meas.z.shape[1], nx))
    H[:, :, :d] = np.eye(d)
    if meas.dt_s is not None:
        H[:, :, d : 2 * d] = meas.dt_s[:, None, None] * np.eye(d)
    return H


def _pos_cartesian(x: F64, meas: Measurements) -> F64:
    """h(x) of a Cartesian measurement: the position at the measurement's time."""
    d = meas.ndim
    if meas.dt_s is None:
        return x[:, :d].copy()
    return x[:, :d] + meas.dt_s[:, None] * x[:, d : 2 * d]


def h_of_x(x: F64, meas: Measurements) -> F64:
    """Predicted measurements h(x) for pairs: x (p, nx), meas (p rows) -> (p, nz)."""
    if meas.kind == "cartesian":
        return _pos_cartesian(x, meas)
    return _h_polar(*_rel(x, meas), meas)


def h_jacobian(x: F64, meas: Measurements) -> F64:
    """Jacobian H = dh/dx at x, (p, nz, nx) (BLK sec 10.3.2 for the polar form)."""
    if meas.kind == "cartesian":
        return _H_cartesian(x.shape[0], meas, x.shape[1])
    return _H_polar(*_rel(x, meas), meas, x.shape[1])


def h_and_jacobian(x: F64, meas: Measurements) -> tuple[F64, F64]:
    """``(h_of_x(x, meas), h_jacobian(x, meas))`` sharing the line-of-sight terms."""
    if meas.kind == "cartesian":
        return _pos_cartesian(x, meas), _H_cartesian(x.shape[0], meas, x.shape[1])
    p, v, r = _rel(x, meas)
    return _h_polar(p, v, r, meas), _H_polar(p, v, r, meas, x.shape[1])


def trace_of_block(A: F64, d: int, start: int = 0) -> F64:
    """Traces (n,) of the ``d x d`` diagonal blocks ``A[:, start:start+d, start:start+d]``
    of ``A`` (n, k, k), summed in the order of ``np.trace`` (cheaper than a reduction
    over a 2-3 element axis)."""
    k = start
    out = A[:, k, k] + A[:, k + 1, k + 1]
    if d == 3:
        out = out + A[:, k + 2, k + 2]
    return np.asarray(out)


def _polar_to_cart(z: F64, d: int) -> F64:
    r, az = z[:, 0], z[:, 1]
    out = np.empty((z.shape[0], d))
    if d == 2:
        out[:, 0], out[:, 1] = r * np.sin(az), r * np.cos(az)
        return out
    ce = np.cos(z[:, 2])
    out[:, 0], out[:, 1], out[:, 2] = r * ce * np.sin(az), r * ce * np.cos(az), r * np.sin(z[:, 2])
    return out


def _cart_and_jac(z: F64, d: int) -> tuple[F64, F64]:  # _polar_to_cart and its Jacobian
    r, az = z[:, 0], z[:, 1]
    sa, ca = np.sin(az), np.cos(az)
    J, out = np.empty((z.shape[0], d, d)), np.empty((z.shape[0], d))
    if d == 2:
        J[:, 0, 0], J[:, 0, 1], J[:, 1, 0], J[:, 1, 1] = sa, r * ca, ca, -r * sa
        out[:, 0], out[:, 1] = r * sa, r * ca
        return out, J
    se, ce = np.sin(z[:, 2]), np.cos(z[:, 2])
    J[:, 0, 0], J[:, 0, 1], J[:, 0, 2] = ce * sa, r * ce * ca, -r * se * sa
    J[:, 1, 0], J[:, 1, 1], J[:, 1, 2] = ce * ca, -r * ce * sa, -r * se * ca
    J[:, 2, 0], J[:, 2, 1], J[:, 2, 2] = se, 0.0, r * ce
    out[:, 0], out[:, 1], out[:, 2] = r * ce * sa, r * ce * ca, r * se
    return out, J


def standard_conversion(meas: Measurements) -> Measurements:
    """Polar -> Cartesian by the plain conversion, R_c = J R J^T (linearized).

    Biased at long range / large angle noise; kept as the reference the debiased
    conversion is compared against. Radial velocity is dropped.
    """
    if meas.kind == "cartesian":
        return meas
    d = meas.ndim
    zp = meas.z[:, :d]
    pos, J = _cart_and_jac(zp, d)
    R = J @ meas.R[:, :d, :d] @ J.swapaxes(1, 2)
    pos += meas.sensor_m[:, :d]
    return Measurements(
        t_s=meas.t_s,
        z=pos,
        R=0.5 * (R + R.swapaxes(1, 2)),
        sensor_m=meas.sensor_m,
        kind="cartesian",
        ndim=d,
        index=meas.index,
        dt_s=meas.dt_s,
    )


def debiased_conversion(meas: Measurements) -> Measurements:
    """Unbiased converted measurements (Mo et al. 1998; Lerro & Bar-Shalom 1993).

    Mean: the plain conversion divided by lambda_a = exp(-sigma_a^2/2) (and
    lambda_e = exp(-sigma_e^2/2) in 3-D), since E[cos(a + w)] = lambda_a cos a.
    Covariance: second moments of the debiased conversion under the polar
    noise, evaluated by an unscented transform around the measurement (a
    measurement-conditioned approximation of the exact moments of Mo et al.).
    """
    if meas.kind == "cartesian":
        return meas
    d, m = meas.ndim, len(meas)
    zp = meas.z[:, :d]
    sig2 = np.diagonal(meas.R[:, :d, :d], axis1=1, axis2=2)
    lam = np.ones((m, d))
    lam[:, 1] = np.exp(-sig2[:, 1] / 2)
    if d == 3:
        lam[:, 2] = np.exp(-sig2[:, 2] / 2)

    def conv(zz: F64, lam: F64) -> F64:
        c = _polar_to_cart(zz, d)
        c[:, :2] /= (lam[:, 1] * (lam[:, 2] if d == 3 else 1.0))[:, None]
        if d == 3:
            c[:, 2] /= lam[:, 2]
        return c

    L = np.linalg.cholesky(meas.R[:, :d, :d])  # sigma points, kappa = 0, n = d
    # the 2d sigma points zp +- sqrt(d) L[:, :, k], ordered (k, sign), converted at once
    step = math.sqrt(d) * L.transpose(2, 0, 1)[:, None]  # (d, 1, m, d): column k of L
    sigma = zp + np.array([1.0, -1.0])[:, None, None] * step  # (d, 2, m, d)
    k2 = 2 * d
    # the measurement and its sigma points in one conversion (row-wise: as converted apart)
    both = conv(np.concatenate([zp, sigma.reshape(k2 * m, d)]), np.concatenate([lam] * (k2 + 1)))
    mean = both[:m]
    dz = both[m:].reshape(k2, m, d) - mean
    acc = (np.einsum("kmi,kmj->kmij", dz, dz) / k2).sum(axis=0)  # sequential over k
    return Measurements(
        t_s=meas.t_s,
        z=mean + meas.sensor_m[:, :d],
        R=0.5 * (acc + acc.swapaxes(1, 2)),
        sensor_m=meas.sensor_m,
        kind="cartesian",
        ndim=d,
        index=meas.index,
        dt_s=meas.dt_s,
    )
