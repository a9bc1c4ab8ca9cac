"""Measurements taken ``dt_s`` from their batch time (sector looks of a scanning radar).

Oracles: h(x) with an offset equals h of the state moved by ``dt v`` without one; the
Jacobian equals central finite differences of h.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.frames import Detections
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
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


_SCAN_S, _SECTOR_S, _V_MPS = 4.8, 1.2, 250.0


def _airliner(p0: np.ndarray, turn_rad_s: float, t: float) -> np.ndarray:
    """ENU position at ``t`` of a 250 m/s airliner heading east, turning right at a
    constant rate (straight if 0)."""
    if turn_rad_s == 0.0:
        return p0 + np.array([_V_MPS * t, 0.0, 0.0])
    rad = _V_MPS / turn_rad_s
    return p0 + np.array([rad * np.sin(turn_rad_s * t), rad * (np.cos(turn_rad_s * t) - 1), 0.0])


def _lit_at(p0: np.ndarray, turn_rad_s: float, scan: int) -> float:
    """When a 4.8 s radar at the origin, sweeping clockwise from north, lights it."""
    t = scan * _SCAN_S
    for _ in range(4):
        e, n, _u = _airliner(p0, turn_rad_s, t)
        t = scan * _SCAN_S + _SCAN_S * (np.arctan2(e, n) % (2 * np.pi)) / (2 * np.pi)
    return t


def _error_at_plot_time_m(batch: bool, turn_rad_s: float, seed: int) -> list[float]:
    """Horizontal errors of a lone airliner's firm track, each brought (at constant
    velocity) from the tracker's output time to the plot's own time."""
    cfg = {"filter": {"kind": "imm", "models": [{"kind": "cv", "q_m2ps3": 1.0},
           {"kind": "cv", "q_m2ps3": 40.0}], "sojourn_s": [60, 20], "mu0": [0.8, 0.2]},
           "initiation": {"kind": "m_of_n", "m": 3, "n": 4, "velocity_sigma_mps": 250}}  # fmt: skip
    tracker = compile_tracker(TrackerConfig.model_validate(cfg))
    rng = np.random.default_rng(seed)
    ang = rng.uniform(0.0, 2 * np.pi)
    p0 = np.array([40e3 * np.sin(ang), 40e3 * np.cos(ang), 3000.0])
    sig, errors = (30.0, np.radians(0.08), np.radians(1.0)), []
    for scan in range(30):
        t_plot = _lit_at(p0, turn_rad_s, scan)
        det = polar_detections(
            np.array([t_plot]), _airliner(p0, turn_rad_s, t_plot)[None], np.zeros(3), sig, rng
        )
        # a sector look: output at the sector's end; else the plot processed at its time
        t_out = scan * _SCAN_S + _SECTOR_S * np.ceil((t_plot - scan * _SCAN_S) / _SECTOR_S)
        t_out = t_out if batch else t_plot
        out = tracker.step(det, t_out, batch=batch)
        firm = np.flatnonzero(out.status == 1)
        if scan >= 8 and firm.size:
            k = firm[0]
            back = out.pos_m()[k] + (t_plot - t_out) * np.array([out.ve_mps[k], out.vn_mps[k], 0])
            errors.append(float(np.hypot(*(back - _airliner(p0, turn_rad_s, t_plot))[:2])))
    return errors


@pytest.mark.parametrize("turn_deg_s", [0.0, 1.5])
def test_sector_look_tracks_as_well_as_plots_at_their_own_times(turn_deg_s: float) -> None:
    """A look of plots with time offsets, output at the look's end, loses nothing against
    processing each plot at its own time: brought back to the plot's time the track
    errors match (straight and in a 1.5 deg/s turn, IMM CV/CV on an EKF, the
    real-traffic tracker). The larger error of a track read at the look's end is the
    look's latency, not the offsets' handling."""
    turn = np.radians(turn_deg_s)
    rms = {}
    for batch in (True, False):
        e = np.concatenate([_error_at_plot_time_m(batch, turn, s) for s in range(8)])
        assert e.size >= 150
        rms[batch] = float(np.sqrt(np.mean(e * e)))
    assert rms[True] == pytest.approx(rms[False], rel=0.04)
