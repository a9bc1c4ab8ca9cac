"""Every numeric option of every command, validated at the boundary.

Property: whatever text is given to a numeric option (negative, zero, huge, NaN,
inf, not a number), ``iadsim`` ends with exit code 2 and one line ``error: ...``
on stderr, never a traceback; a value outside the option's documented range
names the option. The positional arguments point at nothing (an unknown
scenario, radar or file), so a value that is accepted ends at that error, after
option validation, without running anything.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from cli_helpers import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.cli.options import MAX_RUNS, MAX_SEED, MAX_WORKERS

INF = math.inf
#: Smallest positive float: options that must be > 0.
TINY_POS = math.ulp(0.0)
#: (command words, option, valid range lo, hi, integer?)
NUMERIC_OPTIONS = [
    (["run", "no-such-scenario"], "--seed", 0, MAX_SEED, True),
    (["compare", "no-such-a", "no-such-b"], "--seed", 0, MAX_SEED, True),
    (["coverage", "no-such-radar", "--no-plot"], "--pd", 1e-9, 1 - 1e-9, False),
    (["coverage", "no-such-radar", "--no-plot"], "--scans", 1, 1000, True),
    (["coverage", "no-such-radar", "--no-plot"], "--rcs", TINY_POS, 1e6, False),
    (["coverage", "no-such-radar", "--no-plot"], "--alt-m", 0, 100_000, False),
    (["score", "no-such-tracks.parquet", "no-such-truth.parquet"], "--c", TINY_POS, INF, False),
    (["score", "no-such-tracks.parquet", "no-such-truth.parquet"], "--p", 1, INF, False),
    (["score", "no-such-tracks.parquet", "no-such-truth.parquet"], "--alpha", TINY_POS, 2, False),
    (["score", "no-such-tracks.parquet", "no-such-truth.parquet"], "--time-tol", 0, INF, False),
    (["campaign", "run", "no-such-scenario"], "--runs", 1, MAX_RUNS, True),
    (["campaign", "run", "no-such-scenario"], "--seed", 0, MAX_SEED, True),
    (["campaign", "run", "no-such-scenario"], "--workers", 1, MAX_WORKERS, True),
    (["campaign", "summarize", "no-such-dir"], "--confidence", 0.5, 0.9999, False),
    (["query", "no-such-dir", "SELECT 1"], "--max-rows", 1, 10**9, True),
    (["query", "no-such-dir", "SELECT 1"], "--timeout-s", 0.1, 86400, False),
    (["query", "no-such-dir", "SELECT 1"], "--memory-mib", 256, 1024**2, True),
]

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 0.5, 1e400, -0.0, 2**63, 2**64]),
)
TEXTS = st.one_of(
    NUMBERS.map(str),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "", "abc", "1,2", "1e", "0x10", "١٢"]),
    st.text(max_size=8),
)


def _in_range(text: str, lo: float, hi: float, integer: bool) -> bool | None:
    """Whether ``text`` is a valid value; None if it is not a number at all."""
    try:
        v = float(text)
    except ValueError:
        return None
    if integer and not text.strip().lstrip("+-").isdigit():
        return None
    return math.isfinite(v) and lo <= v <= hi


@pytest.mark.parametrize(
    ("words", "option", "lo", "hi", "integer"),
    NUMERIC_OPTIONS,
    ids=[f"{' '.join(w[:2])} {o}" for w, o, *_ in NUMERIC_OPTIONS],
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_any_value_gives_one_line_and_exit_2(
    words: list[str], option: str, lo: float, hi: float, integer: bool, text: str
) -> None:
    res = invoke(*words, f"{option}={text}")
    assert "Traceback" not in res.err + res.out
    assert res.code == 2, (text, res.out, res.err)
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.err
    if _in_range(text, lo, hi, integer) is False:
        assert option in lines[0], lines[0]


def test_nothing_is_written_before_options_are_checked(tmp_path: Path) -> None:
    out = tmp_path / "pngs"
    res = invoke("coverage", "s400-class-low-level", "--site", "95,32", "--out", str(out))
    assert res.code == 2 and "--site" in res.err
    assert not out.exists()


def test_workers_zero_is_rejected_and_help_explains_the_default() -> None:
    res = invoke("campaign", "run", "saturation", "--workers", "0")
    assert res.code == 2 and "--workers" in res.err
    helptext = " ".join(invoke("campaign", "run", "--help").out.split())
    assert "--workers" in helptext and "default: one per CPU core" in helptext


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    for name, cmd in getattr(group, "commands", {}).items():
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def test_every_option_and_argument_has_help_text() -> None:
    import typer.main

    from iadsim.cli import app

    commands = list(_commands(typer.main.get_command(app)))
    assert len(commands) >= 11
    for path, cmd in commands:
        assert (cmd.help or "").strip(), path
        for param in cmd.params:
            if getattr(param, "hidden", False) or param.name == "help":
                continue
            assert (getattr(param, "help", None) or "").strip(), (path, param.name)


def test_typo_suggestions() -> None:
    res = invoke("runn")
    assert res.code == 2 and res.err == (
        "error: iadsim: no such command 'runn'; did you mean 'run'? (see iadsim --help)\n"
    )
    res = invoke("catalog", "show", "f35")
    assert res.code == 2 and "did you mean 'f35-class'?" in res.err
    assert invoke("--version").out.startswith("iadsim ")
