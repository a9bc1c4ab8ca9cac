"""Track consistency per threat class in a preset: mean position NEES and tracks per threat.

Runs a preset for a few seeds with the per-look track history (``track_history: full``)
and scores each threat class's truth against all firm tracks with
:func:`iadsim.analysis.metrics.score_frames` (GOSPA assignment, cut-off ``--cutoff-m``,
20 km by default so that a track far off its target still counts as that target's
track). Prints per class: mean position NEES (track variance diagonals) with its
indicative 95% band (``chi2_bounds(3, n_pairs)``; pairs are correlated in time), the
number of assigned pairs, and confirmed tracks per threat (distinct firm track ids
assigned to the class's threats, over the threats ever assigned).

    python bench/formation_consistency.py [--preset s400-vs-mixed-raid] [--seeds 3]
        [--merged-sigma cell|noise] [--scan-sectors N]

``--merged-sigma`` and ``--scan-sectors`` override every radar type of the preset
(the detection model's ``merged_sigma``; sector looks per scan, 1 = one time stamp
per scan) to show what each part of the formation handling contributes.
"""

from __future__ import annotations

import argparse

import numpy as np

from iadsim.analysis.metrics import chi2_bounds, score_frames
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.schema import Scenario
from iadsim.sim.runner import run_scenario


def scenario_of(preset: str, radar_edit: dict[str, object]) -> Scenario:
    """The preset with the per-look track history and ``radar_edit`` on every radar type."""
    data, file = read_scenario_yaml(preset)
    data.setdefault("simulation", {})["track_history"] = "full"
    if radar_edit:
        radars = load_scenario_data(data, file=file).resolved_catalog.radars
        own = data.setdefault("catalog", {}).setdefault("radars", {})
        for name in radars:
            own[name] = {**own.get(name, {}), **radar_edit}
    return load_scenario_data(data, file=file)


def class_rows(
    scenario: Scenario, seed: int, cutoff_m: float
) -> list[tuple[str, float, int, float]]:
    """(class, mean NEES, pairs, tracks per threat) of one run, per threat type."""
    result = run_scenario(scenario, seed=seed, record=False)
    world = compile_world(scenario)
    types = np.asarray(world.threats.type)
    out = []
    for cls in sorted(set(types.tolist())):
        ids = np.flatnonzero(types == cls)
        truth = result.truth.select(np.isin(result.truth.threat_id, ids))
        s = score_frames(truth, result.tracks, c_m=cutoff_m)
        c = s.continuity
        tracked = c.n_assigned_steps > 0
        n_tracks = int(np.sum(c.purity > 0))  # firm tracks assigned to this class
        per = n_tracks / max(int(tracked.sum()), 1)
        out.append((cls, s.pos_nees_mean, s.n_pairs, per))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="s400-vs-mixed-raid")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cutoff-m", type=float, default=20_000.0)
    ap.add_argument("--merged-sigma", choices=("cell", "noise"))
    ap.add_argument("--scan-sectors", type=int)
    args = ap.parse_args()
    edit: dict[str, object] = {}
    if args.merged_sigma:
        edit["detection"] = {"kind": "standard", "merged_sigma": args.merged_sigma}
    if args.scan_sectors:
        edit["scan_sectors"] = args.scan_sectors
    scenario = scenario_of(args.preset, edit)
    rows: dict[str, list[tuple[float, int, float]]] = {}
    for seed in range(1, args.seeds + 1):
        for cls, nees, n, per in class_rows(scenario, seed, args.cutoff_m):
            rows.setdefault(cls, []).append((nees, n, per))
    print(f"{args.preset} {edit or ''}, seeds 1..{args.seeds}, cut-off {args.cutoff_m:.0f} m")
    print(f"{'class':28} {'mean NEES':>9} {'95% band':>15} {'pairs':>7} {'tracks/threat':>13}")
    for cls, vals in rows.items():
        n = sum(v[1] for v in vals)
        nees = sum(v[0] * v[1] for v in vals if np.isfinite(v[0])) / max(n, 1)
        lo, hi = chi2_bounds(3, max(n, 1))
        per = float(np.mean([v[2] for v in vals]))
        print(f"{cls:28} {nees:9.2f} [{lo:6.2f}, {hi:6.2f}] {n:7d} {per:13.2f}")


if __name__ == "__main__":
    main()
