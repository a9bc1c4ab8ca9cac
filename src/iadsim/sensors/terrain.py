"""Terrain elevation models and per-radar terrain masking tables.

Digital elevation models (all offline):

* :func:`load_global_dem`: the global 5-arcmin grid of pvlib's
  ``pvlib/data/Altitude.h5``, shipped in iadsim (``data/global_5arcmin.npz``,
  2160 x 4320 uint8, ``metres = v * 28 - 450``,
  255 = no data / sea -> 0 m, row 0 = 90 N, column 0 = 180 W; cell centres at
  ``(90 - lat) * 12``, ``(lon + 180) * 12``). Resolution ~9 km: masking from it
  is coarse but real.
* :func:`load_geotiff_dem`: any geographic (EPSG:4326) GeoTIFF via ``rasterio``
  (optional dependency, imported lazily).
* :class:`GridDem` built directly from arrays (tests use matplotlib's
  ``jacksboro_fault_dem.npz``).

Masking table (per radar, computed once): for ``n_az`` azimuth bins and range
bins of ``range_step_m``, sample the terrain along each radial, convert every
sample to its apparent elevation angle over a ``k``-earth (:func:`iadsim.sensors.
horizon.elevation_angle_rad`) and take the running maximum outward. A target in
azimuth bin ``i`` at ground distance ``d`` is visible iff its own apparent
elevation exceeds ``mask[i, j]``, the maximum over all samples *nearer* than
``d``: one gather per target per dwell. (Skolnik 2001 sec. 8.2 for the geometry;
the cumulative-maximum "horizon profile" is the usual viewshed construction.)
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.errors import InputDataError
from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.horizon import K_STANDARD, elevation_angle_rad

__all__ = [
    "GridDem",
    "TerrainMask",
    "build_terrain_mask",
    "destination_point",
    "load_geotiff_dem",
    "load_global_dem",
    "load_pvlib_dem",
]

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GridDem:
    """Elevation on a regular latitude/longitude grid (cell-centre registered).

    Attributes
    ----------
    elevation_m : ndarray, shape (n_lat, n_lon)
        Heights above mean sea level; row 0 at ``lat0_deg``.
    lat0_deg, lon0_deg : float
        Latitude and longitude of the centre of cell [0, 0].
    dlat_deg, dlon_deg : float
        Grid steps (``dlat_deg`` is negative for north-up grids).
    name : str
        Where the data came from (for reports).
    scale, offset_m, nodata : float, float, int or None
        Encoded grids (e.g. pvlib's uint8 cells) are kept as stored and decoded
        only at the looked-up cells: height = raw * scale + offset_m, and cells
        equal to ``nodata`` (sea) read as 0 m. Plain grids use 1, 0, None.
    """

    elevation_m: NDArray[Any]
    lat0_deg: float
    lon0_deg: float
    dlat_deg: float
    dlon_deg: float
    name: str = "grid"
    scale: float = 1.0
    offset_m: float = 0.0
    nodata: int | None = None

    def grid(self) -> NDArray[Any]:
        """The stored grid."""
        return self.elevation_m

    @functools.cached_property
    def _decoded(self) -> F | None:
        """Height (m) of every code of a one-byte grid (``None`` for other dtypes)."""
        if self.elevation_m.dtype != np.uint8:
            return None
        codes = np.arange(256, dtype=np.uint8)
        z = codes.astype(np.float64) * self.scale + self.offset_m
        return z if self.nodata is None else np.where(codes == self.nodata, 0.0, z)

    def _cells(self, flat: NDArray[Any], flat_index: NDArray[np.int64]) -> F:
        """Decoded heights of the cells at row-major ``flat_index`` of ``flat`` (the grid)."""
        raw = flat[flat_index]
        decoded = self._decoded
        if decoded is not None:  # same values as the arithmetic below, one table gather
            return np.asarray(decoded[raw])
        z = raw.astype(np.float64) * self.scale + self.offset_m
        return z if self.nodata is None else np.where(raw == self.nodata, 0.0, z)

    def elevation_at(self, lat_rad: ArrayLike, lon_rad: ArrayLike) -> F:
        """Bilinear elevation (m) at geodetic points; outside the grid -> edge value.

        Parameters
        ----------
        lat_rad, lon_rad : array_like
            Geodetic latitude and longitude (rad); they broadcast to the output shape.

        Returns
        -------
        ndarray
            ``(1 - wi) [(1 - wj) z00 + wj z01] + wi [(1 - wj) z10 + wj z11]`` with
            ``wi``, ``wj`` the fractional cell coordinates (cell-centre registered).
        """
        n_lat, n_lon = self.elevation_m.shape
        shape = np.broadcast_shapes(np.shape(lat_rad), np.shape(lon_rad))
        fi = np.atleast_1d((np.degrees(np.asarray(lat_rad)) - self.lat0_deg) / self.dlat_deg)
        fj = np.atleast_1d((np.degrees(np.asarray(lon_rad)) - self.lon0_deg) / self.dlon_deg)
        if abs(self.dlon_deg * n_lon - 360.0) < 1e-6:  # global grid: wrap longitude
            outside = ~((fj > 0) & (fj < n_lon))  # np.mod leaves the others unchanged
            if outside.any():
                fj[outside] = np.mod(fj[outside], n_lon)
        fi = np.clip(fi, 0.0, n_lat - 1.0, out=fi)  # (fi, fj: arrays of this call)
        fj = np.clip(fj, 0.0, n_lon - 1.0, out=fj)
        i = np.minimum(fi.astype(np.int64), max(n_lat - 2, 0))
        j = np.minimum(fj.astype(np.int64), max(n_lon - 2, 0))
        wi, wj = fi - i, fj - j  # weights, in [0, 1] by construction
        di = n_lon if n_lat > 1 else 0  # next row / column (the edge cell on a 1-cell axis)
        dj = 1 if n_lon > 1 else 0
        flat = np.ascontiguousarray(self.elevation_m).reshape(-1)  # a view if C-ordered
        cell = i * n_lon + j
        z00, z01 = self._cells(flat, cell), self._cells(flat, cell + dj)
        z10, z11 = self._cells(flat, cell + di), self._cells(flat, cell + di + dj)
        uj = 1 - wj
        top = uj * z00 + wj * z01
        bottom = uj * z10 + wj * z11
        return np.asarray((1 - wi) * top + wi * bottom).reshape(shape)


#: The packaged global grid: pvlib's ``data/Altitude.h5`` codes, unchanged (provenance,
#: license and attributions in ``data/README.md``; made by ``tools/convert_global_dem.py``).
GLOBAL_DEM_FILE = Path(__file__).parent / "data" / "global_5arcmin.npz"


@functools.lru_cache(maxsize=1)
def load_global_dem() -> GridDem:
    """The packaged global 5-arcmin DEM (pvlib's grid, shipped in iadsim; never downloads).

    Data: :data:`GLOBAL_DEM_FILE`, the uint8 codes of pvlib ``data/Altitude.h5``
    (BSD-3-Clause, from Mapzen terrain tiles), see the module docstring for the
    encoding; sea / no-data cells are 0 m. Decoded per lookup, identical to
    ``pvlib.location.lookup_altitude`` at the cell centres. Cached after the
    first call (the grid is never modified; loading takes ~50 ms).
    """
    try:
        with np.load(GLOBAL_DEM_FILE) as data:
            raw = np.asarray(data["altitude_code"])
    except (OSError, KeyError, ValueError) as err:
        msg = f"{GLOBAL_DEM_FILE}: cannot read the global terrain grid ({err})"
        raise InputDataError(msg) from err
    step = 1.0 / 12.0
    return GridDem(  # uint8 cells kept encoded: decoded per lookup (9.3 M cells)
        elevation_m=raw,
        scale=28.0,
        offset_m=-450.0,
        nodata=255,
        lat0_deg=90.0 - step / 2,
        lon0_deg=-180.0 + step / 2,
        dlat_deg=-step,
        dlon_deg=step,
        name="global 5-arcmin grid (pvlib Altitude.h5)",
    )


#: Former name (the grid used to be read from the installed pvlib).
load_pvlib_dem = load_global_dem


def load_geotiff_dem(path: str | Path) -> GridDem:
    """A geographic (lat/lon) GeoTIFF DEM read with rasterio (optional dependency)."""
    if not Path(path).is_file():
        raise InputDataError(f"{path}: {'not a file' if Path(path).exists() else 'no such file'}")
    if importlib.util.find_spec("rasterio") is None:
        raise InputDataError(
            f"{path}: reading GeoTIFF terrain needs rasterio (pip install 'iadsim[terrain]')"
        )
    import rasterio

    try:
        with rasterio.open(path) as src:
            band = src.read(1, masked=True)
            t = src.transform
    except Exception as err:  # rasterio raises its own error types
        raise InputDataError(f"{path}: cannot read GeoTIFF DEM ({err})") from err
    elev = np.asarray(np.ma.filled(band.astype(np.float64), 0.0))
    return GridDem(
        elevation_m=elev,
        lat0_deg=t.f + t.e / 2,
        lon0_deg=t.c + t.a / 2,
        dlat_deg=t.e,
        dlon_deg=t.a,
        name=str(path),
    )


def destination_point(
    lat_rad: float, lon_rad: float, az_rad: ArrayLike, distance_m: ArrayLike
) -> tuple[F, F]:
    """Great-circle destination (spherical earth) from a point, bearing and distance.

    ``lat2 = asin(sin lat1 cos d + cos lat1 sin d cos az)``,
    ``lon2 = lon1 + atan2(sin az sin d cos lat1, cos d - sin lat1 sin lat2)``
    with ``d = distance / R`` (standard navigation formulae).
    """
    d = np.asarray(distance_m, dtype=np.float64) / EARTH_MEAN_RADIUS_M
    az = np.asarray(az_rad, dtype=np.float64)
    s1, c1 = np.sin(lat_rad), np.cos(lat_rad)
    lat2 = np.arcsin(s1 * np.cos(d) + c1 * np.sin(d) * np.cos(az))
    lon2 = lon_rad + np.arctan2(np.sin(az) * np.sin(d) * c1, np.cos(d) - s1 * np.sin(lat2))
    return np.asarray(lat2), np.asarray(lon2)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerrainMask:
    """Masking table of one radar site.

    ``mask_el_rad[i, j]``: largest apparent terrain elevation angle nearer than
    ground distance ``j * range_step_m`` in azimuth bin ``i`` (width
    ``2 pi / n_az``, bin 0 centred on north). ``antenna_alt_m`` is the antenna
    height above mean sea level used to build it.
    """

    mask_el_rad: NDArray[np.float64]
    range_step_m: float
    antenna_alt_m: float
    k: float = K_STANDARD

    @property
    def n_az(self) -> int:
        """Number of azimuth bins."""
        return int(self.mask_el_rad.shape[0])

    def mask_at(self, az_rad: ArrayLike, ground_distance_m: ArrayLike) -> F:
        """Mask elevation angle (rad) for targets at azimuth and ground distance."""
        n_az, n_r = self.mask_el_rad.shape
        ia = np.mod(np.rint(np.asarray(az_rad) / (2 * np.pi) * n_az).astype(np.int64), n_az)
        ir = np.clip(
            (np.asarray(ground_distance_m) / self.range_step_m).astype(np.int64), 0, n_r - 1
        )
        return np.asarray(self.mask_el_rad[ia, ir])

    def visible(
        self, az_rad: ArrayLike, ground_distance_m: ArrayLike, target_alt_m: ArrayLike
    ) -> NDArray[np.bool_]:
        """True where a target (alt above MSL) clears the terrain along its radial."""
        el = elevation_angle_rad(ground_distance_m, target_alt_m, self.antenna_alt_m, self.k)
        return np.asarray(el > self.mask_at(az_rad, ground_distance_m))


def build_terrain_mask(
    dem: GridDem,
    *,
    lat_rad: float,
    lon_rad: float,
    antenna_alt_m: float,
    max_range_m: float,
    n_az: int = 720,
    range_step_m: float = 1000.0,
    k: float = K_STANDARD,
) -> TerrainMask:
    """Precompute a radar's :class:`TerrainMask` from a DEM (vectorized over the grid).

    Parameters
    ----------
    dem : GridDem
        Terrain source.
    lat_rad, lon_rad : float
        Radar site.
    antenna_alt_m : float
        Antenna phase-centre height above mean sea level (ground + mast).
    max_range_m : float
        Outer ground distance of the table (usually the instrumented range).
    n_az, range_step_m : int, float
        Table resolution.
    k : float
        Effective earth radius factor.
    """
    n_r = int(np.ceil(max_range_m / range_step_m)) + 1
    az = np.arange(n_az) * (2 * np.pi / n_az)
    d = (np.arange(n_r) + 0.5) * range_step_m  # sample at bin centres
    lat, lon = destination_point(lat_rad, lon_rad, az[:, None], d[None, :])
    z = dem.elevation_at(lat, lon)
    el = elevation_angle_rad(d[None, :], z, antenna_alt_m, k)
    # exclusive running maximum: terrain strictly nearer than bin j
    mask = np.empty((n_az, n_r))
    mask[:, 0] = -np.pi / 2
    np.maximum.accumulate(el[:, :-1], axis=1, out=mask[:, 1:])
    return TerrainMask(
        mask_el_rad=mask, range_step_m=range_step_m, antenna_alt_m=antenna_alt_m, k=k
    )
