"""Frames built without checks (:meth:`iadsim.frame_base.Frame.from_owned_columns`) are
valid: a short preset run with every such frame passed through the checked constructor
(:meth:`~iadsim.frame_base.Frame.from_trusted_columns`) and its columns read-only."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from iadsim.frame_base import Frame
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario


def test_owned_frames_pass_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    built: Counter[str] = Counter()

    def checked(cls: type[Frame], columns: dict[str, Any]) -> Frame:
        frame = cls.from_trusted_columns(columns)  # raises on a wrong name, dtype or length
        assert cls._check_rows is Frame._check_rows  # (no row checks skipped)
        assert all(not np.asarray(a).flags.writeable for a in columns.values())
        built[cls.__name__] += 1
        return frame

    monkeypatch.setattr(Frame, "from_owned_columns", classmethod(checked))
    sc = load_scenario("s400-vs-mixed-raid")
    sc = sc.model_copy(
        update={"simulation": sc.simulation.model_copy(update={"duration_s": 300.0})}
    )
    result = run_scenario(sc, record=False)
    assert len(result.tracks) > 0 and len(result.detections) > 0
    assert {"Truth", "Detections", "Tracks"} <= set(built)
