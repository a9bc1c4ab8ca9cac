"""Scaling benchmark: whole-run CPU time, stage times and peak RSS as raids and defenses grow.

Generates three families of scenarios from the bundled presets (issue #13):

- ``mixed``: the default preset's raid copied k times (each copy a new route group,
  its waypoints shifted up to ~30 km, launches staggered over 4 min), 12 k threats;
- ``saturation``: the saturation preset's raid copied k times (64 k threats);
- ``batteries``: the default scenario with its battery copied b times on a ring
  around the airbase (1, 4, 16 batteries, 12 threats).

Each run is ``python -m iadsim run FILE`` in a fresh process (recording included),
timed by the kernel: CPU = user + system time of that process (``os.wait4``), peak
RSS = its ``ru_maxrss``. Stage times come from its ``summary.json``. For each family
the fitted exponent is the slope of log CPU against log size (threats or batteries).

``--baseline PATH`` runs every scenario also with ``PYTHONPATH=PATH/src`` (another
checkout, e.g. the parent commit: ``git archive HEAD~1 src | tar -x -C /tmp/base``)
and prints both side by side with the ratio; their runs alternate, repeat by repeat,
and with ``--together`` each repeat starts both at the same time, one per core: this
shared machine's speed drifts by up to 2x within a day (2026-12-06: the same 16-battery
run took 83 s and 106 s an hour apart), so only runs made side by side compare.
``--quick`` runs a smaller ladder.

Usage: python bench/bench_scaling.py [--quick] [--baseline PATH [--together]]
       [--repeats N] [--timeout CPU_S] [--only FAMILY] [--factors K ...] [--json OUT]

``--timeout`` is CPU time per run (the kernel stops a run that uses more, which is
reported as "did not finish in N CPU s"); runs are made with ``--no-limits``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import yaml

from iadsim.sim.summary_types import read_summary

PRESETS = Path(__file__).resolve().parents[1] / "src" / "iadsim" / "scenario" / "presets"
FULL = {"mixed": [1, 4, 17, 83, 417], "saturation": [1, 4, 16], "batteries": [1, 4, 16]}
QUICK = {"mixed": [1, 4, 17], "saturation": [1, 4], "batteries": [1, 4]}
#: Environment of the timed processes: as installed (bytecode cache on).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _preset(name: str) -> dict[str, Any]:
    with open(PRESETS / f"{name}.yaml", encoding="utf-8") as f:
        return dict(yaml.safe_load(f))


def _offset_deg(k: int, radius_deg: float) -> tuple[float, float]:
    """Deterministic spread of copy ``k`` on a sunflower spiral (copy 0: no shift)."""
    if k == 0:
        return 0.0, 0.0
    r = radius_deg * math.sqrt(k / (k + 8.0))
    a = k * 2.399963229728653  # golden angle
    return r * math.cos(a), r * math.sin(a)


def scaled_raid(preset: str, k: int) -> dict[str, Any]:
    """The preset with each threat entry copied ``k`` times (new route groups)."""
    sc = _preset(preset)
    threats = []
    for c in range(k):
        dlat, dlon = _offset_deg(c, 0.3)
        for th in sc["threats"]:
            t = copy.deepcopy(th)
            t["name"] = f"{th['name']}-{c}"
            for wp in t["route"][:-1]:  # the last waypoint stays on the target
                wp["lat_deg"] += dlat
                wp["lon_deg"] += dlon
            t["launch_time_s"] = float(th.get("launch_time_s", 0.0)) + (37.0 * c) % 240.0
            threats.append(t)
    sc["threats"] = threats
    sc["name"] = f"{preset}-x{k}"
    return sc


def _shift(item: dict[str, Any], dlat: float, dlon: float, suffix: str) -> dict[str, Any]:
    out = dict(item)
    out["name"] = f"{item['name']}{suffix}"
    if "lat_deg" in out:
        out["lat_deg"] += dlat
        out["lon_deg"] += dlon
    return out


def batteries(b: int) -> dict[str, Any]:
    """The default scenario with its battery copied ``b`` times on a ring (~40 km)."""
    sc = _preset("s400-vs-mixed-raid")
    base = sc["batteries"][0]
    out = []
    for c in range(b):
        a = 2 * math.pi * c / b
        dlat, dlon = (0.0, 0.0) if c == 0 else (0.35 * math.cos(a), 0.45 * math.sin(a))
        sfx = "" if c == 0 else f"-{c}"
        bty = copy.deepcopy(base)
        bty["name"] = f"{base['name']}{sfx}"
        if "command_post" in bty:
            cp = bty["command_post"]
            cp["lat_deg"] += dlat
            cp["lon_deg"] += dlon
        bty["radars"] = [_shift(r, dlat, dlon, sfx) for r in base["radars"]]
        bty["launchers"] = [_shift(r, dlat, dlon, sfx) for r in base["launchers"]]
        if "engagement_radar" in bty:
            bty["engagement_radar"] = f"{base['engagement_radar']}{sfx}"
        out.append(bty)
    sc["batteries"] = out
    sc["name"] = f"batteries-x{b}"
    return sc


def ladder(quick: bool, only: str | None) -> list[tuple[str, int, int, dict[str, Any]]]:
    """(family, factor, size, scenario dict) for every run of the ladder."""
    runs = []
    for fam, ks in (QUICK if quick else FULL).items():
        if only and fam != only:
            continue
        for k in ks:
            if fam == "batteries":
                runs.append((fam, k, k, batteries(k)))
            else:
                sc = scaled_raid("s400-vs-mixed-raid" if fam == "mixed" else "saturation", k)
                n = sum(int(t.get("count", 1)) for t in sc["threats"])
                runs.append((fam, k, n, sc))
    return runs


def _cpu_limit(seconds: float) -> Callable[[], None]:
    """A ``preexec_fn`` capping the child's CPU time (the kernel stops it: SIGXCPU)."""

    def limit() -> None:
        s = max(1, math.ceil(seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (s, s + 5))

    return limit


def run_once(path: Path, out: Path, src: Path | None, timeout_s: float) -> dict[str, Any]:
    """One fresh ``iadsim run``: CPU s, peak RSS MB, stage times (or the failure).

    ``timeout_s`` is CPU time (RLIMIT_CPU), so a loaded machine does not turn a slow
    wall clock into a timeout; wall time is capped at 20 times that.
    """
    return finish(start(path, out, src, timeout_s), out, timeout_s)


def start(path: Path, out: Path, src: Path | None, timeout_s: float) -> subprocess.Popen[bytes]:
    """Start one ``iadsim run`` of ``path`` into ``out`` with ``src`` on the path."""
    env = dict(ENV)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-m", "iadsim", "run", str(path), "--out", str(out), "-q"]
    cmd.append("--no-limits")  # the largest raids exceed the default resource guard
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=_cpu_limit(timeout_s),
    )  # fmt: skip


def finish(proc: subprocess.Popen[bytes], out: Path, timeout_s: float) -> dict[str, Any]:
    """Wait for a run of :func:`start` and read what :func:`run_once` returns."""
    t0 = time.monotonic()
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > 20 * timeout_s:
            proc.kill()
            pid, status, ru = os.wait4(proc.pid, 0)
            return {"cpu_s": math.nan, "rss_mb": ru.ru_maxrss / 1024, "error": "wall timeout"}
        time.sleep(0.05)
    res: dict[str, Any] = {"cpu_s": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024}
    if ru.ru_utime + ru.ru_stime >= timeout_s:
        return {**res, "cpu_s": math.nan, "error": f"did not finish in {timeout_s:.0f} CPU s"}
    if os.waitstatus_to_exitcode(status) != 0:
        res["error"] = (proc.stderr.read().decode() if proc.stderr else "")[-300:]
        res["cpu_s"] = math.nan
        return res
    res["stages"] = dict(read_summary(out).stage_time_s)
    res["track_rows"] = pq.read_metadata(out / "tracks.parquet").num_rows
    return res


def measure(
    sc: dict[str, Any], checkouts: dict[str, Path | None], repeats: int, timeout_s: float,
    tmp: Path, together: bool = False,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Min-of-``repeats`` CPU of each checkout over fresh runs (stages and RSS of that
    run). The checkouts' runs alternate (a slow spell of the shared machine falls on
    both), or with ``together`` start at the same time, one per core."""
    path = tmp / f"{sc['name']}.yaml"
    path.write_text(yaml.safe_dump(sc, sort_keys=False))
    best: dict[str, dict[str, Any]] = {}
    for r in range(repeats):
        outs = {
            name: tmp / f"run-{sc['name']}-{name}-{r}-{time.monotonic_ns()}" for name in checkouts
        }
        if together:
            procs = {
                name: start(path, outs[name], src, timeout_s) for name, src in checkouts.items()
            }
            got = {name: finish(procs[name], outs[name], timeout_s) for name in checkouts}
        else:
            got = {
                name: run_once(path, outs[name], src, timeout_s) for name, src in checkouts.items()
            }
        for name, res in got.items():
            if name not in best or not res["cpu_s"] >= best[name]["cpu_s"]:
                best[name] = res
        if any("error" in res for res in got.values()):
            break
    return best


def exponent(x: list[int], cpu: list[float]) -> float:
    """Slope of log CPU vs log size (least squares); nan with < 2 finite points."""
    pts = [(a, c) for a, c in zip(x, cpu, strict=True) if np.isfinite(c)]
    if len(pts) < 2:
        return math.nan
    a, c = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(a, c, 1)[0])


def _fmt_stages(st: dict[str, float] | None) -> str:
    if not st:
        return ""
    top = sorted(st.items(), key=lambda kv: -kv[1])[:3]
    return " ".join(f"{k}={v:.1f}" for k, v in top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller ladder")
    ap.add_argument("--baseline", type=Path, help="another checkout (its src/ is used)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600.0, help="CPU s per run")
    ap.add_argument("--only", choices=sorted(FULL))
    ap.add_argument("--factors", type=int, nargs="+", help="only these factors of the ladder")
    ap.add_argument("--json", type=Path, help="write all measurements here")
    ap.add_argument(
        "--together", action="store_true",
        help="with --baseline: start both checkouts' runs at the same time (one per core)",
    )  # fmt: skip
    args = ap.parse_args()
    here = Path(__file__).resolve().parents[1] / "src"
    checkouts: dict[str, Path | None] = {"this": here}
    if args.baseline:
        checkouts = {"base": args.baseline.resolve() / "src", "this": here}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for fam, k, size, sc in ladder(args.quick, args.only):
            if args.factors and k not in args.factors:
                continue
            row: dict[str, Any] = {"family": fam, "factor": k, "size": size}
            row |= measure(sc, checkouts, args.repeats, args.timeout, Path(tmp), args.together)
            rows.append(row)
            _print_row(row, list(checkouts))
    print()
    for fam in dict.fromkeys(r["family"] for r in rows):
        fr = [r for r in rows if r["family"] == fam]
        unit = "batteries" if fam == "batteries" else "threats"
        fits = "  ".join(
            f"{name}: {exponent([r['size'] for r in fr], [r[name]['cpu_s'] for r in fr]):.2f}"
            for name in checkouts
        )
        print(f"exponent of CPU vs {unit} ({fam}): {fits}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str))


def _print_row(row: dict[str, Any], names: list[str]) -> None:
    parts = [f"{row['family']:<10} x{row['factor']:<4} n={row['size']:<5}"]
    for name in names:
        r = row[name]
        err = f" [{r['error'][:40].strip()}]" if "error" in r else ""
        parts.append(
            f"| {name}: cpu {r['cpu_s']:7.1f} s rss {r['rss_mb']:6.0f} MB"
            f" rows {r.get('track_rows') or 0:>8} ({_fmt_stages(r.get('stages'))}){err}"
        )
    if len(names) == 2:
        a, b = row[names[0]]["cpu_s"], row[names[1]]["cpu_s"]
        parts.append(f"| ratio {a / b:5.2f}x" if np.isfinite(a) and np.isfinite(b) else "|")
    print(" ".join(parts), flush=True)


if __name__ == "__main__":
    main()
