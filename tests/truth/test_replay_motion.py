"""Replayed flights as truth: interpolation, ENU frame (vs pymap3d), scenario schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pymap3d
import pytest
from replay_helpers import LAT0, LON0, UNITS, concat, straight_flight, write_csv

from iadsim.errors import InputDataError, ScenarioError
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data
from iadsim.truth.replay import ReplayMotion

ORIGIN = {"lat_deg": LAT0, "lon_deg": LON0, "alt_m": 100.0}


def test_interpolation_matches_hand_computed_values() -> None:
    m = ReplayMotion(
        tau_s=np.array([0.0, 10.0, 30.0]),
        plane_m=np.array([[0.0, 0.0], [1000.0, 0.0], [1000.0, 2000.0]]),
        alt_m=np.array([1000.0, 1100.0, 1500.0]),
    )
    pos, vel, alt, vu = m.plane_states(np.array([4.0, 10.0, 20.0, 45.0]))
    # t=4: 40 % of leg 1; t=20: half of leg 2; t=45: clamped to the last report
    np.testing.assert_allclose(pos, [[400, 0], [1000, 0], [1000, 1000], [1000, 2000]])
    np.testing.assert_allclose(vel, [[100, 0], [0, 100], [0, 100], [0, 100]])
    np.testing.assert_allclose(alt, [1040, 1100, 1300, 1500])
    np.testing.assert_allclose(vu, [10, 20, 20, 20])
    assert m.end_s == 30.0


def _scenario(file: Path, **motion: Any) -> dict[str, Any]:
    return {
        "name": "replay-test",
        "origin": ORIGIN,
        "simulation": {"duration_s": 100, "truth_step_s": 1.0},
        "terrain": {"kind": "none"},
        "radars": [{"name": "r", "type": "asr9-class-surveillance", **ORIGIN}],
        "threats": [
            {
                "name": "traffic",
                "type": "airliner-class",
                "launch_time_s": 5.0,
                "motion": {"kind": "replay", "file": str(file), "units": UNITS, **motion},
            }
        ],
    }


def test_truth_at_report_times_is_the_recording_in_enu(tmp_path: Path) -> None:
    a = straight_flight(20)
    b = straight_flight(15, icao="def456", callsign="TST2", t0_s=a["timestamp"][0] + 7.0, lat0=48.9)
    path = write_csv(tmp_path / "r.csv", concat(a, b))
    scenario = _scenario(path, fuse_velocity=False)  # the reported positions themselves
    world = compile_world(load_scenario_data(scenario, file="s.yaml"))
    assert world.threats.name == ("traffic-TST1", "traffic-TST2")
    np.testing.assert_allclose(world.truth.launch_s, [5.0, 12.0])  # launch + own start
    np.testing.assert_allclose(world.truth.end_s, [5.0 + 19.0, 12.0 + 14.0])
    h0 = 100.0
    for k, rec in enumerate((a, b)):
        t = world.truth.launch_s[k] + np.arange(len(rec["timestamp"]), dtype=float)
        e, n, u = world.truth.positions(t, np.array([k]))
        alt_m = np.array(rec["altitude"]) * 0.3048
        ee, nn, uu = pymap3d.geodetic2enu(
            np.array(rec["latitude"]), np.array(rec["longitude"]), alt_m, LAT0, LON0, h0
        )
        np.testing.assert_allclose(e[0], ee, atol=1e-3)  # mm: the route-plane round trip
        np.testing.assert_allclose(n[0], nn, atol=1e-3)
        np.testing.assert_allclose(u[0], uu, atol=1e-3)
    states = world.truth.states(np.array([4.0, 5.0, 24.0, 24.5]))
    alive = states.alive.reshape(4, 2)[:, 0]
    np.testing.assert_array_equal(alive, [False, True, True, False])


def test_flights_selects_by_callsign_and_restarts_the_clock(tmp_path: Path) -> None:
    a = straight_flight(20)
    b = straight_flight(15, icao="def456", callsign="TST2", t0_s=a["timestamp"][0] + 7.0)
    path = write_csv(tmp_path / "r.csv", concat(a, b))
    world = compile_world(load_scenario_data(_scenario(path, flights=["TST2"]), file="s.yaml"))
    assert world.threats.name == ("traffic-TST2",)
    np.testing.assert_allclose(world.truth.launch_s, [5.0])
    with pytest.raises(ScenarioError, match=r"s.yaml: threats\[0\].motion: motion.flights: none"):
        compile_world(load_scenario_data(_scenario(path, flights=["NOPE"]), file="s.yaml"))


def test_bad_recording_names_scenario_field_and_file(tmp_path: Path) -> None:
    cols = {k: v for k, v in straight_flight(5).items() if k != "latitude"}
    path = write_csv(tmp_path / "r.csv", cols)
    with pytest.raises(InputDataError) as err:
        compile_world(load_scenario_data(_scenario(path), file="s.yaml"))
    assert str(err.value).startswith(
        f"s.yaml: threats[0].motion: {path}: column 'latitude': missing"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"motion": {"kind": "route"}}, "route: required"),
        ({"route": [{"lat_deg": 49, "lon_deg": 2}, {"lat_deg": 49.1, "lon_deg": 2,
                                                      "speed_mps": 200}]},
         "route: not used with motion kind 'replay'"),
        ({"count": 3}, "count: not used with motion kind 'replay'"),
    ],
)  # fmt: skip
def test_route_or_replay_motion(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    data = _scenario(tmp_path / "unused.csv")
    data["threats"][0].update(change)
    with pytest.raises(ScenarioError) as err:
        load_scenario_data(data, file="s.yaml")
    assert "s.yaml: threats[0]" in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_bundled_recording_replays_forty_flights() -> None:
    data = _scenario(Path("unused"))
    data["threats"][0]["motion"] = {"kind": "replay", "file": "iadsim:paris-cdg-20min.parquet"}
    world = compile_world(load_scenario_data(data, file="s.yaml"))
    assert world.truth.n_threats == 40
    assert any("2084 frozen" in w for w in world.warnings)  # cleaning counts reach the user
    assert float(world.truth.end_s.max()) == pytest.approx(5.0 + 1199.0, abs=1.0)


@pytest.mark.parametrize("preset", ["real-traffic", "real-traffic-zurich"])
def test_replay_presets_start_at_their_recordings_first_report(preset: str) -> None:
    """The presets' ``simulation.epoch_utc`` (the ACMI file's ReferenceTime) is the
    calendar time of scenario time 0: the recording's first kept report."""
    from iadsim.scenario.load import load_scenario
    from iadsim.scenario.schema_truth import load_flights

    sc = load_scenario(preset)
    (threat,) = sc.threats
    first_s = float(load_flights(threat.motion).t_s.min()) - threat.launch_time_s  # type: ignore[arg-type]
    assert sc.simulation.epoch_utc is not None
    assert sc.simulation.epoch_utc.timestamp() == first_s
