"""Helpers of the CLI tests: run ``iadsim`` in-process through its real ``main``.

(A module of its own: ``from conftest import ...`` would find another directory's
conftest under pytest-xdist.)
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from iadsim.cli import main

#: A small scenario: one battery, a pair of fighters and one cruise missile, no terrain.
TINY: dict[str, Any] = {
    "name": "tiny",
    "origin": {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840},
    "simulation": {"duration_s": 400, "seed": 3, "truth_step_s": 5.0},
    "terrain": {"kind": "none"},
    "sites": [{"name": "base", "lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 840}],
    "threats": [
        {
            "name": "long-named-cruise-missile-group",
            "type": "cruise-missile-class",
            "launch_time_s": 10,
            "target_site": "base",
            "route": [
                {"lat_deg": 40.30, "lon_deg": 32.69, "alt_m": 100},
                {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 100, "speed_mps": 240},
            ],
        },
        {
            "name": "viper-flight",
            "type": "f16-class",
            "count": 2,
            "launch_time_s": 0,
            "target_site": "base",
            "route": [
                {"lat_deg": 41.20, "lon_deg": 32.69, "alt_m": 8000},
                {"lat_deg": 39.95, "lon_deg": 32.69, "alt_m": 8000, "speed_mps": 280},
            ],
        },
    ],
}


@dataclass
class Result:
    """Exit code and captured streams of one in-process ``iadsim`` call."""

    code: int
    out: str
    err: str


def invoke(*args: str, columns: int = 80) -> Result:
    """Run ``iadsim ARGS`` through :func:`iadsim.cli.main` with ``COLUMNS=columns``."""
    out, err = io.StringIO(), io.StringIO()
    old_argv = sys.argv
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", str(columns))
        sys.argv = ["iadsim", *args]
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0) if not isinstance(done.code, str) else 1
        finally:
            sys.argv = old_argv
    return Result(code, out.getvalue(), err.getvalue())
