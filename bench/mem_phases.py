"""Where a run's memory goes: resident memory sampled by phase (issue #13).

Runs ``iadsim run`` in this process (as ``python -m iadsim run FILE --no-limits -q``
would) on a scaled raid of :mod:`bench_scaling`, while a thread reads ``VmRSS`` from
``/proc/self/status`` every ``--every-ms`` and the main thread's Python stack at that
instant. Each sample is labelled with the innermost frame of ``iadsim`` code (module
and function) and the line of :func:`iadsim.sim.runner.run_scenario` it is under, so
the peak can be placed without editing the code that is measured.

Prints the peak (RSS, time, its stack), the highest RSS per label (top ``--top``) and
``ru_maxrss`` at the end (which also counts what the sampler missed between samples).

Usage: python bench/mem_phases.py [--preset mixed|saturation] [--factor K]
       [--every-ms 50] [--top 15] [--tracemalloc | --trace-end]
       [--timeline-s S] [--after-line N]

``--tracemalloc`` traces Python and numpy allocations (not Arrow's) from the start,
``--trace-end`` only from the end of the simulation (what joining and writing the
outputs add); either prints the top allocation sites of the snapshot taken at the
highest traced memory (slow: for a small factor). ``--timeline-s`` prints a sample
every S s (RSS, Arrow's allocated bytes, traced memory, labels), from the first
sample at or after line N of ``run_scenario`` with ``--after-line``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from types import FrameType
from typing import Any

import pyarrow as pa
import yaml
from bench_scaling import scaled_raid

PRESETS = {"mixed": "s400-vs-mixed-raid", "saturation": "saturation"}


def rss_mb() -> float:
    """Resident set size of this process now, MB (``VmRSS``)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def label(frame: FrameType | None) -> tuple[str, str]:
    """(innermost iadsim function, runner line) of a stack."""
    inner, runner = "", ""
    while frame is not None:
        name = frame.f_code.co_filename
        if "/iadsim/" in name and not inner and "/cli/" not in name:
            mod = name.split("/iadsim/")[-1].removesuffix(".py")
            inner = f"{mod}:{frame.f_code.co_name}:{frame.f_lineno}"
        if name.endswith("sim/runner.py") and frame.f_code.co_name == "run_scenario":
            runner = f"run_scenario:{frame.f_lineno}"
        frame = frame.f_back
    return inner, runner


class Sampler(threading.Thread):
    """Samples (t, RSS, labels) of the main thread until stopped."""

    def __init__(self, every_s: float, snapshots: bool) -> None:
        super().__init__(daemon=True)
        self.every_s, self.snapshots = every_s, snapshots
        self.main = threading.main_thread().ident
        self.samples: list[tuple[float, float, str, str]] = []
        self.arrow_mb: list[float] = []
        self.traced_mb: list[float] = []
        self.stop = threading.Event()
        self.snapshot: tracemalloc.Snapshot | None = None
        self.t0 = time.monotonic()

    def run(self) -> None:
        best = 0.0
        while not self.stop.wait(self.every_s):
            frame = sys._current_frames().get(self.main or 0)
            inner, runner = label(frame)
            r = rss_mb()
            self.samples.append((time.monotonic() - self.t0, r, inner, runner))
            self.arrow_mb.append(pa.total_allocated_bytes() / 2**20)
            traced = tracemalloc.get_traced_memory()[0] / 2**20
            self.traced_mb.append(traced)
            if self.snapshots and tracemalloc.is_tracing() and traced > best + 10:
                best = traced
                self.snapshot = tracemalloc.take_snapshot()


def _trace_after_simulate() -> None:
    """Start tracemalloc when :func:`iadsim.sim.runner.simulate` returns (the end phase)."""
    from iadsim.sim import runner

    simulate = runner.simulate

    def traced(*a: Any, **k: Any) -> Any:
        out = simulate(*a, **k)
        tracemalloc.start(10)
        return out

    runner.simulate = traced  # type: ignore[assignment]


def _run(args: argparse.Namespace) -> tuple[Sampler, float, dict[str, float]]:
    """One ``iadsim run`` of the scaled raid, sampled: (sampler, CPU s, stage times)."""
    from iadsim.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raid.yaml"
        path.write_text(yaml.safe_dump(scaled_raid(PRESETS[args.preset], args.factor)))
        if args.tracemalloc:
            tracemalloc.start(8)
        s = Sampler(args.every_ms / 1000, args.tracemalloc or args.trace_end)
        s.start()
        cpu0 = time.process_time()
        try:
            app(["run", str(path), "--out", f"{tmp}/run", "-q", "--no-limits"])
        except SystemExit:
            pass
        cpu = time.process_time() - cpu0
        s.stop.set()
        s.join()
        stages = json.loads((Path(tmp) / "run" / "summary.json").read_text())["stage_time_s"]
    return s, cpu, stages


def _timeline(s: Sampler, every_s: float, after_line: int) -> None:
    next_t, on = 0.0, not after_line
    rows = zip(s.samples, s.arrow_mb, s.traced_mb, strict=True)
    for (t, r, inner, where), a, tm in rows:
        on = on or (where != "" and int(where.split(":")[1]) >= after_line)
        if on and t >= next_t:
            print(f"t {t:7.1f} s rss {r:6.0f} MB arrow {a:4.0f} traced {tm:5.0f} {where} {inner}")
            next_t = t + every_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="mixed")
    ap.add_argument("--factor", type=int, default=83)
    ap.add_argument("--every-ms", type=float, default=50.0)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--trace-end", action="store_true", help="tracemalloc after simulate()")
    ap.add_argument("--timeline-s", type=float, default=0.0, help="print a sample this often")
    ap.add_argument("--after-line", type=int, default=0, help="timeline from this runner line")
    args = ap.parse_args()
    if args.trace_end:
        _trace_after_simulate()
    s, cpu, stages = _run(args)
    peak = max(s.samples, key=lambda x: x[1])
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"factor {args.factor}: cpu {cpu:.1f} s, ru_maxrss {max_rss:.0f} MB")
    top = sorted(stages.items(), key=lambda x: -x[1])
    print("stages:", " ".join(f"{k}={v:.1f}" for k, v in top))
    print(f"peak sample {peak[1]:.0f} MB at {peak[0]:.1f} s: {peak[3]} {peak[2]}")
    per: dict[tuple[str, str], tuple[float, float]] = {}
    for t, r, inner, runner in s.samples:
        key = (runner, inner)
        if key not in per or r > per[key][1]:
            per[key] = (t, r)
    for (runner, inner), (t, r) in sorted(per.items(), key=lambda kv: -kv[1][1])[: args.top]:
        print(f"{r:7.0f} MB at {t:7.1f} s  {runner:<18} {inner}")
    if args.timeline_s > 0:
        _timeline(s, args.timeline_s, args.after_line)
    if s.snapshot is not None:
        for stat in s.snapshot.statistics("traceback")[:8]:
            print(f"{stat.size / 2**20:8.1f} MB {stat.count:8d} blocks")
            for line in stat.traceback.format()[-8:]:
                print("   ", line)


if __name__ == "__main__":
    main()
