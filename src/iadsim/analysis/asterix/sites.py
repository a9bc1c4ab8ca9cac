"""Radar sites for CAT048 input: SAC/SIC -> position and measurement noise.

CAT048 carries a plot's range and azimuth from its radar but not where the radar
stands, nor how noisy it is. ``iadsim track FILE.ast --radar-sites SITES.yaml``
reads them from a small YAML file (``iadsim export asterix`` writes one)::

    origin: {lat_deg: 39.95, lon_deg: 32.69, alt_m: 840}  # output ENU frame (default: first radar)
    radars:
      - {name: surv, sac: 0, sic: 0, lat_deg: 39.97, lon_deg: 32.72, alt_m: 850,
         sigma_range_m: 50, sigma_az_deg: 0.2, sigma_el_deg: 0.3}

Every radar must state its sigmas (1-sigma range, azimuth and elevation noise):
there is no silent default. ``alt_m`` is the antenna height above the ellipsoid.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field, model_validator

from iadsim.analysis.asterix.cat048 import Cat048Plots
from iadsim.analysis.asterix.geometry import radar_plots_to_enu
from iadsim.errors import InputDataError
from iadsim.frames import Detections
from iadsim.scenario.base import Model
from iadsim.scenario.schema import GeoPoint, Lat, Lon

__all__ = ["RadarSite", "RadarSites", "load_sites", "plots_to_detections"]

Pos = Annotated[float, Field(gt=0.0)]
Code = Annotated[int, Field(ge=0, le=255)]
#: Half a day: a time of day falling by more than this from one record to the next
#: is taken as midnight passing.
_HALF_DAY_S = 43_200.0


class RadarSite(Model):
    """One radar: its ASTERIX data source (SAC/SIC), position and noise."""

    name: str = ""
    sac: Code
    sic: Code
    lat_deg: Lat
    lon_deg: Lon
    alt_m: Annotated[float, Field(ge=-500.0, le=100_000.0)]
    sigma_range_m: Pos
    sigma_az_deg: Pos
    sigma_el_deg: Pos


class RadarSites(Model):
    """``--radar-sites`` file: the output frame's origin and the radars."""

    origin: GeoPoint | None = None
    radars: Annotated[list[RadarSite], Field(min_length=1, max_length=4096)]

    @model_validator(mode="after")
    def _unique(self) -> RadarSites:
        seen: dict[tuple[int, int], int] = {}
        for i, r in enumerate(self.radars):
            if (r.sac, r.sic) in seen:
                raise ValueError(
                    f"radars[{i}]: SAC/SIC {r.sac}/{r.sic} repeats radars[{seen[(r.sac, r.sic)]}]"
                )
            seen[(r.sac, r.sic)] = i
        return self

    def origin_rad_m(self) -> tuple[float, float, float]:
        """The ENU origin (lat, lon rad, h m): ``origin`` or the first radar."""
        p: Any = self.origin or self.radars[0]
        return (math.radians(p.lat_deg), math.radians(p.lon_deg), float(p.alt_m))


def load_sites(path: Path) -> RadarSites:
    """Read and validate a radar-sites YAML (guarded loader; one-line errors)."""
    from iadsim.scenario.load import load_yaml_model

    return load_yaml_model(path, RadarSites, "a mapping with 'radars'")


def unwrap_time_of_day(tod_s: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Times of day (s) -> seconds since the first record's midnight (midnight rollovers
    counted where the time of day falls by more than half a day)."""
    days = np.concatenate([[0], np.cumsum(np.diff(tod_s) < -_HALF_DAY_S)])
    return tod_s + 86_400.0 * days


def plots_to_detections(
    plots: Cat048Plots, sites: RadarSites, file: str, *, dims: int
) -> tuple[Detections, np.ndarray[Any, Any]]:
    """CAT048 plots -> iadsim detections in the sites' ENU frame, sorted by time.

    Returns the detections and, per detection, its record index in the file.
    ``radar_id`` is the radar's index in ``sites.radars``. A plot from an unknown
    SAC/SIC, or without a height while tracking in 3-D, is a one-line error naming
    the record.
    """
    key = plots.sac * 256 + plots.sic
    codes = np.array([r.sac * 256 + r.sic for r in sites.radars], dtype=np.int64)
    order = np.argsort(codes)
    pos = np.searchsorted(codes[order], key)
    pos = np.minimum(pos, codes.size - 1)
    known = codes[order][pos] == key
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise InputDataError(
            f"{file}: byte {plots.offset[i]} (record {i}): I048/010: SAC/SIC "
            f"{plots.sac[i]}/{plots.sic[i]} is not in the radar sites"
        )
    radar = order[pos]
    if dims == 3 and not np.isfinite(plots.height_m).all():
        i = int(np.flatnonzero(~np.isfinite(plots.height_m))[0])
        raise InputDataError(
            f"{file}: byte {plots.offset[i]} (record {i}): I048/110: no height (nor I048/090) "
            "for a 3-D tracker: set 'dims: 2' in the tracker --config"
        )

    def per_site(attr: str, scale: float = 1.0) -> np.ndarray[Any, Any]:
        return np.array([getattr(r, attr) * scale for r in sites.radars])[radar]

    origin = sites.origin_rad_m()
    radar_geo = (per_site("lat_deg", math.pi / 180), per_site("lon_deg", math.pi / 180),
                 per_site("alt_m"))  # fmt: skip
    enu = radar_plots_to_enu(plots.theta_rad, plots.rho_m, plots.height_m, radar_geo, origin)
    from iadsim import geo

    sensor = np.stack(geo.geodetic2enu(*radar_geo, *origin), axis=-1)
    az, el, rng_m = geo.enu2aer(*(enu - sensor).T)
    t = unwrap_time_of_day(plots.tod_s)
    idx = np.argsort(t, kind="stable")
    n = t.shape[0]
    d2r = math.pi / 180.0
    dets = Detections(
        t_s=t[idx], radar_id=radar[idx].astype(np.int64), range_m=rng_m[idx],
        az_rad=az[idx], el_rad=el[idx], rdot_mps=np.zeros(n), snr_db=np.full(n, np.nan),
        sigma_range_m=per_site("sigma_range_m")[idx],
        sigma_az_rad=per_site("sigma_az_deg", d2r)[idx],
        sigma_el_rad=per_site("sigma_el_deg", d2r)[idx], sigma_rdot_mps=np.full(n, np.inf),
        sensor_e_m=sensor[idx, 0], sensor_n_m=sensor[idx, 1], sensor_u_m=sensor[idx, 2],
        truth_id=np.full(n, -1, dtype=np.int64),
    )  # fmt: skip
    return dets, idx
