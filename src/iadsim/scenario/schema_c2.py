"""Config models of command and control, and the C2 parts registered by ``kind``.

* ``FIRING_MODES`` (``batteries[i].doctrine.mode``): how a battery fires at one
  target, compiled to a :class:`~iadsim.c2.roles.FiringMode`;
* ``WTA_SOLVERS`` (``engagement.solver``): the weapon-target assignment solver,
  compiled to a :class:`~iadsim.c2.roles.WTASolver`;
* ``C2_POLICIES`` (``engagement.policy``): the decision of each C2 cycle, compiled
  to a :class:`~iadsim.c2.roles.C2Policy` given the threat evaluation, the
  batteries, the weapons and the assignment settings.

A kind may be named alone (``solver: greedy``, ``mode: salvo``) when its defaults
suit. Units are in the field names; kilometres are converted here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from iadsim.c2.doctrine import (
    AUTHORITY_NAMES,
    HOLD,
    DoctrineParams,
    SalvoFire,
    ShootLookShoot,
)
from iadsim.c2.roles import C2Policy, FiringMode, WeaponSystem, WTASolver
from iadsim.c2.stage import C2, BatteryParams, C2Params
from iadsim.c2.threat import THREAT_CLASSES, ThreatParams
from iadsim.c2.wta import AutoSolver, BruteSolver, GreedySolver, MilpSolver
from iadsim.constants import G0_MPS2
from iadsim.errors import ScenarioError
from iadsim.scenario.base import Model
from iadsim.scenario.registry import KindModel, Registry

__all__ = [
    "C2_POLICIES",
    "FIRING_MODES",
    "WTA_SOLVERS",
    "Doctrine",
    "EngagementSettings",
    "ThreatClassName",
    "ThreatEvaluation",
    "battery_doctrine",
    "compile_doctrine",
]

ThreatClassName = Literal["fighter", "cruise_missile", "drone", "ballistic"]
Authority = Literal["hold", "tight", "free"]
TimeLimit = Annotated[float, Field(gt=0.0, le=3600.0)] | None

# -- firing modes ---------------------------------------------------------------
#: Firing modes; compile(cfg) -> :class:`~iadsim.c2.roles.FiringMode`.
FIRING_MODES: Registry[FiringMode] = Registry("firing mode", default="shoot-look-shoot")


@FIRING_MODES.register(
    example={"kind": "shoot-look-shoot", "kill_assessment_s": 10.0},
    compile=lambda cfg: ShootLookShoot(kill_assessment_s=cfg.kill_assessment_s),
)
class ShootLookShootConfig(KindModel):
    """Shoot-look-shoot: a target is engaged again only ``kill_assessment_s`` after
    the salvo's intercept, and only if its track is still updated."""

    kind: Literal["shoot-look-shoot"] = "shoot-look-shoot"
    kill_assessment_s: Annotated[float, Field(ge=0.0, le=3600.0)] = 10.0


@FIRING_MODES.register(example={"kind": "salvo"}, compile=lambda cfg: SalvoFire())
class SalvoConfig(KindModel):
    """Salvo fire: a target is engaged again as soon as the previous salvo is resolved."""

    kind: Literal["salvo"] = "salvo"


# -- WTA solvers -----------------------------------------------------------------
#: Weapon-target assignment solvers; compile(cfg) -> :class:`~iadsim.c2.roles.WTASolver`.
WTA_SOLVERS: Registry[WTASolver] = Registry("WTA solver", default="auto")


@WTA_SOLVERS.register(
    example={"kind": "auto", "milp_max_options": 20_000, "time_limit_s": 5.0},
    compile=lambda cfg: AutoSolver(
        milp_max_options=cfg.milp_max_options, time_limit_s=cfg.time_limit_s
    ),
)
class AutoSolverConfig(KindModel):
    """Exact MILP (HiGHS) up to ``milp_max_options`` options, greedy beyond;
    ``time_limit_s`` bounds each MILP (None: no limit)."""

    kind: Literal["auto"] = "auto"
    milp_max_options: Annotated[int, Field(ge=0)] = 20_000
    time_limit_s: TimeLimit = 5.0


@WTA_SOLVERS.register(
    example={"kind": "milp", "time_limit_s": 5.0},
    compile=lambda cfg: MilpSolver(time_limit_s=cfg.time_limit_s),
)
class MilpSolverConfig(KindModel):
    """Exact MILP (scipy.optimize.milp, HiGHS) at any size, ``time_limit_s`` per problem."""

    kind: Literal["milp"] = "milp"
    time_limit_s: TimeLimit = 5.0


@WTA_SOLVERS.register(example={"kind": "greedy"}, compile=lambda cfg: GreedySolver())
class GreedySolverConfig(KindModel):
    """Greedy construction plus insertion local search (fast, near-optimal)."""

    kind: Literal["greedy"] = "greedy"


@WTA_SOLVERS.register(
    example={"kind": "brute", "max_combinations": 1000},
    compile=lambda cfg: BruteSolver(max_combinations=cfg.max_combinations),
)
class BruteSolverConfig(KindModel):
    """Enumeration of every per-target choice (reference for tiny problems; fails
    beyond ``max_combinations``)."""

    kind: Literal["brute"] = "brute"
    max_combinations: Annotated[int, Field(ge=1, le=10_000_000)] = 200_000


# -- C2 policies ------------------------------------------------------------------
#: C2 policies; compile(cfg, threat, batteries, weapons, params) ->
#: :class:`~iadsim.c2.roles.C2Policy`.
C2_POLICIES: Registry[C2Policy] = Registry(
    "C2 policy",
    context="threat: ThreatParams, batteries: tuple[BatteryParams, ...], "
    "weapons: WeaponSystem, params: C2Params",
    default="wta",
)


@C2_POLICIES.register(example={"kind": "wta"})
class WtaPolicyConfig(KindModel):
    """Threat evaluation, fire control and doctrine per battery, then one weapon-target
    assignment per cycle (``engagement.solver``) over every battery."""

    kind: Literal["wta"] = "wta"


@C2_POLICIES.compiler("wta")
def _wta_policy(
    cfg: WtaPolicyConfig,
    threat: ThreatParams,
    batteries: Sequence[BatteryParams],
    weapons: WeaponSystem,
    params: C2Params,
) -> C2Policy:
    return C2(threat=threat, batteries=batteries, weapons=weapons, params=params)


# -- doctrine and settings ----------------------------------------------------------
class Doctrine(Model):
    """Fire doctrine of a battery (see :mod:`iadsim.c2.doctrine` for definitions).

    ``mode`` is a firing mode kind (``shoot-look-shoot`` with its
    ``kill_assessment_s``, or ``salvo``); ``salvo``: rounds per engagement (fewer from a
    launcher with fewer left: a partial salvo, weighed at its own kill probability).
    ``weapons`` is one authority for every class or a mapping class -> authority;
    classes missing from the mapping are on ``hold``. ``reserve_min_value``:
    threat value from which reserve rounds may be fired (None: never).
    """

    mode: Annotated[KindModel, FIRING_MODES.union] = ShootLookShootConfig()
    salvo: Annotated[int, Field(ge=1, le=8)] = 1
    weapons: Authority | dict[ThreatClassName, Authority] = "free"
    tight_min_quality: Annotated[float, Field(ge=0.0)] = 0.9
    tight_max_speed_sigma_mps: Annotated[float, Field(gt=0.0)] = 30.0
    reserve_fraction: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    reserve_min_range_km: Annotated[float, Field(gt=0.0)] = 150.0
    reserve_min_value: Annotated[float, Field(ge=0.0)] | None = None


class ThreatEvaluation(Model):
    """Threat-evaluation parameters (see :mod:`iadsim.c2.threat`); defaults are assumptions."""

    miss_scale_km: Annotated[float, Field(gt=0.0)] = 10.0
    urgency_s: Annotated[float, Field(gt=0.0)] = 120.0
    class_weight: dict[ThreatClassName, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=dict, description="per-class weight w_c (missing classes: 1)"
    )
    ballistic_speed_mps: Annotated[float, Field(gt=0.0)] = 1000.0
    drone_speed_mps: Annotated[float, Field(gt=0.0)] = 70.0
    cruise_max_alt_m: Annotated[float, Field(gt=0.0)] = 300.0
    cruise_max_speed_mps: Annotated[float, Field(gt=0.0)] = 340.0


class EngagementSettings(Model):
    """Run-wide C2 settings: the C2 ``policy``, its WTA ``solver``, the engagements a
    launcher may start per cycle and the threat evaluation (channels come from each
    battery's engagement radar, the acquisition basket from each interceptor type)."""

    policy: Annotated[KindModel, C2_POLICIES.union] = WtaPolicyConfig()
    solver: Annotated[KindModel, WTA_SOLVERS.union] = AutoSolverConfig()
    max_engagements_per_launcher: Annotated[int, Field(ge=1, le=16)] = 1
    threat: ThreatEvaluation = Field(default_factory=ThreatEvaluation)
    reacquire_max_load_g: Annotated[float, Field(ge=0.0, le=30.0)] = Field(
        default=9.0,
        description="load factor (g) an engaged aircraft is assumed able to pull while "
        "unseen: a track new to the picture within that manoeuvre envelope of a salvo's "
        "lost or unsupported track counts as engaged until the salvo is handed over or "
        "aborted (iadsim.engagement.reach; 9: fighters' structural limit, USAF F-16 fact "
        "sheet; 0: the handover gate only)",
    )

    @property
    def reacquire_accel_mps2(self) -> float:
        """``reacquire_max_load_g`` in m/s^2 (standard gravity)."""
        return G0_MPS2 * self.reacquire_max_load_g

    def c2_params(self) -> C2Params:
        """The assignment settings as :class:`iadsim.c2.C2Params` (solver compiled)."""
        return C2Params(
            solver=WTA_SOLVERS.compile(self.solver),
            max_engagements_per_launcher=self.max_engagements_per_launcher,
        )


def compile_doctrine(model: Doctrine) -> DoctrineParams:
    """Convert a validated :class:`Doctrine` to :class:`DoctrineParams`."""
    if isinstance(model.weapons, str):
        auth = (AUTHORITY_NAMES.index(model.weapons),) * len(THREAT_CLASSES)
    else:
        w = model.weapons
        auth = tuple(AUTHORITY_NAMES.index(w[c]) if c in w else HOLD for c in THREAT_CLASSES)
    return DoctrineParams(
        mode=FIRING_MODES.compile(model.mode),
        salvo=model.salvo,
        authority=auth,
        tight_min_quality=model.tight_min_quality,
        tight_max_speed_sigma_mps=model.tight_max_speed_sigma_mps,
        reserve_fraction=model.reserve_fraction,
        reserve_min_range_m=1000.0 * model.reserve_min_range_km,
        reserve_min_value=float("inf")
        if model.reserve_min_value is None
        else model.reserve_min_value,
    )


def battery_doctrine(raw: Any, k: int, file: str) -> DoctrineParams:
    """Battery ``k``'s doctrine: compiled as given, or validated from a YAML mapping
    (a bad value is a :class:`ScenarioError` naming ``batteries[k].doctrine``)."""
    if isinstance(raw, DoctrineParams):
        return raw
    try:
        model = raw if isinstance(raw, Doctrine) else Doctrine.model_validate(raw or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        path = f"batteries[{k}].doctrine" + (f".{loc}" if loc else "")
        raise ScenarioError(f"{file}: {path}: {err['msg']}") from exc
    return compile_doctrine(model)
