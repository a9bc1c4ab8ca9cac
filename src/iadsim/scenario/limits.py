"""Resource guards: refuse a valid but absurd scenario before it runs.

A scenario can be valid field by field and still ask for more than any machine
has: ``c2_cycle_s: 1e-6`` over 30 minutes is 1.8e9 C2 cycles; a truth step of
1 ms with a few hundred threats is hundreds of millions of truth rows. The
figures here are *upper bounds* derived from the scenario alone (every threat
present for the whole run, seen on every dwell), compared with :class:`Limits`
before anything is allocated. A refusal is one line naming the field that
dominates and the limit; ``iadsim run --no-limits`` (``limits=None`` in the API)
skips the check.

Structural limits that keep *validation* itself fast (route length, number of
threat groups and batteries) are checked on the raw YAML mapping by
:func:`check_raw_sizes`, before pydantic sees it; they are not overridable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iadsim.errors import ScenarioError
from iadsim.scenario.schema import Scenario

#: Raw-structure limits (checked before validation, so validation stays fast).
MAX_ROUTE_POINTS = 10_000
MAX_LIST_ITEMS = {"threats": 10_000, "batteries": 1_000, "radars": 1_000, "sites": 10_000}

#: Grid step of the per-run truth lookup table (iadsim.truth.table.TruthTable), s.
_TABLE_STEP_S = 0.25
#: Table steps a run holds at once: 2 windows of 120 steps, both ends included
#: (``TruthTable`` defaults ``keep_windows=2``, ``window_steps=120``).
_TABLE_HELD_STEPS = 2 * 121
#: Track rows a run holds in memory; later ones wait in a temporary file
#: (``iadsim.sim.spill.TRACK_SPILL_ROWS``).
_TRACK_ROWS_HELD = 262_144
#: Bytes per row, generous: truth record (~16 float64 incl. geodetic), lookup-table
#: sample (7 float64), detection row (~20), track row (~30 incl. the covariance).
_TRUTH_ROW_B = 16 * 8
_TABLE_ROW_B = 7 * 8
_DETECTION_ROW_B = 20 * 8
_TRACK_ROW_B = 30 * 8


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Upper bounds a run may need; see the module docstring."""

    max_events: int = 5_000_000
    max_truth_rows: int = 10_000_000
    max_threats: int = 20_000
    max_memory_bytes: int = 4 * 1024**3


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """Upper-bound resource needs of one run of a scenario."""

    n_threats: int
    n_dwells: int
    n_c2_cycles: int
    n_truth_rows: int
    memory_bytes: int

    @property
    def n_events(self) -> int:
        """Engine events: dwells, C2 cycles and one launch/arrival per threat."""
        return self.n_dwells + self.n_c2_cycles + 2 * self.n_threats


def _placed_radars(scenario: Scenario) -> list[Any]:
    return [*scenario.radars, *(r for b in scenario.batteries for r in b.radars)]


def _steps(duration_s: float, step_s: float) -> int:
    """Steps of ``step_s`` in ``duration_s`` plus one, capped at 10^18 (a step of
    5e-324 s would make the quotient inf: still a count far over every limit)."""
    q = duration_s / step_s
    return int(q) + 1 if q < 1e18 else 10**18


def estimate(scenario: Scenario) -> Estimate:
    """Upper bounds of events, truth rows and memory for one run of ``scenario``.

    ``scenario`` must come from :mod:`iadsim.scenario.load` (its catalog is used
    for the radars' scan periods).
    """
    sim = scenario.simulation
    n = sum(t.count for t in scenario.threats)
    catalog = scenario.resolved_catalog
    dwells = 0
    for placed in _placed_radars(scenario):
        radar = catalog.radars.get(placed.type)
        period = radar.scan_period_s if radar is not None else 1.0
        dwells += _steps(sim.duration_s, period)
    cycles = _steps(sim.duration_s, sim.c2_cycle_s) if scenario.batteries else 0
    truth_rows = n * _steps(sim.duration_s, sim.truth_step_s)
    table_rows = n * min(_steps(sim.duration_s, _TABLE_STEP_S), _TABLE_HELD_STEPS)
    # every threat seen on every dwell with one track row each; the recorded truth and
    # detections stay in memory, the truth table only as the windows a run holds,
    # track rows up to the spill limit. No stage builds (tracks x tracks) or (tracks x
    # detections) matrices any more (k-d tree candidates everywhere, issue 13).
    memory = (
        truth_rows * _TRUTH_ROW_B
        + table_rows * _TABLE_ROW_B
        + dwells * n * _DETECTION_ROW_B
        + min(dwells * n, _TRACK_ROWS_HELD) * _TRACK_ROW_B
    )
    return Estimate(
        n_threats=n,
        n_dwells=dwells,
        n_c2_cycles=cycles,
        n_truth_rows=truth_rows,
        memory_bytes=memory,
    )


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 1024**3:.1f} GiB"


def check_limits(scenario: Scenario, limits: Limits | None = DEFAULT_LIMITS) -> Estimate:
    """Raise a one-line :class:`ScenarioError` if a run would exceed ``limits``.

    Returns the estimate. ``limits=None`` only estimates.
    """
    est = estimate(scenario)
    if limits is None:
        return est
    file = scenario.file
    hint = "(or override with --no-limits)"
    if est.n_threats > limits.max_threats:
        raise ScenarioError(
            f"{file}: threats[].count: {est.n_threats:,} threats in total "
            f"(limit {limits.max_threats:,}) {hint}"
        )
    if est.n_events > limits.max_events:
        field = (
            "simulation.c2_cycle_s"
            if est.n_c2_cycles >= est.n_dwells
            else "radars scan_period_s (catalog)"
        )
        raise ScenarioError(
            f"{file}: {field}: a run needs ~{est.n_events:,.0f} events over "
            f"simulation.duration_s (limit {limits.max_events:,}) {hint}"
        )
    if est.n_truth_rows > limits.max_truth_rows:
        raise ScenarioError(
            f"{file}: simulation.truth_step_s: {est.n_truth_rows:,} truth rows "
            f"({est.n_threats:,} threats x {est.n_truth_rows // max(est.n_threats, 1):,} "
            f"steps; limit {limits.max_truth_rows:,}) {hint}"
        )
    if est.memory_bytes > limits.max_memory_bytes:
        raise ScenarioError(
            f"{file}: simulation: a run may need up to {_gib(est.memory_bytes)} of memory "
            f"({est.n_threats:,} threats, {est.n_dwells:,} dwells; limit "
            f"{_gib(limits.max_memory_bytes)}) {hint}"
        )
    return est


def check_raw_sizes(data: Any, file: str) -> None:
    """Refuse oversized lists in a raw scenario mapping before validation.

    Raises
    ------
    ScenarioError
        ``file: threats[3].route: 100,000 waypoints (limit 10,000)``.
    """
    if not isinstance(data, dict):
        return
    for key, limit in MAX_LIST_ITEMS.items():
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise ScenarioError(f"{file}: {key}: {len(items):,} items (limit {limit:,})")
    threats = data.get("threats")
    if not isinstance(threats, list):
        return
    for i, threat in enumerate(threats):
        for key in ("route", "egress"):
            route = threat.get(key) if isinstance(threat, dict) else None
            if isinstance(route, list) and len(route) > MAX_ROUTE_POINTS:
                raise ScenarioError(
                    f"{file}: threats[{i}].{key}: {len(route):,} waypoints "
                    f"(limit {MAX_ROUTE_POINTS:,})"
                )
