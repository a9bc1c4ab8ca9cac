"""The resolved scenario: the scenario as validated, defaults filled (the tracker's
too), with every catalog type it uses expanded inline (written to
``scenario.resolved.yaml`` in each run directory). It loads back as a scenario
that runs identically."""

from __future__ import annotations

from typing import Any

from iadsim.scenario.schema import Scenario
from iadsim.scenario.schema_tracking import TrackerConfig


def resolved_scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """A plain dict of the scenario with defaults filled and used catalog types expanded."""
    data = scenario.model_dump(mode="json", exclude={"catalog"})
    tracker = scenario.tracker if scenario.tracker is not None else TrackerConfig()
    data["tracker"] = tracker.model_dump(mode="json")
    catalog = scenario.resolved_catalog
    platforms = sorted({t.type for t in scenario.threats})
    radars = sorted(
        {r.type for b in scenario.batteries for r in b.radars} | {r.type for r in scenario.radars}
    )
    launchers = sorted({lch.type for b in scenario.batteries for lch in b.launchers})
    interceptors = sorted(
        {name for b in scenario.batteries for lch in b.launchers for name in lch.loadout}
    )
    tables = sorted({catalog.platforms[p].rcs.table for p in platforms})

    def dump(section: dict[str, Any], names: list[str]) -> dict[str, Any]:
        out = {}
        for n in names:
            if n in section:
                entry = section[n]
                out[n] = entry.model_dump(mode="json") if hasattr(entry, "model_dump") else entry
        return out

    data["catalog"] = {
        "platforms": dump(catalog.platforms, platforms),
        "radars": dump(catalog.radars, radars),
        "rcs_tables": dump(catalog.rcs_tables, tables),
        "interceptors": dump(catalog.interceptors, interceptors),
        "launchers": dump(catalog.launchers, launchers),
    }
    return data
