"""Tacview ACMI 2.2 export, parsed back: objects, times, positions, destroyed events."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.report.acmi import SALVO_ID, THREAT_ID, acmi_text, escape
from iadsim.analysis.report.rundata import load_run


def parse_acmi(text: str) -> dict:
    """A small independent ACMI 2.2 reader: header, global props, objects over time, events."""
    lines = text.splitlines()
    assert lines[0] == "FileType=text/acmi/tacview" and lines[1] == "FileVersion=2.2"
    t, glob, objects, events, removed, frames = 0.0, {}, {}, [], {}, []
    for line in lines[2:]:
        if line.startswith("#"):
            t = float(line[1:])
            frames.append(t)
            continue
        if line.startswith("-"):
            removed[int(line[1:], 16)] = t
            continue
        oid, _, rest = line.partition(",")
        props = dict(p.split("=", 1) for p in re.split(r"(?<!\\),", rest))
        if oid == "0":
            if "Event" in props:
                events.append((t, props["Event"]))
            glob.update(props)
            continue
        obj = objects.setdefault(int(oid, 16), {"samples": []})
        obj.update({k: v for k, v in props.items() if k != "T"})
        lon, lat, alt = (float(x) for x in props["T"].split("|")[:3])
        obj["samples"].append(
            (
                t,
                lon + float(glob["ReferenceLongitude"]),
                lat + float(glob["ReferenceLatitude"]),
                alt,
            )
        )
    return {
        "globals": glob,
        "objects": objects,
        "events": events,
        "removed": removed,
        "frames": frames,
    }


def test_acmi_round_trip(default_run: Path) -> None:
    run = load_run(default_run)
    acmi = parse_acmi(acmi_text(run, step_s=2.0))
    assert acmi["frames"] == sorted(acmi["frames"])
    objs = acmi["objects"]
    kinds = [o["Type"] for o in objs.values()]
    n_ground = len(run.world.site_names) + len(run.world.radars) + len(run.world.launchers)
    assert sum(k.startswith("Ground") for k in kinds) == n_ground
    assert sum(o.get("Coalition") == "Enemies" for o in objs.values()) == len(
        run.world.threats.name
    )
    salvos = [
        o for o in objs.values() if o["Type"] == "Weapon+Missile" and o["Coalition"] == "Allies"
    ]
    assert len(salvos) == len(run.engagements["order_id"])
    # threat positions against truth.parquet's own lat/lon/alt columns (independent geodesy)
    truth = pq.read_table(default_run / "truth.parquet").to_pylist()
    by_key = {(r["threat_id"], r["t_s"]): r for r in truth}
    for i in range(len(run.world.threats.name)):
        for t, lon, lat, alt in objs[THREAT_ID + i]["samples"][::25]:
            r = by_key[(i, t)]
            assert abs(lon - r["lon_deg"]) < 1e-5 and abs(lat - r["lat_deg"]) < 1e-5
            assert abs(alt - r["alt_m"]) < 60.0  # ellipsoidal vs MSL height (geoid)
    kills = [e for e in acmi["events"] if e[1].startswith("Destroyed|")]
    assert len(kills) == int(np.sum(run.events.kind == "kill"))
    for t, ev in kills:  # a destroyed threat is removed at the same time and not seen later
        oid = int(ev.split("|")[1], 16)
        assert acmi["removed"][oid] == t
        assert max(s[0] for s in objs[oid]["samples"]) <= t


def test_escape_protects_separators() -> None:
    assert escape("a,b\\c\nd") == "a\\,b\\\\c d"


def test_no_object_flies_on_after_its_removal(tmp_path: Path) -> None:
    """Patriot seed 95004: an aircraft that leaks and flies its egress route was removed
    (LeftArea) at its leak and then written on for 500 s as an object with no name or
    type. Every removed object now has no sample after its removal; a leaker with an
    egress gets a message at its leak and leaves at its egress end (or is destroyed)."""
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    run_scenario(load_scenario("patriot-vs-mixed-raid"), seed=95004, out_dir=tmp_path / "run")
    run = load_run(tmp_path / "run")
    acmi = parse_acmi(acmi_text(run, step_s=2.0))
    objs = acmi["objects"]
    assert acmi["removed"]
    for oid, t_gone in acmi["removed"].items():
        assert max(s[0] for s in objs[oid]["samples"]) <= t_gone + 1e-6, oid
    egress = np.isfinite(run.world.threats.egress_s)
    leaks = np.flatnonzero((run.events.kind == "leak") & (run.events.threat_id >= 0))
    flying_on = [int(run.events.threat_id[k]) for k in leaks if egress[run.events.threat_id[k]]]
    assert flying_on  # the case of the defect is in this run
    messages = {int(e.split("|")[1], 16) for _, e in acmi["events"] if e.startswith("Message|")}
    assert {THREAT_ID + i for i in flying_on} <= messages
    for i in flying_on:  # named once, with samples after its leak
        obj = objs[THREAT_ID + i]
        t_leak = float(run.events.t_s[leaks][run.events.threat_id[leaks] == i][0])
        assert obj["Name"] and max(s[0] for s in obj["samples"]) > t_leak


def test_salvos_in_flight_at_the_end_are_drawn_where_their_rounds_are(tmp_path: Path) -> None:
    """s400 preset cut at 760 s: four salvos launched at ~700 s are in flight when the
    run ends. They were drawn nowhere (no fly-out on the map, no object in the ACMI
    file). Each now flies from its launcher toward its predicted intercept point as far
    as its type's fly-out model goes by the run's end (checked with the model here)."""
    from iadsim.analysis.report.replay import _end_points, in_flight_at_end
    from iadsim.analysis.report.replay_frames import _interceptors_now
    from iadsim.engagement.interceptors import flyout_range_m
    from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
    from iadsim.scenario.schema_engagement import compile_interceptor
    from iadsim.sim.runner import run_scenario

    data, file = read_scenario_yaml("s400-vs-mixed-raid")
    data["simulation"]["duration_s"] = 760
    run_scenario(load_scenario_data(data, file=file), seed=95001, out_dir=tmp_path / "run")
    run = load_run(tmp_path / "run")
    g = run.engagements
    flying, at = in_flight_at_end(run)
    assert flying.sum() >= 2
    cat = run.scenario.resolved_catalog.interceptors
    for i in np.flatnonzero(flying):
        p = compile_interceptor(cat[str(g["interceptor_type"][i])], "x")
        start = np.array([g[f"launcher_{a}_m"][i] for a in "enu"], dtype=float)
        pip = np.array([g[f"pip_{a}_m"][i] for a in "enu"], dtype=float)
        flown = flyout_range_m(760.0 - float(g["t_launch_s"][i]), p.boost_s, p.max_speed_mps,
                               p.decel_mps2, p.min_speed_mps)  # fmt: skip
        assert np.linalg.norm(at[i] - start) == pytest.approx(
            min(flown, np.linalg.norm(pip - start))
        )
        direction = np.cross(at[i] - start, pip - start)
        assert np.linalg.norm(direction) <= 1e-6 * np.linalg.norm(pip - start) ** 2  # on the line
    acmi = parse_acmi(acmi_text(run, step_s=2.0))
    for i in np.flatnonzero(flying):
        obj = acmi["objects"][SALVO_ID + int(g["order_id"][i])]
        assert max(s[0] for s in obj["samples"]) == pytest.approx(760.0)
    layer = _interceptors_now(run, 760.0, _end_points(run))
    assert len(layer["x"]) >= int(flying.sum())  # the map's "interceptors in flight"


def test_reference_time_is_the_scenario_epoch(default_run: Path, tmp_path: Path) -> None:
    """ReferenceTime was 2000-01-01T00:00:00Z whatever the scenario; it is now the
    scenario's ``simulation.epoch_utc`` (read back from the run's resolved scenario), in
    UTC, and the documented default only when the scenario gives none."""
    import datetime as dt

    from iadsim.analysis.report.acmi import DEFAULT_REFERENCE_TIME
    from iadsim.errors import ScenarioError
    from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
    from iadsim.sim.runner import run_scenario

    run = load_run(default_run)
    assert run.scenario.simulation.epoch_utc is None
    glob = parse_acmi(acmi_text(run))["globals"]
    assert glob["ReferenceTime"] == DEFAULT_REFERENCE_TIME == "2000-01-01T00:00:00Z"
    data, file = read_scenario_yaml("s400-vs-mixed-raid")
    data["simulation"]["duration_s"] = 60
    for epoch, want in (
        ("2026-03-14T09:26:53+01:00", "2026-03-14T08:26:53Z"),
        (dt.datetime(2021, 10, 7, 14, 0, 2, 500000, tzinfo=dt.UTC), "2021-10-07T14:00:02.500Z"),
    ):
        data["simulation"]["epoch_utc"] = epoch
        out = tmp_path / want.replace(":", "")
        run_scenario(load_scenario_data(data, file=file), seed=98004, out_dir=out)
        glob = parse_acmi(acmi_text(load_run(out)))["globals"]
        assert glob["ReferenceTime"] == want
    data["simulation"]["epoch_utc"] = "2026-03-14T09:26:53"  # no zone: which day is it?
    with pytest.raises(ScenarioError, match=r"simulation\.epoch_utc"):
        load_scenario_data(data, file=file)
