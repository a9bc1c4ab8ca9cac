"""The README's scenario example is a valid scenario (it is what users copy first)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from iadsim.scenario.load import load_scenario_data

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_scenario_example_validates() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(name: my-raid\n.*?)```", text, re.S)
    assert block is not None, "README: the my-raid scenario example is gone"
    sc = load_scenario_data(yaml.safe_load(block.group(1)), file="README.md")
    assert sc.name == "my-raid" and sc.threats[0].egress
