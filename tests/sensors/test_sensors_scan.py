"""Per-azimuth time stamps (sensors/scan.py): plots carry the time the beam lit them.

The consistency test compares plot residuals against truth *at the plot time* with the
reported sigmas: the normalised squared residuals of ``n`` plots (3 components each)
sum to a chi-square with ``3 n`` degrees of freedom, inside its two-sided 95% interval
(Bar-Shalom, Li, Kirubarajan 2001, sec. 5.4.2). Stamping every plot with one time per
scan (the old model) puts the same plots far outside it for a fast target.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import chi2
from sensors_helpers import make_truth
from test_sensors_detect import params, sigs

from iadsim.frames import Detections, Truth
from iadsim.sensors.detect import StandardDetection
from iadsim.sensors.radar import Radar
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.scan import (
    Scan,
    default_sectors,
    illuminated_truth,
    sector_views,
    sectors_reached,
)

DEG = np.pi / 180
MACH2_MPS = 680.0


def straight(p0: np.ndarray, v: np.ndarray, t_s: float) -> Truth:
    """Exact constant-velocity truth of targets at ``t_s`` (p0 (n, 3) at t = 0)."""
    return make_truth(p0 + v * t_s, v, t_s=t_s)


def observe_scans(
    rad: Radar, p0: np.ndarray, v: np.ndarray, n_scans: int, seed: int = 1
) -> Detections:
    """Every sector look of ``n_scans`` scans, as the run pipeline makes them."""
    scan = Scan.of(rad)
    views = sector_views(rad, scan)
    rng = np.random.default_rng(seed)
    out, t = [], -1e-9
    for _ in range(n_scans * scan.n_sectors):
        t = scan.next_look_after(t)
        k, t_a, t_b = scan.look_at(t)
        lit = illuminated_truth(views[k], straight(p0, v, t_a), straight(p0, v, t_b), t_a, t_b)
        dets = views[k].observe(lit, t, rng, sigs(p0.shape[0], 5))
        assert np.all((dets.t_s >= t_a - 1e-9) & (dets.t_s <= t_b + 1e-9))
        out.append(dets)
    return Detections.concat(out)


def chi2_of(dets: Detections, p0: np.ndarray, v: np.ndarray, t_truth: np.ndarray) -> float:
    """Sum of squared normalised (range, az, el) residuals against truth at ``t_truth``."""
    rel = p0[dets.truth_id] + v[dets.truth_id] * t_truth[:, None] - dets.sensor_pos_m()
    horiz = np.hypot(rel[:, 0], rel[:, 1])
    r = np.sqrt(np.sum(rel * rel, axis=1))
    az = np.arctan2(rel[:, 0], rel[:, 1])
    el = np.arctan2(rel[:, 2], horiz)
    d_az = (dets.az_rad - az + np.pi) % (2 * np.pi) - np.pi
    e = [(dets.range_m - r) / dets.sigma_range_m, d_az / dets.sigma_az_rad]
    e.append((dets.el_rad - el) / dets.sigma_el_rad)
    return float(sum(np.sum(x * x) for x in e))


def band(n_plots: int) -> tuple[float, float]:
    return float(chi2.ppf(0.025, 3 * n_plots)), float(chi2.ppf(0.975, 3 * n_plots))


def fast_crossers(
    n: int, range_m: float, speed_mps: float = MACH2_MPS
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` targets (Mach 2) spread in azimuth, each flying across the line of sight."""
    az = (np.arange(n) + 0.5) * 2 * np.pi / n
    p0 = np.stack([range_m * np.sin(az), range_m * np.cos(az), np.full(n, 6000.0)], -1)
    v = speed_mps * np.stack([np.cos(az), -np.sin(az), np.zeros(n)], -1)
    return p0, v


RADARS = {
    "rotating": {},  # 10 s rotation, 360 deg
    "sector": {"kind": "sector", "az_width_rad": 90 * DEG, "scan_period_s": 3.0},
}


@pytest.mark.parametrize("name", list(RADARS))
def test_plot_residuals_at_plot_time_match_the_sigmas(const_library: RcsLibrary, name: str) -> None:
    p = dataclasses.replace(params(**RADARS[name]), detection=StandardDetection(false_alarms=False))
    rad = Radar(radar_id=0, params=p, pos_m=(0.0, 0.0, 10.0), antenna_alt_m=10.0, rcs=const_library)
    width = min(p.az_width_rad, 2 * np.pi)
    p0, v = fast_crossers(12, 60e3)
    keep = np.abs((np.arctan2(p0[:, 0], p0[:, 1]) + np.pi) % (2 * np.pi) - np.pi) < width / 2 - 0.1
    p0, v = p0[keep], v[keep]
    dets = observe_scans(rad, p0, v, n_scans=8)
    assert (dets.truth_id >= 0).all()
    # every target once per scan (Pd ~ 1 at 60 km; a target the beam chases may be
    # lit for the 8th time after the 8th scan's end)
    assert np.all(np.bincount(dets.truth_id, minlength=p0.shape[0]) >= 7)
    assert np.unique(dets.t_s).shape[0] == len(dets)  # per-azimuth, not per-scan, times
    lo, hi = band(len(dets))
    at_plot = chi2_of(dets, p0, v, dets.t_s)
    assert lo <= at_plot <= hi
    # the old stamping: one time per scan (its start) for every plot of the scan
    scan = Scan.of(rad)
    t_scan = scan.phase_s + np.floor((dets.t_s - scan.phase_s) / scan.period_s) * scan.period_s
    assert chi2_of(dets, p0, v, t_scan) > 10 * hi


def test_illumination_time_follows_azimuth(const_library: RcsLibrary) -> None:
    """Within a scan, targets are lit in clockwise order from the scan's start
    azimuth, at ``t0 + T (az - az_start) / W``, each exactly once."""
    rad = Radar(radar_id=0, params=params(), pos_m=(0.0, 0.0, 10.0), antenna_alt_m=10.0,
                rcs=const_library)  # fmt: skip
    p0, _ = fast_crossers(36, 80e3)
    v = np.zeros_like(p0)
    p = dataclasses.replace(rad.params, detection=StandardDetection(false_alarms=False))
    rad = dataclasses.replace(rad, params=p)
    dets = observe_scans(rad, p0, v, n_scans=1)
    scan = Scan.of(rad)
    az_true = np.arctan2(p0[dets.truth_id, 0], p0[dets.truth_id, 1])
    frac = ((az_true - scan.az_start_rad) % (2 * np.pi)) / scan.width_rad
    np.testing.assert_allclose(dets.t_s, scan.phase_s + frac * scan.period_s, atol=1e-9)
    assert sorted(dets.truth_id.tolist()) == list(range(36))


def test_false_alarms_are_stamped_inside_their_look(const_library: RcsLibrary) -> None:
    rad = Radar(radar_id=0, params=params(pfa=1e-4), pos_m=(0.0, 0.0, 10.0), antenna_alt_m=10.0,
                rcs=const_library)  # fmt: skip
    scan = Scan.of(rad)
    views = sector_views(rad, scan)
    empty = make_truth(np.zeros((0, 3)))
    rng = np.random.default_rng(3)
    n_fa = 0
    for k in (0, 3, scan.n_sectors - 1):
        t = scan.phase_s + (k + 1) * scan.sector_s
        kk, t_a, t_b = scan.look_at(t)
        assert kk == k
        d = views[k].observe(empty, t, rng, sigs(0, 5))
        n_fa += len(d)
        assert np.all((d.t_s >= t_a - 1e-9) & (d.t_s <= t_b + 1e-9))
        off = (d.az_rad - scan.sector_centre_rad(k) + np.pi) % (2 * np.pi) - np.pi
        assert np.all(np.abs(off) <= scan.width_rad / scan.n_sectors / 2 + 0.01)  # + noise
    assert n_fa > 0


def test_sector_looks_tile_the_scan() -> None:
    scan = Scan(period_s=10.0, phase_s=0.3, az_start_rad=1.0, width_rad=2 * np.pi, n_sectors=10)
    t, seen = -1e-9, []
    for _ in range(25):
        t = scan.next_look_after(t)
        k, t_a, t_b = scan.look_at(t)
        seen.append(k)
        assert t_b - t_a == pytest.approx(scan.sector_s)
        assert t == pytest.approx(t_b)  # a look is processed when its sector is complete
    assert seen == [i % 10 for i in range(25)]
    assert default_sectors(10.0) == 10 and default_sectors(3.0) == 3 and default_sectors(0.2) == 1


def _track_nees(rad: Radar, p0: np.ndarray, v: np.ndarray, keep_times: bool) -> float:
    """Mean 3-D position NEES of the firm track of a lone target after 6 scans, the
    tracker fed one batch per look (plot times kept, or all set to the look time)."""
    from iadsim.scenario.schema_tracking import compile_tracker

    tracker = compile_tracker()
    scan = Scan.of(rad)
    views = sector_views(rad, scan)
    rng, t, out = np.random.default_rng(5), -1e-9, []
    for _ in range(30 * scan.n_sectors):
        t = scan.next_look_after(t)
        k, t_a, t_b = scan.look_at(t)
        lit = illuminated_truth(views[k], straight(p0, v, t_a), straight(p0, v, t_b), t_a, t_b)
        dets = views[k].observe(lit, t, rng, sigs(1, 5))
        if not len(dets):
            continue
        if not keep_times:  # the old model: one time for the whole look
            dets = dataclasses.replace(dets, t_s=np.full(len(dets), t))
        tracks = tracker.step(dets, t, batch=True)
        firm = np.flatnonzero(tracks.status == 1)
        if t > 6 * scan.period_s and firm.size:
            e = p0[0] + v[0] * t - tracks.pos_m()[firm[0]]
            var = np.array([tracks.var_e_m2[firm[0]], tracks.var_n_m2[firm[0]],
                            tracks.var_u_m2[firm[0]]])  # fmt: skip
            out.append(float(np.sum(e * e / var)))
    assert len(out) >= 10
    return float(np.mean(out))


def test_tracker_registers_each_plot_at_its_own_time(const_library: RcsLibrary) -> None:
    """A 250 m/s crosser seen by a 10 s rotating radar in 2 looks per scan: with the
    plots' own times the track's mean position NEES stays near its 3 degrees of
    freedom; stamped with the look time, the track is registered up to 5 s off.
    (The default tracker's two-point start, not the time stamps, is what fails at
    Mach 2 with a 10 s revisit: it does so with plots processed at their own times.)"""
    p = dataclasses.replace(params(scan_sectors=2), detection=StandardDetection(false_alarms=False))
    rad = Radar(radar_id=0, params=p, pos_m=(0.0, 0.0, 10.0), antenna_alt_m=10.0,
                rcs=const_library)  # fmt: skip
    p0, v = fast_crossers(1, 60e3, 250.0)
    own = _track_nees(rad, p0, v, keep_times=True)
    stamped = _track_nees(rad, p0, v, keep_times=False)
    assert own < 9.0  # a single run: 3 +- its spread, far from the stamped case
    assert stamped > 10 * own


def _lit_all_rows(view: Radar, start: Truth, end: Truth, t_a: float, t_b: float) -> Truth:
    """``illuminated_truth`` as first written: every row of ``start`` interpolated, the
    targets of the look marked ``alive`` (the oracle of the wedge-only form)."""
    names = ("e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "alt_m")
    a = np.stack([getattr(start, c) for c in names])
    b = np.stack([getattr(end, c) for c in names])
    c = view.group.dwell_constants.coverage
    rate, t_c, half = view.sweep_rate_rad_s, 0.5 * (t_a + t_b), 0.5 * view.group.az_width_rad[0]

    def offset(e: np.ndarray, n: np.ndarray) -> np.ndarray:
        az = np.arctan2(e - c.e_m, n - c.n_m)
        return (az - c.az_center_rad + np.pi) % (2 * np.pi) - np.pi

    def state_at(t: np.ndarray) -> np.ndarray:
        w = (t - t_a) / (t_b - t_a)
        return a * (1.0 - w) + b * w

    d = offset(0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1]))
    inside = start.alive & end.alive & (d >= -half) & (d < half)
    t = np.where(inside, np.clip(t_c + d / rate, t_a, t_b), t_c)
    at = state_at(t)
    t = np.where(inside, np.clip(t_c + offset(at[0], at[1]) / rate, t_a, t_b), t_c)
    row = state_at(t)
    return Truth(
        t_s=t, threat_id=start.threat_id, alive=inside, **dict(zip(names, row, strict=True))
    )


@pytest.mark.parametrize("name", list(RADARS))
def test_lit_rows_are_the_wedge_rows_of_the_all_rows_form(
    const_library: RcsLibrary, name: str
) -> None:
    """The look's rows (wedge only) are bit-identical to the rows the all-rows form marks
    alive, in the same order; rows not alive at both ends never enter a look."""
    rad = Radar(radar_id=0, params=params(**RADARS[name]), pos_m=(100.0, -50.0, 10.0),
                antenna_alt_m=10.0, rcs=const_library)  # fmt: skip
    scan = Scan.of(rad)
    views = sector_views(rad, scan)
    rng = np.random.default_rng(11)
    p0 = rng.uniform(-90e3, 90e3, (400, 3))
    v = rng.uniform(-700.0, 700.0, (400, 3))
    ids = np.arange(400, dtype=np.int64) * 3 + 1
    seen = 0
    for k in range(scan.n_sectors):
        t_b = scan.phase_s + (k + 1) * scan.sector_s
        _, t_a, _ = scan.look_at(t_b)
        start = make_truth(p0 + v * t_a, v, t_s=t_a, ids=ids)
        end = make_truth(p0 + v * t_b, v, t_s=t_b, ids=ids)
        end = dataclasses.replace(end, alive=rng.random(400) < 0.8)  # some die in the look
        got = illuminated_truth(views[k], start, end, t_a, t_b)
        want = _lit_all_rows(views[k], start, end, t_a, t_b)
        want = want.select(want.alive)
        assert got.alive.all() and len(got) == len(want)
        for c in Truth.columns():
            np.testing.assert_array_equal(getattr(got, c), getattr(want, c), err_msg=c)
        seen += len(got)
    share = scan.width_rad / (2 * np.pi)  # the sectors tile the coverage: most live rows
    assert 0.6 * 0.8 * 400 * share < seen  # in it were looked at


def test_a_look_whose_wedge_holds_no_target_has_no_rows(const_library: RcsLibrary) -> None:
    """Targets in one sector only (azimuth 17-19 deg: the centre of sector 5 of 10,
    which start at 180 deg): every other look has no truth rows (and no plots but
    false alarms), that sector's look has them all."""
    rad = Radar(radar_id=0, params=params(**RADARS["rotating"]), pos_m=(0.0, 0.0, 10.0),
                antenna_alt_m=10.0, rcs=const_library)  # fmt: skip
    scan = Scan.of(rad)
    views = sector_views(rad, scan)
    az = np.array([17.0, 18.0, 19.0]) * DEG
    p0 = np.stack([50e3 * np.sin(az), 50e3 * np.cos(az), np.full(3, 3000.0)], axis=-1)
    v = np.zeros((3, 3))
    lit_rows = []
    for k in range(scan.n_sectors):
        t_b = scan.phase_s + (k + 1) * scan.sector_s
        _, t_a, _ = scan.look_at(t_b)
        lit = illuminated_truth(views[k], straight(p0, v, t_a), straight(p0, v, t_b), t_a, t_b)
        assert lit.columns() == Truth.columns()
        dets = views[k].observe(lit, t_b, np.random.default_rng(k), sigs(3, 5))
        assert np.all(dets.truth_id == -1) or len(lit)
        lit_rows.append(len(lit))
    assert lit_rows == [3 if k == 5 else 0 for k in range(scan.n_sectors)]


@pytest.mark.parametrize("name", list(RADARS))
def test_sectors_reached_holds_every_look_that_lights_a_target(
    const_library: RcsLibrary, name: str
) -> None:
    """Midpoints of a start position in one box and an end position in the next (the two
    boxes share a corner, as adjacent truth-table windows share a sample) lie in a wedge
    only if :func:`sectors_reached` says that sector may be lit by one of the boxes."""
    rad = Radar(radar_id=0, params=params(**RADARS[name]), pos_m=(100.0, -50.0, 10.0),
                antenna_alt_m=10.0, rcs=const_library)  # fmt: skip
    views = sector_views(rad, Scan.of(rad))
    rng = np.random.default_rng(5)
    k = 300
    shared = rng.uniform(-60e3, 60e3, (k, 2))
    size = rng.choice([10.0, 1e3, 2e4], k)[:, None] * rng.random((k, 2))
    sign = rng.choice([-1.0, 1.0], (k, 2))

    def box(corner: np.ndarray, span: np.ndarray) -> np.ndarray:
        lo, hi = np.minimum(corner, corner + span), np.maximum(corner, corner + span)
        return np.array([lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1]])

    box_a, box_b = box(shared, size * sign), box(shared, -size * sign)
    reach = sectors_reached(views, np.stack([box_a.T, box_b.T], axis=2))  # (k, n_sectors)
    reach = reach.T  # each target's two boxes as one set: the sectors it may be lit in
    u = rng.random((4, 50, k))
    a = np.array([box_a[0] + u[0] * (box_a[1] - box_a[0]), box_a[2] + u[1] * (box_a[3] - box_a[2])])
    b = np.array([box_b[0] + u[2] * (box_b[1] - box_b[0]), box_b[2] + u[3] * (box_b[3] - box_b[2])])
    mid = 0.5 * (a + b)  # (2, 50, k)
    c = views[0].group.dwell_constants.coverage
    az = np.arctan2(mid[0] - c.e_m, mid[1] - c.n_m)
    lit_any = False
    for s, view in enumerate(views):
        d = (az - view.group.dwell_constants.coverage.az_center_rad + np.pi) % (2 * np.pi) - np.pi
        half = 0.5 * view.params.az_width_rad
        lit = ((d >= -half) & (d < half)).any(axis=0)  # (k,) targets this look may light
        assert not (lit & ~reach[s]).any()
        lit_any |= bool(lit.any())
    assert lit_any and not reach.all()  # (and the test excludes some sectors)
    assert sectors_reached(views, np.full((2, 4, 3), np.nan)).all()  # unknown: anywhere
    assert not sectors_reached(views, np.zeros((2, 4, 0))).any()  # no target: no sector
