"""Association precedence of fresh over stale firm tracks (iadsim.tracking.precedence).

The scene is the formation case of the default preset (seed 5): two aircraft 2 km apart
line abreast, 150 km from the radar, both tracked; one is shot down and its track
coasts; its gate grows until the survivor's plot lies in it, where the squared
Mahalanobis distance to the vague coasting track is often smaller than to the
survivor's own track, so GNN gives it the plot. With ``stale_after_s`` the survivor's
fresh track claims its plot first and the dead aircraft's track takes none.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracking_helpers import polar_detections

from iadsim.frames import TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking.precedence import Precedence

SIG = (30.0, 2e-3, 2e-3)  # range m, azimuth and elevation rad (300 m across at 150 km)
PERIOD_S = 10.0
DEATH_S = 120.0


def test_classes_split_firm_tracks_by_time_since_their_last_hit() -> None:
    status = np.array([TrackStatus.CONFIRMED, TrackStatus.COASTING, TrackStatus.TENTATIVE,
                       TrackStatus.COASTING], np.int8)  # fmt: skip
    since = np.array([5.0, 30.0, 40.0, 20.0])
    firm, tent = Precedence().classes(status, since)
    assert firm.tolist() == [True, True, False, True]
    assert tent.tolist() == [False, False, True, False]
    fresh, stale, tent = Precedence(stale_after_s=20.0).classes(status, since)
    assert fresh.tolist() == [True, False, False, True]
    assert stale.tolist() == [False, True, False, False]
    assert tent.tolist() == [False, False, True, False]
    with pytest.raises(ValueError, match="stale_after_s"):
        Precedence(stale_after_s=-1.0)


def _stolen_plots(stale_after_s: float | None, seed: int) -> tuple[int, int]:
    """Plots of the survivor taken by the dead aircraft's track after the kill, and the
    looks after the kill at which the survivor's own track was not updated."""
    cfg = TrackerConfig.model_validate({
        "motion": {"kind": "cv", "q_m2ps3": 20.0},
        "association": {"kind": "gnn", "gate_probability": 0.999, "stale_after_s": stale_after_s},
        "deletion": {"max_misses": 10, "max_coast_s": 70.0},
    })  # fmt: skip
    trk = compile_tracker(cfg)
    rng = np.random.default_rng(seed)
    start = np.array([[0.0, 150e3, 8000.0], [2000.0, 150e3, 8000.0]])  # line abreast
    vel = np.array([0.0, -250.0, 0.0])  # both inbound, north to south
    ids: dict[str, int] = {}
    stolen = survivor_missed = 0
    for t in np.arange(0.0, DEATH_S + 70.0, PERIOD_S):
        alive = slice(0, 2) if t < DEATH_S else slice(1, 2)
        pos = (start + vel * t)[alive]
        n = pos.shape[0]
        det = polar_detections(np.full(n, t), pos, np.zeros(3), SIG, rng,
                               truth_id=np.arange(2)[alive])  # fmt: skip
        out = trk.step(det, float(t))
        if t == DEATH_S - PERIOD_S:  # the two firm tracks, by their positions
            firm = out.select(out.status != TrackStatus.TENTATIVE)
            assert len(firm) == 2
            east = np.argsort(firm.e_m)
            ids = {"dead": int(firm.track_id[east[0]]), "survivor": int(firm.track_id[east[1]])}
        if t >= DEATH_S:
            hit = trk.last_hit_ids.tolist()
            stolen += ids["dead"] in hit
            survivor_missed += ids["survivor"] not in hit
    return stolen, survivor_missed


def test_a_stale_track_does_not_take_the_plot_of_a_fresh_neighbour() -> None:
    seeds = range(20)
    before = [_stolen_plots(None, s) for s in seeds]
    after = [_stolen_plots(15.0, s) for s in seeds]
    # without precedence the dead aircraft's coasting track takes the survivor's plots
    # (and the survivor's own track coasts) in a good share of the runs
    assert sum(b[0] > 0 for b in before) >= 5
    assert sum(b[0] for b in before) == sum(b[1] for b in before)
    # with it, never: the survivor's track, hit at every look, claims its plot first
    assert all(a == (0, 0) for a in after)
