"""Two-point initiation: a track starts from two plots of one sensor (the pairing gate).

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
single-point prior ``velocity_sigma_mps^2`` (added to ``W``); with ``ambiguous_hits:
1`` it counts as one hit, with ``third_plot`` it waits for a third plot
(:mod:`iadsim.tracking.plot_pairs`). Else the pair counts as two hits: the new track's
hit history is hit, ``k`` misses (the looks that covered the buffered plot), hit,
which is what a single-point track of the first plot would have had; its score
(:class:`~iadsim.tracking.management.ScoreConfirmer`) likewise gets the second hit's
log-likelihood, ``ln N(p2 - p1; 0, R1 + R2 + dt^2 sigma_v^2 I)`` per unit
measurement volume (a polar plot's volume element is ``r^2 cos(el)`` of Cartesian).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.association import gnn_solve
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.gating import gate_threshold, pregate_pairs
from iadsim.tracking.management import SinglePointInitiator, extra_state_prior
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.plot_pairs import Pending, ThirdPlots, match_third, pair_state, prior_loglik

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["TwoPointInitiator"]


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
    third_plot : which pairs (``"never"``, the ``"ambiguous"`` ones, ``"always"``)
        wait for a third plot in the gate predicted from the pair (plot_pairs).
    ambiguous_hits : hits an ambiguous pair's track starts with (2: both plots; 1:
        the newer only, the M-of-N rule then needs one more hit to confirm it).
    chain_check : a pair whose third plot makes a chain across a formation (its first
        plot has a likelier partner on the third look under the velocity prior:
        :func:`~iadsim.tracking.plot_pairs.chain_rejected`) is dropped, not started.
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
    third_plot: Literal["never", "ambiguous", "always"] = "never"
    ambiguous_hits: Literal[1, 2] = 2
    chain_check: bool = False
    q_m2ps3: float = 20.0
    velocity_sigma_mps: float = 400.0
    accel_sigma_mps2: float = 30.0
    turn_rate_sigma_radps: float = 0.1

    @property
    def marks_spent(self) -> bool:
        """Plots that started tracks stay buffered (spent): ambiguity counts them."""
        return self.third_plot != "never" or self.ambiguous_hits == 1 or self.ambiguous_prior

    def initial_state(self, meas: Measurements, nx: int) -> tuple[F64, F64]:
        """Single-point state of each plot (the :class:`Initiator` role; unused here)."""
        return self._single().initial_state(meas, nx)

    def _single(self) -> SinglePointInitiator:
        return SinglePointInitiator(
            velocity_sigma_mps=self.velocity_sigma_mps,
            accel_sigma_mps2=self.accel_sigma_mps2,
            turn_rate_sigma_radps=self.turn_rate_sigma_radps,
        )

    def gate(
        self, buf: PlotBuffer, new: PlotBuffer, taken: tuple[B, B] | None = None
    ) -> tuple[I64, I64, B]:
        """Pairs (buffered row i (p,), new row j (p,)) of one sensor's plots and
        whether each is ambiguous (p,): the feasible ones (module doc); with
        ``one_to_one``, those of the optimal assignment (each plot in one pair at most,
        as many pairs as possible, then the least total ``-ln N(p2 - p1; 0, R1 + R2 +
        dt^2 sigma_v^2 I)``). A pair is ambiguous when one of its plots has another
        feasible partner; ``taken`` (masks of ``buf`` and ``new``): plots already used
        (by three-point births) that pair with none but still count as partners."""
        none = np.zeros(0, np.int64)
        if len(buf) == 0 or len(new) == 0:
            return none, none, np.zeros(0, bool)
        radius = self.pair_radius(buf, new.t_s.max(), new.var.max())
        i, j = pregate_pairs(buf.pos, radius, new.pos)
        if i.shape[0] == 0:  # (most looks: no plot near a buffered one)
            return none, none, np.zeros(0, bool)
        i, j, amb, dp, S, dt = self.feasible(buf, new, i, j)
        if taken is not None and (taken[0].any() or taken[1].any()):
            free = (~taken[0][i] & ~taken[1][j]).nonzero()[0]  # ambiguous among all
            i, j, amb, dp, S, dt = i[free], j[free], amb[free], dp[free], S[free], dt[free]
        pick = self.assign(i, j, amb, (dp, S, dt), len(buf), len(new))
        return i[pick], j[pick], amb[pick]

    def pair_radius(self, buf: PlotBuffer, t_max: F64 | float, var_max: F64 | float) -> F64:
        """(k,) pre-gate radius of each buffered plot towards new plots of times up to
        ``t_max`` and ``tr Rc`` up to ``var_max`` (scalars, or (k,) per buffered plot)."""
        g = math.sqrt(gate_threshold(1, probability=self.gate_probability, mahalanobis=None))
        reach = self.max_speed_mps * (t_max - buf.t_s)
        return np.asarray(reach + g * np.sqrt(buf.var + var_max) * (1 + 1e-9))

    def feasible(
        self, buf: PlotBuffer, new: PlotBuffer, i: I64, j: I64
    ) -> tuple[I64, I64, B, F64, F64, F64]:
        """Of the candidate pairs (buffered row ``i``, new row ``j``), the feasible ones
        (module doc, row by row), whether each is ambiguous (a plot of it in another
        feasible pair) and their ``p2 - p1``, ``R1 + R2`` and ``dt``."""
        g = math.sqrt(gate_threshold(1, probability=self.gate_probability, mahalanobis=None))
        dt = new.t_s[j] - buf.t_s[i]
        dp = new.pos[j] - buf.pos[i]
        dist = np.sqrt(np.einsum("pi,pi->p", dp, dp))
        excess = np.maximum(dist - self.max_speed_mps * dt, 0.0)
        ok = dt >= self.min_dt_s
        # only a pair beyond v_max dt needs its noise along u (a dense raid's candidates
        # are nearly all inside: their R1 + R2 is formed for the feasible ones only)
        out = (ok & (excess > 0.0)).nonzero()[0]
        if out.shape[0]:
            u = dp[out] / np.maximum(dist[out], 1e-9)[:, None]
            s2 = np.einsum("pi,pij,pj->p", u, buf.Rc[i[out]] + new.Rc[j[out]], u)
            ok[out] = excess[out] * excess[out] <= g * g * s2
        keep = ok.nonzero()[0]
        i, j = i[keep], j[keep]
        amb = (np.bincount(i, minlength=len(buf))[i] > 1) | (
            np.bincount(j, minlength=len(new))[j] > 1
        )
        return i, j, amb, dp[keep], buf.Rc[i] + new.Rc[j], dt[keep]

    def assign(
        self, i: I64, j: I64, amb: B, pairs: tuple[F64, F64, F64], n_buf: int, n_new: int
    ) -> I64:
        """Which of the feasible pairs (``i``, ``j``) of one sensor's ``n_buf`` buffered
        and ``n_new`` new plots start tracks (indices): all, or with ``one_to_one`` and
        an ambiguous pair, those of the optimal assignment (:meth:`gate`; ``pairs``:
        their dp, S, dt)."""
        if not self.one_to_one or i.shape[0] == 0 or not amb.any():
            return np.arange(i.shape[0])
        cost = -prior_loglik(*pairs, self.velocity_sigma_mps)
        miss = np.full(n_buf, cost.max() + 1.0)  # any pair beats none
        return gnn_solve(i, j, cost, miss, n_buf, n_new)

    def births(
        self, old: PlotBuffer, new: PlotBuffer, i: I64, j: I64, amb: B, t_s: float | F64, nx: int
    ) -> tuple[F64, F64, F64]:
        """x (p, nx), P (p, nx, nx) at ``t_s`` (or each at its own, (p,)) of the pairs
        (old row ``i``, new row ``j``; ``amb``: ambiguous, their velocity gets the
        ``velocity_sigma_mps`` prior's variance too) and the second hit's log-likelihood
        (p,) per unit measurement volume."""
        p = i.shape[0]
        # both plots of every pair in one conversion (row-wise: as converted apart)
        c = debiased_conversion(old.select(i).concat(new.select(j)).raw(np.arange(2 * p)))
        z1, R1, z2, R2 = c.z[:p], c.R[:p], c.z[p:], c.R[p:]
        dt = new.t_s[j] - old.t_s[i]
        vv = np.where(amb & self.ambiguous_prior, self.velocity_sigma_mps**2, 0.0)
        tau = t_s - new.t_s[j]
        xv, Pv = pair_state(z1, R1, z2, R2, dt, tau, self.q_m2ps3, vv)
        x, P = self.embed(xv, Pv, nx)
        return x, P, prior_loglik(z2 - z1, R1 + R2, dt, self.velocity_sigma_mps) + new.log_volume(j)

    def embed(self, xv: F64, Pv: F64, nx: int) -> tuple[F64, F64]:
        """Position-velocity states (p, 2d) as ``nx`` states (extra ones: their prior)."""
        p, n2 = xv.shape
        x, P = np.zeros((p, nx)), np.zeros((p, nx, nx))
        x[:, :n2], P[:, :n2, :n2] = xv, Pv
        extra_state_prior(P, n2, self.accel_sigma_mps2, self.turn_rate_sigma_radps)
        return x, P

    def third(self, pend: Pending, new: PlotBuffer, t_s: float, nx: int) -> ThirdPlots:
        """The waiting pairs ``pend`` that found a third plot among ``new``
        (:func:`~iadsim.tracking.plot_pairs.match_third`), ``nx`` states, the third
        hit's log-likelihood per unit measurement volume."""
        c3 = debiased_conversion(new.raw(np.arange(len(new))))
        sv = self.velocity_sigma_mps if self.chain_check else None
        got = match_third(pend, c3, new.t_s, t_s, self.q_m2ps3, self.gate_probability, sv)
        x, P = self.embed(got.x, got.P, nx)
        return dataclasses.replace(got, x=x, P=P, ll3=got.ll3 + new.log_volume(got.j))
