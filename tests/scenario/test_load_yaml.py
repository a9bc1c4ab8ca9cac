"""YAML parsing: the libyaml fast path used for the bundled catalog agrees with the
pure-Python parser that reads user files, and keeps the duplicate-key check."""

from __future__ import annotations

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import CATALOG_FILES, _package_dir, parse_yaml


@pytest.mark.parametrize("fname", sorted(CATALOG_FILES.values()))
def test_bundled_catalog_parses_the_same_with_libyaml(fname: str) -> None:
    text = (_package_dir("catalog") / fname).read_text(encoding="utf-8")
    assert parse_yaml(text, fname, fast=True) == parse_yaml(text, fname)


@pytest.mark.parametrize("fast", [False, True])
def test_duplicate_keys_rejected_with_line(fast: bool) -> None:
    with pytest.raises(ScenarioError, match=r"^f.yaml:3:3: YAML syntax error: duplicate key 'b'"):
        parse_yaml("a:\n  b: 1\n  b: 2\n", "f.yaml", fast=fast)


@pytest.mark.parametrize("fast", [False, True])
def test_merge_keys_work_as_in_safe_load(fast: bool) -> None:
    """``<<: *anchor`` (YAML merge keys, which yaml.safe_load supports) merges the
    anchor's fields, explicit keys winning; it was refused as 'could not determine a
    constructor for the tag tag:yaml.org,2002:merge'."""
    text = (
        "base: &b {type: tel, count: 1, lat_deg: 50.0}\n"
        "one: {<<: *b, lat_deg: 49.0}\n"
        "two:\n  <<: [*b, {extra: 2}]\n  count: 3\n"
    )
    got = parse_yaml(text, "f.yaml", fast=fast)
    assert got["one"] == {"type": "tel", "count": 1, "lat_deg": 49.0}
    assert got["two"] == {"type": "tel", "count": 3, "lat_deg": 50.0, "extra": 2}


@pytest.mark.parametrize("fast", [False, True])
def test_duplicate_keys_beside_a_merge_key_still_rejected(fast: bool) -> None:
    with pytest.raises(ScenarioError, match=r"^f.yaml:2:25: YAML syntax error: duplicate key 'a'"):
        parse_yaml("b: &b {a: 1}\nc: {<<: *b, a: 2, z: 0, a: 3}\n", "f.yaml", fast=fast)
