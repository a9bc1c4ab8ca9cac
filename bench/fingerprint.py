"""Fingerprints of every preset's outputs, to show an optimisation changes no result.

Runs each bundled preset with its own seed and with seed 7 (``record=False``) and
prints one line per run: a SHA-256 prefix of every output frame (truth, detections,
tracks, events) and of the summary (timings excluded), plus kills and leaks. Use it
around a change that must keep results bit-identical:

    python bench/fingerprint.py > before.txt      # on the parent commit
    python bench/fingerprint.py > after.txt       # with the change
    diff before.txt after.txt                     # empty: same bits everywhere

Usage: python bench/fingerprint.py [--track-history full|changes] [PRESET ...]

``--track-history`` overrides the scenarios' ``simulation.track_history`` (``full``
gives the per-look track rows of the versions before change-only track output).
"""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np

from iadsim.frames import Frame
from iadsim.scenario.load import list_presets, load_scenario
from iadsim.scenario.schema import Scenario
from iadsim.sim.runner import run_scenario

#: Summary keys that hold wall-clock timings, not results.
TIMING_KEYS = ("stage_time_s", "wall_time_s")


def frame_digest(frame: Frame) -> str:
    """SHA-256 prefix over the frame's column names and values."""
    h = hashlib.sha256()
    for name in frame.columns():
        col = np.asarray(getattr(frame, name))
        h.update(name.encode())
        h.update("|".join(col).encode() if col.dtype.kind == "U" else col.tobytes())
    return h.hexdigest()[:16]


def _scenario(preset: str, history: str | None) -> Scenario:
    sc = load_scenario(preset)
    if history is None:
        return sc
    sim = sc.simulation.model_copy(update={"track_history": history})
    return sc.model_copy(update={"simulation": sim})


def main() -> None:
    args, history = sys.argv[1:], None
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return
    if args[:1] == ["--track-history"]:
        history, args = args[1], args[2:]
    for preset in args or list_presets():
        for seed in (None, 7):
            r = run_scenario(_scenario(preset, history), seed=seed, record=False)
            doc = r.summary.to_json_dict()
            summary = {k: v for k, v in doc.items() if k not in TIMING_KEYS}
            summary.pop("track_history", None)  # a setting, not a result
            text = json.dumps(summary, sort_keys=True, default=str).encode()
            frames = {"truth": r.truth, "dets": r.detections, "tracks": r.tracks}
            frames["events"] = r.events
            digests = " ".join(f"{k} {frame_digest(f)}" for k, f in frames.items())
            print(
                f"{preset} seed={seed} {digests} summary {hashlib.sha256(text).hexdigest()[:16]}"
                f" killed {r.summary.n_killed} leaked {r.summary.n_leaked}"
            )


if __name__ == "__main__":
    main()
