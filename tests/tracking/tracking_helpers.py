"""Shared fakes for the tracking tests (imported by name: a module called
``conftest`` would clash with the other test folders' conftest modules)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.tracker import Tracker


def make_rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def random_spd(rng: np.random.Generator, n: int, k: int, scale: float = 1.0) -> NDArray[np.float64]:
    """n random symmetric positive-definite k x k matrices."""
    A = rng.standard_normal((n, k, k)) * scale
    return A @ np.swapaxes(A, 1, 2) + 0.1 * scale**2 * np.eye(k)


def polar_detections(
    t_s: NDArray[np.float64],
    pos: NDArray[np.float64],
    sensor: NDArray[np.float64],
    sig: tuple[float, float, float],
    rng: np.random.Generator,
    radar_id: int = 0,
    truth_id: NDArray[np.int64] | None = None,
) -> Detections:
    """Noisy polar detections of ENU points ``pos`` (m, 3) from ``sensor`` (3,)."""
    rel = pos - sensor
    r = np.linalg.norm(rel, axis=1)
    az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    el = np.arctan2(rel[:, 2], np.hypot(rel[:, 0], rel[:, 1]))
    m = pos.shape[0]
    sr, sa, se = sig
    return Detections(
        t_s=t_s,
        radar_id=np.full(m, radar_id),
        range_m=r + sr * rng.standard_normal(m),
        az_rad=(az + sa * rng.standard_normal(m)) % (2 * np.pi),
        el_rad=el + se * rng.standard_normal(m),
        rdot_mps=np.zeros(m),
        snr_db=np.full(m, 20.0),
        sigma_range_m=np.full(m, sr),
        sigma_az_rad=np.full(m, sa),
        sigma_el_rad=np.full(m, se),
        sigma_rdot_mps=np.full(m, np.inf),
        sensor_e_m=np.full(m, sensor[0]),
        sensor_n_m=np.full(m, sensor[1]),
        sensor_u_m=np.full(m, sensor[2]),
        truth_id=np.arange(m) if truth_id is None else truth_id,
    )


def polar_measurements(
    x: NDArray[np.float64], rng: np.random.Generator, sigma: tuple[float, float, float]
) -> Measurements:
    """Noisy polar plots (range m, azimuth and elevation rad; ``sigma`` of each) at t 0 of
    states ``x`` (n, >= 3) seen from the origin, with their stated covariance."""
    n = x.shape[0]
    rng_m = np.linalg.norm(x[:, :3], axis=1)
    z = np.stack([rng_m, np.arctan2(x[:, 0], x[:, 1]) % (2 * np.pi),
                  np.arcsin(x[:, 2] / rng_m)], 1)  # fmt: skip
    z += np.array(sigma) * rng.standard_normal((n, 3))
    R = np.broadcast_to(np.diag(np.square(sigma)), (n, 3, 3)).copy()
    return Measurements(t_s=np.zeros(n), z=z, R=R, sensor_m=np.zeros((n, 3)),
                        kind="polar", ndim=3)  # fmt: skip


def preset_tracker(**initiation: object) -> Tracker:
    """The s400-vs-mixed-raid preset's tracker with a plain EKF (its ``initiation``
    fields replaced by ``initiation``)."""
    ini = {"kind": "two_point", "m": 3, "n": 4, "velocity_sigma_mps": 400,
           "confirm_on_ambiguous": False, **initiation}  # fmt: skip
    cfg = TrackerConfig.model_validate(
        {"dims": 3, "motion": {"kind": "cv", "q_m2ps3": 20.0}, "filter": {"kind": "ekf"},
         "association": {"kind": "gnn", "gate_probability": 0.999}, "initiation": ini}
    )  # fmt: skip
    return compile_tracker_parts(cfg).build()
