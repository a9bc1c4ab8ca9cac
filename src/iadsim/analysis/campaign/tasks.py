"""The campaign task: one seeded run of one sweep point, and its result rows.

:func:`run_task` is the single function every backend executes. The simulation it
calls is injected (``simulate``): by default :func:`simulate_scenario`, which
imports the scenario loader and the run engine lazily; tests pass a cheap
deterministic fake defined at module level (so it pickles to worker processes).
A simulation exception becomes a failure row; the campaign continues.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iadsim.errors import ScenarioError

if TYPE_CHECKING:
    from iadsim.sim.summary_types import RunSummary

#: Identity columns of every results row.
ID_COLUMNS = ("task_id", "point_id", "replicate", "seed")
#: Metric columns computed from every summary (always kept).
CORE_METRICS = (
    "n_threats",
    "n_killed",
    "n_leaked",
    "n_survived",
    "leak_fraction",
    "any_leak",
    "interceptors_fired_total",
)
#: Per-threat columns taken from the summary's threat records (``RunSummary.threats``).
THREAT_FIELDS = (
    "threat_id",
    "name",
    "group",
    "type",
    "outcome",
    "outcome_t_s",
    "first_detection_t_s",
    "first_detection_range_m",
    "first_track_t_s",
    "first_track_range_m",
    "first_fc_track_t_s",
    "first_fc_track_range_m",
    "engagements",
    "rounds",
)


#: Result columns that measure wall-clock time (vary between identical runs).
TIMING_COLUMNS = ("wall_time_s", "task_wall_time_s", "stage_time_s")


def is_timing_column(name: str) -> bool:
    """True for wall-clock columns (``wall_time_s``, ``stage_time_s.<stage>`` ...)."""
    return name.split(".")[0] in TIMING_COLUMNS


@dataclass(frozen=True, kw_only=True)
class CampaignTask:
    """One (sweep point, replicate) of a campaign; small and picklable.

    Attributes
    ----------
    task_id : int
        ``point_id * runs_per_point + replicate``.
    point_id, replicate : int
        Position in the campaign.
    seed : int
        Seed passed to the run (see :mod:`iadsim.analysis.campaign.seeds`).
    scenario_data : dict
        Raw scenario dict of the point (overrides applied, already validated once).
    scenario_file : str
        File name used in error messages.
    point_key : str
        Digest of ``scenario_data``; workers cache the validated scenario by it.
    overrides : dict
        Sweep path -> value of the point (become columns of the results row).
    metrics : tuple of str or None
        Summary metrics to keep besides the core ones (None: all numeric ones).
    threat_table : bool
        Whether to return per-threat rows.
    """

    task_id: int
    point_id: int
    replicate: int
    seed: int
    scenario_data: dict[str, Any]
    scenario_file: str
    point_key: str
    overrides: dict[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] | None = None
    threat_table: bool = True


@dataclass(frozen=True, kw_only=True)
class TaskResult:
    """Outcome of :func:`run_task`: a results row and threat rows, or an error."""

    task_id: int
    point_id: int
    replicate: int
    seed: int
    row: dict[str, Any] | None
    threats: list[dict[str, Any]]
    error: str | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """True when the simulation returned a summary."""
        return self.error is None


Simulate = Callable[[CampaignTask], "RunSummary"]

_SCENARIO_CACHE: dict[str, Any] = {}
_CACHE_SIZE = 16


def check_metrics(metrics: Sequence[str] | None) -> None:
    """Each metric names a figure of the run summary (``salvos_by_outcome`` or one of
    its keys, ``salvos_by_outcome.kill``): a misspelt one was dropped in silence."""
    if metrics is None:
        return
    from iadsim.sim.summary_types import RunSummary as Summary

    known = {f.name for f in dataclasses.fields(Summary)} - {"seed", "threats"}
    for name in metrics:
        if str(name).split(".")[0] not in known:
            near = difflib.get_close_matches(str(name).split(".")[0], sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ScenarioError(f"metrics: {name!r} is not a figure of the run summary{hint}")


def validate_scenario(data: Mapping[str, Any], file: str) -> Any:
    """Validate a raw scenario dict with the scenario loader and the resource guards
    (:mod:`iadsim.scenario.limits`); return the Scenario."""
    from iadsim.scenario.limits import check_limits
    from iadsim.scenario.load import load_scenario_data

    scenario = load_scenario_data(copy.deepcopy(dict(data)), file=file)
    check_limits(scenario)
    return scenario


def simulate_scenario(task: CampaignTask) -> RunSummary:
    """Default simulation: validate (cached per point) and run the scenario.

    Returns the run summary (``RunResult.summary``); nothing is recorded to disk.
    """
    from iadsim.sim.runner import run_scenario

    scenario = _SCENARIO_CACHE.get(task.point_key)
    if scenario is None:
        scenario = validate_scenario(task.scenario_data, task.scenario_file)
        if len(_SCENARIO_CACHE) >= _CACHE_SIZE:
            _SCENARIO_CACHE.clear()
        _SCENARIO_CACHE[task.point_key] = scenario
    result = run_scenario(
        scenario, seed=task.seed, record=False, shared=_shared_setup(task.point_key, scenario)
    )
    return result.summary


#: Seed-independent set-up (world, terrain masks, truth table, arrivals) of the last
#: points this worker ran, keyed by the point's scenario digest: a swept field that
#: changes any part gives another key, so nothing stale is reused.
_SETUP_CACHE: dict[str, Any] = {}
_SETUP_CACHE_SIZE = 2


def _shared_setup(point_key: str, scenario: Any) -> Any:
    """:func:`iadsim.sim.shared.shared_setup` of the point, cached per worker process."""
    from iadsim.sim.shared import shared_setup

    setup = _SETUP_CACHE.get(point_key)
    if setup is None:
        if len(_SETUP_CACHE) >= _SETUP_CACHE_SIZE:
            _SETUP_CACHE.pop(next(iter(_SETUP_CACHE)))
        setup = _SETUP_CACHE[point_key] = shared_setup(scenario)
    return setup


def _flatten_numeric(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Collect numeric scalars (bool, int, float) of nested dicts as ``a.b`` keys."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten_numeric(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, bool | int | float) and not isinstance(value, str):
        out[prefix] = value


def summary_row(task: CampaignTask, summary: RunSummary) -> dict[str, Any]:
    """Flatten a run summary into one results row.

    The row holds the identity columns, the sweep values (column name = field
    path), the core metrics (``leak_fraction = n_leaked / n_threats``, NaN when
    there are no threats; ``any_leak = n_leaked > 0``;
    ``interceptors_fired_total`` = sum over interceptor types) and the other
    numeric summary entries (nested dicts flattened to ``a.b``), filtered by
    ``task.metrics`` when given.
    """
    row: dict[str, Any] = {
        "task_id": task.task_id,
        "point_id": task.point_id,
        "replicate": task.replicate,
        "seed": task.seed,
    }
    n_threats, n_leaked = summary.n_threats, summary.n_leaked
    core: dict[str, Any] = {
        "n_threats": n_threats,
        "n_killed": summary.n_killed,
        "n_leaked": n_leaked,
        "n_survived": summary.n_survived,
        "leak_fraction": n_leaked / n_threats if n_threats else math.nan,
        "any_leak": n_leaked > 0,
        "interceptors_fired_total": int(sum(summary.interceptors_fired.values())),
    }
    extra: dict[str, Any] = {}
    for key, value in summary.to_json_dict().items():
        if key in ("seed", "threats") or key in core:
            continue
        _flatten_numeric(str(key), value, extra)
    if task.metrics is not None:
        keep = set(task.metrics)
        extra = {k: v for k, v in extra.items() if k in keep or k.split(".")[0] in keep}
    reserved = set(ID_COLUMNS) | set(core) | set(extra)
    for path, value in task.overrides.items():
        row[f"sweep.{path}" if path in reserved else path] = value
    row.update(core)
    row.update(extra)
    return row


def threat_rows(task: CampaignTask, summary: RunSummary) -> list[dict[str, Any]]:
    """Per-threat rows (``task_id``, ``point_id``, ``replicate`` + THREAT_FIELDS)."""
    rows = []
    for threat in summary.threats:
        row: dict[str, Any] = {
            "task_id": task.task_id,
            "point_id": task.point_id,
            "replicate": task.replicate,
        }
        for name in THREAT_FIELDS:
            row[name] = getattr(threat, name)
        rows.append(row)
    return rows


def run_task(task: CampaignTask, simulate: Simulate | None = None) -> TaskResult:
    """Run one campaign task; never raises for a simulation error.

    Parameters
    ----------
    task : CampaignTask
    simulate : callable, optional
        ``simulate(task) -> summary``; default :func:`simulate_scenario`.

    Returns
    -------
    TaskResult
        ``row`` gets ``task_wall_time_s`` (time spent in this function). On an
        exception, ``error`` is ``"Type: message"`` and ``traceback`` the text.
    """
    sim = simulate_scenario if simulate is None else simulate
    t0_s = time.perf_counter()
    try:
        summary = sim(task)
        row = summary_row(task, summary)
        threats = threat_rows(task, summary) if task.threat_table else []
    except Exception as err:
        msg = " ".join(str(err).split())
        return TaskResult(
            task_id=task.task_id,
            point_id=task.point_id,
            replicate=task.replicate,
            seed=task.seed,
            row=None,
            threats=[],
            error=f"{type(err).__name__}: {msg}",
            traceback=traceback.format_exc(),
        )
    row["task_wall_time_s"] = time.perf_counter() - t0_s
    return TaskResult(
        task_id=task.task_id,
        point_id=task.point_id,
        replicate=task.replicate,
        seed=task.seed,
        row=row,
        threats=threats,
    )
