"""GOSPA/OSPA over time, truth-time matching and the frame wrapper.

Oracles: the single-time kernels (batched vs one-at-a-time) and Stone Soup
1.9.1 ``GOSPAMetric.compute_over_time`` (dstl/Stone-Soup,
``stonesoup/metricgenerator/ospametric.py``; switching penalty 0).
"""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from iadsim.analysis.metrics import (
    evaluation_times,
    gospa,
    interpolate_truth,
    match_truth_times,
    ospa,
    score_frames,
    set_metrics_over_time,
)
from iadsim.frames import Tracks, TrackStatus, Truth

stonesoup_ospa = pytest.importorskip("stonesoup.metricgenerator.ospametric")
stonesoup_state = pytest.importorskip("stonesoup.types.state")


def random_rows(rng: np.random.Generator, n_times: int, max_n: int):
    times, pos = [], []
    for k in range(n_times):
        n = int(rng.integers(0, max_n + 1))
        times += [float(k)] * n
        pos.append(rng.uniform(0.0, 100.0, (n, 2)))
    return np.array(times), np.vstack(pos)


@pytest.mark.parametrize(("c", "p"), [(20.0, 1.0), (50.0, 2.0)])
def test_series_equals_single_time_calls(c: float, p: float) -> None:
    rng = np.random.default_rng(2026)
    tt, tp = random_rows(rng, 15, 5)
    kt, kp = random_rows(rng, 15, 6)
    s = set_metrics_over_time(tt, tp, kt, kp, c_m=c, p=p)
    assert s.t_s.tolist() == sorted(set(tt) | set(kt))
    for i, t in enumerate(s.t_s):
        g = gospa(tp[tt == t], kp[kt == t], c_m=c, p=p)
        assert s.gospa_m[i] == pytest.approx(g.gospa_m, rel=1e-12)
        assert s.missed_pow[i] == pytest.approx(g.missed_pow)
        assert s.false_pow[i] == pytest.approx(g.false_pow)
        assert s.localisation_pow[i] == pytest.approx(g.localisation_pow, abs=1e-9)
        assert s.ospa_m[i] == pytest.approx(ospa(tp[tt == t], kp[kt == t], c_m=c, p=p).ospa_m)
        assert s.n_assigned[i] == g.n_assigned
    assert s.gospa_mean_m == pytest.approx(np.mean(s.gospa_m))
    assert s.truth_row.size == s.track_row.size == int(np.sum(s.n_assigned))
    assert np.all(tt[s.truth_row] == kt[s.track_row])  # pairs share their time
    assert np.all(s.distance_m < c)


def test_series_matches_stonesoup_over_time() -> None:
    rng = np.random.default_rng(99)
    tt, tp = random_rows(rng, 8, 4)
    kt, kp = random_rows(rng, 8, 4)
    t0 = datetime.datetime(2026, 1, 1)

    def states(times, pos):
        return [
            stonesoup_state.State(x.reshape(-1, 1), timestamp=t0 + datetime.timedelta(seconds=t))
            for t, x in zip(times, pos, strict=True)
        ]

    metric = stonesoup_ospa.GOSPAMetric(c=30.0, p=2.0)
    ref = metric.compute_over_time(
        states(kt, kp), list(range(kt.size)), states(tt, tp), [0] * tt.size
    )
    ours = set_metrics_over_time(tt, tp, kt, kp, c_m=30.0, p=2.0)
    ref_times = [(m.timestamp - t0).total_seconds() for m in ref.value]
    assert ref_times == ours.t_s.tolist()
    np.testing.assert_allclose([m.value["distance"] for m in ref.value], ours.gospa_m, rtol=1e-9)
    np.testing.assert_allclose([m.value["missed"] for m in ref.value], ours.missed_pow)
    np.testing.assert_allclose([m.value["false"] for m in ref.value], ours.false_pow)


def test_explicit_eval_times_include_empty_steps() -> None:
    s = set_metrics_over_time(
        [1.0], [[0.0, 0.0]], [], np.zeros((0, 2)), c_m=10.0, eval_t_s=[0.0, 1.0, 2.0]
    )
    assert s.gospa_m.tolist() == [0.0, 10.0 / 2, 0.0]
    with pytest.raises(ValueError, match="evaluation times"):
        set_metrics_over_time([5.0], [[0.0, 0.0]], [], np.zeros((0, 2)), c_m=1.0, eval_t_s=[0.0])


def test_match_truth_times_nearest_within_tolerance() -> None:
    truth_t = np.array([0.0, 0.0, 1.0, 1.0, 2.0])
    alive = np.array([True, True, True, False, True])
    eval_t = np.array([0.02, 0.98, 1.04, 1.5, 2.0])
    row, row_t, kept = match_truth_times(truth_t, eval_t, tol_s=0.05, truth_keep=alive)
    # 0.02 -> sample 0 (rows 0, 1); 0.98 and 1.04 -> sample 1 (row 2 alive only, twice);
    # 1.5 -> nothing within 0.05 (dropped); 2.0 -> sample 2 (row 4)
    assert kept.tolist() == [0.02, 0.98, 1.04, 2.0]
    assert row.tolist() == [0, 1, 2, 2, 4]
    assert row_t.tolist() == [0.02, 0.02, 0.98, 1.04, 2.0]
    row, _, kept = match_truth_times(truth_t, eval_t, tol_s=1e-6)
    assert kept.tolist() == [2.0] and row.tolist() == [4]


def _truth(t, tid, e, alive=None) -> Truth:
    n = len(t)
    z = np.zeros(n)
    return Truth(
        t_s=t,
        threat_id=tid,
        e_m=e,
        n_m=z,
        u_m=z + 1000.0,
        ve_mps=z + 200.0,
        vn_mps=z,
        vu_mps=z,
        alt_m=z,
        alive=np.ones(n, bool) if alive is None else alive,
    )


def _tracks(t, kid, status, e) -> Tracks:
    n = len(t)
    z = np.zeros(n)
    return Tracks(
        t_s=t,
        track_id=kid,
        status=status,
        e_m=e,
        n_m=z,
        u_m=z + 1000.0,
        ve_mps=z + 190.0,
        vn_mps=z,
        vu_mps=z,
        var_e_m2=z,
        var_n_m2=z,
        var_u_m2=z,
        var_ve_m2ps2=z,
        var_vn_m2ps2=z,
        var_vu_m2ps2=z,
        quality=z,
    )


def test_score_frames_confirmed_only_and_alive_only() -> None:
    # one threat alive for t = 0..3 (dies at t = 3), truth sampled every 1 s
    truth = _truth(
        [0.0, 1.0, 2.0, 3.0],
        [1] * 4,
        [0.0, 200.0, 400.0, 600.0],
        alive=np.array([True, True, True, False]),
    )
    tent, conf = TrackStatus.TENTATIVE, TrackStatus.CONFIRMED
    tracks = _tracks(
        [0.0, 1.0, 2.0, 3.0], [5] * 4, [tent, conf, conf, conf], [2.0, 202.0, 402.0, 602.0]
    )
    s = score_frames(truth, tracks, c_m=50.0)
    # t = 0: tentative track ignored -> 1 missed; t = 3: dead truth -> 1 false
    assert s.series.t_s.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert s.series.gospa_m.tolist() == pytest.approx([25.0, 2.0, 2.0, 25.0])
    assert s.continuity.time_to_track_s.tolist() == [1.0]
    assert s.pos_rmse_m == pytest.approx(2.0) and s.vel_rmse_mps == pytest.approx(10.0)
    all_tracks = score_frames(truth, tracks, c_m=50.0, statuses=None)
    assert all_tracks.series.gospa_m[0] == pytest.approx(2.0)
    assert all_tracks.continuity.time_to_track_s.tolist() == [0.0]
    # 2-D scoring ignores the height
    flat = score_frames(truth, tracks, c_m=50.0, n_dim=2)
    assert flat.pos_rmse_m == pytest.approx(2.0)
    # a track between truth samples: truth interpolated (e = 100 m at t = 0.5 s) ...
    off_grid = score_frames(truth, _tracks([0.5], [5], [conf], [100.0]), c_m=50.0)
    assert off_grid.series.t_s.tolist() == [0.5] and off_grid.series.gospa_m[0] == 0.0
    # ... or, with nearest matching and a small tolerance, dropped
    near = score_frames(
        truth,
        _tracks([0.5], [5], [conf], [100.0]),
        c_m=50.0,
        time_match="nearest",
        fill_gap_s=np.inf,
    )
    assert near.n_times_dropped == 1 and near.series.t_s.size == 0


def test_score_frames_position_nees_from_variance_diagonal() -> None:
    truth = _truth([0.0, 1.0], [1, 1], [0.0, 200.0])
    conf = TrackStatus.CONFIRMED
    base = _tracks([0.0, 1.0], [5, 5], [conf, conf], [2.0, 204.0])
    var = {"var_e_m2": np.array([4.0, 4.0]), "var_n_m2": np.ones(2), "var_u_m2": np.ones(2)}
    tracks = Tracks(**{**{c: getattr(base, c) for c in Tracks.columns()}, **var})
    s = score_frames(truth, tracks, c_m=50.0)
    # e errors 2 and 4 m with var 4 m^2 -> NEES 1 and 4 (n, u errors are 0)
    assert s.n_pairs == 2 and s.n_dim == 3
    assert s.pos_nees_mean == pytest.approx((1.0 + 4.0) / 2)
    assert np.isnan(score_frames(truth, base, c_m=50.0).pos_nees_mean)  # zero variances


def test_interpolate_truth_linear_and_alive_rules() -> None:
    t = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
    tid = np.array([1, 2, 1, 2, 1, 2])
    x = np.array([0.0, 10.0, 100.0, 30.0, 400.0, 50.0])
    alive = np.array([True, True, True, True, True, False])  # threat 2 dies in (1, 2]
    ev = [-1.0, 0.25, 1.0, 1.5, 2.0, 3.0]
    ids, row_t, vals, kept = interpolate_truth(t, tid, x[:, None], ev, alive=alive)
    assert kept.tolist() == [0.25, 1.0, 1.5, 2.0]
    assert list(zip(ids.tolist(), row_t.tolist(), strict=True)) == [
        (1, 0.25),
        (1, 1.0),
        (1, 1.5),
        (1, 2.0),
        (2, 0.25),
        (2, 1.0),
    ]
    expect = np.concatenate(
        [
            np.interp([0.25, 1.0, 1.5, 2.0], t[tid == 1], x[tid == 1]),
            np.interp([0.25, 1.0], t[tid == 2], x[tid == 2]),
        ]
    )
    np.testing.assert_allclose(vals[:, 0], expect)


def test_evaluation_times_fill_reporting_gaps() -> None:
    truth_t = np.arange(21.0)
    track_t = np.array([10.0, 11.0, 12.0])
    gap = 2.0 * 1.0  # default: twice the median track spacing
    expect = sorted(set(track_t) | {t for t in truth_t if np.min(np.abs(track_t - t)) > gap})
    assert evaluation_times(track_t, truth_t).tolist() == expect
    assert evaluation_times([], truth_t).tolist() == truth_t.tolist()
    assert evaluation_times(track_t, truth_t, fill_gap_s=np.inf).tolist() == track_t.tolist()


def test_score_frames_without_tracks_counts_every_live_target_missed() -> None:
    truth = _truth([0.0, 0.0, 1.0, 1.0], [1, 2, 1, 2], [0.0, 500.0, 200.0, 700.0])
    s = score_frames(truth, Tracks.empty(), c_m=40.0, p=1.0)
    assert s.series.t_s.tolist() == [0.0, 1.0]
    np.testing.assert_allclose(s.series.gospa_m, 2 * 40.0 / 2)
    assert s.continuity.n_truth_tracked == 0 and np.isnan(s.continuity.mean_time_to_track_s)


def test_score_frames_end_to_end_off_grid_tracker_with_swap() -> None:
    """Truth on a 1 s grid, tracker reports at t = k + 0.3 s with fixed offsets.

    Two targets fly straight lines 2 km apart (so linear interpolation of truth
    is exact); track 10 follows target 0 and track 11 target 1 until report
    ``k_swap``, then they swap; the first ``n_tent`` reports are tentative.
    Expected figures follow from that construction.
    """
    n_steps, k_swap, n_tent = 30, 12, 3
    speed_mps = np.array([200.0, -150.0])
    t = np.arange(n_steps + 1, dtype=float)
    tid = np.repeat([0, 1], t.size)
    tt = np.tile(t, 2)
    e = np.where(tid == 0, 0.0, 5000.0) + speed_mps[tid] * tt
    truth = Truth(
        t_s=tt,
        threat_id=tid,
        e_m=e,
        n_m=2000.0 * tid,
        u_m=np.full(tt.size, 3000.0),
        ve_mps=speed_mps[tid],
        vn_mps=np.zeros(tt.size),
        vu_mps=np.zeros(tt.size),
        alt_m=np.full(tt.size, 3000.0),
        alive=np.ones(tt.size, bool),
    )
    rep_t = np.arange(n_steps, dtype=float) + 0.3
    k = np.arange(n_steps)
    rows = []
    for track, own in ((10, 0), (11, 1)):
        target = np.where(k < k_swap, own, 1 - own)
        rows.append((rep_t, np.full(n_steps, track), target))
    kt = np.concatenate([r[0] for r in rows])
    kid = np.concatenate([r[1] for r in rows])
    target = np.concatenate([r[2] for r in rows])
    offset = np.array([6.0, 8.0, 0.0])  # 10 m
    pos = (
        np.stack(
            [
                np.where(target == 0, 0.0, 5000.0) + speed_mps[target] * kt,
                2000.0 * target,
                np.full(kt.size, 3000.0),
            ],
            axis=-1,
        )
        + offset
    )
    status = np.where(np.tile(k, 2) < n_tent, TrackStatus.TENTATIVE, TrackStatus.CONFIRMED)
    z = np.zeros(kt.size)
    tracks = Tracks(
        t_s=kt,
        track_id=kid,
        status=status,
        e_m=pos[:, 0],
        n_m=pos[:, 1],
        u_m=pos[:, 2],
        ve_mps=speed_mps[target],
        vn_mps=z,
        vu_mps=z,
        var_e_m2=z + 100.0,
        var_n_m2=z + 100.0,
        var_u_m2=z + 100.0,
        var_ve_m2ps2=z,
        var_vn_m2ps2=z,
        var_vu_m2ps2=z,
        quality=z,
    )
    order = np.argsort(kt, kind="stable")
    tracks = tracks.select(order)
    s = score_frames(truth, tracks, c_m=50.0, p=1.0)
    c = 50.0
    assert s.series.t_s.tolist() == rep_t.tolist() and s.n_times_dropped == 0
    tent = s.series.t_s < n_tent
    np.testing.assert_allclose(s.series.gospa_m[tent], 2 * c / 2)  # both missed
    np.testing.assert_allclose(s.series.gospa_m[~tent], 2 * np.linalg.norm(offset))
    np.testing.assert_allclose(s.pos_rmse_m, np.linalg.norm(offset))
    np.testing.assert_allclose(s.vel_rmse_mps, 0.0, atol=1e-9)
    np.testing.assert_allclose(s.pos_nees_mean, offset @ offset / 100.0)
    cont = s.continuity
    assert cont.id_switches == 2 and cont.fragmentations == 2  # one swap per target
    # first confirmed report is at n_tent + 0.3 s; truth starts at 0 s
    np.testing.assert_allclose(cont.time_to_track_s, n_tent + 0.3)
    confirmed = n_steps - n_tent
    np.testing.assert_allclose(cont.purity, max(k_swap - n_tent, n_steps - k_swap) / confirmed)
