"""The one pydantic base model of the scenario layer.

Every scenario, catalog and stage-config model derives from :class:`Model`:
unknown fields are errors, models are immutable once loaded, defaults are
validated like given values, and ``inf``/``NaN`` are rejected in every float
field (no radar has ``peak_power_w: inf``; a field where infinity means
something opts in with ``Field(allow_inf_nan=True)``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    """Base of all scenario-layer models (strict: see the module docstring)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )
