"""The weapon-system role: the engagement stage as the engine drives it.

:class:`WeaponSystemStage` is what :class:`iadsim.engagement.Engagement`
implements and ``sim/pipeline.py`` calls, once per C2 cycle (``maintain``, then
C2 decides, then ``launch``) and at every intercept time (``resolve``). C2 sees
only its read side (``status``, ``solve``, ``max_range_m``: the
:class:`iadsim.c2.roles.WeaponSystem` protocol); truth reaches the stage only in
``resolve``, through ``truth`` and ``physics``. :class:`FireControlHold` is what the
launch commit asks of the run's fire-control book (``sim/firecontrol.py``).

Units: times in seconds from the scenario epoch, positions ENU metres. Shapes:
``T`` tracks, ``L`` launchers, ``I`` interceptor types.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.intercept import InterceptSolutions
from iadsim.engagement.log import Engagements
from iadsim.engagement.outcome import Intercepts, TargetPhysics
from iadsim.frames import Events, Orders, Truth
from iadsim.picture import TrackPicture

__all__ = ["FireControlHold", "WeaponSystemStage"]

F = NDArray[np.float64]


@runtime_checkable
class WeaponSystemStage(Protocol):
    """Launchers, magazines and salvos in flight of one run (one object per run)."""

    @property
    def in_flight(self) -> Orders:
        """The salvos in flight (one row per salvo, their current track and PIP)."""

    @property
    def max_range_m(self) -> F:
        """(I,) maximum slant range of each interceptor type, m."""

    def status(self, t_s: float) -> object:
        """Magazines, launcher readiness and salvos at ``t_s`` (s), as
        :class:`iadsim.c2.roles.FireStatusLike`."""

    def solve(
        self, pos_m: F, vel_mps: F, target_class: NDArray[np.int64], t_s: float,
        candidates: NDArray[np.bool_] | None = None,
    ) -> InterceptSolutions:  # fmt: skip
        """Intercept solutions (T, L, I) for tracks at ``pos_m`` (T, 3) m moving at
        ``vel_mps`` (T, 3) m/s, of class codes ``target_class`` (T,), ordered at
        ``t_s``; only ``candidates`` (T, L, I) need be solved."""

    def maintain(self, picture: TrackPicture) -> Events:
        """Hand over, check support of and update the salvos in flight from the
        defender's picture (``handover`` and ``abort`` events)."""

    def launch(self, orders: Orders, picture: TrackPicture) -> Events:
        """Commit C2's orders: rounds leave the magazines and salvos start
        (``launch``, ``magazine_empty`` events); an order for rounds a launcher does
        not hold raises ``ValueError``."""

    def next_intercept_t_s(self) -> float:
        """Earliest pending intercept time, s (inf: nothing in flight)."""

    def resolve(
        self, truth: Truth, t_s: float, rng: np.random.Generator, physics: TargetPhysics
    ) -> tuple[Intercepts, Events]:
        """Outcomes of the salvos due by ``t_s`` against ``truth`` (states at ``t_s``),
        drawn with ``rng``; ``intercept``, ``kill``/``miss`` and ``abort`` events."""

    def log(self) -> Engagements:
        """One row per salvo launched so far, in order-id order."""


class FireControlHold(Protocol):
    """Which tracks the batteries' engagement radars, or any radar, hold (the run's
    fire-control book)."""

    def holds(self, t_s: float, battery_id: int, track_id: int, any_radar: bool = False) -> bool:
        """Battery ``battery_id``'s engagement radar (any radar if ``any_radar``) updated
        ``track_id`` within the battery's fire-control hold time before ``t_s``."""
        ...
