"""User-facing errors are one line, whatever the input they quote."""

from __future__ import annotations

from iadsim.errors import InputDataError, ScenarioError


def test_user_errors_are_always_one_line() -> None:
    assert str(InputDataError("a\nb.csv: no such file\r")) == "a\\nb.csv: no such file\\r"
    assert str(ScenarioError("s.yaml: name: bad")) == "s.yaml: name: bad"  # unchanged
