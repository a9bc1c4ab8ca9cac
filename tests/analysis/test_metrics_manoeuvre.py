"""Turn rate and the straight/turning RMSE split (analysis.metrics.manoeuvre)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from iadsim.analysis.metrics.manoeuvre import manoeuvre_score, turn_rate_rad_s
from iadsim.frames import Tracks, TrackStatus, Truth

SPEED = 200.0
OMEGA = math.radians(3.0)  # standard-rate turn


def _paths() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target 0 flies 100 s straight east then turns left at 3 deg/s; target 1 flies north."""
    t = np.arange(0.0, 200.0)
    straight = t < 100.0
    tau = np.maximum(t - 100.0, 0.0)
    radius = SPEED / OMEGA
    e0 = np.where(straight, SPEED * t, SPEED * 100.0 + radius * np.sin(OMEGA * tau))
    n0 = np.where(straight, 0.0, radius * (1.0 - np.cos(OMEGA * tau)))
    return t, np.stack([e0, n0]), np.stack([np.full_like(t, 5e4), SPEED * t])


def test_turn_rate_is_the_circle_rate_and_zero_on_straight_legs() -> None:
    t, p0, p1 = _paths()
    ids = np.r_[np.zeros(t.size, int), np.ones(t.size, int)]
    rate = turn_rate_rad_s(
        np.r_[t, t], ids, np.r_[p0[0], p1[0]], np.r_[p0[1], p1[1]], window_s=10.0
    )
    r0, r1 = rate[: t.size], rate[t.size :]
    np.testing.assert_allclose(r0[(t > 120) & (t < 180)], OMEGA, rtol=1e-9)
    np.testing.assert_allclose(r0[(t > 20) & (t < 80)], 0.0, atol=1e-12)
    np.testing.assert_allclose(r1, 0.0, atol=1e-12)
    # shuffled input order gives the same rates, row by row
    perm = np.random.default_rng(0).permutation(ids.size)
    again = turn_rate_rad_s(
        np.r_[t, t][perm], ids[perm], np.r_[p0[0], p1[0]][perm], np.r_[p0[1], p1[1]][perm]
    )
    np.testing.assert_allclose(again, rate[perm])


def _frames(offset_straight_m: float, offset_turn_m: float) -> tuple[Truth, Tracks]:
    t, p0, p1 = _paths()
    n = t.size
    z = np.zeros(2 * n)
    truth = Truth(
        t_s=np.r_[t, t], threat_id=np.r_[np.zeros(n, int), np.ones(n, int)],
        e_m=np.r_[p0[0], p1[0]], n_m=np.r_[p0[1], p1[1]], u_m=z + 3000.0,
        ve_mps=z, vn_mps=z, vu_mps=z, alt_m=z + 3000.0, alive=np.ones(2 * n, bool),
    )  # fmt: skip
    turning = np.r_[t >= 105.0, np.zeros(n, bool)]  # well inside the turn (window 10 s)
    off = np.where(turning, offset_turn_m, offset_straight_m)
    tt = np.r_[t, t]
    # a track every 5 s, none while the turn rate ramps up (t in [96, 105) s)
    rows = np.flatnonzero((tt % 5.0 == 0.0) & ~((tt >= 96.0) & (tt < 105.0)))
    tracks = Tracks(
        t_s=truth.t_s[rows], track_id=truth.threat_id[rows] + 10,
        status=np.full(rows.size, TrackStatus.CONFIRMED, dtype=np.int8),
        e_m=truth.e_m[rows] + off[rows], n_m=truth.n_m[rows], u_m=truth.u_m[rows],
        ve_mps=z[rows], vn_mps=z[rows], vu_mps=z[rows],
        var_e_m2=z[rows] + 1.0, var_n_m2=z[rows] + 1.0, var_u_m2=z[rows] + 1.0,
        var_ve_m2ps2=z[rows], var_vn_m2ps2=z[rows], var_vu_m2ps2=z[rows], quality=z[rows],
    )  # fmt: skip
    return truth, tracks


def test_rmse_is_split_at_the_turn() -> None:
    truth, tracks = _frames(30.0, 120.0)
    ms = manoeuvre_score(truth, tracks, c_m=2000.0)
    assert ms.rmse_straight_m == pytest.approx(30.0)
    assert ms.rmse_turning_m == pytest.approx(120.0)
    assert ms.n_pairs_straight + ms.n_pairs_turning == ms.score.n_pairs
    n_turn_rows = int(np.sum((tracks.t_s >= 105.0) & (tracks.track_id == 10)))
    assert ms.n_pairs_turning == n_turn_rows
    total = math.sqrt(
        (ms.n_pairs_straight * 30.0**2 + ms.n_pairs_turning * 120.0**2) / ms.score.n_pairs
    )
    assert ms.score.pos_rmse_m == pytest.approx(total)  # the split adds up to score_frames'


def test_perfect_tracks_score_zero() -> None:
    truth, tracks = _frames(0.0, 0.0)
    ms = manoeuvre_score(truth, tracks, c_m=2000.0)
    assert ms.rmse_straight_m == 0.0 and ms.rmse_turning_m == 0.0
    assert ms.score.continuity.id_switches == 0
    assert ms.score.series.gospa_mean_m == pytest.approx(0.0, abs=1e-9)
