"""The tracker configuration of ``iadsim track``: a YAML file or a shipped one."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from iadsim.errors import ScenarioError, located
from iadsim.scenario.errors import scenario_error
from iadsim.scenario.schema_tracking import TrackCliConfig

__all__ = ["load_track_config"]


def load_track_config(path: Path | None, tracker: str | None = None) -> TrackCliConfig:
    """Read and validate a tracker YAML with the guarded scenario YAML loader
    (size, depth, aliases, UTF-8), or take the shipped configuration ``tracker``
    (:mod:`iadsim.scenario.named_trackers`); errors are one-line ScenarioErrors."""
    from iadsim.scenario.load import parse_yaml, read_yaml_text
    from iadsim.scenario.named_trackers import named_tracker

    if path is None:
        return TrackCliConfig.model_validate(named_tracker(tracker).tracker if tracker else {})
    data = parse_yaml(read_yaml_text(path, path.name), path.name) or {}
    if not isinstance(data, dict):
        raise ScenarioError(located(path.name, "", "must be a mapping of tracker settings"))
    try:
        return TrackCliConfig.model_validate(data)
    except ValidationError as err:
        raise scenario_error(path.name, TrackCliConfig, err) from err
