"""The gate's per-component bound (polar_component_bound) against the exact EKF gate.

The bound decides which pre-gate pairs are innovated at all, so it must never drop a
pair the exact gate d2 = y' S^-1 y <= gamma keeps: checked with gamma set to each
pair's own d2 (every pair exactly at the gate boundary), on dense random raids with
plots at their own times and tracks coasting with covariances of tens of kilometres,
and by comparing :meth:`Gate.pairs` with the plain path (every pre-gate pair
innovated) bit for bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.tracking.filters import ExtendedKalmanFilter, Innovation
from iadsim.tracking.gating import Gate, GatedPairs, polar_component_bound
from iadsim.tracking.measurements import Measurements, standard_conversion
from iadsim.tracking.models import ConstantVelocity

SENSOR = np.array([1.0e3, -2.0e3, 15.0])


class PlainEKF(ExtendedKalmanFilter):
    """The EKF with ``innovate`` overridden (same values): the gate then innovates
    every pre-gate pair, the path without the component bound."""

    def innovate(self, x: np.ndarray, P: np.ndarray, meas: Measurements) -> Innovation:
        return super().innovate(x, P, meas)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FixedGate(Gate):
    """A gate whose threshold is given exactly (e.g. one pair's own d2)."""

    threshold: float = 16.0

    def gamma(self, nz: int) -> float:
        return self.threshold


def _raid(seed: int, d: int, n: int = 300, m: int = 120) -> tuple[np.ndarray, ...]:
    """Tracks and plots of a dense raid: clusters of targets 20-150 km out, plots near
    them (and some clutter), plot times up to 1.5 s before the look, and a tenth of
    the tracks coasting with position sigmas of 5-40 km."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-1.0e5, 1.0e5, (8, 3))
    centres[:, 2] = rng.uniform(50.0, 1.2e4, 8)
    pos = centres[rng.integers(0, 8, n)] + rng.normal(0.0, 3.0e3, (n, 3))
    pos[:, 2] = np.abs(pos[:, 2])
    vel = rng.uniform(-300.0, 300.0, (n, 3)) * np.array([1.0, 1.0, 0.1])
    x = np.concatenate([pos[:, :d], vel[:, :d]], axis=1)
    a = rng.standard_normal((n, 2 * d, 2 * d))
    a[:, :d] *= rng.uniform(20.0, 800.0, (n, 1, 1))
    a[:, d:] *= rng.uniform(2.0, 80.0, (n, 1, 1))
    wide = rng.random(n) < 0.1
    a[wide] *= rng.uniform(20.0, 60.0, (int(wide.sum()), 1, 1))
    P = a @ a.swapaxes(1, 2) / (2 * d) + np.eye(2 * d)
    # plots: most near a track's position at the plot time, some clutter
    dt = rng.uniform(-1.5, 0.0, m)
    src = rng.integers(0, n, m)
    z = pos[src] + dt[:, None] * vel[src] + rng.normal(0.0, 400.0, (m, 3))
    clutter = rng.random(m) < 0.2
    z[clutter] = centres[rng.integers(0, 8, int(clutter.sum()))] + rng.normal(0, 5e3, (1, 3))
    z[:, 2] = np.abs(z[:, 2]) + 1.0
    return x, P, z, dt


def _meas(z: np.ndarray, dt: np.ndarray, d: int, seed: int) -> Measurements:
    rng = np.random.default_rng(seed + 1000)
    det = polar_detections(10.0 + dt, z, SENSOR, (60.0, 1.5e-3, 3e-3), rng)
    return Measurements.from_detections(det, ndim=d, use_rdot=False, t_ref_s=10.0)


def _exact_d2(f: ExtendedKalmanFilter, x, P, meas, ti, di) -> np.ndarray:
    return f.innovate(x[ti], P[ti], meas.select(di)).d2


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_bound_keeps_every_pair_at_its_own_gate_boundary(seed, d) -> None:
    """gamma = d2 of the pair itself (the pair exactly on the gate): always kept; and a
    large part of the pairs far outside the gate is dropped."""
    x, P, z, dt = _raid(seed, d)
    meas = _meas(z, dt, d, seed)
    f = ExtendedKalmanFilter(model=ConstantVelocity(ndim=d, q_m2ps3=20.0))
    ti, di = (
        a.ravel() for a in np.meshgrid(np.arange(len(x)), np.arange(len(meas)), indexing="ij")
    )
    d2 = _exact_d2(f, x, P, meas, ti, di)
    inside = np.flatnonzero(d2 <= 60.0)
    assert inside.shape[0] > 50
    for k in inside:
        ok = polar_component_bound(x, P, meas, ti[k : k + 1], di[k : k + 1], float(d2[k]))
        assert ok[0], (k, d2[k])
    far = d2 > 1e4
    dropped = ~polar_component_bound(x, P, meas, ti, di, 16.0)
    assert dropped[far].mean() > 0.5
    assert not dropped[d2 <= 16.0].any()


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_gate_pairs_equal_the_plain_path_bit_for_bit(seed, d) -> None:
    """Gate.pairs with the bound gives exactly the pairs and innovations of the plain
    path (every pre-gate pair innovated), at the 0.999 gate and at gates set to the
    d2 of single pairs (a pair exactly on the boundary)."""
    x, P, z, dt = _raid(seed, d)
    meas = _meas(z, dt, d, seed)
    model = ConstantVelocity(ndim=d, q_m2ps3=20.0)
    fast, plain = ExtendedKalmanFilter(model=model), PlainEKF(model=model)
    cart = standard_conversion(meas)
    ref = Gate().pairs(plain, x, P, meas, cart=cart)
    assert ref.ti.shape[0] > 30
    gates: list[Gate] = [Gate()]
    gates += [FixedGate(threshold=float(v)) for v in ref.inn.d2[:: max(1, len(ref.ti) // 5)]]
    for gate in gates:
        _assert_same(gate.pairs(fast, x, P, meas, cart=cart), gate.pairs(plain, x, P, meas))


def _assert_same(a: GatedPairs, b: GatedPairs) -> None:
    np.testing.assert_array_equal(a.ti, b.ti)
    np.testing.assert_array_equal(a.di, b.di)
    for name in ("y", "S", "d2", "logdet", "cross"):
        np.testing.assert_array_equal(getattr(a.inn, name), getattr(b.inn, name))


def _tight_case(component: int, d: int, dt_s: float) -> tuple[np.ndarray, ...]:
    """A track whose position uncertainty at the plot's time lies along the gradient
    of one measurement component, and a plot off in that component only: the bound
    is then tight (S_ii = |g|^2 tr A + R_ii up to 1e-9, y = y_i e_i)."""
    r0, az0, el0 = 8.0e4, 0.7, (0.4 if d == 3 else 0.0)
    ce, se, sa, ca = np.cos(el0), np.sin(el0), np.sin(az0), np.cos(az0)
    dirs = [  # unit gradients (directions) of range, azimuth and elevation
        np.array([ce * sa, ce * ca, se]),
        np.array([ca, -sa, 0.0]),
        np.array([-se * sa, -se * ca, ce]),
    ]
    g = dirs[component][:d]
    v = np.array([150.0, -220.0, 5.0])[:d]
    x = np.zeros((1, 2 * d))
    x[0, :d] = SENSOR[:d] + r0 * dirs[0][:d] - dt_s * v  # at r0 u at the plot's time
    x[0, d:] = v
    P = np.eye(2 * d)[None] * 1e-9
    if dt_s == 0.0:
        P[0, :d, :d] += 900.0**2 * np.outer(g, g)
    else:
        P[0, d:, d:] += 300.0**2 * np.outer(g, g)
    z = np.array([[r0 * (ce if d == 2 else 1.0), az0, el0][:d]])
    z[0, component] += [2.5e3, 0.03, 0.02][component]
    sig2 = np.array([60.0**2, 1.5e-3**2, 3e-3**2])[:d]
    meas = Measurements(
        t_s=np.array([10.0]), z=z, R=np.diag(sig2)[None], sensor_m=SENSOR[None],
        kind="polar", ndim=d, dt_s=np.array([dt_s]),
    )  # fmt: skip
    return x, P, meas


@pytest.mark.parametrize("dt_s", [0.0, -1.2])
@pytest.mark.parametrize(("component", "d"), [(0, 3), (1, 3), (2, 3), (0, 2), (1, 2)])
def test_bound_is_kept_where_it_is_tight(component, d, dt_s) -> None:
    """A plot off the track in one component only, along which all the uncertainty of
    the track's position at the plot's time lies (directly, or through its velocity
    over the plot's time offset): d2 = y_i^2 / S_ii and S_ii = |g_i|^2 tr A + R_ii, so
    the pair sits on the bound itself at gamma = its d2, and is kept."""
    x, P, meas = _tight_case(component, d, dt_s)
    f = ExtendedKalmanFilter(model=ConstantVelocity(ndim=d, q_m2ps3=20.0))
    inn = f.innovate(x, P, meas)
    one = np.zeros(1, np.int64)
    d2 = float(inn.d2[0])
    assert 1.0 < d2 < 1e4
    assert np.abs(inn.y[0, np.arange(d) != component]).max() < 1e-6 * abs(inn.y[0, component])
    assert polar_component_bound(x, P, meas, one, one, d2)[0]
    assert not polar_component_bound(x, P, meas, one, one, d2 * (1.0 - 1e-5))[0]
