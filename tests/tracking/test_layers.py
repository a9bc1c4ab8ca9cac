"""Layers of a wave (:mod:`iadsim.tracking.layers`): how a wave is cut, that the
layered step takes both of its paths on the scenes of ``test_wave``, and that it
equals one look at a time (results and state, ``test_wave``'s oracle) with every
layer of two looks or more layered."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_wave import CONFIG_NAMES, CONFIGS, FAST_SEEDS, _random_sizes, assert_waves_match, scene

from iadsim.frames import Detections
from iadsim.tracking import wave
from iadsim.tracking.births import Planned
from iadsim.tracking.layers import cut_layers
from iadsim.tracking.tracker import Tracker
from iadsim.tracking.wave import Look


def _look(sensor: int | None, t_s: float) -> Look:
    return Look(Detections.empty(), t_s, sensor, None)


def _cuts(looks: list[Look]) -> list[tuple[int, int]]:
    return [(s.start, s.stop) for s in cut_layers(looks)]


def test_a_layer_holds_one_look_per_sensor_in_time_order() -> None:
    ls = [_look(s, t) for s, t in [(0, 1.0), (1, 1.0), (2, 2.0), (1, 2.0), (3, 2.5), (0, 3.0)]]
    assert _cuts(ls) == [(0, 3), (3, 6)]


def test_a_look_of_no_sensor_or_an_earlier_time_starts_a_layer() -> None:
    ls = [_look(s, t) for s, t in [(0, 1.0), (None, 1.0), (1, 1.0), (2, 0.5), (3, 0.5)]]
    assert _cuts(ls) == [(0, 1), (1, 2), (2, 3), (3, 5)]
    assert _cuts([]) == []


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_scenes_take_the_quiet_path_and_the_full_path(
    config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One wave per scene: most looks with plots skip their search (quiet), some do not;
    with two-point initiation quiet looks take their births planned ahead
    (:mod:`iadsim.tracking.births`): some start tracks or leave pairs waiting for a
    third plot (and looks of a sensor with waiting pairs are planned too), and a planned
    look that an earlier look's tracks concern after all
    drops its plan; the results stay those of one look at a time."""
    count = dict.fromkeys(["quiet", "full", "planned", "used", "births", "pending", "waiting"], 0)
    step, plan = wave._step, Tracker.plan_births

    def counted(tracker: Tracker, look: Look, raw: Any, cart: Any, quiet: bool,
                planned: Planned | None) -> Any:  # fmt: skip
        count["quiet" if quiet else "full"] += 1
        count["used"] += planned is not None
        count["births"] += planned is not None and planned.births is not None
        count["pending"] += planned is not None and planned.pending is not None
        count["waiting"] += planned is not None and planned.waiting is not None
        return step(tracker, look, raw, cart, quiet, planned)

    def plans(tracker: Tracker, *args: Any) -> Any:
        out = plan(tracker, *args)
        count["planned"] += len(out)
        return out

    monkeypatch.setattr(wave, "_step", counted)
    monkeypatch.setattr(Tracker, "plan_births", plans)
    monkeypatch.setattr(wave, "MIN_LAYER_LOOKS", 2)  # (every layer of 2 looks or more)
    for seed in (0, 1, 7, 8):  # (7 and 8: plans dropped with two-point initiation)
        assert_waves_match(config, seed, [len(scene(seed))])
    assert count["quiet"] > 0 and count["full"] > 0, count
    init = CONFIGS[config]["initiation"]
    if init["kind"] != "two_point":
        assert count["planned"] == 0, count
    elif "third_plot" in init:  # (pairs that wait for a third plot, planned looks after)
        assert count["pending"] > 0 and count["waiting"] > 0, count
    else:
        assert count["births"] > 0 and count["planned"] > count["used"], count


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_small_layers_equal_one_look_at_a_time(
    config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``test_wave``'s random waves with every layer of two looks or more layered
    (the pipeline layers only layers of ``MIN_LAYER_LOOKS``)."""
    monkeypatch.setattr(wave, "MIN_LAYER_LOOKS", 2)
    for seed in FAST_SEEDS:
        rng = np.random.default_rng([7, seed])
        assert_waves_match(config, seed, _random_sizes(rng, len(scene(seed))))
