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
