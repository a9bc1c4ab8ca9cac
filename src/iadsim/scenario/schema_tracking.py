"""Tracker configuration schema (pydantic v2) and its compilation to a Tracker.

YAML (scenario ``tracker:`` block or a stand-alone ``tracker.yaml``)::

    dims: 3
    motion: {kind: cv, q_m2ps3: 20}
    filter: {kind: ekf}                      # kf | ekf | ukf | cmkf | imm
    association: {kind: gnn, gate_probability: 0.999}   # or {kind: jpda, ...}
    initiation: {kind: m_of_n, m: 3, n: 4, velocity_sigma_mps: 400}
    deletion: {max_misses: 3, max_coast_s: 30}

Degrees appear only here (``*_deg*`` fields) and are converted to radians once
in :func:`compile_tracker_parts`. ``filter: {kind: imm, models: [...]}``
carries its own motion models (``motion`` is then unused).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from iadsim.scenario.base import Model
from iadsim.tracking import (
    GNN,
    IMM,
    JPDA,
    ConstantAcceleration,
    ConstantVelocity,
    ConvertedMeasurementKF,
    CoordinatedTurn,
    Deleter,
    ExtendedKalmanFilter,
    Gate,
    KalmanFilter,
    MOfN,
    ScoreConfirmer,
    Singer,
    SinglePointInitiator,
    Tracker,
    TrackerParts,
    UnscentedKalmanFilter,
    ZeroPadded,
)
from iadsim.tracking.association import Associator
from iadsim.tracking.filters import Filter as FilterRole
from iadsim.tracking.filters import _SingleModel
from iadsim.tracking.management import Confirmer
from iadsim.tracking.models import MotionModel

__all__ = [
    "SensorSite",
    "TrackCliConfig",
    "TrackerConfig",
    "compile_tracker",
    "compile_tracker_parts",
]

Pos = Annotated[float, Field(gt=0.0)]
Prob = Annotated[float, Field(gt=0.0, lt=1.0)]
D2R = math.pi / 180.0


class _M(Model):
    """The scenario layer's one base model (strict: no unknown fields, no inf/NaN)."""


class CVMotion(_M):
    """Nearly constant velocity; q = acceleration-noise PSD per axis (BLK sec 6.2.2)."""

    kind: Literal["cv"] = "cv"
    q_m2ps3: Pos = 20.0


class CAMotion(_M):
    """Nearly constant acceleration; q = jerk-noise PSD per axis (BLK sec 6.2.3)."""

    kind: Literal["ca"] = "ca"
    q_m2ps5: Pos = 1.0


class SingerMotion(_M):
    """Singer correlated acceleration (Singer 1970)."""

    kind: Literal["singer"] = "singer"
    sigma_a_mps2: Pos = 20.0
    tau_s: Pos = 10.0


class CTMotion(_M):
    """Coordinated turn with turn-rate state (BLK sec 11.7.1)."""

    kind: Literal["ct"] = "ct"
    q_m2ps3: Pos = 5.0
    q_omega_deg2ps3: Pos = 1.0


Motion = Annotated[CVMotion | CAMotion | SingerMotion | CTMotion, Field(discriminator="kind")]


class KFConfig(_M):
    """Linear KF (polar detections converted by the plain conversion)."""

    kind: Literal["kf"] = "kf"


class EKFConfig(_M):
    """EKF on range/azimuth(/elevation) measurements."""

    kind: Literal["ekf"] = "ekf"


class CMKFConfig(_M):
    """Converted-measurement KF with debiased conversion."""

    kind: Literal["cmkf"] = "cmkf"


class UKFConfig(_M):
    """Unscented KF (scaled unscented transform parameters)."""

    kind: Literal["ukf"] = "ukf"
    alpha: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    beta: Annotated[float, Field(ge=0.0)] = 2.0
    kappa: float = 0.0


def _default_imm_models() -> list[CVMotion | CAMotion | SingerMotion | CTMotion]:
    return [CVMotion(q_m2ps3=1.0), CTMotion(q_m2ps3=5.0)]


class IMMConfig(_M):
    """IMM over ``models`` (state of the largest model; smaller ones zero-padded)."""

    kind: Literal["imm"] = "imm"
    base: Literal["kf", "ekf", "ukf", "cmkf"] = "ekf"
    models: list[Motion] = Field(default_factory=lambda: _default_imm_models(), min_length=2)
    sojourn_s: list[Pos] = Field(default_factory=lambda: [30.0, 10.0])
    mu0: list[Prob] = Field(default_factory=lambda: [0.8, 0.2])

    @model_validator(mode="after")
    def _lengths(self) -> Self:
        if not (len(self.models) == len(self.sojourn_s) == len(self.mu0)):
            raise ValueError("sojourn_s: models, sojourn_s and mu0 must have equal lengths")
        kinds = {m.kind for m in self.models}
        if len(kinds & {"ca", "singer"}) and "ct" in kinds:
            raise ValueError("models: cannot mix ct with ca/singer state layouts")
        return self


Filter = Annotated[
    KFConfig | EKFConfig | CMKFConfig | UKFConfig | IMMConfig, Field(discriminator="kind")
]


class _GateFields(_M):
    gate_probability: Prob | None = 0.999
    gate_mahalanobis: Pos | None = None

    @model_validator(mode="after")
    def _one_gate(self) -> Self:
        if self.gate_mahalanobis is not None and "gate_probability" in self.model_fields_set:
            raise ValueError(
                "gate_mahalanobis: give gate_probability or gate_mahalanobis, not both"
            )
        return self


class GNNConfig(_GateFields):
    """Global nearest neighbour (optimal 2-D assignment)."""

    kind: Literal["gnn"] = "gnn"
    cost: Literal["d2", "d", "nll"] = "d2"


class JPDAConfig(_GateFields):
    """Joint probabilistic data association; clutter density per unit measurement volume."""

    kind: Literal["jpda"] = "jpda"
    pd: Prob = 0.9
    clutter_density: Pos = 1e-9
    max_tracks_exact: Annotated[int, Field(ge=1, le=12)] = 8


Association = Annotated[GNNConfig | JPDAConfig, Field(discriminator="kind")]


class _InitFields(_M):
    velocity_sigma_mps: Pos = 400.0
    accel_sigma_mps2: Pos = 30.0
    turn_rate_sigma_degps: Pos = 5.0


class MOfNConfig(_InitFields):
    """Confirm after ``m`` hits in ``n`` scans."""

    kind: Literal["m_of_n"] = "m_of_n"
    m: Annotated[int, Field(ge=1, le=63)] = 3
    n: Annotated[int, Field(ge=1, le=63)] = 4

    @model_validator(mode="after")
    def _m_le_n(self) -> Self:
        if self.m > self.n:
            raise ValueError(f"m: must be <= n (got m={self.m}, n={self.n})")
        return self


class ScoreConfig(_InitFields):
    """SPRT on the track log-likelihood ratio (Blackman and Popoli 1999 sec 6.2)."""

    kind: Literal["score"] = "score"
    pd: Prob = 0.9
    clutter_density: Pos = 1e-9
    new_target_density: Pos = 1e-10
    false_track_probability: Prob = 1e-4
    true_track_deletion_probability: Prob = 0.05


Initiation = Annotated[MOfNConfig | ScoreConfig, Field(discriminator="kind")]


class DeletionConfig(_M):
    """Deletion of confirmed tracks."""

    max_misses: Annotated[int, Field(ge=1)] = 3
    max_coast_s: Pos = 30.0
    max_pos_sigma_m: Pos = 50_000.0


class TrackerConfig(_M):
    """The tracker stage. Defaults suit an S-400-class air picture (3-D, EKF on
    polar plots, CV with q = 20 m^2/s^3, GNN, 3-of-4 confirmation on the initiating
    radar's own looks, 400 m/s initial velocity sigma)."""

    dims: Literal[2, 3] = 3
    motion: Motion = Field(default_factory=CVMotion)
    filter: Filter = Field(default_factory=EKFConfig)
    association: Association = Field(default_factory=GNNConfig)
    initiation: Initiation = Field(default_factory=MOfNConfig)
    deletion: DeletionConfig = Field(default_factory=DeletionConfig)
    use_radial_velocity: bool = False


class SensorSite(_M):
    """A sensor position in the local ENU frame, m."""

    e_m: float = 0.0
    n_m: float = 0.0
    u_m: float = 0.0
    sigma_range_m: Pos = 50.0
    sigma_az_deg: Pos = 0.2
    sigma_el_deg: Pos = 0.2


class TrackCliConfig(TrackerConfig):
    """``iadsim track --config``: the tracker plus sensor sites and noise for files
    that lack sigma columns."""

    sensors: dict[int, SensorSite] = Field(default_factory=dict)
    cartesian_sigma_m: Pos = 10.0


def _motion(cfg: CVMotion | CAMotion | SingerMotion | CTMotion, d: int) -> MotionModel:
    if isinstance(cfg, CVMotion):
        return ConstantVelocity(ndim=d, q_m2ps3=cfg.q_m2ps3)
    if isinstance(cfg, CAMotion):
        return ConstantAcceleration(ndim=d, q_m2ps5=cfg.q_m2ps5)
    if isinstance(cfg, SingerMotion):
        return Singer(ndim=d, sigma_a_mps2=cfg.sigma_a_mps2, tau_s=cfg.tau_s)
    return CoordinatedTurn(
        ndim=d, q_m2ps3=cfg.q_m2ps3, q_omega_rad2ps3=cfg.q_omega_deg2ps3 * D2R**2
    )


def _single(kind: str, model: MotionModel, ukf: UKFConfig | None = None) -> _SingleModel:
    if kind == "kf":
        return KalmanFilter(model=model)
    if kind == "cmkf":
        return ConvertedMeasurementKF(model=model)
    if kind == "ukf":
        u = ukf or UKFConfig()
        return UnscentedKalmanFilter(model=model, alpha=u.alpha, beta=u.beta, kappa=u.kappa)
    return ExtendedKalmanFilter(model=model)


def compile_tracker_parts(cfg: TrackerConfig) -> TrackerParts:
    """Validated config -> plain :class:`iadsim.tracking.TrackerParts` (SI units)."""
    d = cfg.dims
    f = cfg.filter
    if isinstance(f, IMMConfig):
        models = [_motion(m, d) for m in f.models]
        nx = max(m.nx for m in models)
        padded = tuple(m if m.nx == nx else ZeroPadded(model=m, nx_total=nx) for m in models)
        filt: FilterRole = IMM(
            base=_single(f.base, padded[0]),
            models=padded,
            sojourn_s=tuple(f.sojourn_s),
            mu0=tuple(f.mu0),
        )
    else:
        filt = _single(f.kind, _motion(cfg.motion, d), f if isinstance(f, UKFConfig) else None)
    a = cfg.association
    gate = Gate(
        probability=None if a.gate_mahalanobis else a.gate_probability,
        mahalanobis=a.gate_mahalanobis,
    )
    pg = a.gate_probability if a.gate_probability is not None else 0.999
    assoc: Associator = (
        GNN(cost=a.cost)
        if isinstance(a, GNNConfig)
        else JPDA(
            pd=a.pd,
            clutter_density=a.clutter_density,
            gate_probability=pg,
            max_tracks_exact=a.max_tracks_exact,
        )
    )
    i = cfg.initiation
    conf: Confirmer = (
        MOfN(m=i.m, n=i.n)
        if isinstance(i, MOfNConfig)
        else ScoreConfirmer(
            pd=i.pd,
            clutter_density=i.clutter_density,
            new_target_density=i.new_target_density,
            alpha=i.false_track_probability,
            beta=i.true_track_deletion_probability,
        )
    )
    dl = cfg.deletion
    return TrackerParts(
        filter=filt,
        gate=gate,
        associator=assoc,
        initiator=SinglePointInitiator(
            velocity_sigma_mps=i.velocity_sigma_mps,
            accel_sigma_mps2=i.accel_sigma_mps2,
            turn_rate_sigma_radps=i.turn_rate_sigma_degps * D2R,
        ),
        confirmer=conf,
        deleter=Deleter(
            max_misses=dl.max_misses, max_coast_s=dl.max_coast_s, max_pos_sigma_m=dl.max_pos_sigma_m
        ),
        use_rdot=cfg.use_radial_velocity,
    )


def compile_tracker(cfg: TrackerConfig | None = None) -> Tracker:
    """A fresh :class:`iadsim.tracking.Tracker` from a config (default: ``TrackerConfig()``)."""
    return compile_tracker_parts(cfg or TrackerConfig()).build()
