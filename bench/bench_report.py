"""Size and generation time of the HTML report of one run (default: the default preset).

Prints, side by side: the report's size against the 10 MB goal, its in-process
generation time (``write_run_report``: read the run, build every figure, write
the page; min of N, wall and CPU), and ``iadsim report RUN_DIR`` end to end in a
fresh process (imports included, min of 3) against the 5 s goal, with
``iadsim run`` of the same scenario for scale. Not a timed test.

Usage: python bench/bench_report.py [SCENARIO] [--repeats N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from timing import fresh_process

SIZE_GOAL_MB, TIME_GOAL_S = 10.0, 5.0


def _fresh_s(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) time of ``python -m iadsim ARGS`` in a fresh process (fails loudly)."""
    t = fresh_process(["-m", "iadsim", *args])
    return t.wall_s, t.cpu_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="s400-vs-mixed-raid")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from iadsim.analysis.report.run_report import write_run_report

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        run_s = min(
            _fresh_s(["run", args.scenario, "--out", str(run_dir / f"r{k}"), "-q"])
            for k in range(3)
        )
        run_dir = run_dir / "r0"
        write_run_report(run_dir, Path(tmp) / "warm.html")  # imports, caches
        wall, cpu = [], []
        for k in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            path = write_run_report(run_dir, Path(tmp) / f"report{k}.html")
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        size_mb = path.stat().st_size / 1e6
        cli = [
            _fresh_s(["report", str(run_dir), "-o", str(Path(tmp) / f"cli{k}.html")])
            for k in range(3)
        ]
    print(f"scenario {args.scenario}")
    print(f"{'':32s}{'measured':>12s}{'goal':>10s}{'ratio':>8s}")
    print(
        f"{'report size (MB)':32s}{size_mb:12.2f}{SIZE_GOAL_MB:10.1f}{size_mb / SIZE_GOAL_MB:8.2f}"
    )
    rows = (
        ("write_run_report wall (s, min)", min(wall)),
        ("write_run_report CPU (s, min)", min(cpu)),
        ("iadsim report, fresh wall (s)", min(c[0] for c in cli)),
        ("iadsim report, fresh CPU (s)", min(c[1] for c in cli)),
    )
    for name, v in rows:
        print(f"{name:32s}{v:12.2f}{TIME_GOAL_S:10.1f}{v / TIME_GOAL_S:8.2f}")
    print(f"{'iadsim run, fresh wall (s)':32s}{run_s[0]:12.2f}")
    print(f"{'iadsim run, fresh CPU (s)':32s}{run_s[1]:12.2f}")


if __name__ == "__main__":
    main()
