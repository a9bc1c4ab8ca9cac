"""Nearly-constant-velocity EKF whose process-noise level follows a fading-memory NIS.

The equivalent-noise approach to manoeuvring targets: process noise of adjustable
level (Bar-Shalom, Li and Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, Wiley 2001 (BLK), sec 11.2), set here continuously from the fading-memory
average of the normalized innovation squared (NIS) that the book's manoeuvre
detectors threshold (BLK ch. 11; survey: Li and Jilkov, "A survey of maneuvering
target tracking, part IV: decision-based methods", Proc. SPIE 4728, 2002, sec 2). A
filter tuned for straight flight keeps a low process noise q_low while its
innovations are consistent, and raises q towards q_high as soon as they are not.

The statistic, per track, over the looks that updated it (memory alpha, one sample a
look, normalized by the measurement dimension n_z):

    e_k = alpha e_(k-1) + (1 - alpha) eps_k / n_z,      eps_k = nu' S^-1 nu

(``eps_k`` the NIS of the look's innovation at the predicted state; with PDA/JPDA
weights, the weighted mean over the look's plots). For a consistent filter eps_k is
chi-square with n_z degrees of freedom (BLK sec 5.4.2), so E[e] = 1, the effective
window is 1 / (1 - alpha) looks and e's standard deviation in steady state is
sqrt(2 (1 - alpha) / ((1 + alpha) n_z)) (0.27 for alpha = 0.8, n_z = 3). The
process-noise PSD of the next prediction is interpolated log-linearly between the
two levels:

    q(e) = q_low (q_high / q_low) ** clip((e - e_low) / (e_high - e_low), 0, 1)

so q = q_low while e <= e_low (the fluctuation of a consistent filter) and
q = q_high once e >= e_high (a manoeuvre: one look with eps = 30 alone lifts e by
(1 - alpha) 10 = 2 for n_z = 3).

The statistic is carried in the filter state as a last, noise-free element
``x[:, -1]`` (layout [pos(d), vel(d), e]; its variance and cross-covariances are
0, so the Kalman update never moves it), which the tracker takes, stores and puts
back like any state, with no column of its own.

Limit: the level rises only once the innovations show the manoeuvre. A manoeuvre
small against the measurement noise but large against q_low's covariance (a 1 g
push-over seen at 100 km with an elevation error of hundreds of metres, after a
velocity variance of ~1 m^2/s^2 built on 1 s looks) leaves the track over-confident
for several looks first: on the s400-vs-mixed-raid preset this kind puts the cruise
missiles inside their NEES band but not the F-35-class pair (see the commit that
added it), so the preset keeps its single CV level.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.filters import ExtendedKalmanFilter, Innovation
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.models import ConstantVelocity
from iadsim.tracking.roles import FilterState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["AdaptiveCV", "AdaptiveNoiseEKF", "FadingNisEKF", "fading_nis"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AdaptiveCV:
    """CV (CWNA, BLK sec 6.2.2) whose PSD is q(e) of the state's last element ``e``.

    Parameters
    ----------
    ndim : 2 or 3 spatial axes.
    q_low_m2ps3, q_high_m2ps3 : acceleration-noise PSD per axis at e <= e_low and at
        e >= e_high, m^2/s^3.
    e_low, e_high : the normalized fading-memory NIS levels of the two (module doc).
    """

    ndim: int = 3
    q_low_m2ps3: float = 0.3
    q_high_m2ps3: float = 20.0
    e_low: float = 1.5
    e_high: float = 3.0

    @property
    def nx(self) -> int:
        """State dimension: position and velocity per axis, then ``e``."""
        return 2 * self.ndim + 1

    def q_of(self, e: F64) -> F64:
        """(N,) PSD q(e) of the module docstring, m^2/s^3."""
        s = np.clip((np.asarray(e, dtype=float) - self.e_low) / (self.e_high - self.e_low), 0, 1)
        return np.asarray(self.q_low_m2ps3 * (self.q_high_m2ps3 / self.q_low_m2ps3) ** s)

    @property
    def cv(self) -> ConstantVelocity:
        """The CV model of unit PSD on [pos, vel]."""
        return ConstantVelocity(ndim=self.ndim, q_m2ps3=1.0)

    def F(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) transition: CV on [pos, vel], 1 on ``e``."""
        out = np.zeros((x.shape[0], self.nx, self.nx))
        out[:, :-1, :-1] = self.cv.F(x[:, :-1], dt)
        out[:, -1, -1] = 1.0
        return out

    def f(self, x: F64, dt: F64) -> F64:
        """(N, nx) states propagated over ``dt`` (N,) s (``e`` unchanged)."""
        out = x.copy()
        out[:, :-1] = self.cv.f(x[:, :-1], dt)
        return out

    def Q(self, x: F64, dt: F64) -> F64:
        """(N, nx, nx) CWNA process noise with PSD q(e) per track (0 on ``e``)."""
        out = np.zeros((x.shape[0], self.nx, self.nx))
        out[:, :-1, :-1] = self.cv.Q(x[:, :-1], dt) * self.q_of(x[:, -1])[:, None, None]
        return out


def fading_nis(e: F64, inn: Innovation, row: I64, beta: F64, alpha: float) -> F64:
    """(k,) the statistic ``e`` (k,) of the module docstring after one look whose pairs
    (``row`` (p,) into ``e``, weights ``beta`` (p,)) have innovations ``inn``; rows
    without a pair keep their value."""
    nz = inn.y.shape[1]
    num, den = np.zeros(e.shape[0]), np.zeros(e.shape[0])
    np.add.at(num, row, beta * inn.d2 / nz)
    np.add.at(den, row, beta)
    seen = den > 0
    return np.where(seen, alpha * e + (1.0 - alpha) * num / np.where(seen, den, 1.0), e)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FadingNisEKF(ExtendedKalmanFilter):
    """EKF whose state carries the fading NIS ``e`` (module docstring) as a noise-free
    element, updated after each look; the one update of :class:`AdaptiveNoiseEKF` and
    :class:`~iadsim.tracking.classaided.ClassAidedEKF`, which differ only in what they
    do with ``e`` (:meth:`after_look`).

    Parameters
    ----------
    model : the motion model; its state's element ``nis_index`` is ``e``.
    alpha : memory of the fading NIS average (window 1 / (1 - alpha) looks).
    """

    alpha: float = 0.8

    #: index of ``e`` in the state
    nis_index: ClassVar[int] = -1

    def after_look(self, bank: FilterState, x: F64, e: F64, row: I64, beta: F64) -> F64:
        """States ``x`` (k, nx) after the look's update (a copy the caller owns), given
        the state before it ``bank``, the new statistic ``e`` (k,) and the look's pairs
        (``row``, ``beta``); here ``e`` stored at :attr:`nis_index`."""
        x[:, self.nis_index] = e
        return x

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
        """The EKF (PDA-)update, then ``e`` from the look's innovations
        (:func:`fading_nis`) and :meth:`after_look`."""
        if inn is None:
            inn = self.innovate(bank.x[row], bank.P[row], meas)
        new, ll = super().update(bank, meas, row, beta, beta0, b, inn)
        e = fading_nis(bank.x[:, self.nis_index], inn, row, beta, self.alpha)
        x = self.after_look(bank, new.x.copy(), e, row, beta)
        return FilterState(x=x, P=new.P), ll


@dataclasses.dataclass(frozen=True, kw_only=True)
class AdaptiveNoiseEKF(FadingNisEKF):
    """EKF on an :class:`AdaptiveCV` model that updates the model's noise statistic
    ``e`` after each look (module docstring).

    Parameters
    ----------
    model : an :class:`AdaptiveCV`.
    alpha : memory of the fading NIS average (window 1 / (1 - alpha) looks).
    e0 : the statistic of a new track (1: the nominal value, q = q_low).
    """

    model: AdaptiveCV
    e0: float = 1.0

    def init_bank(self, x: F64, P: F64) -> FilterState:
        """New tracks with ``e = e0`` and no variance or correlation on ``e``."""
        x, P = x.copy(), P.copy()
        x[:, -1] = self.e0
        P[:, -1, :], P[:, :, -1] = 0.0, 0.0
        return FilterState(x=x, P=P)
