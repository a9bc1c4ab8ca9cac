"""Fake scenario and simulation for campaign tests (module level: picklable).

The fake simulation draws outcomes from ``np.random.default_rng(task.seed)``, so a
task's summary depends only on its scenario dict and seed, like the real run.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from iadsim.analysis.campaign.runner import CampaignPlan, plan_campaign
from iadsim.analysis.campaign.tasks import CampaignTask
from iadsim.errors import ScenarioError
from iadsim.sim.summary_types import RunSummary, ThreatSummary

FAKE_SCENARIO: dict[str, Any] = {
    "name": "fake-raid",
    "threats": [
        {"type": "cruise-missile", "count": 4, "speed_mps": 250.0},
        {"type": "drone", "count": 2, "speed_mps": 50.0},
    ],
    "batteries": [{"name": "b1", "pk": 0.6, "doctrine": {"salvo": 1}}],
}
_THREAT_KEYS = {"type", "count", "speed_mps"}


def fake_validate(data: Mapping[str, Any], file: str) -> None:
    """A tiny stand-in for ``load_scenario_data``: one-line ScenarioErrors."""
    for i, threat in enumerate(data["threats"]):
        extra = set(threat) - _THREAT_KEYS
        if extra:
            raise ScenarioError(f"{file}: threats[{i}].{sorted(extra)[0]}: unknown field")
        count = threat["count"]
        if not isinstance(count, int) or count < 1:
            raise ScenarioError(f"{file}: threats[{i}].count: must be >= 1 (got {count!r})")
    for i, bat in enumerate(data["batteries"]):
        salvo = bat["doctrine"]["salvo"]
        if not isinstance(salvo, int) or salvo < 1:
            raise ScenarioError(
                f"{file}: batteries[{i}].doctrine.salvo: must be >= 1 (got {salvo!r})"
            )


def fake_summary(
    threats: list[ThreatSummary],
    *,
    fired: dict[str, int],
    scenario: str = "fake-raid",
    seed: int = 0,
) -> RunSummary:
    """A consistent :class:`RunSummary` of fake threat records (no radars, batteries)."""
    n_killed = sum(t.outcome == "killed" for t in threats)
    n_leaked = sum(t.outcome == "leaked" for t in threats)
    return RunSummary(
        scenario=scenario, seed=seed, duration_s=600.0, n_threats=len(threats),
        n_killed=n_killed, n_leaked=n_leaked, n_survived=len(threats) - n_killed - n_leaked,
        n_never_engaged=sum(t.engagements == 0 for t in threats), interceptors_fired=fired,
        interceptors_fired_total=sum(fired.values()), salvos=sum(t.engagements for t in threats),
        salvos_by_outcome={}, n_detections=0, n_false_alarms=0, n_track_rows=0, batteries=(),
        radars=(), threats=tuple(threats), warnings=(), n_events_processed=0, stage_time_s={},
        tracker_counters={}, track_history="changes", wall_time_s=0.001,
    )  # fmt: skip


def _threat(tid: int, name: str, type_: str, outcome: str, **times: float) -> ThreatSummary:
    nan = math.nan
    fields: dict[str, Any] = {
        "outcome_t_s": nan, "first_detection_t_s": nan, "first_detection_range_m": nan,
        "first_track_t_s": nan, "first_track_range_m": nan, "first_fc_track_t_s": nan,
        "first_fc_track_range_m": nan, "engagements": 0, "rounds": 0,
    }  # fmt: skip
    fields.update(times)
    return ThreatSummary(
        threat_id=tid, name=name, group=type_, type=type_, outcome=outcome, **fields
    )  # fmt: skip


def fake_simulate(task: CampaignTask) -> RunSummary:
    """Summary of a fake run: each threat is killed with 1 - (1 - pk)^salvo."""
    data = task.scenario_data
    rng = np.random.default_rng(task.seed)
    sleep_s = float(data.get("sleep_s", 0.0))
    if sleep_s:
        time.sleep(sleep_s)
    fail_every = int(data.get("fail_every", 0))
    if fail_every and task.replicate % fail_every == fail_every - 1:
        raise RuntimeError(f"fake failure of task {task.task_id}")
    bat = data["batteries"][0]
    salvo = int(bat["doctrine"]["salvo"])
    p_kill = 1.0 - (1.0 - float(bat["pk"])) ** salvo
    threats = []
    tid = 0
    for group in data["threats"]:
        for _ in range(int(group["count"])):
            killed = bool(rng.random() < p_kill)
            det_range_m = float(rng.uniform(20e3, 200e3))
            threats.append(
                _threat(
                    tid,
                    f"{group['type']}-{tid}",
                    group["type"],
                    "killed" if killed else "leaked",
                    first_detection_t_s=float(rng.uniform(0.0, 60.0)),
                    first_detection_range_m=det_range_m,
                    first_track_range_m=det_range_m * 0.9,
                    engagements=salvo,
                )
            )
            tid += 1
    fired = {"48N6": salvo * len(threats)} | ({"9M96": 1} if salvo > 1 else {})
    return fake_summary(threats, fired=fired, scenario=data["name"], seed=task.seed)


def make_plan(
    runs: int = 10,
    *,
    seed: int = 12345,
    grid: dict[str, list[Any]] | None = None,
    zipped: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CampaignPlan:
    """Plan a campaign of the fake scenario (``extra``: top-level keys added to it)."""
    data = copy.deepcopy(FAKE_SCENARIO) | (extra or {})
    return plan_campaign(
        data,
        scenario="fake",
        file="fake.yaml",
        runs=runs,
        root_seed=seed,
        grid=grid,
        zipped=zipped,
        validate=fake_validate,
        **kwargs,
    )


def load_table(root: Path, table: str = "results") -> pa.Table:
    """All committed rows of a campaign table, sorted by task id (and threat id)."""
    from iadsim.analysis.campaign.query import run_query

    order = "task_id, threat_id" if table == "threats" else "task_id"
    return run_query(root, f"SELECT * FROM {table} ORDER BY {order}")


def fake_simulate_interrupted(task: CampaignTask) -> RunSummary:
    """Like :func:`fake_simulate`, but Ctrl-C arrives during task ``interrupt_at``."""
    if task.task_id == int(task.scenario_data.get("interrupt_at", -1)):
        raise KeyboardInterrupt
    return fake_simulate(task)


def fake_simulate_any(task: CampaignTask, *, sleep_s: float = 0.02) -> RunSummary:
    """A fake run of *any* scenario dict (e.g. the real preset): threat count from
    ``threats[*].count``, each leaking with probability 0.3, ``sleep_s`` of sleep."""
    rng = np.random.default_rng(task.seed)
    time.sleep(sleep_s)
    n = sum(int(t.get("count", 1)) for t in task.scenario_data["threats"])
    leaks = rng.random(n) < 0.3
    threats = [
        _threat(i, f"t{i}", "x", "leaked" if leak else "killed", engagements=1)
        for i, leak in enumerate(leaks.tolist())
    ]
    return fake_summary(threats, fired={"x": n}, seed=task.seed)


#: tasks from this id on are slow in :func:`fake_simulate_any_held`
HELD_FROM_TASK = 60
#: how long each of them takes, s
HELD_S = 2.0


def fake_simulate_any_held(task: CampaignTask) -> RunSummary:
    """:func:`fake_simulate_any`, except that tasks ``HELD_FROM_TASK`` and later take
    ``HELD_S`` each. The first results part (50 runs) is written within a second or
    so, and a campaign of 150 runs on 2 workers then needs at least 90 s more: an
    interrupt test's Ctrl-C arrives mid-campaign however the machine schedules it,
    and ends it within one held task (Ctrl-C lets the running tasks finish)."""
    if task.task_id >= HELD_FROM_TASK:
        time.sleep(HELD_S)
    return fake_simulate_any(task)


def fake_simulate_dies(task: CampaignTask) -> RunSummary:
    """Like :func:`fake_simulate`, but the worker process dies during task ``die_at``."""
    if task.task_id == int(task.scenario_data.get("die_at", -1)):
        import os

        os._exit(3)
    return fake_simulate(task)
