"""Execution backends: in-process, local process pool, Dask.

Every backend maps one picklable function over an iterable of tasks and yields
results *as they complete*, keeping at most ``window`` tasks in flight (sliding
window) so memory stays flat for campaigns of any size. When nothing completes
for ``tick_s`` seconds a backend yields ``None`` so the caller can flush buffered
results by time. Backends are context managers; leaving the context cancels what
has not started and releases workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Literal, Protocol

from iadsim.errors import IadsimError

BackendName = Literal["inprocess", "local", "dask"]


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


class Backend(Protocol):
    """A way to run tasks; see the module docstring."""

    name: str
    workers: int

    def imap_unordered(
        self, fn: Callable[[Any], Any], items: Iterable[Any], *, tick_s: float = 1.0
    ) -> Iterator[Any | None]:
        """Yield ``fn(item)`` in completion order, or None after ``tick_s`` idle."""
        ...

    def __enter__(self) -> Backend: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class InProcessBackend:
    """Run tasks one after another in this process (debugging, tiny campaigns)."""

    name = "inprocess"
    workers = 1

    def imap_unordered(
        self, fn: Callable[[Any], Any], items: Iterable[Any], *, tick_s: float = 1.0
    ) -> Iterator[Any | None]:
        """Yield ``fn(item)`` for each item in order."""
        for item in items:
            yield fn(item)

    def __enter__(self) -> InProcessBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


#: One BLAS/OpenMP thread per worker process: the pool already uses every core.
THREAD_CAPS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Make this process get SIGKILL when its parent dies (Linux ``prctl``).

    If the parent is already gone (it died before this ran) exit at once. Off
    Linux this is a no-op beyond that check.
    """
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _init_worker(parent_pid: int | None = None) -> None:
    """Worker initializer: Ctrl-C is handled by the parent only (it stops the pool);
    the worker dies with its parent (SIGKILL of the parent included); BLAS threads
    are capped. SIGTERM keeps its default: the pool terminates the workers of a
    broken pool with it.

    Runs before numpy is imported in the (spawned) worker, so the caps take
    effect; variables the user already set are kept.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        die_with_parent(parent_pid)
    for key, value in THREAD_CAPS.items():
        os.environ.setdefault(key, value)


class LocalPoolBackend:
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes.

    Workers are started with ``spawn`` (no fork of a threaded parent), ignore
    SIGINT (Ctrl-C reaches only the parent, which cancels queued tasks) and use
    one BLAS thread each.
    """

    name = "local"

    def __init__(self, workers: int | None = None, *, window: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.window = window or 4 * self.workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalPoolBackend:
        import multiprocessing

        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap_unordered(
        self, fn: Callable[[Any], Any], items: Iterable[Any], *, tick_s: float = 1.0
    ) -> Iterator[Any | None]:
        """Sliding-window map over the pool."""
        if self._pool is None:
            raise RuntimeError("LocalPoolBackend used outside its context")
        pool = self._pool
        yield from _sliding_window(
            lambda item: pool.submit(fn, item),
            items,
            self.window,
            lambda pending: wait(pending, timeout=tick_s, return_when=FIRST_COMPLETED),
        )


def _sliding_window(
    submit: Callable[[Any], Any],
    items: Iterable[Any],
    window: int,
    wait_some: Callable[[set[Any]], tuple[set[Any], set[Any]]],
) -> Iterator[Any | None]:
    """Keep ``window`` futures in flight; yield results as they complete."""
    it = iter(items)
    pending: set[Any] = set()
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                pending.add(submit(next(it)))
            except StopIteration:
                exhausted = True
        if not pending:
            return
        done, pending = wait_some(pending)
        if not done:
            yield None
            continue
        results = [f.result() for f in done]
        del done
        yield from results


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes are spawned (they inherit SIG_IGN).

    Ctrl-C reaches every process of the terminal's process group; workers that
    ignore it keep quiet and the parent shuts them down. No-op off the main thread.
    """
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Dask settings for the LocalCluster this module starts (workers inherit them).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ": dict(THREAD_CAPS),
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}


class DaskBackend:
    """Run tasks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:8786``). Without it a
        :class:`distributed.LocalCluster` of ``workers`` single-threaded worker
        processes is started, listening on loopback only, without dashboards,
        with the worker profiler and GIL monitor off and without Dask's default
        ``MALLOC_TRIM_THRESHOLD_=65536`` (which made a run of the default
        scenario ~2x slower in a worker; see bench/bench_campaign.py).
        The LocalCluster's scheduler and nannies live in this process; its
        worker processes die with it, SIGKILL included: each worker blocks on
        its nanny's stop queue, whose pipe closes when this process dies
        (EOF -> the worker stops; ``distributed.nanny.WorkerProcess``), and
        task threads are daemons. Measured gone 0.1-2.1 s after a SIGKILL of
        the parent, a worker mid-task included
        (``tests/analysis/campaign/test_dask_orphans.py``).
    workers : int, optional
        Workers of the LocalCluster (default: all cores).
    window : int, optional
        Tasks in flight (default 4 x total worker threads, at least 8).
    connect_timeout_s : float
        How long to try to reach ``scheduler``.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        *,
        window: int | None = None,
        connect_timeout_s: float = 20.0,
    ) -> None:
        self.scheduler = scheduler
        self.connect_timeout_s = connect_timeout_s
        self.workers = workers or default_workers()
        self._window = window
        self.window = window or 4 * self.workers
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskBackend:
        import dask
        from distributed import Client, LocalCluster

        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout=f"{self.connect_timeout_s}s")
            else:
                with dask.config.set(LOCAL_CLUSTER_CONFIG), _sigint_ignored():
                    self._cluster = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        scheduler_port=0,
                        dashboard_address=None,
                        worker_dashboard_address=None,
                        silence_logs=40,
                    )
                self._client = Client(self._cluster)
        except (OSError, RuntimeError, TimeoutError) as err:
            self.__exit__(None, None, None)
            what = (
                f"--scheduler {self.scheduler}: cannot connect"
                if self.scheduler
                else ("--backend dask: LocalCluster failed to start")
            )
            raise IadsimError(f"{what} ({type(err).__name__}: {err})") from err
        n_threads = sum(self._client.nthreads().values()) or self.workers
        self.workers = n_threads
        self.window = self._window or max(8, 4 * n_threads)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def imap_unordered(
        self, fn: Callable[[Any], Any], items: Iterable[Any], *, tick_s: float = 1.0
    ) -> Iterator[Any | None]:
        """Sliding-window map over the cluster (futures released once read)."""
        from distributed import wait as dask_wait

        client = self._client
        if client is None:
            raise RuntimeError("DaskBackend used outside its context")

        def wait_some(pending: set[Future[Any]]) -> tuple[set[Any], set[Any]]:
            try:
                res = dask_wait(list(pending), timeout=tick_s, return_when="FIRST_COMPLETED")
            except TimeoutError:
                return set(), pending
            return set(res.done), set(res.not_done)

        yield from _sliding_window(
            lambda item: client.submit(fn, item, pure=False),
            items,
            self.window,
            wait_some,
        )


def make_backend(
    name: BackendName,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> InProcessBackend | LocalPoolBackend | DaskBackend:
    """Backend by name; ``--scheduler`` implies ``dask``."""
    if scheduler and name != "dask":
        name = "dask"
    if name == "inprocess":
        return InProcessBackend()
    if name == "local":
        return LocalPoolBackend(workers)
    if name == "dask":
        return DaskBackend(scheduler, workers)
    raise IadsimError(f"--backend: unknown backend {name!r} (choose inprocess, local, dask)")
