"""Tacview ACMI 2.2 export, parsed back: objects, times, positions, destroyed events."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from iadsim.analysis.report.acmi import THREAT_ID, acmi_text, escape
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
