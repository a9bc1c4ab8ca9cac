"""Interceptor kinematics at operations-research level: envelope, fly-out, Pk.

Nothing here models guidance, seekers or fuzing. An interceptor type is an
engagement envelope (slant range and height band), an average fly-out speed
profile that gives a time of flight to a point, a reaction time, and a table of
single-shot probability of kill over the intercept range fraction per target
class.

Fly-out speed profile (documented model, all parameters per type)
-----------------------------------------------------------------
Three phases along the (straight) line of flight, speed ``v(t)``:

1. boost, ``0 <= t <= t_b``: constant acceleration to ``v_max``,
   ``v = v_max t / t_b``, distance ``s = v_max t^2 / (2 t_b)``;
2. coast, ``t_b < t <= t_b + tau_1``: linear (drag-limited average) speed
   decay at ``k`` m/s^2, ``v = v_max - k tau``,
   ``s = s_b + v_max tau - k tau^2 / 2`` with ``tau = t - t_b`` and
   ``tau_1 = (v_max - v_min) / k``;
3. floor, ``t > t_b + tau_1``: constant ``v_min``.

With ``k = 0`` the coast phase lasts for ever at ``v_max``. Time of flight to a
slant range is the exact inverse of ``s(t)`` (quadratic in each phase).

Intercept geometry: slant range is the straight-line ENU distance from the
launcher; the height of the intercept point above the launcher is measured on
a spherical Earth (:func:`height_above_origin_m` of the PIP minus that of the
launcher), because the scenario ENU frame is a tangent plane whose ``u`` drops
below the local horizontal by ``d^2 / (2 R)`` (~12.5 km at 400 km).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import EARTH_MEAN_RADIUS_M, THREAT_CLASSES
from iadsim.engagement.guidance import AcquisitionTable, GuidanceSupport
from iadsim.engagement.pk import pk_at

__all__ = [
    "PK_CLASS_NAMES",
    "InterceptorParams",
    "InterceptorTable",
    "TofCoefficients",
    "along_line_m",
    "flyout_range_m",
    "height_above_origin_m",
    "in_envelope",
    "pk_at",
    "time_of_flight_s",
]

F = NDArray[np.float64]

#: Target classes indexing the Pk tables; same order as ``iadsim.c2.threat.THREAT_CLASSES``.
PK_CLASS_NAMES = THREAT_CLASSES


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class InterceptorParams:
    """One interceptor type (compiled, SI units).

    Attributes
    ----------
    name : catalog name.
    min_range_m, max_range_m : slant-range envelope from the launcher, m.
    min_alt_m, max_alt_m : height band of the intercept point above the launcher, m.
    boost_s, max_speed_mps, decel_mps2, min_speed_mps : fly-out profile (module doc).
    reaction_s : delay from the C2 order to launch, s.
    launch_interval_s : launcher busy time per round fired, s.
    reload_s : time to reload an emptied launcher from the battery reserve, s.
    pk_range_fraction : grid of intercept range / max range, shape (G,), increasing in [0, 1].
    pk_table : single-shot Pk, shape (C, G), rows in :data:`PK_CLASS_NAMES` order.
    support : guidance support the round needs in flight (:class:`GuidanceSupport`).
    acquisition : probability of terminal acquisition (:class:`AcquisitionTable`).
    """

    name: str
    min_range_m: float
    max_range_m: float
    min_alt_m: float
    max_alt_m: float
    boost_s: float
    max_speed_mps: float
    decel_mps2: float
    min_speed_mps: float
    reaction_s: float
    launch_interval_s: float
    reload_s: float
    pk_range_fraction: NDArray[np.float64]
    pk_table: NDArray[np.float64]
    support: GuidanceSupport = dataclasses.field(default_factory=GuidanceSupport)
    acquisition: AcquisitionTable = dataclasses.field(default_factory=AcquisitionTable.certain)

    def __post_init__(self) -> None:
        g = np.asarray(self.pk_range_fraction, dtype=np.float64)
        p = np.asarray(self.pk_table, dtype=np.float64)
        msg = _check(self, g, p)
        if msg:
            raise ValueError(f"InterceptorParams {self.name}: {msg}")
        object.__setattr__(self, "pk_range_fraction", g)
        object.__setattr__(self, "pk_table", p)

    def time_of_flight_s(self, range_m: NDArray[np.float64] | float) -> F:
        """Time of flight to slant range ``range_m`` (s), see :func:`time_of_flight_s`."""
        return time_of_flight_s(
            range_m, self.boost_s, self.max_speed_mps, self.decel_mps2, self.min_speed_mps
        )


def _check(p: InterceptorParams, g: F, t: F) -> str:
    if not 0.0 <= p.min_range_m < p.max_range_m:
        return f"need 0 <= min_range_m < max_range_m (got {p.min_range_m}, {p.max_range_m})"
    if not p.min_alt_m < p.max_alt_m:
        return f"need min_alt_m < max_alt_m (got {p.min_alt_m}, {p.max_alt_m})"
    if not 0.0 < p.min_speed_mps <= p.max_speed_mps:
        return f"need 0 < min_speed_mps <= max_speed_mps (got {p.min_speed_mps})"
    if min(p.boost_s, p.decel_mps2, p.reaction_s, p.launch_interval_s, p.reload_s) < 0:
        return "times and deceleration must be >= 0"
    if g.ndim != 1 or g.size < 1 or np.any(np.diff(g) <= 0):
        return "pk_range_fraction must be a 1-D strictly increasing grid"
    if t.shape != (len(PK_CLASS_NAMES), g.size):
        return f"pk_table shape must be {(len(PK_CLASS_NAMES), g.size)} (got {t.shape})"
    if np.any(~np.isfinite(t)) or np.any((t < 0) | (t > 1)):
        return "pk_table values must lie in [0, 1]"
    return ""


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class InterceptorTable:
    """Interceptor types stacked into arrays of shape (I,) for batched kernels."""

    names: tuple[str, ...]
    min_range_m: F
    max_range_m: F
    min_alt_m: F
    max_alt_m: F
    boost_s: F
    max_speed_mps: F
    decel_mps2: F
    min_speed_mps: F
    reaction_s: F
    launch_interval_s: F
    reload_s: F
    pk_range_fraction: tuple[F, ...]
    pk_table: tuple[F, ...]
    support: tuple[GuidanceSupport, ...] = ()
    acquisition: tuple[AcquisitionTable, ...] = ()

    @classmethod
    def from_params(cls, params: Sequence[InterceptorParams]) -> InterceptorTable:
        """Stack a sequence of :class:`InterceptorParams` (index = interceptor id)."""

        def a(name: str) -> F:
            return np.array([getattr(p, name) for p in params], dtype=np.float64)

        scalars = [f.name for f in dataclasses.fields(cls) if f.name not in _PER_TYPE_OBJECTS]
        return cls(
            names=tuple(p.name for p in params),
            pk_range_fraction=tuple(p.pk_range_fraction for p in params),
            pk_table=tuple(p.pk_table for p in params),
            support=tuple(p.support for p in params),
            acquisition=tuple(p.acquisition for p in params),
            **{s: a(s) for s in scalars},
        )

    def __len__(self) -> int:
        return len(self.names)

    @functools.cached_property
    def needs_fire_control(self) -> NDArray[np.bool_]:
        """(I,) the type's rounds need the engagement radar's track in flight."""
        return np.array([s.needs_fire_control for s in self.support], dtype=bool)

    def time_of_flight_s(self, range_m: NDArray[np.float64]) -> F:
        """Time of flight, ``range_m`` shape (..., I) broadcast against the types."""
        return self.tof(range_m)

    @functools.cached_property
    def tof(self) -> TofCoefficients:
        """(I,) fly-out constants of the types (:class:`TofCoefficients`), built once."""
        return TofCoefficients.from_profile(
            self.boost_s, self.max_speed_mps, self.decel_mps2, self.min_speed_mps
        )

    def flown_m(self, t_s: F, type_index: NDArray[np.int64]) -> F:
        """Distance (N,) flown ``t_s`` (N,) after launch (0 before) by rounds of the
        types ``type_index`` (N,) (:func:`flyout_range_m`), m."""
        i = type_index
        return flyout_range_m(t_s, self.boost_s[i], self.max_speed_mps[i], self.decel_mps2[i],
                              self.min_speed_mps[i])  # fmt: skip

    @functools.cached_property
    def max_range_tof_s(self) -> F:
        """(I,) time of flight to the maximum range of each type, s."""
        return self.tof(self.max_range_m)

    def pk_of_type(
        self, range_m: NDArray[np.float64], target_class: NDArray[np.int64],
        type_index: NDArray[np.int64],
    ) -> F:  # fmt: skip
        """Single-shot Pk of each element's own type; all arguments shape (N,)."""
        frac = np.asarray(range_m, dtype=np.float64) / self.max_range_m[type_index]
        cls = np.asarray(target_class, dtype=np.int64)
        out = np.zeros_like(frac)
        for i in np.unique(type_index):  # loop over interceptor types only (few)
            sel = type_index == i
            out[sel] = pk_at(frac[sel], cls[sel], self.pk_range_fraction[i], self.pk_table[i])
        return out

    def pk(self, range_m: NDArray[np.float64], target_class: NDArray[np.int64]) -> F:
        """Single-shot Pk, ``range_m`` shape (..., I), ``target_class`` broadcastable to it."""
        frac = np.asarray(range_m, dtype=np.float64) / self.max_range_m
        cls_b = np.broadcast_to(np.asarray(target_class), frac.shape)
        out = np.empty_like(frac)
        for i in range(len(self)):  # loop over interceptor types only (few)
            out[..., i] = pk_at(
                frac[..., i], cls_b[..., i], self.pk_range_fraction[i], self.pk_table[i]
            )
        return out


#: Table fields that hold one object per type (not stacked into arrays).
_PER_TYPE_OBJECTS = ("names", "pk_range_fraction", "pk_table", "support", "acquisition")


def flyout_range_m(
    t_s: NDArray[np.float64] | float,
    boost_s: NDArray[np.float64] | float,
    max_speed_mps: NDArray[np.float64] | float,
    decel_mps2: NDArray[np.float64] | float,
    min_speed_mps: NDArray[np.float64] | float,
) -> F:
    """Distance flown ``s(t)`` (m) after ``t_s`` seconds; all arguments broadcast."""
    t = np.maximum(np.asarray(t_s, dtype=np.float64), 0.0)
    tb, vm, k, v0 = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=np.float64)
            for x in (boost_s, max_speed_mps, decel_mps2, min_speed_mps)
        )
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        s_boost = np.where(tb > 0, 0.5 * vm * np.minimum(t, tb) ** 2 / np.where(tb > 0, tb, 1), 0.0)
        tau1 = np.where(k > 0, (vm - v0) / np.where(k > 0, k, 1), np.inf)
        tau = np.clip(t - tb, 0.0, None)
        tc = np.minimum(tau, tau1)
        s_coast = vm * tc - 0.5 * k * tc**2
        s_floor = v0 * np.clip(tau - tau1, 0.0, None)
    return np.asarray(s_boost + s_coast + np.where(np.isfinite(tau1), s_floor, 0.0))


def along_line_m(start_m: F, end_m: F, flown_m: F | float) -> F:
    """The points (..., 3) ``flown_m`` (...) along the straight lines from ``start_m`` to
    ``end_m`` (..., 3), at most ``end_m``: where a round is on its line of flight (the
    fly-out model flies launcher to PIP in a straight line)."""
    line = np.asarray(end_m, dtype=np.float64) - start_m
    length = np.sqrt(np.sum(line * line, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(length > 0, np.minimum(1.0, flown_m / length), 1.0)
    return np.asarray(start_m + frac[..., None] * line)


def time_of_flight_s(
    range_m: NDArray[np.float64] | float,
    boost_s: NDArray[np.float64] | float,
    max_speed_mps: NDArray[np.float64] | float,
    decel_mps2: NDArray[np.float64] | float,
    min_speed_mps: NDArray[np.float64] | float,
) -> F:
    """Time of flight (s) to slant range ``range_m``: exact inverse of :func:`flyout_range_m`.

    Phase by phase: ``t = sqrt(2 t_b r / v_max)`` in boost;
    ``t = t_b + 2 d / (v_max + sqrt(v_max^2 - 2 k d))`` in coast with
    ``d = r - s_b`` (the stable root of ``v_max tau - k tau^2/2 = d``);
    ``t = t_b + tau_1 + (r - s_1) / v_min`` on the floor. All arguments broadcast.
    Kernels that evaluate it many times per type build a :class:`TofCoefficients`
    once instead (same arithmetic, same bits).
    """
    coef = TofCoefficients.from_profile(boost_s, max_speed_mps, decel_mps2, min_speed_mps)
    return coef(range_m)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class TofCoefficients:
    """The per-type constants of :func:`time_of_flight_s`, computed once.

    All arrays share one shape (``()``, ``(I,)`` per type or ``(E,)`` per
    engagement, see :meth:`take`) and broadcast against the ranges. Names follow
    the module doc: ``s_b = v_max t_b / 2`` (end of boost), ``s_1 = s_b +
    (v_max^2 - v_min^2) / 2k`` (start of the floor, inf for ``k = 0``),
    ``t_1 = t_b + tau_1`` (time at ``s_1``). ``floor_s_m``/``floor_t_s`` are
    ``s_1``/``t_1`` where finite and 0 otherwise (the floor branch is never
    selected then; finite values keep it free of ``inf - inf``).
    """

    boost_s: F
    two_boost_s: F
    max_speed_mps: F
    max_speed_sq: F
    two_decel_mps2: F
    min_speed_mps: F
    s_b_m: F
    s_1_m: F
    floor_s_m: F
    floor_t_s: F

    @classmethod
    def from_profile(
        cls,
        boost_s: NDArray[np.float64] | float,
        max_speed_mps: NDArray[np.float64] | float,
        decel_mps2: NDArray[np.float64] | float,
        min_speed_mps: NDArray[np.float64] | float,
    ) -> TofCoefficients:
        """Constants from the fly-out profile parameters (broadcast together)."""
        tb, vm, k, v0 = np.broadcast_arrays(
            *(np.asarray(x, dtype=np.float64) for x in (boost_s, max_speed_mps, decel_mps2,
                                                         min_speed_mps))
        )  # fmt: skip
        s_b = 0.5 * vm * tb
        with np.errstate(divide="ignore", invalid="ignore"):
            tau1 = np.where(k > 0, (vm - v0) / np.where(k > 0, k, 1.0), np.inf)
            s_1 = np.where(k > 0, s_b + (vm**2 - v0**2) / (2 * np.where(k > 0, k, 1.0)), np.inf)
        t_1 = tb + tau1
        fin = np.isfinite(s_1) & np.isfinite(t_1)
        cols = {
            "boost_s": tb, "two_boost_s": 2 * tb, "max_speed_mps": vm, "max_speed_sq": vm**2,
            "two_decel_mps2": 2 * k, "min_speed_mps": v0, "s_b_m": s_b, "s_1_m": s_1,
            "floor_s_m": np.where(fin, s_1, 0.0), "floor_t_s": np.where(fin, t_1, 0.0),
        }  # fmt: skip
        return cls(**{name: np.array(v, dtype=np.float64) for name, v in cols.items()})

    def take(self, index: NDArray[np.int64]) -> TofCoefficients:
        """Constants of the types ``index`` (e.g. one row per in-flight engagement)."""
        return TofCoefficients(**{name: getattr(self, name)[index] for name in _TOF_FIELDS})

    def __call__(self, range_m: NDArray[np.float64] | float) -> F:
        """Time of flight (s) to ``range_m`` (formulas of :func:`time_of_flight_s`)."""
        return self.of_distance(np.maximum(np.asarray(range_m, dtype=np.float64), 0.0))

    def of_distance(self, r: F) -> F:
        """Time of flight (s) to slant ranges ``r`` already known to be >= 0 (or NaN)."""
        d = r - self.s_b_m
        root = np.sqrt(np.maximum(self.max_speed_sq - self.two_decel_mps2 * d, 0.0))
        out = np.asarray(self.boost_s + 2 * d / (self.max_speed_mps + root))  # coast
        floor = ~(r <= self.s_1_m)  # (NaN ranges too, as in the formula)
        if np.count_nonzero(floor):  # each other phase only where it occurs (small batches)
            t_floor = self.floor_t_s + (r - self.floor_s_m) / self.min_speed_mps
            out = np.where(floor, t_floor, out)
        boost = r <= self.s_b_m
        if np.count_nonzero(boost):
            out = np.where(boost, np.sqrt(self.two_boost_s * r / self.max_speed_mps), out)
        return np.asarray(out, dtype=np.float64)


_TOF_FIELDS = tuple(f.name for f in dataclasses.fields(TofCoefficients))

#: Mean Earth radius, m (IUGG mean radius R1).
EARTH_RADIUS_M = EARTH_MEAN_RADIUS_M


def height_above_origin_m(pos_m: NDArray[np.float64]) -> F:
    """Height (m) of ENU points (..., 3) above the sphere through the ENU origin.

    ``h = sqrt(e^2 + n^2 + (u + R)^2) - R`` (spherical Earth, radius R).
    """
    p = np.asarray(pos_m, dtype=np.float64)
    e, n, u = p[..., 0], p[..., 1], p[..., 2]
    return np.asarray(np.sqrt(e * e + n * n + (u + EARTH_RADIUS_M) ** 2) - EARTH_RADIUS_M)


def in_envelope(
    range_m: NDArray[np.float64],
    height_m: NDArray[np.float64],
    min_range_m: NDArray[np.float64] | float,
    max_range_m: NDArray[np.float64] | float,
    min_alt_m: NDArray[np.float64] | float,
    max_alt_m: NDArray[np.float64] | float,
) -> NDArray[np.bool_]:
    """True where the point lies inside the slant-range and height envelope (closed)."""
    return np.asarray(
        (range_m >= min_range_m)
        & (range_m <= max_range_m)
        & (height_m >= min_alt_m)
        & (height_m <= max_alt_m)
    )
