"""Kill-chain accounting per preset: salvos, rounds, kills, misses by reason, aborts.

Runs every bundled preset for a few seeds (no run directory) and prints one row per
preset with the totals over the seeds, so a change to fire control, handover or
doctrine can be read as an analyst would (``python bench/killchain_table.py``).
Reads the engagement log when the run has one, else the event log (older code).
"""

from __future__ import annotations

import argparse
import collections
import sys

import numpy as np

from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario

PRESETS = (
    "s400-vs-mixed-raid",
    "stealth-penetration",
    "stealth-penetration-no-vhf",
    "saturation",
    "patriot-vs-mixed-raid",
)


def tally(result) -> collections.Counter:
    """Counts of salvos, rounds and salvo outcomes (by reason) of one run."""
    c: collections.Counter = collections.Counter()
    log = getattr(result, "engagements", None)
    s = result.summary
    c["threats"] += s.n_threats
    c["killed"] += s.n_killed
    c["leaked"] += s.n_leaked
    c["leaked, then shot down on egress"] += getattr(s, "n_killed_after_leak", 0)
    c["survived"] += s.n_survived
    if log is not None:
        c["salvos"] += len(log)
        c["rounds"] += int(np.sum(log.n_rounds))
        for outcome, reason in zip(log.outcome, log.reason, strict=True):
            c[f"{outcome}: {reason}" if reason else outcome] += 1
        return c
    ev = result.events
    launch = ev.kind == "launch"
    c["salvos"] += int(launch.sum())
    c["rounds"] += int(np.sum(ev.value[launch]))
    for kind, detail in zip(ev.kind, ev.detail, strict=True):
        if kind in ("kill", "miss"):
            c[f"{kind}: {detail}" if detail else kind] += 1
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--presets", nargs="+", default=list(PRESETS))
    a = ap.parse_args(argv)
    for name in a.presets:
        total: collections.Counter = collections.Counter()
        sc = load_scenario(name)
        for seed in a.seeds:
            total += tally(run_scenario(sc, seed=seed, record=False))
        kills = total.get("kill", 0) + total.get("kill: ", 0)
        per_kill = total["rounds"] / kills if kills else float("nan")
        print(f"## {name} (seeds {a.seeds})")
        for key in sorted(total):
            print(f"  {key:48s} {total[key]:6d}")
        print(f"  {'rounds per kill':48s} {per_kill:6.2f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
