"""NEES/NIS acceptance table: every filter x motion model x measurement kind.

Usage: python bench/consistency_table.py [N_RUNS] [N_STEPS]

For each case, N independent Monte Carlo runs of a matched scene (the truth moves
with the filter's own model and process noise); per step the run-averaged NEES
and NIS are compared with the two-sided 95% chi-square interval for N runs
(Bar-Shalom, Li, Kirubarajan 2001, sec. 5.4.2, eq. 5.4.2-7). Under consistency
about 95% of the steps fall inside.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))

from consistency_cases import FILTERS, MOTIONS, run_case

from iadsim.analysis.metrics.consistency import chi2_bounds


def main() -> None:
    n_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n_steps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    print(f"N = {n_runs} runs, K = {n_steps} steps, 95% bounds for N runs")
    print(
        f"{'filter':6} {'motion':7} {'meas':10} {'nx':>3} {'ANEES':>7} {'bounds':>15} "
        f"{'in':>5} {'nz':>3} {'ANIS':>6} {'bounds':>13} {'in':>5}"
    )
    for f in FILTERS:
        for m in MOTIONS:
            for meas in ("cartesian", "polar"):
                r = run_case(f, m, meas, n_runs=n_runs, n_steps=n_steps)
                lo, hi = chi2_bounds(r.nx, n_runs)
                lo_z, hi_z = chi2_bounds(r.nz, n_runs)
                a, b = r.inside()
                print(
                    f"{f:6} {m:7} {meas:10} {r.nx:3d} {r.anees.mean():7.2f} "
                    f"[{lo:5.2f}, {hi:5.2f}] {a:5.0%} {r.nz:3d} {r.anis.mean():6.2f} "
                    f"[{lo_z:4.2f}, {hi_z:4.2f}] {b:5.0%}"
                )


if __name__ == "__main__":
    main()
