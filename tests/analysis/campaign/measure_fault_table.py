"""Measure the campaign fault table of README "Reliability" (issue 16's acceptance).

Usage (Linux, as root for the tmpfs mounts)::

    mkdir -p /tmp/full300k /tmp/full4k
    mount -t tmpfs -o size=300k tmpfs /tmp/full300k
    mount -t tmpfs -o size=4k tmpfs /tmp/full4k
    python tests/analysis/campaign/measure_fault_table.py WORK_DIR /tmp/full300k /tmp/full4k
    umount /tmp/full300k /tmp/full4k

For each fault -- SIGKILL of the parent, a worker SIGKILLed mid-task, a second
``--resume`` while the first runs, a full disk mid-campaign and at creation -- it
injects the fault, resumes (or reruns), and prints tasks lost (planned tasks with
neither a result nor a failure), duplicated (result rows beyond one per task, in
the raw part files and in the ``results`` view) and orphan processes (descendants
of the campaign still running 20 s after the fault). The full-disk rows remount
their tmpfs larger (20 MiB) to resume. The tests in this folder assert the
same zeros with ENOSPC injected; this script measures them on real faults.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from campaign_fakes import fake_simulate, make_plan
from proc_tree import descendants, running

from iadsim.analysis.campaign.backends import LocalPoolBackend
from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.campaign.runner import CampaignAborted, CampaignPlan, run_campaign
from iadsim.analysis.campaign.store import CampaignStore
from iadsim.errors import IadsimError

HERE = Path(__file__).resolve().parent
GRID = {"batteries[0].doctrine.salvo": [1, 2]}


def _plan(runs: int, sleep_s: float) -> CampaignPlan:
    return make_plan(runs=runs, seed=7, grid=GRID, extra={"sleep_s": sleep_s})


def _orphans(pids: set[int], wait_s: float = 20.0) -> int:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and any(running(p) for p in pids):
        time.sleep(0.05)
    left = [p for p in pids if running(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    return len(left)


def _count(root: Path, n_tasks: int) -> tuple[int, int, int]:
    """(lost, duplicated in the part files, duplicated in the results view)."""
    store = CampaignStore(root)
    ids: list[int] = []
    for p in store.parts("results"):
        ids += pq.read_table(p, columns=["task_id"]).column("task_id").to_pylist()
    failed: set[int] = set()
    for p in store.parts("failures"):
        failed |= set(pq.read_table(p, columns=["task_id"]).column("task_id").to_pylist())
    view = run_query(root, "SELECT count(*) - count(DISTINCT task_id) AS d FROM results")
    return n_tasks - len(set(ids) | failed), len(ids) - len(set(ids)), view["d"][0].as_py()


def _start(out: Path, runs: int, sleep_s: float) -> subprocess.Popen[str]:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from pathlib import Path
        from campaign_fakes import fake_simulate, make_plan
from proc_tree import descendants, running
        from iadsim.analysis.campaign.backends import LocalPoolBackend
        from iadsim.analysis.campaign.runner import run_campaign
        plan = make_plan(runs={runs}, seed=7, grid={GRID!r}, extra={{"sleep_s": {sleep_s}}})
        try:
            o = run_campaign(plan, Path({str(out)!r}), backend=LocalPoolBackend(2),
                             simulate=fake_simulate, flush_every=10)
            print("done", o.n_ok)
        except Exception as e:
            print("error:", " ".join(str(e).split()))
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], start_new_session=True, stdout=subprocess.PIPE, text=True
    )


def _wait_parts(proc: subprocess.Popen[str], out: Path, n: int) -> None:
    store, deadline = CampaignStore(out), time.monotonic() + 120
    while time.monotonic() < deadline and len(store.parts("results")) < n:
        assert proc.poll() is None, "the campaign ended before the fault"
        time.sleep(0.02)


def _resume(plan: CampaignPlan, out: Path) -> None:
    run_campaign(plan, out, backend=LocalPoolBackend(2), simulate=fake_simulate, resume=True)


def parent_kill(work: Path) -> tuple[Any, ...]:
    out, plan = work / "parent", _plan(100, 0.02)
    proc = _start(out, 100, 0.02)
    _wait_parts(proc, out, 2)
    family = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    orphans = _orphans(family)
    _resume(plan, out)
    return ("SIGKILL of the parent only", plan.n_tasks, *_count(out, plan.n_tasks), orphans)


def worker_kill(work: Path) -> tuple[Any, ...]:
    out, plan = work / "worker", _plan(100, 0.2)
    proc = _start(out, 100, 0.2)
    _wait_parts(proc, out, 1)
    family = descendants(proc.pid)
    victim = max(family)  # the last pool worker started
    os.kill(victim, signal.SIGKILL)
    said, _ = proc.communicate(timeout=300)
    orphans = _orphans(family - {victim})
    _resume(plan, out)
    row = (f"a worker SIGKILLed mid-task ({said.strip()[:60]}...)", plan.n_tasks)
    return (*row, *_count(out, plan.n_tasks), orphans)


def concurrent_resume(work: Path) -> tuple[Any, ...]:
    out, plan = work / "concurrent", _plan(60, 0.02)
    proc = _start(out, 60, 0.02)
    _wait_parts(proc, out, 1)
    mine = descendants(os.getpid())
    try:
        _resume(plan, out)
        said = "NOT refused"
    except IadsimError as err:
        said = str(err)[:70]
    family = descendants(proc.pid) | (descendants(os.getpid()) - mine - {proc.pid})
    first, _ = proc.communicate(timeout=300)
    orphans = _orphans(family)
    row = (f"second --resume ({said}); first: {first.strip()}", plan.n_tasks)
    return (*row, *_count(out, plan.n_tasks), orphans)


def disk_full(mount: Path) -> tuple[Any, ...]:
    out, plan = mount / "full", _plan(300, 0.0)
    mine = descendants(os.getpid())
    try:
        run_campaign(plan, out, backend=LocalPoolBackend(2), simulate=fake_simulate, flush_every=10)
        said = "NOT full"
    except (CampaignAborted, IadsimError) as err:
        said = str(err)
    orphans = _orphans(descendants(os.getpid()) - mine)
    temps = len(list(out.rglob("*.tmp")))
    subprocess.run(["mount", "-o", "remount,size=20m", str(mount)], check=True)
    _resume(plan, out)
    row = (f"disk full mid-campaign ({said[:110]}; {temps} temp files)", plan.n_tasks)
    return (*row, *_count(out, plan.n_tasks), orphans)


def disk_full_at_creation(mount: Path) -> tuple[Any, ...]:
    filler, out, plan = mount / "filler", mount / "create", _plan(3, 0.0)
    try:
        filler.write_bytes(b"x" * 8192)
    except OSError:
        pass  # full
    try:
        run_campaign(plan, out, simulate=fake_simulate)
        said = "NOT full"
    except IadsimError as err:
        said = str(err)
    manifest = (out / "manifest.json").exists()
    filler.unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,size=20m", str(mount)], check=True)
    run_campaign(plan, out, simulate=fake_simulate)
    row = (f"disk full at creation ({said[:80]}; manifest left: {manifest})", plan.n_tasks)
    return (*row, *_count(out, plan.n_tasks), 0)


def main() -> None:
    """Print the fault table as Markdown rows."""
    work, full, tiny = (Path(a) for a in sys.argv[1:4])
    rows = [
        parent_kill(work),
        worker_kill(work),
        concurrent_resume(work),
        disk_full(full),
        disk_full_at_creation(tiny),
    ]
    print("| fault | tasks | lost | duplicated (parts) | duplicated (view) | orphans |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")


if __name__ == "__main__":
    main()
