"""Plan and run a campaign.

:func:`plan_campaign` turns a raw scenario dict, a sweep and a run count into a
:class:`CampaignPlan` (every sweep point applied and validated before anything
runs); :func:`run_campaign` executes the plan's tasks on a backend and appends
results to the campaign directory, resuming from what is already there.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iadsim.analysis.campaign.backends import Backend
from iadsim.analysis.campaign.execute import CampaignAborted, execute_tasks
from iadsim.analysis.campaign.integrity import check_task_rows
from iadsim.analysis.campaign.seeds import new_root_seed, task_seed
from iadsim.analysis.campaign.store import TABLES, CampaignStore
from iadsim.analysis.campaign.sweep import MAX_RUNS, SweepPoint, expand_points, set_path
from iadsim.analysis.campaign.tasks import (
    CampaignTask,
    Simulate,
    check_metrics,
    validate_scenario,
)
from iadsim.errors import IadsimError, ScenarioError

__all__ = [
    "CampaignAborted",
    "CampaignOutcome",
    "CampaignPlan",
    "plan_campaign",
    "plan_from_manifest",
    "run_campaign",
]

MANIFEST_FORMAT = "iadsim-campaign/1"

Validate = Callable[[Mapping[str, Any], str], Any]


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def _digest(obj: Any) -> str:
    return hashlib.sha256(_canonical(obj).encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class CampaignPlan:
    """A fully resolved campaign: points, their scenario dicts, seeds, run count."""

    scenario: str
    scenario_file: str
    base_data: dict[str, Any]
    grid: dict[str, list[Any]]
    zipped: dict[str, list[Any]]
    points: list[SweepPoint]
    point_data: list[dict[str, Any]]
    runs: int
    root_seed: int
    metrics: tuple[str, ...] | None = None
    threat_table: bool = True
    point_keys: list[str] = field(default_factory=list)

    @property
    def n_tasks(self) -> int:
        """Number of tasks (points x runs)."""
        return len(self.points) * self.runs

    def fingerprint(self) -> str:
        """Digest of everything that determines the task set and its seeds."""
        return _digest(
            {
                "scenario_data": self.base_data,
                "points": [p.overrides for p in self.points],
                "runs": self.runs,
                "root_seed": self.root_seed,
                "metrics": self.metrics,
                "threat_table": self.threat_table,
            }
        )

    def task(self, task_id: int) -> CampaignTask:
        """The task with id ``task_id = point_id * runs + replicate``."""
        point_id, replicate = divmod(task_id, self.runs)
        point = self.points[point_id]
        return CampaignTask(
            task_id=task_id,
            point_id=point_id,
            replicate=replicate,
            seed=task_seed(self.root_seed, point_id, replicate),
            scenario_data=self.point_data[point_id],
            scenario_file=self.scenario_file,
            point_key=self.point_keys[point_id],
            overrides=point.overrides,
            metrics=self.metrics,
            threat_table=self.threat_table,
        )

    def tasks(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[CampaignTask]:
        """Tasks in id order, lazily, leaving out ids in ``skip``."""
        for task_id in range(self.n_tasks):
            if task_id not in skip:
                yield self.task(task_id)

    def manifest(self) -> dict[str, Any]:
        """JSON-able description written to ``manifest.json``."""
        return {
            "format": MANIFEST_FORMAT,
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "scenario": self.scenario,
            "scenario_file": self.scenario_file,
            "runs_per_point": self.runs,
            "root_seed": self.root_seed,
            "n_points": len(self.points),
            "n_tasks": self.n_tasks,
            "task_id": "point_id * runs_per_point + replicate",
            "task_seed": "SeedSequence(root_seed, spawn_key=(point_id, replicate))"
            ".generate_state(1, uint64)[0] & (2**63 - 1)",
            "grid": self.grid,
            "zip": self.zipped,
            "points": [
                {"point_id": p.point_id, "label": p.label(), "overrides": p.overrides}
                for p in self.points
            ],
            "metrics": list(self.metrics) if self.metrics is not None else None,
            "threat_table": self.threat_table,
            "fingerprint": self.fingerprint(),
            "versions": _versions(),
            "scenario_data": self.base_data,
        }


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("iadsim", "numpy", "scipy", "pyarrow", "pydantic", "dask", "distributed"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def _blame(
    point: SweepPoint, message: str, sources: Mapping[str, str]
) -> str:  # which sweep made the point invalid
    for path, value in point.overrides.items():
        if f": {path}" in message or message.startswith(path) or f"{path}:" in message:
            shown = json.dumps(value) if isinstance(value, bool) or value is None else value
            return f"{sources.get(path, path)}={shown}: {message}"  # (true as YAML writes it)
    return f"sweep point {point.point_id} ({point.label()}): {message}"


def plan_campaign(
    base_data: Mapping[str, Any],
    *,
    scenario: str,
    file: str,
    runs: int,
    root_seed: int | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    zipped: Mapping[str, Sequence[Any]] | None = None,
    metrics: Sequence[str] | None = None,
    threat_table: bool = True,
    sources: Mapping[str, str] | None = None,
    validate: Validate | None = None,
) -> CampaignPlan:
    """Resolve and validate a campaign.

    Parameters
    ----------
    base_data : mapping
        Raw scenario dict (as read from YAML).
    scenario : str
        Scenario reference as the user gave it (path or preset name).
    file : str
        Scenario file name for error messages.
    runs : int
        Replicates per sweep point (>= 1).
    root_seed : int, optional
        Campaign root seed; drawn from OS entropy when None.
    grid, zipped : mapping of path -> values, optional
        See :func:`iadsim.analysis.campaign.sweep.expand_points`.
    metrics : sequence of str, optional
        Summary metrics to keep besides the core ones.
    threat_table : bool
        Record per-threat rows.
    sources : mapping of path -> str, optional
        How each sweep path was given (``--sweep threats[0].count``), for errors.
    validate : callable, optional
        ``validate(data, file)``; default: the scenario loader.

    Raises
    ------
    ScenarioError
        Invalid scenario, sweep path or point, naming the sweep and the path.
    """
    named = dict(sources or {})  # where runs, seed and the sweep were given (a file's fields)
    runs_at, seed_at = named.pop("runs", "--runs"), named.pop("seed", "--seed")
    sweep_at = named.pop("sweep", None)
    if runs < 1:
        raise ScenarioError(f"{runs_at}: must be >= 1 (got {runs})")
    if runs > MAX_RUNS:
        raise ScenarioError(f"{runs_at}: must be <= {MAX_RUNS:,} (got {runs:,})")
    if root_seed is not None and not 0 <= int(root_seed) < 2**63:
        raise ScenarioError(f"{seed_at}: must be in [0, 2**63) (got {root_seed})")
    check = validate_scenario if validate is None else validate
    grid_d = {p: list(v) for p, v in (grid or {}).items()}
    zip_d = {p: list(v) for p, v in (zipped or {}).items()}
    src = {p: f"--sweep {p}" for p in [*grid_d, *zip_d]} | named
    if "simulation.seed" in src:  # (each run's seed overrides it: a sweep of no effect)
        raise ScenarioError(
            f"{src['simulation.seed']}: each run's seed comes from the campaign's root seed "
            "(--seed), sweep point and replicate; simulation.seed cannot be swept"
        )
    check_metrics(metrics)
    base = json.loads(_canonical(dict(base_data)))
    check(base, file)
    try:
        points = expand_points(grid_d, zip_d)
    except ScenarioError as err:
        raise ScenarioError(f"{sweep_at}: {err}" if sweep_at else str(err)) from err
    point_data: list[dict[str, Any]] = []
    for point in points:
        data = copy.deepcopy(base)
        for path, value in point.overrides.items():
            try:
                set_path(data, path, copy.deepcopy(value))
            except ScenarioError as err:
                values = ",".join(str(v) for v in (grid_d | zip_d)[path])
                raise ScenarioError(f"{src[path]}={values}: {err}") from err
        try:
            check(data, file)
        except ScenarioError as err:
            raise ScenarioError(_blame(point, str(err), src)) from err
        point_data.append(data)
    return CampaignPlan(
        scenario=scenario,
        scenario_file=file,
        base_data=base,
        grid=grid_d,
        zipped=zip_d,
        points=points,
        point_data=point_data,
        runs=runs,
        root_seed=new_root_seed() if root_seed is None else int(root_seed),
        metrics=tuple(metrics) if metrics is not None else None,
        threat_table=threat_table,
        point_keys=[_digest(d) for d in point_data],
    )


def plan_from_manifest(
    manifest: Mapping[str, Any], *, validate: Validate | None = None
) -> CampaignPlan:
    """Rebuild the plan recorded in a campaign manifest (for ``--resume``)."""
    if manifest.get("format") != MANIFEST_FORMAT:
        raise IadsimError(f"manifest.json: format: unsupported (got {manifest.get('format')!r})")
    return plan_campaign(
        manifest["scenario_data"],
        scenario=manifest["scenario"],
        file=manifest["scenario_file"],
        runs=int(manifest["runs_per_point"]),
        root_seed=int(manifest["root_seed"]),
        grid=manifest.get("grid") or {},
        zipped=manifest.get("zip") or {},
        metrics=manifest.get("metrics"),
        threat_table=bool(manifest.get("threat_table", True)),
        validate=validate,
    )


@dataclass(frozen=True, kw_only=True)
class CampaignOutcome:
    """What :func:`run_campaign` did."""

    out_dir: Path
    n_tasks: int
    n_done_before: int
    n_ok: int
    n_failed: int
    interrupted: bool
    elapsed_s: float

    @property
    def complete(self) -> bool:
        """True when every task of the campaign has a result or a failure row."""
        return self.n_done_before + self.n_ok + self.n_failed >= self.n_tasks


Progress = Callable[[int, int], None]


def _open_store(
    store: CampaignStore, plan: CampaignPlan, resume: bool, retry_failed: bool
) -> set[int]:
    """Create or reopen the campaign (the caller holds the directory lock)."""
    out_dir = store.root
    if store.exists():
        if not resume:
            raise IadsimError(
                f"{out_dir}: already holds a campaign (add --resume to continue it, "
                "or choose another --out)"
            )
        recorded = store.read_manifest(repair=True).get("fingerprint")
        if recorded != plan.fingerprint():
            raise IadsimError(
                f"{out_dir}/manifest.json: a different campaign (scenario, sweep, runs, "
                "metrics or seed differ); resume with the same arguments or another --out"
            )
        store.recover()
        store.quarantine_corrupt()
        manifest = store.read_manifest()
        for part in (p for table in TABLES for p in store.parts(table)):
            check_task_rows(part, manifest)  # (a part of foreign tasks made "49/40 done")
        return store.completed_task_ids(retry_failed=retry_failed)
    if not store.is_blank():
        raise IadsimError(f"{out_dir}: not empty and not a campaign directory")
    try:
        store.create(plan.manifest())
    except OSError as err:
        raise IadsimError(
            f"{out_dir}: cannot create the campaign ({err.strerror or err}); nothing was run"
        ) from err
    return set()


def run_campaign(
    plan: CampaignPlan,
    out_dir: Path,
    *,
    backend: Backend | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    simulate: Simulate | None = None,
    flush_every: int = 50,
    flush_s: float = 5.0,
    on_progress: Progress | None = None,
) -> CampaignOutcome:
    """Run (or resume) a campaign into ``out_dir``.

    Ctrl-C (KeyboardInterrupt) stops submitting, flushes what finished and
    returns with ``interrupted=True``; the campaign can be resumed. A backend
    failure (a worker process killed, a lost scheduler) flushes what finished
    and raises :class:`CampaignAborted`, and so does a failed write (a full
    disk): what was committed before stays, the rest runs again on resume.
    The directory is locked for the whole run (a second writer is refused).

    Parameters
    ----------
    plan : CampaignPlan
    out_dir : Path
        Campaign directory (created; must be empty or hold this campaign).
    backend : Backend, optional
        Default :class:`InProcessBackend`.
    resume : bool
        Continue the campaign in ``out_dir``, skipping completed task ids.
    retry_failed : bool
        With ``resume``: run the tasks that failed again (their failure rows are
        superseded by the new outcome; see :mod:`.query`).
    simulate : callable, optional
        Passed to :func:`run_task` (default: the real simulation).
    flush_every, flush_s : int, float
        Flush a part after this many results or this many seconds.
    on_progress : callable, optional
        ``on_progress(done, total)`` after each result (done includes resumed).
    """
    t0_s = time.monotonic()
    store = CampaignStore(Path(out_dir))
    if not store.exists() and not store.is_blank():  # refused before the lock is made
        raise IadsimError(f"{out_dir}: not empty and not a campaign directory")
    with store.locked():
        done = _open_store(store, plan, resume, retry_failed)
        counts = execute_tasks(
            plan, store, done, backend, simulate, flush_every, flush_s, on_progress
        )
    return CampaignOutcome(
        out_dir=Path(out_dir),
        n_tasks=plan.n_tasks,
        n_done_before=counts[0],
        n_ok=counts[1],
        n_failed=counts[2],
        interrupted=bool(counts[3]),
        elapsed_s=time.monotonic() - t0_s,
    )
