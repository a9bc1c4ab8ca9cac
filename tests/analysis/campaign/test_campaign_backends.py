"""Backends give identical results; in-flight tasks stay bounded; real LocalCluster."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from campaign_fakes import fake_simulate, load_table, make_plan

from iadsim.analysis.campaign.backends import (
    DaskBackend,
    InProcessBackend,
    LocalPoolBackend,
    make_backend,
)
from iadsim.analysis.campaign.runner import run_campaign
from iadsim.analysis.campaign.tasks import is_timing_column
from iadsim.errors import IadsimError


def _comparable(table: pa.Table) -> pa.Table:
    return table.drop_columns([c for c in table.column_names if is_timing_column(c)])


def _same(a: pa.Table, b: pa.Table) -> bool:
    """Equal schema and values, NaN equal to NaN (figures that never happened are NaN)."""

    def rows(t: pa.Table) -> list[dict[str, Any]]:
        nan = "NaN"  # a stand-in that compares equal to itself
        return [
            {k: nan if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in t.to_pylist()
        ]

    return a.schema.equals(b.schema) and rows(a) == rows(b)


def _square(x: int) -> int:
    return x * x


@pytest.mark.slow
def test_same_results_on_every_backend(tmp_path: Path) -> None:
    plan = make_plan(
        runs=12, seed=2026, grid={"batteries[0].doctrine.salvo": [1, 2], "threats[1].count": [1, 3]}
    )
    backends: dict[str, Any] = {
        "inprocess": InProcessBackend(),
        "local1": LocalPoolBackend(1),
        "local2": LocalPoolBackend(2, window=3),
        "dask2": DaskBackend(workers=2),
    }
    tables = {}
    for name, backend in backends.items():
        out = run_campaign(
            plan, tmp_path / name, backend=backend, simulate=fake_simulate, flush_every=5
        )
        assert out.complete and out.n_ok == plan.n_tasks
        tables[name] = (
            _comparable(load_table(tmp_path / name)),
            load_table(tmp_path / name, "threats"),
        )
    ref_results, ref_threats = tables["inprocess"]
    assert ref_results.num_rows == 48
    assert ref_results.column("task_id").to_pylist() == list(range(48))
    for name, (results, threats) in tables.items():
        assert _same(results, ref_results), name
        assert _same(threats, ref_threats), name


@pytest.mark.parametrize("backend", [LocalPoolBackend(2, window=4), InProcessBackend()])
def test_sliding_window_bounds_in_flight(backend: Any) -> None:
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for i in range(60):
            pulled += 1
            yield i

    got = []
    window = getattr(backend, "window", 1)
    with backend:
        for res in backend.imap_unordered(_square, items(), tick_s=0.5):
            if res is None:
                continue
            got.append(res)
            assert pulled - len(got) <= window
    assert sorted(got) == [i * i for i in range(60)]


@pytest.mark.slow
def test_dask_local_cluster_is_loopback_only() -> None:
    with DaskBackend(workers=1) as backend:
        info = backend._client.scheduler_info()
        assert info["address"].startswith("tcp://127.0.0.1:")
        assert all(addr.startswith("tcp://127.0.0.1:") for addr in info["workers"])
        got = sorted(r for r in backend.imap_unordered(_square, range(10)) if r is not None)
    assert got == [i * i for i in range(10)]


def test_dask_connects_to_existing_scheduler() -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        backend = make_backend("local", scheduler=cluster.scheduler_address)
        assert isinstance(backend, DaskBackend)
        with backend:
            got = sorted(r for r in backend.imap_unordered(_square, range(5)) if r is not None)
    assert got == [0, 1, 4, 9, 16]


def test_unreachable_scheduler_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as sock:  # a loopback port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = DaskBackend(f"tcp://127.0.0.1:{port}", connect_timeout_s=1.0)
    with pytest.raises(IadsimError, match=rf"^--scheduler tcp://127.0.0.1:{port}: cannot connect"):
        backend.__enter__()


@pytest.mark.parametrize("address", ["notanaddress", "tcp://127.0.0.1:1:2", "tcp://127.0.0.1"])
def test_a_malformed_scheduler_address_is_refused_before_anything_is_written(
    address: str, tmp_path: Path
) -> None:
    """``--scheduler notanaddress`` gave a traceback, after the campaign directory was
    made (a rerun without --scheduler was then refused: 'already holds a campaign')."""
    import subprocess
    import sys

    out = tmp_path / "c"
    iadsim = Path(sys.executable).with_name("iadsim")
    res = subprocess.run(
        [str(iadsim), "campaign", "run", "s400-vs-mixed-raid", "-n", "1", "--seed", "1",
         "--scheduler", address, "--out", str(out), "--no-progress"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert f"--scheduler {address}: not a scheduler address" in res.stderr
    assert not out.exists()
