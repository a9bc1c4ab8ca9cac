"""Fixtures of the CLI tests (helpers: ``cli_helpers.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's temporary directory as the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
