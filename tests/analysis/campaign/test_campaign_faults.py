"""Campaign fault table: parent kill, concurrent resume, full disk, corrupt files.

Each fault ends with every task present exactly once after a resume (nothing lost,
nothing duplicated) and no process left behind.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from campaign_fakes import fake_simulate, load_table, make_plan

from iadsim.analysis.campaign import store as store_mod
from iadsim.analysis.campaign.backends import LocalPoolBackend
from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.campaign.runner import CampaignAborted, CampaignPlan, run_campaign
from iadsim.analysis.campaign.store import CampaignStore
from iadsim.analysis.campaign.tasks import CampaignTask
from iadsim.errors import IadsimError, InputDataError, ScenarioError
from iadsim.sim.summary_types import RunSummary

HERE = Path(__file__).parent
GRID = {"batteries[0].doctrine.salvo": [1, 2]}


def _assert_exactly_once(plan: CampaignPlan, root: Path) -> None:
    ids = load_table(root).column("task_id").to_pylist()
    failed = load_table(root, "failures").column("task_id").to_pylist()
    assert sorted(ids + failed) == list(range(plan.n_tasks))


def _start(out: Path, runs: int, sleep_s: float = 0.02) -> subprocess.Popen[bytes]:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from pathlib import Path
        from campaign_fakes import fake_simulate, make_plan
        from iadsim.analysis.campaign.backends import LocalPoolBackend
        from iadsim.analysis.campaign.runner import run_campaign
        plan = make_plan(runs={runs}, seed=7, grid={GRID!r}, extra={{"sleep_s": {sleep_s}}})
        run_campaign(plan, Path({str(out)!r}), backend=LocalPoolBackend(2),
                     simulate=fake_simulate, flush_every=10)
        """
    )
    return subprocess.Popen([sys.executable, "-c", script], start_new_session=True)


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_parts(proc: subprocess.Popen[bytes], store: CampaignStore, n: int) -> None:
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline and len(store.parts("results")) < n:
        assert proc.poll() is None, "campaign ended early"
        time.sleep(0.02)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl, /proc")
def test_parent_sigkill_takes_workers_down_and_resume_completes(tmp_path: Path) -> None:
    out = tmp_path / "camp"
    proc = _start(out, runs=100)
    store = CampaignStore(out)
    try:
        _wait_parts(proc, store, 2)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        orphans = [w for w in workers if _alive(w)]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    assert workers and not orphans
    plan = make_plan(runs=100, seed=7, grid=GRID, extra={"sleep_s": 0.02})
    run_campaign(plan, out, simulate=fake_simulate, resume=True)
    _assert_exactly_once(plan, out)


def test_second_resumer_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    out = tmp_path / "camp"
    proc = _start(out, runs=60)
    plan = make_plan(runs=60, seed=7, grid=GRID, extra={"sleep_s": 0.02})
    try:
        _wait_parts(proc, CampaignStore(out), 1)
        with pytest.raises(IadsimError, match=r"in use by another process \(pid \d+\)"):
            run_campaign(plan, out, simulate=fake_simulate, resume=True)
        assert proc.wait(timeout=120) == 0
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    _assert_exactly_once(plan, out)


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, n_ok: int) -> None:
    real = store_mod.pq.write_table
    calls = {"n": 0}

    def write(table: Any, where: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] > n_ok:
            Path(where).write_bytes(b"PAR1 partial")  # a torn temporary file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(table, where, **kw)

    monkeypatch.setattr(store_mod.pq, "write_table", write)


def test_full_disk_mid_campaign_is_one_line_and_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = make_plan(runs=30, seed=5, grid=GRID)
    _full_disk_after(monkeypatch, n_ok=3 * 2 + 1)  # two flushes, then a torn third
    with pytest.raises(CampaignAborted, match=r"cannot write .*; 10/60 tasks saved; .*--resume"):
        run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=5)
    monkeypatch.undo()
    assert not list((tmp_path / "c").rglob(".*.tmp"))
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate, resume=True)
    _assert_exactly_once(plan, tmp_path / "c")


def test_full_disk_at_creation_leaves_no_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_mod, "atomic_write_bytes", full)
    plan = make_plan(runs=3, seed=5)
    with pytest.raises(IadsimError, match=r"cannot create the campaign .*nothing was run"):
        run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    monkeypatch.undo()
    assert not (tmp_path / "c" / "manifest.json").exists()
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate)  # the directory is usable
    _assert_exactly_once(plan, tmp_path / "c")


def test_garbage_manifest_is_repaired_from_its_backup(tmp_path: Path) -> None:
    plan = make_plan(runs=4, seed=5)
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    manifest = tmp_path / "c" / "manifest.json"
    good = json.loads(manifest.read_text())
    manifest.write_bytes(b"\x00garbage{")
    assert run_query(tmp_path / "c", "SELECT count(*) AS n FROM results")["n"][0].as_py() == 4
    store = CampaignStore(tmp_path / "c")
    assert store.read_manifest(repair=True)["fingerprint"] == good["fingerprint"]
    assert json.loads(manifest.read_text())["fingerprint"] == good["fingerprint"]
    manifest.write_text("[]")
    store.backup_path.write_text('{"format": 1}')
    with pytest.raises(InputDataError, match=r"manifest.json: not a campaign manifest") as err:
        run_query(tmp_path / "c", "SELECT 1")
    assert "\n" not in str(err.value)


def test_corrupt_part_is_one_line_then_quarantined_by_resume(tmp_path: Path) -> None:
    plan = make_plan(runs=10, seed=5, grid=GRID)
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=5)
    part = CampaignStore(tmp_path / "c").parts("results")[1]
    part.write_bytes(b"PAR1" + b"\x00" * 100 + b"PAR1")
    with pytest.raises(InputDataError, match=r"part-00002.parquet: corrupt part file") as err:
        run_query(tmp_path / "c", "SELECT * FROM results")
    assert "\n" not in str(err.value)
    out = run_campaign(plan, tmp_path / "c", simulate=fake_simulate, resume=True)
    assert out.n_ok == 5  # the quarantined part's tasks ran again
    assert (tmp_path / "c" / "quarantine" / "results" / part.name).is_file()
    _assert_exactly_once(plan, tmp_path / "c")


def test_negative_seed_and_huge_sweep_refused_before_anything_is_created(
    tmp_path: Path,
) -> None:
    with pytest.raises(ScenarioError, match=r"--seed: must be in \[0, 2\*\*63\)"):
        make_plan(runs=3, seed=-1)
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"sweep: 1,000,000 points .*limit 10,000"):
        make_plan(runs=1, grid={"threats[0].count": list(range(1, 1001)), "x": list(range(1000))})
    assert time.perf_counter() - t0 < 1.0
    assert not any(tmp_path.iterdir())


def fake_simulate_flaky(task: CampaignTask) -> RunSummary:
    """Fails every third replicate while ``FLAKY`` is set in the environment."""
    if os.environ.get("IADSIM_TEST_FLAKY") and task.replicate % 3 == 2:
        raise RuntimeError("flaky")
    return fake_simulate(task)


def test_retry_failed_reruns_only_failures_and_supersedes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = make_plan(runs=9, seed=5, grid=GRID)
    monkeypatch.setenv("IADSIM_TEST_FLAKY", "1")
    first = run_campaign(plan, tmp_path / "c", simulate=fake_simulate_flaky)
    assert first.n_failed == 6
    monkeypatch.delenv("IADSIM_TEST_FLAKY")
    again = run_campaign(plan, tmp_path / "c", simulate=fake_simulate_flaky, resume=True)
    assert again.n_ok == 0  # a plain resume keeps the failures
    retry = run_campaign(
        plan, tmp_path / "c", simulate=fake_simulate_flaky, resume=True, retry_failed=True
    )
    assert retry.n_ok == 6 and retry.n_failed == 0
    assert load_table(tmp_path / "c", "failures").num_rows == 0
    assert load_table(tmp_path / "c").column("task_id").to_pylist() == list(range(18))
    raw = sum(pq.read_table(p).num_rows for p in CampaignStore(tmp_path / "c").parts("failures"))
    assert raw == 6  # the old rows are kept on disk, superseded in the views


def test_sigterm_stops_like_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "camp"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from pathlib import Path
        from campaign_fakes import fake_simulate, make_plan
        from iadsim.analysis.campaign.runner import run_campaign
        from iadsim.cli.campaign import _sigterm_as_interrupt
        plan = make_plan(runs=200, seed=7, extra={{"sleep_s": 0.02}})
        with _sigterm_as_interrupt():
            out = run_campaign(plan, Path({str(out)!r}), simulate=fake_simulate, flush_every=10)
        print("interrupted" if out.interrupted else "complete", out.n_ok)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        _wait_parts(proc, CampaignStore(out), 1)
        proc.send_signal(signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
    word, n_ok = stdout.decode().split()
    assert word == "interrupted" and proc.returncode == 0
    assert len(CampaignStore(out).completed_task_ids()) == int(n_ok) >= 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl")
def test_pool_workers_get_the_parent_death_signal() -> None:
    backend = LocalPoolBackend(1)
    with backend:
        sig = [s for s in backend.imap_unordered(_pdeathsig, [0, 1]) if s is not None]
    assert sig == [int(signal.SIGKILL)] * 2


def _pdeathsig(_: int) -> int:
    import ctypes

    libc = ctypes.CDLL(None)
    value = ctypes.c_int(0)
    libc.prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    return int(value.value)
