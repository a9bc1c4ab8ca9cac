"""PNG writers for radar coverage (matplotlib, Agg backend; no display needed).

* :func:`write_vertical_coverage`: range-height diagram over a ``k``-earth: for
  each RCS the detection envelope along every elevation ray (straight rays over
  the effective earth, Skolnik 2001 sec. 8.2 / Blake's range-height-angle chart,
  drawn in true ground range and height), the lowest usable ray shaded below and
  the instrumented range. Rays below the grazing ray (a radar whose lowest
  elevation is below 0°) meet the ground: the lowest usable ray is then the
  radio horizon ray, :func:`lowest_ray_rad`, and :func:`envelope` never runs
  below it.
* :func:`write_plan_view`: polar map of the lowest altitude detected in each
  (azimuth, range) cell, with terrain masking when a :class:`TerrainMask` is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.coverage import coverage_grid, detection_range_m
from iadsim.sensors.horizon import K_STANDARD, altitude_on_ray_m
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import required_snr
from iadsim.sensors.terrain import TerrainMask

__all__ = ["envelope", "lowest_ray_rad", "write_plan_view", "write_vertical_coverage"]

#: Elevation samples per envelope (denser near the lowest ray, where ranges change fastest).
N_RAYS = 400


def lowest_ray_rad(params: RadarParams, k: float = K_STANDARD) -> float:
    """Lowest elevation (rad) whose ray stays above a smooth ``k``-earth.

    ``max(el_min, -acos(a_e / (a_e + h_a)))``: the grazing ray touches the
    surface at the radio horizon; lower rays meet the ground (Skolnik 2001, 8.2).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    grazing = -math.acos(ae / (ae + max(params.antenna_height_m, 0.0)))
    return max(params.el_min_rad, grazing)


def envelope(
    params: RadarParams,
    rcs_m2: float,
    *,
    pd: float = 0.9,
    cumulative_scans: int = 1,
    k: float = K_STANDARD,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Boundary of the detected region of a range-height diagram.

    Returns
    -------
    d_m, h_m : ndarray, shape (N_RAYS + N_RAYS // 4 - 1,)
        Ground distance and height above the radar's ground (m): from the radar
        along the lowest usable ray (:func:`lowest_ray_rad`) to its detection
        range, then the detection range of each higher ray up to ``el_max``.
    """
    pd_scan = 1.0 - (1.0 - pd) ** (1.0 / max(cumulative_scans, 1))
    snr_req = float(required_snr(pd_scan, params.pfa, params.n_pulses, params.swerling))
    lo = lowest_ray_rad(params, k)
    el = lo + (params.el_max_rad - lo) * np.linspace(0.0, 1.0, N_RAYS) ** 2
    # a few fixed-point passes so the attenuation uses the ray's own altitude
    r = np.full(el.shape, params.instrumented_range_m)
    for _ in range(3):
        h, _d = altitude_on_ray_m(r, el, params.antenna_height_m, k)
        r = np.minimum(
            detection_range_m(params, rcs_m2, snr_req, np.maximum(h, 0.0), k),
            params.instrumented_range_m,
        )
    h, d = altitude_on_ray_m(r, el, params.antenna_height_m, k)
    # the lowest ray itself (curved over the k-earth), sampled up to its detection range
    h0, d0 = altitude_on_ray_m(
        np.linspace(0.0, r[0], N_RAYS // 4)[:-1], lo, params.antenna_height_m, k
    )
    d_m = np.concatenate([d0, d])
    h_m = np.concatenate([h0, h])
    return np.asarray(d_m, dtype=np.float64), np.asarray(h_m, dtype=np.float64)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_vertical_coverage(
    params: RadarParams,
    rcs_m2_list: Sequence[float],
    path: str | Path,
    *,
    pd: float = 0.9,
    cumulative_scans: int = 1,
    labels: Sequence[str] | None = None,
    max_alt_m: float = 30_000.0,
    k: float = K_STANDARD,
) -> Path:
    """Write the vertical coverage diagram of ``params`` for each RCS to ``path`` (PNG)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5), dpi=110)
    for i, sigma in enumerate(rcs_m2_list):
        d, h = envelope(params, sigma, pd=pd, cumulative_scans=cumulative_scans, k=k)
        label = labels[i] if labels is not None else f"{sigma:g} m²"
        ax.plot(d / 1e3, h / 1e3, label=label)
    lo = lowest_ray_rad(params, k)
    rr = np.linspace(0.0, params.instrumented_range_m, 400)
    h0, d0 = altitude_on_ray_m(rr, lo, params.antenna_height_m, k)
    below = "radio horizon" if lo > params.el_min_rad else f"lowest ray {math.degrees(lo):g}°"
    ax.fill_between(
        d0 / 1e3, 0, np.maximum(h0, 0.0) / 1e3, color="0.85", label=f"below {below} (4/3 earth)"
    )
    ax.set_xlim(0, params.instrumented_range_m / 1e3 * 1.02)
    ax.set_ylim(0, max_alt_m / 1e3)
    ax.set_xlabel("ground range (km)")
    ax.set_ylabel("altitude above radar ground (km)")
    scans = f", cumulative over {cumulative_scans} scans" if cumulative_scans > 1 else ""
    ax.set_title(f"{params.name}: Pd {pd:g} at Pfa {params.pfa:g}{scans}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def write_plan_view(
    params: RadarParams,
    rcs_m2: float,
    alt_m_list: Sequence[float],
    path: str | Path,
    *,
    pd: float = 0.9,
    cumulative_scans: int = 1,
    mask: TerrainMask | None = None,
    ground_alt_m: float = 0.0,
    title: str = "",
    k: float = K_STANDARD,
) -> Path:
    """Write a polar plan view of the lowest detected altitude per cell to ``path``."""
    plt = _pyplot()
    from matplotlib.colors import BoundaryNorm, ListedColormap

    alts = sorted(float(a) for a in alt_m_list)
    az, d, level = coverage_grid(
        params,
        rcs_m2,
        alts,
        pd=pd,
        cumulative_scans=cumulative_scans,
        mask=mask,
        ground_alt_m=ground_alt_m,
        k=k,
    )
    fig = plt.figure(figsize=(7, 7), dpi=110)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    colors = plt.get_cmap("viridis", max(len(alts), 2))(np.arange(len(alts)))
    cmap = ListedColormap(np.vstack([[1, 1, 1, 1], colors]))
    norm = BoundaryNorm(np.arange(-1.5, len(alts)), cmap.N)
    step = az[1] - az[0] if az.size > 1 else 2 * np.pi
    az_e = np.append(az - step / 2, az[-1] + step / 2)
    dr = d[1] - d[0] if d.size > 1 else d[0] * 2
    d_e = np.append(d - dr / 2, d[-1] + dr / 2) / 1e3
    mesh = ax.pcolormesh(az_e, d_e, level.T, cmap=cmap, norm=norm, shading="flat")
    cb = fig.colorbar(mesh, ax=ax, ticks=np.arange(-1, len(alts)), shrink=0.7)
    cb.ax.set_yticklabels(["none"] + [f"{a:g} m" for a in alts])
    cb.set_label("lowest altitude detected")
    masked = "terrain-masked" if mask is not None else "smooth 4/3 earth"
    ax.set_title(
        title or f"{params.name}: {rcs_m2:g} m², Pd {pd:g}\n{masked}, range km",
        fontsize=10,
        pad=14,
    )
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
