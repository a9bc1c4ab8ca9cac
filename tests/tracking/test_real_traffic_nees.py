"""The shipped civil-surveillance tracker is consistent on its development recording.

The ``real-traffic`` preset (40 recorded airliners around Paris-CDG, the recording
civil-surveillance was tuned on) is run once; the track-life NEES of its tracks is
scored against the recorded truth with the truth velocity averaged over 20 s
(:func:`iadsim.analysis.metrics.track_life_nees`, ``truth_vel_window_s``): even
fused with the recorded ground velocity (the replay's default), the replayed
velocity keeps a few m/s of the recording's own noise, which no tracker should
follow (``bench/nees_real_traffic.py``, ``bench/README-tracking.md``).
A filter told too little noise (or too small a process noise) would be above the
band; one told far too much, below it.
"""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.analysis.metrics import chi2_bounds, track_life_nees
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario

WINDOW_S = 20.0


@pytest.mark.slow
def test_civil_surveillance_life_nees_is_inside_its_band_on_the_paris_recording() -> None:
    result = run_scenario(load_scenario("real-traffic"), record=False)
    life = track_life_nees(result.truth, result.tracks, n_dim=3, truth_vel_window_s=WINDOW_S)
    (c,) = life.classes
    assert life.dof == 6 and c.n_tracks >= 30
    assert c.lo <= c.nees_mean <= c.hi, c
    # position alone (3 dof): per-track time averages, no more than the band's top
    _, inv = np.unique(life.row_track_id, return_inverse=True)
    pos = np.bincount(inv, weights=life.row_pos_nees) / np.bincount(inv)
    lo, hi = chi2_bounds(3, c.n_tracks)
    assert lo <= float(pos.mean()) <= 1.1 * hi, pos.mean()
    # the window matters only for velocity: the position part is the same without it
    inst = track_life_nees(result.truth, result.tracks, n_dim=3)
    np.testing.assert_allclose(inst.row_pos_nees, life.row_pos_nees)
