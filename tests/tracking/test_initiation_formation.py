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
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker_parts
from iadsim.tracking.tracker import Tracker

SENSOR = np.array([0.0, 0.0, 10.0])
N_SIGMA = 6.0  # per axis: a consistent track is beyond 6 sigma with p ~ 1e-8 per axis
VEL = np.array([0.0, 0.0, 0.0])


def _tracker(**initiation: object) -> Tracker:
    """The s400-vs-mixed-raid preset's tracker (its ``initiation`` fields replaced)."""
    ini = {"kind": "two_point", "m": 3, "n": 4, "velocity_sigma_mps": 400,
           "confirm_on_ambiguous": False, **initiation}  # fmt: skip
    cfg = TrackerConfig.model_validate(
        {"dims": 3, "motion": {"kind": "cv", "q_m2ps3": 20.0}, "filter": {"kind": "ekf"},
         "association": {"kind": "gnn", "gate_probability": 0.999}, "initiation": ini}
    )  # fmt: skip
    return compile_tracker_parts(cfg).build()


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


def _worst_confirmation_error(tracker: Tracker, seed: int, n_looks: int = 40, sig_az: float = 3e-3, pd: float = 0.6, echelon: float = 30.0) -> float:
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


@pytest.mark.xfail(strict=True, reason="issue 14: pairs of two aircraft's plots confirm")
def test_no_confirmed_formation_track_starts_from_two_aircraft() -> None:
    """Over 12 random scenes, every confirmed track's velocity at confirmation is
    within N_SIGMA of the formation's (all four fly the same velocity). Fails today:
    a pair of two aircraft's plots confirms with a cross-range velocity error of
    hundreds of m/s, tens of sigmas (strict xfail: passing means issue 14 is fixed)."""
    worst = [_worst_confirmation_error(_tracker(), seed) for seed in range(12)]
    assert max(worst) <= N_SIGMA, worst
