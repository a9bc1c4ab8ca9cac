"""Config models for interceptor types and fire doctrine (pydantic v2), and their compilers.

Units are in the field names; kilometres and the per-class authority names are
converted once, here, into the stage dataclasses
(:class:`iadsim.engagement.InterceptorParams`, :class:`iadsim.c2.DoctrineParams`).
Every catalog interceptor carries a ``source`` and its Pk table a separate
``source`` (public sources do not give Pk: the tables are labelled assumptions).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from iadsim.c2.doctrine import AUTHORITY_NAMES, HOLD, DoctrineParams
from iadsim.c2.threat import THREAT_CLASSES
from iadsim.engagement.interceptors import PK_CLASS_NAMES, InterceptorParams

__all__ = [
    "Doctrine",
    "InterceptorType",
    "PkTable",
    "compile_doctrine",
    "compile_interceptor",
]

ThreatClassName = Literal["fighter", "cruise_missile", "drone", "ballistic"]
Authority = Literal["hold", "tight", "free"]
Prob = Annotated[float, Field(ge=0.0, le=1.0)]
Source = Annotated[str, Field(min_length=3)]

if PK_CLASS_NAMES != THREAT_CLASSES:  # pragma: no cover - guards the two stage packages
    raise ImportError("engagement PK_CLASS_NAMES and c2 THREAT_CLASSES differ")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class PkTable(_Model):
    """Single-shot Pk per target class over the intercept range fraction (r / max range).

    Linear interpolation between grid points, clamped at the ends; 0 means the
    type does not engage that class at that range.
    """

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
    pk: PkTable
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


class Doctrine(_Model):
    """Fire doctrine of a battery (see :mod:`iadsim.c2.doctrine` for definitions).

    ``weapons`` is one authority for every class or a mapping class -> authority;
    classes missing from the mapping are on ``hold``. ``reserve_min_value``:
    threat value from which reserve rounds may be fired (None: never).
    """

    mode: Literal["shoot-look-shoot", "salvo"] = "shoot-look-shoot"
    salvo: Annotated[int, Field(ge=1, le=8)] = 1
    weapons: Authority | dict[ThreatClassName, Authority] = "free"
    tight_min_quality: Annotated[float, Field(ge=0.0)] = 0.9
    tight_max_speed_sigma_mps: Annotated[float, Field(gt=0.0)] = 30.0
    kill_assessment_s: Annotated[float, Field(ge=0.0, le=3600.0)] = 10.0
    reserve_fraction: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    reserve_min_range_km: Annotated[float, Field(gt=0.0)] = 150.0
    reserve_min_value: Annotated[float, Field(ge=0.0)] | None = None


def compile_interceptor(model: InterceptorType, name: str) -> InterceptorParams:
    """Convert a validated :class:`InterceptorType` to SI :class:`InterceptorParams`."""
    table = np.array([getattr(model.pk, c) for c in PK_CLASS_NAMES], dtype=np.float64)
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
        pk_range_fraction=np.array(model.pk.range_fraction, dtype=np.float64),
        pk_table=table,
    )


def compile_doctrine(model: Doctrine) -> DoctrineParams:
    """Convert a validated :class:`Doctrine` to :class:`DoctrineParams`."""
    if isinstance(model.weapons, str):
        auth = (AUTHORITY_NAMES.index(model.weapons),) * len(THREAT_CLASSES)
    else:
        w = model.weapons
        auth = tuple(AUTHORITY_NAMES.index(w[c]) if c in w else HOLD for c in THREAT_CLASSES)
    return DoctrineParams(
        mode=model.mode,
        salvo=model.salvo,
        authority=auth,
        tight_min_quality=model.tight_min_quality,
        tight_max_speed_sigma_mps=model.tight_max_speed_sigma_mps,
        kill_assessment_s=model.kill_assessment_s,
        reserve_fraction=model.reserve_fraction,
        reserve_min_range_m=1000.0 * model.reserve_min_range_km,
        reserve_min_value=np.inf if model.reserve_min_value is None else model.reserve_min_value,
    )
