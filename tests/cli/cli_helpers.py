"""Helpers of the CLI tests: run ``iadsim`` in-process through its real ``main``.

(A module of its own: ``from conftest import ...`` would find another directory's
conftest under pytest-xdist.)
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

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


#: The TINY battery's radars by name (an S-400-class surveillance and engagement radar).
TINY_RADARS: dict[str, dict[str, Any]] = {
    "surv": {"name": "surv", "type": "s400-class-surveillance", "lat_deg": 39.97,
             "lon_deg": 32.72, "alt_m": 850, "mast_m": 10},
    "fcr": {"name": "fcr", "type": "s400-class-engagement", "lat_deg": 39.96,
            "lon_deg": 32.71, "alt_m": 848, "heading_deg": 0},
}  # fmt: skip


def tiny_run(
    root: Path, radars: tuple[str, ...] = ("surv", "fcr"), duration_s: float = 200
) -> Path:
    """``iadsim run`` of TINY for ``duration_s`` with one battery of ``radars`` (of
    :data:`TINY_RADARS`, engaging with "fcr") and one launcher; its run directory."""
    scen = root / "tiny.yaml"
    data = {**TINY, "simulation": {**TINY["simulation"], "duration_s": duration_s}}
    data["batteries"] = [{
        "name": "bty", "engagement_radar": "fcr", "radars": [TINY_RADARS[r] for r in radars],
        "launchers": [{"type": "s400-class-tel", "count": 1, "lat_deg": 39.94,
                       "lon_deg": 32.73, "alt_m": 840,
                       "loadout": {"s400-long-range-48n6-class": 4}}]}]  # fmt: skip
    scen.write_text(yaml.safe_dump(data))
    res = invoke("run", str(scen), "--quiet", "--out", str(root / "run"))
    assert res.code == 0, res.err
    return root / "run"
