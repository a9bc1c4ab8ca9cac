"""Digests and profiles of the dense raids of issue 13 (bench_scaling's scaled raids).

Builds a scaled raid exactly as ``bench/bench_scaling.py`` does (``saturation`` or
``mixed`` copied k times), validates it from the mapping (no YAML text), runs it
without recording and prints one fingerprint line as ``bench/fingerprint.py`` does
(truth, detections, tracks, events, summary digests; kills and leaks). With
``--profile N`` it runs under cProfile and prints the N top functions by cumulative
and by own time.

Usage: python bench/profile_dense.py FAMILY FACTOR [--profile N] [--yaml]

``--yaml`` loads the scenario from its YAML text (as ``iadsim run FILE`` does) to
include the parsing cost in the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scaling import scaled_raid
from fingerprint import TIMING_KEYS, frame_digest

from iadsim.scenario.load import load_scenario, load_scenario_data
from iadsim.scenario.schema import Scenario
from iadsim.sim.runner import RunResult, run_scenario

PRESET = {"mixed": "s400-vs-mixed-raid", "saturation": "saturation"}


def _scenario(family: str, factor: int, from_yaml: bool) -> Scenario:
    data = scaled_raid(PRESET[family], factor)
    if not from_yaml:
        return load_scenario_data(data, file=f"{data['name']}.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{data['name']}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return load_scenario(path)


def fingerprint_line(name: str, r: RunResult) -> str:
    """One line of digests, as ``bench/fingerprint.py`` prints it."""
    doc = r.summary.to_json_dict()
    summary = {k: v for k, v in doc.items() if k not in TIMING_KEYS}
    summary.pop("track_history", None)
    text = json.dumps(summary, sort_keys=True, default=str).encode()
    frames = {"truth": r.truth, "dets": r.detections, "tracks": r.tracks, "events": r.events}
    digests = " ".join(f"{k} {frame_digest(f)}" for k, f in frames.items())
    return (
        f"{name} {digests} summary {hashlib.sha256(text).hexdigest()[:16]}"
        f" killed {r.summary.n_killed} leaked {r.summary.n_leaked}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("family", choices=sorted(PRESET))
    ap.add_argument("factor", type=int)
    ap.add_argument("--profile", type=int, default=0, help="print the top N functions")
    ap.add_argument("--yaml", action="store_true", help="load from YAML text")
    args = ap.parse_args()
    prof = cProfile.Profile(time.process_time) if args.profile else None
    t0 = time.process_time()
    if prof:
        prof.enable()
    sc = _scenario(args.family, args.factor, args.yaml)
    r = run_scenario(sc, record=False, limits=None)
    if prof:
        prof.disable()
    cpu = time.process_time() - t0
    line = fingerprint_line(f"{args.family}-x{args.factor}", r)
    print(f"{line} cpu {cpu:.1f} s", flush=True)
    if prof:
        st = pstats.Stats(prof)
        st.sort_stats("cumulative").print_stats(args.profile)
        st.sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
