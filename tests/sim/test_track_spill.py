"""Track rows of a long run spilled to a temporary file: same rows, same file bytes.

A run whose track rows pass ``TRACK_SPILL_ROWS`` keeps the rest on disk while it runs
(:mod:`iadsim.sim.spill`). With the limit set low enough that most parts spill, the
run must give bit-identical ``RunResult.tracks`` and a byte-identical
``tracks.parquet``; the temporary file goes with the result.
"""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path

import numpy as np
import pytest

from iadsim.frames import Tracks
from iadsim.scenario.load import load_scenario
from iadsim.sim import pipeline as pipeline_module
from iadsim.sim import spill
from iadsim.sim.runner import run_scenario


def _run(tmp_path: Path, name: str) -> tuple[Tracks, str, list[spill.SpilledTracks]]:
    scenario = load_scenario("s400-vs-mixed-raid")
    result = run_scenario(scenario, seed=11, out_dir=tmp_path / name)
    digest = hashlib.sha256((tmp_path / name / "tracks.parquet").read_bytes()).hexdigest()
    spilled = [p for p in result.track_rows.parts if isinstance(p, spill.SpilledTracks)]
    return result.tracks, digest, spilled


@pytest.mark.slow
def test_spilled_track_rows_are_the_rows_held_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, held_digest, none = _run(tmp_path, "held")
    assert none == []  # a default run of this size never spills
    monkeypatch.setattr(pipeline_module, "COMPACT_FRAMES", 200)  # many small parts
    monkeypatch.setattr(spill, "TRACK_SPILL_ROWS", 1000)
    got, digest, spilled = _run(tmp_path, "spilled")
    assert len(spilled) >= 5
    assert digest == held_digest
    assert len(got) == len(held) > 0
    for c in Tracks.columns():
        np.testing.assert_array_equal(getattr(got, c), getattr(held, c), err_msg=c)
        assert getattr(got, c).dtype == getattr(held, c).dtype
    path = spilled[0].file.path
    assert path.exists()
    del spilled, got
    gc.collect()


def test_track_parts_spill_past_the_limit_and_read_back_the_same() -> None:
    rng = np.random.default_rng(3)

    def part(n: int) -> Tracks:
        cols = {c: rng.normal(size=n) for c in Tracks.columns()}
        cols.update(
            t_s=np.sort(rng.uniform(0, 9, n)), track_id=rng.integers(0, 50, n),
            status=rng.integers(0, 4, n).astype(np.int8),
        )  # fmt: skip
        return Tracks(**cols)

    parts = [part(n) for n in (4, 3, 0, 6, 5)]
    tp = spill.TrackParts(limit_rows=7)
    for p in parts:
        tp.append(p)
    taken = tp.take()
    assert tp.take() == [] and tp.n_held == 0
    assert [isinstance(p, spill.SpilledTracks) for p in taken] == [False, False, False, True, True]
    for want, got in zip(parts, taken, strict=True):
        assert len(got) == len(want)
        back = spill.loaded(got)
        for c in Tracks.columns():
            np.testing.assert_array_equal(getattr(back, c), getattr(want, c))
            assert getattr(back, c).dtype == getattr(want, c).dtype
    path = taken[-1].file.path  # type: ignore[union-attr]
    del taken, back, got
    gc.collect()
    assert not path.exists()  # the temporary directory goes with the last reference
