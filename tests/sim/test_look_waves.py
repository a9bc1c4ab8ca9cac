"""The pipeline hands looks to the tracker in waves (``Pipeline.flush``); a run's results
must not depend on how the looks are grouped: with one look per wave (each handed over
at its own time, as before waves) every frame and the summary are the same."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from killchain_scenarios import random_scenario

import iadsim.sim.pipeline as pipeline_mod
from iadsim.frame_base import Frame
from iadsim.scenario.load import load_scenario
from iadsim.scenario.schema import Scenario
from iadsim.sim.runner import RunResult, run_scenario

TIMING = {"stage_time_s", "wall_time_s"}


def _frames(r: RunResult) -> dict[str, Frame]:
    return {"tracks": r.tracks, "detections": r.detections, "events": r.events,
            "engagements": r.engagements}  # fmt: skip


def _same(a: RunResult, b: RunResult) -> None:
    for name, fa in _frames(a).items():
        fb = _frames(b)[name]
        assert len(fa) == len(fb), name
        for col in type(fa).columns():
            x, y = np.asarray(getattr(fa, col)), np.asarray(getattr(fb, col))
            ok = np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
            assert ok, f"{name}.{col} differs"
    sa, sb = dataclasses.asdict(a.summary), dataclasses.asdict(b.summary)
    for key in TIMING:
        sa.pop(key, None), sb.pop(key, None)
    # (JSON text: NaN equals NaN there, not in a tuple comparison)
    assert json.dumps(sa, sort_keys=True, default=str) == json.dumps(
        sb, sort_keys=True, default=str
    )


def _run_both(sc: Scenario, seed: int, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    waves = run_scenario(sc, seed=seed, record=False)
    with monkeypatch.context() as m:
        m.setattr(pipeline_mod, "MAX_WAVE", 1)  # every look handed over at its time
        one = run_scenario(sc, seed=seed, record=False)
    _same(waves, one)
    return waves


def _short(sc: Scenario, duration_s: float) -> Scenario:
    sim = sc.simulation.model_copy(update={"duration_s": duration_s})
    return sc.model_copy(update={"simulation": sim})


@pytest.mark.parametrize("seed", [1, 5])
def test_default_preset_waves_equal_one_look_at_a_time(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = _run_both(load_scenario("s400-vs-mixed-raid"), seed, monkeypatch)
    assert len(r.engagements) > 0 and (r.summary.n_killed > 0)  # the chain ran


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_scenarios_waves_equal_one_look_at_a_time(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_both(random_scenario(seed), seed, monkeypatch)


def test_waves_hold_many_looks() -> None:
    """The comparison is not vacuous: a run hands over waves of many looks."""
    sizes: list[int] = []
    real = pipeline_mod.step_looks

    def spy(tracker, wave):  # type: ignore[no-untyped-def]
        sizes.append(len(wave))
        return real(tracker, wave)

    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline_mod, "step_looks", spy)
    try:
        run_scenario(_short(load_scenario("s400-vs-mixed-raid"), 300.0), seed=1, record=False)
    finally:
        mp.undo()
    assert max(sizes) >= 5 and sum(sizes) > 2 * len(sizes)


def test_wave_books_notes_with_their_look() -> None:
    """``Wave``: full at ``max_looks``, notes kept with their look, empty after ``take``."""
    from iadsim.frames import Detections
    from iadsim.sim.look_wave import Wave
    from iadsim.tracking.wave import Look

    wave = Wave(max_looks=2)
    looks = [Look(Detections.empty(), float(t), 0, None) for t in range(3)]
    seen: list[float] = []
    assert not wave.add(None, looks[0], lambda: None)  # type: ignore[arg-type]
    assert wave.add(None, looks[1], lambda: None, lambda r: seen.append(r))  # type: ignore[arg-type]
    items = wave.take()
    assert len(wave) == 0 and [w.look.t_s for w in items] == [0.0, 1.0]
    assert [len(w.notes) for w in items] == [0, 1]
    items[1].notes[0](2.5)  # type: ignore[arg-type]
    assert seen == [2.5]
