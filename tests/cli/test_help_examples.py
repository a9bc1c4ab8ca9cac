"""Every command's ``--help`` shows runnable examples, and each example runs.

Examples are the lines after ``Examples:`` in each command's help. They run in
groups of commands that share nothing, each group in order in one directory (a later
example may use an earlier one's output; an example repeated by several commands of
a group runs once), as a user would paste them, with ``my-raid.yaml`` and
``tracker.yaml`` present as the help assumes.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import yaml

from iadsim.cli import app
from iadsim.scenario.load import read_scenario_yaml
from iadsim.scenario.schema_tracking import TrackerConfig


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    for name, cmd in getattr(group, "commands", {}).items():
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, (*path, name))
        else:
            yield " ".join((*path, name)), cmd


COMMANDS = dict(_commands(typer.main.get_command(app)))


def examples(help_text: str) -> list[str]:
    """The example command lines of a help text (comments dropped)."""
    head = "Examples:" if "Examples:" in help_text else "Example:"
    if head not in help_text:
        return []
    block = help_text.split(head, 1)[1]
    lines = [ln.split("#", 1)[0].strip() for ln in block.splitlines()]
    return [ln for ln in lines if ln.startswith("iadsim ")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_examples(name: str) -> None:
    found = examples(COMMANDS[name].help or "")
    assert found, f"iadsim {name} --help has no example"
    assert any(ex.startswith(f"iadsim {name}") for ex in found), found


#: Commands whose examples run, in groups that share nothing (each in its own directory,
#: so the groups run in parallel); within a group, in order (a later example may use an
#: earlier one's output). report/view/export acmi examples name placeholder run
#: directories (and view serves until Ctrl-C): shown by test_help_shows_examples only.
GROUPS = {
    "run": ["run"],
    "inputs": ["validate", "presets", "catalog show", "coverage"],
    "tracking": ["track", "export asterix", "score"],
    "recordings": ["replay-info"],
    "compare": ["compare"],
    "campaign": ["campaign run", "campaign summarize", "query"],
}
NOT_RUN = {"report", "view", "export acmi"}


def test_every_command_with_examples_is_in_a_group() -> None:
    grouped = [name for names in GROUPS.values() for name in names]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) | NOT_RUN == set(COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_example_runs(group: str, tmp_path: Path) -> None:
    data, _ = read_scenario_yaml("s400-vs-mixed-raid")
    (tmp_path / "my-raid.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    tracker = TrackerConfig().model_dump(mode="json")
    (tmp_path / "tracker.yaml").write_text(yaml.safe_dump(tracker), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COLUMNS"] = "80"
    done: set[str] = set()
    for name in GROUPS[group]:
        lines = examples(COMMANDS[name].help or "")
        assert lines, name
        for line in lines:
            if line in done:
                continue
            done.add(line)
            argv = shlex.split(line)[1:]
            proc = subprocess.run(
                [sys.executable, "-m", "iadsim", *argv],
                cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False, env=env,
            )  # fmt: skip
            assert proc.returncode == 0, f"{line}\n{proc.stderr[-2000:]}"
