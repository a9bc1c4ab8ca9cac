"""Options shared by several commands, validated at the boundary, and optional extras.

Numeric options carry their range in the option itself (Click ranges), so a bad
value is a one-line usage error with exit code 2 before any file is read or
written; NaN is outside every range. Only ``typer`` is imported here.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import typer

from iadsim.analysis.campaign.sweep import MAX_RUNS
from iadsim.errors import IadsimError

__all__ = [
    "MAX_RUNS",
    "MAX_SEED",
    "MAX_WORKERS",
    "MissingExtraError",
    "format_option",
    "require_extra",
    "seed_option",
]

#: Largest seed (numpy's SeedSequence takes any non-negative int; run ids are int64).
MAX_SEED = 2**63 - 1
#: Largest number of worker processes accepted.
MAX_WORKERS = 1024

#: extra -> (import names it provides, what it is for).
EXTRAS: dict[str, tuple[tuple[str, ...], str]] = {
    "cluster": (("dask", "distributed"), "campaigns on a Dask cluster (--backend dask)"),
    "analysis": (("duckdb",), "SQL over campaign results (iadsim query)"),
    "plots": (("matplotlib",), "coverage diagrams (iadsim coverage)"),
    "geotiff": (("rasterio",), "GeoTIFF terrain (terrain: {kind: geotiff})"),
    # libasterix; the GPL asterix-decoder installs `asterix` too, without `generated`
    "asterix": (("asterix.generated",), "ASTERIX CAT048/CAT062 input and output"),
}


class MissingExtraError(IadsimError):
    """An optional dependency group (``pip install 'iadsim[extra]'``) is not installed."""


def _found(module: str) -> bool:
    """``module`` is importable (a dotted name's parent package is imported to look)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package of a dotted name is missing
        return False


def require_extra(extra: str, what: str | None = None, hint: str = "") -> None:
    """Raise a one-line :class:`MissingExtraError` if ``extra``'s packages are missing.

    Uses :func:`importlib.util.find_spec` (nothing is imported).
    """
    modules, purpose = EXTRAS[extra]
    missing = [m for m in modules if not _found(m)]
    if missing:
        raise MissingExtraError(
            f"{what or purpose} needs {', '.join(missing)}: pip install 'iadsim[{extra}]'{hint}"
        )


def seed_option(help_text: str = "random seed, 0 to 2^63-1") -> Any:
    """``--seed N``: a non-negative integer (numpy ``SeedSequence`` entropy)."""
    return typer.Option("--seed", min=0, max=MAX_SEED, help=help_text)


def finite_range(lo: float, hi: float) -> Any:
    """A typer ``callback`` for an optional float option: None, or a finite number in
    ``[lo, hi]`` (click's own range check read ``nan`` as above the maximum)."""
    import math

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value):
            raise typer.BadParameter(f"must be a finite number (got {value})")
        if not lo <= value <= hi:
            raise typer.BadParameter(f"must be in [{lo:g}, {hi:g}] (got {value:g})")
        return value

    return check


#: Help of ``--workers`` (0 is rejected: omit the option for one worker per core).
WORKERS_HELP = "Worker processes, 1 to 1024 (default: one per CPU core)."
#: Help of ``--format``.
FORMAT_HELP = "table (fitted to the terminal), json or csv (raw values, for scripts)"


def format_option() -> Any:
    """``--format table|json|csv`` (for ``Annotated`` parameters)."""
    return typer.Option("--format", "-f", help=FORMAT_HELP, case_sensitive=False)
