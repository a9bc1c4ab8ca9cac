"""Coverage tables, PNG writers and the ``iadsim coverage`` command."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from iadsim.cli.coverage import register
from iadsim.errors import ScenarioError
from iadsim.sensors.coverage import coverage_grid, coverage_table, horizon_slant_range_m
from iadsim.sensors.coverage_plots import write_plan_view, write_vertical_coverage
from iadsim.sensors.params import RadarParams
from iadsim.sensors.terrain import TerrainMask

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_low_targets_are_horizon_limited(radar_params: dict[str, RadarParams]) -> None:
    # a radar looking down to -1 deg: the grazing ray (-0.09 deg at 10 m) bounds, not el_min
    p = dataclasses.replace(radar_params["s400-class-surveillance"], el_min_rad=np.radians(-1.0))
    tab = coverage_table(p, [1.0], [30.0, 10_000.0])
    # 10 m mast, 30 m target: 13.0 + 22.6 km (Skolnik eq. 8.13 with k = 4/3)
    assert tab.range_m[0, 0] == pytest.approx(35.6e3, rel=0.01)
    assert tab.limit_name(0, 0) == "horizon"
    assert tab.limit_name(0, 1) == "radar"


def test_low_targets_below_a_0_deg_lowest_elevation(radar_params: dict[str, RadarParams]) -> None:
    """With el_min = 0 (as the detection model applies it) a 30 m target leaves the
    coverage where the 0 deg ray from the 10 m mast reaches 30 m: d = sqrt(2 a_e 20 m)."""
    p = radar_params["s400-class-surveillance"]
    assert p.el_min_rad == 0.0
    tab = coverage_table(p, [1.0], [30.0])
    assert tab.range_m[0, 0] == pytest.approx(np.sqrt(2 * 4 / 3 * 6_371_008.8 * 20.0), rel=0.01)
    assert tab.limit_name(0, 0) == "elevation"


def test_no_detection_range_inside_the_cone_above_the_highest_elevation(
    radar_params: dict[str, RadarParams],
) -> None:
    """A 1e-4 m2 target at 30-100 km altitude: the S-band surveillance radar's radar
    equation gives ~35 km, but the 40 deg beam top reaches 30 km altitude only at
    ~46 km slant range: the target is never inside the beams while detectable (the
    table said 34.9 km, "radar"; its diagram ends the curve at the 40 deg ray). A
    1 m2 target at 30 km stays detected beyond the cone."""
    p = radar_params["s400-class-surveillance"]
    tab = coverage_table(p, [1e-4, 1.0], [30_000.0, 50_000.0, 100_000.0])
    assert np.isnan(tab.range_m[0]).all() and {tab.limit_name(0, j) for j in range(3)} == {"above"}
    assert tab.free_space_range_m[0, 0] == pytest.approx(35e3, rel=0.05)
    r = tab.range_m[1, 0]  # 1 m2 at 30 km: inside the coverage at that range
    ae = 4 / 3 * 6_371_008.8  # elevation of a point at slant range r, 30 km up, 4/3 earth
    el = np.arcsin(((ae + 30_000.0) ** 2 - (ae + p.antenna_height_m) ** 2 - r**2)
                   / (2 * r * (ae + p.antenna_height_m)))  # fmt: skip
    assert np.isfinite(r) and p.el_min_rad <= el <= p.el_max_rad


def test_fourth_root_scaling_without_atmosphere(radar_params: dict[str, RadarParams]) -> None:
    p = radar_params["mahafza-c-band-example"]  # atmosphere off
    wide = dataclasses.replace(p, instrumented_range_m=1e7)
    tab = coverage_table(wide, [0.1, 1.6], [30_000.0])
    assert tab.free_space_range_m[1, 0] / tab.free_space_range_m[0, 0] == pytest.approx(2.0)


def test_instrumented_range_caps(radar_params: dict[str, RadarParams]) -> None:
    tab = coverage_table(radar_params["patriot-class-radar"], [1000.0], [20_000.0])
    assert tab.range_m[0, 0] == pytest.approx(170e3)
    assert tab.limit_name(0, 0) == "instrumented"


def test_cumulative_scans_extend_range(radar_params: dict[str, RadarParams]) -> None:
    p = radar_params["s400-class-engagement"]
    one = coverage_table(p, [0.01], [10_000.0], pd=0.9, cumulative_scans=1).range_m[0, 0]
    five = coverage_table(p, [0.01], [10_000.0], pd=0.9, cumulative_scans=5).range_m[0, 0]
    assert five > 1.2 * one


def test_horizon_slant_range_exceeds_ground_distance() -> None:
    assert horizon_slant_range_m(10.0, 10_000.0) > 412e3


def test_coverage_grid_sector_and_mask(radar_params: dict[str, RadarParams]) -> None:
    p = radar_params["s400-class-engagement"]  # 90 deg sector centred on north
    _az, _d, level = coverage_grid(p, 2.0, [100.0, 10_000.0], n_az=36, n_range=50)
    assert level.shape == (36, 50)
    assert np.all(level[18] == -1)  # south: outside the sector
    assert level[0, 0] == 0 and level[0, 24] == 1  # near: lowest altitude; 147 km: only high
    assert level[0, -1] == -1  # 297 km: beyond the 250 km detection range
    wall = TerrainMask(mask_el_rad=np.full((36, 400), 0.2), range_step_m=1000.0, antenna_alt_m=8.0)
    _, _, masked = coverage_grid(p, 2.0, [100.0, 10_000.0], n_az=36, n_range=50, mask=wall)
    assert np.all(masked[:, 10:] == -1)


@pytest.mark.slow
def test_png_writers(radar_params: dict[str, RadarParams], tmp_path: Path) -> None:
    p = radar_params["s400-class-surveillance"]
    v = write_vertical_coverage(p, [0.01, 1.0], tmp_path / "v.png")
    m = write_plan_view(p, 1.0, [100.0, 1000.0], tmp_path / "p.png")
    for f in (v, m):
        assert f.read_bytes()[:8] == PNG_MAGIC
        assert f.stat().st_size > 10_000


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)
    a.command("noop")(lambda: None)  # keep typer in multi-command mode
    return a


@pytest.mark.slow
def test_cli_table_and_pngs(app: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app,
        [
            "coverage",
            "s400-class-low-level",
            "--rcs",
            "0.1,2",
            "--alt-m",
            "30,5000",
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "s400-class-low-level" in r.output and "5000 m" in r.output
    assert (tmp_path / "s400-class-low-level-vertical.png").read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "s400-class-low-level-plan.png").read_bytes()[:8] == PNG_MAGIC


def test_cli_compare_with_site(app: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app,
        [
            "coverage",
            "patriot-class-radar",
            "--compare",
            "--site",
            "39.97,32.72",
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    for label in ("F-35-class frontal", "F-16-class frontal", "cruise missile"):
        assert label in r.output


def test_cli_unknown_radar_suggests(app: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["coverage", "s400-class-survellance", "--out", str(tmp_path)])
    assert isinstance(r.exception, ScenarioError)
    assert "did you mean 's400-class-surveillance'" in str(r.exception)


def test_cli_bad_numbers(app: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["coverage", "patriot-class-radar", "--rcs", "1,x", "--out", str(tmp_path)]
    )
    assert isinstance(r.exception, ScenarioError)
    assert "--rcs" in str(r.exception)


@pytest.mark.parametrize(
    ("radar", "rcs_m2", "alt_m"),
    [("asr9-class-surveillance", 0.01, 10_000.0), ("patriot-class-radar", 0.01, 10_000.0),
     ("s400-class-engagement", 0.01, 20_000.0), ("s400-class-surveillance", 1.0, 3_000.0)],
)  # fmt: skip
def test_plan_view_edge_is_the_tables_ground_range(
    radar_params: dict[str, RadarParams], radar: str, rcs_m2: float, alt_m: float
) -> None:
    """The plan view's outer edge at an altitude is the ground range of the coverage
    table's (slant) range on the 4/3 earth, to one cell; and no cell inside the cone above
    el_max is detected (the plan drew 27.0 km for ASR-9 at 10 km where the table's 27 km
    slant range is 25.1 km of ground, and coloured the cone over the radar)."""
    from iadsim.geo import EARTH_MEAN_RADIUS_M
    from iadsim.sensors.horizon import K_STANDARD, elevation_angle_rad

    p = radar_params[radar]
    _az, d, level = coverage_grid(p, rcs_m2, [alt_m], n_az=8, n_range=600)
    cell = d[1] - d[0]
    slant = float(coverage_table(p, [rcs_m2], [alt_m]).range_m[0, 0])
    ae = K_STANDARD * EARTH_MEAN_RADIUS_M
    ra, rt = ae + p.antenna_height_m, ae + alt_m
    ground = ae * np.arccos((ra**2 + rt**2 - slant**2) / (2 * ra * rt))
    row = level[int(np.argmax((level == 0).sum(axis=1)))]  # an azimuth in the sector
    covered = d[row == 0]
    assert covered.size and abs(covered.max() - ground) <= cell
    cone = elevation_angle_rad(d, alt_m, p.antenna_height_m) > p.el_max_rad
    assert not np.any((row == 0) & cone)
    if cone.any():  # the cone is there at this altitude: its edge is where coverage starts
        assert covered.min() >= d[cone].max() - 1e-9
