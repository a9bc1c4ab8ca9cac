"""Tracker configuration schema (pydantic v2) and its compilation to a Tracker.

YAML (scenario ``tracker:`` block or a stand-alone ``tracker.yaml``)::

    dims: 3
    motion: {kind: cv, q_m2ps3: 20}
    filter: {kind: ekf}                      # kf | ekf | ukf | cmkf | imm
    association: {kind: gnn, gate_probability: 0.999}   # or {kind: jpda, ...}
    initiation: {kind: m_of_n, m: 3, n: 4, velocity_sigma_mps: 400}   # or two_point
    deletion: {max_misses: 3, max_coast_s: 30}

Degrees appear only here (``*_deg*`` fields) and are converted to radians once
in the compile steps. ``filter: {kind: imm, models: [...]}`` carries its own
motion models (``motion`` is then unused).

Every part is a registered kind (:mod:`iadsim.scenario.registry`): its config
model, compile step and documented example are defined together, in the
registries :data:`MOTIONS` and :data:`FILTERS` (:mod:`~iadsim.scenario.schema_filters`)
and :data:`ASSOCIATORS`, :data:`INITIATIONS` and :data:`DELETERS` (below). A new
kind is registered next to its config model; the schema's unions follow.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from iadsim.scenario.base import Model
from iadsim.scenario.named_trackers import expand_tracker_reference
from iadsim.scenario.registry import KindModel, Registry
from iadsim.scenario.schema_confirm import CONFIRMERS, MOfNConfirm, ScoreFields
from iadsim.scenario.schema_filters import (
    D2R,
    FILTERS,
    MOTIONS,
    CVMotion,
    EKFConfig,
    Filter,
    IMMConfig,
    Motion,
    Pos,
    Prob,
    UKFConfig,
)
from iadsim.tracking import (
    GNN,
    JPDA,
    Deleter,
    Gate,
    MOfN,
    SinglePointInitiator,
    Tracker,
    TrackerParts,
)
from iadsim.tracking.association import Associator
from iadsim.tracking.coalesce import DuplicateRule
from iadsim.tracking.initiation import TwoPointInitiator
from iadsim.tracking.management import Confirmer, Initiator
from iadsim.tracking.precedence import Precedence

__all__ = [
    "ASSOCIATORS",
    "DELETERS",
    "FILTERS",
    "INITIATIONS",
    "MOTIONS",
    "DuplicatesConfig",
    "GNNConfig",
    "IMMConfig",
    "JPDAConfig",
    "MOfNConfig",
    "ScoreConfig",
    "SensorSite",
    "TrackCliConfig",
    "TrackerConfig",
    "TwoPointConfig",
    "UKFConfig",
    "compile_tracker",
    "compile_tracker_parts",
]

#: Associators; compile(cfg) -> (:class:`~iadsim.tracking.Gate`, Associator).
ASSOCIATORS: Registry[tuple[Gate, Associator]] = Registry("tracker associator", default="gnn")
#: Initiation; compile(cfg) -> (Initiator, Confirmer).
INITIATIONS: Registry[tuple[Initiator, Confirmer]] = Registry("track initiation", default="m_of_n")
#: Deletion of confirmed tracks; compile(cfg) -> :class:`~iadsim.tracking.Deleter`.
DELETERS: Registry[Deleter] = Registry("track deletion", default="standard")


class _M(Model):
    """The scenario layer's one base model (strict: no unknown fields, no inf/NaN)."""


# -- association --------------------------------------------------------------
class _GateFields(KindModel):
    gate_probability: Prob | None = 0.999
    gate_mahalanobis: Pos | None = None
    #: firm tracks not hit for this long, s, associate after the others (tracking.precedence)
    stale_after_s: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_gate(self) -> Self:
        if self.gate_mahalanobis is not None and "gate_probability" in self.model_fields_set:
            raise ValueError(
                "gate_mahalanobis: give gate_probability or gate_mahalanobis, not both"
            )
        return self

    def gate(self) -> Gate:
        """The validation gate these fields describe."""
        return Gate(
            probability=None if self.gate_mahalanobis else self.gate_probability,
            mahalanobis=self.gate_mahalanobis,
        )


@ASSOCIATORS.register(
    example={"kind": "gnn", "gate_probability": 0.999, "cost": "d2"},
    compile=lambda c: (c.gate(), GNN(cost=c.cost)),
)
class GNNConfig(_GateFields):
    """Global nearest neighbour (optimal 2-D assignment)."""

    kind: Literal["gnn"] = "gnn"
    cost: Literal["d2", "d", "nll"] = "d2"


@ASSOCIATORS.register(
    example={"kind": "jpda", "pd": 0.9, "clutter_density": 1e-9, "max_tracks_exact": 8}
)
class JPDAConfig(_GateFields):
    """Joint probabilistic data association; clutter density per unit measurement volume."""

    kind: Literal["jpda"] = "jpda"
    pd: Prob = 0.9
    clutter_density: Pos = 1e-9
    max_tracks_exact: Annotated[int, Field(ge=1, le=12)] = 8


@ASSOCIATORS.compiler("jpda")
def _compile_jpda(cfg: JPDAConfig) -> tuple[Gate, Associator]:
    pg = cfg.gate_probability if cfg.gate_probability is not None else 0.999
    jpda = JPDA(pd=cfg.pd, clutter_density=cfg.clutter_density, gate_probability=pg,
                max_tracks_exact=cfg.max_tracks_exact)  # fmt: skip
    return cfg.gate(), jpda


Association = Annotated[KindModel, ASSOCIATORS.union]


# -- initiation and confirmation ----------------------------------------------
class _InitFields(KindModel):
    velocity_sigma_mps: Pos = 400.0
    accel_sigma_mps2: Pos = 30.0
    turn_rate_sigma_degps: Pos = 5.0
    confirm_on_ambiguous: bool = True  # see MOfNConfig

    def initiator(self) -> Initiator:
        """The single-point initiator these fields describe (degrees -> radians)."""
        return SinglePointInitiator(
            velocity_sigma_mps=self.velocity_sigma_mps,
            accel_sigma_mps2=self.accel_sigma_mps2,
            turn_rate_sigma_radps=self.turn_rate_sigma_degps * D2R,
        )


@INITIATIONS.register(
    example={"kind": "m_of_n", "m": 3, "n": 4, "velocity_sigma_mps": 400.0},
    compile=lambda c: (c.initiator(), MOfN(m=c.m, n=c.n)),
)
class MOfNConfig(_InitFields):
    """Confirm after ``m`` hits in ``n`` scans. ``confirm_on_ambiguous: false`` (here and
    in the other initiation kinds): not on a look where the track's gate held several
    plots or its plot lay in another track's gate (formations;
    ``iadsim.tracking.gating.ambiguous_rows``)."""

    kind: Literal["m_of_n"] = "m_of_n"
    m: Annotated[int, Field(ge=1, le=63)] = 3
    n: Annotated[int, Field(ge=1, le=63)] = 4

    @model_validator(mode="after")
    def _m_le_n(self) -> Self:
        if self.m > self.n:
            raise ValueError(f"m: must be <= n (got m={self.m}, n={self.n})")
        return self


@INITIATIONS.register(
    example={"kind": "score", "pd": 0.9, "false_track_probability": 1e-4},
    compile=lambda c: (c.initiator(), c.confirmer()),
)
class ScoreConfig(_InitFields, ScoreFields):
    """SPRT on the track log-likelihood ratio (Blackman and Popoli 1999 sec 6.2), from
    single-point starts (the fields: :class:`~iadsim.scenario.schema_confirm.ScoreFields`)."""

    kind: Literal["score"] = "score"


@INITIATIONS.register(
    example={"kind": "two_point", "m": 3, "n": 4, "max_speed_mps": 1200.0},
    compile=lambda c: (c.initiator(), CONFIRMERS.compile(c.confirm, c.m, c.n)),
)
class TwoPointConfig(KindModel):
    """Two-point initiation from a plot buffer (:mod:`iadsim.tracking.initiation`),
    confirmed by ``confirm``: ``m_of_n`` (default; the pair counts as two hits of ``m``
    in ``n``) or ``score``, an SPRT on the track score
    (:mod:`iadsim.scenario.schema_confirm`). A track starts only when a new plot and a
    buffered plot of the same sensor are at most ``max_speed_mps`` apart (with a
    ``gate_probability`` chi-square margin for their noise). A buffered plot leaves after
    ``max_looks`` later looks of its sensor covered it (default ``n - m + 1``: a real
    target confirms on the same look as with single-point initiation) or after
    ``max_age_s``. ``one_to_one``: each plot in one pair at most (the assignment of
    least cost under a ``velocity_sigma_mps`` velocity prior), else every feasible pair
    starts a track; ``ambiguous_prior``: a pair whose plots have other feasible partners
    gets that prior's variance on its velocity too. ``third_plot``: which pairs
    (``ambiguous`` ones, ``always`` every one, ``never``) start a track only once a
    third plot lies in the gate predicted from the pair (three-point initiation;
    :mod:`iadsim.tracking.plot_pairs`); ``ambiguous_hits``: 1, an ambiguous pair's
    track starts with one hit (the newer plot's), not two; ``chain_check``: a waiting
    pair whose first plot has a likelier partner (velocity prior) on the third plot's
    look than the third plot is dropped (a chain across a formation). ``q_m2ps3``
    (default: the CV motion's q, else 20) adds the velocity change over the pair's time
    to the initial covariance."""

    kind: Literal["two_point"] = "two_point"
    m: Annotated[int, Field(ge=1, le=63)] = 3
    n: Annotated[int, Field(ge=2, le=63)] = 4
    max_speed_mps: Pos = 1200.0
    gate_probability: Prob = 0.999
    max_looks: Annotated[int, Field(ge=1, le=61)] | None = None
    max_age_s: Pos = 30.0
    min_dt_s: Pos = 0.5
    one_to_one: bool = True
    ambiguous_prior: bool = False
    third_plot: Literal["never", "ambiguous", "always"] = "never"
    ambiguous_hits: Literal[1, 2] = 2
    chain_check: bool = False
    velocity_sigma_mps: Pos = 400.0
    q_m2ps3: Annotated[float, Field(ge=0.0)] | None = None
    accel_sigma_mps2: Pos = 30.0
    turn_rate_sigma_degps: Pos = 5.0
    confirm_on_ambiguous: bool = True
    confirm: Annotated[KindModel, CONFIRMERS.union] = Field(default_factory=MOfNConfirm)

    @model_validator(mode="after")
    def _m_le_n(self) -> Self:
        if not 2 <= self.m <= self.n:
            raise ValueError(f"m: must be in 2..n, a pair is two hits (got m={self.m}, n={self.n})")
        return self

    def initiator(self, q_m2ps3: float = 20.0) -> TwoPointInitiator:
        """The two-point initiator these fields describe (``q_m2ps3`` if not set)."""
        return TwoPointInitiator(
            max_speed_mps=self.max_speed_mps,
            gate_probability=self.gate_probability,
            max_looks=self.max_looks or self.n - self.m + 1,
            max_age_s=self.max_age_s,
            min_dt_s=self.min_dt_s,
            one_to_one=self.one_to_one,
            ambiguous_prior=self.ambiguous_prior,
            third_plot=self.third_plot,
            ambiguous_hits=self.ambiguous_hits,
            chain_check=self.chain_check,
            velocity_sigma_mps=self.velocity_sigma_mps,
            q_m2ps3=q_m2ps3 if self.q_m2ps3 is None else self.q_m2ps3,
            accel_sigma_mps2=self.accel_sigma_mps2,
            turn_rate_sigma_radps=self.turn_rate_sigma_degps * D2R,
        )


Initiation = Annotated[KindModel, INITIATIONS.union]


# -- deletion -----------------------------------------------------------------
class DuplicatesConfig(_M):
    """Duplicate-track deletion (:class:`~iadsim.tracking.coalesce.DuplicateRule`): of
    two firm tracks whose position-velocity estimates pass the chi-square same-target
    test (Bar-Shalom 1981) at ``gate_probability`` for ``min_duration_s``, the one with
    fewer hits over its last ``recent_looks`` looks (0: the younger) is deleted, the
    younger on a tie."""

    gate_probability: Prob = 0.99
    min_duration_s: Annotated[float, Field(ge=0.0)] = 10.0
    recent_looks: Annotated[int, Field(ge=0, le=64)] = 8

    def rule(self) -> DuplicateRule:
        """The plain rule these fields describe."""
        return DuplicateRule(
            gate_probability=self.gate_probability,
            min_duration_s=self.min_duration_s,
            recent_looks=self.recent_looks,
        )


@DELETERS.register(
    example={
        "kind": "standard", "max_misses": 3, "max_coast_s": 30.0,
        "duplicates": {"gate_probability": 0.99, "min_duration_s": 10.0},
    },
    compile=lambda c: Deleter(
        max_misses=c.max_misses, max_coast_s=c.max_coast_s, max_pos_sigma_m=c.max_pos_sigma_m,
        duplicates=None if c.duplicates is None else c.duplicates.rule(),
    ),
)  # fmt: skip
class DeletionConfig(KindModel):
    """Deletion of confirmed tracks after misses, coasting time or position uncertainty,
    and of duplicate tracks (``duplicates: null`` keeps them; ``kind`` may be omitted)."""

    kind: Literal["standard"] = "standard"
    max_misses: Annotated[int, Field(ge=1)] = 3
    max_coast_s: Pos = 30.0
    max_pos_sigma_m: Pos = 50_000.0
    duplicates: DuplicatesConfig | None = None


Deletion = Annotated[KindModel, DELETERS.union]


class TrackerConfig(_M):
    """The tracker stage. Defaults suit an S-400-class air picture (3-D, EKF on
    polar plots, CV with q = 20 m^2/s^3, GNN, 3-of-4 confirmation on the initiating
    radar's own looks, 400 m/s initial velocity sigma)."""

    dims: Literal[2, 3] = 3
    motion: Motion = Field(default_factory=CVMotion)
    filter: Filter = Field(default_factory=EKFConfig)
    association: Association = Field(default_factory=GNNConfig)
    initiation: Initiation = Field(default_factory=MOfNConfig)
    deletion: Deletion = Field(default_factory=DeletionConfig)
    use_radial_velocity: bool = False

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        """``NAME`` or ``{preset: NAME, ...}``: a shipped configuration, fields beside
        ``preset`` merged over it (:mod:`iadsim.scenario.named_trackers`)."""
        return expand_tracker_reference(data)

    @model_validator(mode="after")
    def _class_aided_on_cv(self) -> Self:  # (its default class's PSD is the CV q)
        if self.filter.kind == "class_aided_ekf" and self.motion.kind != "cv":
            raise ValueError(f"class_aided_ekf needs motion: {{kind: cv}} (got {self.motion.kind})")
        return self


class SensorSite(_M):
    """A sensor position in the local ENU frame, m, and its 1-sigma noise (required
    for polar files: there is no silent default)."""

    e_m: float = 0.0
    n_m: float = 0.0
    u_m: float = 0.0
    sigma_range_m: Pos | None = None
    sigma_az_deg: Pos | None = None
    sigma_el_deg: Pos | None = None


class TrackCliConfig(TrackerConfig):
    """``iadsim track --config``: the tracker plus sensor sites and noise for files
    that lack sigma columns (``cartesian_sigma_m`` unset: the file's ``sigma``
    column, ``--sigma-m``, or an estimate from the plots that ``iadsim track`` prints)."""

    sensors: dict[int, SensorSite] = Field(default_factory=dict)
    cartesian_sigma_m: Pos | None = None


def compile_tracker_parts(cfg: TrackerConfig) -> TrackerParts:
    """Validated config -> plain :class:`iadsim.tracking.TrackerParts` (SI units)."""
    d = cfg.dims
    gate, assoc = ASSOCIATORS.compile(cfg.association)
    initiator, confirmer = INITIATIONS.compile(cfg.initiation)
    if isinstance(cfg.initiation, TwoPointConfig):  # the CV motion's q unless set
        initiator = cfg.initiation.initiator(getattr(cfg.motion, "q_m2ps3", 20.0))
    return TrackerParts(
        filter=FILTERS.compile(cfg.filter, MOTIONS.compile(cfg.motion, d), d),
        gate=gate,
        associator=assoc,
        initiator=initiator,
        confirmer=confirmer,
        deleter=DELETERS.compile(cfg.deletion),
        use_rdot=cfg.use_radial_velocity,
        confirm_on_ambiguous=bool(getattr(cfg.initiation, "confirm_on_ambiguous", True)),
        precedence=Precedence(stale_after_s=getattr(cfg.association, "stale_after_s", None)),
    )


def compile_tracker(cfg: TrackerConfig | None = None) -> Tracker:
    """A fresh :class:`iadsim.tracking.Tracker` from a config (default: ``TrackerConfig()``)."""
    return compile_tracker_parts(cfg or TrackerConfig()).build()
