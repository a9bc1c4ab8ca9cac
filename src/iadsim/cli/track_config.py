"""The tracker configuration of ``iadsim track``: a YAML file or a shipped one."""

from __future__ import annotations

from pathlib import Path

from iadsim.scenario.schema_tracking import TrackCliConfig

__all__ = ["load_track_config"]


def load_track_config(path: Path | None, tracker: str | None = None) -> TrackCliConfig:
    """Read and validate a tracker YAML with the guarded scenario YAML loader
    (size, depth, aliases, UTF-8; an empty file is the defaults), or take the shipped
    configuration ``tracker`` (:mod:`iadsim.scenario.named_trackers`); errors are
    one-line ScenarioErrors."""
    from iadsim.scenario.load import load_yaml_model
    from iadsim.scenario.named_trackers import named_tracker

    if path is None:
        return TrackCliConfig.model_validate(named_tracker(tracker).tracker if tracker else {})
    return load_yaml_model(path, TrackCliConfig, "a mapping of tracker settings", empty=True)
