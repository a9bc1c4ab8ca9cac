"""``Tracker.last_hit_t_s``: the time of the plot each update of the last step took.

A sector look hands the tracker plots taken up to a look before the look time
(:mod:`iadsim.sensors.scan`); fire control times an engagement radar's hits by the plot
(:class:`iadsim.sim.firecontrol.FireControlBook`), not by the look.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.frames import Detections
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker

CFG = {"filter": {"kind": "ekf"},
       "initiation": {"kind": "m_of_n", "m": 2, "n": 3, "velocity_sigma_mps": 300}}  # fmt: skip


@pytest.mark.parametrize("batch", [True, False])
def test_hit_times_are_the_plot_times(batch: bool) -> None:
    """Two targets seen in each 2 s look at their own (random) times within the look:
    each updated track's hit time is the time of the plot of its target, not the look's."""
    tracker = compile_tracker(TrackerConfig.model_validate(CFG))
    rng = np.random.default_rng(5)
    p0 = np.array([[-10e3, 20e3, 100.0], [15e3, 30e3, 3000.0]])
    v = np.array([[240.0, 0.0, 0.0], [0.0, -300.0, 0.0]])
    sig = (5.0, 3e-4, 3e-4)
    checked = 0
    for scan in range(12):
        t_look = 2.0 * scan + 2.0
        t_plot = t_look - rng.uniform(0.0, 2.0, 2)
        det = polar_detections(t_plot, p0 + v * t_plot[:, None], np.zeros(3), sig, rng)
        out = tracker.step(det, t_look, batch=batch)
        ids, t_hit = tracker.last_hit_ids, tracker.last_hit_t_s
        assert t_hit.shape == ids.shape
        for tid, t in zip(ids.tolist(), t_hit.tolist(), strict=True):
            row = np.flatnonzero(out.track_id == tid)[0]
            target = int(np.argmin(np.linalg.norm(p0 + v * t_look - out.pos_m()[row], axis=1)))
            assert t == pytest.approx(t_plot[target], abs=1e-9)
            assert t < t_look or batch is False
            checked += 1
    assert checked >= 18
    tracker.miss(30.0)
    assert tracker.last_hit_t_s.shape == (0,) and tracker.last_hit_ids.shape == (0,)
    tracker.step(Detections.empty(), 31.0)
    assert tracker.last_hit_t_s.shape == (0,)
