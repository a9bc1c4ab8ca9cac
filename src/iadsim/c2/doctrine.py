"""Fire doctrine per battery: firing mode, weapons release authority, reserves.

Definitions (concrete, per battery)
-----------------------------------
* **Firing mode** (a :class:`~iadsim.c2.roles.FiringMode`, chosen by ``kind``).
  :class:`ShootLookShoot`: each engagement fires ``salvo`` rounds (usually 1);
  after the intercept the track may be engaged again only once
  ``kill_assessment_s`` has passed and the assessment says "miss".
  :class:`SalvoFire`: each engagement fires ``salvo`` rounds (k >= 2 usually) and
  the track may be engaged again as soon as the previous engagement has been
  resolved (no look). In both modes at most one engagement per *target* is in
  flight (across all batteries), a target being a group of near-duplicate tracks
  (:func:`iadsim.picture.duplicate_groups`) among all the tracks of the picture,
  coasting ones included (a salvo's track may coast while a duplicate of it is
  confirmed). Kill assessment reads the track
  picture, never the outcome: after the delay a target is engaged again only if
  its track has been updated by a detection since the intercept.
* **Weapons release authority** per threat class: ``hold`` never fires;
  ``free`` fires at any confirmed track of the class; ``tight`` fires only when
  the identification is of high confidence, defined here as track
  ``quality >= tight_min_quality`` *and* velocity 1-sigma
  ``sqrt(var_ve + var_vn + var_vu) <= tight_max_speed_sigma_mps`` (so the
  kinematic class is stable).
* **Reserve.** For interceptor types whose max range is at least
  ``reserve_min_range_m`` ("long-range rounds"), each launcher keeps
  ``ceil(reserve_fraction * loadout)`` rounds that may only be fired at tracks of
  threat value ``>= reserve_min_value``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.c2.roles import FiringMode
from iadsim.c2.threat import THREAT_CLASSES

__all__ = [
    "AUTHORITY_NAMES",
    "FREE",
    "HOLD",
    "TIGHT",
    "DoctrineParams",
    "SalvoFire",
    "ShootLookShoot",
    "authorized",
    "reengage_allowed",
    "reserve_rounds",
]

HOLD, TIGHT, FREE = 0, 1, 2
AUTHORITY_NAMES: tuple[str, ...] = ("hold", "tight", "free")

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShootLookShoot:
    """Shoot-look-shoot: re-engage a target only ``kill_assessment_s`` after the
    salvo's intercept, and only if its track is still updated (module doc)."""

    kill_assessment_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.kill_assessment_s >= 0:
            raise ValueError("ShootLookShoot.kill_assessment_s: must be >= 0")

    @property
    def reengage_delay_s(self) -> float:
        """The kill-assessment delay, s."""
        return self.kill_assessment_s


@dataclasses.dataclass(frozen=True, kw_only=True)
class SalvoFire:
    """Salvo fire: re-engage a target as soon as the previous salvo is resolved."""

    @property
    def reengage_delay_s(self) -> float:
        """No wait, s."""
        return 0.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class DoctrineParams:
    """Compiled doctrine of one battery (SI units).

    Attributes
    ----------
    mode : firing mode (:class:`ShootLookShoot`, :class:`SalvoFire` or any
        :class:`~iadsim.c2.roles.FiringMode`).
    salvo : rounds per engagement (>= 1).
    authority : per threat class (``THREAT_CLASSES`` order), HOLD/TIGHT/FREE.
    tight_min_quality, tight_max_speed_sigma_mps : the ``tight`` test.
    reserve_fraction : share of long-range rounds kept for high-value threats, [0, 1).
    reserve_min_range_m : max range from which a type counts as long-range, m.
    reserve_min_value : threat value from which reserve rounds may be used.
    """

    mode: FiringMode = dataclasses.field(default_factory=ShootLookShoot)
    salvo: int = 1
    authority: tuple[int, ...] = (FREE, FREE, FREE, FREE)
    tight_min_quality: float = 0.9
    tight_max_speed_sigma_mps: float = 30.0
    reserve_fraction: float = 0.0
    reserve_min_range_m: float = 150_000.0
    reserve_min_value: float = np.inf

    def __post_init__(self) -> None:
        if self.salvo < 1:
            raise ValueError(f"DoctrineParams.salvo: must be >= 1 (got {self.salvo})")
        if len(self.authority) != len(THREAT_CLASSES) or any(
            a not in (HOLD, TIGHT, FREE) for a in self.authority
        ):
            raise ValueError("DoctrineParams.authority: one of HOLD/TIGHT/FREE per class")
        if not 0.0 <= self.reserve_fraction < 1.0:
            raise ValueError("DoctrineParams.reserve_fraction: must be in [0, 1)")

    @property
    def reengage_delay_s(self) -> float:
        """Wait after an intercept before the track may be engaged again, s."""
        return self.mode.reengage_delay_s


def authorized(
    threat_class: NDArray[np.int64],
    quality: F,
    speed_sigma_mps: F,
    doctrine: DoctrineParams,
) -> NDArray[np.bool_]:
    """Weapons release per track (T,) under ``doctrine`` (definitions in module doc)."""
    auth = np.asarray(doctrine.authority, dtype=np.int64)[threat_class]
    confident = (quality >= doctrine.tight_min_quality) & (
        speed_sigma_mps <= doctrine.tight_max_speed_sigma_mps
    )
    return np.asarray((auth == FREE) | ((auth == TIGHT) & confident))


def reengage_allowed(
    group: NDArray[np.int64],
    track_id: NDArray[np.int64],
    last_hit_t_s: F,
    t_s: float,
    in_flight_track_id: NDArray[np.int64],
    last_track_id: NDArray[np.int64],
    last_intercept_t_s: F,
    delay_s: float,
) -> NDArray[np.bool_]:
    """Tracks (T,) that may be engaged now, per *target* (near-duplicate group).

    Not allowed while a salvo is in flight against any track of the track's group;
    after a salvo on the group ended at ``t_i``, allowed again only once
    ``t_s >= t_i + delay_s`` *and* the track has been updated by a detection after
    ``t_i`` (kill assessment from the track picture: a target that is still seen
    survived, a target no longer seen is presumed killed).

    Parameters
    ----------
    group : (T,) target label of each track; ``track_id`` (T,); ``last_hit_t_s`` (T,).
    in_flight_track_id : tracks of the salvos in flight, and those within reach of
        salvos flying without support (:attr:`FireStatusLike.in_flight_reach_track_id`).
    last_track_id, last_intercept_t_s : (K,) tracks on which salvos ended, and when.
    """
    n = track_id.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    n_g = int(group.max()) + 1
    on_track = (track_id[:, None] == in_flight_track_id[None, :]).any(axis=1)  # few of each
    busy_g = np.zeros(n_g, dtype=bool)
    busy_g[group[on_track]] = True
    t_last = np.full(n, -np.inf)
    if last_track_id.size:
        match = track_id[:, None] == last_track_id[None, :]
        t_last = np.where(match, last_intercept_t_s[None, :], -np.inf).max(axis=1)
    t_last_g = np.full(n_g, -np.inf)
    np.maximum.at(t_last_g, group, t_last)
    t_i = t_last_g[group]
    ok = ~busy_g[group]
    ok &= ~np.isfinite(t_i) | ((t_s >= t_i + delay_s) & (last_hit_t_s > t_i))
    return np.asarray(ok)


def reserve_rounds(
    loadout: NDArray[np.int64], max_range_m: F, doctrine: DoctrineParams
) -> NDArray[np.int64]:
    """Rounds (L, I) held back for high-value threats: ``ceil(fraction * loadout)``."""
    long_range = np.asarray(max_range_m) >= doctrine.reserve_min_range_m
    keep = np.ceil(doctrine.reserve_fraction * loadout - 1e-9).astype(np.int64)
    return np.where(long_range[None, :], keep, 0)
