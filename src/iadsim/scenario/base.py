"""The one pydantic base model of the scenario layer.

Every scenario, catalog and stage-config model derives from :class:`Model`:
unknown fields are errors, models are immutable once loaded, defaults are
validated like given values, and ``inf``/``NaN`` are rejected in every float
field (no radar has ``peak_power_w: inf``; a field where infinity means
something opts in with ``Field(allow_inf_nan=True)``). A boolean is not a number: a
number field refuses ``true`` (pydantic reads it as 1: ``count: true`` flew one threat).
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Model"]


class Model(BaseModel):
    """Base of all scenario-layer models (strict: see the module docstring)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                field = cls.model_fields.get(key) if isinstance(value, bool) else None
                if field is None:
                    continue
                kinds = set(get_args(field.annotation)) or {field.annotation}
                if bool not in kinds and kinds & {int, float}:
                    raise ValueError(f"{key}: must be a number (got {str(value).lower()})")
        return data
