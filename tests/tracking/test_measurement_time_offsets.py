"""Measurements taken ``dt_s`` from their batch time (sector looks of a scanning radar).

Oracles: h(x) with an offset equals h of the state moved by ``dt v`` without one; the
Jacobian equals central finite differences of h.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iadsim.frames import Detections
from iadsim.tracking.measurements import Measurements, h_and_jacobian, h_of_x


def _polar(m: int, ndim: int, rdot: bool, dt: np.ndarray | None) -> Measurements:
    nz = ndim + int(rdot)
    return Measurements(
        t_s=np.zeros(m),
        z=np.zeros((m, nz)),
        R=np.broadcast_to(np.eye(nz), (m, nz, nz)).copy(),
        sensor_m=np.tile([100.0, -50.0, 10.0], (m, 1)),
        kind="polar",
        ndim=ndim,
        has_rdot=rdot,
        dt_s=dt,
    )


def _states(rng: np.random.Generator, m: int, ndim: int) -> np.ndarray:
    pos = rng.uniform(-80e3, 80e3, (m, ndim))
    if ndim == 3:
        pos[:, 2] = rng.uniform(500.0, 12e3, m)
    return np.concatenate([pos, rng.uniform(-700.0, 700.0, (m, ndim))], axis=1)


@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize("rdot", [False, True])
@pytest.mark.parametrize("kind", ["polar", "cartesian"])
def test_offset_is_the_state_moved_to_the_measurement_time(
    ndim: int, rdot: bool, kind: str
) -> None:
    rng = np.random.default_rng(ndim * 10 + rdot)
    m = 50
    x = _states(rng, m, ndim)
    dt = rng.uniform(-1.0, 0.0, m)
    if kind == "polar":
        with_dt, plain = _polar(m, ndim, rdot, dt), _polar(m, ndim, rdot, None)
    else:
        plain = Measurements.cartesian(np.zeros(m), np.zeros((m, ndim)), np.eye(ndim))
        with_dt = dataclasses.replace(plain, dt_s=dt)
    moved = x.copy()
    moved[:, :ndim] += dt[:, None] * x[:, ndim:]
    np.testing.assert_allclose(h_of_x(x, with_dt), h_of_x(moved, plain), rtol=1e-12, atol=1e-9)
    zhat, H = h_and_jacobian(x, with_dt)
    np.testing.assert_allclose(zhat, h_of_x(x, with_dt), rtol=0, atol=0)
    # central differences (step 1e-3 of the state's scale)
    num = np.empty_like(H)
    for j in range(x.shape[1]):
        step = 1e-3 * max(1.0, float(np.abs(x[:, j]).max()) * 1e-3)
        hi, lo = x.copy(), x.copy()
        hi[:, j] += step
        lo[:, j] -= step
        num[:, :, j] = (h_of_x(hi, with_dt) - h_of_x(lo, with_dt)) / (2 * step)
    np.testing.assert_allclose(H, num, rtol=1e-4, atol=1e-8)
    assert np.abs(H[:, :, ndim:]).max() > 0  # the offset makes h depend on velocity


def test_from_detections_keeps_each_plot_time_as_an_offset() -> None:
    t = np.array([9.2, 9.6, 10.0])
    n = t.shape[0]
    det = Detections(
        t_s=t, radar_id=np.zeros(n, np.int64), range_m=np.full(n, 5e4), az_rad=np.zeros(n),
        el_rad=np.full(n, 0.1), rdot_mps=np.zeros(n), snr_db=np.full(n, 20.0),
        sigma_range_m=np.full(n, 10.0), sigma_az_rad=np.full(n, 1e-3),
        sigma_el_rad=np.full(n, 1e-3), sigma_rdot_mps=np.full(n, np.inf),
        sensor_e_m=np.zeros(n), sensor_n_m=np.zeros(n), sensor_u_m=np.zeros(n),
        truth_id=np.arange(n),
    )  # fmt: skip
    m = Measurements.from_detections(det, ndim=3, use_rdot=False, t_ref_s=10.0)
    np.testing.assert_array_equal(m.t_s, np.full(n, 10.0))
    assert m.dt_s is not None
    np.testing.assert_allclose(m.dt_s, t - 10.0)
    np.testing.assert_allclose(m.select(np.array([0, 2])).dt_s, [-0.8, 0.0])
    plain = Measurements.from_detections(det, ndim=3, use_rdot=False)
    np.testing.assert_array_equal(plain.t_s, t)
    assert plain.dt_s is None
