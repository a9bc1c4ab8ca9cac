"""Config models for interceptor types (pydantic v2), their compilers, and the C2 and
engagement set-up of a run.

Units are in the field names; kilometres are converted once, here, into the stage
dataclasses (:class:`iadsim.engagement.InterceptorParams`). Pk and terminal-acquisition
tables are registered kinds (``PK_TABLES``, ``ACQUISITION_TABLES``; the defaults
``range_fraction`` and ``table`` may omit ``kind``); the C2 parts (doctrine,
firing modes, WTA solvers, C2 policies) are in :mod:`iadsim.scenario.schema_c2`.
Every catalog interceptor carries a ``source`` and its Pk table a separate
``source`` (public sources do not give Pk: the tables are labelled assumptions).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator

from iadsim.c2.stage import BatteryParams, C2Params
from iadsim.c2.threat import THREAT_CLASSES, ThreatParams
from iadsim.engagement.guidance import AcquisitionTable, GuidanceSupport
from iadsim.engagement.interceptors import PK_CLASS_NAMES, InterceptorParams
from iadsim.engagement.pk import PkTableParams
from iadsim.engagement.stage import LauncherParams
from iadsim.scenario.base import Model, RadioHz
from iadsim.scenario.registry import KindModel, Registry
from iadsim.scenario.schema_c2 import (
    Doctrine,
    EngagementSettings,
    ThreatClassName,
    ThreatEvaluation,
    battery_doctrine,
    compile_doctrine,
)

__all__ = [
    "ACQUISITION_TABLES",
    "PK_TABLES",
    "Acquisition",
    "CertainAcquisition",
    "ConstantPk",
    "Doctrine",
    "EngagementSettings",
    "EngagementSetup",
    "InterceptorType",
    "PkTable",
    "ThreatClassName",
    "ThreatEvaluation",
    "compile_doctrine",
    "compile_engagement",
    "compile_interceptor",
]

Prob = Annotated[float, Field(ge=0.0, le=1.0)]
Source = Annotated[str, Field(min_length=3)]

if PK_CLASS_NAMES != THREAT_CLASSES:  # pragma: no cover - guards the two stage packages
    raise ImportError("engagement PK_CLASS_NAMES and c2 THREAT_CLASSES differ")


class _Model(Model):
    """The scenario layer's one base model (strict: no unknown fields, no inf/NaN)."""


#: Pk tables of interceptor types; compile(cfg) -> :class:`~iadsim.engagement.pk.PkTableParams`.
PK_TABLES: Registry[PkTableParams] = Registry("Pk table", default="range_fraction")
_PK_EXAMPLE = {
    "kind": "range_fraction", "range_fraction": [0.0, 1.0], "fighter": [0.8, 0.5],
    "cruise_missile": [0.7, 0.4], "drone": [0.6, 0.3], "ballistic": [0.3, 0.1],
    "source": "example (assumption)",
}  # fmt: skip


@PK_TABLES.register(example=_PK_EXAMPLE)
class PkTable(KindModel):
    """Single-shot Pk per target class over the intercept range fraction (r / max range).

    Linear interpolation between grid points, clamped at the ends; 0 means the
    type does not engage that class at that range.
    """

    kind: Literal["range_fraction"] = "range_fraction"
    range_fraction: list[Prob] = Field(min_length=1)
    fighter: list[Prob]
    cruise_missile: list[Prob]
    drone: list[Prob]
    ballistic: list[Prob]
    source: Source

    @model_validator(mode="after")
    def _shapes(self) -> Self:
        g = self.range_fraction
        if any(b <= a for a, b in itertools.pairwise(g)):
            raise ValueError(f"range_fraction: must be strictly increasing (got {g})")
        for name in PK_CLASS_NAMES:
            row = getattr(self, name)
            if len(row) != len(g):
                raise ValueError(
                    f"{name}: needs {len(g)} values, one per range_fraction (got {len(row)})"
                )
        return self


@PK_TABLES.compiler("range_fraction")
def _pk_table(cfg: PkTable) -> PkTableParams:
    table = np.array([getattr(cfg, c) for c in PK_CLASS_NAMES], dtype=np.float64)
    return PkTableParams(range_fraction=np.array(cfg.range_fraction), table=table)


@PK_TABLES.register(
    example={"kind": "constant", "fighter": 0.7, "cruise_missile": 0.6, "drone": 0.5,
             "ballistic": 0.2, "source": "example (assumption)"},
)  # fmt: skip
class ConstantPk(KindModel):
    """Single-shot Pk per target class, the same at every range in the envelope."""

    kind: Literal["constant"] = "constant"
    fighter: Prob
    cruise_missile: Prob
    drone: Prob
    ballistic: Prob
    source: Source


@PK_TABLES.compiler("constant")
def _constant_pk(cfg: ConstantPk) -> PkTableParams:
    table = np.array([[getattr(cfg, c)] for c in PK_CLASS_NAMES], dtype=np.float64)
    return PkTableParams(range_fraction=np.zeros(1), table=table)


class Guidance(_Model):
    """Guidance support a round needs in flight (:mod:`iadsim.engagement.guidance`):
    ``midcourse`` fire_control | any_track | none, ``terminal`` fire_control |
    autonomous, and the longest tolerated gap in that support."""

    midcourse: Literal["fire_control", "any_track", "none"] = "fire_control"
    terminal: Literal["fire_control", "autonomous"] = "fire_control"
    max_gap_s: Annotated[float, Field(ge=0.0, le=600.0)] = 10.0
    source: Source


#: Terminal-acquisition tables; compile(cfg) -> :class:`~iadsim.engagement.AcquisitionTable`.
ACQUISITION_TABLES: Registry[AcquisitionTable] = Registry("acquisition table", default="table")


@ACQUISITION_TABLES.register(
    example={"kind": "table", "frequency_hz": 10e9, "pip_error_m": [0.0, 500.0],
             "rcs_dbsm": [-20.0, 0.0], "p": [[0.8, 0.95], [0.3, 0.6]],
             "source": "example (assumption)"},
)  # fmt: skip
class Acquisition(KindModel):
    """Probability of terminal acquisition over PIP error (rows) and target RCS in the
    band ``frequency_hz`` (columns); 0 beyond the last PIP error."""

    kind: Literal["table"] = "table"
    frequency_hz: RadioHz
    pip_error_m: list[Annotated[float, Field(ge=0.0)]] = Field(min_length=1)
    rcs_dbsm: list[Annotated[float, Field(ge=-80.0, le=80.0)]] = Field(min_length=1)
    p: list[list[Prob]]
    source: Source

    @model_validator(mode="after")
    def _shape(self) -> Self:
        for name in ("pip_error_m", "rcs_dbsm"):
            g = getattr(self, name)
            if any(b <= a for a, b in itertools.pairwise(g)):
                raise ValueError(f"{name}: must be strictly increasing (got {g})")
        if len(self.p) != len(self.pip_error_m) or any(
            len(row) != len(self.rcs_dbsm) for row in self.p
        ):
            raise ValueError(
                f"p: needs {len(self.pip_error_m)} rows (one per pip_error_m) of "
                f"{len(self.rcs_dbsm)} values (one per rcs_dbsm)"
            )
        return self


@ACQUISITION_TABLES.compiler("table")
def _acquisition_table(cfg: Acquisition) -> AcquisitionTable:
    return AcquisitionTable(
        pip_error_m=np.array(cfg.pip_error_m, dtype=np.float64),
        rcs_dbsm=np.array(cfg.rcs_dbsm, dtype=np.float64),
        p=np.array(cfg.p, dtype=np.float64),
        frequency_hz=cfg.frequency_hz,
    )


@ACQUISITION_TABLES.register(
    example={"kind": "certain", "basket_m": 1000.0, "frequency_hz": 10e9,
             "source": "example (assumption)"},
    compile=lambda cfg: AcquisitionTable.certain(cfg.basket_m, cfg.frequency_hz),
)  # fmt: skip
class CertainAcquisition(KindModel):
    """Certain terminal acquisition of a target within ``basket_m`` of the PIP, none
    beyond (whatever its RCS in the band ``frequency_hz``)."""

    kind: Literal["certain"] = "certain"
    basket_m: Annotated[float, Field(gt=0.0, le=1e6)]
    frequency_hz: RadioHz
    source: Source


class InterceptorType(_Model):
    """An interceptor type: envelope, fly-out profile, timings and Pk table.

    Fly-out (see :mod:`iadsim.engagement.interceptors`): boost to ``max_speed_mps``
    in ``boost_s``, then speed decays at ``decel_mps2`` down to ``min_speed_mps``
    (default: no decay). Heights are of the intercept point above the launcher.
    """

    description: str = ""
    min_range_km: Annotated[float, Field(ge=0.0)]
    max_range_km: Annotated[float, Field(gt=0.0, le=1000.0)]
    min_alt_m: Annotated[float, Field(ge=0.0)] = 0.0
    max_alt_km: Annotated[float, Field(gt=0.0, le=200.0)]
    boost_s: Annotated[float, Field(ge=0.0, le=120.0)]
    max_speed_mps: Annotated[float, Field(gt=0.0, le=10_000.0)]
    decel_mps2: Annotated[float, Field(ge=0.0)] = 0.0
    min_speed_mps: Annotated[float, Field(gt=0.0)] | None = None
    reaction_s: Annotated[float, Field(ge=0.0)]
    launch_interval_s: Annotated[float, Field(ge=0.0)] = 3.0
    reload_s: Annotated[float, Field(ge=0.0)] = 1800.0
    rounds_per_canister: Annotated[int, Field(ge=1, le=16)] = Field(
        default=1, description="rounds of this type in one launcher canister slot"
    )
    pk: Annotated[KindModel, PK_TABLES.union]
    guidance: Guidance
    acquisition: Annotated[KindModel, ACQUISITION_TABLES.union]
    source: Source
    notes: str = ""

    @model_validator(mode="after")
    def _physical(self) -> Self:
        if self.min_range_km >= self.max_range_km:
            raise ValueError(
                f"min_range_km must be < max_range_km (got {self.min_range_km} >= "
                f"{self.max_range_km})"
            )
        if self.min_alt_m >= 1000.0 * self.max_alt_km:
            raise ValueError(
                f"min_alt_m must be < max_alt_km (got {self.min_alt_m} m >= {self.max_alt_km} km)"
            )
        if self.min_speed_mps is not None and self.min_speed_mps > self.max_speed_mps:
            raise ValueError(
                f"min_speed_mps must be <= max_speed_mps (got {self.min_speed_mps} > "
                f"{self.max_speed_mps})"
            )
        return self


def compile_interceptor(model: InterceptorType, name: str) -> InterceptorParams:
    """Convert a validated :class:`InterceptorType` to SI :class:`InterceptorParams`."""
    pk = PK_TABLES.compile(model.pk)
    return InterceptorParams(
        name=name,
        min_range_m=1000.0 * model.min_range_km,
        max_range_m=1000.0 * model.max_range_km,
        min_alt_m=model.min_alt_m,
        max_alt_m=1000.0 * model.max_alt_km,
        boost_s=model.boost_s,
        max_speed_mps=model.max_speed_mps,
        decel_mps2=model.decel_mps2,
        min_speed_mps=model.min_speed_mps or model.max_speed_mps,
        reaction_s=model.reaction_s,
        launch_interval_s=model.launch_interval_s,
        reload_s=model.reload_s,
        pk_range_fraction=pk.range_fraction,
        pk_table=pk.table,
        support=GuidanceSupport(
            midcourse=model.guidance.midcourse,
            terminal=model.guidance.terminal,
            max_gap_s=model.guidance.max_gap_s,
        ),
        acquisition=ACQUISITION_TABLES.compile(model.acquisition),
    )


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class EngagementSetup:
    """Everything the C2 and engagement stages need, compiled from a World.

    ``interceptors[i]`` is interceptor id ``i`` (``interceptor_ids`` maps names);
    wire with ``Engagement(interceptors=..., launchers=..., fc_radar_id=...)`` and
    ``C2(threat=..., batteries=..., weapons=engagement, params=c2)``.
    ``fc_radar_id`` maps each battery id to its engagement radar's id (-1: none) and
    ``fc_hold_s`` to the age up to which that radar's track is a fire-control track.
    """

    interceptors: tuple[InterceptorParams, ...]
    interceptor_ids: dict[str, int]
    launchers: LauncherParams
    batteries: tuple[BatteryParams, ...]
    threat: ThreatParams
    c2: C2Params
    fc_radar_id: dict[int, int]
    fc_hold_s: dict[int, float]


def compile_engagement(
    world: Any,
    settings: EngagementSettings | None = None,
    *,
    file: str = "scenario",
) -> EngagementSetup:
    """Build the C2/engagement configuration from a compiled ``World``.

    Reads ``world.launchers`` (``launcher_id, battery_id, pos_enu_m, loadout``),
    ``world.batteries`` (``battery_id, engagement_radar_id, doctrine`` compiled,
    ``command_post_enu_m``), ``world.radars`` (``radar_id, params.channels``),
    ``world.interceptors`` (compiled) and the sites. Choices (documented assumptions):

    * target and missile channels = the engagement radar type's ``fire_control``
      channels, per fire unit (the catalog notes where public claims are
      system-level); a battery without an engagement radar cannot engage (its
      channels are 0);
    * interceptor ids: the types some launcher carries, in catalog order;
    * no reload rounds (the scenario schema has no reserve yet);
    * no defended site: each battery's command post (or launcher centroid) is a
      site of value 1, so raids against the battery are still evaluated.
    """
    settings = settings or EngagementSettings()
    cat: Mapping[str, InterceptorParams] = world.interceptors
    used = {name for la in world.launchers for name, n in la.loadout.items() if n > 0}
    names = [n for n in cat if n in used]
    ids = {n: i for i, n in enumerate(names)}
    loadout = np.zeros((len(world.launchers), len(names)), dtype=np.int64)
    for row, la in enumerate(world.launchers):
        for name, n in la.loadout.items():
            if name in ids:
                loadout[row, ids[name]] = n
    launchers = LauncherParams(
        launcher_id=np.array([la.launcher_id for la in world.launchers], dtype=np.int64),
        battery_id=np.array([la.battery_id for la in world.launchers], dtype=np.int64),
        pos_m=np.array([la.pos_enu_m for la in world.launchers], dtype=np.float64).reshape(-1, 3),
        loadout=loadout,
        reserve=np.zeros_like(loadout),
    )
    fire_control = {r.radar_id: r.params.fire_control for r in world.radars}
    batteries = []
    fc_radar_id: dict[int, int] = {}
    fc_hold_s: dict[int, float] = {}
    for k, b in enumerate(world.batteries):
        doctrine = battery_doctrine(b.doctrine, k, file)
        fc = fire_control.get(b.engagement_radar_id) if b.engagement_radar_id is not None else None
        fc_radar_id[int(b.battery_id)] = -1 if fc is None else int(b.engagement_radar_id)
        fc_hold_s[int(b.battery_id)] = 0.0 if fc is None else fc.track_hold_s
        batteries.append(
            BatteryParams(
                battery_id=int(b.battery_id),
                target_channels=0 if fc is None else fc.target_channels,
                missile_channels=0 if fc is None else fc.missile_channels,
                doctrine=doctrine,
            )
        )
    return EngagementSetup(
        interceptors=tuple(cat[n] for n in names),
        interceptor_ids=ids,
        launchers=launchers,
        batteries=tuple(batteries),
        threat=_threat_params(world, launchers, settings.threat),
        c2=settings.c2_params(),
        fc_radar_id=fc_radar_id,
        fc_hold_s=fc_hold_s,
    )


def _threat_params(world: Any, launchers: LauncherParams, te: ThreatEvaluation) -> ThreatParams:
    def params(pos: np.ndarray, value: np.ndarray) -> ThreatParams:
        weight = [te.class_weight.get(c, 1.0) for c in THREAT_CLASSES]  # type: ignore[call-overload]
        return ThreatParams(
            site_pos_m=pos,
            site_value=value,
            miss_scale_m=1000.0 * te.miss_scale_km,
            urgency_s=te.urgency_s,
            class_weight=np.array(weight, dtype=np.float64),
            ballistic_speed_mps=te.ballistic_speed_mps,
            drone_speed_mps=te.drone_speed_mps,
            cruise_max_alt_m=te.cruise_max_alt_m,
            cruise_max_speed_mps=te.cruise_max_speed_mps,
        )

    pos = np.asarray(world.site_pos_enu_m, dtype=np.float64).reshape(-1, 3)
    if pos.shape[0]:
        return params(pos, np.asarray(world.site_value, dtype=np.float64))
    sites = []
    for b in world.batteries:
        if b.command_post_enu_m is not None:
            sites.append(np.asarray(b.command_post_enu_m, dtype=np.float64))
        elif np.any(launchers.battery_id == b.battery_id):
            sites.append(launchers.pos_m[launchers.battery_id == b.battery_id].mean(axis=0))
    pos = np.array(sites).reshape(-1, 3)
    return params(pos, np.ones(pos.shape[0]))
