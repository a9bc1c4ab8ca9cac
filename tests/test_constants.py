"""Bottom-layer names (iadsim.constants, iadsim.numeric) and their single use."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim import geo
from iadsim.c2 import threat
from iadsim.constants import EARTH_MEAN_RADIUS_M, THREAT_CLASSES, TWO_PI
from iadsim.engagement import interceptors
from iadsim.numeric import norm3, sum3


def test_earth_mean_radius_is_the_iugg_r1_of_wgs84() -> None:
    # Moritz (1980): R1 = (2a + b) / 3 = 6,371,008.7714 m, rounded to 0.1 m
    assert EARTH_MEAN_RADIUS_M == pytest.approx((2 * geo.WGS84_A_M + geo.WGS84_B_M) / 3, abs=0.05)
    assert geo.EARTH_MEAN_RADIUS_M is EARTH_MEAN_RADIUS_M


def test_threat_classes_exist_once() -> None:
    assert threat.THREAT_CLASSES is THREAT_CLASSES
    assert interceptors.PK_CLASS_NAMES is THREAT_CLASSES
    assert len(set(THREAT_CLASSES)) == len(THREAT_CLASSES)
    assert TWO_PI == 2 * np.pi


@pytest.mark.parametrize("shape", [(0, 3), (7, 3), (4, 5, 3)])
def test_norm3_and_sum3_match_numpy_bit_for_bit(shape: tuple[int, ...]) -> None:
    x = np.random.default_rng(3).normal(scale=1e5, size=shape)
    np.testing.assert_array_equal(sum3(x), np.sum(x, axis=-1))
    np.testing.assert_array_equal(norm3(x), np.linalg.norm(x, axis=-1))


def test_schema_threat_class_literal_lists_the_shared_classes() -> None:
    # a typing.Literal needs its values spelled out; this keeps them equal to the list
    from typing import get_args

    from iadsim.scenario.schema_engagement import ThreatClassName

    assert get_args(ThreatClassName) == THREAT_CLASSES
