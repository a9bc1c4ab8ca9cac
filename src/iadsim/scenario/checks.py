"""Cross-reference checks that a single field cannot express.

Errors raise :class:`ScenarioError` naming the file and field path; non-fatal
problems are returned as one-line warnings.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.errors import ScenarioError, located
from iadsim.scenario.schema import Catalog, GeoPoint, Scenario

#: Routes are flown in a local azimuthal-equidistant plane; beyond this the
#: projection's scale error (rho/R)^2/6 exceeds 1% and the model is not meant for it.
MAX_DISTANCE_FROM_ORIGIN_M = 2_500_000.0


def _unknown(file: str, path: str, kind: str, name: str, known: Iterable[str]) -> ScenarioError:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known[:12])})"
    return ScenarioError(located(file, path, f"unknown {kind} '{name}'{hint}"))


def _duplicates(file: str, items: list[tuple[str, str]], what: str) -> None:
    seen: dict[str, str] = {}
    for path, name in items:
        if name in seen:
            raise ScenarioError(
                located(file, path, f"duplicate {what} name '{name}' (first at {seen[name]})")
            )
        seen[name] = path


def great_circle_m(a: GeoPoint, b: GeoPoint) -> float:
    """Haversine distance on the mean sphere (m); used only for sanity checks."""
    la1, la2 = math.radians(a.lat_deg), math.radians(b.lat_deg)
    dla, dlo = la2 - la1, math.radians(b.lon_deg - a.lon_deg)
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def origin_of(scenario: Scenario) -> GeoPoint:
    """The ENU origin: explicit ``origin`` or the first site, else the first radar."""
    if scenario.origin is not None:
        return scenario.origin
    if scenario.sites:
        s = scenario.sites[0]
        return GeoPoint(lat_deg=s.lat_deg, lon_deg=s.lon_deg, alt_m=s.alt_m)
    radars = [r for b in scenario.batteries for r in b.radars] + list(scenario.radars)
    if radars:
        r = radars[0]
        return GeoPoint(lat_deg=r.lat_deg, lon_deg=r.lon_deg, alt_m=r.alt_m)
    raise ScenarioError(located(None, "origin", "required when there are no sites or radars"))


def _check_threats(scenario: Scenario, catalog: Catalog, file: str, warnings: list[str]) -> None:
    site_names = [s.name for s in scenario.sites]
    origin = origin_of(scenario)
    for i, th in enumerate(scenario.threats):
        base = f"threats[{i}]"
        if th.type not in catalog.platforms:
            raise _unknown(file, f"{base}.type", "platform type", th.type, catalog.platforms)
        platform = catalog.platforms[th.type]
        if th.target_site is not None and th.target_site not in site_names:
            raise _unknown(file, f"{base}.target_site", "site", th.target_site, site_names)
        for j, wp in enumerate(th.waypoints):
            if wp.speed_mps is not None and wp.speed_mps > platform.max_speed_mps * 1.0001:
                raise ScenarioError(
                    located(
                        file,
                        f"{base}.{th.waypoint_field(j)}.speed_mps",
                        f"exceeds the max_speed_mps of {th.type} ({platform.max_speed_mps:g}) "
                        f"(got {wp.speed_mps:g})",
                    )
                )
            if great_circle_m(origin, wp) > MAX_DISTANCE_FROM_ORIGIN_M:
                raise ScenarioError(
                    located(
                        file,
                        f"{base}.{th.waypoint_field(j)}",
                        f"more than {MAX_DISTANCE_FROM_ORIGIN_M / 1e3:.0f} km from the origin",
                    )
                )
        _check_altitude_units(th, platform.kind, base, file, warnings)
        _check_formation_width(th, base, file, warnings)
        if scenario.terrain.kind == "none":
            _check_flat_ground(scenario, th, base, file, warnings)
        if th.launch_time_s >= scenario.simulation.duration_s:
            warnings.append(
                located(
                    file,
                    f"{base}.launch_time_s",
                    "after the end of the simulation; this threat never flies",
                )
            )


#: A group flies line abreast, ``formation_spacing_m`` apart: wider than this is not a
#: formation (a mass raid's ``count`` with the 1 km default spacing, 199 km for 200).
FORMATION_WARN_WIDTH_M = 50_000.0


def _check_formation_width(th: Any, base: str, file: str, warnings: list[str]) -> None:
    width_m = (th.count - 1) * th.formation_spacing_m
    if th.motion.kind == "route" and width_m > FORMATION_WARN_WIDTH_M:
        warnings.append(located(
            file, f"{base}.formation_spacing_m",
            f"{th.count} threats {th.formation_spacing_m:g} m apart fly line abreast "
            f"{width_m / 1e3:,.0f} km wide; a smaller spacing keeps them together "
            f"(launch_interval_s streams them along the route)",
        ))  # fmt: skip


#: Above this altitude an air-breathing threat is implausible: likely feet typed into alt_m.
AIR_BREATHING_CEILING_M = 25_000.0
FT_TO_M = 0.3048


def _check_altitude_units(th: Any, kind: str, base: str, file: str, warnings: list[str]) -> None:
    """Warn (once per threat) when a route altitude looks like feet for an air-breathing type."""
    if kind == "ballistic":
        return
    for j, wp in enumerate(th.waypoints):
        if wp.alt_m > AIR_BREATHING_CEILING_M:
            warnings.append(
                located(
                    file,
                    f"{base}.{th.waypoint_field(j)}.alt_m",
                    f"{wp.alt_m:g} m is above {AIR_BREATHING_CEILING_M:,.0f} m, implausible for "
                    f"a {kind} ({th.type}); feet? {wp.alt_m:g} ft = {wp.alt_m * FT_TO_M:,.0f} m",
                )
            )
            return


def _check_flat_ground(
    scenario: Scenario, th: Any, base: str, file: str, warnings: list[str]
) -> None:
    """Without a terrain model each radar sees over smooth ground at its own site
    altitude, and there is no ground for ``agl`` altitudes: refuse ``agl``, and warn
    when a route altitude is below every radar's ground (no radar could see it)."""
    if th.altitude_reference == "agl":
        raise ScenarioError(located(
            file, f"{base}.altitude_reference",
            "agl needs a terrain model (terrain.kind is 'none'): give alt_m above mean sea "
            "level, or set terrain.kind",
        ))  # fmt: skip
    grounds = [r.alt_m for b in scenario.batteries for r in b.radars]
    grounds += [r.alt_m for r in scenario.radars]
    if not grounds:
        return
    for j, wp in enumerate(th.waypoints):
        if wp.alt_m < min(grounds):
            warnings.append(located(
                file, f"{base}.{th.waypoint_field(j)}.alt_m",
                f"{wp.alt_m:g} m above mean sea level is below the ground of every radar "
                f"(lowest site {min(grounds):g} m; terrain.kind 'none': smooth ground at each "
                "radar's site altitude), so no radar can see it there",
            ))  # fmt: skip
            return


def _check_radars(placed: list[tuple[str, Any]], catalog: Catalog, file: str) -> None:
    for path, radar in placed:
        if radar.type not in catalog.radars:
            raise _unknown(file, f"{path}.type", "radar type", radar.type, catalog.radars)


def _check_batteries(scenario: Scenario, catalog: Catalog, file: str, warnings: list[str]) -> None:
    for i, bty in enumerate(scenario.batteries):
        base = f"batteries[{i}]"
        names = [r.name for r in bty.radars]
        if bty.engagement_radar is not None and bty.engagement_radar not in names:
            raise _unknown(file, f"{base}.engagement_radar", "radar", bty.engagement_radar, names)
        for j, lch in enumerate(bty.launchers):
            lpath = f"{base}.launchers[{j}]"
            if lch.type not in catalog.launchers:
                raise _unknown(file, f"{lpath}.type", "launcher type", lch.type, catalog.launchers)
            for name in lch.loadout:
                if name not in catalog.interceptors:
                    raise _unknown(
                        file,
                        f"{lpath}.loadout.{name}",
                        "interceptor type",
                        name,
                        catalog.interceptors,
                    )
            slots = catalog.launchers[lch.type].canisters
            need = sum(
                -(-n // catalog.interceptors[name].rounds_per_canister)
                for name, n in lch.loadout.items()
            )
            if need > slots:
                raise ScenarioError(
                    located(
                        file,
                        f"{lpath}.loadout",
                        f"needs {need} canisters, {lch.type} has {slots}",
                    )
                )
        _check_engagement_radar(bty, base, catalog, file, warnings)
        if not bty.launchers:
            warnings.append(located(file, f"{base}.launchers", "none: this battery only watches"))


def engagement_radar_of(bty: Any, catalog: Catalog) -> str | None:
    """The battery's fire-control radar: ``engagement_radar``, else its only radar whose
    type has a ``fire_control`` block (None when there is none or several)."""
    if bty.engagement_radar is not None:
        return str(bty.engagement_radar)
    fc = [r.name for r in bty.radars if catalog.radars[r.type].fire_control is not None]
    return fc[0] if len(fc) == 1 else None


def _check_engagement_radar(
    bty: Any, base: str, catalog: Catalog, file: str, warnings: list[str]
) -> None:
    """A battery with launchers needs a fire-control radar to engage anything, one
    that can hold a fire-control track (two updates within its hold time)."""
    if not bty.launchers:
        return
    name = engagement_radar_of(bty, catalog)
    if name is None:
        raise ScenarioError(
            located(
                file,
                f"{base}.engagement_radar",
                "not set and the battery has no single radar with a fire_control block: "
                "name the radar that guides its interceptors",
            )
        )
    radar = next(r for r in bty.radars if r.name == name)
    rt = catalog.radars[radar.type]
    if rt.fire_control is None:
        raise ScenarioError(
            located(
                file,
                f"{base}.engagement_radar",
                f"radar '{name}' ({radar.type}) has no fire_control block: it cannot guide "
                "interceptors",
            )
        )
    hold = rt.fire_control.track_hold_s
    if hold is not None and hold < rt.scan_period_s:
        warnings.append(located(
            file, f"{base}.engagement_radar",
            f"fire_control.track_hold_s of '{name}' ({radar.type}) is {hold:g} s, shorter "
            f"than its scan_period_s ({rt.scan_period_s:g} s): a fire-control track (two "
            "updates within the hold time) will seldom or never stand, and the battery may "
            "never fire",
        ))  # fmt: skip


def _check_sector_headings(placed: list[tuple[str, Any]], catalog: Catalog, file: str) -> None:
    """Sector radars need a declared heading (the defender does not know the attack axis)."""
    for path, radar in placed:
        rt = catalog.radars[radar.type]
        if rt.az_width_deg < 360.0 and radar.heading_deg is None:
            raise ScenarioError(
                located(
                    file,
                    f"{path}.heading_deg",
                    f"required for sector radar '{radar.name}' ({radar.type}, "
                    f"{rt.az_width_deg:g} deg sector): give its boresight azimuth",
                )
            )


def _check_coverage_of_sites(
    scenario: Scenario, catalog: Catalog, file: str, warnings: list[str]
) -> None:
    """Warn about defended sites no interceptor can reach and idle engagement radars."""
    reach = [
        (lch, max(catalog.interceptors[n].max_range_km for n in lch.loadout) * 1e3)
        for bty in scenario.batteries
        for lch in bty.launchers
    ]
    if reach:
        for i, site in enumerate(scenario.sites):
            if all(great_circle_m(site, lch) > r for lch, r in reach):
                warnings.append(
                    located(
                        file,
                        f"sites[{i}]",
                        f"'{site.name}' lies outside every "
                        "interceptor envelope: no battery can defend it",
                    )
                )
    for i, bty in enumerate(scenario.batteries):
        for j, radar in enumerate(bty.radars):
            sector = catalog.radars[radar.type].fire_control is not None
            if sector and bty.launchers and radar.name != engagement_radar_of(bty, catalog):
                warnings.append(
                    located(
                        file,
                        f"batteries[{i}].radars[{j}]",
                        f"fire-control radar "
                        f"'{radar.name}' is not the battery's engagement_radar; it only "
                        "searches and tracks",
                    )
                )


def check_references(scenario: Scenario, catalog: Catalog, file: str) -> list[str]:
    """Check names and references across the scenario; return warnings."""
    warnings: list[str] = []
    _duplicates(file, [(f"sites[{i}].name", s.name) for i, s in enumerate(scenario.sites)], "site")
    _duplicates(
        file,
        [(f"batteries[{i}].name", b.name) for i, b in enumerate(scenario.batteries)],
        "battery",
    )
    _duplicates(
        file, [(f"threats[{i}].name", t.name) for i, t in enumerate(scenario.threats)], "threat"
    )
    members = [  # the names the groups' members fly under (name-1, name-2, ... of a count)
        (f"threats[{i}].name", t.name if t.count == 1 else f"{t.name}-{k + 1}")
        for i, t in enumerate(scenario.threats)
        if t.motion.kind != "replay"  # (a recording's members are named from it)
        for k in range(t.count)
    ]
    _duplicates(file, members, "threat member")
    placed = [
        (f"batteries[{i}].radars[{j}]", r)
        for i, b in enumerate(scenario.batteries)
        for j, r in enumerate(b.radars)
    ] + [(f"radars[{j}]", r) for j, r in enumerate(scenario.radars)]
    _duplicates(file, [(f"{p}.name", r.name) for p, r in placed], "radar")
    launchers = [  # the names compile gives them (name-1, name-2, ... of a count)
        (f"batteries[{i}].launchers[{j}].name", f"{base}-{k + 1}" if lch.count > 1 else base)
        for i, b in enumerate(scenario.batteries)
        for j, lch in enumerate(b.launchers)
        for base in [lch.name or f"{b.name}-l{j + 1}"]
        for k in range(lch.count)
    ]
    _duplicates(file, launchers, "launcher")
    origin_of(scenario)
    dem = scenario.terrain.path
    if scenario.terrain.kind == "geotiff" and dem and not Path(dem).is_file():
        what = "not a file" if Path(dem).exists() else "no such file"
        raise ScenarioError(located(file, "terrain.path", f"{dem}: {what}"))
    _check_radars(placed, catalog, file)
    _check_sector_headings(placed, catalog, file)
    _check_batteries(scenario, catalog, file, warnings)
    _check_threats(scenario, catalog, file, warnings)
    _check_coverage_of_sites(scenario, catalog, file, warnings)
    for name, platform in catalog.platforms.items():
        if catalog.rcs_tables and platform.rcs.table not in catalog.rcs_tables:
            raise _unknown(
                file,
                f"catalog.platforms.{name}.rcs.table",
                "RCS table",
                platform.rcs.table,
                catalog.rcs_tables,
            )
    if not placed:
        warnings.append(located(file, "batteries", "no radars: nothing can be detected"))
    return warnings
