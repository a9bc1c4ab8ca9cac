"""Aspect- and band-dependent radar cross-section tables.

A table gives the mean RCS in dBsm over body-frame aspect azimuth (0 = nose-on,
pi = tail-on; left/right symmetric), aspect elevation (radar above the target's
flight path is positive) and the IEEE letter band (:data:`BANDS`). Tables are
interpolated bilinearly *in dB*. For speed, a :class:`RcsLibrary` resamples every
table once onto a common regular grid so that a lookup for any mix of tables,
aspects and bands is one gather with fractional indices.

Aspect of a target seen by a radar (vectorized): with ``v`` the target velocity
and ``l`` the unit line of sight from target to radar,

    aspect_az = angle between the horizontal projections of v and l   in [0, pi]
    aspect_el = asin(l_u) - gamma,  gamma = atan2(v_u, |v_h|) (flight-path angle).

A target with zero velocity is taken as seen nose-on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors.radar_equation import BANDS

__all__ = ["RcsLibrary", "RcsTableParams", "aspect_angles", "aspect_angles_enu"]

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RcsTableParams:
    """One platform's RCS table.

    Attributes
    ----------
    name : str
        Table name (``stealth-fighter``, ``fighter-small``, ...).
    swerling : int
        Fluctuation case (0-4) used for this platform.
    az_rad : ndarray, shape (n_az,)
        Increasing aspect azimuths in [0, pi].
    el_rad : ndarray, shape (n_el,)
        Increasing aspect elevations in [-pi/2, pi/2] (a single value means
        elevation-independent).
    rcs_dbsm : ndarray, shape (n_bands, n_el, n_az)
        Mean RCS, dB relative to 1 m^2, for every band of :data:`BANDS`.
    """

    name: str
    swerling: int
    az_rad: NDArray[np.float64]
    el_rad: NDArray[np.float64]
    rcs_dbsm: NDArray[np.float64]

    def __post_init__(self) -> None:
        shape = (len(BANDS), len(self.el_rad), len(self.az_rad))
        if np.shape(self.rcs_dbsm) != shape:
            raise ValueError(f"RcsTableParams {self.name!r}: rcs_dbsm shape must be {shape}")
        if np.any(np.diff(self.az_rad) <= 0) or np.any(np.diff(self.el_rad) <= 0):
            raise ValueError(f"RcsTableParams {self.name!r}: aspect grids must increase")

    def rcs_m2(self, aspect_az_rad: ArrayLike, aspect_el_rad: ArrayLike, band: int) -> F:
        """Mean RCS (m^2) at the given aspects for band index ``band`` (dB-bilinear)."""
        return RcsLibrary.from_tables([self]).rcs_m2(
            np.zeros(np.shape(aspect_az_rad), dtype=np.int64), aspect_az_rad, aspect_el_rad, band
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RcsLibrary:
    """All RCS tables resampled on one regular aspect grid.

    ``grid_dbsm`` has shape (n_tables, n_bands, n_el, n_az) on ``az`` = linspace(0,
    pi, n_az) and ``el`` = linspace(-pi/2, pi/2, n_el).
    """

    names: tuple[str, ...]
    swerling: NDArray[np.int64]
    grid_dbsm: NDArray[np.float64]

    @classmethod
    def from_tables(
        cls, tables: Sequence[RcsTableParams], n_az: int = 181, n_el: int = 91
    ) -> RcsLibrary:
        """Resample ``tables`` (each interpolated in dB, clamped at its grid edges)."""
        az = np.linspace(0.0, np.pi, n_az)
        el = np.linspace(-np.pi / 2, np.pi / 2, n_el)
        grids = []
        for tab in tables:  # loop over a handful of platform tables, not targets
            db = np.asarray(tab.rcs_dbsm, dtype=np.float64)
            along_az = _interp_last(az, tab.az_rad, db)
            along_el = np.swapaxes(_interp_last(el, tab.el_rad, np.swapaxes(along_az, 1, 2)), 1, 2)
            grids.append(np.ascontiguousarray(along_el))  # lookups flatten the stack: a view
        return cls(
            names=tuple(t.name for t in tables),
            swerling=np.asarray([t.swerling for t in tables], dtype=np.int64),
            grid_dbsm=np.stack(grids) if grids else np.zeros((0, len(BANDS), n_el, n_az)),
        )

    def index(self, name: str) -> int:
        """Position of table ``name`` (raises ``KeyError`` if unknown)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown RCS table {name!r}") from None

    def rcs_dbsm(
        self, table: ArrayLike, aspect_az_rad: ArrayLike, aspect_el_rad: ArrayLike, band: ArrayLike
    ) -> F:
        """Mean RCS (dBsm), bilinear in dB; all arguments broadcast to shape (...)."""
        tab, az, el, bd = np.broadcast_arrays(
            np.asarray(table, dtype=np.int64),
            np.asarray(aspect_az_rad, dtype=np.float64),
            np.asarray(aspect_el_rad, dtype=np.float64),
            np.asarray(band, dtype=np.int64),
        )
        return self._bilinear_dbsm(tab, az, el, bd)

    def rcs_m2(
        self, table: ArrayLike, aspect_az_rad: ArrayLike, aspect_el_rad: ArrayLike, band: ArrayLike
    ) -> F:
        """Mean RCS (m^2) = ``10^(dBsm/10)`` of :meth:`rcs_dbsm`."""
        return np.asarray(10.0 ** (self.rcs_dbsm(table, aspect_az_rad, aspect_el_rad, band) / 10.0))

    def rcs_m2_pairs(
        self, table: NDArray[np.int64], aspect_az_rad: F, aspect_el_rad: F, band: NDArray[np.int64]
    ) -> F:
        """:meth:`rcs_m2` for aspects from :func:`aspect_angles_enu` (the fast path).

        All arrays share one shape and dtype (no broadcasting), and the aspects are
        already in range (azimuth in [0, pi], elevation in [-pi/2, pi/2]), so the
        clamps of :meth:`rcs_dbsm` are skipped (they would not change a value).
        """
        db = self._bilinear_dbsm(table, aspect_az_rad, aspect_el_rad, band, in_range=True)
        return np.asarray(10.0 ** (db / 10.0))

    def _bilinear_dbsm(
        self, tab: NDArray[np.int64], az: F, el: F, bd: NDArray[np.int64], in_range: bool = False
    ) -> F:
        """Bilinear dB lookup; the four corners are gathered from the flattened grid."""
        g = self.grid_dbsm
        n_bands, n_el, n_az = g.shape[1], g.shape[2], g.shape[3]
        if not in_range:  # np.clip(|az|, 0, pi), np.clip(el, -pi/2, pi/2), unwrapped
            az = np.minimum(np.abs(az), np.pi)
            el = np.minimum(np.maximum(el, -np.pi / 2), np.pi / 2)
        fa = az / np.pi * (n_az - 1)
        fe = (el + np.pi / 2) / np.pi * (n_el - 1)
        ia = np.minimum(fa.astype(np.int64), n_az - 2)
        ie = np.minimum(fe.astype(np.int64), n_el - 2)
        wa, we = fa - ia, fe - ie
        if n_az < 2 or n_el < 2:  # degenerate grid: negative indices wrap per axis
            v00, v01 = g[tab, bd, ie, ia], g[tab, bd, ie, ia + 1]
            v10, v11 = g[tab, bd, ie + 1, ia], g[tab, bd, ie + 1, ia + 1]
        else:
            flat = self.grid_dbsm.reshape(-1)  # a view: the grid is built C-ordered
            i00 = ((tab * n_bands + bd) * n_el + ie) * n_az + ia
            v00, v01 = flat[i00], flat[i00 + 1]
            v10, v11 = flat[i00 + n_az], flat[i00 + (n_az + 1)]
        ua = 1 - wa
        return np.asarray(
            (1 - we) * (ua * v00 + wa * v01) + we * (ua * v10 + wa * v11), dtype=np.float64
        )


def _interp_last(x_new: F, x: F, y: F) -> F:
    """Linear interpolation of ``y`` (..., n) sampled at ``x`` onto ``x_new``, clamped."""
    if x.shape[0] == 1:
        return np.repeat(y, x_new.shape[0], axis=-1)
    j = np.clip(np.searchsorted(x, x_new) - 1, 0, x.shape[0] - 2)
    w = np.clip((x_new - x[j]) / (x[j + 1] - x[j]), 0.0, 1.0)
    return np.asarray(y[..., j] * (1.0 - w) + y[..., j + 1] * w)


def aspect_angles(vel_mps: ArrayLike, los_to_radar_m: ArrayLike) -> tuple[F, F]:
    """Body-frame aspect of the radar seen from each target.

    Parameters
    ----------
    vel_mps : array_like, shape (..., 3)
        Target velocity, ENU.
    los_to_radar_m : array_like, shape (..., 3)
        Vector from target to radar, ENU (any length > 0).

    Returns
    -------
    aspect_az_rad, aspect_el_rad : ndarray, shape (...)
        Aspect azimuth in [0, pi] (0 = nose-on) and elevation (module docstring).
    """
    v = np.asarray(vel_mps, dtype=np.float64)
    los = np.asarray(los_to_radar_m, dtype=np.float64)
    az, el, _ = aspect_angles_enu(
        v[..., 0], v[..., 1], v[..., 2], los[..., 0], los[..., 1], los[..., 2]
    )
    return az, el


def aspect_angles_enu(ve: F, vn: F, vu: F, le: F, ln: F, lu: F) -> tuple[F, F, F]:
    """:func:`aspect_angles` from ENU components (all shape (...)).

    Returns the aspect azimuth and elevation (rad) and, as a by-product, the
    horizontal length ``hypot(le, ln)`` (m) of the line of sight.
    """
    vh = np.hypot(ve, vn)
    lh = np.hypot(le, ln)
    dot = ve * le + vn * ln
    cross = ve * ln - vn * le
    az = np.where(vh > 0, np.abs(np.arctan2(cross, dot)), 0.0)
    rng = np.sqrt(lh**2 + lu**2)
    gamma = np.arctan2(vu, vh)
    s = np.minimum(np.maximum(lu / np.maximum(rng, 1e-9), -1.0), 1.0)  # np.clip, unwrapped
    el = np.arcsin(s) - gamma
    return np.asarray(az), np.minimum(np.maximum(el, -np.pi / 2), np.pi / 2), lh
