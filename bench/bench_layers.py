"""Benchmark and check: a many-battery run's tracker waves, layered against one by one.

Runs ``bench_scaling.batteries(B)`` up to ``--until`` s and records every wave the
pipeline hands its tracker (``tracking.wave.step_looks`` wrapped); then replays the
waves on fresh trackers of the run's parts with ``step_looks`` (layers) and with
``step_one_by_one``, ``--repeats`` times each, alternating, and reports the CPU
(process time, min of the repeats) of each, and whether every look's result (tracks
frame, hit ids and times, changes, number of tracks) and the trackers' counters are
identical.

Run: ``PYTHONPATH=src:bench python bench/bench_layers.py [--batteries 16] [--until 600]``
(``--preset saturation --batteries 16``: the saturation raid x 16 instead).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

import numpy as np
from bench_scaling import batteries, scaled_raid

import iadsim.sim.pipeline as pipeline_module
from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario
from iadsim.tracking import wave as wave_module
from iadsim.tracking.tracker import Tracker


def record_waves(
    b: int, until_s: float, preset: str | None = None
) -> tuple[Any, list[list[wave_module.Look]]]:
    """Run ``batteries(b)`` (or ``preset``'s raid x ``b``) for ``until_s`` s; the
    tracker's parts and the waves."""
    waves: list[list[wave_module.Look]] = []
    parts: list[Any] = []
    init = Tracker.__init__

    def rec_init(self: Tracker, **kw: Any) -> None:
        parts.append(kw["parts"])
        init(self, **kw)

    def rec(tracker: Tracker, wave: Any) -> Any:
        waves.append(list(wave))
        return wave_module.step_one_by_one(tracker, wave)

    data = batteries(b) if preset is None else scaled_raid(preset, b)
    data["simulation"]["duration_s"] = until_s
    scenario = load_scenario_data(data, file="batteries.yaml")
    Tracker.__init__ = rec_init  # type: ignore[method-assign]
    pipeline_module.step_looks = rec  # type: ignore[assignment]
    try:
        run_scenario(scenario, record=False, limits=None)
    finally:
        Tracker.__init__ = init  # type: ignore[method-assign]
        pipeline_module.step_looks = wave_module.step_looks
    return parts[-1], waves


def replay(parts: Any, waves: list[list[wave_module.Look]], fn: Any) -> tuple[float, str, Any]:
    """CPU s of ``fn`` over the waves on a fresh tracker, a digest of every result."""
    tr = Tracker(parts=parts)
    h = hashlib.sha256()
    results = []
    t0 = time.process_time()
    for w in waves:
        results.append(fn(tr, w))
    cpu = time.process_time() - t0
    for res in results:
        for r in res:
            for name in r.tracks.columns():
                h.update(np.ascontiguousarray(getattr(r.tracks, name)).tobytes())
            h.update(r.hit_ids.tobytes() + r.hit_t_s.tobytes() + r.changes.tobytes())
            h.update(str(r.n_tracks).encode())
    h.update(repr(sorted(tr.counters.items())).encode())
    return cpu, h.hexdigest()[:16], tr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batteries", type=int, default=16)
    ap.add_argument("--until", type=float, default=600.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--preset", default=None, help="a preset's raid x B, not batteries")
    a = ap.parse_args()
    parts, waves = record_waves(a.batteries, a.until, a.preset)
    n_looks = sum(len(w) for w in waves)
    n_layers = sum(len(wave_module.layers.cut_layers(w)) for w in waves)
    print(f"{len(waves)} waves, {n_looks} looks, {n_layers} layers")
    cpu: dict[str, list[float]] = {"one_by_one": [], "layers": []}
    digest: dict[str, set[str]] = {"one_by_one": set(), "layers": set()}
    fns = {"one_by_one": wave_module.step_one_by_one, "layers": wave_module.step_looks}
    for _ in range(a.repeats):
        for name, fn in fns.items():
            c, d, _tr = replay(parts, waves, fn)
            cpu[name].append(c)
            digest[name].add(d)
    for name in fns:
        print(f"{name:>10}: min {min(cpu[name]):.2f} s CPU  digests {sorted(digest[name])}")
    same = digest["one_by_one"] == digest["layers"] and len(digest["layers"]) == 1
    print(
        f"ratio layers/one_by_one {min(cpu['layers']) / min(cpu['one_by_one']):.3f}; "
        f"identical: {same}"
    )


if __name__ == "__main__":
    main()
