"""Code-quality gates run as tests so CI checks them: ruff, mypy, import-linter, sizes.

(Kept until CI runs the same tools as separate steps; see issue #11.)

The import-linter contract (pyproject.toml) enforces the layers of DESIGN.md:
cli > analysis > sim > scenario > stages > frames/geo > errors, and that stages
never import yaml, pydantic or iadsim.scenario.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Separate CI steps in the fast inner loop's place: ``pytest -m "not slow"`` skips them.
pytestmark = pytest.mark.slow


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_lint_clean() -> None:
    proc = _run(_tool("ruff"), "check", "src", "tests", "bench", "tools")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_mypy_clean() -> None:
    proc = _run(_tool("mypy"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_import_layers_contract() -> None:
    proc = _run(_tool("lint-imports"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_module_sizes() -> None:
    proc = _run(sys.executable, "tools/check_module_size.py")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
