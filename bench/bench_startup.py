"""CPU time of the CLI's start-up: ``iadsim --help``, ``--version``, a typo, ``run --help``.

Each case runs ``N`` times in a fresh process (``python -m iadsim ...``); the CPU
time (user + system, from ``os.wait4``) of the child is reported as min-of-N next
to the floor ``python -c pass`` and the cost of importing the simulation stack,
which these commands must not pay. Target (issue 15): under 0.3 s of CPU for
``--help`` and error paths.

Fresh processes run as on an ordinary installation, with Python's bytecode cache
(``bench/timing.py``), after one untimed warm-up run per case that writes the cache.

Usage: python bench/bench_startup.py [--repeats N]
"""

from __future__ import annotations

import argparse

from timing import ENV, fresh_process

#: Help is laid out for an 80-column terminal, whatever the caller's.
HELP_ENV = ENV | {"COLUMNS": "80"}

CASES: dict[str, list[str]] = {
    "python -c pass (floor)": ["-c", "pass"],
    "iadsim --version": ["-m", "iadsim", "--version"],
    "iadsim --help": ["-m", "iadsim", "--help"],
    "iadsim runn (typo, exit 2)": ["-m", "iadsim", "runn"],
    "iadsim run --seed -1 (exit 2)": ["-m", "iadsim", "run", "--seed", "-1"],
    "iadsim run --help": ["-m", "iadsim", "run", "--help"],
    "import the stack (for scale)": [
        "-c",
        "import iadsim.cli, iadsim.sim.runner, iadsim.scenario.load",
    ],
}


def cpu_s(args: list[str]) -> float:
    """User + system CPU seconds of ``python ARGS`` in a fresh process (any exit code)."""
    return fresh_process(args, env=HELP_ENV, check=False).cpu_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command (fresh process)':<36}{'CPU s, min':>12}{'median':>10}")
    for name, argv in CASES.items():
        cpu_s(argv)  # warm-up: bytecode cache
        times = sorted(cpu_s(argv) for _ in range(args.repeats))
        print(f"{name:<36}{times[0]:>12.3f}{times[len(times) // 2]:>10.3f}")


if __name__ == "__main__":
    main()
