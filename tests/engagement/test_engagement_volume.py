"""Engagement-radar coverage volumes and the intercepts C2 may order inside them.

The volume test is checked on random points against pymap3d's ``enu2aer`` (azimuth
and slant range, an independent implementation) and the exact apparent elevation over
a 4/3 earth (:func:`iadsim.sensors.horizon.elevation_angle_rad`, Skolnik 2001 sec. 8.2;
the volume uses the series form the radars use); the restriction of intercept
solutions against a plain loop over the triples.
"""

from __future__ import annotations

import math

import numpy as np
import pymap3d
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.engagement.intercept import InterceptSolutions
from iadsim.engagement.interceptors import height_above_origin_m
from iadsim.engagement.volume import EngagementVolume, restrict_to_volumes
from iadsim.sensors.horizon import elevation_angle_rad

SECTOR = EngagementVolume(
    site_m=(1_700.0, 1_100.0, 5.0), antenna_alt_m=845.0, k=4 / 3,
    az_center_rad=math.radians(270.0),
    az_width_rad=math.radians(90.0), el_min_rad=0.0, el_max_rad=math.radians(70.0),
    min_range_m=1_000.0, max_range_m=170_000.0,
)  # fmt: skip


def _aer(vol: EngagementVolume, p: np.ndarray) -> tuple[float, float, float]:
    """Azimuth (deg, pymap3d), apparent elevation (deg, exact k-earth) and slant range."""
    rel = p - np.asarray(vol.site_m)
    az, _, rng = pymap3d.enu2aer(*rel)
    sphere = [float(height_above_origin_m(x)) for x in (p, np.asarray(vol.site_m))]
    alt = vol.antenna_alt_m + sphere[0] - sphere[1]
    el = elevation_angle_rad(math.hypot(rel[0], rel[1]), alt, vol.antenna_alt_m, vol.k)
    return float(az), math.degrees(float(el)), float(rng)


def _inside(vol: EngagementVolume, p: np.ndarray) -> bool:
    az, el, rng = _aer(vol, p)
    off = abs((az - math.degrees(vol.az_center_rad) + 180.0) % 360.0 - 180.0)
    return bool(
        vol.min_range_m <= rng <= vol.max_range_m
        and off <= math.degrees(vol.az_width_rad) / 2
        and math.degrees(vol.el_min_rad) <= el <= math.degrees(vol.el_max_rad)
    )


@settings(max_examples=300, deadline=None)
@given(
    e=st.floats(-200e3, 200e3), n=st.floats(-200e3, 200e3), u=st.floats(-5e3, 40e3),
    centre=st.floats(0.0, 359.9), width=st.floats(10.0, 360.0),
)  # fmt: skip
def test_volume_matches_pymap3d(e: float, n: float, u: float, centre: float, width: float) -> None:
    vol = EngagementVolume(
        site_m=SECTOR.site_m, antenna_alt_m=SECTOR.antenna_alt_m, k=SECTOR.k,
        az_center_rad=math.radians(centre), az_width_rad=math.radians(width),
        el_min_rad=SECTOR.el_min_rad, el_max_rad=SECTOR.el_max_rad,
        min_range_m=SECTOR.min_range_m, max_range_m=SECTOR.max_range_m,
    )  # fmt: skip
    p = np.array([e, n, u])
    want = _inside(vol, p)
    got = bool(vol.contains(p[None])[0])
    if got != want:  # only on a boundary (within rounding of an angle or a range)
        az, el, rng = _aer(vol, p)
        off = abs((az - centre + 180.0) % 360.0 - 180.0)
        margins = [abs(off - width / 2), abs(el), abs(el - 70.0),
                   abs(rng - vol.min_range_m), abs(rng - vol.max_range_m)]  # fmt: skip
        assert min(margins) < 1e-6, (got, want, az, el, rng)


def test_overhead_behind_and_low_are_outside() -> None:
    """A point straight above the site (el 90 deg), one behind a west-facing sector, one
    in front; and at 138 km, a point 1 km above the sphere through the origin is under
    the 0 deg limit (apparent elevation over a 4/3 earth -0.07 deg) while one 1.3 km up
    is inside (apparent +0.06 deg, geometric -0.08 deg: the radar's refraction counts)."""
    site = np.asarray(SECTOR.site_m)
    pts = site + np.array([[0.0, 0.0, 7_000.0], [20_000.0, 0.0, 3_000.0],
                           [-20_000.0, 0.0, 3_000.0]])  # fmt: skip
    assert SECTOR.contains(pts).tolist() == [False, False, True]
    far = site + np.array([[-138e3, 0.0, 1_000.0 - 1_495.0], [-138e3, 0.0, 1_300.0 - 1_495.0]])
    assert SECTOR.contains(far).tolist() == [False, True]
    assert [_inside(SECTOR, x) for x in far] == [False, True]


def _solutions(rng: np.random.Generator, t: int, n_l: int, n_i: int) -> InterceptSolutions:
    shape = (t, n_l, n_i)
    pip = rng.uniform([-60e3, -60e3, 0.0], [60e3, 60e3, 25e3], size=(*shape, 3))
    feasible = rng.random(shape) < 0.7
    pip[~feasible] = np.nan  # an infeasible triple has no PIP to test
    pk = np.where(feasible, rng.uniform(0.3, 0.9, shape), 0.0)
    z = np.zeros(shape)
    return InterceptSolutions(t_launch_s=z, t_intercept_s=z, pip_m=pip, range_m=z, height_m=z,
                              feasible=feasible, pk=pk)  # fmt: skip


def test_restriction_against_a_loop() -> None:
    """Only triples of types needing fire control, of batteries with a volume, whose PIP
    lies outside it, become infeasible (pk 0); nothing else changes."""
    rng = np.random.default_rng(7)
    sol = _solutions(rng, 9, 5, 3)
    battery = np.array([0, 0, 1, 1, 2])  # battery 2 has no engagement radar volume
    needs = np.array([True, False, True])
    other = EngagementVolume(**{**SECTOR.__dict__, "site_m": (-30e3, 10e3, 500.0),
                                "az_center_rad": 0.3})  # fmt: skip
    volumes = {0: SECTOR, 1: other}
    out = restrict_to_volumes(sol, battery, needs, volumes)
    for t, lx, i in np.ndindex(sol.feasible.shape):
        keep = bool(sol.feasible[t, lx, i])
        b = int(battery[lx])
        if keep and needs[i] and b in volumes:
            keep = bool(volumes[b].contains(sol.pip_m[t, lx, i][None])[0])
        assert out.feasible[t, lx, i] == keep
        assert out.pk[t, lx, i] == (sol.pk[t, lx, i] if keep else 0.0)
    assert out.feasible.sum() < sol.feasible.sum()  # the draw has PIPs outside
    np.testing.assert_array_equal(out.pip_m, sol.pip_m)


def test_no_volume_leaves_the_solutions() -> None:
    sol = _solutions(np.random.default_rng(3), 4, 2, 2)
    assert restrict_to_volumes(sol, np.array([0, 1]), np.array([True, True]), {}) is sol
