"""The packaged global 5-arcmin grid equals pvlib's Altitude.h5, bit for bit.

Skipped when pvlib (and h5py) are not installed: the core install no longer
needs them. The oracle is pvlib's own reader, ``pvlib.location.lookup_altitude``.
"""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.sensors.terrain import GLOBAL_DEM_FILE, load_global_dem

pvlib_location = pytest.importorskip("pvlib.location")
h5py = pytest.importorskip("h5py")


def test_codes_are_pvlibs_codes() -> None:
    from pathlib import Path

    import pvlib

    with h5py.File(Path(pvlib.__file__).parent / "data" / "Altitude.h5", "r") as f:
        want = np.asarray(f["Altitude"][...])
    got = load_global_dem().elevation_m
    assert got.dtype == want.dtype == np.uint8
    assert np.array_equal(got, want)


def test_elevations_match_pvlib_lookup_altitude() -> None:
    """At random cell centres (and some no-data sea cells) the decoded metres are
    pvlib's (to 1e-6 m: the bilinear lookup's weights at a centre are 1 - 1e-13)."""
    rng = np.random.default_rng(11)
    dem = load_global_dem()
    i = rng.integers(0, 2160, 400)
    j = rng.integers(0, 4320, 400)
    lat = 90.0 - (i + 0.5) / 12.0
    lon = -180.0 + (j + 0.5) / 12.0
    got = dem.elevation_at(np.radians(lat), np.radians(lon))
    want = np.array([pvlib_location.lookup_altitude(a, b) for a, b in zip(lat, lon, strict=True)])
    assert np.any(want == 0.0) and np.any(want > 1000.0)  # sea and mountains both sampled
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_packaged_file_is_small_and_records_its_source() -> None:
    assert GLOBAL_DEM_FILE.stat().st_size < 2_000_000
    with np.load(GLOBAL_DEM_FILE) as data:
        assert str(data["source"]).startswith("pvlib ") and len(str(data["source_sha256"])) == 64
