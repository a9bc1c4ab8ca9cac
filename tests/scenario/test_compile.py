"""Scenario compilation (iadsim.scenario.compile): degrees -> radians, geodetic -> ENU,
threat groups, formations, launchers; checked against independent geo/pymap3d calls."""

from __future__ import annotations

import copy
import math

import numpy as np
import pymap3d
import pytest

from iadsim.scenario.compile import World, compile_world
from iadsim.scenario.load import load_scenario, load_scenario_data, read_scenario_yaml
from iadsim.sensors.terrain import load_pvlib_dem

PRESET = "s400-vs-mixed-raid"


@pytest.fixture(scope="module")
def world() -> World:
    return compile_world(load_scenario(PRESET))


def test_origin_and_sites(world: World) -> None:
    assert world.origin_rad_m == pytest.approx((math.radians(39.95), math.radians(32.69), 840.0))
    # site 'battery' at (39.97, 32.72, 840) seen from the origin, via pymap3d (degrees)
    e, n, u = pymap3d.geodetic2enu(39.97, 32.72, 840.0, 39.95, 32.69, 840.0)
    assert world.site_pos_enu_m[1] == pytest.approx([e, n, u], abs=1e-3)
    assert world.site_pos_enu_m[0] == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    assert world.site_names == ("airbase", "battery")
    assert world.site_radius_m.tolist() == [3000.0, 1500.0]


def test_radars_include_mast_height(world: World) -> None:
    low = next(r for r in world.radars if r.name == "low")
    e, n, u = pymap3d.geodetic2enu(39.80, 32.92, 1330.0 + 25.0, 39.95, 32.69, 840.0)
    assert low.pos_enu_m == pytest.approx([e, n, u], abs=1e-3)
    assert low.ground_alt_m == 1330.0 and low.mast_m == 25.0
    assert [r.radar_id for r in world.radars] == list(range(len(world.radars)))
    (bty,) = world.batteries
    fcr = next(r for r in world.radars if r.name == "fcr")
    assert bty.engagement_radar_id == fcr.radar_id
    assert set(bty.radar_ids) == {r.radar_id for r in world.radars}


def test_launchers_expanded_by_count(world: World) -> None:
    names = [lch.name for lch in world.launchers]
    assert len(names) == 2 + 4 + 2
    assert names[:3] == ["tel-lr-1", "tel-lr-2", "tel-48n6-1"]
    assert world.launchers[6].loadout == {"s400-medium-range-class": 8, "s400-short-range-class": 8}
    assert world.batteries[0].launcher_ids == tuple(range(8))


def test_threat_groups_launch_times_and_names(world: World) -> None:
    t = world.truth
    assert t.n_threats == 12
    assert t.group.tolist() == [0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert t.launch_s.tolist() == [0, 0, 120, 120, 120, 120, 300, 320, 340, 360, 380, 400]
    assert world.threats.name[:3] == ("stealth-pair-1", "stealth-pair-2", "viper-flight-1")
    assert world.threats.kind[-1] == "cruise-missile"
    assert world.threats.target_site.tolist() == [0] * 12


def test_formation_is_line_abreast_across_the_first_leg(world: World) -> None:
    t = world.truth
    # stealth pair: 3,000 m apart, centred on the route, perpendicular to leg 1
    off = t.offset_m[:2]
    assert np.hypot(*(off[0] - off[1])) == pytest.approx(3000.0)
    assert off.sum(axis=0) == pytest.approx([0.0, 0.0], abs=1e-9)
    pos, _, _, _ = t.plane_states(np.array([0.0]))
    leg = t.routes[0].d[0]
    assert abs(float((off[0] - off[1]) @ leg)) < 1e-6
    # 4-ship: spacing 2,000 m; cruise missiles in trail (spacing 0)
    assert np.diff(t.offset_m[2:6] @ np.array([-t.routes[1].d[0][1], t.routes[1].d[0][0]])) == (
        pytest.approx([-2000.0] * 3)
    )
    assert np.all(t.offset_m[6:] == 0.0)
    assert pos.shape == (12, 1, 2)


def test_first_waypoint_maps_to_its_enu_position(world: World) -> None:
    # cruise missile 1 at launch (t = 300 s) is at waypoint 0 (37.70, 35.20), flying
    # terrain following 100 m above the DEM ground there
    ground = float(load_pvlib_dem().elevation_at(np.radians(37.70), np.radians(35.20)))
    s = world.truth.states(np.array([300.0]))
    e, n, u = pymap3d.geodetic2enu(37.70, 35.20, 100.0 + ground, 39.95, 32.69, 840.0)
    row = 6
    assert s.alt_m[row] == pytest.approx(100.0 + ground, abs=0.5)
    # the route plane is a sphere approximation: well within 0.5 % of ~320 km
    assert np.hypot(s.e_m[row] - e, s.n_m[row] - n) < 0.005 * np.hypot(e, n)
    assert s.u_m[row] == pytest.approx(u, abs=0.01 * abs(u))


def test_speed_carried_from_first_waypoint() -> None:
    data, _ = read_scenario_yaml(PRESET)
    data = copy.deepcopy(data)
    route = data["threats"][0]["route"]
    route[0]["speed_mps"] = 230
    del route[1]["speed_mps"]
    w = compile_world(load_scenario_data(data, file="x.yaml"))
    assert w.truth.routes[0].v[0] == pytest.approx(230.0)
    assert w.truth.routes[0].v[-1] == pytest.approx(290.0)


def test_sensors_built_in_threads_equal_serial_build() -> None:
    """Terrain masks computed in a thread pool (as runs do) equal the serial build,
    and the setup random stream is drawn in the same order."""
    from concurrent.futures import ThreadPoolExecutor

    from iadsim.scenario.stages import build_sensors

    sc = load_scenario("s400-vs-mixed-raid")
    world = compile_world(sc)
    serial = build_sensors(world, sc, np.random.default_rng(5))
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = build_sensors(world, sc, np.random.default_rng(5), map_fn=pool.map)
    assert len(serial.radars) == len(threaded.radars) == 3
    for a, b in zip(serial.radars, threaded.radars, strict=True):
        assert a.terrain is not None and b.terrain is not None
        np.testing.assert_array_equal(a.terrain.mask_el_rad, b.terrain.mask_el_rad)
        assert (a.antenna_alt_m, a.scan_phase_s) == (b.antenna_alt_m, b.scan_phase_s)


def _walk_values(value: object, path: str, seen: set[int]) -> list[tuple[str, object]]:
    """Every value reachable from ``value`` through dataclass fields, tuples and mappings."""
    import dataclasses
    from collections.abc import Mapping

    if id(value) in seen:
        return []
    seen.add(id(value))
    out = [(path, value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            out += _walk_values(getattr(value, f.name), f"{path}.{f.name}", seen)
    elif isinstance(value, tuple | list):
        for i, v in enumerate(value):
            out += _walk_values(v, f"{path}[{i}]", seen)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            out += _walk_values(v, f"{path}[{k!r}]", seen)
    return out


def test_world_holds_no_pydantic_objects_or_mutable_dicts(world: World) -> None:
    import pydantic

    values = _walk_values(world, "world", set())
    assert len(values) > 50  # the walk reached into radars, launchers, batteries
    for path, v in values:
        assert not isinstance(v, pydantic.BaseModel), path
        assert not isinstance(v, dict), path  # mappings are read-only views
    assert set(world.interceptors) == {n for la in world.launchers for n in la.loadout}
