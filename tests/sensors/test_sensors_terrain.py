"""Terrain DEMs and masking tables (pvlib global grid, matplotlib sample DEM, flat earth)."""

from __future__ import annotations

import importlib.util

import matplotlib.cbook as cbook
import numpy as np
import pytest

from iadsim.errors import InputDataError
from iadsim.sensors.horizon import elevation_angle_rad, visible_over_smooth_earth
from iadsim.sensors.terrain import (
    GridDem,
    build_terrain_mask,
    destination_point,
    load_geotiff_dem,
    load_pvlib_dem,
)

R = np.radians


@pytest.fixture(scope="module")
def jacksboro() -> GridDem:
    # matplotlib sample data: 3-arcsec DEM of the Jacksboro fault, Tennessee (metres);
    # row 0 is the northern edge (the file's "ymin" = 36.7329 N), columns run east.
    d = cbook.get_sample_data("jacksboro_fault_dem.npz")
    step = float(d["dx"])
    return GridDem(
        elevation_m=d["elevation"].astype(float),
        lat0_deg=float(d["ymin"]) - step / 2,
        lon0_deg=float(d["xmin"]) + step / 2,
        dlat_deg=-float(d["dy"]),
        dlon_deg=step,
        name="jacksboro",
    )


@pytest.mark.parametrize(
    ("lat", "lon", "lo", "hi"),
    [
        (39.74, -104.99, 1500.0, 1750.0),  # Denver ~1622 m (offline-data.md spot check)
        (31.50, 35.50, -450.0, -100.0),  # Dead Sea depression ~-170 m on this grid
        (0.0, -150.0, 0.0, 0.0),  # open Pacific: no-data -> 0 m
        (27.99, 86.93, 4000.0, 8900.0),  # Everest cell (5-arcmin average)
    ],
)
def test_pvlib_dem_spot_checks(lat: float, lon: float, lo: float, hi: float) -> None:
    z = float(load_pvlib_dem().elevation_at(R(lat), R(lon)))
    assert lo <= z <= hi


def test_pvlib_dem_wraps_longitude() -> None:
    dem = load_pvlib_dem()
    a = dem.elevation_at(R(10.0), R(179.99))
    b = dem.elevation_at(R(10.0), R(-180.01))
    assert a == pytest.approx(b, abs=30.0)


def test_destination_point_distance() -> None:
    # one degree of latitude on the mean sphere is 111.195 km
    lat, lon = destination_point(R(10.0), R(20.0), 0.0, 111_195.0)
    assert np.degrees(lat) == pytest.approx(11.0, abs=1e-4)
    assert np.degrees(lon) == pytest.approx(20.0, abs=1e-9)


def _brute_force_ray(
    dem: GridDem, lat: float, lon: float, az: float, ant_alt: float, n_r: int, step: float
) -> np.ndarray:
    """Exclusive running maximum of terrain elevation angles, one sample at a time."""
    out = np.empty(n_r)
    best = -np.pi / 2
    for j in range(n_r):
        out[j] = best
        d = (j + 0.5) * step
        la, lo = destination_point(lat, lon, az, d)
        el = float(elevation_angle_rad(d, dem.elevation_at(la, lo), ant_alt))
        best = max(best, el)
    return out


def test_mask_table_matches_brute_force(jacksboro: GridDem) -> None:
    lat, lon = R(36.6), R(-84.25)
    ant = float(jacksboro.elevation_at(lat, lon)) + 10.0
    mask = build_terrain_mask(
        jacksboro,
        lat_rad=lat,
        lon_rad=lon,
        antenna_alt_m=ant,
        max_range_m=12_000.0,
        n_az=72,
        range_step_m=200.0,
    )
    for i in (0, 17, 40):
        ref = _brute_force_ray(
            jacksboro, lat, lon, i * 2 * np.pi / 72, ant, mask.mask_el_rad.shape[1], 200.0
        )
        np.testing.assert_allclose(mask.mask_el_rad[i], ref, atol=1e-12)


def test_valley_site_masks_low_targets_not_high_ones(jacksboro: GridDem) -> None:
    z = jacksboro.elevation_m
    i, j = np.unravel_index(np.argmin(z), z.shape)  # lowest point of the sample DEM
    lat = R(jacksboro.lat0_deg + i * jacksboro.dlat_deg)
    lon = R(jacksboro.lon0_deg + j * jacksboro.dlon_deg)
    ground = float(jacksboro.elevation_at(lat, lon))
    mask = build_terrain_mask(
        jacksboro,
        lat_rad=lat,
        lon_rad=lon,
        antenna_alt_m=ground + 10,
        max_range_m=15_000.0,
        n_az=360,
        range_step_m=100.0,
    )
    az = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    d = np.full(az.shape, 12_000.0)
    tla, tlo = destination_point(lat, lon, az, d)
    terrain = jacksboro.elevation_at(tla, tlo)
    low = mask.visible(az, d, terrain + 30.0)
    high = mask.visible(az, d, np.full(az.shape, 5_000.0))
    assert high.all()
    assert low.mean() < 0.5  # most low targets 12 km away hide behind the ridges


def test_flat_dem_reproduces_smooth_earth_horizon() -> None:
    flat = GridDem(
        elevation_m=np.zeros((4, 4)), lat0_deg=30.0, lon0_deg=10.0, dlat_deg=-1.0, dlon_deg=1.0
    )
    mask = build_terrain_mask(
        flat,
        lat_rad=R(29.0),
        lon_rad=R(11.0),
        antenna_alt_m=20.0,
        max_range_m=120_000.0,
        n_az=36,
        range_step_m=250.0,
    )
    rng = np.random.default_rng(3)
    az = rng.uniform(0, 2 * np.pi, 4000)
    d = rng.uniform(1e3, 115e3, 4000)
    h = rng.uniform(0.0, 600.0, 4000)
    smooth = visible_over_smooth_earth(d, 20.0, h)
    masked = mask.visible(az, d, h)
    # disagreement only within a bin or so of the horizon
    assert np.mean(smooth != masked) < 0.01


@pytest.mark.skipif(importlib.util.find_spec("rasterio") is not None, reason="rasterio installed")
def test_geotiff_without_rasterio_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputDataError, match="rasterio"):
        load_geotiff_dem(tmp_path / "dem.tif")
