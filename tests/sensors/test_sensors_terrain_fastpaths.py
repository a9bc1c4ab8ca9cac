"""DEM lookups, terrain masks and ray geometry against their plain formulations:
the table-decoded, in-place versions must give the same values bit for bit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.horizon import elevation_angle_rad
from iadsim.sensors.terrain import GridDem, build_terrain_mask, destination_point, load_pvlib_dem


def ref_elevation_at(dem: GridDem, lat_rad: Any, lon_rad: Any) -> np.ndarray:
    """The plain bilinear lookup (decode every gathered cell, clip every weight)."""
    z = dem.grid()

    def cells(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        raw = z[i, j]
        v = raw.astype(np.float64) * dem.scale + dem.offset_m
        return v if dem.nodata is None else np.where(raw == dem.nodata, 0.0, v)

    fi = (np.degrees(np.asarray(lat_rad)) - dem.lat0_deg) / dem.dlat_deg
    fj = (np.degrees(np.asarray(lon_rad)) - dem.lon0_deg) / dem.dlon_deg
    if abs(dem.dlon_deg * z.shape[1] - 360.0) < 1e-6:
        fj = np.mod(fj, z.shape[1])
    fi = np.clip(fi, 0.0, z.shape[0] - 1.0)
    fj = np.clip(fj, 0.0, z.shape[1] - 1.0)
    i = np.minimum(fi.astype(np.int64), max(z.shape[0] - 2, 0))
    j = np.minimum(fj.astype(np.int64), max(z.shape[1] - 2, 0))
    wi, wj = np.clip(fi - i, 0, 1), np.clip(fj - j, 0, 1)
    i1, j1 = np.minimum(i + 1, z.shape[0] - 1), np.minimum(j + 1, z.shape[1] - 1)
    top = (1 - wj) * cells(i, j) + wj * cells(i, j1)
    bot = (1 - wj) * cells(i1, j) + wj * cells(i1, j1)
    return np.asarray((1 - wi) * top + wi * bot, dtype=np.float64)


def ref_destination(lat: Any, lon: Any, az: Any, dist: Any) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(dist, dtype=np.float64) / EARTH_MEAN_RADIUS_M
    s1, c1 = np.sin(lat), np.cos(lat)
    lat2 = np.arcsin(s1 * np.cos(d) + c1 * np.sin(d) * np.cos(az))
    lon2 = lon + np.arctan2(np.sin(az) * np.sin(d) * c1, np.cos(d) - s1 * np.sin(lat2))
    return np.asarray(lat2), np.asarray(lon2)


def ref_elevation_angle(d: Any, h: Any, ha: Any, k: float = 4.0 / 3.0) -> np.ndarray:
    ae = k * EARTH_MEAN_RADIUS_M
    phi = np.asarray(d, dtype=np.float64) / ae
    rt = ae + np.asarray(h, dtype=np.float64)
    return np.asarray(np.arctan2(rt * np.cos(phi) - (ae + np.asarray(ha)), rt * np.sin(phi)))


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _grids() -> list[GridDem]:
    r = np.random.default_rng(0)
    z = r.normal(500.0, 300.0, (120, 150))
    kw: dict[str, Any] = dict(lat0_deg=40.0, lon0_deg=30.0, dlat_deg=-0.02, dlon_deg=0.03)
    return [
        GridDem(elevation_m=z, **kw),
        GridDem(elevation_m=np.asfortranarray(z), **kw),  # not C-contiguous
        GridDem(elevation_m=z[:1], **kw),  # one row
        GridDem(elevation_m=z[:, :1], **kw),  # one column
        GridDem(elevation_m=(z / 10).astype(np.int16), scale=10.0, offset_m=-5.0, nodata=30, **kw),
        GridDem(elevation_m=(np.abs(z) % 256).astype(np.uint8), scale=3.0, offset_m=-9.0, **kw),
        GridDem(  # global: 150 columns of 2.4 deg
            elevation_m=(np.abs(z) % 256).astype(np.uint8),
            scale=28.0,
            offset_m=-450,
            nodata=255,
            lat0_deg=89.0,
            lon0_deg=-179.0,
            dlat_deg=-1.5,
            dlon_deg=2.4,
        ),
    ]


@pytest.mark.parametrize("k", range(7))
def test_elevation_lookup_matches_plain_bilinear(k: int) -> None:
    dem = _grids()[k]
    r = np.random.default_rng(k)
    lat = np.radians(r.uniform(-95.0, 95.0, (40, 25)))
    lon = np.radians(r.uniform(-400.0, 400.0, (40, 25)))
    lat[0, :3] = np.radians(dem.lat0_deg)  # exactly on cell centres and edges
    lon[0, :3] = np.radians([dem.lon0_deg, dem.lon0_deg + 360.0, -180.0])
    for a, b in [(lat, lon), (lat[:, :1], lon[:1, :]), (lat[0, 0], lon[0]), (0.7, 0.5)]:
        assert _same(dem.elevation_at(a, b), ref_elevation_at(dem, a, b))
    regional = np.radians(r.uniform(37.0, 41.0, 500)), np.radians(r.uniform(29.0, 35.0, 500))
    assert _same(dem.elevation_at(*regional), ref_elevation_at(dem, *regional))


def test_pvlib_lookup_and_mask_match_plain_versions() -> None:
    dem = load_pvlib_dem()
    r = np.random.default_rng(1)
    lat, lon = r.uniform(-1.6, 1.6, 20_000), r.uniform(-3.5, 3.5, 20_000)
    assert _same(dem.elevation_at(lat, lon), ref_elevation_at(dem, lat, lon))
    site = (math.radians(39.9), math.radians(179.5))  # a mask across the antimeridian
    mask = build_terrain_mask(
        dem, lat_rad=site[0], lon_rad=site[1], antenna_alt_m=900.0, max_range_m=300e3, n_az=90
    )
    az = np.arange(90) * (2 * np.pi / 90)
    d = (np.arange(301) + 0.5) * 1000.0
    el = ref_elevation_angle(
        d[None, :], ref_elevation_at(dem, *ref_destination(*site, az[:, None], d[None, :])), 900.0
    )
    cum = np.maximum.accumulate(el, axis=1)
    expected = np.concatenate([np.full((90, 1), -np.pi / 2), cum[:, :-1]], axis=1)
    assert _same(mask.mask_el_rad, expected)


def test_ray_geometry_matches_plain_formulas_for_all_shapes() -> None:
    r = np.random.default_rng(2)
    d, h = r.uniform(0.0, 6e5, (30, 1)), r.uniform(-100.0, 9000.0, (1, 20))
    ha = r.uniform(0.0, 900.0, (30, 20))
    for args in [(d, h, 30.0), (d, h, ha), (5e4, 1000.0, 30.0), (np.array(5e4), 1000.0, ha)]:
        assert _same(elevation_angle_rad(*args), ref_elevation_angle(*args))
    az, dist = r.uniform(0.0, 6.3, (30, 1)), r.uniform(0.0, 6e5, (1, 20))
    lat_array, lon_array = np.array([0.7, 0.1])[:, None, None], np.full((2, 1, 1), 3.0)
    starts = [(0.7, 0.5), (lat_array, 0.5), (0.7, lon_array)]
    for lat0, lon0 in starts:
        for a, b in [(az, dist), (1.0, 1e5), (az[:, 0], 1e5)]:
            got, want = destination_point(lat0, lon0, a, b), ref_destination(lat0, lon0, a, b)
            assert _same(got[0], want[0]) and _same(got[1], want[1])
