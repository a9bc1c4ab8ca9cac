"""Radar range equation, atmosphere and 4/3-earth horizon against textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.sensors.horizon import (
    altitude_on_ray_m,
    elevation_angle_rad,
    horizon_distance_m,
    max_visible_distance_m,
    visible_over_smooth_earth,
)
from iadsim.sensors.radar_equation import (
    BANDS,
    atmospheric_loss_db,
    band_index,
    loop_constant_m2,
    max_detection_range,
    radar_snr,
)

MAHAFZA = dict(
    peak_power_w=1.5e6,
    frequency_hz=5.6e9,
    tx_gain_db=45.0,
    bandwidth_hz=5e6,
    noise_figure_db=3.0,
    losses_db=6.0,
)


@pytest.mark.parametrize(("range_km", "snr_db"), [(75.0, 16.35), (100.0, 11.35), (150.0, 4.31)])
def test_mahafza_fig_2_1(range_km: float, snr_db: float) -> None:
    # Mahafza, Radar Systems Analysis and Design Using MATLAB, Fig. 2.1 (BookCode/Fig2_1.m):
    # Pt 1.5 MW, 5.6 GHz, G 45 dB, sigma 0.1 m^2, B 5 MHz, F 3 dB, L 6 dB, T0 290 K;
    # SNR values as computed in public-figures.md sec. 4 (book constants k=1.38e-23,
    # c=3e8 -> our CODATA constants differ by < 0.02 dB).
    c = loop_constant_m2(**MAHAFZA)
    assert 10 * np.log10(radar_snr(c, 0.1, range_km * 1e3)) == pytest.approx(snr_db, abs=0.05)


def test_bandwidth_and_pulse_width_and_temperature_forms_agree() -> None:
    a = loop_constant_m2(**MAHAFZA)
    b = loop_constant_m2(
        peak_power_w=1.5e6,
        frequency_hz=5.6e9,
        tx_gain_db=45.0,
        rx_gain_db=45.0,
        pulse_width_s=1 / 5e6,
        system_temperature_k=290.0 * 10**0.3,
        losses_db=6.0,
    )
    assert b == pytest.approx(a, rel=1e-12)
    assert loop_constant_m2(**{**MAHAFZA, "losses_db": 9.0}) == pytest.approx(
        a * 10**-0.3, rel=1e-12
    )


def test_loop_constant_needs_bandwidth_and_noise() -> None:
    with pytest.raises(ValueError, match="bandwidth"):
        loop_constant_m2(peak_power_w=1.0, frequency_hz=1e9, tx_gain_db=0.0, noise_figure_db=3)
    with pytest.raises(ValueError, match="noise"):
        loop_constant_m2(peak_power_w=1.0, frequency_hz=1e9, tx_gain_db=0.0, bandwidth_hz=1e6)


@settings(max_examples=50, deadline=None)
@given(sigma=st.floats(1e-4, 1e3), factor=st.floats(1.1, 1e4))
def test_detection_range_scales_as_fourth_root_of_rcs(sigma: float, factor: float) -> None:
    c = loop_constant_m2(**MAHAFZA)
    r1 = max_detection_range(c, sigma, 20.0)
    r2 = max_detection_range(c, sigma * factor, 20.0)
    assert r2 / r1 == pytest.approx(factor**0.25, rel=1e-12)
    # and the SNR at that range is the required one
    assert radar_snr(c, sigma, r1) == pytest.approx(20.0, rel=1e-9)


def test_band_index() -> None:
    got = [BANDS[int(band_index(f))] for f in (180e6, 430e6, 1.3e9, 3e9, 5.5e9, 9.5e9, 15e9)]
    assert got == ["VHF", "UHF", "L", "S", "C", "X", "Ku"]


def test_atmospheric_loss_short_path_grazing_saturating() -> None:
    s_band = BANDS.index("S")
    # short path: alpha * R (0.014 dB/km two-way at S band)
    assert atmospheric_loss_db(1e3, 0.0, s_band) == pytest.approx(0.014, rel=1e-3)
    # Blake-type saturation: a grazing ray loses a few dB at long range, not alpha*R
    long = float(atmospheric_loss_db(350e3, 0.0, s_band))
    assert 2.5 < long < 0.014 * 350
    # higher rays lose less; losses grow with range and frequency
    assert atmospheric_loss_db(200e3, 0.2, s_band) < atmospheric_loss_db(200e3, 0.0, s_band)
    assert np.all(np.diff(atmospheric_loss_db(np.linspace(1e3, 5e5, 20), 0.01, s_band)) > 0)
    assert atmospheric_loss_db(100e3, 0.0, BANDS.index("X")) > atmospheric_loss_db(
        100e3, 0.0, BANDS.index("L")
    )


# --- horizon -----------------------------------------------------------------------------


@pytest.mark.parametrize(("h_ft", "d_mi"), [(100.0, 14.14), (10_000.0, 141.4), (40_000.0, 282.8)])
def test_horizon_rule_of_thumb(h_ft: float, d_mi: float) -> None:
    # 4/3 earth: d[statute mi] = sqrt(2 h[ft]) (Skolnik 2001, eq. 8.13 and text).
    d_m = horizon_distance_m(h_ft * 0.3048)
    assert d_m / 1609.344 == pytest.approx(d_mi, rel=0.005)


@pytest.mark.parametrize("h_m", [1.0, 10.0, 100.0, 1000.0, 10_000.0])
def test_horizon_matches_sqrt_2kRh(h_m: float) -> None:
    k, r = 4.0 / 3.0, 6_371_008.8
    assert horizon_distance_m(h_m) == pytest.approx(np.sqrt(2 * k * r * h_m), rel=1e-3)
    assert horizon_distance_m(h_m, k=1.0) == pytest.approx(np.sqrt(2 * r * h_m), rel=1e-3)


def test_visibility_of_low_target() -> None:
    # 10 m antenna, 30 m cruise missile: 13.0 + 22.6 = 35.6 km.
    dmax = float(max_visible_distance_m(10.0, 30.0))
    assert dmax == pytest.approx(35_600, rel=0.01)
    assert visible_over_smooth_earth(dmax - 100, 10.0, 30.0)
    assert not visible_over_smooth_earth(dmax + 100, 10.0, 30.0)


def test_elevation_angle_small_distance_and_horizon() -> None:
    assert elevation_angle_rad(1000.0, 110.0, 10.0) == pytest.approx(np.arctan(0.1), abs=1e-4)
    # a point exactly at the horizon distance at height 0 has the dip angle -d/a_e
    d = float(horizon_distance_m(100.0))
    el = float(elevation_angle_rad(d, 0.0, 100.0))
    assert el == pytest.approx(-d / (4 / 3 * 6_371_008.8), rel=1e-3)


@settings(max_examples=50, deadline=None)
@given(r=st.floats(1e3, 5e5), el_deg=st.floats(-1.0, 60.0), ha=st.floats(0.0, 50.0))
def test_ray_altitude_round_trip(r: float, el_deg: float, ha: float) -> None:
    h, d = altitude_on_ray_m(r, np.radians(el_deg), ha)
    assert elevation_angle_rad(d, h, ha) == pytest.approx(np.radians(el_deg), abs=1e-9)
