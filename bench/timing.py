"""Timing of fresh processes, shared by the benchmarks.

A fresh process runs as on an ordinary installation, with Python's bytecode
cache: ``PYTHONDONTWRITEBYTECODE`` (set in some containers, which makes every
process compile its sources again, ~0.06 s for iadsim) is removed from its
environment; time one untimed warm-up run first so that the cache is written.
CPU time is the child's user + system time (``os.wait4``), which a loaded
machine inflates far less than wall time: compare CPU, min of N.

Usage (from a script in ``bench/``, which Python puts on ``sys.path``)::

    from timing import fresh_process

    t = fresh_process(["-m", "iadsim", "--help"])
    print(t.wall_s, t.cpu_s)
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time

#: Environment of the timed fresh processes: an ordinary one, with bytecode caching.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclasses.dataclass(frozen=True)
class Timing:
    """Wall and CPU (user + system) seconds of one process."""

    wall_s: float
    cpu_s: float


def fresh_process(
    args: list[str], *, env: dict[str, str] | None = None, check: bool = True
) -> Timing:
    """Time ``python ARGS`` in a fresh process (stdout discarded).

    With ``check`` (default) a failing process prints its stderr and exits the
    benchmark with its exit code; without, any exit code is accepted.
    """
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=err, env=env or ENV
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall_s = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if check and code != 0:
            err.seek(0)
            print(err.read().decode(errors="replace"))
            raise SystemExit(code)
    return Timing(wall_s=wall_s, cpu_s=usage.ru_utime + usage.ru_stime)
