"""The vertical-coverage diagram agrees with the coverage table of the same command.

The table (``coverage_table``) takes the smaller of the radar-equation range at
the target height, the 4/3-earth horizon range and the instrumented range; the
diagram traces detection ranges along elevation rays. At every height the
diagram's detected region must reach the table's range (as ground distance)
within the plot resolution, and no curve may run below the radio horizon — also
for a radar whose lowest elevation is below 0 deg (the low-level radar, -2 deg).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.scenario.load import load_catalog
from iadsim.scenario.schema_sensors import compile_radar
from iadsim.sensors.coverage import coverage_table
from iadsim.sensors.coverage_plots import envelope, lowest_ray_rad
from iadsim.sensors.horizon import K_STANDARD, altitude_on_ray_m

AE = K_STANDARD * EARTH_MEAN_RADIUS_M
RADARS = sorted(load_catalog().radars)
ALTS_M = (30.0, 300.0, 1000.0, 5000.0, 10000.0)


def _params(name: str):  # type: ignore[no-untyped-def]
    return compile_radar(load_catalog().radars[name], name)


def ground_distance_m(slant_m: float, h_a: float, h_t: float) -> float:
    """Ground distance (m) of a point at slant range ``slant_m`` and height ``h_t`` (law of
    cosines on the 4/3 earth)."""
    ra, rt = AE + h_a, AE + h_t
    c = (ra**2 + rt**2 - slant_m**2) / (2.0 * ra * rt)
    return AE * math.acos(min(1.0, max(-1.0, c)))


def region_reach_m(d: np.ndarray, h: np.ndarray, alt_m: float) -> float:
    """Farthest ground distance at which the closed region (radar, boundary) reaches ``alt_m``."""
    best = 0.0
    for i in range(d.size - 1):
        h0, h1 = h[i], h[i + 1]
        if (h0 - alt_m) * (h1 - alt_m) <= 0 and h0 != h1:
            best = max(best, d[i] + (alt_m - h0) / (h1 - h0) * (d[i + 1] - d[i]))
    return best


def test_the_low_level_radar_looks_below_the_horizontal() -> None:
    """The case of the bug report: a -2 deg lowest elevation, below the grazing ray."""
    p = _params("s400-class-low-level")
    assert p.el_min_rad < 0 and lowest_ray_rad(p) > p.el_min_rad


@pytest.mark.parametrize("radar", RADARS)
@pytest.mark.parametrize("rcs_m2", [0.01, 1.0])
def test_diagram_reaches_the_table_range_at_every_height(radar: str, rcs_m2: float) -> None:
    p = _params(radar)
    d, h = envelope(p, rcs_m2)
    tab = coverage_table(p, [rcs_m2], list(ALTS_M))
    for j, alt in enumerate(ALTS_M):
        if alt <= p.antenna_height_m:
            continue
        table_m = ground_distance_m(float(tab.range_m[0, j]), p.antenna_height_m, alt)
        drawn_m = region_reach_m(d, h, alt)
        # plot resolution: 400 rays, 3 fixed-point passes for the attenuation
        assert drawn_m == pytest.approx(table_m, rel=0.02, abs=500.0), (radar, alt)


@pytest.mark.parametrize("radar", RADARS)
def test_no_curve_below_the_radio_horizon(radar: str) -> None:
    p = _params(radar)
    lo = lowest_ray_rad(p)
    for rcs_m2 in (0.001, 1.0, 100.0):
        d, h = envelope(p, rcs_m2)
        assert np.all(h >= -1e-6)
        # height of the lowest usable ray at the same ground distance
        r = np.linspace(0.0, p.instrumented_range_m * 1.5, 4000)
        h_ray, d_ray = altitude_on_ray_m(r, lo, p.antenna_height_m)
        floor = np.interp(d, d_ray, h_ray)
        assert np.all(h >= floor - 1.0)
