"""Tracking accuracy and cost against the sector look length of scanning radars.

A scanning radar's plots reach the tracker in sector looks (:mod:`iadsim.sensors.scan`),
each plot keeping its own illumination time as an offset inside its look. The look
length ``L`` (``DEFAULT_SECTOR_S``: a radar of period ``T`` makes ``ceil(T / L)`` looks
per scan) trades tracker calls against latency (a plot waits up to ``L`` for its look)
and against the first-order handling of the offsets (process noise over the offset is
neglected). This script runs presets with several ``L`` (``inf``: one look per scan) and
the same seeds, and prints per ``L``:

* the **picture**: the firm tracks as a decision reads them (``Tracker.tracks(t,
  firm_only=True)``, predicted to ``t``) on a common 1 s grid, scored against truth
  (:func:`iadsim.analysis.metrics.score_frames`, cut-off ``--cutoff-m``): mean GOSPA and
  its localisation / missed / false parts, position RMSE and mean position NEES of the
  assigned pairs. The grid is the same for every ``L``, so latency counts;
* the tracker's **own rows** (``track_history: full``): track-life NEES (6 dof, per
  threat class, with its 95% band; :func:`iadsim.analysis.metrics.track_life_nees`) and
  confirmed tracks per threat;
* kills and leaks, the tracker stage time and the run's CPU time.

Usage: python bench/sector_length.py [--presets P ...] [--lengths 1 2 4 inf]
       [--seeds N] [--first-seed S] [--cutoff-m C] [--max-sectors K (0: no cap)]

Measured 2026-12-04 with Euclidean pre-gates that compare a track with each plot at
the plot's own time (:func:`iadsim.tracking.measurements.offset_pregate`); seeds 1-3,
cut-off 2 km; CPU in-process, min over seeds, loaded machine (+-15%). ``--max-sectors``
caps the looks per scan (default ``DEFAULT_MAX_SECTORS = 5``: a 10 s radar makes 2 s
looks, radars of period <= 5 s keep 1 s looks). GOSPA / localisation part / position
RMSE m, confirmed tracks per threat, kills / leaks per run, run CPU s::

    preset                  looks          GOSPA / loc / RMSE   trk/threat  kill/leak    CPU s
    saturation              1 s, no cap    34286 / 207 / 39.6   1.07        34.0 / 30.0  13.2
                            1 s, cap 5     34250 / 202 / 35.7   1.04        34.3 / 29.7  11.9
                            2 s            34304 / 230 / 50.5   1.14        33.7 / 30.3   8.8
    s400-vs-mixed-raid      1 s, no cap    6819 / 177 / 295     1.11        6 / 6         6.7
                            1 s, cap 5     6835 / 167 / 300     1.11        6 / 6         6.1
                            2 s            6824 / 194 / 313     1.14        6 / 6         5.0

Before that fix, 2 s looks gave saturation 1.26 tracks per threat (34623 / 229 / 48.4;
32 / 32) against 1.07 at 1 s: the pre-gates compared the plot with the track's
position at the look time, and a 240 m/s cruise missile's plot taken 1.5 s before the
look lay 360 m from it, beyond a firm track's pre-gate though well inside its gate
(d^2 ~1.3 of 16.3); the plot started a duplicate track (saturation seed 1: 38 such
plots at 2 s looks, 19 at 1 s; cruise missiles 1.96 confirmed tracks each at 2 s). Two
plots of one target in one look cannot occur (a look is at most one scan), and the
process noise over the offset (R + H Q(|dt|) H^T) changed nothing measurable (22
instead of 23 remaining gate failures, seed 1). What 2 s looks still cost is latency:
the low-level radar (5 s) and the engagement radar (3 s) then make 1.7 s and 1.5 s
looks, and the picture's localisation part grows by 10% (position RMSE by 4-28%);
the 10 s surveillance radar's 2 s looks cost nothing measurable, hence the cap.

Registration alone does not degrade with the look length (the first-order offsets of
:mod:`iadsim.tracking.measurements`): a lone airliner on a 4.8 s radar, track error
brought back to each plot's time, sector look vs plot at its own time: 1.2 s look
+0.5% / 0.0% (straight / 1.5 deg/s turn), 2.4 s +0.9% / -0.3%, 4.8 s +2.1% / -0.7%
(``tests/tracking/test_measurement_time_offsets.py``'s scene, 8 seeds).
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

import iadsim.sensors.scan as scan_module
from iadsim.analysis.metrics import score_frames, track_life_nees
from iadsim.frames import Tracks
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario
from iadsim.scenario.schema import Scenario
from iadsim.sim.engine import PRIORITY_C2, Engine
from iadsim.sim.pipeline import Pipeline
from iadsim.sim.runner import run_scenario

#: picture grid, s
GRID_S = 1.0


def _with_picture(pictures: list[Tracks]) -> Any:
    """``Pipeline.schedule`` that also reads the firm picture every ``GRID_S`` (read-only:
    the run's results do not change)."""
    original = Pipeline.schedule

    def schedule(self: Pipeline, engine: Engine) -> None:
        original(self, engine)

        def read(t_s: float) -> None:
            pictures.append(self.stages.tracker.tracks(t_s, firm_only=True))

        engine.every(GRID_S, GRID_S, read, PRIORITY_C2)

    return schedule


def one_run(scenario: Scenario, seed: int, cutoff_m: float) -> dict[str, float]:
    """Scores of one run (see the module docstring)."""
    pictures: list[Tracks] = []
    original = Pipeline.schedule
    Pipeline.schedule = _with_picture(pictures)  # type: ignore[method-assign]
    try:
        c0 = time.process_time()
        r = run_scenario(scenario, seed=seed, record=False)
        cpu = time.process_time() - c0
    finally:
        Pipeline.schedule = original  # type: ignore[method-assign]
    s = score_frames(r.truth, Tracks.concat(pictures), c_m=cutoff_m)
    ser = s.series
    types = np.asarray(compile_world(scenario).threats.type)
    life = track_life_nees(r.truth, r.tracks, n_dim=3, truth_class=dict(enumerate(types.tolist())))
    full = score_frames(r.truth, r.tracks, c_m=cutoff_m)
    c = full.continuity
    tracked = int(np.sum(c.n_assigned_steps > 0))
    return {
        "gospa": ser.gospa_mean_m,
        "loc": float(np.mean(ser.localisation_pow)),
        "miss": float(np.mean(ser.missed_pow)),
        "false": float(np.mean(ser.false_pow)),
        "rmse": s.pos_rmse_m,
        "nees3": s.pos_nees_mean,
        "life": float(np.mean([k.nees_mean for k in life.classes])) if life.classes else math.nan,
        "in_band": sum(k.inside for k in life.classes) / max(len(life.classes), 1),
        "per_threat": int(np.sum(c.purity > 0)) / tracked if tracked else math.nan,
        "killed": r.summary.n_killed,
        "leaked": r.summary.n_leaked,
        "tracker_s": r.summary.stage_time_s.get("tracker", math.nan),
        "cpu_s": cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=["s400-vs-mixed-raid", "real-traffic"])
    ap.add_argument("--lengths", nargs="+", type=float, default=[1.0, 2.0, 4.0, math.inf])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--cutoff-m", type=float, default=2_000.0)
    ap.add_argument("--max-sectors", type=int, default=scan_module.DEFAULT_MAX_SECTORS or 0,
                    help="most looks per scan (DEFAULT_MAX_SECTORS; 0: no cap)")  # fmt: skip
    args = ap.parse_args()
    keys = ["gospa", "loc", "miss", "false", "rmse", "nees3", "life", "in_band", "per_threat",
            "killed", "leaked", "tracker_s", "cpu_s"]  # fmt: skip
    default, cap = scan_module.DEFAULT_SECTOR_S, scan_module.DEFAULT_MAX_SECTORS
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for preset in args.presets:
        base = load_scenario(preset)
        sim = base.simulation.model_copy(update={"track_history": "full"})
        scenario = base.model_copy(update={"simulation": sim})
        print(f"{preset}: seeds {seeds[0]}..{seeds[-1]}, picture every {GRID_S:g} s, "
              f"cut-off {args.cutoff_m:.0f} m, at most {args.max_sectors or 'any'} looks a scan "
              "(means over seeds; cpu: min)")  # fmt: skip
        print(f"{'L s':>5} " + " ".join(f"{k:>10}" for k in keys))
        for length in args.lengths:
            scan_module.DEFAULT_SECTOR_S = length
            scan_module.DEFAULT_MAX_SECTORS = args.max_sectors or None
            try:
                runs = [one_run(scenario, seed, args.cutoff_m) for seed in seeds]
            finally:
                scan_module.DEFAULT_SECTOR_S, scan_module.DEFAULT_MAX_SECTORS = default, cap
            agg = {k: float(np.mean([r[k] for r in runs])) for k in keys}
            agg["cpu_s"] = min(r["cpu_s"] for r in runs)
            agg["tracker_s"] = min(r["tracker_s"] for r in runs)
            print(f"{length:5g} " + " ".join(f"{agg[k]:10.3f}" for k in keys), flush=True)


if __name__ == "__main__":
    main()
