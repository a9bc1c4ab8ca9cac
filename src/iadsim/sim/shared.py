"""Run set-up that depends on the scenario only, shared by the runs of a sweep point.

The replicates of one campaign point run the same resolved scenario with different
seeds. Their compiled world, radar terrain masks, truth table and threat arrival
times are identical (none depends on the seed), so a worker computes them once per
point (:func:`shared_setup`) and passes them to ``run_scenario(..., shared=...)``;
the results are bit-identical to runs that build everything themselves. The caller
keys the cache by a digest of the whole resolved point scenario, so a swept field
that changes any of these parts never meets a stale copy.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.compile import World, compile_world
from iadsim.scenario.schema import Scenario
from iadsim.scenario.stages import RadarSite, radar_sites
from iadsim.sim.run_truth import TRUTH_TABLE_DT_S
from iadsim.sim.runner import arrival_times_s
from iadsim.truth import TruthTable

__all__ = ["SHARED_TABLE_MAX_CELLS", "SharedSetup", "shared_setup"]

#: A shared truth table keeps every window it has computed up to this many
#: threat-steps (x 56 bytes); larger raids let each run keep its own two windows.
SHARED_TABLE_MAX_CELLS = 1_000_000


@dataclasses.dataclass(frozen=True)
class SharedSetup:
    """What the runs of one scenario share: its world, radar sites (antenna
    altitudes and terrain masks), truth table (or None) and arrival times (n,) s."""

    world: World
    sites: list[RadarSite]
    truth_table: TruthTable | None
    arrivals_s: NDArray[np.float64]


def shared_setup(scenario: Scenario) -> SharedSetup:
    """Compile ``scenario`` and compute its seed-independent set-up."""
    world = compile_world(scenario)
    n_steps = world.duration_s / TRUTH_TABLE_DT_S
    table = None
    if world.truth.n_threats * n_steps <= SHARED_TABLE_MAX_CELLS:
        table = TruthTable.build(
            world.truth, world.duration_s, TRUTH_TABLE_DT_S, keep_windows=1_000_000
        )
    return SharedSetup(
        world=world,
        sites=radar_sites(world),
        truth_table=table,
        arrivals_s=arrival_times_s(world),
    )
