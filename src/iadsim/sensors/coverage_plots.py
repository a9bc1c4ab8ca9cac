"""PNG writers for radar coverage (matplotlib, Agg backend; no display needed).

* :func:`write_vertical_coverage`: range-height diagram over a ``k``-earth: for
  each RCS the detection envelope along every elevation ray (straight rays over
  the effective earth, Skolnik 2001 sec. 8.2 / Blake's range-height-angle chart,
  drawn in true ground range and height), the lowest ray and the instrumented
  range.
* :func:`write_plan_view`: polar map of the lowest altitude detected in each
  (azimuth, range) cell, with terrain masking when a :class:`TerrainMask` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.sensors.coverage import coverage_grid, detection_range_m
from iadsim.sensors.horizon import K_STANDARD, altitude_on_ray_m
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import required_snr
from iadsim.sensors.terrain import TerrainMask

__all__ = ["write_plan_view", "write_vertical_coverage"]


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
    pd_scan = 1.0 - (1.0 - pd) ** (1.0 / max(cumulative_scans, 1))
    snr_req = float(required_snr(pd_scan, params.pfa, params.n_pulses, params.swerling))
    el = np.linspace(params.el_min_rad, params.el_max_rad, 181)
    fig, ax = plt.subplots(figsize=(9, 5), dpi=110)
    for i, sigma in enumerate(rcs_m2_list):
        # a few fixed-point passes so the attenuation uses the ray's own altitude
        r = np.full(el.shape, params.instrumented_range_m)
        for _ in range(3):
            h, _d = altitude_on_ray_m(r, el, params.antenna_height_m, k)
            r = np.minimum(
                detection_range_m(params, sigma, snr_req, h, k), params.instrumented_range_m
            )
        h, d = altitude_on_ray_m(r, el, params.antenna_height_m, k)
        label = labels[i] if labels is not None else f"{sigma:g} m²"
        ax.plot(d / 1e3, h / 1e3, label=label)
    rr = np.linspace(0.0, params.instrumented_range_m, 200)
    h0, d0 = altitude_on_ray_m(rr, params.el_min_rad, params.antenna_height_m, k)
    ax.fill_between(d0 / 1e3, 0, h0 / 1e3, color="0.85", label="below lowest ray (4/3 earth)")
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
    ax.set_title(title or f"{params.name}: {rcs_m2:g} m², Pd {pd:g} ({masked}), range km")
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
