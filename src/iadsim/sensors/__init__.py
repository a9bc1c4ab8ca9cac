"""iadsim.sensors: radar physics from the range equation to detections.

Modules
-------
radar_equation  SNR from the radar range equation, loop constant, atmosphere.
pd              Pd for Swerling 0-4 (exact), Albersheim, Shnidman, required SNR.
horizon         4/3-earth horizon, visibility and apparent elevation.
terrain         DEMs (pvlib global grid, GeoTIFF, arrays) and per-site mask tables.
rcs             Aspect/band RCS tables and aspect angles.
params          RadarParams (SI) from full parameters or a reference range.
measurement     Detection steps: Pd draw, alert-confirm, false alarms, noise.
detect          Detection models: one dwell as composed steps (StandardDetection).
visibility      Detection step: coverage, horizon and terrain-mask tests.
signal          Detection step: RCS, SNR, atmospheric loss, range rate.
resolution      Detection step: unresolved targets merged per resolution cell.
radar           Radar stage (observe, dwell scheduling), RadarGroup.
signatures      TargetSignatures: RCS table, Swerling case and offset per threat.
coverage        Coverage tables and grids; coverage_plots writes PNGs.
"""

from iadsim.sensors.coverage import CoverageTable, coverage_grid, coverage_table
from iadsim.sensors.params import (
    RadarParams,
    loop_constant_from_equation,
    loop_constant_from_reference,
)
from iadsim.sensors.pd import albersheim_snr, pd_swerling, required_snr, shnidman_snr
from iadsim.sensors.radar import (
    Radar,
    RadarGroup,
    Sensor,
    TargetSignatures,
    place_radar,
)
from iadsim.sensors.radar_equation import BANDS, max_detection_range, radar_snr
from iadsim.sensors.rcs import RcsLibrary, RcsTableParams, aspect_angles
from iadsim.sensors.terrain import (
    GridDem,
    TerrainMask,
    build_terrain_mask,
    load_geotiff_dem,
    load_pvlib_dem,
)

__all__ = [
    "BANDS",
    "CoverageTable",
    "GridDem",
    "Radar",
    "RadarGroup",
    "RadarParams",
    "RcsLibrary",
    "RcsTableParams",
    "Sensor",
    "TargetSignatures",
    "TerrainMask",
    "albersheim_snr",
    "aspect_angles",
    "build_terrain_mask",
    "coverage_grid",
    "coverage_table",
    "load_geotiff_dem",
    "load_pvlib_dem",
    "loop_constant_from_equation",
    "loop_constant_from_reference",
    "max_detection_range",
    "pd_swerling",
    "place_radar",
    "radar_snr",
    "required_snr",
    "shnidman_snr",
]
