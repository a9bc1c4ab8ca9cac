"""Two-point initiation in a formation (issue 14): pairs of two aircraft's plots.

Four aircraft 2 km abreast, across the line of sight of a radar 280 km away whose
cross-range noise (3 mrad: 840 m) is comparable to the spacing, seen every 3 s with
Pd 0.6, the plots of a look spread over 40 ms (a sector look). When an aircraft's
own second plot is missing, the two-point gate (1,200 m/s x 3 s) holds its
neighbours', and the pair of two aircraft's plots starts a track whose velocity is
hundreds of m/s wrong with a variance of tens: with the tracker of the
s400-vs-mixed-raid preset such tracks confirm. The invariant: no confirmed track's
velocity at confirmation is more than ``N_SIGMA`` per-axis sigmas from the velocity
of the aircraft nearest to it.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracking_helpers import polar_detections, preset_tracker

from iadsim.frames import TrackStatus
from iadsim.tracking.tracker import Tracker

SENSOR = np.array([0.0, 0.0, 10.0])
N_SIGMA = 6.0  # per axis: a consistent track is beyond 6 sigma with p ~ 1e-8 per axis


def _scene(n_looks: int, dt_s: float = 3.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Look times (k,), positions (k, 4, 3) and the common velocity (3,) of four
    aircraft 2 km apart east-west, flying north at 260 m/s, 280 km north."""
    t = 100.0 + np.arange(n_looks) * dt_s
    v = np.array([0.0, 260.0, 0.0])
    pos = np.zeros((n_looks, 4, 3))
    pos[:, :, 0] = (np.arange(4) - 1.5) * 2_000.0 + 30.0 * np.arange(4)  # a slight echelon
    pos[:, :, 1] = 280_000.0 + v[1] * (t[:, None] - t[0])
    pos[:, :, 2] = 6_000.0
    return t, pos, v


def _worst_confirmation_error(
    tracker: Tracker, seed: int, n_looks: int = 40, sig_az: float = 3e-3, pd: float = 0.6
) -> float:
    """Largest per-axis velocity error (sigmas) of a track at its first confirmed row,
    against the aircraft nearest to it."""
    t, pos, v = _scene(n_looks)
    rng = np.random.default_rng(seed)
    sig = (15.0, sig_az, sig_az)
    seen: set[int] = set()
    worst = 0.0
    for k in range(t.shape[0]):
        det_rows = (rng.random(4) < pd).nonzero()[0]
        ts = t[k] + 0.01 * det_rows  # a sector look: each plot at its own time
        p = pos[k, det_rows] + v * (ts - t[k])[:, None]
        det = polar_detections(ts, p, SENSOR, sig, rng)
        f = tracker.step(det, float(t[k]), sensor_id=0, observed=None, batch=True)
        new = (f.status == TrackStatus.CONFIRMED) & ~np.isin(f.track_id, list(seen))
        for r in new.nonzero()[0]:
            seen.add(int(f.track_id[r]))
            est = np.array([f.ve_mps[r], f.vn_mps[r], f.vu_mps[r]])
            sd = np.sqrt([f.var_ve_m2ps2[r], f.var_vn_m2ps2[r], f.var_vu_m2ps2[r]])
            worst = max(worst, float(np.max(np.abs(est - v) / sd)))
    return worst


# Three-point initiation of ambiguous pairs (plot_pairs; opt-in, see the s400 preset).
THREE_POINT = {"third_plot": "ambiguous", "chain_check": True, "ambiguous_hits": 1}


@pytest.mark.xfail(strict=True, reason="issue 14: pairs of two aircraft's plots confirm")
@pytest.mark.parametrize("initiation", [{}, THREE_POINT])
def test_no_confirmed_formation_track_starts_from_two_aircraft(
    initiation: dict[str, object],
) -> None:
    """Over 12 random scenes, every confirmed track's velocity at confirmation is
    within N_SIGMA of the formation's (all four fly the same velocity). Fails today:
    a pair of two aircraft's plots confirms with a cross-range velocity error of
    hundreds of m/s, tens of sigmas (strict xfail: passing means issue 14 is fixed).
    Three-point initiation does not fix this scene (worst 6.9 sigma
    against 6.8 without: 840 m of cross-range noise against 2 km spacing)."""
    worst = [_worst_confirmation_error(preset_tracker(**initiation), seed) for seed in range(12)]
    assert max(worst) <= N_SIGMA, worst


# A four-ship seen first with alternating plots: look A aircraft 1, look B 0 and 2,
# look C 1 and 3, then all four. The plots 0 (B), 1 (C), 2 (D), 3 (E), and 1 (A),
# 2 (B), 3 (C), are each one target flying 667 m/s across the formation: a chain the
# pair's kinematics (two or three plots) cannot tell from the aircraft; the chain
# check (plot_pairs.chain_rejected) does: aircraft 1's own plot on look C is a likelier
# partner of its plot on look A than the chain's third plot.
CHAIN_LOOKS = [(1,), (0, 2), (1, 3)]


def _chain_errors(tracker: Tracker, seed: int, n_looks: int = 12) -> list[float]:
    """Per confirmed track, its velocity error at confirmation (largest axis, sigmas)
    in the chain scene (four aircraft 2 km abreast 150 km out, flying at the radar at
    260 m/s, 0.5 mrad angle noise: 75 m across, so every plot is where it is)."""
    t = 100.0 + np.arange(n_looks) * 3.0
    v = np.array([0.0, -260.0, 0.0])
    pos = np.zeros((n_looks, 4, 3))
    pos[:, :, 0] = (np.arange(4) - 1.5) * 2_000.0
    pos[:, :, 1] = 150_000.0 + v[1] * (t[:, None] - t[0])
    pos[:, :, 2] = 6_000.0
    rng = np.random.default_rng(seed)
    err: dict[int, float] = {}
    for k in range(n_looks):
        rows = np.array(CHAIN_LOOKS[k] if k < len(CHAIN_LOOKS) else range(4))
        det = polar_detections(np.full(rows.shape[0], t[k]), pos[k, rows], SENSOR,
                               (15.0, 5e-4, 5e-4), rng)  # fmt: skip
        f = tracker.step(det, float(t[k]), sensor_id=0, observed=None, batch=True)
        for r in (f.status == TrackStatus.CONFIRMED).nonzero()[0]:
            est = np.array([f.ve_mps[r], f.vn_mps[r], f.vu_mps[r]])
            sd = np.sqrt([f.var_ve_m2ps2[r], f.var_vn_m2ps2[r], f.var_vu_m2ps2[r]])
            err.setdefault(int(f.track_id[r]), float(np.max(np.abs(est - v) / sd)))
    return list(err.values())


def _chain_confirms(initiation: dict[str, object]) -> list[float]:
    """Velocity errors (sigmas) of the tracks confirmed over four seeds of the scene."""
    return [e for seed in range(4) for e in _chain_errors(preset_tracker(**initiation), seed)]


@pytest.mark.xfail(strict=True, reason="issue 14: a chain across a formation confirms")
@pytest.mark.parametrize(
    "initiation",
    [{}, {"third_plot": "ambiguous"}, {"third_plot": "always"}, {"ambiguous_hits": 1},
     {"third_plot": "ambiguous", "ambiguous_hits": 1}],
)  # fmt: skip
def test_without_the_chain_check_a_chain_confirms(initiation: dict[str, object]) -> None:
    """Two-point initiation (the default) and three-point initiation without the
    chain check confirm a chain, 35-50 sigmas off (strict xfail)."""
    errs = _chain_confirms(initiation)
    assert len(errs) >= 16 and max(errs) <= N_SIGMA, errs


@pytest.mark.parametrize("initiation", [THREE_POINT, {**THREE_POINT, "third_plot": "always"}])
def test_no_chain_across_a_formation_confirms(initiation: dict[str, object]) -> None:
    """With the chain check every track confirmed in the chain scene has the
    aircraft's velocity (within N_SIGMA), one per aircraft and seed."""
    errs = _chain_confirms(initiation)
    assert len(errs) == 16 and max(errs) <= N_SIGMA, errs


def test_chain_scene_confirms_every_aircraft() -> None:
    """The chain scene's aircraft get confirmed tracks (the test above is not vacuous)
    with every initiation mode."""
    for ini in ({}, {"third_plot": "ambiguous"}, THREE_POINT):
        errs = _chain_errors(preset_tracker(**ini), 0)
        assert sum(e <= N_SIGMA for e in errs) >= 3, (ini, errs)
