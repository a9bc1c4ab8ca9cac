"""CLI: campaign run / summarize and query, on the fake scenario (in-process)."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest
import typer
from campaign_fakes import FAKE_SCENARIO, fake_simulate, fake_validate
from typer.testing import CliRunner

import iadsim.analysis.campaign.runner as runner_mod
import iadsim.analysis.campaign.tasks as tasks_mod
import iadsim.cli.campaign as cli_mod
from iadsim.errors import IadsimError, ScenarioError


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    def read(ref: str) -> tuple[dict[str, Any], str]:
        return copy.deepcopy(FAKE_SCENARIO), "fake.yaml"

    monkeypatch.setattr(cli_mod, "_read_scenario", read)
    monkeypatch.setattr(runner_mod, "validate_scenario", fake_validate)
    monkeypatch.setattr(tasks_mod, "simulate_scenario", fake_simulate)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    cli_mod.register(app)
    return app


def _run(app: typer.Typer, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_run_summarize_query(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "c"
    res = _run(
        app,
        "campaign",
        "run",
        "fake",
        "--runs",
        "8",
        "--seed",
        "5",
        "--backend",
        "inprocess",
        "--sweep",
        "threats[0].count=1,3",
        "--sweep",
        "batteries[0].doctrine.salvo=1,2",
        "--out",
        str(out),
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    assert "4 point(s) x 8 runs = 32 tasks" in res.output
    assert "32/32 done" in res.output
    res = _run(app, "campaign", "summarize", str(out))
    assert res.exit_code == 0, res.output
    assert "P(leak) per threat" in res.output and "threats[0].count=3" in res.output
    with open(out / "summary.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and float(rows[0]["p_leak_lo"]) <= float(rows[0]["p_leak"])
    res = _run(
        app,
        "query",
        str(out),
        'SELECT "threats[0].count" AS n0, count(*) AS runs FROM results GROUP BY 1 ORDER BY 1',
        "--csv",
        str(tmp_path / "q.csv"),
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "q.csv").read_text().splitlines() == ['"n0","runs"', "1,16", "3,16"]
    # resume of a complete campaign runs nothing and needs no SCENARIO argument
    res = _run(app, "campaign", "run", "--resume", "--out", str(out), "--backend", "inprocess")
    assert res.exit_code == 0, res.output
    assert "0 run(s) ok" in res.output and "32/32 done" in res.output
    # and with SCENARIO and the sweeps but no --runs: the runs are the campaign's (100 runs
    # were assumed, and the campaign called 'a different campaign')
    res = _run(app, "campaign", "run", "fake", "--resume", "--out", str(out), "--backend",
               "inprocess", "--sweep", "threats[0].count=1,3", "--sweep",
               "batteries[0].doctrine.salvo=1,2")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "4 point(s) x 8 runs" in res.output and "32/32 done" in res.output


def test_campaign_yaml_file(app: typer.Typer, tmp_path: Path) -> None:
    spec = tmp_path / "camp.yaml"
    spec.write_text(
        "scenario: fake\nruns: 3\nseed: 1\nzip:\n  threats[0].count: [1, 2]\n"
        "  threats[1].count: [2, 1]\n"
    )
    res = _run(
        app,
        "campaign",
        "run",
        str(spec),
        "--backend",
        "inprocess",
        "--out",
        str(tmp_path / "c"),
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    assert "2 point(s) x 3 runs = 6 tasks" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--sweep", "threats[9].count=2"],
            "--sweep threats[9].count=2: threats[9]: index out of range (scenario has 2 threats)",
        ),
        (["--sweep", "threats[0].count"], "--sweep threats[0].count: expected PATH=V1,V2"),
        (["--backend", "spark"], "--backend: unknown backend 'spark'"),
        (["--resume"], "--resume: needs --out DIR"),
    ],
)
def test_errors_are_iadsim_errors(
    app: typer.Typer, tmp_path: Path, args: list[str], message: str
) -> None:
    res = _run(app, "campaign", "run", "fake", "--no-progress", *args)
    assert isinstance(res.exception, IadsimError)
    assert str(res.exception).startswith(message)


def test_missing_scenario(app: typer.Typer) -> None:
    res = _run(app, "campaign", "run", "--no-progress")
    assert isinstance(res.exception, ScenarioError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenario: fake\nruns: 50000000\n",
         "camp.yaml: runs: Input should be less than or equal to 1000000"),
        ("scenario: fake\nruns: 2\nseed: 99999999999999999999\n", "camp.yaml: seed: must be in"),
        ("scenario: fake\nruns: 2\nzip:\n  threats[0].count: [1, 2]\n"
         "  threats[1].count: [2, 1, 3]\n", "camp.yaml: grid/zip: zip: value lists differ"),
        ("scenario: fake\nruns: 2\ngrid:\n  threats[0].count: [1, 2]\nzip:\n"
         "  threats[0].count: [2, 1]\n", "camp.yaml: grid/zip: zip.threats[0].count: path also"),
    ],
)  # fmt: skip
def test_campaign_file_errors_name_the_file_and_field(
    app: typer.Typer, tmp_path: Path, text: str, message: str
) -> None:
    """Errors in a campaign file named a command-line option (``--runs: must be ...``)
    or nothing; they name the file and its field."""
    spec = tmp_path / "camp.yaml"
    spec.write_text(text)
    res = _run(app, "campaign", "run", str(spec), "--no-progress", "--out", str(tmp_path / "c"))
    assert isinstance(res.exception, IadsimError), res.output
    assert str(res.exception).startswith(message), str(res.exception)
    assert not (tmp_path / "c").exists()
