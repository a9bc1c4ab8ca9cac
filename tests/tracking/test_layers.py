"""Layers of a wave (:mod:`iadsim.tracking.layers`): how a wave is cut, that the
layered step takes both of its paths on the scenes of ``test_wave``, and that it
equals one look at a time (results and state, ``test_wave``'s oracle) with every
layer of two looks or more layered."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_wave import CONFIG_NAMES, FAST_SEEDS, _random_sizes, assert_waves_match, scene

from iadsim.frames import Detections
from iadsim.tracking import wave
from iadsim.tracking.layers import cut_layers
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
    """One wave per scene: most looks with plots skip their search (quiet), some do not,
    and the results stay those of one look at a time."""
    count = {True: 0, False: 0}
    step = wave._step

    def counted(*args: Any) -> Any:
        count[bool(args[-1])] += 1
        return step(*args)

    monkeypatch.setattr(wave, "_step", counted)
    monkeypatch.setattr(wave, "MIN_LAYER_LOOKS", 2)  # (every layer of 2 looks or more)
    for seed in range(4):
        assert_waves_match(config, seed, [len(scene(seed))])
    assert count[True] > 0 and count[False] > 0, count


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
