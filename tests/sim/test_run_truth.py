"""RunTruth's looks: skipping the looks no target box reaches changes no look's rows."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from iadsim.frames import Truth
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario
from iadsim.scenario.stages import build_sensors
from iadsim.sensors.scan import Scan, illuminated_truth, sector_views
from iadsim.sim.run_truth import RunTruth, truth_table_for


@pytest.mark.parametrize("preset", ["saturation", "s400-vs-mixed-raid"])
def test_looks_equal_the_plain_looks(preset: str) -> None:
    """Every look of every radar over the first 20 min: the rows of ``RunTruth.lit``
    (with its per-window sector test) are bit-identical to ``illuminated_truth`` of the
    table's states at the look's ends; kills in between are applied to both."""
    sc = load_scenario(preset)
    world = compile_world(sc)
    radars = build_sensors(world, sc, np.random.default_rng(1)).radars
    table = truth_table_for(world)
    kill = np.full(world.truth.n_threats, np.inf)
    run = RunTruth(model=world.truth, table=table, kill_time_s=kill, keep=2 * len(radars) + 4,
                   stage_time_s=defaultdict(float))  # fmt: skip
    looks = []
    for radar in radars:
        scan = Scan.of(radar)
        views = sector_views(radar, scan)
        t = scan.next_look_after(-1e-9)
        while t < 1200.0:
            looks.append((t, radar.radar_id, scan, views))
            t = scan.next_look_after(t)
    looks.sort(key=lambda look: look[0])
    reads = []
    block = run.block
    run.block = lambda t: reads.append(t) or block(t)  # type: ignore[method-assign]
    lit_rows = 0
    for n, (t_s, rid, scan, views) in enumerate(looks):
        if n == len(looks) // 2:  # a kill mid-run: both forms see it
            kill[np.arange(0, kill.shape[0], 3)] = t_s
            run.forget()
        k, t_a, t_b = scan.look_at(t_s)
        got = run.lit(rid, views, k, t_a, t_b)
        want = illuminated_truth(views[k], table.states(t_a, kill), table.states(t_b, kill),
                                 t_a, t_b)  # fmt: skip
        assert len(got) == len(want)
        for c in Truth.columns():
            assert getattr(got, c).tobytes() == getattr(want, c).tobytes(), c
        lit_rows += len(got)
    assert lit_rows > 0
    assert len(reads) < 2 * len(looks)  # some looks read no states
