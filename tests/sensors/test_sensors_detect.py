"""The Radar stage: visibility, Swerling detection statistics, noise, false alarms,
unresolved targets, batching and reproducibility."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sensors_helpers import make_truth

from iadsim.frames import Detections
from iadsim.sensors.detect import dwell
from iadsim.sensors.horizon import elevation_angle_rad
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import pd_swerling
from iadsim.sensors.radar import (
    Radar,
    RadarGroup,
    Sensor,
    TargetSignatures,
    place_radar,
)
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.terrain import GridDem, TerrainMask
from iadsim.sensors.visibility import apparent_tan_el

#: The detection model under test.

DEG = np.pi / 180


def params(**kw: object) -> RadarParams:
    base: dict[str, object] = dict(
        name="test",
        kind="surveillance",
        loop_constant_m2=1e22,
        frequency_hz=3e9,
        pfa=1e-6,
        n_pulses=1,
        swerling=1,
        scan_period_s=10.0,
        az_center_rad=0.0,
        az_width_rad=2 * np.pi,
        el_min_rad=-2 * DEG,
        el_max_rad=60 * DEG,
        instrumented_range_m=400e3,
        min_range_m=1e3,
        az_beamwidth_rad=1 * DEG,
        el_beamwidth_rad=2 * DEG,
        range_resolution_m=150.0,
        bandwidth_hz=1e6,
        velocity_resolution_mps=2.0,
        antenna_height_m=10.0,
        atmosphere=False,
    )
    base.update(kw)
    return RadarParams(**base)  # type: ignore[arg-type]


def radar(
    lib: RcsLibrary, rid: int = 0, pos: tuple[float, float, float] = (0.0, 0.0, 10.0), **kw: object
) -> Radar:
    return Radar(radar_id=rid, params=params(**kw), pos_m=pos, antenna_alt_m=pos[2], rcs=lib)


def ring(n: int, range_m: float, alt_m: float = 5000.0) -> np.ndarray:
    """n targets on a circle, one per azimuth beam-ish (distinct resolution cells)."""
    az = np.arange(n) * (2 * np.pi / n)
    return np.stack([range_m * np.sin(az), range_m * np.cos(az), np.full(n, alt_m)], -1)


def sigs(n: int, table: int) -> TargetSignatures:
    return TargetSignatures(
        threat_id=np.arange(n),
        table_index=np.full(n, table),
        swerling=np.full(n, table if table < 5 else 0),
    )


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
def test_detection_frequency_matches_pd(const_library: RcsLibrary, swerling: int) -> None:
    # Monte Carlo of the simulated square-law detector vs the exact Pd (pd.py):
    # 300 targets x 20 dwells, binomial 4-sigma tolerance.
    n_pulses, r = 4, 150e3
    rad = radar(const_library, n_pulses=n_pulses)
    truth = make_truth(ring(300, r))
    rng = np.random.default_rng(10 + swerling)
    hits = sum(
        len(dwell(rad.group, truth, 0.0, rng, sigs(300, swerling), false_alarms=False))
        for _ in range(20)
    )
    snr = 1e22 * 1.0 / r**4
    p = float(pd_swerling(snr, 1e-6, n_pulses, swerling))
    n = 300 * 20
    assert hits / n == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n) + 1e-3)


def test_false_alarm_rate_and_placement(const_library: RcsLibrary) -> None:
    p = params(pfa=1e-4, az_center_rad=1.0, az_width_rad=0.5, kind="sector")
    rad = Radar(
        radar_id=3, params=p, pos_m=(100.0, 200.0, 10.0), antenna_alt_m=10.0, rcs=const_library
    )
    truth = make_truth(np.zeros((0, 3)))
    rng = np.random.default_rng(1)
    dets = Detections.concat([rad.observe(truth, 5.0, rng, sigs(0, 0)) for _ in range(50)])
    expected = 50 * 1e-4 * p.n_resolution_cells()
    assert len(dets) == pytest.approx(expected, abs=5 * np.sqrt(expected))
    assert np.all(dets.truth_id == -1)
    daz = np.angle(np.exp(1j * (dets.az_rad - 1.0)))
    assert np.all(np.abs(daz) < 0.25 + 5 * dets.sigma_az_rad)
    assert np.all((dets.range_m > 0.9e3) & (dets.range_m < 401e3))
    np.testing.assert_array_equal(dets.sensor_e_m, 100.0)
    np.testing.assert_array_equal(dets.radar_id, 3)


def test_visibility_limits(const_library: RcsLibrary) -> None:
    pos = np.array(
        [
            [0.0, 100e3, 5000.0],  # in front, visible
            [0.0, -100e3, 5000.0],  # behind a north-facing sector
            [0.0, 450e3, 12000.0],  # beyond instrumented range
            [0.0, 500.0, 20.0],  # inside minimum range
            [0.0, 60e3, 30.0],  # below the 4/3-earth horizon (13 + 22.6 km)
            [0.0, 20e3, 30.0],  # low but above the horizon
            [0.0, 5e3, 9000.0],  # above the elevation coverage (61 deg)
        ]
    )
    rad = radar(const_library, kind="sector", az_width_rad=90 * DEG)
    d = rad.observe(make_truth(pos), 0.0, np.random.default_rng(0), sigs(7, 5))
    d = d.select(d.truth_id >= 0)
    assert sorted(d.truth_id.tolist()) == [0, 5]


def test_dead_threats_are_not_detected(const_library: RcsLibrary) -> None:
    truth = make_truth(ring(4, 50e3))
    truth = dataclasses.replace(truth, alive=np.array([True, False, True, False]))
    d = dwell(
        radar(const_library).group,
        truth,
        0.0,
        np.random.default_rng(0),
        sigs(4, 5),
        false_alarms=False,
    )
    assert sorted(d.truth_id.tolist()) == [0, 2]


def test_unresolved_targets_merge(const_library: RcsLibrary) -> None:
    pos = np.array(
        [
            [0.0, 100e3, 5000.0],
            [20.0, 100e3 + 30.0, 5000.0],  # same cell
            [0.0, 120e3, 5000.0],
        ]
    )  # 20 km further: resolved
    rad = radar(const_library)
    d = dwell(
        rad.group, make_truth(pos), 0.0, np.random.default_rng(0), sigs(3, 5), false_alarms=False
    )
    assert len(d) == 2
    assert set(d.truth_id.tolist()) <= {0, 1, 2} and 2 in d.truth_id


def test_fine_elevation_beams_keep_targets_15_degrees_apart(const_library: RcsLibrary) -> None:
    # same slant range and azimuth, elevations 45 and 60 deg, 0.01 deg elevation beams:
    # 4,700 and 6,200 beams above el_min, distinct cells (a packed key that capped the
    # elevation beam index at 4,095 merged them into one return)
    rad = radar(const_library, el_beamwidth_rad=0.01 * DEG, el_max_rad=89 * DEG)
    el = np.radians([45.0, 60.0])
    r = 20e3
    pos = np.stack([np.zeros(2), r * np.cos(el), 10.0 + r * np.sin(el)], -1)
    d = rad.observe(make_truth(pos), 0.0, np.random.default_rng(0), sigs(2, 5))
    d = d.select(d.truth_id >= 0)
    assert sorted(d.truth_id.tolist()) == [0, 1]
    np.testing.assert_allclose(np.sort(d.el_rad), el, atol=1e-3)


def test_noise_matches_reported_sigma_and_shrinks_with_snr(const_library: RcsLibrary) -> None:
    n = 340  # < 360 one-degree beams: every target in its own cell
    rad = radar(const_library)
    rng = np.random.default_rng(5)
    out = {}
    for r in (40e3, 120e3):
        pos = ring(n, r)
        d = dwell(
            rad.group,
            make_truth(pos, vel_mps=np.array([0.0, 0.0, 0.0])),
            0.0,
            rng,
            sigs(n, 0),
            false_alarms=False,
        )
        assert len(d) > 0.5 * n
        true_r = np.linalg.norm(pos[d.truth_id] - np.array([0.0, 0.0, 10.0]), axis=1)
        z = (d.range_m - true_r) / d.sigma_range_m
        assert np.std(z) == pytest.approx(1.0, abs=0.15)
        assert np.abs(np.mean(z)) < 0.2
        out[r] = np.median(d.sigma_az_rad)
        assert np.all(d.sigma_rdot_mps < np.inf)
    assert out[40e3] < out[120e3]


def test_radial_velocity_sign(const_library: RcsLibrary) -> None:
    pos = np.array([[0.0, 100e3, 5000.0]])
    d = dwell(
        radar(const_library).group,
        make_truth(pos, np.array([0.0, -250.0, 0.0])),
        0.0,
        np.random.default_rng(0),
        sigs(1, 5),
        false_alarms=False,
    )
    assert d.rdot_mps[0] == pytest.approx(-250.0 * 100e3 / np.hypot(100e3, 4990.0), abs=1.0)


def test_reproducible_and_each_radar_sees_its_targets(const_library: RcsLibrary) -> None:
    rads = [radar(const_library, rid=i, pos=(i * 5e3, 0.0, 10.0)) for i in range(3)]
    truth = make_truth(ring(500, 80e3))
    s = sigs(500, 5)  # +40 dBsm Swerling 0: always detected -> same sets
    for r in rads:
        a = r.observe(truth, 0.0, np.random.default_rng(7), s)
        b = r.observe(truth, 0.0, np.random.default_rng(7), s)
        np.testing.assert_array_equal(a.range_m, b.range_m)
        assert set(a.radar_id.tolist()) == {r.radar_id}
        assert (a.truth_id >= 0).sum() > 0


def test_terrain_mask_blocks(const_library: RcsLibrary) -> None:
    # a 1 deg mask wall everywhere beyond 10 km
    mask_el = np.full((36, 50), np.radians(1.0))
    mask_el[:, :10] = -np.pi / 2
    mask = TerrainMask(mask_el_rad=mask_el, range_step_m=1000.0, antenna_alt_m=10.0)
    rad = Radar(
        radar_id=0,
        params=params(),
        pos_m=(0.0, 0.0, 10.0),
        antenna_alt_m=10.0,
        rcs=const_library,
        terrain=mask,
    )
    pos = np.array([[0.0, 30e3, 200.0], [0.0, 30e3, 3000.0], [0.0, 5e3, 50.0]])
    d = dwell(
        rad.group, make_truth(pos), 0.0, np.random.default_rng(0), sigs(3, 5), false_alarms=False
    )
    assert sorted(d.truth_id.tolist()) == [1, 2]


def test_dwell_schedule(const_library: RcsLibrary) -> None:
    rad = dataclasses.replace(radar(const_library), scan_phase_s=2.0)
    assert rad.next_dwell_after(0.0) == 2.0
    assert rad.next_dwell_after(2.0) == 12.0
    assert rad.next_dwell_after(13.5) == 22.0
    t, starts = -1.0, []
    for _ in range(4):
        t = rad.next_dwell_after(t)
        starts.append(t)
    np.testing.assert_allclose(starts, [2.0, 12.0, 22.0, 32.0])  # scan starts


def test_signatures(const_library: RcsLibrary) -> None:
    s = TargetSignatures.from_tables([7, 3, 5], [0, 2, 4], const_library)
    table, sw, scale = s.lookup([5, 7])
    assert table.tolist() == [4, 0] and sw.tolist() == [4, 0] and scale.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="no signature"):
        s.lookup([8])
    with pytest.raises(ValueError, match="unique"):
        TargetSignatures(threat_id=np.array([1, 1]), table_index=np.zeros(2), swerling=np.zeros(2))


def test_radar_params_validation() -> None:
    with pytest.raises(ValueError, match="pfa"):
        params(pfa=2.0)
    with pytest.raises(ValueError, match="az_beamwidth_rad"):
        params(az_beamwidth_rad=7.0)


def test_apparent_elevation_series_matches_trigonometric_form() -> None:
    # the detection kernel compares tangents from a series; oracle: horizon.py atan2 form
    # (0.1 microradian: the trigonometric form itself loses ~1e-8 to cancellation)
    rng = np.random.default_rng(4)
    d = rng.uniform(100.0, 1e6, 5000)
    h = rng.uniform(-400.0, 30e3, 5000)
    ha = rng.uniform(0.0, 3000.0, 5000)
    exact = np.tan(elevation_angle_rad(d, h, ha))
    np.testing.assert_allclose(apparent_tan_el(d, h, ha, 4 / 3), exact, rtol=1e-6, atol=1e-7)


def test_group_holds_exactly_one_radar(const_library: RcsLibrary) -> None:
    with pytest.raises(ValueError, match="exactly one radar"):
        RadarGroup.of([radar(const_library), radar(const_library, rid=1)])
    with pytest.raises(ValueError, match="exactly one radar"):
        RadarGroup.of([])


def test_rcs_scale_shifts_snr(const_library: RcsLibrary) -> None:
    truth = make_truth(np.array([[0.0, 50e3, 5000.0]]))
    rad = radar(const_library)
    plain = TargetSignatures(
        threat_id=np.array([0]), table_index=np.array([0]), swerling=np.array([0])
    )
    louder = dataclasses.replace(plain, rcs_scale_db=np.array([10.0]))
    a = dwell(rad.group, truth, 0.0, np.random.default_rng(0), plain, false_alarms=False)
    b = dwell(rad.group, truth, 0.0, np.random.default_rng(0), louder, false_alarms=False)
    assert b.snr_db[0] - a.snr_db[0] == pytest.approx(10.0, abs=1e-9)  # Swerling 0: same draw


def test_place_radar_builds_mask_and_mast(const_library: RcsLibrary) -> None:
    ridge = np.zeros((50, 50))
    ridge[:, 30] = 800.0  # a north-south ridge ~0.3 deg east of the site
    dem = GridDem(elevation_m=ridge, lat0_deg=40.0, lon0_deg=30.0, dlat_deg=-0.02, dlon_deg=0.02)
    r = place_radar(
        radar_id=4,
        params=params(),
        pos_m=(0.0, 0.0, 25.0),
        lat_rad=np.radians(39.5),
        lon_rad=np.radians(30.3),
        ground_alt_m=0.0,
        rcs=const_library,
        mast_m=25.0,
        dem=dem,
        mask_range_step_m=500.0,
    )
    assert r.terrain is not None and r.antenna_alt_m == 25.0 and r.mast_m == 25.0
    pos = np.array([[40e3, 0.0, 300.0], [-40e3, 0.0, 300.0]])  # behind the ridge / open west
    d = dwell(
        r.group, make_truth(pos), 0.0, np.random.default_rng(0), sigs(2, 5), false_alarms=False
    )
    assert d.truth_id.tolist() == [1]


def test_far_high_target_with_curved_enu_is_visible(const_library: RcsLibrary) -> None:
    # ENU "up" of a 10 km-altitude target 400 km away is ~-2.6 km (earth curvature), yet
    # it is above the 4/3-earth horizon (13 + 412 km) and above 0 deg apparent elevation.
    d = 400e3
    u = 10_000.0 - d**2 / (2 * 6_371_008.8)
    truth = make_truth(np.array([[0.0, d, u]]))
    truth = dataclasses.replace(truth, alt_m=np.array([10_000.0]))
    rad = radar(const_library, el_min_rad=0.0, instrumented_range_m=600e3)
    det = dwell(rad.group, truth, 0.0, np.random.default_rng(0), sigs(1, 5), false_alarms=False)
    assert det.truth_id.tolist() == [0]
    assert det.el_rad[0] < 0  # reported elevation is geometric


def test_catalog_engagement_radar_sees_fighter_not_stealth_at_120_km(  # type: ignore[no-untyped-def]
    radar_params, rcs_tables
) -> None:
    # End to end with the bundled catalog: nose-on X-band RCS 2 m^2 (fighter-small) vs
    # 0.001 m^2 (stealth-fighter); the radar is calibrated to 2 m^2 at 250 km (Pd 0.9).
    names = ["stealth-fighter", "fighter-small"]
    lib = RcsLibrary.from_tables([rcs_tables[n] for n in names])
    p = radar_params["s400-class-engagement"]
    rad = Radar(radar_id=0, params=p, pos_m=(0.0, 0.0, 8.0), antenna_alt_m=8.0, rcs=lib)
    az = np.radians(np.arange(-40, 40, 2.0))  # distinct beams inside the 90 deg sector
    out = {}
    for r in (20e3, 120e3):
        pos = np.stack([r * np.sin(az), r * np.cos(az), np.full(az.shape, 10_000.0)], -1)
        vel = -250.0 * pos / np.linalg.norm(pos, axis=1, keepdims=True)  # inbound, nose-on
        n = az.shape[0]
        truth = make_truth(
            np.vstack([pos, pos + np.array([0.0, 0.0, 3000.0])]), np.vstack([vel, vel])
        )
        s = TargetSignatures.from_tables(np.arange(2 * n), np.repeat([0, 1], n), lib)
        rng = np.random.default_rng(int(r))
        ids = np.concatenate(
            [dwell(rad.group, truth, 0.0, rng, s, false_alarms=False).truth_id for _ in range(20)]
        )
        out[r] = (np.sum(ids < n) / (20 * n), np.sum(ids >= n) / (20 * n))  # stealth, fighter
    assert out[20e3][0] > 0.8  # stealth at 20 km: detected
    assert out[120e3][0] < 0.05  # stealth at 120 km: not detected
    assert out[120e3][1] > 0.9  # conventional fighter at 120 km: detected


def test_radar_satisfies_sensor_protocol(const_library: RcsLibrary) -> None:
    sensor: Sensor = radar(const_library)
    assert sensor.next_dwell_after(0.0) == 10.0


@pytest.mark.parametrize("swerling", [0, 1])
def test_confirmation_dwell_squares_pd_and_pfa(const_library: RcsLibrary, swerling: int) -> None:
    # Alert-confirm sequential detection (Skolnik 2001, sec. 2.5): a report needs two
    # independent crossings, so the reported fraction is Pd^2 and false alarms per
    # dwell fall from pfa * cells to pfa^2 * cells.
    n_pulses, r = 4, 150e3
    rad = radar(const_library, n_pulses=n_pulses, confirmation_dwell=True)
    truth = make_truth(ring(300, r))
    rng = np.random.default_rng(40 + swerling)
    hits = sum(
        len(dwell(rad.group, truth, 0.0, rng, sigs(300, swerling), false_alarms=False))
        for _ in range(20)
    )
    p = float(pd_swerling(1e22 / r**4, 1e-6, n_pulses, swerling)) ** 2
    n = 300 * 20
    assert hits / n == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n) + 1e-3)

    pfa = 1e-2  # large, so that pfa^2 * cells is still a countable number
    plain = params(pfa=pfa, kind="sector", az_width_rad=0.2, instrumented_range_m=50e3)
    conf = dataclasses.replace(plain, confirmation_dwell=True)
    empty = make_truth(np.zeros((0, 3)))
    counts = []
    for p_ in (plain, conf):
        rd = Radar(
            radar_id=0, params=p_, pos_m=(0.0, 0.0, 10.0), antenna_alt_m=10.0, rcs=const_library
        )
        counts.append(sum(len(rd.observe(empty, 0.0, rng, sigs(0, 0))) for _ in range(20)))
    expected = 20 * pfa * plain.n_resolution_cells()
    assert counts[0] == pytest.approx(expected, abs=5 * np.sqrt(expected))
    assert counts[1] == pytest.approx(expected * pfa, abs=5 * np.sqrt(expected * pfa) + 1)
