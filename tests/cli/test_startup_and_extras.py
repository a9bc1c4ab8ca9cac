"""Start-up does not import the stack; a missing extra is one line naming its pip install."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from cli_helpers import invoke

from iadsim.cli.options import EXTRAS, MissingExtraError, require_extra

HEAVY = ("numpy", "scipy", "pydantic", "pyarrow", "yaml", "iadsim.tracking", "iadsim.sim")
PROBE = """
import json, sys
sys.argv = ["iadsim", *{args!r}]
from iadsim.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["runn"], ["run", "--help"], ["coverage", "--help"]]
)
def test_help_version_and_typos_do_not_import_the_stack(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    allowed = {"pydantic"} if args[0] not in ("--help", "--version", "runn") else set()
    assert set(loaded) <= allowed, loaded  # Typer >= 0.16 coerces parameters with pydantic


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_missing_extra_names_the_pip_install(extra: str, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = EXTRAS[extra][0]
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in modules else real(name, *a)
    )
    with pytest.raises(MissingExtraError) as err:
        require_extra(extra)
    assert str(err.value).endswith(f"pip install 'iadsim[{extra}]'")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["query", "somewhere", "SELECT 1"], "analysis"),
        (["coverage", "s400-class-low-level"], "plots"),
        (["campaign", "run", "saturation", "--backend", "dask"], "cluster"),
    ],
)
def test_commands_report_their_missing_extra(
    args: list[str], extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = EXTRAS[extra][0]
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in modules else real(name, *a)
    )
    res = invoke(*args)
    assert res.code == 2
    assert res.err.count("\n") == 1 and f"pip install 'iadsim[{extra}]'" in res.err


def test_a_run_imports_neither_pandas_nor_scipy_stats(tmp_path) -> None:
    """A whole ``iadsim run`` (scenario, simulation, Parquet run directory) stays clear
    of the two imports that cost every run most (pandas through pyarrow's numpy
    converters, ~0.3 s; scipy.stats, ~0.6 s): the run path uses neither."""
    import yaml
    from cli_helpers import TINY

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    args = ["run", str(path), "-q", "--out", str(tmp_path / "run")]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=("pandas", "scipy.stats"))],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (tmp_path / "run" / "events.parquet").exists(), proc.stderr[-2000:]
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
