"""Looks: the tracks a look concerns (look_rows) and a look that leaves the others alone."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.frames import Detections
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker, compile_tracker_parts
from iadsim.tracking.looks import covered, look_rows, visible_from
from iadsim.tracking.measurements import Measurements, standard_conversion

SENSOR = np.array([0.0, 0.0, 10.0])


@pytest.mark.parametrize("seed", range(6))
def test_look_rows_hold_every_track_that_gates_with_a_plot(seed) -> None:
    """Tracks (states at their own earlier times) around a few plots: every track the
    gate pairs with a plot after a full prediction is among the look's rows, which are
    found without predicting any."""
    rng = np.random.default_rng(seed)
    parts = compile_tracker_parts(TrackerConfig())
    f, d, n = parts.filter, 3, 400
    t = 10.0
    plots = np.column_stack([rng.uniform(-60e3, 60e3, (6, 2)), rng.uniform(1e3, 9e3, 6)])
    near = plots[rng.integers(0, 6, n)] + rng.normal(0, 3e3, (n, 3))
    near[n // 2 :, 0] += 3e5  # half of them far east of every plot
    x = np.zeros((n, f.nx))
    v = rng.uniform(-300, 300, (n, 3))
    dt = rng.uniform(0.0, 8.0, n)
    x[:, :d], x[:, d : 2 * d] = near - v * dt[:, None], v
    sig = rng.uniform(50.0, 3e3, n)
    P = np.zeros((n, f.nx, f.nx))
    P[:, np.arange(d), np.arange(d)] = (sig**2)[:, None]
    P[:, np.arange(d, 2 * d), np.arange(d, 2 * d)] = 100.0**2
    bank = f.init_bank(x, P)
    dets = polar_detections(np.full(6, t), plots, SENSOR, (50.0, 2e-3, 2e-3), rng)
    meas = f.prepare(Measurements.from_detections(dets, ndim=d, use_rdot=False))
    cart = standard_conversion(meas)
    pred = f.predict(bank, dt)
    gp = parts.gate.pairs(f, pred.x, pred.P, meas, cart=cart)
    scale = parts.gate.pregate_margin * math.sqrt(parts.gate.gamma(meas.z.shape[1]))
    rows = look_rows(bank, dt, d, held=np.zeros(n, bool), observed=None, plots=cart, scale=scale)
    assert gp.ti.size > 20
    assert rows[gp.ti].all()
    assert not rows[n // 2 :].any()  # none of the far ones


def test_a_look_of_scattered_false_alarms_concerns_no_track_between_them() -> None:
    """Three plots 100-150 km apart (a sector look's false alarms) and tracks spread
    between them, none within reach of a plot: the look concerns none of them, though
    the plots' bounding box holds them all (as it once did: the look then predicted and
    gated every track of the sector for nothing). A track next to a plot still counts."""
    rng = np.random.default_rng(2)
    parts = compile_tracker_parts(TrackerConfig())
    f, d = parts.filter, 3
    plots = np.array([[-60e3, 40e3, 5e3], [70e3, 60e3, 2e3], [0.0, 150e3, 8e3]])
    n = 200
    pos = rng.uniform([-50e3, 50e3, 3e3], [60e3, 140e3, 7e3], (n, 3))
    far = np.min(np.linalg.norm(pos[:, None] - plots[None], axis=-1), axis=1) > 30e3
    pos[0] = plots[1] + 200.0  # one track at a plot
    far[0] = False
    x = np.zeros((n, f.nx))
    x[:, :d] = pos
    P = np.broadcast_to(np.eye(f.nx) * 200.0**2, (n, f.nx, f.nx)).copy()
    bank = f.init_bank(x, P)
    dets = polar_detections(np.zeros(3), plots, SENSOR, (50.0, 2e-3, 2e-3), rng)
    cart = standard_conversion(
        f.prepare(Measurements.from_detections(dets, ndim=d, use_rdot=False))
    )
    scale = parts.gate.pregate_margin * math.sqrt(parts.gate.gamma(3))
    rows = look_rows(bank, np.zeros(n), d, held=np.zeros(n, bool), observed=None, plots=cart,
                     scale=scale)  # fmt: skip
    assert far.sum() > 100
    assert rows[0] and not rows[far].any()


def test_look_rows_of_held_tracks_are_those_the_look_observes() -> None:
    """Without plots, a look concerns the held tracks its coverage holds at their
    extrapolated positions."""
    rng = np.random.default_rng(1)
    f = compile_tracker_parts(TrackerConfig()).filter
    n = 200
    x = np.zeros((n, f.nx))
    x[:, :3] = rng.uniform(-1e5, 1e5, (n, 3))
    x[:, 3:6] = rng.uniform(-300, 300, (n, 3))
    bank = f.init_bank(x, np.broadcast_to(np.eye(f.nx) * 1e4, (n, f.nx, f.nx)).copy())
    held = rng.random(n) < 0.5
    dt = rng.uniform(0, 5, n)
    observed = visible_from(SENSOR, max_range_m=8e4, az_min_rad=0.3, az_max_rad=1.9)
    got = look_rows(bank, dt, 3, held=held, observed=observed)
    want = held & observed(x[:, :3] + x[:, 3:6] * dt[:, None])
    np.testing.assert_array_equal(got, want)
    assert 0 < want.sum() < held.sum()


def test_a_look_leaves_the_tracks_elsewhere_as_they_were() -> None:
    """Tracks east and west of a radar; looks of its east sector predict, update and
    charge only the eastern tracks: the western ones keep their states bit for bit,
    and are neither confirmed nor deleted by those looks."""
    rng = np.random.default_rng(4)
    tr = compile_tracker(TrackerConfig())
    east = np.array([[40e3, 0.0, 3e3], [45e3, 5e3, 3e3]])
    west = np.array([[-40e3, 0.0, 3e3], [-45e3, -5e3, 3e3]])
    both = np.vstack([east, west])
    tr.step(polar_detections(np.zeros(4), both, SENSOR, (30.0, 1e-3, 1e-3), rng), 0.0,
            sensor_id=0)  # fmt: skip
    before = tr.tracks(0.0)
    west_rows = before.e_m < 0
    sector = visible_from(SENSOR, max_range_m=1e5, az_min_rad=0.5 * np.pi - 0.5,
                          az_max_rad=0.5 * np.pi + 0.5)  # fmt: skip
    for k in range(1, 6):
        dets = polar_detections(np.full(2, float(k)), east, SENSOR, (30.0, 1e-3, 1e-3), rng)
        tr.step(dets, float(k), observed=sector, sensor_id=0, batch=True)
    after = tr.tracks(0.0)
    assert set(after.track_id[after.e_m < 0]) == set(before.track_id[west_rows])
    same = np.isin(after.track_id, before.track_id[west_rows])
    np.testing.assert_array_equal(after.e_m[same], before.e_m[west_rows])
    np.testing.assert_array_equal(after.var_e_m2[same], before.var_e_m2[west_rows])
    np.testing.assert_array_equal(after.status[same], before.status[west_rows])
    assert (tr.tracks(5.0).status[~same] != 0).all()  # the eastern tracks confirmed
    assert tr.step(Detections.empty(), 6.0).track_id.size == tr.n_tracks


def _reference_visible(s, r_max, az_min, az_max, pos):
    """The coverage test written out (the closure ``visible_from`` returned before)."""
    rel = pos - s[: pos.shape[1]]
    sq = rel[:, 0] * rel[:, 0] + rel[:, 1] * rel[:, 1]
    if pos.shape[1] == 3:
        sq += rel[:, 2] * rel[:, 2]
    ok = np.sqrt(sq) <= r_max
    if az_min is not None:
        az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
        lo, hi = az_min % (2 * np.pi), az_max % (2 * np.pi)
        ok &= ((az >= lo) & (az <= hi)) if lo <= hi else ((az >= lo) | (az <= hi))
    return ok


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("d", [2, 3])
def test_covered_is_each_looks_predicate_row_by_row(seed, d) -> None:
    """``covered`` of many looks' predicates (sectors, wrapping sectors, full circles,
    None, another callable) equals each look's predicate called on its rows, and the
    coverage test written out, bit for bit."""
    rng = np.random.default_rng(seed)
    K, m = 12, 600
    observed, ref = [], []
    for k in range(K):
        s = rng.uniform(-5e4, 5e4, 3)
        r_max = float(rng.uniform(2e4, 9e4))
        kind = k % 5
        if kind == 0:
            observed.append(None)
            ref.append(lambda p: np.ones(p.shape[0], bool))
            continue
        if kind == 4:  # a predicate of another kind (a cue window)

            def obs(p, s=s):
                return np.abs(p[:, 0] - s[0]) < 3e4

            observed.append(obs)
            ref.append(obs)
            continue
        lo, hi = (
            (None, None)
            if kind == 1
            else (float(rng.uniform(-7.0, 7.0)), float(rng.uniform(-7.0, 7.0)))
        )
        observed.append(visible_from(s, max_range_m=r_max, az_min_rad=lo, az_max_rad=hi))
        ref.append(lambda p, s=s, r=r_max, lo=lo, hi=hi: _reference_visible(s, r, lo, hi, p))
    look = rng.integers(0, K, m)
    pos = rng.uniform(-1.2e5, 1.2e5, (m, d))
    got = covered(observed, look, pos)
    for k in range(K):
        at = (look == k).nonzero()[0]
        np.testing.assert_array_equal(got[at], ref[k](pos[at]))
        if observed[k] is not None:
            np.testing.assert_array_equal(got[at], observed[k](pos[at]))
    assert 0 < got.sum() < m
    assert covered(observed, np.zeros(0, np.int64), np.zeros((0, d))).shape == (0,)
