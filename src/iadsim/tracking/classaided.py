"""Classification-aided process noise: a track's manoeuvre model follows a kinematic class.

Joint tracking and classification (JTC) lets the motion model depend on the target's
class, which the tracker infers from the kinematics it estimates: a class is a flight
envelope (speed, altitude, acceleration limits), and each class carries the motion
model of its manoeuvre capability (Challa and Pulford, "Joint target tracking and
classification using radar and ESM sensors", IEEE Trans. AES 37(3), 2001, sec II-III:
class-conditioned IMMs; Ristic, Arulampalam and Gordon, *Beyond the Kalman Filter*,
Artech House 2004, ch. 10: classes by speed and acceleration envelopes, the class
likelihood from the kinematic state; Bar-Shalom, Kirubarajan and Gokberk, "Tracking with
classification-aided multiframe data association", IEEE Trans. AES 41(3), 2005: class
information carried with the track). Here the simplest hard-decision form of it, with
two classes:

* the default class: nearly-constant velocity (CWNA, BLK sec 6.2.2) of PSD ``q`` sized
  for manoeuvring aircraft;
* a quiet class (e.g. "low and subsonic: cruise-missile-like, not manoeuvring hard"):
  the same model with PSD ``q_class``, taken once the track's *estimate* has stayed
  inside the class envelope (height above the frame origin <= ``max_height_m``,
  horizontal speed within [``min_speed_mps``, ``max_speed_mps``], vertical speed
  <= ``max_climb_mps``) for ``enter_s`` seconds without a break.

Hysteresis: the quiet class is entered only after ``enter_s`` seconds inside the
envelope and left at once, when the estimate leaves the envelope or when the track's
fading-memory normalized innovation squared (NIS, the statistic of
:mod:`iadsim.tracking.adaptive`, memory ``alpha``) exceeds ``exit_nis``: a target that
manoeuvres while classified quiet shows it in its innovations (BLK sec 11.2, the
manoeuvre detector of the equivalent-noise approach), and goes back to ``q``.
A fighter that flies low for less than ``enter_s`` is never classified; one that flies
low and straight for longer gets the quiet class until its first visible manoeuvre,
which is the limit of any kinematic classification (a class decided from kinematics
cannot predict a manoeuvre the kinematics have not shown).

Height above the frame origin on a spherical Earth (radius ``earth_radius_m``): the
tracker's frame is a local ENU tangent plane, in which a target at constant altitude
drops as ``r^2 / 2R`` (7 km at 300 km), so ``u`` alone is no altitude;
``h = |p + (0, 0, R)| - R`` is (to the Earth's flattening, tens of metres at 100 km).
With ``ndim = 2`` only the speed band applies.

Coasting: each class may carry the rms acceleration of a manoeuvre started while the
track coasts (``coast_accel_mps2``); its noise (:mod:`iadsim.tracking.coast`, a
Singer-type random-constant acceleration from ``coast_grace_s`` after the last update)
is added to the class's CWNA noise, so a track that misses updates through a turn or a
push-over keeps a covariance that covers it. 0 (the default): no coast noise.

State layout ``[pos(d), vel(d), c, s, e]``: ``c`` the seconds since the track's last
update, ``s`` the seconds the estimate has been inside the envelope (0 outside), ``e``
the fading NIS; all three noise-free (variance and cross-covariances 0, so the Kalman
update never moves them), carried, stored and put back by the tracker like any state
element. The transition advances ``c`` by ``dt`` (an update sets it to 0), and ``s``
by ``dt`` if the state at the start of the step is inside the envelope, resetting it
to 0 otherwise, so both are the same whatever steps a prediction is split into.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.adaptive import FadingNisEKF
from iadsim.tracking.coast import coast_psd
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.models import ConstantVelocity
from iadsim.tracking.roles import FilterState

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["ClassAidedCV", "ClassAidedEKF", "KinematicClass", "height_above_origin_m"]

#: mean Earth radius (IUGG), m
EARTH_RADIUS_M = 6_371_008.8


def height_above_origin_m(pos_m: F64, earth_radius_m: float = EARTH_RADIUS_M) -> F64:
    """(n,) height of ENU positions ``pos_m`` (n, 3), m, above the sphere through the
    frame origin: ``|p + (0, 0, R)| - R`` (module docstring)."""
    R = earth_radius_m
    horiz2 = pos_m[:, 0] ** 2 + pos_m[:, 1] ** 2
    up = R + pos_m[:, 2]
    return np.asarray(np.sqrt(horiz2 + up * up) - R)


@dataclasses.dataclass(frozen=True, kw_only=True)
class KinematicClass:
    """A flight envelope and the process noise of the targets inside it.

    Parameters
    ----------
    q_m2ps3 : CWNA PSD per axis while classified, m^2/s^3.
    max_height_m : height above the frame origin (spherical Earth) at most, m.
    min_speed_mps, max_speed_mps : horizontal speed band, m/s.
    max_climb_mps : absolute vertical speed at most, m/s.
    enter_s : seconds inside the envelope, without a break, before the class applies.
    coast_accel_mps2 : rms acceleration per axis of a manoeuvre started while the track
        coasts (:mod:`iadsim.tracking.coast`), m/s^2; 0: none.
    """

    q_m2ps3: float = 0.1
    max_height_m: float = 1_500.0
    min_speed_mps: float = 100.0
    max_speed_mps: float = 320.0
    max_climb_mps: float = 50.0
    enter_s: float = 60.0
    coast_accel_mps2: float = 0.0

    def inside(self, x: F64, ndim: int, earth_radius_m: float = EARTH_RADIUS_M) -> B:
        """(n,) whether states ``x`` (n, >= 2 ndim) lie inside the envelope."""
        v = x[:, ndim : 2 * ndim]
        speed = np.hypot(v[:, 0], v[:, 1])
        ok = (speed >= self.min_speed_mps) & (speed <= self.max_speed_mps)
        if ndim == 3:
            ok &= np.abs(v[:, 2]) <= self.max_climb_mps
            ok &= height_above_origin_m(x[:, :3], earth_radius_m) <= self.max_height_m
        return np.asarray(ok)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClassAidedCV:
    """CV (CWNA) whose PSD is ``q_m2ps3``, or the class's once the dwell ``s`` (state
    element ``-2``) reaches its ``enter_s`` (module docstring), plus the coast noise of
    the class's manoeuvre acceleration once the coast time ``c`` (element ``2 ndim``)
    exceeds ``coast_grace_s`` (:mod:`iadsim.tracking.coast`).

    Parameters
    ----------
    ndim : 2 or 3 spatial axes.
    q_m2ps3 : PSD per axis of the default (manoeuvring) class, m^2/s^3.
    quiet : the quiet class (envelope, PSD, dwell to enter).
    earth_radius_m : sphere of the height test, m.
    coast_accel_mps2 : rms manoeuvre acceleration per axis of the default class while
        coasting, m/s^2 (0: no coast noise).
    coast_grace_s : seconds after an update before a coast's manoeuvre noise starts.
    """

    ndim: int = 3
    q_m2ps3: float = 20.0
    quiet: KinematicClass = KinematicClass()
    earth_radius_m: float = EARTH_RADIUS_M
    coast_accel_mps2: float = 0.0
    coast_grace_s: float = 10.0

    @property
    def nx(self) -> int:
        """State dimension: position and velocity per axis, then ``c``, ``s``, ``e``."""
        return 2 * self.ndim + 3

    @property
    def cv(self) -> ConstantVelocity:
        """The CV model of unit PSD on [pos, vel]."""
        return ConstantVelocity(ndim=self.ndim, q_m2ps3=1.0)

    def classified(self, x: F64) -> B:
        """(n,) whether the quiet class applies to states ``x`` (n, nx)."""
        return np.asarray(x[:, -2] >= self.quiet.enter_s)

    def q_of(self, x: F64) -> F64:
        """(n,) the PSD of each state's class, m^2/s^3."""
        return np.where(self.classified(x), self.quiet.q_m2ps3, self.q_m2ps3)

    def coast_q_of(self, x: F64, dt: F64) -> F64:
        """(n,) the coast noise's mean PSD over steps ``dt`` (n,) from states ``x``,
        m^2/s^3 (:func:`iadsim.tracking.coast.coast_psd`, each state's class)."""
        a = np.where(self.classified(x), self.quiet.coast_accel_mps2, self.coast_accel_mps2)
        return coast_psd(x[:, 2 * self.ndim], dt, a * a, self.coast_grace_s)

    def F(self, x: F64, dt: F64) -> F64:
        """(n, nx, nx) transition: CV on [pos, vel], 1 on ``c``, ``s`` and ``e``."""
        k = 2 * self.ndim
        out = np.zeros((x.shape[0], self.nx, self.nx))
        out[:, :k, :k] = self.cv.F(x[:, :k], dt)
        out[:, k, k] = out[:, k + 1, k + 1] = out[:, k + 2, k + 2] = 1.0
        return out

    def f(self, x: F64, dt: F64) -> F64:
        """(n, nx) states propagated over ``dt`` (n,) s: CV, ``c + dt``, ``s + dt``
        inside the envelope (at the step's start) and 0 outside, ``e`` unchanged."""
        k = 2 * self.ndim
        out = x.copy()
        out[:, :k] = self.cv.f(x[:, :k], dt)
        out[:, k] = x[:, k] + dt
        inside = self.quiet.inside(x, self.ndim, self.earth_radius_m)
        out[:, k + 1] = np.where(inside, x[:, k + 1] + dt, 0.0)
        return out

    def Q(self, x: F64, dt: F64) -> F64:
        """(n, nx, nx) CWNA process noise of each track's class PSD plus its coast noise
        (0 on ``c``, ``s``, ``e``)."""
        k = 2 * self.ndim
        out = np.zeros((x.shape[0], self.nx, self.nx))
        q = self.q_of(x)
        if self.coast_accel_mps2 > 0.0 or self.quiet.coast_accel_mps2 > 0.0:
            q = q + self.coast_q_of(x, dt)
        out[:, :k, :k] = self.cv.Q(x[:, :k], dt) * q[:, None, None]
        return out


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClassAidedEKF(FadingNisEKF):
    """EKF on a :class:`ClassAidedCV` model; after each look it updates the fading NIS
    ``e`` (:class:`~iadsim.tracking.adaptive.FadingNisEKF`) and drops the quiet class
    (``s = 0``) of tracks whose ``e`` exceeds ``exit_nis``.

    Parameters
    ----------
    model : a :class:`ClassAidedCV`.
    alpha : memory of the fading NIS average (window 1 / (1 - alpha) looks).
    exit_nis : level of ``e`` (NIS per measurement dimension, 1 if consistent) above
        which a track leaves the quiet class.
    """

    model: ClassAidedCV
    exit_nis: float = 3.0

    def init_bank(self, x: F64, P: F64) -> FilterState:
        """New tracks not coasting (``c = 0``), unclassified (``s = 0``), ``e = 1``, no
        variance on any of the three."""
        k = 2 * self.model.ndim
        x, P = x.copy(), P.copy()
        x[:, k], x[:, k + 1], x[:, k + 2] = 0.0, 0.0, 1.0
        P[:, k:, :], P[:, :, k:] = 0.0, 0.0
        return FilterState(x=x, P=P)

    def seen_part(self, x: F64, P: F64, meas: Measurements) -> tuple[F64, F64 | None]:
        """As the EKF's, with the noise of the coast's last ``unseen_s`` seconds (from
        ``c - unseen_s`` to ``c``), the part that entered after the plot."""
        m = self.model
        if meas.unseen_s is None or max(m.coast_accel_mps2, m.quiet.coast_accel_mps2) <= 0.0:
            return super().seen_part(x, P, meas)
        k = 2 * m.ndim
        back = x.copy()
        back[:, k] = np.maximum(x[:, k] - meas.unseen_s, 0.0)
        return super().seen_part(back, P, meas)

    def after_look(self, bank: FilterState, x: F64, e: F64, row: I64, beta: F64) -> F64:
        """``e`` stored, ``s = 0`` where ``e > exit_nis``, ``c = 0`` on updated rows."""
        x = super().after_look(bank, x, e, row, beta)
        x[:, -2] = np.where(e > self.exit_nis, 0.0, bank.x[:, -2])
        seen = np.bincount(row, weights=beta, minlength=x.shape[0]) > 0
        x[seen, 2 * self.model.ndim] = 0.0
        return x
