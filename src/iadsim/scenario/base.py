"""The one pydantic base model of the scenario layer.

Every scenario, catalog and stage-config model derives from :class:`Model`:
unknown fields are errors, models are immutable once loaded, defaults are
validated like given values, and ``inf``/``NaN`` are rejected in every float
field (no radar has ``peak_power_w: inf``; a field where infinity means
something opts in with ``Field(allow_inf_nan=True)``). A boolean is not a number: a
number field refuses ``true`` (pydantic reads it as 1: ``count: true`` flew one threat).
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = ["MIN_RADIO_FREQUENCY_HZ", "Model", "RadioHz"]

#: Lowest radio frequency a radar or seeker field accepts: HF over-the-horizon
#: radars start near 3 MHz; below 1 MHz the value is a unit slip (``3`` for 3 GHz).
MIN_RADIO_FREQUENCY_HZ = 1e6


def _radio_hz(value: float) -> float:
    if value < MIN_RADIO_FREQUENCY_HZ:
        raise ValueError(
            f"must be >= 1e6: a frequency in Hz (3 GHz = 3e9; HF radars start near "
            f"3 MHz) (got {value:g})"
        )
    return value


#: A radar or seeker frequency, Hz (a GHz figure typed in is refused, not read as VHF).
RadioHz = Annotated[float, Field(le=1e12), AfterValidator(_radio_hz)]


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
