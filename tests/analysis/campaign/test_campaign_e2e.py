"""End to end on the bundled default scenario, through the API and the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from campaign_fakes import load_table

from iadsim.analysis.campaign.backends import InProcessBackend, LocalPoolBackend
from iadsim.analysis.campaign.runner import CampaignPlan, plan_campaign, run_campaign
from iadsim.analysis.campaign.store import CampaignStore
from iadsim.analysis.campaign.tasks import is_timing_column
from iadsim.errors import ScenarioError
from iadsim.scenario.load import read_scenario_yaml

PRESET = "s400-vs-mixed-raid"
HERE = Path(__file__).parent
#: The preset simulates 1800 s (seconds of wall time per run); tests cut it short.
SHORT_S = 120


def _plan(grid: dict[str, list[object]], runs: int = 2) -> CampaignPlan:
    data, file = read_scenario_yaml(PRESET)
    data["simulation"]["duration_s"] = SHORT_S
    return plan_campaign(data, scenario=PRESET, file=file, runs=runs, root_seed=4, grid=grid)


def _iadsim(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iadsim", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.slow
def test_real_campaign_same_on_pool_and_inprocess(tmp_path: Path) -> None:
    plan = _plan({"threats[2].count": [2, 6]})
    tables = []
    for name, backend in (("pool", LocalPoolBackend(2)), ("inproc", InProcessBackend())):
        out = run_campaign(plan, tmp_path / name, backend=backend)
        assert out.complete and out.n_failed == 0, load_table(tmp_path / name, "failures")
        res = load_table(tmp_path / name)
        tables.append(res.drop_columns([c for c in res.column_names if is_timing_column(c)]))
        assert res.column("n_threats").to_pylist() == [8, 8, 12, 12]
        n_rows = load_table(tmp_path / name, "threats").num_rows
        assert n_rows == sum(res.column("n_threats").to_pylist())
    assert tables[0].equals(tables[1])


def test_real_sweep_errors_name_sweep_and_path() -> None:
    with pytest.raises(ScenarioError) as info:
        _plan({"threats[9].count": [2]})
    assert str(info.value) == (
        "--sweep threats[9].count=2: threats[9]: index out of range (scenario has 3 threats)"
    )
    with pytest.raises(ScenarioError) as info:
        _plan({"threats[0].count": [2, 0]})
    assert str(info.value).startswith(
        f"--sweep threats[0].count=0: {PRESET}.yaml: threats[0].count"
    )


@pytest.mark.slow
def test_cli_real_scenario(tmp_path: Path) -> None:
    out = tmp_path / "c"
    res = _iadsim(
        "campaign",
        "run",
        PRESET,
        "--runs",
        "2",
        "--seed",
        "9",
        "--workers",
        "2",
        "--sweep",
        "threats[1].count=1,4",
        "--sweep",
        f"simulation.duration_s={SHORT_S}",
        "--out",
        str(out),
        "--no-progress",
    )
    assert res.returncode == 0, res.stderr
    assert "4/4 done" in res.stderr
    res = _iadsim(
        "query",
        str(out),
        'SELECT "threats[1].count" AS c, count(*) AS n FROM results GROUP BY 1 ORDER BY 1',
        "--csv",
        str(tmp_path / "q.csv"),
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "q.csv").read_text().splitlines()[1:] == ["1,2", "4,2"]
    res = _iadsim("campaign", "summarize", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "summary.csv").is_file()
    res = _iadsim("campaign", "run", PRESET, "--sweep", "threats[9].count=2", "--no-progress")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: --sweep threats[9].count=2: threats[9]: index out of range (scenario has 3 threats)"
    ]


def _sigint_as_in_a_terminal() -> None:
    """In the campaign's process, before it starts: Ctrl-C handled as in a terminal.

    A process started with SIGINT ignored keeps it ignored (POSIX; Python then installs
    no KeyboardInterrupt handler), and a non-interactive shell starts its background
    commands so: a test suite run with ``.ci/run &`` passed that on to the campaign,
    which then ran to its end through the Ctrl-C (the test failed; the CLI was right).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


@pytest.mark.slow
def test_cli_ctrl_c_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "c"
    env = os.environ | {"PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    args = [
        "--runs",
        "150",
        "--seed",
        "3",
        "--workers",
        "2",
        "--out",
        str(out),
        "--simulate",
        "campaign_fakes:fake_simulate_any_held",
        "--no-progress",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "iadsim", "campaign", "run", PRESET, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    store = CampaignStore(out)
    t0 = time.monotonic()
    try:
        deadline = t0 + 120.0
        while time.monotonic() < deadline and not store.parts("results"):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        seen_s, running = time.monotonic() - t0, proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        _, stderr = proc.communicate(timeout=120)
    where = f"first part seen after {seen_s:.1f} s, campaign then running: {running}"
    assert proc.returncode == 130, f"{where}\n{stderr}"
    assert f"Resume with: iadsim campaign run --resume --out {out}" in stderr
    done = len(store.completed_task_ids())
    assert 50 <= done < 150
    res = _iadsim(
        "campaign",
        "run",
        "--resume",
        "--out",
        str(out),
        "--no-progress",
        "--simulate",
        "campaign_fakes:fake_simulate_any",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    assert "150/150 done" in res.stderr
    ids = load_table(out).column("task_id")
    assert ids.to_pylist() == list(range(150))
    assert isinstance(ids, pa.ChunkedArray)
