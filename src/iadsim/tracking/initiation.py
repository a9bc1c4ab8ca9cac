"""Track initiation: single-point, or two-point from a plot buffer (the tracker's births).

Single-point initiation (:class:`~iadsim.tracking.management.SinglePointInitiator`)
starts a tentative track on every plot no track used, with a broad velocity prior.
Two-point initiation (:class:`TwoPointInitiator`) holds such plots in a buffer, one
per sensor (two radars' false alarms never pair), and starts a tentative track only
when a new plot and a buffered plot of the same sensor could be one target moving at
most ``max_speed_mps``:

    |p2 - p1| <= v_max dt + sqrt(gamma) sigma,  dt = t2 - t1,

with the excess over ``v_max dt`` along ``u = (p2 - p1) / |p2 - p1|`` tested on
``u' (R1 + R2) u`` (chi-square, 1 dof). Of the feasible pairs, those of an optimal
assignment start tracks (each plot in one pair at most; least total ``-ln N(p2 - p1;
0, R1 + R2 + dt^2 sigma_v^2 I)``, which for a formation moving as one picks each
aircraft's own plots), or with ``one_to_one=False`` every feasible pair; a buffered
plot that paired leaves the buffer, a new plot that paired never enters it. A
buffered plot ages out after ``max_looks`` later looks of its sensor that covered its
position (the look's ``observed`` predicate), or after ``max_age_s``.

The state of a pair (two-point differencing: Bar-Shalom, Willett and Tian, *Tracking
and Data Fusion*, YBS 2011; Blackman and Popoli 1999, track initiation, ch. 3 and 6):
velocity ``v = (p2 - p1) / dt``, position ``p2 + tau v`` at the look time (``tau = t -
t2 >= 0``), and with ``a = tau / dt`` and ``W = q dt / 3 I`` (the gap between the
mean velocity over ``dt`` and the velocity at ``t2`` under white-noise acceleration
of PSD ``q``)::

    P_pp = (1 + a)^2 R2 + a^2 R1 + tau^2 W,
    P_pv = ((1 + a) R2 + a R1) / dt + tau W,
    P_vv = (R1 + R2) / dt^2 + W,

plus the CV process noise over ``tau``. A pair is ambiguous when one of its plots has
another feasible partner (a formation, a swarm, a false alarm nearby): the pair may be
the wrong one, and with ``ambiguous_prior`` its velocity also gets the variance of the
single-point prior ``velocity_sigma_mps^2`` (added to ``W``). The pair counts as two
hits: the new track's
hit history is hit, ``k`` misses (the looks that covered the buffered plot), hit,
which is what a single-point track of the first plot would have had; its score
(:class:`~iadsim.tracking.management.ScoreConfirmer`) likewise gets the second hit's
log-likelihood, ``ln N(p2 - p1; 0, R1 + R2 + dt^2 sigma_v^2 I)`` per unit
measurement volume (a polar plot's volume element is ``r^2 cos(el)`` of Cartesian).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TrackStatus
from iadsim.tracking.association import gnn_solve
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.gating import gate_threshold, pregate_pairs
from iadsim.tracking.looks import Observed
from iadsim.tracking.management import SinglePointInitiator, TrackBook
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.roles import Confirmer, Initiator

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["Births", "Initiation", "PlotBuffer", "TwoPointInitiator", "pair_state"]


def pair_state(
    p1: F64, R1: F64, p2: F64, R2: F64, dt: F64, tau: F64, q: float, extra_vv: F64 | None = None
) -> tuple[F64, F64]:
    """Two-point differencing: position-velocity state of ``k`` plot pairs (module doc).

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


@dataclasses.dataclass(frozen=True, kw_only=True)
class TwoPointInitiator:
    """Two-point (plot-buffer) initiation (module doc).

    Parameters
    ----------
    max_speed_mps : speed bound of the pairing gate ``v_max``.
    gate_probability : chi-square probability (1 dof) of the gate's excess test.
    max_looks : later looks of its sensor covering a buffered plot before it ages out.
    max_age_s : age at which a buffered plot ages out regardless, s.
    min_dt_s : shortest time between the two plots of a pair, s.
    one_to_one : each plot in one pair at most (an optimal assignment, see
        :meth:`gate`); False: every feasible pair starts a track.
    ambiguous_prior : an ambiguous pair's velocity also gets ``velocity_sigma_mps^2``.
    q_m2ps3 : white-noise acceleration PSD for the velocity's variance (the CV q).
    velocity_sigma_mps : velocity prior of the pair cost, of the second hit's score
        (ScoreConfirmer) and, with ``ambiguous_prior``, of ambiguous pairs.
    accel_sigma_mps2, turn_rate_sigma_radps : prior std of extra states (CA, CT).
    """

    max_speed_mps: float = 1200.0
    gate_probability: float = 0.999
    max_looks: int = 2
    max_age_s: float = 30.0
    min_dt_s: float = 0.5
    one_to_one: bool = True
    ambiguous_prior: bool = False
    q_m2ps3: float = 20.0
    velocity_sigma_mps: float = 400.0
    accel_sigma_mps2: float = 30.0
    turn_rate_sigma_radps: float = 0.1

    def initial_state(self, meas: Measurements, nx: int) -> tuple[F64, F64]:
        """Single-point state of each plot (the :class:`Initiator` role; unused here)."""
        return self._single().initial_state(meas, nx)

    def _single(self) -> SinglePointInitiator:
        return SinglePointInitiator(
            velocity_sigma_mps=self.velocity_sigma_mps,
            accel_sigma_mps2=self.accel_sigma_mps2,
            turn_rate_sigma_radps=self.turn_rate_sigma_radps,
        )

    def gate(self, buf: PlotBuffer, new: PlotBuffer) -> tuple[I64, I64, B]:
        """Pairs (buffered row i (p,), new row j (p,)) of one sensor's plots and
        whether each is ambiguous (p,): the feasible ones (module doc); with
        ``one_to_one``, those of the optimal assignment (each plot in one pair at most,
        as many pairs as possible, then the least total ``-ln N(p2 - p1; 0, R1 + R2 +
        dt^2 sigma_v^2 I)``). A pair is ambiguous when one of its plots has another
        feasible partner."""
        g = math.sqrt(gate_threshold(1, probability=self.gate_probability, mahalanobis=None))
        none = np.zeros(0, np.int64)
        if len(buf) == 0 or len(new) == 0:
            return none, none, np.zeros(0, bool)
        reach = self.max_speed_mps * (new.t_s.max() - buf.t_s)
        radius = reach + g * np.sqrt(buf.var + new.var.max()) * (1 + 1e-9)
        i, j = pregate_pairs(buf.pos, radius, new.pos)
        if i.shape[0] == 0:  # (most looks: no plot near a buffered one)
            return none, none, np.zeros(0, bool)
        dt = new.t_s[j] - buf.t_s[i]
        dp = new.pos[j] - buf.pos[i]
        dist = np.sqrt(np.einsum("pi,pi->p", dp, dp))
        u = dp / np.maximum(dist, 1e-9)[:, None]
        S = buf.Rc[i] + new.Rc[j]
        s2 = np.einsum("pi,pij,pj->p", u, S, u)
        excess = np.maximum(dist - self.max_speed_mps * dt, 0.0)
        ok = ((dt >= self.min_dt_s) & (excess * excess <= g * g * s2)).nonzero()[0]
        i, j = i[ok], j[ok]
        amb = (np.bincount(i, minlength=len(buf))[i] > 1) | (
            np.bincount(j, minlength=len(new))[j] > 1
        )
        if not self.one_to_one or not amb.any():
            return i, j, amb
        cost = -_loglik(dp[ok], S[ok], dt[ok], self.velocity_sigma_mps)
        miss = np.full(len(buf), cost.max() + 1.0)  # any pair beats none
        pick = gnn_solve(i, j, cost, miss, len(buf), len(new))
        return i[pick], j[pick], amb[pick]

    def births(
        self, old: PlotBuffer, new: PlotBuffer, i: I64, j: I64, amb: B, t_s: float, nx: int
    ) -> tuple[F64, F64, F64]:
        """x (p, nx), P (p, nx, nx) at ``t_s`` of the pairs (old row ``i``, new row
        ``j``; ``amb``: ambiguous, their velocity gets the ``velocity_sigma_mps`` prior's
        variance too) and the second hit's log-likelihood (p,) per unit measurement
        volume."""
        p, d = i.shape[0], old.d
        # both plots of every pair in one conversion (row-wise: as converted apart)
        c = debiased_conversion(old.select(i).concat(new.select(j)).raw(np.arange(2 * p)))
        z1, R1, z2, R2 = c.z[:p], c.R[:p], c.z[p:], c.R[p:]
        dt = new.t_s[j] - old.t_s[i]
        vv = np.where(amb & self.ambiguous_prior, self.velocity_sigma_mps**2, 0.0)
        tau = t_s - new.t_s[j]
        xv, Pv = pair_state(z1, R1, z2, R2, dt, tau, self.q_m2ps3, vv)
        x, P = np.zeros((p, nx)), np.zeros((p, nx, nx))
        x[:, : 2 * d], P[:, : 2 * d, : 2 * d] = xv, Pv
        extra = nx - 2 * d
        if extra:
            s2 = self.turn_rate_sigma_radps**2 if extra == 1 else self.accel_sigma_mps2**2
            idx = np.arange(2 * d, nx)
            P[:, idx, idx] = s2
        ll = _loglik(z2 - z1, R1 + R2, dt, self.velocity_sigma_mps)
        if new.polar:  # density per unit polar volume: times |d cart / d polar|
            r = new.z[j, 0]
            ll += np.log(r * r * np.cos(new.z[j, 2])) if d == 3 else np.log(r)
        return x, P, ll


@dataclasses.dataclass(frozen=True)
class Births:
    """New tentative tracks: states ``x`` (k, nx), ``P`` (k, nx, nx), bookkeeping."""

    x: F64
    P: F64
    book: TrackBook


class Initiation:
    """The tracker's initiation step and its state (the plot buffers, if two-point).

    Parameters
    ----------
    initiator : a :class:`TwoPointInitiator` (buffered), or any single-point one.
    confirmer : the tracker's confirmer (initial scores and confirmation).
    nx : state dimension.
    """

    def __init__(self, initiator: Initiator, confirmer: Confirmer, nx: int) -> None:
        self.initiator, self.confirmer, self.nx = initiator, confirmer, nx
        self.two_point = initiator if isinstance(initiator, TwoPointInitiator) else None
        self.buffers: dict[tuple[int, bool], PlotBuffer] = {}

    @property
    def n_buffered(self) -> int:
        """Plots waiting in the buffers."""
        return sum(len(b) for b in self.buffers.values())

    def births(
        self, raw: Measurements, cart: Measurements, t_s: float, first_id: int, bit: int,
        observed: Observed | None,
    ) -> Births | None:  # fmt: skip
        """Tracks started at ``t_s`` from the plots ``raw`` no track used (``cart``:
        their Cartesian conversions), ids from ``first_id``; a look of sensor ``bit``."""
        ini = self.two_point
        if ini is None:
            if len(raw) == 0:
                return None
            x, P = self.initiator.initial_state(raw, self.nx)
            ids = np.arange(first_id, first_id + len(raw), dtype=np.int64)
            return self._births(x, P, TrackBook.new(ids, t_s, self.confirmer.initial_llr(), bit))
        key = (bit, raw.kind == "polar")
        new = PlotBuffer.of(raw, cart)
        old = self._aged(key, t_s)
        if old is None:
            self._put(key, new)
            return None
        i, j, amb = ini.gate(old, new)
        out = None
        if i.shape[0]:
            x, P, ll = ini.births(old, new, i, j, amb, t_s, self.nx)
            out = self._pair_births(x, P, ll, old.looks[i], t_s, first_id, bit)
        old = self._covered(_without(old, i), observed)
        self._put(key, old.concat(_without(new, j)))
        return out

    def miss(self, t_s: float, bit: int, observed: Observed | None) -> None:
        """A look of sensor ``bit`` without plots: its buffered plots age."""
        for key in [k for k in self.buffers if k[0] == bit]:
            old = self._aged(key, t_s)
            if old is not None:
                self._put(key, self._covered(old, observed))

    def _aged(self, key: tuple[int, bool], t_s: float) -> PlotBuffer | None:
        buf = self.buffers.get(key)
        if buf is None or self.two_point is None:
            return None
        old = t_s - buf.t_s > self.two_point.max_age_s
        return buf.select(~old) if np.count_nonzero(old) else buf

    def _covered(self, buf: PlotBuffer, observed: Observed | None) -> PlotBuffer:
        """``buf`` after a look: the plots it covered count it; those out of looks go."""
        if len(buf) == 0 or self.two_point is None:
            return buf
        seen = np.ones(len(buf), bool) if observed is None else np.asarray(observed(buf.pos))
        buf.covered(seen)
        keep = buf.looks < self.two_point.max_looks
        return buf if keep.all() else buf.select(keep)

    def _put(self, key: tuple[int, bool], buf: PlotBuffer) -> None:
        if len(buf):
            self.buffers[key] = buf
        else:
            self.buffers.pop(key, None)

    def _pair_births(
        self, x: F64, P: F64, ll: F64, misses: I64, t_s: float, first_id: int, bit: int
    ) -> Births:
        """Births of pairs: hit, ``misses`` (p,) misses, hit (module doc)."""
        p, c = x.shape[0], self.confirmer
        ids = np.arange(first_id, first_id + p, dtype=np.int64)
        book = TrackBook.new(ids, t_s, c.initial_llr(), bit)
        book.hist = (np.uint64(1) << (misses + 1).astype(np.uint64)) | np.uint64(1)
        book.age = misses + 2
        on_miss = c.delta_llr(np.zeros(1, bool), np.zeros(1))[0]
        book.llr += c.delta_llr(np.ones(p, bool), ll) + misses * on_miss
        return self._births(x, P, book)

    def _births(self, x: F64, P: F64, book: TrackBook) -> Births:
        confirm, _ = self.confirmer.decide(book)
        book.status[confirm] = TrackStatus.CONFIRMED
        return Births(x, P, book)


def _loglik(dp: F64, S: F64, dt: F64, sigma_v: float) -> F64:
    """``ln N(dp; 0, S + dt^2 sigma_v^2 I)`` (p,): a pair's displacement ``dp`` (p, d)
    under the noise ``S`` (p, d, d) and a velocity prior of std ``sigma_v``."""
    d = dp.shape[1]
    L = np.linalg.cholesky(S + ((dt * sigma_v) ** 2)[:, None, None] * np.eye(d))
    w = np.linalg.solve(L, dp[:, :, None])[:, :, 0]
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    return -0.5 * (np.einsum("pi,pi->p", w, w) + logdet + d * math.log(2 * math.pi))


def _without(buf: PlotBuffer, used: I64) -> PlotBuffer:
    """The rows of ``buf`` not in ``used`` (``buf`` itself if none is)."""
    if used.shape[0] == 0:
        return buf
    keep = np.ones(len(buf), bool)
    keep[used] = False
    return buf.select(keep.nonzero()[0])
