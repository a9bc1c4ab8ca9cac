"""Detection steps as kernels (resolution, Pd draw with alert-confirm, noise, signal),
each against an independent form; the composed dwell is in test_sensors_detect.py."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.sensors.detection import DetectionModel, StandardDetection
from iadsim.sensors.measurement import (
    add_measurement_noise,
    draw_confirmed_detection,
    draw_detection,
)
from iadsim.sensors.radar_equation import radar_snr
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.resolution import cell_indices, merge_cells, snr_weighted_centroids
from iadsim.sensors.signal import target_signal


def _oracle_groups(rb: np.ndarray, ab: np.ndarray, eb: np.ndarray) -> np.ndarray:
    """Group ids by a dict over cell tuples, numbered in sorted cell order."""
    cells = list(zip(rb.tolist(), ab.tolist(), eb.tolist(), strict=True))
    ids = {c: i for i, c in enumerate(sorted(set(cells)))}
    return np.array([ids[c] for c in cells], dtype=np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_merge_cells_matches_a_dict_grouping(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 60))
    hi = (3, 40, 1 << 20)[seed % 3]  # dense collisions to large indices
    rb, ab, eb = (rng.integers(0, hi, m) for _ in range(3))
    if seed % 2:  # force some shared range cells
        rb = rng.integers(0, 3, m)
    snr = rng.exponential(10.0, m)
    merged = merge_cells(rb, ab, eb, snr)
    expected = _oracle_groups(rb, ab, eb)
    if merged is None:
        assert len(set(expected.tolist())) == m
        return
    np.testing.assert_array_equal(merged.group, expected)
    for g in range(int(expected.max()) + 1):
        rows = np.flatnonzero(expected == g)
        assert merged.total[g] == pytest.approx(snr[rows].sum(), rel=1e-12)
        assert merged.best[g] == rows[np.argmax(snr[rows])]


def test_cell_indices_have_no_upper_limit() -> None:
    el = np.radians([45.0, 60.0])
    rb, ab, eb = cell_indices(
        np.full(2, 20e3), np.zeros(2), el, range_resolution_m=150.0,
        az_beamwidth_rad=0.01, el_beamwidth_rad=np.radians(0.01), el_min_rad=0.0,
    )  # fmt: skip
    assert rb.tolist() == [133, 133] and ab.tolist() == [0, 0]
    assert np.all(np.abs(eb - np.array([4500, 6000])) <= 1)  # floor of 4500 and 6000 (+- rounding)
    assert merge_cells(rb, ab, eb, np.ones(2)) is None


def test_centroids_are_snr_weighted_means() -> None:
    rb, ab, eb = np.zeros(3, np.int64), np.zeros(3, np.int64), np.array([0, 0, 1])
    snr = np.array([1.0, 3.0, 5.0])
    merged = merge_cells(rb, ab, eb, snr)
    assert merged is not None
    (x,) = snr_weighted_centroids(merged, snr, np.array([0.0, 4.0, 9.0]))
    np.testing.assert_allclose(x, [3.0, 9.0])


def test_confirmation_off_is_one_draw_and_on_squares_the_pd() -> None:
    m = 40_000
    snr = np.full(m, 3.0)
    n, sw, thr = np.ones(1, np.int64), np.ones(m, np.int64), np.array([13.8])
    a, b = np.random.default_rng(1), np.random.default_rng(1)
    det1, _ = draw_confirmed_detection(snr, n, sw, thr, False, a)
    det2, _ = draw_detection(snr, n, sw, thr, b)
    np.testing.assert_array_equal(det1, det2)
    assert a.bit_generator.state == b.bit_generator.state
    pd = det1.mean()
    det_c, lam_c = draw_confirmed_detection(snr, n, sw, thr, True, np.random.default_rng(2))
    # two independent looks: Pd^2 (binomial 5-sigma band)
    assert abs(det_c.mean() - pd**2) < 5 * np.sqrt(pd**2 * (1 - pd**2) / m) + 0.01
    assert np.all(lam_c >= 0)


def test_measurement_noise_has_the_given_sigmas() -> None:
    m = 50_000
    zeros = np.zeros(m)
    sig = (np.full(m, 20.0), np.full(m, 1e-3), np.full(m, 2e-3), np.full(m, np.inf))
    r, az, el, v = add_measurement_noise(
        np.full(m, 1e4), np.full(m, 1.0), zeros, np.full(m, 5.0), sig, np.random.default_rng(3)
    )
    assert np.std(r) == pytest.approx(20.0, rel=0.03)
    assert np.std(az) == pytest.approx(1e-3, rel=0.03)
    assert np.std(el) == pytest.approx(2e-3, rel=0.03)
    assert np.all(v == 0.0)  # no Doppler: range rate not measured


def test_signal_is_the_radar_equation(const_library: RcsLibrary) -> None:
    # constant 0 dBsm table: SNR = C sigma / R^4 (Skolnik 2001 eq. 2.61 folded into C)
    de, dn, du = np.array([3e3, 0.0]), np.array([4e3, 50e3]), np.array([0.0, 1e3])
    zeros = np.zeros(2)
    s = target_signal(
        de, dn, du, zeros, np.array([0.0, -100.0]), zeros, az=None, rcs=const_library,
        table_index=np.zeros(2, np.int64), rcs_scale_linear=np.ones(2), band=1,
        loop_constant_m2=1e18, atmosphere=False,
    )  # fmt: skip
    r = np.sqrt(de**2 + dn**2 + du**2)
    np.testing.assert_allclose(s.r, r)
    np.testing.assert_allclose(s.snr, radar_snr(1e18, 1.0, r), rtol=1e-12)
    np.testing.assert_allclose(s.rdot, [0.0, -100.0 * 50e3 / r[1]])
    np.testing.assert_allclose(s.az, [np.arctan2(3.0, 4.0), 0.0])


def test_standard_detection_is_a_detection_model() -> None:
    model: DetectionModel = StandardDetection()
    assert model.kind == "standard"


def test_a_toy_detection_model_plugs_into_a_radar(const_library: RcsLibrary) -> None:
    """A new detection model is one class (here: every visible target, no noise),
    reusing the visibility step; the radar type takes it as ``detection=`` (the one seam)."""
    import dataclasses

    from sensors_helpers import make_truth
    from test_sensors_detect import radar, ring, sigs

    from iadsim.frames import Detections, Truth
    from iadsim.sensors.visibility import visible_targets

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Perfect:
        kind: str = "perfect"

        def observe(self, radar, truth: Truth, t_s, rng, signatures):  # type: ignore[no-untyped-def]
            seen = visible_targets(
                radar.group.dwell_constants.coverage, truth.e_m, truth.n_m, truth.u_m, truth.alt_m
            )
            m = 0 if seen is None else seen.ti.shape[0]
            if seen is None:
                return Detections.empty()
            horiz = np.hypot(seen.de, seen.dn)
            zeros = np.zeros(m)
            return Detections(
                t_s=np.full(m, t_s), radar_id=np.full(m, radar.radar_id),
                range_m=np.hypot(horiz, seen.du),
                az_rad=np.mod(np.arctan2(seen.de, seen.dn), 2 * np.pi),
                el_rad=np.arctan2(seen.du, horiz), rdot_mps=zeros, snr_db=np.full(m, 99.0),
                sigma_range_m=zeros, sigma_az_rad=zeros, sigma_el_rad=zeros, sigma_rdot_mps=zeros,
                sensor_e_m=zeros, sensor_n_m=zeros, sensor_u_m=np.full(m, 10.0),
                truth_id=truth.threat_id[seen.ti],
            )  # fmt: skip

    model: DetectionModel = Perfect()
    base = radar(const_library)
    rad = dataclasses.replace(base, params=dataclasses.replace(base.params, detection=model))
    truth = make_truth(np.concatenate([ring(8, 50e3), ring(4, 900e3)]))  # 4 beyond range
    d = rad.observe(truth, 0.0, np.random.default_rng(0), sigs(12, 0))
    assert sorted(d.truth_id.tolist()) == list(range(8))
    np.testing.assert_allclose(d.enu_m(), truth.pos_m()[:8], atol=1e-6)
