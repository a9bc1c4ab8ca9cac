"""Columnar values passed between pipeline stages.

Each frame is a frozen dataclass of equal-length 1-D numpy arrays (one row per
object), validated once in ``__post_init__`` and convertible to and from a
pyarrow Table with the same column names. Stages exchange frames and never reach
into each other's internals.

Conventions (all frames)
------------------------
* Time ``t_s``: float seconds from the scenario epoch.
* Positions are in the scenario's local ENU frame (metres, origin in the
  scenario): ``e_m`` east, ``n_m`` north, ``u_m`` up.
* Radar angles: azimuth ``az_rad`` clockwise from north in [0, 2*pi),
  elevation ``el_rad`` above the local horizontal plane of the sensor, i.e.
  ``e = r cos(el) sin(az)``, ``n = r cos(el) cos(az)``, ``u = r sin(el)``
  relative to the sensor position (same as pymap3d's AER).
* Ids are deterministic int64.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from iadsim.arrow import arrow_array
from iadsim.frame_base import Frame, col

__all__ = [
    "EVENT_KINDS",
    "TRACK_STATE_AXES",
    "Detections",
    "Events",
    "Frame",
    "Orders",
    "TrackStatus",
    "Tracks",
    "Truth",
    "arrow_array",
    "col",
    "make_events",
    "track_cov_column",
    "track_cov_generic",
]

F64 = np.float64
I64 = np.int64


@dataclasses.dataclass(frozen=True, kw_only=True)
class Truth(Frame):
    """True threat states: one row per (time, threat)."""

    t_s: NDArray[F64] = col(F64, "s from epoch")
    threat_id: NDArray[I64] = col(I64)
    e_m: NDArray[F64] = col(F64, "m east")
    n_m: NDArray[F64] = col(F64, "m north")
    u_m: NDArray[F64] = col(F64, "m up (local ENU)")
    ve_mps: NDArray[F64] = col(F64, "m/s")
    vn_mps: NDArray[F64] = col(F64, "m/s")
    vu_mps: NDArray[F64] = col(F64, "m/s")
    alt_m: NDArray[F64] = col(F64, "m above mean sea level (WGS84 ellipsoid height)")
    alive: NDArray[np.bool_] = col(np.bool_)

    def pos_m(self) -> NDArray[F64]:
        """Positions, shape (n, 3), ENU metres."""
        return np.stack([self.e_m, self.n_m, self.u_m], axis=-1)

    def vel_mps(self) -> NDArray[F64]:
        """Velocities, shape (n, 3), ENU m/s."""
        return np.stack([self.ve_mps, self.vn_mps, self.vu_mps], axis=-1)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Detections(Frame):
    """Radar detections (plots), one row per detection.

    ``truth_id`` is the threat that caused the detection (-1 for a false alarm).
    It exists for evaluation only; trackers never read it.
    """

    t_s: NDArray[F64] = col(F64, "s from epoch: when the beam lit the target (per azimuth)")
    radar_id: NDArray[I64] = col(I64)
    range_m: NDArray[F64] = col(F64, "slant range, m")
    az_rad: NDArray[F64] = col(F64, "azimuth clockwise from north, rad")
    el_rad: NDArray[F64] = col(F64, "elevation, rad")
    rdot_mps: NDArray[F64] = col(F64, "radial velocity, m/s (positive receding)")
    snr_db: NDArray[F64] = col(F64, "single-dwell SNR, dB")
    sigma_range_m: NDArray[F64] = col(F64, "1-sigma range, m (merged plot: + cell)")
    sigma_az_rad: NDArray[F64] = col(F64, "1-sigma azimuth noise, rad")
    sigma_el_rad: NDArray[F64] = col(F64, "1-sigma elevation noise, rad")
    sigma_rdot_mps: NDArray[F64] = col(F64, "1-sigma radial-velocity noise, m/s (inf: none)")
    sensor_e_m: NDArray[F64] = col(F64, "radar position, ENU m")
    sensor_n_m: NDArray[F64] = col(F64)
    sensor_u_m: NDArray[F64] = col(F64)
    truth_id: NDArray[I64] = col(I64, "evaluation only; -1 = false alarm")

    def sensor_pos_m(self) -> NDArray[F64]:
        """Sensor positions, shape (n, 3), ENU metres."""
        out = np.empty((len(self), 3))  # (np.stack's values, at a third of its cost)
        out[:, 0], out[:, 1], out[:, 2] = self.sensor_e_m, self.sensor_n_m, self.sensor_u_m
        return out

    def enu_m(self) -> NDArray[F64]:
        """Measured positions converted to ENU (n, 3), metres (flat local frame)."""
        ce = np.cos(self.el_rad)
        rel = np.stack(
            [
                self.range_m * ce * np.sin(self.az_rad),
                self.range_m * ce * np.cos(self.az_rad),
                self.range_m * np.sin(self.el_rad),
            ],
            axis=-1,
        )
        return rel + self.sensor_pos_m()


class TrackStatus:
    """Track status codes stored in ``Tracks.status`` (int8)."""

    TENTATIVE: ClassVar[int] = 0
    CONFIRMED: ClassVar[int] = 1
    COASTING: ClassVar[int] = 2
    DELETED: ClassVar[int] = 3
    NAMES: ClassVar[tuple[str, ...]] = ("tentative", "confirmed", "coasting", "deleted")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Tracks(Frame):
    """Track estimates, one row per (time, track). 2-D trackers set ``u`` terms to 0."""

    t_s: NDArray[F64] = col(F64, "s")
    track_id: NDArray[I64] = col(I64)
    status: NDArray[np.int8] = col(np.int8, "TrackStatus code")
    e_m: NDArray[F64] = col(F64, "m")
    n_m: NDArray[F64] = col(F64, "m")
    u_m: NDArray[F64] = col(F64, "m")
    ve_mps: NDArray[F64] = col(F64, "m/s")
    vn_mps: NDArray[F64] = col(F64, "m/s")
    vu_mps: NDArray[F64] = col(F64, "m/s")
    var_e_m2: NDArray[F64] = col(F64, "position variance, m^2")
    var_n_m2: NDArray[F64] = col(F64)
    var_u_m2: NDArray[F64] = col(F64)
    var_ve_m2ps2: NDArray[F64] = col(F64, "velocity variance, m^2/s^2")
    var_vn_m2ps2: NDArray[F64] = col(F64)
    var_vu_m2ps2: NDArray[F64] = col(F64)
    quality: NDArray[F64] = col(F64, "track quality / score, higher is better")
    # off-diagonal covariance terms (upper triangle of the e, n, u, ve, vn, vu
    # covariance; 0 when the producer gives variances only): TRACK_COV_COLUMNS
    cov_e_n_m2: NDArray[F64] = col(F64, "position covariance e-n, m^2", fill=0.0)
    cov_e_u_m2: NDArray[F64] = col(F64, "m^2", fill=0.0)
    cov_n_u_m2: NDArray[F64] = col(F64, "m^2", fill=0.0)
    cov_e_ve_m2ps: NDArray[F64] = col(F64, "position-velocity covariance e-ve, m^2/s", fill=0.0)
    cov_e_vn_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_e_vu_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_n_ve_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_n_vn_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_n_vu_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_u_ve_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_u_vn_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_u_vu_m2ps: NDArray[F64] = col(F64, "m^2/s", fill=0.0)
    cov_ve_vn_m2ps2: NDArray[F64] = col(F64, "velocity covariance ve-vn, m^2/s^2", fill=0.0)
    cov_ve_vu_m2ps2: NDArray[F64] = col(F64, "m^2/s^2", fill=0.0)
    cov_vn_vu_m2ps2: NDArray[F64] = col(F64, "m^2/s^2", fill=0.0)

    def pos_m(self) -> NDArray[F64]:
        """Positions, shape (n, 3), ENU metres."""
        return np.stack([self.e_m, self.n_m, self.u_m], axis=-1)

    def vel_mps(self) -> NDArray[F64]:
        """Velocities, shape (n, 3), ENU m/s."""
        return np.stack([self.ve_mps, self.vn_mps, self.vu_mps], axis=-1)

    def state_cov(self, n_dim: int = 3) -> NDArray[F64]:
        """Full position-velocity covariance, shape (n, 2 n_dim, 2 n_dim).

        State order (e, n[, u], ve, vn[, vu]); units m^2, m^2/s, m^2/s^2.
        """
        axes = TRACK_STATE_AXES[:n_dim] + TRACK_STATE_AXES[3 : 3 + n_dim]
        out = np.empty((len(self), len(axes), len(axes)))
        for i, a in enumerate(axes):
            for j, b in enumerate(axes):
                out[:, i, j] = getattr(self, track_cov_column(a, b))
        return out


#: the tracks' state axes, in the order of :meth:`Tracks.state_cov` (3-D)
TRACK_STATE_AXES: tuple[str, ...] = ("e", "n", "u", "ve", "vn", "vu")


def track_cov_column(a: str, b: str) -> str:
    """The :class:`Tracks` column of the covariance of state axes ``a`` and ``b``
    (any order; see :data:`TRACK_STATE_AXES`)."""
    i, j = sorted((TRACK_STATE_AXES.index(a), TRACK_STATE_AXES.index(b)))
    a, b = TRACK_STATE_AXES[i], TRACK_STATE_AXES[j]
    unit = {0: "m2", 1: "m2ps", 2: "m2ps2"}[(i >= 3) + (j >= 3)]
    return f"var_{a}_{unit}" if i == j else f"cov_{a}_{b}_{unit}"


def track_cov_generic(a: str, b: str) -> str:
    """The generic (unit-free, x/y/z) name of :func:`track_cov_column`, as in the
    files of ``iadsim track``: ``var_x``, ``cov_x_vy``, ``cov_vx_vy``..."""
    generic = dict(zip(TRACK_STATE_AXES, ("x", "y", "z", "vx", "vy", "vz"), strict=True))
    i, j = sorted((TRACK_STATE_AXES.index(a), TRACK_STATE_AXES.index(b)))
    ga, gb = generic[TRACK_STATE_AXES[i]], generic[TRACK_STATE_AXES[j]]
    return f"var_{ga}" if i == j else f"cov_{ga}_{gb}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Orders(Frame):
    """Engagement orders issued by C2: one row per (launcher, interceptor type, track)."""

    t_s: NDArray[F64] = col(F64, "decision time, s")
    order_id: NDArray[I64] = col(I64)
    battery_id: NDArray[I64] = col(I64)
    launcher_id: NDArray[I64] = col(I64)
    interceptor_id: NDArray[I64] = col(I64, "index into the compiled interceptor types")
    track_id: NDArray[I64] = col(I64)
    n_rounds: NDArray[I64] = col(I64, "interceptors fired in this salvo")
    t_launch_s: NDArray[F64] = col(F64, "s")
    t_intercept_s: NDArray[F64] = col(F64, "predicted intercept time, s")
    pip_e_m: NDArray[F64] = col(F64, "predicted intercept point, ENU m")
    pip_n_m: NDArray[F64] = col(F64)
    pip_u_m: NDArray[F64] = col(F64)
    pk: NDArray[F64] = col(F64, "single-shot probability of kill")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Events(Frame):
    """Typed event log (``events.parquet``).

    ``kind`` is one of :data:`EVENT_KINDS`; unused numeric columns are -1 / NaN.
    """

    t_s: NDArray[F64] = col(F64, "s")
    kind: NDArray[np.str_] = col("U", "event kind")
    threat_id: NDArray[I64] = col(I64, "-1 if none")
    track_id: NDArray[I64] = col(I64, "-1 if none")
    radar_id: NDArray[I64] = col(I64, "-1 if none")
    battery_id: NDArray[I64] = col(I64, "-1 if none")
    launcher_id: NDArray[I64] = col(I64, "-1 if none")
    order_id: NDArray[I64] = col(I64, "-1 if none")
    value: NDArray[F64] = col(F64, "kind-specific number (range m, Pk, ...), NaN if none")
    detail: NDArray[np.str_] = col("U", "kind-specific text")

    def _check_rows(self) -> None:
        """Every ``kind`` is one of :data:`EVENT_KINDS`."""
        if len(self.kind) and not _EVENT_KIND_SET.issuperset(self.kind.tolist()):
            bad = sorted(set(self.kind.tolist()) - _EVENT_KIND_SET)
            raise ValueError(f"Events.kind: unknown kinds {bad} (known: {list(EVENT_KINDS)})")


#: The declared event kinds; :class:`Events` rejects any other.
EVENT_KINDS: tuple[str, ...] = (
    "threat_launch",
    "threat_route_end",
    "first_detection",
    "track_confirmed",
    "track_deleted",
    "threat_eval",
    "launch",
    "intercept",
    "kill",
    "miss",
    "leak",
    "magazine_empty",
    "warning",
    "cue",
    "fire_control_track",
    "handover",
    "abort",
    "cancel",
)
_EVENT_KIND_SET = frozenset(EVENT_KINDS)


@functools.lru_cache(maxsize=256)
def _constant_column(n: int, value: str | float, dtype: np.dtype[Any]) -> NDArray[Any]:
    """A read-only column of ``n`` equal values, shared by the frames that use it
    (frames never write their columns). Text takes its own width."""
    out = np.full(n, value) if dtype.kind == "U" else np.full(n, value, dtype=dtype)
    out.flags.writeable = False
    return out


def make_events(
    t_s: Any,
    kind: Any,
    *,
    threat_id: Any = -1,
    track_id: Any = -1,
    radar_id: Any = -1,
    battery_id: Any = -1,
    launcher_id: Any = -1,
    order_id: Any = -1,
    value: Any = np.nan,
    detail: Any = "",
) -> Events:
    """Build an :class:`Events` frame, broadcasting scalars to the length of ``t_s``."""
    t = np.array(t_s, dtype=F64, ndmin=1)  # a copy: the frame owns its columns
    n = t.shape[0]
    if t.ndim != 1:
        raise ValueError(f"Events.t_s: must be 1-D (got shape {t.shape})")

    def b(v: Any, dtype: Any) -> NDArray[Any]:
        if isinstance(v, str | int | float):
            return _constant_column(n, v, np.dtype(str if isinstance(v, str) else dtype))
        a = np.asarray(v, dtype=dtype)
        return np.full(n, a) if a.ndim == 0 else np.broadcast_to(a, (n,)).copy()

    # every column is built here with its declared dtype and length n
    return Events.from_trusted_columns(
        {
            "t_s": t,
            "kind": b(kind, str),
            "threat_id": b(threat_id, I64),
            "track_id": b(track_id, I64),
            "radar_id": b(radar_id, I64),
            "battery_id": b(battery_id, I64),
            "launcher_id": b(launcher_id, I64),
            "order_id": b(order_id, I64),
            "value": b(value, F64),
            "detail": b(detail, str),
        }
    )
