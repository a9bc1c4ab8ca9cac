"""Wall time of one run of a scenario (default: the bundled default preset).

Prints, side by side: the in-process time of ``run_scenario`` (compile + simulate
+ record; median of N repeats, imports excluded), the per-stage breakdown from
``summary.stage_time_s``, and the end-to-end wall time of the CLI command
``iadsim run`` in a fresh process (imports included, median of 3), which is what a
user waits for. Target (issues #2/#5): under 2 s / 3 s on a 2-core machine.

Fresh processes run as on an ordinary installation, with Python's bytecode cache
(``bench/timing.py``), after one untimed warm-up run that writes the cache; their
CPU time (min of 3) is printed beside the wall time.

``--baseline PATH`` instead compares this checkout with another one (its ``src/``,
e.g. ``git archive main src | tar -x -C /tmp/base``): fresh ``iadsim run`` processes
of the two, alternating, ``--repeats`` each; prints the CPU time of each (min and
median) and their ratio, which a shared machine disturbs least.

Usage: python bench/bench_run.py [SCENARIO] [--repeats N] [--baseline PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from timing import ENV, fresh_process


def compare(scenario: str, baseline: Path, repeats: int) -> None:
    """CPU of fresh ``iadsim run`` processes, this checkout vs ``baseline``, alternating."""
    here = Path(__file__).resolve().parents[1] / "src"
    envs = {"base": {**ENV, "PYTHONPATH": str(baseline.resolve() / "src")}}
    envs["this"] = {**ENV, "PYTHONPATH": str(here)}
    cpu: dict[str, list[float]] = {name: [] for name in envs}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats + 1):  # the first round writes the bytecode caches
            for name, env in envs.items():
                out = str(Path(tmp) / f"{name}{k}")
                t = fresh_process(["-m", "iadsim", "run", scenario, "-q", "--out", out], env=env)
                if k:
                    cpu[name].append(t.cpu_s)
    print(f"scenario: {scenario}  (fresh `iadsim run`, CPU s, {repeats} alternating runs each)")
    for name, values in cpu.items():
        print(f"{name:<6} min {min(values):7.2f}   median {statistics.median(values):7.2f}")
    print(f"ratio base/this (min): {min(cpu['base']) / min(cpu['this']):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="s400-vs-mixed-raid")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    if args.baseline is not None:
        compare(args.scenario, args.baseline, args.repeats)
        return

    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    load_s = time.perf_counter() - t0
    times, stage_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            t0 = time.perf_counter()
            result = run_scenario(scenario, out_dir=Path(tmp) / f"run{k}")
            times.append(time.perf_counter() - t0)
            stage_times.append(result.summary.stage_time_s)
        imports = [
            fresh_process(["-c", "import iadsim.cli, iadsim.sim.runner, iadsim.scenario.load"])
            for _ in range(4)
        ][1:]  # the first writes the bytecode cache
        cli = ["-m", "iadsim", "run", args.scenario, "--quiet", "--out"]
        cli_times = [fresh_process([*cli, str(Path(tmp) / f"cli{k}")]) for k in range(3)]
        cli_s = statistics.median(t.wall_s for t in cli_times)
    print(
        f"scenario: {args.scenario}  ({result.summary.n_threats} threats, "
        f"{result.summary.n_detections} detections, "
        f"{result.summary.n_events_processed} engine events)"
    )
    print(f"{'measure':<44}{'seconds':>10}")
    print(f"{'load + validate scenario':<44}{load_s:>10.3f}")
    print(f"{'run_scenario, median of ' + str(args.repeats):<44}{statistics.median(times):>10.3f}")
    print(f"{'run_scenario, min':<44}{min(times):>10.3f}")
    if stage_times and stage_times[-1]:
        total = 0.0
        for stage in stage_times[-1]:
            med = statistics.median(st.get(stage, 0.0) for st in stage_times)
            total += med
            print(f"{'  stage: ' + stage:<44}{med:>10.3f}")
        other = statistics.median(times) - total
        print(f"{'  other: engine, bookkeeping, recording':<44}{other:>10.3f}")
    import_s = statistics.median(t.wall_s for t in imports)
    print(f"{'CLI imports (fresh process, median of 3)':<44}{import_s:>10.3f}")
    print(f"{'CLI `iadsim run` end to end (fresh, median of 3)':<44}{cli_s:>10.3f}")
    print(f"{'CLI `iadsim run` CPU (fresh, min of 3)':<44}{min(t.cpu_s for t in cli_times):>10.3f}")
    print("target: default scenario end to end < 2 s (foundation) / < 3 s (with C2 and engagement)")


if __name__ == "__main__":
    main()
