"""compile_engagement on the bundled preset, and a perfect-track run of the preset raid."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from iadsim.c2 import C2, GreedySolver
from iadsim.engagement import Engagement
from iadsim.engagement.guidance import GuidanceSupport
from iadsim.errors import ScenarioError
from iadsim.frames import Tracks
from iadsim.picture import TrackPicture
from iadsim.scenario import load
from iadsim.scenario.compile import compile_world
from iadsim.scenario.schema_engagement import EngagementSettings, compile_engagement


@pytest.fixture(scope="module")
def world():
    return compile_world(load.load_scenario("s400-vs-mixed-raid"))


def test_setup_from_preset(world):
    s = compile_engagement(world)
    assert set(s.interceptor_ids) <= set(world.interceptors)
    for row, la in enumerate(world.launchers):
        for name, n in la.loadout.items():
            assert s.launchers.loadout[row, s.interceptor_ids[name]] == n
    (b,) = s.batteries
    # per fire unit: the system claim 36 / 72 [claimed] over two battalions per regiment
    assert (b.target_channels, b.missile_channels) == (18, 36)
    fcr = next(r for r in world.radars if r.name == "fcr")
    assert s.fc_radar_id == {0: fcr.radar_id} and s.fc_hold_s[0] == pytest.approx(7.0)
    assert b.doctrine == world.batteries[0].doctrine
    assert s.threat.site_pos_m.shape[0] == len(world.site_names)


def test_settings_compile(world):
    settings = EngagementSettings.model_validate(
        {"solver": "greedy", "threat": {"miss_scale_km": 5, "class_weight": {"ballistic": 3.0}}}
    )  # fmt: skip
    s = compile_engagement(world, settings)
    assert isinstance(s.c2.solver, GreedySolver)
    assert s.batteries[0].missile_channels == 36
    assert s.threat.miss_scale_m == 5000.0 and s.threat.class_weight.tolist() == [1, 1, 1, 3]
    with pytest.raises(ValueError, match="Extra inputs"):
        EngagementSettings.model_validate({"solver": "milp", "weapons": "free"})


def test_bad_doctrine_is_a_scenario_error(world):
    bad = dataclasses.replace(world.batteries[0], doctrine={"salvo": 0})
    w2 = dataclasses.replace(world, batteries=(bad,))
    with pytest.raises(ScenarioError, match=r"batteries\[0\]\.doctrine\.salvo"):
        compile_engagement(w2, file="s400.yaml")


def _perfect_tracks(truth, t_s: float) -> Tracks:
    live = truth.select(truth.alive)
    n = len(live)
    z = np.zeros(n)
    return Tracks(
        t_s=z + t_s, track_id=live.threat_id, status=np.ones(n, np.int8), e_m=live.e_m,
        n_m=live.n_m, u_m=live.u_m, ve_mps=live.ve_mps, vn_mps=live.vn_mps,
        vu_mps=live.vu_mps, var_e_m2=z + 100, var_n_m2=z + 100, var_u_m2=z + 100,
        var_ve_m2ps2=z + 4, var_vn_m2ps2=z + 4, var_vu_m2ps2=z + 4, quality=z + 1,
    )  # fmt: skip


class _Physics:
    def threat_class(self, threat_id):
        return np.zeros(np.shape(threat_id), dtype=np.int64)

    def rcs_dbsm(self, threat_id, truth, rows, from_m, frequency_hz):
        return np.zeros(np.shape(threat_id))


def _run(world, midcourse: bool) -> tuple[int, int, int]:
    """Perfect tracks held by the engagement radar everywhere (fire control is not the
    question here); ``midcourse`` False: the C2 cycles give no support updates, so only
    fire-and-forget guidance is simulated (every type is made ``midcourse: none``)."""
    s = compile_engagement(world)
    types = s.interceptors
    if not midcourse:
        ff = GuidanceSupport(midcourse="none", terminal="autonomous")
        types = tuple(dataclasses.replace(p, support=ff) for p in types)
    eng = Engagement(interceptors=types, launchers=s.launchers, fc_radar_id=s.fc_radar_id)
    c2 = C2(threat=s.threat, batteries=s.batteries, weapons=eng, params=s.c2)
    rng = np.random.default_rng(42)
    kill_t = np.full(world.truth.n_threats, np.inf)
    n_orders, unmatched = 0, 0
    for t in np.arange(0.0, world.duration_s, 8.0):
        while eng.next_intercept_t_s() <= t:
            t_i = eng.next_intercept_t_s()
            out, _ = eng.resolve(world.truth.states(t_i, kill_t), t_i, rng, _Physics())
            kill_t[out.threat_id[out.killed]] = t_i
            unmatched += int(np.sum(out.threat_id < 0))
        tracks = _perfect_tracks(world.truth.states(float(t), kill_t), float(t))
        n = len(tracks)
        picture = TrackPicture.of_tracks(
            tracks, float(t), battery_id=np.array([0]), fc_hold_s=np.array([7.0]),
            fc_last_hit_t_s=np.full((n, 1), float(t)),
        )  # fmt: skip
        eng.maintain(picture)
        orders = c2.decide(picture, t)
        eng.launch(orders, picture)
        n_orders += len(orders)
    n_killed = int(np.isfinite(kill_t).sum())
    return n_orders, n_killed, unmatched


@pytest.mark.slow
def test_preset_raid_with_perfect_tracks(world):
    """All preset threats tracked perfectly: the battery kills most of the raid; with
    mid-course updates few interceptors arrive at a PIP the threat has left (the
    terrain-following cruise missiles change height between the 8 s updates)."""
    n_threats = world.truth.n_threats
    n_orders, n_killed, unmatched_open_loop = _run(world, midcourse=False)
    assert n_orders >= n_killed >= n_threats // 2
    assert unmatched_open_loop > 0  # the viper flight turns during long fly-outs
    n_orders, n_killed, unmatched = _run(world, midcourse=True)
    assert n_orders >= n_killed >= n_threats // 2
    assert unmatched <= max(unmatched_open_loop, 0.2 * n_orders)
