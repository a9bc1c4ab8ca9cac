"""Threat evaluation against hand-computed straight-line geometry."""

from __future__ import annotations

import numpy as np
import pytest
from c2_helpers import make_tracks

from iadsim.c2 import ThreatParams, evaluate_threats
from iadsim.c2.threat import (
    BALLISTIC,
    CRUISE_MISSILE,
    DRONE,
    FIGHTER,
    classify,
    cpa,
    threat_eval_events,
)


def test_cpa_hand_geometry():
    pos = np.array([[-20e3, 5e3, 0.0], [20e3, 0.0, 0.0], [10e3, 0.0, 3e3], [1e3, 0.0, 0.0]])
    vel = np.array([[200.0, 0, 0], [100.0, 0, 0], [-100.0, -100.0, 0], [0.0, 0, 0]])
    miss, tgo = cpa(pos, vel, np.zeros((1, 3)))
    # 1: crosses x = 0 at t = 20 km / 200 m/s = 100 s, 5 km abeam
    # 2: receding: closest now, 20 km
    # 3: d.v = -1e6, |v|^2 = 2e4 -> t = 50 s; at t: (5, -5, 3) km -> sqrt(59) km
    # 4: stationary: t = 0, 1 km
    np.testing.assert_allclose(tgo[:, 0], [100.0, 0.0, 50.0, 0.0])
    np.testing.assert_allclose(miss[:, 0], [5e3, 20e3, np.sqrt(59e6), 1e3])


def test_cpa_against_dense_sampling():
    rng = np.random.default_rng(11)
    pos = rng.uniform(-50e3, 50e3, (20, 3))
    vel = rng.uniform(-300, 300, (20, 3))
    sites = rng.uniform(-10e3, 10e3, (3, 3))
    miss, tgo = cpa(pos, vel, sites)
    t = np.linspace(0, 2000, 200_001)
    for k in range(20):
        for s in range(3):
            d = np.linalg.norm(pos[k] + vel[k] * t[:, None] - sites[s], axis=1)
            j = np.argmin(d)
            assert miss[k, s] == pytest.approx(d[j], abs=1.0)
            if 0 < j < t.size - 1:
                assert tgo[k, s] == pytest.approx(t[j], abs=0.02)


def test_classification_rules():
    params = ThreatParams(site_pos_m=np.zeros((1, 3)), site_value=np.ones(1))
    pos = np.array([[0, 0, 10e3], [0, 0, 50.0], [0, 0, 1e3], [0, 0, 40e3], [0, 0, 100.0]])
    vel = np.array([[250.0, 0, 0], [240.0, 0, 0], [50.0, 0, 0], [0, 0, -2000.0], [400.0, 0, 0]])
    assert classify(pos, vel, params).tolist() == [FIGHTER, CRUISE_MISSILE, DRONE, BALLISTIC,
                                                   FIGHTER]  # fmt: skip


def test_value_formula_ranking_and_propagation():
    params = ThreatParams(
        site_pos_m=np.array([[0.0, 0.0, 0.0], [0.0, 50e3, 0.0]]),
        site_value=np.array([10.0, 4.0]),
        miss_scale_m=10e3,
        urgency_s=120.0,
    )
    # track 7 heads straight at site 0; track 3 passes 20 km abeam of site 0 and
    # overflies site 1; track 5 is tentative and must be dropped.
    tr = make_tracks(
        [[-60e3, 0.0, 8e3], [-60e3, 50e3, 8e3], [0.0, 0.0, 8e3]],
        [[250.0, 0, 0], [250.0, 0, 0], [250.0, 0, 0]],
        ids=[7, 3, 5],
    )
    tr = tr.select(np.array([0, 1, 2]))
    tr = type(tr)(**{**{c: getattr(tr, c) for c in tr.columns()},
                     "status": np.array([1, 1, 0], dtype=np.int8)})  # fmt: skip
    ta = evaluate_threats(tr, 40.0, params)  # propagated 40 s (10 km) from t = 0
    assert ta.track_id.tolist() == [7, 3]
    np.testing.assert_allclose(ta.pos_m[:, 0], [-50e3, -50e3])
    tgo = 50e3 / 250.0
    u = 120.0 / (120.0 + tgo)
    g8 = np.exp(-0.5 * (8e3 / 10e3) ** 2)  # 8 km altitude is the CPA miss
    miss3 = np.hypot(50e3, 8e3)
    want_7 = max(10 * g8 * u, 4 * np.exp(-0.5 * (miss3 / 10e3) ** 2) * u)
    want_3 = max(10 * np.exp(-0.5 * (miss3 / 10e3) ** 2) * u, 4 * g8 * u)
    np.testing.assert_allclose(ta.value, [want_7, want_3], rtol=1e-12)
    assert ta.site.tolist() == [0, 1]
    assert ta.rank.tolist() == [0, 1]
    assert ta.threat_class.tolist() == [FIGHTER, FIGHTER]


def test_params_validation():
    with pytest.raises(ValueError, match="value > 0"):
        ThreatParams(site_pos_m=np.zeros((2, 3)), site_value=np.array([1.0]))


def test_classification_height_accounts_for_earth_curvature():
    """A 100 m sea-skimmer 200 km out sits ~3.1 km below the tangent plane (d^2 / 2R)."""
    params = ThreatParams(site_pos_m=np.zeros((1, 3)), site_value=np.ones(1))
    d = 200e3
    u = 100.0 - d**2 / (2 * 6_371_008.8)
    pos = np.array([[0.0, d, u], [0.0, d, 2000.0 + u]])
    vel = np.array([[0.0, -240.0, 0.0], [0.0, -240.0, 0.0]])
    assert classify(pos, vel, params).tolist() == [CRUISE_MISSILE, FIGHTER]


def test_no_confirmed_tracks_gives_empty_assessment():
    """Tentative/coasting only: an assessment of 0 rows with the documented shapes."""
    params = ThreatParams(site_pos_m=np.zeros((2, 3)), site_value=np.ones(2))
    for status in (0, 2):
        tr = make_tracks(np.array([[1e3, 2e4, 500.0]]), np.array([[0.0, -200.0, 0.0]]),
                         status=status)  # fmt: skip
        ta = evaluate_threats(tr, 5.0, params)
        assert ta.t_s == 5.0
        assert ta.pos_m.shape == ta.vel_mps.shape == (0, 3)
        assert ta.cpa_m.shape == ta.tgo_s.shape == ta.value_ts.shape == (0, 2)
        for a in (ta.track_id, ta.threat_class, ta.site, ta.rank):
            assert a.shape == (0,) and a.dtype == np.int64
        assert len(threat_eval_events(ta)) == 0


def test_threat_eval_events_columns():
    """Same frame as make_events builds: one row per track, text and numbers per row."""
    from iadsim.frames import make_events

    params = ThreatParams(site_pos_m=np.zeros((2, 3)), site_value=np.array([3.0, 1.0]))
    tr = make_tracks(np.array([[1e3, 4e4, 500.0], [-2e3, 6e4, 9e3]]),
                     np.array([[0.0, -200.0, 0.0], [10.0, -300.0, 0.0]]), ids=[7, 4])  # fmt: skip
    ta = evaluate_threats(tr, 3.0, params)
    got = threat_eval_events(ta)
    rows = np.arange(2)
    detail = [
        f"{['fighter', 'cruise_missile', 'drone', 'ballistic'][c]} site={s} rank={r} "
        f"cpa_m={m:.0f} tgo_s={g:.1f}"
        for c, s, r, m, g in zip(ta.threat_class, ta.site, ta.rank, ta.cpa_m[rows, ta.site],
                                 ta.tgo_s[rows, ta.site], strict=True)
    ]  # fmt: skip
    want = make_events(np.full(2, 3.0), "threat_eval", track_id=ta.track_id, value=ta.value,
                       detail=detail)  # fmt: skip
    assert got.to_arrow().equals(want.to_arrow())
    assert got.detail[0].startswith("fighter site=0 rank=")
