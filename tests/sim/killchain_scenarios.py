"""Random small scenarios for the kill-chain invariant tests (seeded generators).

One battery (S-band surveillance radar, X-band engagement radar with a random heading,
optionally a VHF radar) defending an airbase on a flat plateau at 840 m (no terrain
model, fast; cruise missiles fly 60 m above it),
against 2-4 groups of random types from random bearings (half the aircraft groups fly
an egress leg home after the airbase). Every scenario is valid and
runs in well under a second. With ``batteries=b``, b - 1 copies of the battery stand
15-40 km from the airbase on random bearings (their own radars, launchers and C2 node;
one shared air picture), drawn from a separate stream so the one-battery scenario of a
seed is the same whatever ``b``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from iadsim.scenario.load import load_scenario_data
from iadsim.scenario.schema import Scenario

LAT0, LON0 = 39.95, 32.69
GROUND_M = 840.0  # the plateau's altitude (sites and radars); cruise missiles fly 60 m above
TYPES = ("f35-class", "f16-class", "cruise-missile-class", "su35-class")


def _offset(bearing_deg: float, dist_km: float) -> tuple[float, float]:
    """(lat, lon) ``dist_km`` from the origin on ``bearing_deg`` (flat approximation)."""
    b = math.radians(bearing_deg)
    dlat = dist_km * math.cos(b) / 111.2
    dlon = dist_km * math.sin(b) / (111.2 * math.cos(math.radians(LAT0)))
    return LAT0 + dlat, LON0 + dlon


def random_scenario_dict(
    seed: int, *, vhf: bool | None = None, extra_rounds: int = 0, batteries: int = 1
) -> dict:
    """A random small scenario as the YAML dict (``seed`` fixes everything)."""
    rng = np.random.default_rng(seed)
    axis = float(rng.uniform(0, 360))
    radars: list[dict[str, Any]] = [
        {"name": "surv", "type": "s400-class-surveillance", "lat_deg": LAT0 + 0.02,
         "lon_deg": LON0 + 0.03, "alt_m": GROUND_M, "mast_m": 10},
        {"name": "fcr", "type": "s400-class-engagement", "lat_deg": LAT0 + 0.01,
         "lon_deg": LON0 + 0.02, "alt_m": GROUND_M, "mast_m": 8,
         "heading_deg": float((axis + rng.uniform(-30, 30)) % 360)},
    ]  # fmt: skip
    if vhf if vhf is not None else rng.random() < 0.5:
        radars.append({"name": "vhf", "type": "vhf-counter-stealth-class", "lat_deg": LAT0 + 0.05,
                       "lon_deg": LON0 + 0.1, "alt_m": 900, "mast_m": 15})  # fmt: skip
    n_lr = int(rng.integers(1, 4))
    launchers = [
        {"name": "tel-48n6", "type": "s400-class-tel", "count": n_lr, "lat_deg": LAT0 + 0.03,
         "lon_deg": LON0 + 0.05, "alt_m": GROUND_M,
         "loadout": {"s400-long-range-48n6-class": min(int(rng.integers(1, 4)) + extra_rounds, 4)}},
        {"name": "tel-mr", "type": "s400-class-tel", "count": int(rng.integers(1, 3)),
         "lat_deg": LAT0, "lon_deg": LON0 + 0.07, "alt_m": GROUND_M,
         "loadout": {"s400-medium-range-class": 4 + 4 * extra_rounds,
                     "s400-short-range-class": 4}},
    ]  # fmt: skip
    mode = str(rng.choice(["shoot-look-shoot", "salvo"]))
    threats = []
    for g in range(int(rng.integers(2, 5))):
        typ = str(rng.choice(TYPES))
        low = typ == "cruise-missile-class"
        bearing = float((axis + rng.uniform(-60, 60)) % 360)
        dist = float(rng.uniform(150, 260)) if not low else float(rng.uniform(80, 140))
        lat, lon = _offset(bearing, dist)
        alt = GROUND_M + 60.0 if low else float(rng.uniform(3000, 11000))
        threats.append({
            "name": f"g{g}", "type": typ, "count": int(rng.integers(1, 4)),
            "formation_spacing_m": float(rng.choice([0.0, 1500.0, 3000.0])) if not low else 0.0,
            "launch_time_s": float(rng.uniform(0, 120)), "target_site": "airbase",
            "route": [{"lat_deg": lat, "lon_deg": lon, "alt_m": alt},
                      {"lat_deg": LAT0, "lon_deg": LON0, "alt_m": alt,
                       "speed_mps": 240.0 if low else float(rng.uniform(230, 300))}],
        })  # fmt: skip
    egress = np.random.default_rng([seed, 2])  # (the other draws stay as they were)
    for th in threats:  # half the aircraft groups fly home after the strike
        if th["type"] != "cruise-missile-class" and egress.random() < 0.5:
            lat, lon = _offset(float(egress.uniform(0, 360)), float(egress.uniform(60, 150)))
            th["egress"] = [{"lat_deg": lat, "lon_deg": lon, "alt_m": th["route"][0]["alt_m"]}]
    battery = {
        "name": "bty",
        "radars": radars,
        "engagement_radar": "fcr",
        "launchers": launchers,
        "doctrine": {"mode": mode, "salvo": int(rng.integers(1, 3)), "weapons": "free"},
    }
    more = np.random.default_rng([seed, 1])  # the first battery's draws stay as they were
    copies = [_moved(battery, k, float(more.uniform(0, 360)), float(more.uniform(15, 40)))
              for k in range(2, batteries + 1)]  # fmt: skip
    return {
        "name": f"random-{seed}",
        "origin": {"lat_deg": LAT0, "lon_deg": LON0, "alt_m": GROUND_M},
        "simulation": {"duration_s": 1400, "seed": seed, "c2_cycle_s": 2.0},
        "terrain": {"kind": "none"},
        "sites": [
            {
                "name": "airbase",
                "lat_deg": LAT0,
                "lon_deg": LON0,
                "alt_m": GROUND_M,
                "value": 10,
                "radius_m": 3000,
            }
        ],
        "batteries": [battery, *copies],
        "threats": threats,
    }


def _moved(battery: dict[str, Any], k: int, bearing_deg: float, dist_km: float) -> dict[str, Any]:
    """Battery ``k``: a copy of ``battery`` moved ``dist_km`` on ``bearing_deg``, names
    suffixed ``-k``."""
    lat, lon = _offset(bearing_deg, dist_km)
    out = copy.deepcopy(battery)
    out["name"] = f"{battery['name']}-{k}"
    out["engagement_radar"] = f"{battery['engagement_radar']}-{k}"
    for item in (*out["radars"], *out["launchers"]):
        item["name"] = f"{item['name']}-{k}"
        item["lat_deg"] += lat - LAT0
        item["lon_deg"] += lon - LON0
    return out


def random_scenario(seed: int, **kw: Any) -> Scenario:
    """:func:`random_scenario_dict`, validated."""
    return load_scenario_data(copy.deepcopy(random_scenario_dict(seed, **kw)), file=f"r{seed}.yaml")
