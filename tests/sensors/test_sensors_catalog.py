"""Radar/RCS schema validation, compilation and the bundled catalog's calibration."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pydantic import ValidationError
from sensors_helpers import load_yaml

from iadsim.scenario.schema_sensors import RadarType, RcsTable, compile_radar
from iadsim.sensors.coverage import coverage_table
from iadsim.sensors.params import RadarParams
from iadsim.sensors.radar_equation import BANDS, radar_snr
from iadsim.sensors.rcs import RcsLibrary, RcsTableParams, aspect_angles

RADAR_NAMES = [
    "s400-class-surveillance",
    "s400-class-low-level",
    "s400-class-engagement",
    "vhf-counter-stealth-class",
    "patriot-class-radar",
    "mahafza-c-band-example",
]
TABLE_NAMES = [
    "stealth-fighter",
    "fighter-small",
    "fighter-large",
    "cruise-missile",
    "small-drone",
    "large-aircraft",
]


def test_catalog_has_the_named_entries_with_sources(radar_models, rcs_tables) -> None:  # type: ignore[no-untyped-def]
    assert set(RADAR_NAMES) <= set(radar_models)
    assert set(TABLE_NAMES) <= set(rcs_tables)
    for raw in list(load_yaml("radars.yaml").values()) + list(load_yaml("rcs.yaml").values()):
        assert len(raw["source"]) > 20


def test_every_radar_compiles_to_si(radar_params: dict[str, RadarParams]) -> None:
    for name, p in radar_params.items():
        assert p.name == name
        assert p.loop_constant_m2 > 0
        assert 0 < p.az_beamwidth_rad < 0.2
        assert p.instrumented_range_m > p.min_range_m


def test_claimed_figures_are_carried(radar_params: dict[str, RadarParams]) -> None:
    assert radar_params["s400-class-surveillance"].instrumented_range_m == 600e3  # [claimed]
    fc = radar_params["s400-class-engagement"].fire_control
    # system claim 36 targets / 72 missiles [claimed] split over 2 battalions per regiment
    assert fc is not None and (fc.target_channels, fc.missile_channels) == (18, 36)
    patriot = radar_params["patriot-class-radar"].fire_control
    assert patriot is not None and patriot.missile_channels == 9  # "up to 9 missiles guided"
    assert radar_params["s400-class-surveillance"].fire_control is None
    assert radar_params["s400-class-low-level"].channels == 100  # [claimed]
    assert radar_params["s400-class-engagement"].band_name == "X"
    assert radar_params["vhf-counter-stealth-class"].band_name == "VHF"
    assert radar_params["patriot-class-radar"].band_name == "C"
    assert radar_params["s400-class-surveillance"].band_name == "S"


def test_surveillance_radar_calibration(radar_params: dict[str, RadarParams]) -> None:
    # public-figures.md sec. 5: a 1-5 m^2 fighter detected at ~300-400 km in free space.
    tab = coverage_table(radar_params["s400-class-surveillance"], [1.0, 2.0, 5.0], [10_000.0])
    r_km = tab.range_m[:, 0] / 1e3
    assert 280 <= r_km[0] and r_km[1] == pytest.approx(350, abs=1) and r_km[2] <= 430


def test_reference_range_round_trip(radar_params: dict[str, RadarParams]) -> None:
    # the engagement radar is calibrated to 2 m^2 at 250 km, Pd 0.9 (People's Daily claim)
    tab = coverage_table(radar_params["s400-class-engagement"], [2.0], [10_000.0], pd=0.9)
    assert tab.range_m[0, 0] == pytest.approx(250e3, rel=1e-3)


def test_full_parameters_match_textbook(radar_params: dict[str, RadarParams]) -> None:
    # Mahafza Fig. 2.1: 16.35 dB at 75 km for 0.1 m^2 (public-figures.md sec. 4)
    c = radar_params["mahafza-c-band-example"].loop_constant_m2
    assert 10 * np.log10(radar_snr(c, 0.1, 75e3)) == pytest.approx(16.35, abs=0.05)


def test_aperture_form_equals_gain_form(radar_models) -> None:  # type: ignore[no-untyped-def]
    raw = load_yaml("radars.yaml")["mahafza-c-band-example"]
    lam = 299_792_458.0 / 5.6e9
    ap = copy.deepcopy(raw)
    del ap["performance"]["tx_gain_db"]
    ap["performance"]["aperture_m2"] = 10**4.5 * lam**2 / (4 * np.pi)
    a = compile_radar(RadarType.model_validate(ap)).loop_constant_m2
    b = compile_radar(radar_models["mahafza-c-band-example"]).loop_constant_m2
    assert a == pytest.approx(b, rel=1e-9)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("performance", "peak_power_w"), -1.0, "greater than 0"),
        (("pfa",), 1.5, "less than 1"),
        (("pfa",), 0.0, "greater than 0"),
        (("frequency_hz",), 0.0, "must be >= 1e6: a frequency in Hz"),
        (("az_beamwidth_deg",), 400.0, "less than or equal to 360"),
        (("el_max_deg",), -5.0, "el_max_deg"),
        (("min_range_km",), 500.0, "min_range_km"),
        (("wobble",), 1, "Extra inputs"),
    ],
)
def test_impossible_radar_values_rejected(
    path: tuple[str, ...], value: float, message: str
) -> None:
    raw = copy.deepcopy(load_yaml("radars.yaml")["mahafza-c-band-example"])
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValidationError, match=message):
        RadarType.model_validate(raw)


def test_source_is_required() -> None:
    raw = copy.deepcopy(load_yaml("radars.yaml")["patriot-class-radar"])
    del raw["source"]
    with pytest.raises(ValidationError, match="source"):
        RadarType.model_validate(raw)


def test_performance_kind_discriminates() -> None:
    raw = copy.deepcopy(load_yaml("radars.yaml")["patriot-class-radar"])
    raw["performance"] = {"kind": "full", "peak_power_w": 1e6, "noise_figure_db": 3.0}
    with pytest.raises(ValidationError, match="tx_gain_db or aperture_m2"):
        RadarType.model_validate(raw)
    raw["performance"] = {"kind": "magic", "rcs_m2": 1.0}
    with pytest.raises(ValidationError, match="kind"):
        RadarType.model_validate(raw)


def test_rcs_table_shape_errors() -> None:
    with pytest.raises(ValidationError, match="need 3 values"):
        RcsTable.model_validate({"az_deg": [0, 90, 180], "dbsm": {"X": [1, 2]}, "source": "test"})
    with pytest.raises(ValidationError, match="strictly increasing"):
        RcsTable.model_validate({"az_deg": [0, 0], "dbsm": {"X": [1, 2]}, "source": "test"})


# --- RCS tables ---------------------------------------------------------------------------


def test_stealth_table_matches_public_statements(rcs_tables: dict[str, RcsTableParams]) -> None:
    st = rcs_tables["stealth-fighter"]
    x, l_band = BANDS.index("X"), BANDS.index("L")
    nose_x = float(st.rcs_m2(0.0, 0.0, x))
    # X-band frontal 0.001-0.01 m^2 (bhaswanth.in; RF Essentials)
    assert 0.001 <= nose_x <= 0.01
    # "not particularly stealthy in the rear hemisphere and not stealthy to L band"
    assert float(st.rcs_m2(np.pi, 0.0, x)) > 10 * nose_x
    assert float(st.rcs_m2(0.0, 0.0, l_band)) > 10 * nose_x
    fighter = rcs_tables["fighter-small"]
    assert 1.0 <= float(fighter.rcs_m2(0.0, 0.0, x)) <= 5.0  # F-16 class 1-5 m^2
    cm = float(rcs_tables["cruise-missile"].rcs_m2(0.0, 0.0, x))
    assert 0.01 <= cm <= 0.1


def test_interpolation_is_in_db(rcs_tables: dict[str, RcsTableParams]) -> None:
    st = rcs_tables["stealth-fighter"]
    x = BANDS.index("X")
    mid = float(10 * np.log10(st.rcs_m2(np.radians(15.0), 0.0, x)))
    assert mid == pytest.approx(-27.5, abs=0.05)  # halfway between -30 and -25 dBsm


def test_missing_bands_interpolated_between_neighbours(rcs_tables) -> None:  # type: ignore[no-untyped-def]
    # fighter-small gives S and L but not C (between S and X) or UHF (between L and VHF)
    f = rcs_tables["fighter-small"].rcs_dbsm
    assert f[BANDS.index("UHF"), 0, 0] == pytest.approx(5.0)  # (4 + 6) / 2
    assert f[BANDS.index("C"), 0, 0] == pytest.approx(3.0)


def test_library_gather_matches_per_table(rcs_tables: dict[str, RcsTableParams]) -> None:
    tabs = list(rcs_tables.values())
    lib = RcsLibrary.from_tables(tabs)
    rng = np.random.default_rng(0)
    t = rng.integers(0, len(tabs), 200)
    az = rng.uniform(0, np.pi, 200)
    el = rng.uniform(-0.5, 0.5, 200)
    band = rng.integers(0, len(BANDS), 200)
    got = lib.rcs_dbsm(t, az, el, band)
    for i in range(0, 200, 37):
        one = RcsLibrary.from_tables([tabs[t[i]]]).rcs_dbsm(0, az[i], el[i], band[i])
        assert got[i] == pytest.approx(float(one), abs=1e-12)


def test_library_grid_is_c_ordered(rcs_tables: dict[str, RcsTableParams]) -> None:
    """Lookups flatten the grid with ``reshape(-1)``: a view only if it is C-ordered
    (a copy of the whole library per lookup otherwise)."""
    names = [[k] for k in rcs_tables] + [["cruise-missile", "small-drone"], list(rcs_tables)]
    for chosen in names:  # the stack's layout depends on its tables' shapes
        lib = RcsLibrary.from_tables([rcs_tables[k] for k in chosen])
        assert lib.grid_dbsm.flags.c_contiguous, chosen
        assert np.shares_memory(lib.grid_dbsm.reshape(-1), lib.grid_dbsm), chosen


def test_aspect_angles() -> None:
    vel = np.array([[0.0, 250.0, 0.0], [0.0, 250.0, 0.0], [250.0, 0.0, 0.0], [0, 0, 0.0]])
    # radar to the north of each target (target->radar vector points north)
    los = np.array([[0.0, 1e4, 0.0], [0.0, -1e4, 0.0], [0.0, 1e4, 0.0], [0.0, 1e4, 0.0]])
    az, el = aspect_angles(vel, los)
    np.testing.assert_allclose(az, [0.0, np.pi, np.pi / 2, 0.0], atol=1e-12)
    np.testing.assert_allclose(el, 0.0, atol=1e-12)
    # radar below a level target: negative aspect elevation; climbing shifts it further
    _, el2 = aspect_angles(np.array([250.0, 0, 0]), np.array([1e4, 0.0, -1e4]))
    assert float(el2) == pytest.approx(-np.pi / 4)
