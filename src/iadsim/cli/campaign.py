"""CLI: ``iadsim campaign run`` (and registration of ``campaign summarize`` and
``iadsim query``, in :mod:`iadsim.cli.campaign_results`).

Thin: parse options, build a plan, call :mod:`iadsim.analysis.campaign`, print.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from iadsim.cli import campaign_results
from iadsim.cli.options import (
    MAX_RUNS,
    MAX_SEED,
    MAX_WORKERS,
    WORKERS_HELP,
    require_extra,
)
from iadsim.errors import IadsimError, ScenarioError

campaign_app = typer.Typer(
    name="campaign",
    help="Monte Carlo campaigns: many seeded runs over a parameter sweep.",
    rich_markup_mode=None,
    no_args_is_help=True,
)


def _check_scheduler_address(address: str) -> None:
    """``--scheduler``: an address Dask can parse (``tcp://HOST:PORT``), checked before
    the campaign directory is made (``notanaddress`` gave a traceback, and a first
    failed attempt left a directory that refused the rerun)."""
    from distributed.comm import parse_address, parse_host_port

    try:
        _, location = parse_address(address)
        parse_host_port(location)
    except (ValueError, TypeError) as err:
        msg = " ".join(str(err).split())[:120]
        raise IadsimError(f"--scheduler {address}: not a scheduler address ({msg}); "
                          "give tcp://HOST:PORT") from err  # fmt: skip


def _read_scenario(ref: str) -> tuple[dict[str, Any], str]:
    from iadsim.scenario.load import read_scenario_yaml

    data, file = read_scenario_yaml(ref)
    return data, file


def _campaign_file_plan(
    path: Path, runs: int | None, seed: int | None, sweeps: list[str], zip_sweeps: bool
) -> Any:
    from iadsim.analysis.campaign.definition import campaign_from_data
    from iadsim.analysis.campaign.runner import plan_campaign

    spec = campaign_from_data(_yaml(path), file=path.name)
    local = path.parent / spec.scenario
    ref = str(local) if local.is_file() else spec.scenario
    try:
        data, file = _read_scenario(ref)
    except ScenarioError as err:  # (named neither the campaign file nor its field)
        raise ScenarioError(f"{path.name}: scenario: {err}") from err
    grid = dict(spec.grid)
    zipped = dict(spec.zipped)
    sources = {p: f"{path.name}: grid.{p}" for p in grid} | {
        p: f"{path.name}: zip.{p}" for p in zipped
    }
    for p, values in _parse_sweeps(sweeps):
        if p in grid or p in zipped:
            raise ScenarioError(f"--sweep {p}: already swept in {path.name}")
        (zipped if zip_sweeps else grid)[p] = values
        sources[p] = f"--sweep {p}"
    sources["runs"] = "--runs" if runs is not None else f"{path.name}: runs"
    sources["seed"] = "--seed" if seed is not None else f"{path.name}: seed"
    sources["sweep"] = f"{path.name}: grid/zip"
    return plan_campaign(
        data,
        scenario=ref,
        file=file,
        runs=runs if runs is not None else spec.runs,
        root_seed=seed if seed is not None else spec.seed,
        grid=grid,
        zipped=zipped,
        metrics=spec.metrics,
        threat_table=spec.threat_table,
        sources=sources,
    )


def _parse_sweeps(sweeps: list[str]) -> list[tuple[str, list[Any]]]:
    """Parse ``--sweep PATH=V1,V2`` options; a path given twice is an error."""
    from iadsim.analysis.campaign.definition import parse_sweep_arg

    parsed: list[tuple[str, list[Any]]] = []
    for text in sweeps:
        p, values = parse_sweep_arg(text)
        if any(p == q for q, _ in parsed):
            raise ScenarioError(f"--sweep {p}: given twice (put all values in one --sweep)")
        parsed.append((p, list(values)))
    return parsed


def _yaml(path: Path) -> object:
    from iadsim.analysis.campaign.definition import read_yaml_file

    return read_yaml_file(path)


def _build_plan(
    scenario: str | None,
    *,
    runs: int | None,
    seed: int | None,
    sweeps: list[str],
    zip_sweeps: bool,
    out: Path | None,
    resume: bool,
) -> Any:
    from iadsim.analysis.campaign.definition import is_campaign_data
    from iadsim.analysis.campaign.runner import plan_campaign, plan_from_manifest
    from iadsim.analysis.campaign.store import CampaignStore

    store = CampaignStore(out) if out is not None else None
    recorded = (
        store.read_manifest(repair=True)
        if (resume and store is not None and store.exists())
        else None
    )
    if scenario is None:
        if recorded is None:
            raise ScenarioError("SCENARIO: missing (or give --resume --out DIR of a campaign)")
        return plan_from_manifest(recorded)
    if recorded is not None:  # a resume takes what its command line leaves out
        seed = int(recorded["root_seed"]) if seed is None else seed
        runs = int(recorded["runs_per_point"]) if runs is None else runs
    path = Path(scenario)
    if path.suffix in (".yaml", ".yml") and path.is_file() and is_campaign_data(_yaml(path)):
        return _campaign_file_plan(path, runs, seed, sweeps, zip_sweeps)
    data, file = _read_scenario(scenario)
    parsed = _parse_sweeps(sweeps)
    grid = {} if zip_sweeps else dict(parsed)
    zipped = dict(parsed) if zip_sweeps else {}
    return plan_campaign(
        data,
        scenario=scenario,
        file=file,
        runs=runs if runs is not None else 100,
        root_seed=seed,
        grid=grid,
        zipped=zipped,
    )


def _default_out(plan: Any) -> Path:
    stem = Path(plan.scenario).stem or "campaign"
    return Path("campaigns") / f"{stem}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"


def _load_simulate(spec: str | None) -> Any:
    """``module:function`` -> the function (a custom task simulation), or None."""
    if spec is None:
        return None
    import importlib

    module_name, _, func_name = spec.partition(":")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError, ValueError) as err:
        raise IadsimError(f"--simulate {spec}: cannot import ({err})") from err
    if not callable(func):
        raise IadsimError(f"--simulate {spec}: not callable")
    return func


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill PID``, a batch system's time limit) stops a campaign like
    Ctrl-C: what finished is flushed and the campaign can be resumed."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_with_progress(
    plan: Any,
    out: Path,
    backend: Any,
    resume: bool,
    show: bool,
    simulate: Any = None,
    retry_failed: bool = False,
) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from iadsim.analysis.campaign.runner import run_campaign

    progress = Progress(
        TextColumn("[bold]campaign"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        disable=not show,
        transient=False,
    )
    state: dict[str, Any] = {}

    def on_progress(done: int, total: int) -> None:
        now = time.monotonic()
        if "task" not in state:
            state.update(
                task=progress.add_task("", total=total, completed=done, rate=""), t0=now, done0=done
            )
        rate = (done - state["done0"]) / max(now - state["t0"], 1e-9)
        progress.update(state["task"], completed=done, rate=f"{rate:.2f} runs/s")

    with progress, _sigterm_as_interrupt():
        return run_campaign(
            plan,
            out,
            backend=backend,
            resume=resume,
            retry_failed=retry_failed,
            simulate=simulate,
            on_progress=on_progress,
        )


@campaign_app.command("run")
def run_cmd(
    scenario: str | None = typer.Argument(
        None, help="Scenario file, bundled preset name, or campaign YAML."
    ),
    runs: int | None = typer.Option(
        None, "--runs", "-n", min=1, max=MAX_RUNS, help="Runs per sweep point, 1 to 10^6 [100]."
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        min=0,
        max=MAX_SEED,
        help="Root seed, 0 to 2^63-1 (default: random, recorded).",
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, max=MAX_WORKERS, help=WORKERS_HELP
    ),
    sweep: list[str] = typer.Option(
        [], "--sweep", help="PATH=V1,V2,... e.g. 'threats[0].count=2,4,8' (repeatable; grid)."
    ),
    zip_sweeps: bool = typer.Option(
        False, "--zip", help="Zip the --sweep lists instead of a grid."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Campaign directory."),
    backend: str = typer.Option("local", "--backend", help="inprocess | local | dask."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT (implies dask)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the campaign in --out."),
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="With --resume: run the failed tasks again."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    simulate: str | None = typer.Option(
        None,
        "--simulate",
        hidden=True,
        help="MODULE:FUNCTION task simulation (takes a CampaignTask, returns a run summary).",
    ),
) -> None:
    """Run (or resume) a Monte Carlo campaign.

    Examples:

      iadsim campaign run s400-vs-mixed-raid --runs 4 --seed 1 --out campaigns/demo

      iadsim campaign run s400-vs-mixed-raid -n 2 --sweep 'threats[0].count=1,2'

      iadsim campaign run --resume --out campaigns/demo
    """
    from iadsim.analysis.campaign.backends import make_backend

    if backend not in ("inprocess", "local", "dask"):
        raise IadsimError(f"--backend: unknown backend {backend!r} (choose inprocess, local, dask)")
    if backend == "dask" or scheduler is not None:
        require_extra("cluster", "--backend dask")
    if scheduler is not None:
        _check_scheduler_address(scheduler)
    if resume and out is None:
        raise IadsimError("--resume: needs --out DIR (the campaign directory to continue)")
    if retry_failed and not resume:
        raise IadsimError("--retry-failed: only with --resume --out DIR")
    plan = _build_plan(
        scenario, runs=runs, seed=seed, sweeps=sweep, zip_sweeps=zip_sweeps, out=out, resume=resume
    )
    out_dir = out if out is not None else _default_out(plan)
    sim = _load_simulate(simulate)
    runner = make_backend(backend, workers=workers, scheduler=scheduler)  # type: ignore[arg-type]
    typer.echo(
        f"campaign: {len(plan.points)} point(s) x {plan.runs} runs = {plan.n_tasks} tasks, "
        f"root seed {plan.root_seed}, backend {runner.name}, out {out_dir}",
        err=True,
    )
    hint = f"iadsim campaign run --resume --out {out_dir}" + (
        f" --scheduler {scheduler}"  # (the hint resumed on the local pool)
        if scheduler is not None
        else (f" --backend {backend}" if backend != "local" else "")
    )
    try:
        outcome = _run_with_progress(plan, out_dir, runner, resume, progress, sim, retry_failed)
    except KeyboardInterrupt:
        typer.echo(f"interrupted; partial results kept. Resume with: {hint}", err=True)
        raise typer.Exit(130) from None
    done = outcome.n_done_before + outcome.n_ok + outcome.n_failed
    typer.echo(
        f"{outcome.n_ok} run(s) ok, {outcome.n_failed} failed this session; "
        f"{done}/{outcome.n_tasks} done in {out_dir} ({outcome.elapsed_s:.1f} s)",
        err=True,
    )
    if outcome.interrupted:
        typer.echo(f"interrupted; partial results kept. Resume with: {hint}", err=True)
        raise typer.Exit(130)


def register(app: typer.Typer) -> None:
    """Add ``campaign run``, ``campaign summarize`` and ``query`` to ``app``."""
    campaign_app.command("summarize")(campaign_results.summarize_cmd)
    app.add_typer(campaign_app, name="campaign")
    app.command("query")(campaign_results.query_cmd)
