"""Fly-out, time of flight, PIP and Pk kernels against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from iadsim.engagement import (
    InterceptorParams,
    InterceptorTable,
    flyout_range_m,
    predict_intercepts,
    time_of_flight_s,
)
from iadsim.engagement.interceptors import pk_at


def _speed(p: InterceptorParams, t: np.ndarray) -> np.ndarray:
    """The documented speed profile, written independently of the kernel."""
    v = np.empty_like(t)
    boost = t <= p.boost_s
    v[boost] = p.max_speed_mps * t[boost] / max(p.boost_s, 1e-12)
    v[~boost] = np.maximum(
        p.max_speed_mps - p.decel_mps2 * (t[~boost] - p.boost_s), p.min_speed_mps
    )
    return v


def _integrated(p: InterceptorParams, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, t_end, 400_001)
    v = _speed(p, t)
    s = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t))])
    return t, s


def test_flyout_matches_numerical_integration(catalog):
    for p in catalog.values():
        t_end = 1.2 * float(p.time_of_flight_s(p.max_range_m))
        t, s = _integrated(p, t_end)
        args = (p.boost_s, p.max_speed_mps, p.decel_mps2, p.min_speed_mps)
        idx = np.linspace(0, t.size - 1, 37).astype(int)
        np.testing.assert_allclose(flyout_range_m(t[idx], *args), s[idx], rtol=1e-6, atol=0.5)
        r = np.linspace(100.0, p.max_range_m, 25)
        tof_num = np.interp(r, s, t)
        np.testing.assert_allclose(time_of_flight_s(r, *args), tof_num, atol=2e-3)


def test_tof_is_inverse_of_flyout(catalog, make_interceptor):
    ps = [*catalog.values(), make_interceptor(decel_mps2=0.0, min_speed_mps=1200.0),
          make_interceptor(boost_s=0.0)]  # fmt: skip
    for p in ps:
        t = np.linspace(0.0, 400.0, 801)
        args = (p.boost_s, p.max_speed_mps, p.decel_mps2, p.min_speed_mps)
        np.testing.assert_allclose(time_of_flight_s(flyout_range_m(t, *args), *args), t, atol=1e-7)


def test_pip_matches_scalar_root_finding(catalog):
    """Approaching straight-line targets: PIP time equals a brentq root per pair."""
    rng = np.random.default_rng(7)
    params = [catalog["s400-long-range-48n6-class"], catalog["s400-medium-range-class"]]
    table = InterceptorTable.from_params(params)
    n = 40
    bearing = rng.uniform(0, 2 * np.pi, n)
    rho = rng.uniform(20e3, 200e3, n)
    pos = np.c_[rho * np.sin(bearing), rho * np.cos(bearing), rng.uniform(100, 12e3, n)]
    speed = rng.uniform(50, 600, n)
    vel = np.c_[-speed * np.sin(bearing), -speed * np.cos(bearing), np.zeros(n)]
    launchers = np.array([[0.0, 0.0, 0.0], [5e3, -3e3, 50.0]])
    t0 = 100.0
    sol = predict_intercepts(pos, vel, np.zeros(n, dtype=np.int64), t0, launchers, table)
    checked = 0
    for k in range(n):
        for j, x in enumerate(launchers):
            for i, p in enumerate(params):
                t_l = t0 + p.reaction_s

                def g(t, k=k, x=x, p=p, t_l=t_l):
                    r = np.linalg.norm(pos[k] + vel[k] * (t - t0) - x)
                    return (t - t_l) - float(p.time_of_flight_s(r))

                hi = t_l + float(p.time_of_flight_s(p.max_range_m))
                if g(hi) < 0:  # cannot reach within max range
                    assert np.isinf(sol.t_intercept_s[k, j, i]) or not sol.feasible[k, j, i]
                    continue
                t_star = brentq(g, t_l, hi, xtol=1e-9)
                assert sol.t_intercept_s[k, j, i] == pytest.approx(t_star, abs=1e-5)
                assert sol.t_launch_s[k, j, i] == pytest.approx(t_l)
                pip = pos[k] + vel[k] * (t_star - t0)
                np.testing.assert_allclose(sol.pip_m[k, j, i], pip, atol=1e-2)
                checked += 1
    assert checked > 50


def test_pip_outside_envelope_is_infeasible(make_interceptor):
    p = make_interceptor()  # 1-100 km, 10 m - 20 km
    table = InterceptorTable.from_params([p])
    pos = np.array(
        [
            [0.0, 50e3, 30e3],  # above ceiling
            [0.0, 5e3, -5.0],  # below the 10 m floor (spherical height ~ -3 m at the PIP)
            [0.0, 600e3, 5e3],  # far away: no intercept within max range now
            [0.0, 300.0, 500.0],  # inside the 1 km min range (slow, receding)
            [0.0, 50e3, 5e3],  # inside
        ]
    )
    vel = np.array([[0, -200.0, 0], [0, -60.0, 0], [0, -200.0, 0], [0, 10.0, 0], [0, -200.0, 0]])
    sol = predict_intercepts(pos, vel, np.zeros(5, dtype=np.int64), 0.0, np.zeros((1, 3)), table)
    assert sol.feasible[:, 0, 0].tolist() == [False, False, False, False, True]
    assert np.all(sol.pk[~sol.feasible] == 0.0)


def test_pk_interpolation_matches_np_interp(catalog):
    rng = np.random.default_rng(3)
    for p in catalog.values():
        x = rng.uniform(-0.1, 1.1, 200)
        c = rng.integers(0, 4, 200)
        got = pk_at(x, c, p.pk_range_fraction, p.pk_table)
        want = [
            np.interp(xi, p.pk_range_fraction, p.pk_table[ci]) for xi, ci in zip(x, c, strict=True)
        ]
        np.testing.assert_allclose(got, want, atol=1e-12)
    assert pk_at(np.array([0.5]), np.array([-1]), p.pk_range_fraction, p.pk_table)[0] == 0.0


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"min_range_m": 200e3}, "min_range_m < max_range_m"),
        ({"min_alt_m": 30e3}, "min_alt_m < max_alt_m"),
        ({"min_speed_mps": -1.0}, "min_speed_mps"),
        ({"reaction_s": -1.0}, ">= 0"),
    ],
)
def test_params_reject_impossible_values(make_interceptor, kw, msg):
    with pytest.raises(ValueError, match=msg):
        make_interceptor(**kw)


def test_params_reject_bad_pk_table(make_interceptor):
    p = make_interceptor()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        InterceptorParams(**{**p.__dict__, "pk_table": np.full((4, 2), 1.5)})


def test_height_uses_earth_curvature():
    """Oracle: WGS84 points 10 km up (iadsim.geo) read back within 50 m out to 400 km,
    where the tangent-plane ``u`` is off by ~12.5 km."""
    from iadsim import geo
    from iadsim.engagement.interceptors import height_above_origin_m

    lat0, lon0 = np.radians(40.0), np.radians(33.0)
    d = np.linspace(10e3, 400e3, 12)
    for az in (0.0, np.pi / 4, np.pi / 2):
        lat = lat0 + d / 6371e3 * np.cos(az)
        lon = lon0 + d / 6371e3 * np.sin(az) / np.cos(lat0)
        e, n, u = geo.geodetic2enu(lat, lon, np.full(d.size, 10e3), lat0, lon0, 0.0)
        h = height_above_origin_m(np.stack([e, n, u], axis=-1))
        np.testing.assert_allclose(h, 10e3, atol=50.0)
        assert np.min(u) < 0.0  # the flat frame would put the far points underground


def test_tof_coefficients_take_and_no_warnings(catalog, make_interceptor):
    """Per-type constants: indexing them equals evaluating each type; no inf - inf
    (decel 0) or 0/0 (boost 0) warnings on valid ranges."""
    ps = [*catalog.values(), make_interceptor(decel_mps2=0.0, min_speed_mps=1200.0),
          make_interceptor(boost_s=0.0)]  # fmt: skip
    table = InterceptorTable.from_params(ps)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, len(ps), 500)
    r = rng.uniform(0.0, 5e5, 500)
    r[:len(ps)] = 0.0  # fmt: skip
    with np.errstate(all="raise"):
        got = table.tof.take(idx)(r)
    want = np.array([float(ps[i].time_of_flight_s(x)) for i, x in zip(idx, r, strict=True)])
    assert got.tobytes() == want.tobytes()
    np.testing.assert_array_equal(table.max_range_tof_s, table.time_of_flight_s(table.max_range_m))


def test_pk_of_type_matches_pk(catalog):
    table = InterceptorTable.from_params(list(catalog.values()))
    rng = np.random.default_rng(4)
    r = rng.uniform(0, 1.1, (60, len(table))) * table.max_range_m
    c = rng.integers(-1, 5, (60, 1))
    full = table.pk(r, c)
    i = np.broadcast_to(np.arange(len(table)), r.shape).reshape(-1)
    got = table.pk_of_type(r.reshape(-1), np.broadcast_to(c, r.shape).reshape(-1), i)
    assert got.tobytes() == full.reshape(-1).tobytes()


def test_predict_candidates_solve_only_the_mask(catalog):
    """Masked-out triples come back infeasible; the solved ones are bit-identical to a
    full solve (each triple is solved on its own)."""
    params = [catalog["s400-long-range-48n6-class"], catalog["s400-medium-range-class"]]
    table = InterceptorTable.from_params(params)
    rng = np.random.default_rng(9)
    n = 6
    pos = np.c_[rng.uniform(-80e3, 80e3, (n, 2)), rng.uniform(200, 9e3, n)]
    vel = -pos * rng.uniform(0.002, 0.004, (n, 1))
    vel[:, 2] = 0.0
    launchers = np.array([[0.0, 0.0, 0.0], [5e3, -3e3, 50.0], [-2e3, 1e3, 0.0]])
    cls = np.zeros(n, dtype=np.int64)
    full = predict_intercepts(pos, vel, cls, 50.0, launchers, table)
    mask = rng.random(full.feasible.shape) < 0.5
    part = predict_intercepts(pos, vel, cls, 50.0, launchers, table, candidates=mask)
    assert full.feasible[mask].any() and full.feasible[~mask].any()
    for name in ("t_launch_s", "t_intercept_s", "pip_m", "range_m", "height_m", "pk", "feasible"):
        a, b = getattr(full, name), getattr(part, name)
        assert a.shape == b.shape
        assert a[mask].tobytes() == b[mask].tobytes()
    assert not part.feasible[~mask].any() and np.all(part.pk[~mask] == 0.0)
    assert np.all(np.isinf(part.t_intercept_s[~mask])) and np.all(np.isnan(part.pip_m[~mask]))


def test_distance_is_bitwise_numpy_norm():
    """The intercept kernels' three-term norm gives the bits of np.linalg.norm / np.sum."""
    from iadsim.numeric import norm3 as _distance

    rng = np.random.default_rng(8)
    for shape in [(5, 3), (48, 7, 3), (63, 1, 3)]:
        x = rng.normal(size=shape) * rng.uniform(1.0, 1e6, shape)
        assert _distance(x).tobytes() == np.linalg.norm(x, axis=-1).tobytes()
        assert _distance(x).tobytes() == np.sqrt(np.sum(x * x, axis=-1)).tobytes()


def test_within_reach_matches_dense_sampling():
    """Closest approach of a segment to a point against 20,001 samples along it."""
    from iadsim.engagement.intercept import within_reach

    rng = np.random.default_rng(12)
    n = 300
    p = rng.uniform(-300e3, 300e3, (n, 3))
    v = rng.uniform(-600.0, 600.0, (n, 3)) * (rng.random((n, 1)) > 0.05)  # some at rest
    x = rng.uniform(-50e3, 50e3, (n, 3))
    t0, t1 = rng.uniform(0.0, 20.0, n), rng.uniform(30.0, 400.0, n)
    s = np.linspace(0.0, 1.0, 20_001)
    t = t0[:, None] + s * (t1 - t0)[:, None]
    d = np.linalg.norm(p[:, None] + v[:, None] * t[..., None] - x[:, None], axis=-1).min(axis=1)
    radius = np.median(d)
    got = within_reach(p, v, x, t0, t1, np.full(n, radius))
    clear = np.abs(d - radius) > 50.0  # sampling step <= 0.02 s * 1 km/s
    assert np.array_equal(got[clear], (d <= radius)[clear])
    assert got.sum() > 50 and (~got).sum() > 50


def test_along_line_is_the_flown_distance_on_the_line_capped_at_its_end():
    """Where an aborted salvo's rounds are: ``flown`` from the launcher towards the PIP,
    at most the PIP; checked against the plain vector formula over random lines."""
    from iadsim.engagement.interceptors import along_line_m

    rng = np.random.default_rng(4)
    start = rng.normal(0.0, 5e4, (200, 3))
    end = start + rng.normal(0.0, 3e4, (200, 3))
    length = np.linalg.norm(end - start, axis=1)
    flown = rng.uniform(0.0, 1.5, 200) * length
    at = along_line_m(start, end, flown)
    np.testing.assert_allclose(np.linalg.norm(at - start, axis=1), np.minimum(flown, length),
                               rtol=1e-12, atol=1e-6)  # fmt: skip
    unit = (end - start) / length[:, None]
    np.testing.assert_allclose(at, start + unit * np.minimum(flown, length)[:, None], atol=1e-6)
    same = along_line_m(start[0], start[0], 100.0)  # a zero-length line: its end
    np.testing.assert_array_equal(same, start[0])
