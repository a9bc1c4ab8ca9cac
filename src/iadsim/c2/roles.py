"""The roles of command and control, as protocols: what to implement to plug in a part.

* :class:`C2Policy`: the whole decision of one C2 cycle, ``decide(picture, t_s) ->
  Orders`` (implemented by :class:`iadsim.c2.C2`: threat evaluation, fire control
  and doctrine, weapon-target assignment). A scenario chooses it by ``kind``
  (``engagement.policy``); the engine calls it once per C2 cycle.
* :class:`WeaponSystem`: the weapons as C2 sees them (magazines, channels in use,
  intercept solutions); implemented by :class:`iadsim.engagement.Engagement`. C2
  never imports the engagement stage (sibling layers are independent).
* :class:`WTASolver`: one weapon-target assignment problem -> the chosen options
  (kinds ``auto``, ``milp``, ``greedy``, ``brute``; :mod:`iadsim.c2.wta`).
* :class:`FiringMode`: how a battery fires at one target (kinds
  ``shoot-look-shoot``, ``salvo``; :mod:`iadsim.c2.doctrine`).

Units: times in seconds from the scenario epoch, positions ENU metres (local frame
of the scenario), velocities m/s. Shapes: ``T`` tracks, ``L`` launchers, ``I``
interceptor types, ``E`` salvos in flight, ``K`` assignment options.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from iadsim.c2.threat import ThreatAssessment
from iadsim.c2.wta import WTAProblem
from iadsim.frames import Orders
from iadsim.picture import TrackPicture

__all__ = ["C2Policy", "FireStatusLike", "FiringMode", "InterceptLike", "WTASolver", "WeaponSystem"]

F = NDArray[np.float64]
Int = NDArray[np.int64]


class FireStatusLike(Protocol):
    """Magazines and engagements at one instant (``iadsim.engagement.FireStatus``).

    Whether a salvo killed is not said: C2 assesses that from the track picture.
    """

    @property
    def battery_id(self) -> Int:
        """(L,) battery of each launcher."""

    @property
    def launcher_id(self) -> Int:
        """(L,) launcher ids."""

    @property
    def rounds(self) -> Int:
        """(L, I) rounds left per (launcher, interceptor type)."""

    @property
    def loadout(self) -> Int:
        """(L, I) initial rounds per (launcher, interceptor type)."""

    @property
    def ready_t_s(self) -> F:
        """(L,) time from which each launcher may fire again, s."""

    @property
    def in_flight_track_id(self) -> Int:
        """(E,) track of each salvo in flight."""

    @property
    def in_flight_reach_track_id(self) -> Int:
        """Tracks a salvo flying without fire-control support may still engage (inside
        its acquisition basket around its last estimate): counted engaged too."""

    @property
    def in_flight_battery_id(self) -> Int:
        """(E,) battery of each salvo in flight."""

    @property
    def in_flight_rounds(self) -> Int:
        """(E,) rounds still flying in each salvo (missile channels in use)."""

    @property
    def last_track_id(self) -> Int:
        """(K,) tracks on which salvos ended (intercept or abort)."""

    @property
    def last_intercept_t_s(self) -> F:
        """(K,) time of the last intercept of each of those tracks, s."""


class InterceptLike(Protocol):
    """Intercept solutions per (track, launcher, interceptor type), arrays (T, L, I)."""

    @property
    def t_launch_s(self) -> F:
        """(T, L, I) launch time, s."""

    @property
    def t_intercept_s(self) -> F:
        """(T, L, I) intercept time, s."""

    @property
    def pip_m(self) -> F:
        """(T, L, I, 3) predicted intercept point, ENU m."""

    @property
    def feasible(self) -> NDArray[np.bool_]:
        """(T, L, I) inside the envelope, in time, launcher ready."""

    @property
    def pk(self) -> F:
        """(T, L, I) single-shot kill probability at the intercept range."""


class WeaponSystem(Protocol):
    """The weapons as C2 sees them (implemented by ``iadsim.engagement.Engagement``)."""

    @property
    def max_range_m(self) -> F:
        """(I,) maximum slant range of each interceptor type, m."""
        ...

    def status(self, t_s: float) -> FireStatusLike:
        """Magazines, launcher readiness and salvos in flight at ``t_s`` (s)."""
        ...

    def solve(
        self, pos_m: F, vel_mps: F, target_class: Int, t_s: float,
        candidates: NDArray[np.bool_] | None = None,
    ) -> InterceptLike:  # fmt: skip
        """Intercept solutions (T, L, I) for tracks at ``pos_m`` (T, 3) ENU m moving at
        ``vel_mps`` (T, 3) m/s, of kinematic class ``target_class`` (T,), ordered at
        ``t_s``; only ``candidates`` (T, L, I) need be solved (others infeasible)."""
        ...


class WTASolver(Protocol):
    """A weapon-target assignment solver (:mod:`iadsim.c2.wta`)."""

    def solve(self, problem: WTAProblem) -> NDArray[np.bool_]:
        """The chosen options (K,) of ``problem``: feasible (``A x <= b``), and as
        heavy (``weight @ x``) as the solver can make it."""
        ...


class FiringMode(Protocol):
    """How a battery fires at one target (:mod:`iadsim.c2.doctrine`)."""

    @property
    def reengage_delay_s(self) -> float:
        """Wait after a salvo's last intercept before the target may be engaged
        again, s (kill assessment; 0: as soon as the salvo is resolved)."""
        ...


class C2Policy(Protocol):
    """Command and control: the engine calls :meth:`decide` once per C2 cycle."""

    @property
    def last_assessment(self) -> ThreatAssessment | None:
        """Threat evaluation of the last cycle (one row per firm track), or None
        before the first cycle (the engine logs it as ``threat_eval`` events)."""
        ...

    def decide(self, picture: TrackPicture, t_s: float) -> Orders:
        """Orders (one row per salvo) given the defender's track picture at ``t_s``
        (s): at most one salvo per target, each within the weapons' channels,
        rounds and readiness (:meth:`WeaponSystem.status`)."""
        ...
