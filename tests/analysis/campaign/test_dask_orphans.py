"""A LocalCluster started by a campaign does not outlive its parent.

The parent (the campaign) runs the scheduler and the nannies; the Dask worker
processes are its children. SIGKILL of the parent alone (not its process group)
must leave no worker process behind within a bound, as for the local pool
(test_campaign_faults.py), and the campaign resumes to exactly one row per task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from campaign_fakes import fake_simulate, load_table, make_plan
from proc_tree import descendants
from test_campaign_faults import _alive

from iadsim.analysis.campaign.runner import run_campaign
from iadsim.analysis.campaign.store import CampaignStore

pytest.importorskip("distributed")

HERE = Path(__file__).parent
GRID = {"batteries[0].doctrine.salvo": [1, 2]}
#: seconds the worker processes may take to notice their parent's death
ORPHAN_BOUND_S = 20.0


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl, /proc")
@pytest.mark.parametrize("task_s", [0.05, 30.0])  # short tasks; a worker busy in a long one
def test_parent_sigkill_takes_dask_workers_down(tmp_path: Path, task_s: float) -> None:
    out = tmp_path / "camp"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from pathlib import Path
        from campaign_fakes import fake_simulate, make_plan
        from iadsim.analysis.campaign.backends import DaskBackend
        from iadsim.analysis.campaign.runner import run_campaign
        plan = make_plan(runs=200, seed=7, grid={GRID!r}, extra={{"sleep_s": {task_s}}})
        run_campaign(plan, Path({str(out)!r}), backend=DaskBackend(workers=2),
                     simulate=fake_simulate, flush_every=10)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    store = CampaignStore(out)
    try:
        deadline = time.monotonic() + 120.0
        while time.monotonic() < deadline and len(descendants(proc.pid)) < 3:
            assert proc.poll() is None, "campaign ended early"
            time.sleep(0.1)
        time.sleep(2.0)  # tasks are running
        while time.monotonic() < deadline and task_s < 1 and len(store.parts("results")) < 2:
            assert proc.poll() is None, "campaign ended early"
            time.sleep(0.1)
        workers = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
        proc.wait(timeout=30)
        t0 = time.monotonic()
        while time.monotonic() - t0 < ORPHAN_BOUND_S and any(_alive(w) for w in workers):
            time.sleep(0.1)
        orphans = [w for w in workers if _alive(w)]
        gone_s = time.monotonic() - t0
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    assert len(workers) >= 2, workers  # the two Dask worker processes at least
    assert not orphans, f"orphans after {gone_s:.1f} s: {orphans}"
    print(f"{len(workers)} descendants gone {gone_s:.1f} s after the parent SIGKILL")
    if task_s > 1:
        return  # resuming 30 s tasks is the short case's job
    plan = make_plan(runs=200, seed=7, grid=GRID, extra={"sleep_s": task_s})
    run_campaign(plan, out, simulate=fake_simulate, resume=True)
    ids = load_table(out).column("task_id").to_pylist()
    failed = load_table(out, "failures").column("task_id").to_pylist()
    assert sorted(ids + failed) == list(range(plan.n_tasks))
