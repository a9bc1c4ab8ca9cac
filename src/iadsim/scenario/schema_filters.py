"""Tracker motion models and filters: registered kinds (config, compile step, example).

``motion: {kind: cv | ca | singer | ct, ...}`` and ``filter: {kind: kf | ekf | cmkf
| ukf | imm | adaptive_ekf | class_aided_ekf, ...}`` of the tracker schema
(:mod:`iadsim.scenario.schema_tracking`).
A new motion model or filter is a stage class in :mod:`iadsim.tracking` and its
registration here (or in any module imported before the schema is used).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from iadsim.scenario.base import Model
from iadsim.scenario.registry import KindModel, Registry
from iadsim.tracking import (
    IMM,
    ConstantAcceleration,
    ConstantVelocity,
    ConvertedMeasurementKF,
    CoordinatedTurn,
    ExtendedKalmanFilter,
    KalmanFilter,
    Singer,
    UnscentedKalmanFilter,
    ZeroPadded,
)
from iadsim.tracking.adaptive import AdaptiveCV, AdaptiveNoiseEKF
from iadsim.tracking.classaided import ClassAidedCV, ClassAidedEKF, KinematicClass
from iadsim.tracking.filters import Filter as FilterRole
from iadsim.tracking.filters import SingleModelFilter
from iadsim.tracking.models import MotionModel

__all__ = [
    "FILTERS",
    "MOTIONS",
    "AdaptiveEKFConfig",
    "CAMotion",
    "CMKFConfig",
    "CTMotion",
    "CVMotion",
    "ClassAidedEKFConfig",
    "EKFConfig",
    "Filter",
    "IMMConfig",
    "KFConfig",
    "Motion",
    "SingerMotion",
    "UKFConfig",
]

Pos = Annotated[float, Field(gt=0.0)]
Prob = Annotated[float, Field(gt=0.0, lt=1.0)]
D2R = math.pi / 180.0

#: Tracker motion models; compile(cfg, dims) -> :class:`~iadsim.tracking.models.MotionModel`.
MOTIONS: Registry[MotionModel] = Registry("tracker motion model", context="dims: int", default="cv")
#: Filters; compile(cfg, motion, dims) -> :class:`~iadsim.tracking.filters.Filter`.
FILTERS: Registry[FilterRole] = Registry(
    "tracker filter", context="motion: MotionModel, dims: int", default="ekf"
)


# -- motion models ------------------------------------------------------------
@MOTIONS.register(
    example={"kind": "cv", "q_m2ps3": 20.0},
    compile=lambda c, d: ConstantVelocity(ndim=d, q_m2ps3=c.q_m2ps3),
)
class CVMotion(KindModel):
    """Nearly constant velocity; q = acceleration-noise PSD per axis (BLK sec 6.2.2)."""

    kind: Literal["cv"] = "cv"
    q_m2ps3: Pos = 20.0


@MOTIONS.register(
    example={"kind": "ca", "q_m2ps5": 1.0},
    compile=lambda c, d: ConstantAcceleration(ndim=d, q_m2ps5=c.q_m2ps5),
)
class CAMotion(KindModel):
    """Nearly constant acceleration; q = jerk-noise PSD per axis (BLK sec 6.2.3)."""

    kind: Literal["ca"] = "ca"
    q_m2ps5: Pos = 1.0


@MOTIONS.register(
    example={"kind": "singer", "sigma_a_mps2": 20.0, "tau_s": 10.0},
    compile=lambda c, d: Singer(ndim=d, sigma_a_mps2=c.sigma_a_mps2, tau_s=c.tau_s),
)
class SingerMotion(KindModel):
    """Singer correlated acceleration (Singer 1970)."""

    kind: Literal["singer"] = "singer"
    sigma_a_mps2: Pos = 20.0
    tau_s: Pos = 10.0


@MOTIONS.register(
    example={"kind": "ct", "q_m2ps3": 5.0, "q_omega_deg2ps3": 1.0},
    compile=lambda c, d: CoordinatedTurn(
        ndim=d, q_m2ps3=c.q_m2ps3, q_omega_rad2ps3=c.q_omega_deg2ps3 * D2R**2
    ),
)
class CTMotion(KindModel):
    """Coordinated turn with turn-rate state (BLK sec 11.7.1)."""

    kind: Literal["ct"] = "ct"
    q_m2ps3: Pos = 5.0
    q_omega_deg2ps3: Pos = 1.0


Motion = Annotated[KindModel, MOTIONS.union]


# -- filters ------------------------------------------------------------------
@FILTERS.register(compile=lambda c, m, d: KalmanFilter(model=m))
class KFConfig(KindModel):
    """Linear KF (polar detections converted by the plain conversion)."""

    kind: Literal["kf"] = "kf"


@FILTERS.register(compile=lambda c, m, d: ExtendedKalmanFilter(model=m))
class EKFConfig(KindModel):
    """EKF on range/azimuth(/elevation) measurements."""

    kind: Literal["ekf"] = "ekf"


@FILTERS.register(compile=lambda c, m, d: ConvertedMeasurementKF(model=m))
class CMKFConfig(KindModel):
    """Converted-measurement KF with debiased conversion."""

    kind: Literal["cmkf"] = "cmkf"


@FILTERS.register(
    example={"kind": "ukf", "alpha": 1.0, "beta": 2.0, "kappa": 0.0},
    compile=lambda c, m, d: UnscentedKalmanFilter(
        model=m, alpha=c.alpha, beta=c.beta, kappa=c.kappa
    ),
)
class UKFConfig(KindModel):
    """Unscented KF (scaled unscented transform parameters)."""

    kind: Literal["ukf"] = "ukf"
    alpha: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    beta: Annotated[float, Field(ge=0.0)] = 2.0
    kappa: float = 0.0


def _default_imm_models() -> list[Any]:
    return [CVMotion(q_m2ps3=1.0), CTMotion(q_m2ps3=5.0)]


@FILTERS.register(
    example={
        "kind": "imm",
        "base": "ekf",
        "models": [{"kind": "cv", "q_m2ps3": 1.0}, {"kind": "ct", "q_m2ps3": 5.0}],
        "sojourn_s": [30.0, 10.0],
        "mu0": [0.8, 0.2],
    }
)
class IMMConfig(KindModel):
    """IMM over ``models`` (state of the largest model; smaller ones zero-padded).

    ``base`` names the mode-matched filter: any registered single-model filter kind
    (its default settings).
    """

    kind: Literal["imm"] = "imm"
    base: str = "ekf"
    models: list[Motion] = Field(default_factory=lambda: _default_imm_models(), min_length=2)
    sojourn_s: list[Pos] = Field(default_factory=lambda: [30.0, 10.0])
    mu0: list[Prob] = Field(default_factory=lambda: [0.8, 0.2])

    @model_validator(mode="after")
    def _lengths(self) -> Self:
        if self.base == "imm" or self.base not in FILTERS:
            bases = ", ".join(k for k in FILTERS.kinds if k != "imm")
            raise ValueError(f"base: must be a single-model filter kind ({bases})")
        if not (len(self.models) == len(self.sojourn_s) == len(self.mu0)):
            raise ValueError("sojourn_s: models, sojourn_s and mu0 must have equal lengths")
        kinds = {m.kind for m in self.models}
        if len(kinds & {"ca", "singer"}) and "ct" in kinds:
            raise ValueError("models: cannot mix ct with ca/singer state layouts")
        return self


@FILTERS.compiler("imm")
def _compile_imm(cfg: IMMConfig, motion: MotionModel, dims: int) -> FilterRole:
    """IMM over the config's own models (``motion`` is unused)."""
    models = [MOTIONS.compile(m, dims) for m in cfg.models]
    nx = max(m.nx for m in models)
    padded = tuple(m if m.nx == nx else ZeroPadded(model=m, nx_total=nx) for m in models)
    base_cfg = FILTERS[cfg.base].config.model_validate({"kind": cfg.base})
    base = FILTERS.compile(base_cfg, padded[0], dims)
    if not isinstance(base, SingleModelFilter):
        raise TypeError(f"filter.base: {cfg.base!r} is not a single-model filter")
    return IMM(base=base, models=padded, sojourn_s=tuple(cfg.sojourn_s), mu0=tuple(cfg.mu0))


@FILTERS.register(
    example={"kind": "adaptive_ekf", "q_low_m2ps3": 0.3, "q_high_m2ps3": 20.0},
    compile=lambda c, m, d: AdaptiveNoiseEKF(
        model=AdaptiveCV(
            ndim=d,
            q_low_m2ps3=c.q_low_m2ps3,
            q_high_m2ps3=c.q_high_m2ps3,
            e_low=c.e_low,
            e_high=c.e_high,
        ),
        alpha=c.alpha,
        e0=c.e0,
    ),
)
class AdaptiveEKFConfig(KindModel):
    """EKF on a CV model whose noise PSD moves between ``q_low_m2ps3`` and
    ``q_high_m2ps3`` with the track's fading-memory NIS (memory ``alpha``; levels
    ``e_low``, ``e_high`` of the NIS per measurement dimension), BLK sec 11.2
    (:mod:`iadsim.tracking.adaptive`); the tracker's ``motion`` is not used."""

    kind: Literal["adaptive_ekf"] = "adaptive_ekf"
    q_low_m2ps3: Pos = 0.3
    q_high_m2ps3: Pos = 20.0
    e_low: Pos = 1.5
    e_high: Pos = 3.0
    alpha: Prob = 0.8
    e0: Pos = 1.0

    @model_validator(mode="after")
    def _levels(self) -> Self:
        if self.e_high <= self.e_low:
            raise ValueError(f"e_high: must be > e_low ({self.e_low}) (got {self.e_high})")
        return self


class QuietClassConfig(Model):
    """The quiet kinematic class of ``class_aided_ekf``: its envelope (height above the
    scenario origin on a spherical Earth, m; horizontal speed band, m/s; absolute
    vertical speed, m/s), the seconds a track's estimate must stay inside it before the
    class applies, and its CWNA PSD per axis, m^2/s^3. The defaults describe a low,
    subsonic, non-manoeuvring (cruise-missile-like) target (q 0.1: docs/dev/notes.md)."""

    q_m2ps3: Pos = 0.1
    max_height_m: Pos = 1_500.0
    min_speed_mps: Annotated[float, Field(ge=0.0)] = 100.0
    max_speed_mps: Pos = 320.0
    max_climb_mps: Pos = 50.0
    enter_s: Annotated[float, Field(ge=0.0)] = 60.0
    coast_accel_mps2: Annotated[float, Field(ge=0.0)] = 0.0

    @model_validator(mode="after")
    def _band(self) -> Self:
        if self.max_speed_mps <= self.min_speed_mps:
            raise ValueError(
                f"max_speed_mps: must be > min_speed_mps ({self.min_speed_mps})"
                f" (got {self.max_speed_mps})"
            )
        return self


@FILTERS.register(
    example={
        "kind": "class_aided_ekf",
        "quiet": {
            "q_m2ps3": 0.1,
            "max_height_m": 1500,
            "min_speed_mps": 100,
            "max_speed_mps": 320,
            "max_climb_mps": 50,
            "enter_s": 60,
        },
    },
)
class ClassAidedEKFConfig(KindModel):
    """EKF on a CV model whose PSD follows a kinematic class the tracker infers from
    each track's own estimate (joint tracking and classification, Challa and Pulford
    2001; :mod:`iadsim.tracking.classaided`): the tracker's ``motion`` (kind ``cv``)
    outside the ``quiet`` class; the class's ``q_m2ps3`` once the estimate has stayed
    ``enter_s`` seconds inside its envelope (height above the scenario origin on a
    spherical Earth, horizontal speed band, vertical speed), dropped at once when the
    estimate leaves it or the fading NIS (memory ``alpha``, per measurement dimension)
    exceeds ``exit_nis``. While a track coasts longer than ``coast_grace_s`` its
    class's ``coast_accel_mps2`` (rms manoeuvre acceleration per axis, Singer-type;
    :mod:`iadsim.tracking.coast`; 0: none) adds process noise. Never reads a threat's
    true class."""

    kind: Literal["class_aided_ekf"] = "class_aided_ekf"
    quiet: QuietClassConfig = Field(default_factory=QuietClassConfig)
    alpha: Prob = 0.8
    exit_nis: Annotated[float, Field(gt=1.0)] = 3.0
    coast_accel_mps2: Annotated[float, Field(ge=0.0)] = 0.0
    coast_grace_s: Annotated[float, Field(ge=0.0)] = 10.0


@FILTERS.compiler("class_aided_ekf")
def _compile_class_aided(cfg: ClassAidedEKFConfig, motion: MotionModel, dims: int) -> FilterRole:
    """The class-aided EKF on the tracker's CV motion (its PSD is the default class's)."""
    if not isinstance(motion, ConstantVelocity):
        raise TypeError(f"filter.class_aided_ekf: needs a CV motion, got {type(motion).__name__}")
    q = cfg.quiet
    quiet = KinematicClass(q_m2ps3=q.q_m2ps3, max_height_m=q.max_height_m,
                           min_speed_mps=q.min_speed_mps, max_speed_mps=q.max_speed_mps,
                           max_climb_mps=q.max_climb_mps, enter_s=q.enter_s,
                           coast_accel_mps2=q.coast_accel_mps2)  # fmt: skip
    model = ClassAidedCV(ndim=dims, q_m2ps3=motion.q_m2ps3, quiet=quiet,
                         coast_accel_mps2=cfg.coast_accel_mps2,
                         coast_grace_s=cfg.coast_grace_s)  # fmt: skip
    return ClassAidedEKF(model=model, alpha=cfg.alpha, exit_nis=cfg.exit_nis)


Filter = Annotated[KindModel, FILTERS.union]
