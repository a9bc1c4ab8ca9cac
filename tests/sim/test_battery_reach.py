# ruff: noqa: E501  (the scenario is written as a user writes it: one flow mapping a line)
"""``batteries[].threats_in_reach`` counts every threat the battery engaged: a salvo's
predicted intercept lies inside the envelope even when the run ends before the threat
itself comes within the launchers' maximum range. (A battery that had fired 8 rounds
at 4 threats reported ``threats_in_reach: 0`` and ``survived: 0`` while the raid had 4
survivors.)"""

from __future__ import annotations

import yaml

from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario

#: Four F-16-class aircraft from 133 km at 250 m/s against a 60 km SAM defined inline;
#: the battery launches at ~232-244 s, the run ends at 250 s with the aircraft ~70 km out.
SCENARIO = """
name: my-own-kit
origin: {lat_deg: 50.0, lon_deg: 10.0, alt_m: 300}
simulation: {duration_s: 250, seed: 98201, c2_cycle_s: 2}
terrain: {kind: none}
sites:
  - {name: depot, lat_deg: 50.0, lon_deg: 10.0, alt_m: 300, value: 8, radius_m: 2000}
catalog:
  radars:
    my-search:
      kind: surveillance
      description: my rotating search radar
      frequency_hz: 3.0e9
      performance: {kind: reference_range, rcs_m2: 1.0, range_km: 150, pd: 0.9, source: mine}
      pfa: 1.0e-6
      n_pulses: 8
      swerling: 1
      scan_period_s: 6
      el_min_deg: 0
      el_max_deg: 40
      instrumented_range_km: 250
      min_range_km: 1
      az_beamwidth_deg: 1.5
      el_beamwidth_deg: 3
      bandwidth_hz: 2.0e6
      range_resolution_m: 75
      channels: 200
      source: invented for the test
    my-fcr:
      kind: sector
      description: my fire-control radar
      frequency_hz: 9.0e9
      performance: {kind: reference_range, rcs_m2: 1.0, range_km: 100, pd: 0.9, source: mine}
      pfa: 1.0e-7
      n_pulses: 4
      swerling: 1
      scan_period_s: 2
      az_center_deg: 0
      az_width_deg: 120
      el_min_deg: 0
      el_max_deg: 70
      instrumented_range_km: 150
      min_range_km: 0.5
      az_beamwidth_deg: 1
      el_beamwidth_deg: 1
      bandwidth_hz: 1.0e7
      range_resolution_m: 15
      channels: 50
      fire_control: {target_channels: 4, missile_channels: 8, track_hold_s: 5, acquisition_delay_s: 1, acquisition_n_pulses: 16, acquisition_max_beams: 5, source: assumption}
      source: invented
  interceptors:
    my-sam:
      description: my medium SAM
      min_range_km: 2
      max_range_km: 60
      min_alt_m: 30
      max_alt_km: 20
      boost_s: 3
      max_speed_mps: 1200
      decel_mps2: 5
      min_speed_mps: 500
      reaction_s: 6
      launch_interval_s: 2
      reload_s: 900
      rounds_per_canister: 1
      pk: {kind: range_fraction, range_fraction: [0, 1], fighter: [0.8, 0.6], cruise_missile: [0.7, 0.5], drone: [0.7, 0.5], ballistic: [0, 0], source: assumption}
      guidance: {midcourse: fire_control, terminal: fire_control, max_gap_s: 6, source: assumption}
      acquisition: {kind: table, frequency_hz: 9.0e9, pip_error_m: [0, 500, 2000], rcs_dbsm: [-20, 0, 10], p: [[0.95,0.95,0.95],[0.5,0.8,0.9],[0,0.2,0.5]], source: assumption}
      source: invented
  launchers:
    my-launcher:
      description: four-rail launcher
      canisters: 4
      source: invented
batteries:
  - name: alpha
    radars:
      - {name: search, type: my-search, lat_deg: 50.02, lon_deg: 10.0, alt_m: 300, mast_m: 10}
      - {name: fcr, type: my-fcr, lat_deg: 50.01, lon_deg: 10.0, alt_m: 300, heading_deg: 0}
    engagement_radar: fcr
    launchers:
      - {type: my-launcher, count: 2, lat_deg: 50.01, lon_deg: 10.01, alt_m: 300, loadout: {my-sam: 4}}
    doctrine: {mode: shoot-look-shoot, salvo: 2, weapons: free}
threats:
  - name: vipers
    type: f16-class
    count: 4
    formation_spacing_m: 2000
    target_site: depot
    route:
      - {lat_deg: 51.2, lon_deg: 10.0, alt_m: 6000}
      - {lat_deg: 50.0, lon_deg: 10.0, alt_m: 3000, speed_mps: 250}
"""


def test_threats_engaged_before_they_come_within_range_are_in_reach() -> None:
    sc = load_scenario_data(yaml.safe_load(SCENARIO), file="reach.yaml")
    s = run_scenario(sc, seed=98201, record=False).summary
    b = s.batteries[0]
    engaged = sum(1 for t in s.threats if t.engagements > 0)
    assert engaged == 4 and s.n_survived == 4 and b.engagements == 4
    assert b.threats_in_reach == 4
    assert b.survived == 4
    assert b.kills + b.killed_by_others + b.leakers + b.survived == b.threats_in_reach
