"""Matched-scene Monte Carlo cases for every filter x motion model of the tracker
registry (``scenario.schema_tracking``), with Cartesian and polar measurements.

Used by ``test_filter_consistency.py`` and ``bench/consistency_table.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from iadsim.analysis.metrics.consistency import MonteCarloConsistency, monte_carlo_consistency
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking import Measurements

FILTERS = ("kf", "ekf", "ukf", "cmkf", "imm")
MOTIONS = {
    "cv": {"kind": "cv", "q_m2ps3": 1.0},
    "ca": {"kind": "ca", "q_m2ps5": 0.01},
    "singer": {"kind": "singer", "sigma_a_mps2": 2.0, "tau_s": 20.0},
    "ct": {"kind": "ct", "q_m2ps3": 1.0, "q_omega_deg2ps3": 0.01},
}
SIGMA_M = 10.0  # Cartesian and range noise, m
SIGMA_RAD = 1e-3  # azimuth and elevation noise, rad


def cartesian(x: np.ndarray, rng: np.random.Generator) -> Measurements:
    n = x.shape[0]
    z = x[:, :3] + SIGMA_M * rng.standard_normal((n, 3))
    return Measurements.cartesian(np.zeros(n), z, np.eye(3) * SIGMA_M**2)


def polar(x: np.ndarray, rng: np.random.Generator) -> Measurements:
    n = x.shape[0]
    e, nn, u = x[:, 0], x[:, 1], x[:, 2]
    z = np.stack(
        [
            np.sqrt(e * e + nn * nn + u * u) + SIGMA_M * rng.standard_normal(n),
            (np.arctan2(e, nn) + SIGMA_RAD * rng.standard_normal(n)) % (2 * np.pi),
            np.arctan2(u, np.hypot(e, nn)) + SIGMA_RAD * rng.standard_normal(n),
        ],
        axis=1,
    )
    R = np.broadcast_to(np.diag([SIGMA_M**2, SIGMA_RAD**2, SIGMA_RAD**2]), (n, 3, 3)).copy()
    return Measurements(t_s=np.zeros(n), z=z, R=R, sensor_m=np.zeros((n, 3)), kind="polar", ndim=3)


def build(filter_kind: str, motion: str) -> Any:
    """The filter the tracker would build for ``filter: {kind}``, ``motion: {kind}``."""
    if filter_kind == "imm":
        # the IMM's first model is the case's motion, the second a CV with 100x the noise
        flt: dict[str, Any] = {
            "kind": "imm",
            "models": [MOTIONS[motion], {"kind": "cv", "q_m2ps3": 100.0}],
        }
        cfg = TrackerConfig.model_validate({"dims": 3, "filter": flt})
    else:
        cfg = TrackerConfig.model_validate(
            {"dims": 3, "filter": {"kind": filter_kind}, "motion": MOTIONS[motion]}
        )
    return compile_tracker_parts(cfg).filter


def _truth_model(filt: Any) -> Any:
    models = getattr(filt, "models", None)
    return models[0] if models is not None else filt.model


def initial_state(nx: int, motion: str) -> tuple[np.ndarray, np.ndarray]:
    """True initial state and P0 in the model's layout (pos, vel[, acc][, omega])."""
    x0 = np.zeros(nx)
    x0[:6] = [20e3, 15e3, 3e3, -150.0, -80.0, 0.0]
    p0 = np.zeros(nx)
    p0[:6] = [50.0**2] * 3 + [10.0**2] * 3
    p0[6:] = 0.5**2  # accelerations (CA, Singer) or the turn rate slot
    if motion == "ct":
        x0[6], p0[6] = 0.01, 0.002**2  # rad/s
    return x0, np.diag(p0)


def run_case(
    filter_kind: str, motion: str, meas: str, *, n_runs: int = 100, n_steps: int = 40, seed: int = 1
) -> MonteCarloConsistency:
    filt = build(filter_kind, motion)
    x0, P0 = initial_state(filt.nx, motion)
    return monte_carlo_consistency(
        filt,
        _truth_model(filt),
        cartesian if meas == "cartesian" else polar,
        x0=x0,
        P0=P0,
        n_runs=n_runs,
        n_steps=n_steps,
        dt_s=1.0,
        rng=np.random.default_rng(seed),
    )
