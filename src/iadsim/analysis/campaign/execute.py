"""Run a campaign's remaining tasks on a backend and flush their results as parts.

Split from :mod:`.runner` (which plans and opens the campaign directory).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from iadsim.analysis.campaign.backends import Backend, InProcessBackend
from iadsim.analysis.campaign.store import CampaignStore, PartWriter, sweep_column_types
from iadsim.analysis.campaign.tasks import Simulate, run_task
from iadsim.errors import IadsimError

__all__ = ["CampaignAborted", "execute_tasks"]

Progress = Callable[[int, int], None]


class CampaignAborted(IadsimError):
    """The backend failed (a worker process died, the scheduler went away ...).

    Results that completed before the failure are saved; resume the campaign.
    """


def execute_tasks(
    plan: Any,
    store: CampaignStore,
    done: set[int],
    backend: Backend | None,
    simulate: Simulate | None,
    flush_every: int,
    flush_s: float,
    on_progress: Progress | None,
) -> tuple[int, int, int, int]:
    """Run the tasks not in ``done``; return (done before, ok, failed, interrupted)."""
    n_before = len(done)
    writer = PartWriter(
        store,
        sweep_column_types({**plan.grid, **plan.zipped}),
        flush_every=flush_every,
        flush_s=flush_s,
    )
    fn = functools.partial(run_task, simulate=simulate)
    n_ok = n_failed = 0
    interrupted = False
    aborted: BaseException | None = None
    if on_progress is not None:
        on_progress(n_before, plan.n_tasks)
    runner = backend if backend is not None else InProcessBackend()
    with runner:
        try:
            for res in runner.imap_unordered(fn, plan.tasks(done), tick_s=min(1.0, flush_s)):
                if res is not None and res.task_id not in done:
                    done.add(res.task_id)
                    writer.add(res)
                    n_ok, n_failed = (n_ok + 1, n_failed) if res.ok else (n_ok, n_failed + 1)
                    if on_progress is not None:
                        on_progress(len(done), plan.n_tasks)
                if writer.due():
                    writer.flush()
        except KeyboardInterrupt:
            interrupted = True
        except Exception as err:  # simulation errors never get here (run_task keeps them)
            aborted = err
        finally:
            try:
                writer.flush()
            except OSError as err:
                aborted = aborted or err
    if aborted is not None:
        saved = len(store.completed_task_ids())
        what = (
            f"cannot write ({aborted.strerror or aborted})"
            if isinstance(aborted, OSError)
            else f"backend {runner.name} failed ({type(aborted).__name__}: "
            f"{' '.join(str(aborted).split()) or 'no message'})"
        )
        raise CampaignAborted(
            f"{store.root}: {what}; {saved}/{plan.n_tasks} tasks saved; continue with --resume"
        ) from aborted
    return n_before, n_ok, n_failed, int(interrupted)
