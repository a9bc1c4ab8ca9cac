"""Pre-gates of a sector look compare tracks with plots at the plots' own times.

A sector look hands the tracker plots taken up to a look length before the look time
(:mod:`iadsim.sensors.scan`). The Euclidean pre-gates (:func:`Gate.pairs
<iadsim.tracking.gating.Gate.pairs>`, :func:`iadsim.tracking.looks.look_rows`) once
compared the track's position at the look time with the plot: a 240 m/s cruise
missile's plot taken 1.5 s before the look lay 360 m away, beyond a firm track's
pre-gate though well inside its gate, and started a duplicate track.
"""

from __future__ import annotations

import numpy as np
from tracking_helpers import polar_detections

from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking.gating import offset_pregate


def test_offset_pregate_covers_the_track_at_every_plot_time() -> None:
    """Invariant: a plot at the edge of the pre-gate of the track moved to the plot's
    own time (variance bound ``2 (tr P_pos + tau^2 tr P_vel)``) is inside the swept
    pre-gate of :func:`offset_pregate`."""
    rng = np.random.default_rng(7)
    n, m, d, scale = 200, 40, 3, 6.0
    x = np.concatenate([rng.uniform(-5e4, 5e4, (n, d)), rng.uniform(-700, 700, (n, d))], 1)
    a = rng.standard_normal((n, 2 * d, 2 * d)) * rng.uniform(1.0, 100.0, (n, 1, 1))
    P = a @ a.swapaxes(1, 2)
    ahead = rng.uniform(0.0, 3.0, n)
    dt = rng.uniform(-2.0, 0.0, m)
    r_var = rng.uniform(10.0, 1e4, m)
    centre, var = offset_pregate(x, P, d, dt, ahead, float(r_var.max()), scale)
    tau = ahead[:, None] + dt[None, :]  # (n, m)
    diag = np.diagonal(P, axis1=1, axis2=2)
    v_tau = 2.0 * (diag[:, :d].sum(1)[:, None] + tau**2 * diag[:, d:].sum(1)[:, None])
    reach = scale * np.sqrt(v_tau + r_var[None, :])
    u = rng.standard_normal((n, m, d))
    u /= np.linalg.norm(u, axis=2, keepdims=True)
    z = x[:, None, :d] + tau[..., None] * x[:, None, d:] + 0.999 * reach[..., None] * u
    dist = np.linalg.norm(z - centre[:, None, :], axis=2)
    assert np.all(dist <= scale * np.sqrt(var[:, None] + r_var[None, :]))


def test_fast_target_plots_early_in_long_looks_keep_one_track() -> None:
    """A 240 m/s target seen every 3 s by a precise radar, each plot taken 1.5 s
    before its look (a 2 s look of a 3 s frame): every plot updates the one track."""
    cfg = {"filter": {"kind": "imm", "models": [{"kind": "cv", "q_m2ps3": 1.0},
           {"kind": "cv", "q_m2ps3": 40.0}], "sojourn_s": [60, 20], "mu0": [0.8, 0.2]},
           "initiation": {"kind": "m_of_n", "m": 2, "n": 3, "velocity_sigma_mps": 300}}  # fmt: skip
    tracker = compile_tracker(TrackerConfig.model_validate(cfg))
    rng = np.random.default_rng(3)
    p0, v = np.array([-10e3, 20e3, 100.0]), np.array([240.0, 0.0, 0.0])
    sig = (5.0, 3e-4, 3e-4)
    ids: set[int] = set()
    firm_scans = 0
    for scan in range(40):
        t_look = 3.0 * scan + 2.0
        t_plot = t_look - 1.5
        det = polar_detections(np.array([t_plot]), (p0 + v * t_plot)[None], np.zeros(3), sig, rng)
        out = tracker.step(det, t_look, batch=True)
        ids.update(out.track_id.tolist())
        firm_scans += int(np.any(out.status == 1))
    assert firm_scans >= 35
    assert ids == {min(ids)}
