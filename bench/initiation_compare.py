"""Single-point versus two-point track initiation on a preset, side by side.

Runs a preset for a few seeds twice, with the tracker's initiation as given
(``m_of_n``, single-point) and as ``two_point`` with the same M-of-N (or the
reverse, whichever the preset has), with the per-look track history, and prints
per threat class:

* **confirm delay**: time from a threat's first plot to the first confirmed row
  of a track assigned to it (:func:`iadsim.analysis.metrics.track_life_nees`'s
  association), median and max over the threats, s;
* **NEES early / late**: mean position-velocity NEES (6 dof, expected 6) of the
  confirmed rows in the first 30 s of each track's confirmed life, and after;
* **tracks**: confirmed tracks assigned to the class's threats, and threats tracked;
* **tracker counters**: tentative tracks started and confirmed, and the tracker's
  stage time.

Usage: python bench/initiation_compare.py [--preset s400-vs-mixed-raid] [--seeds 3]
       [--set one_to_one=false max_speed_mps=800 ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from formation_consistency import scenario_of

from iadsim.analysis.metrics import track_life_nees
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import read_scenario_yaml
from iadsim.scenario.schema_tracking import TrackerConfig
from iadsim.sim.runner import run_scenario

EARLY_S = 30.0


def trackers(preset: str, extra: dict[str, object] | None = None) -> dict[str, dict[str, object]]:
    """The preset's tracker block and the same with the other initiation kind
    (``extra``: fields set on the two_point block)."""
    data, _ = read_scenario_yaml(preset)
    cfg = TrackerConfig.model_validate(data.get("tracker") or {})
    own = cfg.model_dump(mode="json")
    ini = dict(own["initiation"])
    m, n = ini.get("m", 3), ini.get("n", 4)
    single = {"kind": "m_of_n", "m": m, "n": n, "velocity_sigma_mps": 400.0}
    other = {**own, "initiation": {"kind": "two_point", "m": m, "n": n, **(extra or {})}}
    if ini["kind"] == "two_point":
        own = {**own, "initiation": {**ini, **(extra or {})}}
        other = {**own, "initiation": single}
    return {ini["kind"]: own, other["initiation"]["kind"]: other}  # type: ignore[index]


def run_once(preset: str, tracker: dict[str, object], seed: int) -> dict[str, list[float]]:
    """Per-class samples of one run (keys ``class:metric``) and the counters."""
    sc = scenario_of(preset, {}, tracker)
    t0 = time.process_time()
    result = run_scenario(sc, seed=seed, record=False)
    cpu = time.process_time() - t0
    types = np.asarray(compile_world(sc).threats.type)
    life = track_life_nees(result.truth, result.tracks, n_dim=3)
    det = result.detections
    out: dict[str, list[float]] = {"cpu_s": [cpu]}
    for k, v in result.summary.tracker_counters.items():
        out[k] = [float(v)]
    for tid in np.unique(life.row_truth_id):
        cls = str(types[tid])
        rows = life.row_truth_id == tid
        first_plot = det.t_s[det.truth_id == tid]
        if first_plot.size:
            out.setdefault(f"{cls}:delay", []).append(life.row_t_s[rows].min() - first_plot.min())
        out.setdefault(f"{cls}:tracked", []).append(1.0)
        for trk in np.unique(life.row_track_id[rows]):
            r = rows & (life.row_track_id == trk)
            age = life.row_t_s[r] - life.row_t_s[r].min()
            out.setdefault(f"{cls}:tracks", []).append(1.0)
            out.setdefault(f"{cls}:early", []).extend(life.row_nees[r][age < EARLY_S].tolist())
            out.setdefault(f"{cls}:late", []).extend(life.row_nees[r][age >= EARLY_S].tolist())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="s400-vs-mixed-raid")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--set", nargs="*", default=[], help="two_point fields, KEY=YAML")
    a = ap.parse_args()
    extra = {k: yaml.safe_load(v) for k, v in (kv.split("=", 1) for kv in a.set)}
    res: dict[str, dict[str, list[float]]] = {}
    for kind, trk in trackers(a.preset, extra).items():
        acc: dict[str, list[float]] = {}
        for seed in range(1, a.seeds + 1):
            for k, v in run_once(a.preset, trk, seed).items():
                acc.setdefault(k, []).extend(v)
        res[kind] = acc
    kinds = list(res)
    print(f"{a.preset}, seeds 1..{a.seeds}: {' | '.join(kinds)}")
    classes = sorted({k.split(":")[0] for r in res.values() for k in r if ":" in k})
    print(f"{'class':22} {'metric':24} " + " ".join(f"{k:>22}" for k in kinds))
    for cls in classes:
        for metric, fmt in (
            ("delay", "median {:6.1f} max {:6.1f}"),
            ("early", "NEES {:6.2f} (n {:5.0f})"),
            ("late", "NEES {:6.2f} (n {:5.0f})"),
            ("tracks", "{:4.0f} tracks / {:3.0f} thr"),
        ):
            cells = []
            for kind in kinds:
                v = np.asarray(res[kind].get(f"{cls}:{metric}", []), dtype=float)
                if metric == "delay":
                    cells.append(fmt.format(*(np.median(v), v.max()) if v.size else (np.nan,) * 2))
                elif metric == "tracks":
                    n_thr = len(res[kind].get(f"{cls}:tracked", []))
                    cells.append(fmt.format(v.size, n_thr))
                else:
                    cells.append(fmt.format(v.mean() if v.size else np.nan, v.size))
            print(f"{cls:22} {metric + ' (s)' if metric == 'delay' else metric:24} "
                  + " ".join(f"{c:>22}" for c in cells))  # fmt: skip
    for key in ("initiated", "confirmed", "deleted", "cpu_s"):
        print(
            f"{'all':22} {key:24} " + " ".join(f"{sum(res[k].get(key, [0])):22.1f}" for k in kinds)
        )


if __name__ == "__main__":
    main()
