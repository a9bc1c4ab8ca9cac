"""Load scenarios and the catalog from YAML with one-line file/field errors.

Only ``yaml.safe_load`` is used. A scenario argument is either a path to a YAML
file or the name of a bundled preset (``iadsim presets`` lists them).
"""

from __future__ import annotations

import copy
import difflib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from iadsim.errors import ScenarioError, located
from iadsim.scenario.checks import check_references
from iadsim.scenario.errors import scenario_error
from iadsim.scenario.limits import check_raw_sizes
from iadsim.scenario.schema import Catalog, Scenario
from iadsim.scenario.schema_truth import BUNDLED_DATA_PREFIX

M = TypeVar("M", bound=BaseModel)

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


#: Limits of a YAML input (scenario, campaign, tracker config): larger or deeper
#: documents are refused before they are validated (a few hundred bytes of nested
#: aliases expand to billions of nodes; 500 nested brackets exhaust Python's stack).
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 2_000_000


def _mark_error(problem: str, mark: Any) -> yaml.MarkedYAMLError:
    return yaml.composer.ComposerError(None, None, problem, mark)


class _GuardedComposer:
    """Composer mix-in: bounded nesting depth, no non-scalar keys, bounded expansion.

    The expanded size of the document (every alias counted as a copy of its anchor)
    is computed on the node graph, without building anything, and a recursive
    alias is refused; so is a mapping key that is a sequence or a mapping.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise _mark_error(f"nested deeper than {MAX_YAML_DEPTH} levels", mark)
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()  # type: ignore[misc]
        _check_expansion(node)
        return node


def _check_expansion(root: yaml.Node) -> None:
    """Refuse recursive aliases and documents that expand to > MAX_YAML_NODES nodes."""
    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_YAML_NODES:
                raise _mark_error(
                    f"document expands to more than {MAX_YAML_NODES:,} nodes "
                    "(aliases of large anchors?)",
                    node.start_mark,
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in active:
            raise _mark_error("recursive alias (an anchor used inside itself)", node.start_mark)
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                raise _mark_error(
                    "recursive alias (an anchor used inside itself)", child.start_mark
                )
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _UniqueKeyLoader(_GuardedComposer, yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML silently keeps the last)
    and guards depth, expansion and key types (:class:`_GuardedComposer`)."""


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # ``<<: *anchor``: merged by construct_mapping
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a mapping key must be a plain value, not a list or mapping",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {_short_text(key)}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


def _short_text(value: Any, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _FastUniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's parser (when PyYAML has it): several times faster,
    used for the bundled catalog only (trusted files). User files keep the pure-Python
    parser, whose syntax-error messages are clearer and whose composer is guarded."""


for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
    )


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _check_text(text: str, file: str) -> None:
    if len(text) > MAX_YAML_BYTES:
        raise ScenarioError(
            f"{file}: file too large ({len(text):,} characters; the limit is {MAX_YAML_BYTES:,})"
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise ScenarioError(f"{file}:{line}:{col}: YAML syntax error: NUL byte in the file")


def parse_yaml(text: str, file: str, *, fast: bool = False) -> Any:
    """Safe YAML load (no arbitrary objects), with syntax errors and duplicate keys
    reported as ``file:line:col: problem``; ``fast`` parses with libyaml (trusted files).

    Size, nesting depth, alias expansion, NUL bytes and non-scalar keys are checked
    (``MAX_YAML_*``); every failure is a one-line :class:`ScenarioError`.
    """
    _check_text(text, file)
    try:
        return yaml.load(text, Loader=_FastUniqueKeyLoader if fast else _UniqueKeyLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = _one_line(err.problem or "invalid YAML")
        raise ScenarioError(f"{where}: YAML syntax error: {problem}") from err
    except yaml.YAMLError as err:
        raise ScenarioError(f"{file}: YAML error: {_one_line(str(err))[:200]}") from err
    except RecursionError as err:  # pragma: no cover - guarded by MAX_YAML_DEPTH
        raise ScenarioError(f"{file}: YAML nested too deeply") from err


def read_yaml_text(path: Path, file: str | None = None) -> str:
    """Read a YAML file as UTF-8 text, size-checked; one-line :class:`ScenarioError`."""
    name = file or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ScenarioError(
                f"{name}: file too large ({size:,} bytes; the limit is {MAX_YAML_BYTES:,})"
            )
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {err.start}: {err.reason})") from err
    except OSError as err:
        raise ScenarioError(f"{name}: cannot read file: {err.strerror or err}") from err


def load_yaml_model(path: Path, model: type[M], shape: str, *, empty: bool = False) -> M:
    """A YAML file (guarded: size, UTF-8, safe load) validated as ``model``; every
    error a one-line :class:`ScenarioError` naming the file (``shape`` says what the
    top level must be). ``empty``: an empty file is the model's defaults."""
    data = parse_yaml(read_yaml_text(path, path.name), path.name)
    if data is None and empty:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(located(path.name, "", f"must be {shape}"))
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise scenario_error(path.name, model, err) from err


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
            shown = name if name.isprintable() else repr(name)  # one line, always
            raise ScenarioError(
                f"{shown}: no such scenario file or bundled preset{extra} "
                f"(presets: {', '.join(presets)})"
            )
    file = path.name if path.parent == _package_dir("presets") else str(path)
    text = read_yaml_text(path, file)
    data = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{file}: the scenario must be a YAML mapping (got {type(data).__name__})"
        )
    return anchor_paths(data, path.parent), file


def anchor_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """``data`` with the relative data-file paths it names (``terrain.path``, a replay
    motion's ``file``) made relative to ``base``, the scenario file's directory, as the
    scenario's author wrote them: a scenario runs the same from any working directory,
    and its recorded copy (``scenario.resolved.yaml``) names files that exist. Absolute
    paths and ``iadsim:`` (bundled) names are kept; entries of the wrong shape are left
    for validation to report."""

    def anchored(value: Any) -> Any:
        if not isinstance(value, str) or not value or value.startswith(BUNDLED_DATA_PREFIX):
            return value
        return value if Path(value).is_absolute() else str(base / value)

    terrain = data.get("terrain")
    if isinstance(terrain, dict) and "path" in terrain:
        terrain["path"] = anchored(terrain["path"])
    threats = data.get("threats")
    for threat in threats if isinstance(threats, list) else []:
        motion = threat.get("motion") if isinstance(threat, dict) else None
        if isinstance(motion, dict) and "file" in motion:
            motion["file"] = anchored(motion["file"])
    return data


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


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``: mappings recursively, except that a
    mapping with another ``kind`` replaces the base's whole; other values replace."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            # A different ``kind`` replaces the whole mapping instead of mixing fields.
            if "kind" in value and value.get("kind") != out[key].get("kind"):
                out[key] = copy.deepcopy(value)
            else:
                out[key] = deep_merge(out[key], value)
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
            raw[section][name] = deep_merge(base, entry) if isinstance(base, dict) else entry
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
    check_raw_sizes(data, file)
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
