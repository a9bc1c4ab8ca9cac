"""Campaign definition: the campaign YAML model and ``--sweep`` arguments.

A campaign YAML names a scenario (file path relative to the campaign file, or a
bundled preset), the number of runs per sweep point and the sweep::

    scenario: s400-vs-mixed-raid
    runs: 200                 # replicates per sweep point
    seed: 20261125            # root seed (optional; drawn and recorded if absent)
    grid:                     # cartesian product
      threats[0].count: [2, 4, 8]
      batteries[0].doctrine.salvo: [1, 2]
    zip:                      # lists of equal length taken together
      threats[1].route[1].speed_mps: [250, 300]
      threats[1].route[1].alt_m: [50, 30]
    metrics: [n_leaked, n_killed, interceptors_fired_total]   # optional
    threat_table: true

A file is a campaign file (rather than a scenario) when its top level is a
mapping with a string ``scenario`` and a ``runs`` key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iadsim.analysis.campaign.sweep import MAX_RUNS, format_path, parse_path
from iadsim.errors import ScenarioError


class CampaignFile(BaseModel):
    """Validated contents of a campaign YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    scenario: Annotated[str, Field(min_length=1)]
    runs: Annotated[int, Field(ge=1, le=MAX_RUNS)]
    seed: Annotated[int, Field(ge=0)] | None = None
    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)
    zipped: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict, alias="zip"
    )
    metrics: list[str] | None = None
    threat_table: bool = True


def _loc(loc: tuple[int | str, ...]) -> str:
    tokens: list[str | int] = [("zip" if t == "zipped" else t) for t in loc]
    out = ""
    for tok in tokens:
        if isinstance(tok, int):
            out += f"[{tok}]"
        else:
            out += f".{tok}" if out else tok
    return out


def validation_message(file: str, err: ValidationError) -> str:
    """One line ``file: field.path: message (got X)`` for the first pydantic error."""
    first = err.errors()[0]
    where = _loc(tuple(first["loc"]))
    got = first.get("input")
    tail = f" (got {got!r})" if first["type"] != "missing" and not isinstance(got, dict) else ""
    n_more = len(err.errors()) - 1
    more = f" [+{n_more} more]" if n_more else ""
    return f"{file}: {where}: {first['msg']}{tail}{more}"


def is_campaign_data(data: object) -> bool:
    """True if a loaded YAML document looks like a campaign file."""
    return isinstance(data, dict) and isinstance(data.get("scenario"), str) and "runs" in data


def read_yaml_file(path: Path) -> object:
    """Read a YAML file with the guarded scenario loader (size, depth, aliases,
    UTF-8); raise a one-line ScenarioError with ``file:line:col`` on failure."""
    from iadsim.scenario.load import parse_yaml, read_yaml_text

    return parse_yaml(read_yaml_text(path, path.name), path.name)


def load_campaign_file(path: Path) -> CampaignFile:
    """Validate a campaign YAML file.

    Raises
    ------
    ScenarioError
        One line ``campaign.yaml: field.path: message``; sweep paths are checked
        for syntax here and against the scenario later.
    """
    data = read_yaml_file(path)
    return campaign_from_data(data, file=path.name)


def campaign_from_data(data: object, *, file: str) -> CampaignFile:
    """Validate campaign data already loaded from YAML (see :func:`load_campaign_file`)."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{file}: top level must be a mapping")
    try:
        spec = CampaignFile.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(validation_message(file, err)) from err
    for part, sweep in (("grid", spec.grid), ("zip", spec.zipped)):
        for path in sweep:
            try:
                parse_path(path)
            except ScenarioError as err:
                raise ScenarioError(f"{file}: {part}.{err}") from err
    return spec


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside brackets, braces or quotes."""
    parts: list[str] = []
    depth = 0
    quote = ""
    cur = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return parts


def parse_sweep_arg(text: str) -> tuple[str, list[Any]]:
    """Parse ``PATH=V1,V2,...`` (values as YAML scalars) into ``(path, values)``.

    Examples
    --------
    >>> parse_sweep_arg("threats[0].count=2,4,8")
    ('threats[0].count', [2, 4, 8])
    >>> parse_sweep_arg("batteries[0].doctrine.mode=shoot-look-shoot,salvo")
    ('batteries[0].doctrine.mode', ['shoot-look-shoot', 'salvo'])
    """
    shown = text if text.isprintable() and len(text) <= 80 else repr(text[:80])
    path, sep, rest = text.partition("=")
    path = path.strip()
    if not sep or not path or not rest.strip():
        raise ScenarioError(f"--sweep {shown}: expected PATH=V1,V2,... (e.g. threats[0].count=2,4)")
    try:
        tokens = parse_path(path)
    except ScenarioError as err:
        raise ScenarioError(f"--sweep {shown}: {err}") from err
    values: list[Any] = []
    for raw in _split_top_level(rest):
        raw = raw.strip()
        if not raw:
            raise ScenarioError(f"--sweep {shown}: empty value")
        try:
            values.append(_scalar(raw))
        except ScenarioError as err:
            raise ScenarioError(f"--sweep {shown}: {raw}: not a YAML value") from err
    return format_path(tokens), values


def _scalar(raw: str) -> Any:
    """YAML value of ``raw``; unquoted ``1e3`` (a string in YAML 1.1) becomes a float."""
    from iadsim.scenario.load import parse_yaml

    value = parse_yaml(raw, "--sweep")
    if isinstance(value, str) and raw[0] not in "'\"":
        try:
            return float(value)
        except ValueError:
            return value
    return value
