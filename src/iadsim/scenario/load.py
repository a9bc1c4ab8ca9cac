"""Load scenarios and the catalog from YAML with one-line file/field errors.

Only ``yaml.safe_load`` is used. A scenario argument is either a path to a YAML
file or the name of a bundled preset (``iadsim presets`` lists them).
"""

from __future__ import annotations

import copy
import difflib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from iadsim.errors import ScenarioError
from iadsim.scenario.checks import check_references
from iadsim.scenario.errors import scenario_error
from iadsim.scenario.schema import Catalog, Scenario

#: catalog section -> bundled file name
CATALOG_FILES: dict[str, str] = {
    "platforms": "platforms.yaml",
    "radars": "radars.yaml",
    "rcs_tables": "rcs.yaml",
    "interceptors": "interceptors.yaml",
    "launchers": "launchers.yaml",
}


def _package_dir(name: str) -> Path:
    return Path(str(resources.files("iadsim.scenario") / name))


def list_presets() -> list[str]:
    """Names of the bundled scenario presets."""
    return sorted(p.stem for p in _package_dir("presets").glob("*.yaml"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last)."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


class _FastUniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's parser (when PyYAML has it): several times faster,
    used for the bundled catalog. User files keep the pure-Python parser, whose
    syntax-error messages are clearer (libyaml says less, e.g. about tab characters)."""


for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
    )


def parse_yaml(text: str, file: str, *, fast: bool = False) -> Any:
    """Safe YAML load (no arbitrary objects), with syntax errors and duplicate keys
    reported as ``file:line:col: problem``; ``fast`` parses with libyaml."""
    try:
        return yaml.load(text, Loader=_FastUniqueKeyLoader if fast else _UniqueKeyLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = err.problem or "invalid YAML"
        raise ScenarioError(f"{where}: YAML syntax error: {problem}") from err
    except yaml.YAMLError as err:
        raise ScenarioError(f"{file}: YAML error: {err}") from err


def read_scenario_yaml(path_or_preset: str | Path) -> tuple[dict[str, Any], str]:
    """Read a scenario file (or bundled preset) into a raw mapping and its display name."""
    path = Path(path_or_preset)
    if not path.is_file():
        name = str(path_or_preset)
        preset = _package_dir("presets") / f"{name.removesuffix('.yaml')}.yaml"
        if preset.is_file() and path.parent == Path("."):
            path = preset
        else:
            presets = list_presets()
            hint = difflib.get_close_matches(path.stem, presets, n=1, cutoff=0.5)
            extra = f"; did you mean preset '{hint[0]}'?" if hint else ""
            raise ScenarioError(
                f"{name}: no such scenario file or bundled preset{extra} "
                f"(presets: {', '.join(presets)})"
            )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot read file: {err}") from err
    file = path.name if path.parent == _package_dir("presets") else str(path)
    data = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{file}: the scenario must be a YAML mapping (got {type(data).__name__})"
        )
    return data, file


def _read_bundled_catalog() -> dict[str, dict[str, Any]]:
    raw: dict[str, dict[str, Any]] = {}
    for section, fname in CATALOG_FILES.items():
        path = _package_dir("catalog") / fname
        data = (
            parse_yaml(path.read_text(encoding="utf-8"), f"catalog/{fname}", fast=True)
            if path.is_file()
            else {}
        )
        raw[section] = data or {}
    return raw


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            # A different ``kind`` replaces the whole mapping instead of mixing fields.
            if "kind" in value and value.get("kind") != out[key].get("kind"):
                out[key] = copy.deepcopy(value)
            else:
                out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_catalog(overrides: dict[str, Any] | None = None, *, file: str | None = None) -> Catalog:
    """The bundled catalog, with a scenario's inline ``catalog:`` merged over it.

    An override entry whose name exists is deep-merged into it (so a scenario can
    change one field); a new name adds a type. Errors in an override are reported
    against the scenario file (``catalog.platforms.x.field``), errors in bundled
    entries against ``catalog/<section>.yaml``.
    """
    raw = _read_bundled_catalog()
    overrides = overrides or {}
    for section, entries in overrides.items():
        if section not in raw:
            continue  # rejected by the scenario schema already
        for name, entry in (entries or {}).items():
            base = raw[section].get(name)
            raw[section][name] = _deep_merge(base, entry) if isinstance(base, dict) else entry
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        section = str(loc[0]) if loc else ""
        name = loc[1] if len(loc) > 1 else None
        if name is not None and name in (overrides.get(section) or {}):
            raise scenario_error(file or "scenario", Catalog, exc, prefix="catalog") from exc
        err = scenario_error(f"catalog/{CATALOG_FILES.get(section, section)}", Catalog, exc)
        # Drop the section name: it is implied by the file.
        raise ScenarioError(str(err).replace(f": {section}.", ": ", 1)) from exc


def load_scenario_data(data: dict[str, Any], *, file: str) -> Scenario:
    """Validate a raw scenario mapping; resolve its catalog; check cross-references."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise scenario_error(file, Scenario, exc) from exc
    overrides = scenario.catalog.model_dump()
    catalog = load_catalog(overrides, file=file)
    warnings = check_references(scenario, catalog, file)
    scenario.attach(catalog=catalog, file=file, warnings=warnings)
    return scenario


def load_scenario(path_or_preset: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file or bundled preset."""
    data, file = read_scenario_yaml(path_or_preset)
    return load_scenario_data(data, file=file)
