"""Radar horizon and line-of-sight geometry over an effective (k = 4/3) spherical earth.

Standard atmospheric refraction bends radar rays downward; it is modelled by
straight rays over an earth of effective radius ``a_e = k a`` with ``k = 4/3``
(Skolnik 2001, sec. 8.2; Doerry, "Earth curvature and atmospheric refraction
effects on radar signal propagation", Sandia SAND2012-10690, 2013). Horizontal
(ground) distances ``d`` are preserved: a point at ground distance ``d`` subtends
the angle ``d / a_e`` at the earth centre of the equivalent sphere.

* Distance to the horizon from height ``h``: ``d_h = a_e acos(a_e/(a_e + h))``
  ``~ sqrt(2 k a h)`` (Skolnik eq. 8.13).
* Two points at heights ``h_a`` and ``h_t`` see each other over a smooth earth iff
  ``d <= d_h(h_a) + d_h(h_t)``.
* Elevation angle of a point (``d``, ``h``) seen from height ``h_a``:
  ``el = atan2((a_e + h) cos(d/a_e) - (a_e + h_a), (a_e + h) sin(d/a_e))``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.geo import EARTH_MEAN_RADIUS_M

__all__ = [
    "K_STANDARD",
    "altitude_on_ray_m",
    "elevation_angle_rad",
    "horizon_distance_m",
    "max_visible_distance_m",
    "visible_over_smooth_earth",
]

F = NDArray[np.float64]

#: Standard-atmosphere effective earth radius factor.
K_STANDARD = 4.0 / 3.0


def _f(x: ArrayLike) -> F:
    return np.asarray(x, dtype=np.float64)


def horizon_distance_m(height_m: ArrayLike, k: float = K_STANDARD) -> F:
    """Ground distance (m) to the radar horizon from ``height_m`` (negative -> 0).

    Exact ``a_e acos(a_e/(a_e + h))``; equals ``sqrt(2 k a h)`` to first order
    (Skolnik 2001, eq. 8.13; for h = 10 m and k = 4/3, ~13.0 km).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    h = np.maximum(_f(height_m), 0.0)
    return _f(ae * np.arccos(ae / (ae + h)))


def max_visible_distance_m(
    antenna_height_m: ArrayLike, target_height_m: ArrayLike, k: float = K_STANDARD
) -> F:
    """Largest ground distance (m) at which a target at ``target_height_m`` is above
    the horizon of an antenna at ``antenna_height_m``: ``d_h(h_a) + d_h(h_t)``."""
    return horizon_distance_m(antenna_height_m, k) + horizon_distance_m(target_height_m, k)


def visible_over_smooth_earth(
    ground_distance_m: ArrayLike,
    antenna_height_m: ArrayLike,
    target_height_m: ArrayLike,
    k: float = K_STANDARD,
) -> NDArray[np.bool_]:
    """True where the line of sight clears a smooth ``k``-earth (all arrays broadcast)."""
    return np.asarray(
        _f(ground_distance_m) <= max_visible_distance_m(antenna_height_m, target_height_m, k)
    )


def elevation_angle_rad(
    ground_distance_m: ArrayLike,
    height_m: ArrayLike,
    antenna_height_m: ArrayLike,
    k: float = K_STANDARD,
) -> F:
    """Apparent elevation (rad) of a point at ground distance ``d`` and height ``h``
    seen from an antenna at height ``h_a`` over a ``k``-earth (module docstring)."""
    ae = k * EARTH_MEAN_RADIUS_M
    phi = _f(ground_distance_m) / ae
    rt = ae + _f(height_m)
    y = _f(rt * np.cos(phi))
    ra = ae + _f(antenna_height_m)
    # in place where the shapes allow (a terrain mask evaluates ~0.4 M points)
    y = np.subtract(y, ra, out=y if np.broadcast_shapes(y.shape, ra.shape) == y.shape else None)
    x = _f(rt * np.sin(phi))
    return _f(np.arctan2(y, x, out=y if np.broadcast_shapes(y.shape, x.shape) == y.shape else None))


def altitude_on_ray_m(
    range_m: ArrayLike, el_rad: ArrayLike, antenna_height_m: ArrayLike, k: float = K_STANDARD
) -> tuple[F, F]:
    """Height (m) and ground distance (m) of the point at slant range ``R`` along a
    ray leaving the antenna at elevation ``el`` (straight ray over a ``k``-earth).

    ``h = sqrt(R^2 + r_a^2 + 2 R r_a sin(el)) - a_e`` with ``r_a = a_e + h_a``;
    ``d = a_e * atan2(R cos(el), r_a + R sin(el))`` (Skolnik 2001, sec. 8.2).
    """
    ae = k * EARTH_MEAN_RADIUS_M
    r, el = _f(range_m), _f(el_rad)
    ra = ae + _f(antenna_height_m)
    h = np.sqrt(r**2 + ra**2 + 2.0 * r * ra * np.sin(el)) - ae
    d = ae * np.arctan2(r * np.cos(el), ra + r * np.sin(el))
    return _f(h), _f(d)
