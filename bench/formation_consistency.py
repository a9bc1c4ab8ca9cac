"""Track consistency per threat class in a preset: NEES two ways, and tracks per threat.

Runs a preset for a few seeds with the per-look track history (``track_history: full``)
and prints, per threat class:

* **per-sample NEES**: the mean position NEES (track variance diagonals) over the
  track-truth pairs of :func:`iadsim.analysis.metrics.score_frames` (GOSPA assignment,
  cut-off ``--cutoff-m``). Two 95% bands: ``chi2_bounds(3, n_pairs)``, which treats the
  pairs as independent draws, and ``chi2_bounds(3, n_eff)`` with the effective number
  of independent samples of the time-correlated NEES series
  (:func:`iadsim.analysis.metrics.effective_samples` on each track's own NEES series,
  its ratio n_eff / n applied to the pairs). Successive NEES samples of one track share
  most of their error (the filter carries it over), so the first band is far too
  narrow: it is printed only to show that; the second is the honest one.
* **track-life NEES**: :func:`iadsim.analysis.metrics.track_life_nees` (position and
  velocity, 6 dof, one time-averaged sample per confirmed track, band
  ``chi2_bounds(6, n_tracks)``), independent of any cut-off. This is the criterion.
* **tracks per threat**: distinct confirmed track ids assigned (GOSPA pairs) to the
  class's threats over the threats ever assigned.
* **left out**: the confirmed tracks the life-NEES association leaves out (no truth
  inside their gate at half their rows), per seed: a track that spent its life on
  several aircraft can leave the class means that way, so a lower mean with more
  tracks left out is no mend.
* **pos / vel**: the mean position NEES and the mean velocity NEES (3 dof each, expected
  3) over the class's track-life rows: which part of the state is mis-stated (a
  generous process noise shows first in the velocity's).

    python bench/formation_consistency.py [--preset s400-vs-mixed-raid] [--seeds 3]
        [--first-seed 1] [--cutoff-m 5000] [--tracker tracker.yaml] [--merged-sigma cell|noise]
        [--scan-sectors N] [--worst N]

``--tracker`` replaces the preset's tracker block with a YAML file's (a tracker
configuration as in a scenario's ``tracker:``); ``--merged-sigma`` and
``--scan-sectors`` override every radar type of the preset (the detection model's
``merged_sigma``; sector looks per scan, 1 = one time stamp per scan) to show what
each part of the formation handling contributes. ``--worst N`` lists each class's N
tracks of highest life NEES (seed, track id, NEES, rows): the class means are carried
by a few tracks, and these are the ones to look at.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import yaml

from iadsim.analysis.metrics import (
    chi2_bounds,
    effective_samples,
    score_frames,
    track_life_nees,
)
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.schema import Scenario
from iadsim.sim.runner import run_scenario


@dataclasses.dataclass
class ClassStats:
    """Accumulated over seeds for one threat class."""

    nees_sum: float = 0.0  # per-sample position NEES summed over the GOSPA pairs
    n_pairs: int = 0
    eff_ratio: list[tuple[float, int]] = dataclasses.field(default_factory=list)
    life: list[float] = dataclasses.field(default_factory=list)  # one per track
    per_threat: list[float] = dataclasses.field(default_factory=list)  # one per seed
    pos_vel: list[tuple[float, float]] = dataclasses.field(default_factory=list)  # per row
    tracks: list[tuple[int, int, float, int]] = dataclasses.field(default_factory=list)
    # (seed, track id, life NEES, rows) of every track, for --worst


def scenario_of(
    preset: str, radar_edit: dict[str, object], tracker: dict[str, object] | None = None
) -> Scenario:
    """The preset with the per-look track history, ``radar_edit`` on every radar type
    and, if given, ``tracker`` as its tracker block."""
    data, file = read_scenario_yaml(preset)
    data.setdefault("simulation", {})["track_history"] = "full"
    if tracker is not None:
        data["tracker"] = tracker
    if radar_edit:
        radars = load_scenario_data(data, file=file).resolved_catalog.radars
        own = data.setdefault("catalog", {}).setdefault("radars", {})
        for name in radars:
            own[name] = {**own.get(name, {}), **radar_edit}
    return load_scenario_data(data, file=file)


def add_run(stats: dict[str, ClassStats], scenario: Scenario, seed: int, cutoff_m: float) -> int:
    """Score one run per threat class into ``stats``; returns how many confirmed tracks
    its life-NEES association left out (no truth inside their gate at half their rows:
    a track that wandered between aircraft can leave the class means that way)."""
    result = run_scenario(scenario, seed=seed, record=False)
    types = np.asarray(compile_world(scenario).threats.type)
    life = track_life_nees(
        result.truth, result.tracks, n_dim=3, truth_class=dict(enumerate(types.tolist()))
    )
    row_class = dict(zip(life.track_id.tolist(), types[life.truth_id].tolist(), strict=True))
    for cls in sorted(set(types.tolist())):
        st = stats.setdefault(cls, ClassStats())
        ids = np.flatnonzero(types == cls)
        truth = result.truth.select(np.isin(result.truth.threat_id, ids))
        s = score_frames(truth, result.tracks, c_m=cutoff_m)
        if s.n_pairs and np.isfinite(s.pos_nees_mean):
            st.nees_sum += s.pos_nees_mean * s.n_pairs
            st.n_pairs += s.n_pairs
        c = s.continuity
        tracked = int(np.sum(c.n_assigned_steps > 0))
        if tracked:
            st.per_threat.append(int(np.sum(c.purity > 0)) / tracked)
        mine = np.array([row_class.get(int(t)) == cls for t in life.row_track_id], dtype=bool)
        if mine.any():
            n_eff = effective_samples(life.row_track_id[mine], life.row_pos_nees[mine])
            st.eff_ratio.append((n_eff, int(mine.sum())))
            st.pos_vel += list(zip(life.row_pos_nees[mine].tolist(),
                                   life.row_vel_nees[mine].tolist(), strict=True))  # fmt: skip
        st.life += [float(v) for v, t in zip(life.nees_mean, life.truth_id, strict=True)
                    if types[t] == cls]  # fmt: skip
        st.tracks += [(seed, int(k), float(v), int(n)) for k, t, v, n in zip(
            life.track_id, life.truth_id, life.nees_mean, life.n_rows, strict=True)
            if types[t] == cls]  # fmt: skip
    return life.n_unassociated


def table(stats: dict[str, ClassStats]) -> list[str]:
    """The printed rows, one per class."""
    head = (
        f"{'class':22} {'NEES/sample':>11} {'band (indep.)':>16} {'band (n_eff)':>16}"
        f" {'pairs':>6} {'n_eff':>6} {'NEES/life':>9} {'band (tracks)':>16} {'tracks':>6}"
        f" {'per threat':>10} {'pos':>5} {'vel':>5}"
    )
    out = [head]
    for cls, st in stats.items():
        n = max(st.n_pairs, 1)
        nees = st.nees_sum / n
        lo, hi = chi2_bounds(3, n)
        eff_rows = sum(e for e, _ in st.eff_ratio)
        ratio = eff_rows / max(sum(k for _, k in st.eff_ratio), 1)
        n_eff = max(1, round(n * ratio))
        elo, ehi = chi2_bounds(3, n_eff)
        nt = len(st.life)
        life = float(np.mean(st.life)) if nt else float("nan")
        llo, lhi = chi2_bounds(6, max(nt, 1))
        per = float(np.mean(st.per_threat)) if st.per_threat else float("nan")
        pv = np.mean(np.asarray(st.pos_vel), axis=0) if st.pos_vel else (np.nan, np.nan)
        out.append(
            f"{cls:22} {nees:11.2f} [{lo:6.2f}, {hi:6.2f}] [{elo:6.2f}, {ehi:6.2f}]"
            f" {st.n_pairs:6d} {n_eff:6d} {life:9.2f} [{llo:6.2f}, {lhi:6.2f}] {nt:6d}"
            f" {per:10.2f} {pv[0]:5.2f} {pv[1]:5.2f}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="s400-vs-mixed-raid")
    ap.add_argument("--seeds", type=int, default=3, help="how many seeds")
    ap.add_argument("--first-seed", type=int, default=1, help="seeds from this one on")
    ap.add_argument("--cutoff-m", type=float, default=5_000.0)
    ap.add_argument("--tracker", type=Path, help="YAML file with a tracker block")
    ap.add_argument("--merged-sigma", choices=("cell", "noise"))
    ap.add_argument("--scan-sectors", type=int)
    ap.add_argument("--worst", type=int, default=0, help="list each class's N worst tracks")
    args = ap.parse_args()
    edit: dict[str, object] = {}
    if args.merged_sigma:
        edit["detection"] = {"kind": "standard", "merged_sigma": args.merged_sigma}
    if args.scan_sectors:
        edit["scan_sectors"] = args.scan_sectors
    tracker = yaml.safe_load(args.tracker.read_text()) if args.tracker else None
    scenario = scenario_of(args.preset, edit, tracker)
    stats: dict[str, ClassStats] = {}
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    left_out = {seed: add_run(stats, scenario, seed, args.cutoff_m) for seed in seeds}
    what = f" tracker {args.tracker}" if args.tracker else ""
    print(
        f"{args.preset}{what} {edit or ''}, seeds {seeds[0]}..{seeds[-1]},"
        f" cut-off {args.cutoff_m:.0f} m"
    )
    print("\n".join(table(stats)))
    print(
        f"confirmed tracks left out of the life NEES (no truth at half their rows):"
        f" {sum(left_out.values())} (per seed {left_out})"
    )
    for cls, st in stats.items():
        if args.worst:
            worst = sorted(st.tracks, key=lambda r: -r[2])[: args.worst]
            print(f"{cls} worst (seed, track, life NEES, rows):", worst)


if __name__ == "__main__":
    main()
