"""The C2 stage: threat evaluation -> fire control and doctrine -> WTA -> Orders.

C2 reads only the defender's :class:`~iadsim.picture.TrackPicture` and the weapons'
status; it never sees truth, and it is not told whether a salvo killed. It never
imports the engagement stage (sibling layers are independent); it reads the weapons
through the :class:`~iadsim.c2.roles.WeaponSystem` protocol, which ``iadsim.engagement.Engagement``
satisfies. Engine wiring::

    eng = Engagement(interceptors=..., launchers=..., fc_radar_id=...)
    c2 = C2(threat=ThreatParams(...), batteries=[BatteryParams(...)], weapons=eng)
    eng.maintain(picture)                    # every C2 cycle: handover, support
    orders = c2.decide(picture, t_s)
    events = eng.launch(orders, picture)

A battery may engage a track only when it is a fire-control track of the battery's
engagement radar (``picture.fc_held``), with a free target channel and enough free
missile channels for the salvo; doctrine holds per target (near-duplicate group).
A salvo comes from one launcher: the doctrine's ``salvo`` rounds, or all the rounds
the launcher has left (beyond its reserve) if fewer, a partial salvo the WTA weighs
at its own kill probability (a launcher left with one round of a salvo-2 doctrine
fired none: ready rounds were stranded, and a loadout of 1 behaved as 0).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from iadsim.c2.doctrine import DoctrineParams, authorized, reengage_allowed, reserve_rounds
from iadsim.c2.roles import FireStatusLike, InterceptLike, WeaponSystem, WTASolver
from iadsim.c2.threat import ThreatAssessment, ThreatParams, evaluate_threats
from iadsim.c2.wta import AutoSolver, WTAProblem, stack_group_rows
from iadsim.frames import Orders
from iadsim.picture import TrackPicture

__all__ = ["C2", "BatteryParams", "C2Params", "Candidates", "Options"]

F = NDArray[np.float64]
Int = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class BatteryParams:
    """One battery's fire-control limits and doctrine.

    ``target_channels``: targets engaged simultaneously (engagements in flight);
    ``missile_channels``: interceptors guided simultaneously (rounds in flight).
    """

    battery_id: int
    target_channels: int
    missile_channels: int
    doctrine: DoctrineParams = dataclasses.field(default_factory=DoctrineParams)

    def __post_init__(self) -> None:
        if self.target_channels < 0 or self.missile_channels < 0:
            raise ValueError(f"BatteryParams {self.battery_id}: channels must be >= 0")


@dataclasses.dataclass(frozen=True, kw_only=True)
class C2Params:
    """Assignment settings: the WTA ``solver`` (:class:`~iadsim.c2.roles.WTASolver`) and
    the engagements one launcher may start per cycle."""

    solver: WTASolver = dataclasses.field(default_factory=AutoSolver)
    max_engagements_per_launcher: int = 1


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Candidates:
    """Per-launcher data of one cycle's candidate engagements.

    Attributes
    ----------
    lb : (L,) battery index (into ``C2.batteries``) of each launcher.
    n : (T, L, I) rounds of the salvo of each triple: the battery's salvo, or the rounds
        the launcher has left for the track if fewer (a partial salvo).
    hv : (T, B) track t is valuable enough for battery b's reserve rounds.
    reserve : (L, I) rounds held back for high-value threats.
    group : (T,) target (near-duplicate group) of each track.
    """

    lb: Int
    n: Int
    hv: NDArray[np.bool_]
    reserve: Int
    group: Int


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Options:
    """The options of one cycle's WTA, one per feasible (track, launcher, type), (K,).

    Attributes
    ----------
    t, lx, i, b : indices of the track (into the assessment), launcher, interceptor
        type and battery.
    n : rounds of the salvo.
    w : weight ``V_t (1 - (1 - p)^n)`` (:mod:`iadsim.c2.wta`).
    hv : the track may use the reserve rounds.
    reserve : (L, I) rounds held back for high-value threats.
    group : (T,) target of each track.
    """

    t: Int
    lx: Int
    i: Int
    b: Int
    n: Int
    w: F
    hv: NDArray[np.bool_]
    reserve: Int
    group: Int


class C2:
    """Command and control by weapon-target assignment (the ``wta`` policy kind):
    ``decide(picture, t_s) -> Orders`` each cycle (module doc), a
    :class:`~iadsim.c2.roles.C2Policy`.

    Parameters
    ----------
    threat : defended sites and threat-evaluation parameters.
    batteries : fire-control limits and doctrine of each battery.
    weapons : the weapons (:class:`~iadsim.c2.roles.WeaponSystem`).
    params : assignment settings (default: ``auto`` solver).
    """

    def __init__(
        self,
        *,
        threat: ThreatParams,
        batteries: Sequence[BatteryParams],
        weapons: WeaponSystem,
        params: C2Params | None = None,
    ) -> None:
        self.threat = threat
        self.batteries = tuple(batteries)
        self.weapons = weapons
        self.params = params or C2Params()
        self._bidx = {b.battery_id: k for k, b in enumerate(self.batteries)}
        bats = self.batteries  # per-battery constants (B,)
        self._cap_t = np.array([b.target_channels for b in bats], dtype=np.int64)
        self._cap_m = np.array([b.missile_channels for b in bats], dtype=np.int64)
        self._salvo = np.array([b.doctrine.salvo for b in bats], dtype=np.int64)
        self._reserve_min_value = np.array([b.doctrine.reserve_min_value for b in bats])
        self._next_order = 0
        self.last_assessment: ThreatAssessment | None = None
        self.last_picture: TrackPicture | None = None
        self._wta_inputs: tuple[ThreatAssessment, FireStatusLike, Options] | None = None
        self._wta_problem: WTAProblem | None = None

    def decide(self, picture: TrackPicture, t_s: float) -> Orders:
        """Evaluate threats, filter by fire control and doctrine, solve the WTA,
        return the orders (one salvo per target at most)."""
        ta = evaluate_threats(picture.tracks, t_s, self.threat)
        self.last_assessment, self.last_picture = ta, picture
        if len(ta.track_id) == 0:
            return Orders.empty()
        st = self.weapons.status(t_s)
        rows = picture.rows_of(ta.track_id)
        group = picture.group[rows]
        # Intercept solutions are the expensive part: solve only for tracks some
        # battery may engage now (authorized, not in flight or awaiting kill
        # assessment, channels free), and for those only the (launcher, type)
        # pairs that could fire (ready, rounds). Orders are the same as solving all.
        ok_tb = self._eligible(ta, st, t_s, picture, rows)
        keep = np.flatnonzero(ok_tb.any(axis=1) & (ta.value > 0))
        if keep.size == 0:
            return Orders.empty()
        if keep.size < len(ta.track_id):
            ta, ok_tb, group = _select_rows(ta, keep), ok_tb[keep], group[keep]
        cand, extra = self._candidates(ta, st, ok_tb, t_s, group)
        sol = None
        if cand.any():
            sol = self.weapons.solve(ta.pos_m, ta.vel_mps, ta.threat_class, t_s, candidates=cand)
        opt = self._options(ta, sol, cand, extra)
        self._wta_inputs, self._wta_problem = (ta, st, opt), None
        if sol is None or opt.t.size == 0:  # nothing feasible: the WTA picks nothing
            return Orders.empty()
        self._wta_problem = problem = self._problem(ta, st, opt)
        x = self.params.solver.solve(problem)
        return self._orders(ta, st, sol, opt, x, t_s)

    @property
    def last_problem(self) -> WTAProblem | None:
        """The WTA problem of the last cycle that reached the assignment (built on
        first access when that cycle had no feasible option)."""
        if self._wta_problem is None and self._wta_inputs is not None:
            self._wta_problem = self._problem(*self._wta_inputs)
        return self._wta_problem

    # -- options -------------------------------------------------------------
    def _eligible(
        self, ta: ThreatAssessment, st: FireStatusLike, t_s: float, picture: TrackPicture,
        rows: Int,
    ) -> NDArray[np.bool_]:  # fmt: skip
        """(T, B): track t may be engaged by battery b now (fire control, doctrine per
        target, channels)."""
        ok_tb = np.zeros((len(ta.track_id), len(self.batteries)), dtype=bool)
        free_t, free_m = self._free_channels(st)
        fc = picture.fc_held[rows]
        # Doctrine per target is judged over the whole picture, then read at the rows
        # assessed: a salvo's own track may be coasting (not assessed) while a
        # near-duplicate of it is confirmed, and that target is engaged all the same.
        engaged = np.concatenate([st.in_flight_track_id, st.in_flight_reach_track_id])
        for k, b in enumerate(self.batteries):
            d = b.doctrine
            col = np.flatnonzero(picture.battery_id == b.battery_id)
            if col.size == 0:
                continue  # the battery has no engagement radar in the picture: no fire control
            ok_tb[:, k] = fc[:, col[0]]
            ok_tb[:, k] &= authorized(ta.threat_class, ta.quality, ta.speed_sigma_mps, d)
            ok_tb[:, k] &= reengage_allowed(
                picture.group, picture.tracks.track_id, picture.last_hit_t_s, t_s, engaged,
                st.last_track_id, st.last_intercept_t_s, d.reengage_delay_s,
            )[rows]  # fmt: skip
            ok_tb[:, k] &= (free_t[k] >= 1) & (free_m[k] >= d.salvo)
        return ok_tb

    def _candidates(
        self, ta: ThreatAssessment, st: FireStatusLike, ok_tb: NDArray[np.bool_], t_s: float,
        group: Int,
    ) -> tuple[NDArray[np.bool_], Candidates]:  # fmt: skip
        """(T, L, I) triples that may fire now, whatever the geometry (doctrine,
        launcher ready, rounds beyond the reserve), and the per-launcher data."""
        lb = np.array([self._bidx[int(b)] for b in st.battery_id], dtype=np.int64)  # (L,)
        n_l = self._salvo[lb]  # rounds per engagement per launcher (L,)
        reserve = np.zeros_like(st.rounds)
        for k, b in enumerate(self.batteries):
            rows = lb == k
            reserve[rows] = reserve_rounds(st.loadout[rows], self.weapons.max_range_m, b.doctrine)
        hv = ta.value[:, None] >= self._reserve_min_value
        avail = st.rounds[None, :, :] - np.where(hv[:, lb][:, :, None], 0, reserve[None])
        cand = (
            ok_tb[:, lb][:, :, None]
            & (st.ready_t_s <= t_s)[None, :, None]
            & (avail >= 1)
            & (ta.value > 0)[:, None, None]
        )
        n = np.minimum(n_l[None, :, None], avail)  # a partial salvo of the rounds left
        return cand, Candidates(lb=lb, n=n, hv=hv, reserve=reserve, group=group)

    def _options(
        self, ta: ThreatAssessment, sol: InterceptLike | None, cand: NDArray[np.bool_],
        extra: Candidates,
    ) -> Options:  # fmt: skip
        """One option per feasible candidate triple: indices, salvo and weight."""
        lb = extra.lb
        t, lx, i = np.nonzero(cand if sol is None else sol.feasible & cand)  # None: no cand
        n = extra.n[t, lx, i]
        pk = sol.pk[t, lx, i] if sol is not None else np.zeros(0)
        w = ta.value[t] * (1.0 - (1.0 - pk) ** n)
        return Options(t=t, lx=lx, i=i, b=lb[lx], n=n, w=w, hv=extra.hv[t, lb[lx]],
                       reserve=extra.reserve, group=extra.group)  # fmt: skip

    def _free_channels(self, st: FireStatusLike) -> tuple[Int, Int]:
        n_b = len(self.batteries)
        fb = np.array([self._bidx.get(int(b), -1) for b in st.in_flight_battery_id], dtype=np.int64)
        keep = fb >= 0
        busy_t = np.bincount(fb[keep], minlength=n_b)
        w = st.in_flight_rounds[keep].astype(np.float64)
        busy_m = np.bincount(fb[keep], weights=w, minlength=n_b).astype(np.int64)
        return np.maximum(self._cap_t - busy_t, 0), np.maximum(self._cap_m - busy_m, 0)

    def _problem(self, ta: ThreatAssessment, st: FireStatusLike, opt: Options) -> WTAProblem:
        t, lx, i, b, n, group = opt.t, opt.lx, opt.i, opt.b, opt.n, opt.group
        n_g, (n_l, n_i) = int(group.max()) + 1 if group.size else 0, st.rounds.shape
        free_t, free_m = self._free_channels(st)
        ones = np.ones(t.shape[0])
        li = lx * n_i + i
        low = np.where(opt.hv, -1, li)
        cap_low = (st.rounds - opt.reserve).reshape(-1)
        a, rhs = stack_group_rows(
            [
                (group[t], ones, np.ones(n_g)),  # one salvo per target
                (li, n, st.rounds.reshape(-1).astype(np.float64)),
                (low, n, np.maximum(cap_low, 0).astype(np.float64)),
                (lx, ones, np.full(n_l, float(self.params.max_engagements_per_launcher))),
                (b, ones, free_t.astype(np.float64)),
                (b, n, free_m.astype(np.float64)),
            ]
        )
        return WTAProblem(weight=opt.w, track=group[t], A=a, b=rhs)

    def _orders(
        self, ta: ThreatAssessment, st: FireStatusLike, sol: InterceptLike,
        opt: Options, x: NDArray[np.bool_], t_s: float,
    ) -> Orders:  # fmt: skip
        t, lx, i, n = opt.t[x], opt.lx[x], opt.i[x], opt.n[x]
        order = np.lexsort((lx, ta.rank[t]))
        t, lx, i, n = t[order], lx[order], i[order], n[order]
        ids = self._next_order + np.arange(t.size, dtype=np.int64)
        self._next_order += t.size
        pip = sol.pip_m[t, lx, i]
        return Orders(
            t_s=np.full(t.size, t_s),
            order_id=ids,
            battery_id=st.battery_id[lx],
            launcher_id=st.launcher_id[lx],
            interceptor_id=i,
            track_id=ta.track_id[t],
            n_rounds=n,
            t_launch_s=sol.t_launch_s[t, lx, i],
            t_intercept_s=sol.t_intercept_s[t, lx, i],
            pip_e_m=pip[:, 0],
            pip_n_m=pip[:, 1],
            pip_u_m=pip[:, 2],
            pk=sol.pk[t, lx, i],
        )


def _select_rows(ta: ThreatAssessment, rows: NDArray[np.int64]) -> ThreatAssessment:
    """The assessment restricted to ``rows`` (every array field is indexed by track)."""
    fields = {
        f.name: getattr(ta, f.name)[rows]
        for f in dataclasses.fields(ta)
        if isinstance(getattr(ta, f.name), np.ndarray)
    }
    return dataclasses.replace(ta, **fields)
