"""The optimised dwell (range gate first, per-pair tests, early outs, scalar random
draws, flat RCS gathers) against the straightforward reference in
``dwell_reference.py``: identical detections bit for bit, and the random stream
left in the same state."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from dwell_reference import (
    ref_aspect,
    ref_atmospheric_loss_db,
    ref_draw_detection,
    ref_false_alarms,
    ref_observe,
    ref_rcs_dbsm,
    ref_sigmas,
)

from iadsim.frames import Detections, Truth
from iadsim.sensors.detect import dwell
from iadsim.sensors.measurement import draw_detection
from iadsim.sensors.params import RadarParams
from iadsim.sensors.radar import Radar, RadarGroup
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.rcs import RcsLibrary, RcsTableParams, aspect_angles, aspect_angles_enu
from iadsim.sensors.signatures import TargetSignatures
from iadsim.sensors.terrain import TerrainMask

#: The detection model under test.


@pytest.fixture(scope="module")
def library(rcs_tables: dict[str, RcsTableParams]) -> RcsLibrary:
    return RcsLibrary.from_tables(list(rcs_tables.values()))


def _mask(seed: int, n_az: int, n_r: int, alt_m: float) -> TerrainMask:
    """A random cumulative mask (0-1.5 deg walls) of the given table shape."""
    r = np.random.default_rng(seed)
    walls = np.radians(r.uniform(-0.5, 1.5, (n_az, n_r)) * (r.random((n_az, n_r)) < 0.05))
    mask = np.maximum.accumulate(walls, axis=1)
    mask[:, 0] = -np.pi / 2
    return TerrainMask(mask_el_rad=mask, range_step_m=1000.0, antenna_alt_m=alt_m)


def _radars(params: dict[str, RadarParams], lib: RcsLibrary) -> list[Radar]:
    """Every catalog radar, with and without masks, sector and full, alert-confirm."""
    out = []
    for i, (name, p) in enumerate(sorted(params.items())):
        for variant in range(2):
            q = p
            if variant:
                q = dataclasses.replace(p, confirmation_dwell=not p.confirmation_dwell)
            if name.startswith("mahafza"):
                q = dataclasses.replace(q, atmosphere=bool(variant))
            rid = 2 * i + variant
            bearing = 2 * math.pi * rid / 12
            pos = (30e3 * math.sin(bearing), 30e3 * math.cos(bearing), 15.0 + rid)
            n_r = int(q.instrumented_range_m // 1000) + 1 - 40 * variant
            mask = _mask(rid, (720, 360)[variant], n_r, 500.0 + rid) if rid % 3 else None
            out.append(
                Radar(
                    radar_id=rid,
                    params=q,
                    pos_m=pos,
                    antenna_alt_m=500.0 + rid,
                    rcs=lib,
                    terrain=mask,
                    boresight_az_rad=(bearing + math.pi) % (2 * math.pi),
                    antenna_height_m=15.0 + rid if rid % 2 else None,
                )
            )
    return out


def _truth(seed: int, n: int, lib: RcsLibrary, *, dense: bool) -> tuple[Truth, TargetSignatures]:
    """Random targets (some dead, some at rest, clusters sharing a resolution cell)."""
    r = np.random.default_rng(seed)
    pos = np.column_stack([r.uniform(-400e3, 400e3, (n, 2)), r.uniform(30.0, 15e3, n)])
    vel = r.normal(0.0, 200.0, (n, 3)) * np.array([1.0, 1.0, 0.05])
    vel[r.random(n) < 0.1] = 0.0
    k = n // 4
    pos[1:k:2] = pos[0 : k - 1 : 2] + r.normal(0.0, 20.0, (len(pos[1:k:2]), 3))  # pairs
    ids = np.arange(n) if dense else 1000 + 7 * r.permutation(n)
    truth = Truth(
        t_s=np.zeros(n),
        threat_id=ids,
        e_m=pos[:, 0],
        n_m=pos[:, 1],
        u_m=pos[:, 2] - (np.hypot(pos[:, 0], pos[:, 1]) ** 2) / (2 * 6.371e6),
        ve_mps=vel[:, 0],
        vn_mps=vel[:, 1],
        vu_mps=vel[:, 2],
        alt_m=pos[:, 2] + 400.0,
        alive=r.random(n) > 0.15,
    )
    sigs = TargetSignatures.from_tables(
        ids,
        r.integers(0, len(lib.names), n),
        lib,
        swerling=r.integers(0, 6, n) if seed % 2 else None,
        rcs_scale_db=r.normal(0.0, 3.0, n),
    )
    return truth, sigs


def _assert_same(a: Detections, b: Detections) -> None:
    assert len(a) == len(b)
    for name in Detections.columns():
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert x.tobytes() == y.tobytes(), name  # bit for bit (signed zeros too)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("false_alarms", [True, False])
def test_dwells_of_every_radar_match_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary, seed: int, false_alarms: bool
) -> None:
    truth, sigs = _truth(seed, (40, 400, 3000, 7)[seed], library, dense=seed < 2)
    fast, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    n_det = 0
    for rad in _radars(radar_params, library):
        group = RadarGroup.of([rad])
        for t_s in (0.0, 1.5, 3.0):
            a = dwell(group, truth, t_s, fast, sigs, false_alarms=false_alarms)
            b = ref_observe(group, truth, t_s, ref, sigs, false_alarms=false_alarms)
            _assert_same(a, b)
            n_det += int((a.truth_id >= 0).sum())
    assert n_det > 0  # the comparison covered target returns, not only false alarms
    assert fast.bit_generator.state == ref.bit_generator.state


@pytest.mark.parametrize("seed", [4, 5])
def test_single_radar_dwells_match_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary, seed: int
) -> None:
    truth, sigs = _truth(seed, 60, library, dense=seed % 2 == 0)
    fast, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    for rad in _radars(radar_params, library):
        for t_s in (0.0, 2.0):
            _assert_same(
                rad.observe(truth, t_s, fast, sigs),
                ref_observe(RadarGroup.of([rad]), truth, t_s, ref, sigs),
            )
    assert fast.bit_generator.state == ref.bit_generator.state


@pytest.mark.parametrize("az_beamwidth_rad", [2e-5, 0.2])
def test_resolution_cells_match_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary, az_beamwidth_rad: float
) -> None:
    # Targets sharing range cells but not beams (and the reverse), with beam indices
    # that fit the cell key's 16 bits and that do not (then no shortcut applies).
    truth, sigs = _truth(6, 200, library, dense=True)
    r = np.random.default_rng(6)
    ring = r.uniform(60e3, 61e3, 200)
    az = np.linspace(0.0, 2 * np.pi, 200, endpoint=False) + r.normal(0.0, 1e-4, 200)
    truth = dataclasses.replace(
        truth,
        e_m=ring * np.sin(az),
        n_m=ring * np.cos(az),
        u_m=np.full(200, 3000.0),
        alt_m=np.full(200, 3300.0),
        alive=np.ones(200, dtype=bool),
    )
    radars = [
        dataclasses.replace(
            rad, params=dataclasses.replace(rad.params, az_beamwidth_rad=az_beamwidth_rad)
        )
        for rad in _radars(radar_params, library)[:4]
    ]
    fast, ref = np.random.default_rng(8), np.random.default_rng(8)
    for g in (RadarGroup.of([rad]) for rad in radars):
        a = dwell(g, truth, 0.0, fast, sigs, false_alarms=False)
        _assert_same(a, ref_observe(g, truth, 0.0, ref, sigs, false_alarms=False))
        assert len(a) > 0
    assert fast.bit_generator.state == ref.bit_generator.state


@pytest.mark.parametrize("case", ["no threats", "all dead", "out of range", "behind terrain"])
def test_dwell_without_visible_targets_matches_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary, case: str
) -> None:
    # The early outs (nothing alive, nothing in the range gate, nothing visible)
    # must draw exactly what the full path draws: false alarms and their noise.
    radars = _radars(radar_params, library)
    truth, sigs = _truth(9, 30, library, dense=True)
    if case == "no threats":
        truth = truth.select(np.zeros(len(truth), dtype=bool))
    elif case == "all dead":
        truth = dataclasses.replace(truth, alive=np.zeros(len(truth), dtype=bool))
    elif case == "out of range":
        truth = dataclasses.replace(truth, e_m=truth.e_m + 5e6)
    else:  # below every wall: 1 m above the ground beyond the first mask bin
        truth = dataclasses.replace(truth, alt_m=np.full(len(truth), 501.0))
        radars = [r for r in radars if r.terrain is not None]
    fast, ref = np.random.default_rng(3), np.random.default_rng(3)
    n_fa = 0
    for rad in radars:
        a = rad.observe(truth, 1.0, fast, sigs)
        _assert_same(a, ref_observe(RadarGroup.of([rad]), truth, 1.0, ref, sigs))
        assert np.all(a.truth_id == -1)
        n_fa += len(a)
    assert n_fa > 0
    assert fast.bit_generator.state == ref.bit_generator.state


@pytest.mark.parametrize("m", [1, 2, 7])
@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4, 5, 6, -1, "mixed"])
@pytest.mark.parametrize("n_shape", ["pairs", "one radar", "mixed"])
def test_draw_detection_matches_reference(m: int, swerling: int | str, n_shape: str) -> None:
    r = np.random.default_rng(m)
    snr = r.uniform(0.0, 30.0, m)
    sw = r.integers(-1, 7, m) if swerling == "mixed" else np.full(m, swerling)
    n = {"pairs": np.full(m, 4), "one radar": np.array([4]), "mixed": r.integers(1, 9, m)}
    threshold = np.full(n[n_shape].shape, 20.0)
    fast, ref = np.random.default_rng(1), np.random.default_rng(1)
    det_a, lam_a = draw_detection(snr, n[n_shape], sw, threshold, fast)
    det_b, lam_b = ref_draw_detection(snr, n[n_shape], sw, threshold, ref)
    assert lam_a.tobytes() == lam_b.tobytes()
    np.testing.assert_array_equal(det_a, det_b)
    assert fast.bit_generator.state == ref.bit_generator.state


def test_false_alarm_draws_match_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary
) -> None:
    """A dwell's false alarms (one radar's float-parameter draws) equal the straightforward
    reference bit for bit, and leave the generator in the same state."""
    for radar in _radars(radar_params, library):
        g = radar.group
        draws = g.dwell_constants.draws
        mean = g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0)
        fast, ref = np.random.default_rng(2), np.random.default_rng(2)
        for _ in range(4):
            got = draws.false_alarms(fast)
            want = ref_false_alarms(g, mean, ref)[1:]
            if got is None:
                assert want[0].shape == (0,)
                continue
            for x, y in zip(got, want, strict=True):
                assert x.tobytes() == y.tobytes()
        assert fast.bit_generator.state == ref.bit_generator.state


def test_one_radar_sigmas_match_reference(
    radar_params: dict[str, RadarParams], library: RcsLibrary
) -> None:
    """One radar's measurement sigmas from its float parameters equal the reference's
    from its arrays, bit for bit."""
    snr = np.array([1e-9, 0.3, 2.0, 40.0, 1e5])
    for radar in _radars(radar_params, library):
        g = radar.group
        want = ref_sigmas(snr, g, np.zeros(snr.shape[0], dtype=np.int64))
        for x, y in zip(g.dwell_constants.draws.sigmas(snr), want, strict=True):
            assert x.tobytes() == y.tobytes()


def test_rcs_lookups_match_reference(library: RcsLibrary) -> None:
    r = np.random.default_rng(0)
    n = 5000
    vel = r.normal(0.0, 200.0, (n, 3))
    vel[:50] = 0.0
    los = r.normal(0.0, 1e4, (n, 3))
    az, el = aspect_angles(vel, los)
    az_ref, el_ref = ref_aspect(vel, los)
    assert az.tobytes() == az_ref.tobytes() and el.tobytes() == el_ref.tobytes()
    az_c, el_c, lh = aspect_angles_enu(*vel.T, *los.T)
    assert az_c.tobytes() == az.tobytes() and el_c.tobytes() == el.tobytes()
    np.testing.assert_array_equal(lh, np.hypot(los[:, 0], los[:, 1]))
    tab = r.integers(0, len(library.names), n)
    band = r.integers(0, 7, n)
    ref = ref_rcs_dbsm(library, tab, az, el, band)
    assert library.rcs_dbsm(tab, az, el, band).tobytes() == ref.tobytes()
    pairs = library.rcs_m2_pairs(tab, az, el, band)
    assert pairs.tobytes() == (10.0 ** (ref / 10.0)).tobytes()
    # out-of-range aspects are clamped as before (public, broadcasting path)
    wild_az, wild_el = r.uniform(-7.0, 7.0, n), r.uniform(-3.0, 3.0, n)
    out = library.rcs_dbsm(tab, wild_az, wild_el, band[0])
    assert out.tobytes() == ref_rcs_dbsm(library, tab, wild_az, wild_el, band[0]).tobytes()


def test_atmospheric_loss_matches_reference() -> None:
    r = np.random.default_rng(4)
    el = np.concatenate([r.uniform(-2.0, 2.0, 10_000), [-0.0, 0.0, np.pi / 2, -np.pi / 2]])
    rng_m = np.concatenate([r.uniform(1e3, 6e5, 10_000), np.full(4, 5e4)])
    band = r.integers(0, 7, el.size)
    got = atmospheric_loss_db(rng_m, el, band)
    assert got.tobytes() == ref_atmospheric_loss_db(rng_m, el, band).tobytes()


def test_signature_positions_dense_and_sparse(library: RcsLibrary) -> None:
    dense = TargetSignatures.from_tables(np.arange(5)[::-1], np.zeros(5), library)
    np.testing.assert_array_equal(dense.positions([4, 0, 2]), [4, 0, 2])
    sparse = TargetSignatures.from_tables([30, 10, 20], [0, 1, 2], library)
    np.testing.assert_array_equal(sparse.positions([20, 30]), [1, 2])
    for sig, bad in ((dense, [5]), (dense, [-1]), (sparse, [15]), (sparse, [40])):
        with pytest.raises(ValueError, match="no signature"):
            sig.positions(bad)
    assert dense.positions(np.zeros(0, dtype=np.int64)).size == 0


def test_observe_checks_signatures_of_living_threats_only(
    radar_params: dict[str, RadarParams], library: RcsLibrary
) -> None:
    rad = _radars(radar_params, library)[0]
    truth, _ = _truth(1, 10, library, dense=True)
    sigs = TargetSignatures.from_tables(np.arange(9), np.zeros(9), library)  # no id 9
    alive = np.ones(10, dtype=bool)
    with pytest.raises(ValueError, match="no signature"):
        rad.observe(dataclasses.replace(truth, alive=alive), 0.0, np.random.default_rng(0), sigs)
    alive[9] = False
    rad.observe(dataclasses.replace(truth, alive=alive), 0.0, np.random.default_rng(0), sigs)


def test_dwell_constants_built_once(
    radar_params: dict[str, RadarParams], library: RcsLibrary
) -> None:
    kinds = set()
    for rad in _radars(radar_params, library):
        group = RadarGroup.of([rad])
        assert group.dwell_constants is group.dwell_constants
        c = group.dwell_constants
        assert c.coverage.tan_el_min == np.tan(group.el_min_rad[0])
        kinds.add((c.coverage.masked, c.coverage.sector))
    assert len(kinds) == 4  # masked and smooth, sector and full-circle radars were covered


def test_cue_window_range_gate_first_matches_all_rows() -> None:
    """``_in_window`` (angles only inside the range gate) = every test on every row."""
    from iadsim.sensors.radar import _in_window

    rng = np.random.default_rng(8)
    rel = rng.uniform(-60e3, 60e3, (3000, 3))
    rel[::97] = np.nan  # rows of threats not alive (NaN states) are never inside
    for _ in range(20):
        centre = np.array([rng.uniform(1e3, 80e3), rng.uniform(0, 2 * np.pi), rng.uniform(0, 1)])
        half = np.array([rng.uniform(1e2, 3e4), rng.uniform(0.01, 3.5), rng.uniform(0.01, 1.6)])
        r = np.sqrt(np.sum(rel * rel, axis=-1))
        az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
        el = np.arcsin(np.clip(rel[:, 2] / np.maximum(r, 1.0), -1.0, 1.0))
        daz = np.abs((az - centre[1] + np.pi) % (2 * np.pi) - np.pi)
        want = (np.abs(r - centre[0]) <= half[0]) & (daz <= half[1])
        want &= np.abs(el - centre[2]) <= half[2]
        np.testing.assert_array_equal(_in_window(rel, centre, half), want)


def test_reported_ranges_stay_inside_the_range_window(
    radar_params: dict[str, RadarParams], library: RcsLibrary
) -> None:
    """The receiver gates the measured range: no plot below the minimum range or beyond
    the instrumented range, although noise moves returns near either edge across it
    (an analyst's check found false alarms at 600,038 m of a 600 km radar and plots at
    4,997 m of a 5 km minimum). Targets on shells just inside both edges, and false
    alarms uniform to the edge; the noise is drawn first, so the stream matches."""
    near_edge = 0
    for rad in _radars(radar_params, library)[:6]:
        p = rad.params
        r = np.random.default_rng(rad.radar_id)
        shell = np.where(r.random(300) < 0.5, p.min_range_m + 2.0, p.instrumented_range_m - 2.0)
        az = r.uniform(0.0, 2 * np.pi, 300)
        el = np.radians(r.uniform(0.5, 3.0, 300))
        x, y, z = np.asarray(rad.pos_m)
        truth = Truth(
            t_s=np.zeros(300), threat_id=np.arange(300),
            e_m=x + shell * np.cos(el) * np.sin(az), n_m=y + shell * np.cos(el) * np.cos(az),
            u_m=z + shell * np.sin(el), ve_mps=np.zeros(300), vn_mps=np.zeros(300),
            vu_mps=np.zeros(300), alt_m=rad.antenna_alt_m + shell * np.sin(el) + 1e3,
            alive=np.ones(300, dtype=bool),
        )  # fmt: skip
        sigs = TargetSignatures.from_tables(np.arange(300), np.zeros(300, np.int64), library,
                                            rcs_scale_db=np.full(300, 30.0))  # fmt: skip
        group = RadarGroup.of([rad])
        fast, ref = np.random.default_rng(1), np.random.default_rng(1)
        for t_s in (0.0, 1.0, 2.0):
            a = dwell(group, truth, t_s, fast, sigs)
            _assert_same(a, ref_observe(group, truth, t_s, ref, sigs))
            assert np.all(a.range_m >= p.min_range_m), a.range_m.min()
            assert np.all(a.range_m <= p.instrumented_range_m), a.range_m.max()
            edge = np.minimum(a.range_m - p.min_range_m, p.instrumented_range_m - a.range_m)
            near_edge += int(np.sum(edge < 3.0 * a.sigma_range_m))
    assert near_edge > 100  # plots whose noise could have crossed an edge (not vacuous)
