"""CAT048 plots: decoding of hand-built bytes, export -> import round trip within the
encoding LSBs, and clean errors on truncated or garbage files.

Reference: EUROCONTROL-SPEC-0149-4, ASTERIX Part 4 Category 048 Monoradar Target
Reports, edition 1.32: I048/140 time of day LSB 1/128 s; I048/040 RHO LSB 1/256 NM,
THETA LSB 360/2^16 deg; I048/110 3D height LSB 25 ft (14 bits, two's complement);
FSPEC FRN order 010, 140, 020, 040, 070, 090, 130, FX / 220 ... 170, FX / 210, 030,
080, 100, 110, ...
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("asterix.generated")

from iadsim.analysis.asterix.cat048 import LSB, decode_cat048
from iadsim.analysis.asterix.export import detections_to_cat048, sites_yaml
from iadsim.analysis.asterix.geometry import enu_plots_to_radar
from iadsim.analysis.asterix.sites import RadarSites, load_sites, plots_to_detections
from iadsim.errors import IadsimError, InputDataError
from iadsim.frames import Detections

NM = 1852.0
FT = 0.3048

# Two records, built by hand from the specification (see the module docstring):
# FSPEC D1 01 08 = items 010, 140, 040 and (third octet) 110.
REC1 = bytes.fromhex("D101081907546040648040000190")
#   SAC 25, SIC 7; ToD 0x546040 = 5,529,664 / 128 = 43,200.5 s; RHO 0x6480 = 25,728 / 256
#   = 100.5 NM; THETA 0x4000 = 16,384 * 360 / 65,536 = 90 deg; height 0x190 = 400 * 25 ft
REC2 = bytes.fromhex("D1010819085460800100FFFF3FF6")
#   SIC 8; ToD 0x546080 = 43,201 s; RHO 1 NM; THETA 65,535 -> 359.9945 deg; height 0x3FF6
#   = -10 (14-bit two's complement) * 25 ft = -250 ft
BLOCK = bytes([48]) + (3 + len(REC1) + len(REC2)).to_bytes(2, "big") + REC1 + REC2


def test_hand_built_records_decode_to_the_values_computed_from_the_spec() -> None:
    p = decode_cat048(BLOCK, "hand.ast")
    assert p.size == 2
    assert p.sac.tolist() == [25, 25] and p.sic.tolist() == [7, 8]
    assert p.tod_s.tolist() == [43_200.5, 43_201.0]
    assert p.rho_m == pytest.approx([100.5 * NM, 1.0 * NM], abs=1e-9)
    assert np.degrees(p.theta_rad) == pytest.approx([90.0, 65_535 * 360 / 65_536], abs=1e-12)
    assert p.height_m == pytest.approx([10_000 * FT, -250 * FT], abs=1e-9)
    assert p.offset.tolist() == [3, 3 + len(REC1)]


def test_hand_built_plot_lands_where_pymap3d_puts_it() -> None:
    # The first record seen by a radar at 40 N 30 E, 100 m: its detection, taken back to
    # geodetic with pymap3d (independent geodesy), has the record's azimuth, range and height.
    sites = RadarSites.model_validate({"radars": [
        {"sac": 25, "sic": 7, "lat_deg": 40.0, "lon_deg": 30.0, "alt_m": 100.0,
         "sigma_range_m": 50, "sigma_az_deg": 0.2, "sigma_el_deg": 0.3},
        {"sac": 25, "sic": 8, "lat_deg": 40.5, "lon_deg": 30.0, "alt_m": 0.0,
         "sigma_range_m": 50, "sigma_az_deg": 0.2, "sigma_el_deg": 0.3}]})  # fmt: skip
    dets, _ = plots_to_detections(decode_cat048(BLOCK, "h.ast"), sites, "h.ast", dims=3)
    e, n, u = dets.enu_m()[0]
    lat, lon, h = pymap3d.enu2geodetic(e, n, u, 40.0, 30.0, 100.0)  # origin = first radar
    az, _, srange = pymap3d.geodetic2aer(lat, lon, h, 40.0, 30.0, 100.0)
    assert h == pytest.approx(10_000 * FT, abs=1e-3)
    assert az == pytest.approx(90.0, abs=1e-9) and srange == pytest.approx(100.5 * NM, abs=1e-3)
    assert dets.t_s.tolist() == [43_200.5, 43_201.0]
    assert dets.sigma_range_m.tolist() == [50.0, 50.0]


def _scene(rng: np.random.Generator, n: int = 400) -> tuple[Detections, tuple[float, ...]]:
    """Plots of two radars out to 450 km at heights within I048/110's range."""
    origin = (math.radians(39.95), math.radians(32.69), 840.0)
    radar = rng.integers(0, 2, n)
    sensors = np.array([[2000.0, 1500.0, 12.0], [-30_000.0, 45_000.0, 600.0]])[radar]
    rng_m = rng.uniform(1_000.0, 450_000.0, n)
    el = np.arcsin(rng.uniform(-0.02, 1.0, n) * np.minimum(1.0, 20_000.0 / rng_m))
    m = n
    dets = Detections(
        t_s=np.sort(rng.uniform(0.0, 3_000.0, n)), radar_id=radar, range_m=rng_m,
        az_rad=rng.uniform(0, 2 * np.pi, n), el_rad=el, rdot_mps=np.zeros(m),
        snr_db=np.full(m, 20.0), sigma_range_m=np.where(radar == 0, 50.0, 20.0),
        sigma_az_rad=np.full(m, 0.003), sigma_el_rad=np.full(m, 0.004),
        sigma_rdot_mps=np.full(m, np.inf), sensor_e_m=sensors[:, 0],
        sensor_n_m=sensors[:, 1], sensor_u_m=sensors[:, 2], truth_id=np.arange(m),
    )  # fmt: skip
    return dets, origin


@pytest.mark.parametrize("seed", range(4))
def test_export_import_round_trip_within_the_lsbs(seed: int, tmp_path: Path) -> None:
    dets, origin = _scene(np.random.default_rng(seed))
    data, ok = detections_to_cat048(dets, origin, sac=3)
    assert ok.all()
    (tmp_path / "sites.yaml").write_text(sites_yaml(dets, origin, ["a", "b"], sac=3))
    sites = load_sites(tmp_path / "sites.yaml")
    back, order = plots_to_detections(decode_cat048(data, "x.ast"), sites, "x.ast", dims=3)
    assert np.array_equal(order, np.arange(len(dets)))  # time order kept
    assert np.abs(back.t_s - dets.t_s).max() <= LSB["tod_s"] / 2 + 1e-9
    assert np.array_equal(back.radar_id, dets.radar_id)
    assert np.abs(back.sensor_pos_m() - dets.sensor_pos_m()).max() < 1e-3
    for col in ("sigma_range_m", "sigma_az_rad", "sigma_el_rad"):
        assert getattr(back, col) == pytest.approx(getattr(dets, col), rel=1e-5)
    # in the radar's own geometry every quantity is within half its LSB
    az0, r0, h0 = enu_plots_to_radar(dets.enu_m(), dets.sensor_pos_m(), origin)
    az1, r1, h1 = enu_plots_to_radar(back.enu_m(), back.sensor_pos_m(), origin)
    assert np.abs(r1 - r0).max() <= LSB["rho_m"] / 2 + 1e-4
    daz = np.angle(np.exp(1j * (az1 - az0)))
    assert np.abs(daz).max() <= LSB["theta_rad"] / 2 + 1e-9
    assert np.abs(h1 - h0).max() <= LSB["height_m"] / 2 + 1e-4
    # and the range the tracker sees is the slant range, to half an LSB
    assert np.abs(back.range_m - dets.range_m).max() <= LSB["rho_m"] / 2 + 1e-3


def test_plots_that_do_not_fit_are_left_out_not_wrapped() -> None:
    dets, origin = _scene(np.random.default_rng(9), n=50)
    far = dets.range_m.copy()
    far[:5] = 500_000.0  # beyond 256 NM
    el = dets.el_rad.copy()
    el[5:8] = 1.2  # ~300 km up at 450 km: beyond I048/110
    far[5:8] = 300_000.0
    cols = {c: getattr(dets, c) for c in Detections.columns()} | {"range_m": far, "el_rad": el}
    data, ok = detections_to_cat048(Detections(**cols), origin, sac=0)
    assert ok[:8].sum() == 0 and ok[8:].all()
    assert decode_cat048(data, "x.ast").size == 42


def test_other_categories_are_skipped_and_counted() -> None:
    cat034 = bytes.fromhex("220007c0010201")  # a north marker (libasterix README)
    p = decode_cat048(cat034 + BLOCK + cat034, "mix.ast")
    assert p.size == 2 and p.skipped_blocks == {34: 2}


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (BLOCK[:-1], r"^t\.ast: byte 0 \(data block 0\): LEN 31 runs past the end"),
        (BLOCK + b"\x30\x00", r"^t\.ast: byte 31 \(data block 1\): truncated block header"),
        (BLOCK + b"\x30\x00\x01", r"^t\.ast: byte 31 \(data block 1\): LEN 1 is below 3"),
        (bytes([48, 0, 6]) + bytes.fromhex("D10108"), r"^t\.ast: byte 3 \(record 0\): CAT048"),
        (bytes([48, 0, 7]) + bytes.fromhex("A0" "1907" "01"),  # I048/020 FX set, no octet
         r"^t\.ast: byte 3 \(record 0\): CAT048 record does not parse"),
        (bytes([48, 0, 20]) + REC1 + bytes.fromhex("D10108"),
         r"^t\.ast: byte 17 \(record 1\): CAT048 record does not parse"),
        (bytes([48, 0, 9]) + bytes.fromhex("C0" "1907" "546040"),
         r"^t\.ast: byte 3 \(record 0\): I048/040: required item is missing"),
        (bytes([34, 0, 3]), r"^t\.ast: no CAT048 records"),
    ],
)  # fmt: skip
def test_bad_files_are_one_line_errors(data: bytes, expect: str) -> None:
    with pytest.raises(InputDataError, match=expect) as err:
        decode_cat048(data, "t.ast")
    assert "\n" not in str(err.value)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(0, len(BLOCK) * 2 - 1))
def test_truncated_files_are_clean_errors(cut: int) -> None:
    data = (BLOCK + BLOCK)[:cut]
    if cut in (len(BLOCK), 2 * len(BLOCK)):
        assert decode_cat048(data, "t.ast").size == 2 * cut // len(BLOCK)
    else:
        with pytest.raises(InputDataError) as err:
            decode_cat048(data, "t.ast")
        assert str(err.value).startswith("t.ast: ") and "\n" not in str(err.value)


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=200)
    | st.builds(
        lambda body, pos, byte: (lambda b: b[:pos] + bytes([byte]) + b[pos + 1 :])(body),
        st.just(BLOCK + BLOCK), st.integers(0, 2 * len(BLOCK) - 1), st.integers(0, 255),
    )
)  # fmt: skip
def test_garbage_is_decoded_or_refused_in_one_line(data: bytes) -> None:
    try:
        p = decode_cat048(data, "g.ast")
    except IadsimError as err:
        assert str(err).startswith("g.ast: ") and "\n" not in str(err)
    else:
        assert p.size >= 1 and np.isfinite(p.tod_s).all() and (p.rho_m >= 0).all()


def test_skip_bad_counts_bad_records_and_keeps_the_first_offset() -> None:
    no_040 = bytes.fromhex("C01907546040")  # parses, lacks I048/040
    cut = bytes.fromhex("D10108")  # FSPEC only: does not parse, ends its block
    mixed = bytes([48]) + (3 + len(REC1) + len(no_040) + len(REC2)).to_bytes(2, "big")
    mixed += REC1 + no_040 + REC2
    broken = bytes([48]) + (3 + len(REC1) + len(cut)).to_bytes(2, "big") + REC1 + cut
    data = BLOCK + mixed + broken + BLOCK + b"\x30\x00\x40"  # last header runs past the end
    with pytest.raises(InputDataError, match=r"^s\.ast: byte 48 \(record 3\): I048/040"):
        decode_cat048(data, "s.ast")
    p = decode_cat048(data, "s.ast", skip_bad=True)
    # kept: BLOCK (2), mixed (REC1, REC2), broken (REC1), BLOCK (2); lost: no_040, the
    # record that does not parse (with the rest of its block), the truncated tail
    assert p.size == 7 and p.sic.tolist() == [7, 8, 7, 8, 7, 7, 8]
    assert p.n_bad == 3
    assert p.first_bad.startswith("s.ast: byte 48 (record 3): I048/040: required item")
