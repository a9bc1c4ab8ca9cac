"""The Tracker stage: determinism, ids, out-of-order data, fusion, IMM, JPDA."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tracking_helpers import polar_detections

from iadsim.frames import Detections, TrackStatus
from iadsim.scenario.schema_tracking import (
    GNNConfig,
    IMMConfig,
    JPDAConfig,
    ScoreConfig,
    TrackerConfig,
    UKFConfig,
    compile_tracker,
    compile_tracker_parts,
)
from iadsim.tracking import (
    IMM,
    ConstantVelocity,
    CoordinatedTurn,
    ExtendedKalmanFilter,
    KalmanFilter,
    Measurements,
    ZeroPadded,
)

SENSOR = np.array([0.0, 0.0, 10.0])


def _raid(seed: int, n_tgt: int = 6, scans: int = 25, clutter: int = 5) -> list[Detections]:
    """Straight-flying targets seen by one radar with Pd 0.9 and uniform clutter."""
    rng = np.random.default_rng(seed)
    p0 = np.column_stack([rng.uniform(-40e3, 40e3, (n_tgt, 2)), rng.uniform(1e3, 8e3, n_tgt)])
    v = np.column_stack([rng.uniform(-250, 250, (n_tgt, 2)), np.zeros(n_tgt)])
    out = []
    for k in range(scans):
        t = 2.0 * k
        pos = p0 + v * t
        seen = rng.random(n_tgt) < 0.9
        cl = np.column_stack([rng.uniform(-50e3, 50e3, (clutter, 2)), rng.uniform(0, 9e3, clutter)])
        allp = np.vstack([pos[seen], cl])
        tid = np.r_[np.nonzero(seen)[0], -np.ones(clutter, int)]
        out.append(
            polar_detections(
                np.full(len(allp), t), allp, SENSOR, (30.0, 2e-3, 2e-3), rng, truth_id=tid
            )
        )
    return out


def _run(cfg: TrackerConfig, scans: list[Detections]):
    tr = compile_tracker(cfg)
    return tr, [tr.step(d, float(d.t_s[0])) for d in scans]


FILTERS = {
    "ekf": TrackerConfig(),
    "ukf": TrackerConfig(filter=UKFConfig()),
    "cmkf": TrackerConfig(filter={"kind": "cmkf"}),
    "imm": TrackerConfig(filter=IMMConfig()),
    "jpda": TrackerConfig(association=JPDAConfig(clutter_density=1e-6)),
    "score": TrackerConfig(initiation=ScoreConfig(clutter_density=1e-6, new_target_density=1e-7)),
    "two_point": TrackerConfig(initiation={"kind": "two_point"}),
    "two_point_imm": TrackerConfig(initiation={"kind": "two_point"}, filter=IMMConfig()),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_tracks_raid_and_confirms_targets(name) -> None:
    _, outs = _run(FILTERS[name], _raid(1))
    last = outs[-1]
    conf = last.select(last.status == TrackStatus.CONFIRMED)
    assert 5 <= len(conf) <= 8, (name, len(conf))


def test_identical_seeds_identical_tracks() -> None:
    _, a = _run(FILTERS["imm"], _raid(4))
    _, b = _run(FILTERS["imm"], _raid(4))
    for fa, fb in zip(a, b, strict=True):
        for c in fa.columns():
            np.testing.assert_array_equal(getattr(fa, c), getattr(fb, c))


@pytest.mark.parametrize("name", ["ekf", "imm"])
def test_returned_frames_never_change_afterwards(name) -> None:
    """A Tracks frame the tracker returned must not alias its filter bank: later
    steps update the bank in place (regression: a returned frame used to show the
    states of a later scan on steps without deletions)."""
    tr = compile_tracker(FILTERS[name])
    kept = []
    for d in _raid(3, n_tgt=4, scans=15, clutter=0):
        t = float(d.t_s[0])
        for out in (tr.step(d, t), tr.tracks(t)):
            kept.append((out, {c: np.array(getattr(out, c)) for c in out.columns()}))
    for frame, copy in kept:
        for c, v in copy.items():
            np.testing.assert_array_equal(getattr(frame, c), v, err_msg=c)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), name=st.sampled_from(list(FILTERS)))
def test_covariances_psd_and_ids_never_reused(seed, name) -> None:
    tr = compile_tracker(FILTERS[name])
    deleted: set[int] = set()
    max_seen = 0
    for d in _raid(seed, n_tgt=4, scans=20, clutter=8):
        out = tr.step(d, float(d.t_s[0]))
        live = out.select(out.status != TrackStatus.DELETED)
        assert not (set(live.track_id.tolist()) & deleted)
        assert len(set(live.track_id.tolist())) == len(live)
        new = live.track_id[live.track_id > max_seen]
        max_seen = max(max_seen, int(live.track_id.max(initial=0)))
        assert np.all(np.diff(new) > 0)
        deleted |= set(out.track_id[out.status == TrackStatus.DELETED].tolist())
        P = tr._bank.P
        if len(P) == 0:  # (two-point initiation: no track before a pair)
            continue
        np.testing.assert_allclose(P, np.swapaxes(P, 1, 2), rtol=0, atol=1e-9 * np.abs(P).max())
        assert np.all(np.linalg.eigvalsh(P).min(axis=1) >= -1e-9 * np.abs(P).max(axis=(1, 2)))


def test_out_of_order_detections_are_counted_not_applied() -> None:
    scans = _raid(2, n_tgt=2, scans=6, clutter=0)
    tr = compile_tracker(TrackerConfig())
    for d in scans:
        tr.step(d, float(d.t_s[0]))
    before = tr.tracks(10.0)
    late = scans[2]
    tr.step(late, 10.0)
    assert tr.counters["out_of_order"] == len(late)
    after = tr.tracks(10.0)
    np.testing.assert_array_equal(after.e_m, before.e_m)


def test_mixed_times_in_one_batch_are_sorted() -> None:
    scans = _raid(3, n_tgt=3, scans=8, clutter=0)
    shuffled = Detections.concat(scans[::-1])
    a = compile_tracker(TrackerConfig())
    oa = a.step(shuffled, 14.0)
    b = compile_tracker(TrackerConfig())
    for d in scans:
        ob = b.step(d, 14.0)
    assert a.counters["out_of_order"] == 0
    np.testing.assert_allclose(oa.e_m[oa.status != 3], ob.e_m[ob.status != 3])


@pytest.mark.slow
def test_two_radar_fusion_beats_either_radar() -> None:
    """Centralized fusion of an accurate slow radar (3 s) and a coarser fast one (1 s)."""
    s1, s2 = np.array([0.0, 0.0, 10.0]), np.array([30e3, -10e3, 10.0])
    p0, v = np.array([20e3, 40e3, 6e3]), np.array([-150.0, -200.0, 0.0])
    err: dict[int, list[float]] = {1: [], 2: [], 3: []}
    for seed in range(4):
        rng = np.random.default_rng(seed)
        plots = []  # the same plots feed every configuration
        for t in np.arange(0.0, 60.0, 1.0):
            if t % 3 == 0:
                plots.append(
                    (
                        1,
                        polar_detections(
                            np.array([t]),
                            (p0 + v * t)[None],
                            s1,
                            (15.0, 1e-3, 1e-3),
                            rng,
                            radar_id=1,
                        ),
                    )
                )
            plots.append(
                (
                    2,
                    polar_detections(
                        np.array([t]), (p0 + v * t)[None], s2, (30.0, 2e-3, 2e-3), rng, radar_id=2
                    ),
                )
            )
        for which in (1, 2, 3):
            cfg = TrackerConfig(
                motion={"kind": "cv", "q_m2ps3": 1.0},
                association=GNNConfig(gate_probability=0.99999),
            )
            tr = compile_tracker(cfg)
            for radar, d in plots:
                if which in (radar, 3):
                    t = float(d.t_s[0])
                    out = tr.step(d, t)
                    if t >= 30 and t % 3 == 0 and radar == min(which, 2):  # common times
                        assert len(out) == 1
                        err[which].append(float(np.linalg.norm(out.pos_m()[0] - (p0 + v * t))))
            assert tr.counters["initiated"] == 1
    rmse = {k: float(np.sqrt(np.mean(np.square(e)))) for k, e in err.items()}
    assert rmse[3] < rmse[1] and rmse[3] < rmse[2], rmse


def _manoeuvre(seed: int):
    """Blair-style scene: straight, 5 g turn, straight, 7 g turn; measured in x, y."""
    rng = np.random.default_rng(seed)
    dt, v = 1.0, 300.0
    segs = [(30, 0.0), (15, 5 * 9.81 / v), (20, 0.0), (12, -7 * 9.81 / v), (25, 0.0)]
    x = np.array([0.0, 0.0, v, 0.0, 0.0])
    ct = CoordinatedTurn(ndim=2, q_m2ps3=0.0, q_omega_rad2ps3=0.0)
    truth = []
    for n, w in segs:
        for _ in range(n):
            x[4] = w
            x = ct.f(x[None], np.array([dt]))[0]
            truth.append(x[:2].copy())
    truth = np.array(truth)
    z = truth + rng.normal(0, 25.0, truth.shape)
    return truth, z


def _rmse_single(filt, truth, z) -> float:
    """Position RMSE of one filter fed every measurement (no association)."""
    x0 = np.zeros((1, filt.nx))
    x0[0, :2], x0[0, 2] = z[0], 300.0
    P0 = np.diag([625.0, 625.0, 50.0**2, 50.0**2, *[1e-3] * (filt.nx - 4)])[None]
    bank = filt.init_bank(x0, P0)
    one, zero, row = np.ones(1), np.zeros(1), np.zeros(1, np.int64)
    err = []
    for k in range(1, truth.shape[0]):
        bank = filt.predict(bank, one)
        m = Measurements.cartesian(np.array([float(k)]), z[k : k + 1], np.eye(2) * 625.0)
        bank, _ = filt.update(bank, m, row, one, zero, zero)
        if k >= 10:
            err.append(np.linalg.norm(bank.x[0, :2] - truth[k]))
    return float(np.sqrt(np.mean(np.square(err))))


@pytest.mark.slow
def test_imm_beats_cv_on_manoeuvring_target() -> None:
    cv = ConstantVelocity(ndim=2, q_m2ps3=1.0)
    imm = IMM(
        base=KalmanFilter(model=cv),
        models=(
            ZeroPadded(model=cv, nx_total=5),
            CoordinatedTurn(ndim=2, q_m2ps3=1.0, q_omega_rad2ps3=1e-3),
        ),
        sojourn_s=(20.0, 10.0),
        mu0=(0.9, 0.1),
    )
    ekf_imm = dataclasses.replace(imm, base=ExtendedKalmanFilter(model=cv))
    cv_tuned = ConstantVelocity(ndim=2, q_m2ps3=100.0)  # CV tuned for the turns
    r_cv, r_imm, r_eimm = [], [], []
    for seed in range(3):
        truth, z = _manoeuvre(seed)
        r_cv.append(_rmse_single(KalmanFilter(model=cv_tuned), truth, z))
        r_imm.append(_rmse_single(imm, truth, z))
        r_eimm.append(_rmse_single(ekf_imm, truth, z))
    assert np.mean(r_imm) < 0.9 * np.mean(r_cv), (r_imm, r_cv)
    assert np.mean(r_eimm) < 0.9 * np.mean(r_cv), (r_eimm, r_cv)


def test_observed_mask_spares_unseen_tracks() -> None:
    scans = _raid(5, n_tgt=2, scans=6, clutter=0)
    tr = compile_tracker(TrackerConfig())
    for d in scans:
        tr.step(d, float(d.t_s[0]))
    n = tr.n_tracks
    empty = Detections.empty()
    for k in range(5):  # no detections, nobody observed: nothing deleted
        tr.step(empty, 100.0 + k, observed=lambda p: np.zeros(p.shape[0], bool))
    assert tr.n_tracks == n


def test_default_config_compiles_for_the_engine() -> None:
    parts = compile_tracker_parts(TrackerConfig())
    assert parts.filter.ndim == 3 and isinstance(parts.associator, type(parts.associator))
    assert compile_tracker(TrackerConfig(association=GNNConfig(gate_mahalanobis=3.0))).n_tracks == 0


def test_visible_from_sector_wraps_through_north() -> None:
    from iadsim.tracking import visible_from

    f = visible_from(
        np.zeros(3), max_range_m=1000.0, az_min_rad=np.deg2rad(350), az_max_rad=np.deg2rad(10)
    )
    pos = np.array(
        [[0.0, 500.0, 0.0], [100.0, -500.0, 0.0], [-50.0, 900.0, 0.0], [0.0, 2000.0, 0.0]]
    )
    np.testing.assert_array_equal(f(pos), [True, False, True, False])


def test_sensor_aware_misses_spare_tracks_other_sensors_hold() -> None:
    # Multi-radar fusion: radar 0 holds the targets; radar 1 looks (empty looks and
    # looks with unrelated clutter) but never saw them, so it must not delete them.
    scans = _raid(6, n_tgt=2, scans=8, clutter=0)
    tr = compile_tracker(TrackerConfig())
    for d in scans:
        tr.step(d, float(d.t_s[0]), sensor_id=0)
    n_firm = int((tr.tracks(16.0).status != TrackStatus.TENTATIVE).sum())
    assert n_firm == 2
    for k in range(6):
        tr.miss(20.0 + k, sensor_id=1)
    assert int((tr.tracks(26.0).status != TrackStatus.TENTATIVE).sum()) == 2
    # the holding radar's own empty looks do charge misses (max_misses = 3)
    for k in range(4):
        tr.miss(27.0 + k, sensor_id=0)
    assert int((tr.tracks(31.0).status != TrackStatus.TENTATIVE).sum()) == 0


def test_firm_only_tracks_are_the_confirmed_and_coasting_rows() -> None:
    tr, outs = _run(TrackerConfig(), _raid(7))
    t = float(outs[-1].t_s[0]) + 1.0
    every, firm = tr.tracks(t), tr.tracks(t, firm_only=True)
    keep = every.status != TrackStatus.TENTATIVE
    assert len(firm) == int(keep.sum()) > 0
    for c in firm.columns():
        np.testing.assert_array_equal(getattr(firm, c), getattr(every, c)[keep])


def test_tracks_of_chosen_ids_are_those_rows_of_all_tracks() -> None:
    """A cue predicts only the cued track: the same bits as that row of every track."""
    tr, outs = _run(TrackerConfig(), _raid(7))
    t = float(outs[-1].t_s[0]) + 1.0
    every = tr.tracks(t)
    firm_ids = every.track_id[every.status != TrackStatus.TENTATIVE]
    np.testing.assert_array_equal(tr.firm_track_ids(), firm_ids)
    pick = np.concatenate([every.track_id[::3], [10**9]])  # an id no track has
    chosen = tr.tracks(t, track_ids=pick)
    keep = np.isin(every.track_id, pick)
    assert 0 < len(chosen) == int(keep.sum()) < len(every)
    for c in chosen.columns():
        np.testing.assert_array_equal(getattr(chosen, c), getattr(every, c)[keep])
    firm_pick = tr.tracks(t, firm_only=True, track_ids=pick)
    assert set(firm_pick.track_id.tolist()) == set(pick.tolist()) & set(firm_ids.tolist())
    assert len(tr.tracks(t, track_ids=np.array([10**9]))) == 0
