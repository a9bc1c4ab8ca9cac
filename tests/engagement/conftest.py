"""Fixtures for the engagement-stage tests: the bundled interceptor catalog, compiled."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import yaml

from iadsim.engagement import InterceptorParams
from iadsim.scenario.schema_engagement import InterceptorType, compile_interceptor


@pytest.fixture(scope="session")
def catalog_raw() -> dict:
    text = resources.files("iadsim.scenario").joinpath("catalog/interceptors.yaml").read_text()
    return yaml.safe_load(text)


@pytest.fixture(scope="session")
def catalog(catalog_raw: dict) -> dict[str, InterceptorParams]:
    return {
        name: compile_interceptor(InterceptorType.model_validate(v), name)
        for name, v in catalog_raw.items()
    }


def flat_pk(name: str = "flat", pk: float = 0.8, **kw: object) -> InterceptorParams:
    """A simple interceptor with a constant Pk table (used across tests); keyword
    arguments override any field (e.g. ``support``, ``acquisition``)."""
    base = dict(
        min_range_m=1000.0, max_range_m=100_000.0, min_alt_m=10.0, max_alt_m=20_000.0,
        boost_s=5.0, max_speed_mps=1200.0, decel_mps2=4.0, min_speed_mps=600.0,
        reaction_s=5.0, launch_interval_s=2.0, reload_s=600.0,
    )  # fmt: skip
    base.update(kw)
    return InterceptorParams(
        name=name,
        pk_range_fraction=np.array([0.0, 1.0]),
        pk_table=np.full((4, 2), pk),
        **base,
    )


@pytest.fixture()
def make_interceptor():
    return flat_pk
