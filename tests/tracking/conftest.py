"""Fixtures for the tracking tests (helpers live in tracking_helpers.py)."""

from __future__ import annotations

import numpy as np
import pytest
from tracking_helpers import make_rng


@pytest.fixture
def rng() -> np.random.Generator:
    return make_rng()
