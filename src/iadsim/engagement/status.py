"""What the engagement stage is made of and what C2 reads of it: the launchers
(:class:`LauncherParams`) and the per-cycle :class:`FireStatus` snapshot."""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

__all__ = ["FireStatus", "LauncherParams"]

F = NDArray[np.float64]
Int = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class LauncherParams:
    """Launchers of all batteries, shape (L,) / (L, I) (index = row).

    Attributes
    ----------
    launcher_id : (L,) int64 ids.
    battery_id : (L,) int64 battery id of each launcher.
    pos_m : (L, 3) ENU positions, m.
    loadout : (L, I) rounds per interceptor type carried when full.
    reserve : (L, I) reload rounds held for the launcher (0: no reloads).
    """

    launcher_id: Int
    battery_id: Int
    pos_m: F
    loadout: Int
    reserve: Int

    def __post_init__(self) -> None:
        for name in ("launcher_id", "battery_id", "loadout", "reserve"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        object.__setattr__(self, "pos_m", np.asarray(self.pos_m, dtype=np.float64).reshape(-1, 3))
        n = self.launcher_id.shape[0]
        if self.battery_id.shape != (n,) or self.pos_m.shape != (n, 3):
            raise ValueError("LauncherParams: launcher_id, battery_id, pos_m lengths differ")
        if self.loadout.ndim != 2 or self.loadout.shape[0] != n:
            raise ValueError(f"LauncherParams: loadout must be (L, I) (got {self.loadout.shape})")
        if self.reserve.shape != self.loadout.shape:
            raise ValueError("LauncherParams: reserve shape must equal loadout shape")
        if np.any(self.loadout < 0) or np.any(self.reserve < 0):
            raise ValueError("LauncherParams: rounds must be >= 0")


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class FireStatus:
    """Snapshot of magazines, launchers and salvos that C2 reads each cycle.

    ``rounds``/``loadout`` (L, I); ``ready_t_s`` (L,); in-flight rows (E,);
    ``in_flight_reach_track_id`` the tracks within reach of salvos flying without
    support (:mod:`iadsim.engagement.flight`, step 4), which C2 counts engaged;
    ``last_*`` one row per track a salvo ended on (intercept or abort): the time of
    its last intercept. Whether it killed is not said: C2 assesses that from tracks.
    """

    launcher_id: Int
    battery_id: Int
    pos_m: F
    rounds: Int
    loadout: Int
    ready_t_s: F
    in_flight_track_id: Int
    in_flight_battery_id: Int
    in_flight_rounds: Int
    in_flight_reach_track_id: Int
    last_track_id: Int
    last_intercept_t_s: F
