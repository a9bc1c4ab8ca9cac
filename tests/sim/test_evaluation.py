"""Evaluation: k-d tree nearest threat and lazy attribution against direct forms."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.frames import Tracks, TrackStatus, Truth
from iadsim.sim.evaluation import Evaluation, nearest_threat


def _truth(pos: np.ndarray, alive: np.ndarray) -> Truth:
    n, z = pos.shape[0], np.zeros(pos.shape[0])
    return Truth(
        t_s=z, threat_id=np.arange(n), e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2],
        ve_mps=z, vn_mps=z, vu_mps=z, alt_m=pos[:, 2], alive=alive,
    )  # fmt: skip


def _nearest_all_pairs(pos, truth, eligible, gate_m=10_000.0):
    out = np.full(pos.shape[0], -1)
    alive = truth.alive & eligible
    if not alive.any() or pos.shape[0] == 0:
        return out
    d = np.sqrt(np.sum((pos[:, None, :] - truth.pos_m()[alive][None]) ** 2, axis=-1))
    j = d.argmin(axis=1)
    ok = d[np.arange(j.size), j] <= gate_m
    out[ok] = truth.threat_id[alive][j[ok]]
    return out


@pytest.mark.parametrize("seed", range(10))
def test_nearest_threat_equals_all_pairs_argmin(seed) -> None:
    """Tracks on top of threats, between them and beyond the gate; coarse grids make
    ties: the tree gives the all-pairs argmin (lower row on ties) exactly."""
    rng = np.random.default_rng(seed)
    a, t = int(rng.integers(1, 700)), int(rng.integers(0, 500))
    tp = rng.uniform(-1e5, 1e5, (a, 3)).round(-3 if seed % 2 else 0)
    truth = _truth(tp, rng.random(a) < 0.8)
    pos = tp[rng.integers(0, a, t)] + rng.normal(0, 6000, (t, 3)).round(-3 if seed % 3 else 0)
    eligible = rng.random(a) < 0.7
    got = nearest_threat(pos, truth, eligible=eligible)
    np.testing.assert_array_equal(got, _nearest_all_pairs(pos, truth, eligible))
    assert (got >= 0).any() or t == 0


def _tracks(ids, pos, status) -> Tracks:
    n, z = len(ids), np.zeros(len(ids))
    cols = {c: z for c in Tracks.columns()}
    cols.update(
        track_id=np.asarray(ids, np.int64), status=np.asarray(status, np.int8),
        e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2], t_s=np.zeros(n),
    )  # fmt: skip
    return Tracks(**cols)


def test_salvo_attribution_is_at_the_last_look_with_plots() -> None:
    """``threats_of`` attributes the asked tracks, as the tracker holds them at the last
    observed look, to that look's truth among the threats detected by then (the direct
    form); tracks it does not hold are -1."""
    rng = np.random.default_rng(3)
    n_thr = 40
    ev = Evaluation(n_threats=n_thr, radar_pos_m=np.zeros((1, 3)))
    asked: list[float] = []
    for k in range(25):
        tp = rng.uniform(-3e4, 3e4, (n_thr, 3))
        truth = _truth(tp, rng.random(n_thr) < 0.9)
        ev.note_plots(rng.integers(0, n_thr, 5))
        ids = np.sort(rng.choice(np.arange(1, 60), 30, replace=False))
        pos = tp[rng.integers(0, n_thr, ids.size)] + rng.normal(0, 4000, (ids.size, 3))
        st = rng.choice([TrackStatus.TENTATIVE, TrackStatus.CONFIRMED], ids.size)
        tracks = _tracks(ids, pos, st)
        ev.observe(tracks, lambda truth=truth: truth, float(k), ids[:3], 0, k % 2 == 0)
    ask = np.arange(1, 60)

    def tracks_at(t_s: float) -> Tracks:
        asked.append(t_s)
        return tracks

    want = np.full(ask.size, -1)
    held = np.isin(ask, ids)
    want[held] = nearest_threat(pos[np.searchsorted(ids, ask[held])], truth, eligible=ev.detected)
    np.testing.assert_array_equal(ev.threats_of(ask, tracks_at), want)
    assert asked == [24.0] and (want >= 0).sum() > 10
    assert np.isfinite(ev.first_track_t_s).any() and np.isfinite(ev.first_fc_t_s).any()


def test_first_firm_track_is_the_first_change_row_of_a_firm_track() -> None:
    """A first firm track comes from the firm rows of a look's change record (tentative
    and deleted rows do not count); a later look does not move it."""
    tp = np.array([[1e4, 0.0, 1e3], [0.0, 2e4, 1e3]])
    truth = _truth(tp, np.ones(2, bool))
    ev = Evaluation(n_threats=2, radar_pos_m=np.zeros((1, 3)))
    ev.note_plots(np.array([0, 1]))
    none = np.zeros(0, np.int64)
    T, C, D = TrackStatus.TENTATIVE, TrackStatus.CONFIRMED, TrackStatus.DELETED
    ev.observe(_tracks([1, 2], tp + 100.0, [T, D]), lambda: truth, 0.0, none, 0, False)
    assert np.isnan(ev.first_track_t_s).all()
    ev.observe(_tracks([1], tp[:1] + 100.0, [C]), lambda: truth, 1.0, none, 0, False)
    ev.observe(_tracks([1, 3], tp + 50.0, [C, C]), lambda: truth, 2.0, none, 0, False)
    np.testing.assert_array_equal(ev.first_track_t_s, [1.0, 2.0])
    shift = np.array([[100.0], [50.0]])
    np.testing.assert_allclose(ev.first_track_range_m, np.linalg.norm(tp + shift, axis=1))


@pytest.mark.parametrize("seed", range(6))
def test_near_any_equals_the_all_pairs_minimum_distance(seed) -> None:
    """Both paths of near_any (all pairs when few, the k-d tree when many) keep every
    position whose nearest threat is within the gate and none beyond its slack."""
    from iadsim.sim.evaluation import ALL_PAIRS_NEAR, near_any

    rng = np.random.default_rng(seed)
    gate = 10_000.0
    for t, a in ((30, 12), (200, 1 + ALL_PAIRS_NEAR // 200)):  # few pairs, many pairs
        pos = rng.uniform(-6e4, 6e4, (t, 3))
        thr = rng.uniform(-6e4, 6e4, (a, 3))
        k = min(t // 4, a)
        thr[:k] = pos[:k] + rng.normal(0, 4e3, (k, 3))  # some near a position
        dmin = np.linalg.norm(pos[:, None] - thr[None], axis=-1).min(axis=1)
        got = near_any(pos, thr, gate)
        assert got.dtype == bool and got.shape == (t,)
        np.testing.assert_array_equal(got, dmin <= gate)  # (no distance within the slack)
        assert 0 < got.sum() < t
