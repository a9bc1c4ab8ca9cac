"""Fixtures for campaign tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from campaign_fakes import FAKE_SCENARIO


@pytest.fixture
def fake_data() -> dict[str, Any]:
    """A fresh copy of the fake raw scenario dict."""
    return copy.deepcopy(FAKE_SCENARIO)
