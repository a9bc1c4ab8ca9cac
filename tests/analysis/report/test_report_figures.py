"""Report figures against the numbers they show, computed independently of the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from iadsim.analysis.report import coverage as cov
from iadsim.analysis.report.plots import GOSPA_C_M, accuracy_figures, vertical_figure
from iadsim.analysis.report.rundata import RunData, load_run
from iadsim.frames import TrackStatus, Truth
from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.coverage import coverage_table
from iadsim.sensors.horizon import max_visible_distance_m

F64 = NDArray[np.float64]


def _truth_at(tr: Truth, t_s: float) -> tuple[list[int], F64]:
    """Threat ids alive at ``t_s`` and their positions, linear between live samples."""
    ids, pos = [], []
    for tid in np.unique(tr.threat_id):
        rows = np.flatnonzero((tr.threat_id == tid) & tr.alive)
        ts = tr.t_s[rows]
        if rows.size == 0 or not ts[0] - 1e-6 <= t_s <= ts[-1] + 1e-6:
            continue
        ids.append(int(tid))
        pos.append([np.interp(t_s, ts, getattr(tr, c)[rows]) for c in ("e_m", "n_m", "u_m")])
    return ids, np.asarray(pos, dtype=float).reshape(-1, 3)


def _independent_pairs(run: RunData) -> dict[str, tuple[int, float, float, float]]:
    """Per threat class: (pairs, first t, last t, RMS error) of the GOSPA assignment of
    confirmed/coasting tracks to live truth at each time of the picture the report
    scores (the change rows held at the evaluation times, as ``iadsim score`` holds
    them: ``track_picture``), by scipy's assignment."""
    from iadsim.analysis.report.rundata import track_picture

    picture, _times = track_picture(run)
    t = {c: getattr(picture, c) for c in ("t_s", "status", "e_m", "n_m", "u_m")}
    types = run.world.threats.type
    scored = np.isin(t["status"], [TrackStatus.CONFIRMED, TrackStatus.COASTING])
    out: dict[str, list[tuple[float, float]]] = {}
    for tk in np.unique(t["t_s"][scored]):
        rows = np.flatnonzero(scored & (t["t_s"] == tk))
        ids, truth_pos = _truth_at(run.truth, float(tk))
        if not ids:
            continue
        trk = np.stack([t["e_m"][rows], t["n_m"][rows], t["u_m"][rows]], axis=-1)
        d = np.linalg.norm(truth_pos[:, None, :] - trk[None, :, :], axis=-1)
        i, j = linear_sum_assignment(np.minimum(d, GOSPA_C_M))
        for a, b in zip(i, j, strict=True):
            if d[a, b] < GOSPA_C_M:
                out.setdefault(types[ids[a]], []).append((float(tk), float(d[a, b])))
    res = {}
    for cls, pairs in out.items():
        tt, e = np.asarray(pairs).T
        res[cls] = (tt.size, float(tt.min()), float(tt.max()), float(np.sqrt(np.mean(e**2))))
    return res


def test_position_error_points_are_the_truth_nearest_tracks_per_class(
    default_run: Path,
) -> None:
    run = load_run(default_run)
    _gospa, err, _stats = accuracy_figures(run)
    expected = _independent_pairs(run)
    shown = {tr["name"]: tr for tr in err["data"] if len(tr["x"])}
    assert set(shown) == set(expected)
    for cls, (n, t0, t1, rms) in expected.items():
        x, y = np.asarray(shown[cls]["x"], float), np.asarray(shown[cls]["y"], float)
        assert abs(x.size - n) <= max(2, n // 100), cls
        assert abs(x.min() - t0) <= 1.0 and abs(x.max() - t1) <= 1.0, cls
        assert np.sqrt(np.mean(y**2)) == pytest.approx(rms, rel=0.03), cls


def _ground_km(slant_m: float, alt_m: float, antenna_m: float, k: float) -> float:
    """Ground range of a slant range on the k-earth (law of cosines), km."""
    ae = k * EARTH_MEAN_RADIUS_M
    ra, rt = ae + antenna_m, ae + alt_m
    return float(ae * np.arccos((ra**2 + rt**2 - slant_m**2) / (2 * ra * rt))) / 1e3


@pytest.mark.parametrize("rcs_m2", [0.01, 1.0, 10.0])
def test_vertical_coverage_is_the_coverage_table(default_run: Path, rcs_m2: float) -> None:
    run = load_run(default_run)
    for radar in cov.site_radars(run.world, run.scenario):
        p = cov.sector_params(radar)
        curve = vertical_figure(radar, [rcs_m2])["data"][1]
        x, y = np.asarray(curve["x"], float), np.asarray(curve["y"], float)
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(y >= 0)
        # never beyond the radio horizon of the point's own altitude
        reach = max_visible_distance_m(p.antenna_height_m, y * 1e3, radar.k) / 1e3
        assert np.all(x <= reach * 1.002 + 0.05), p.name
        top = int(np.argmax(y))  # the far edge, up to the top (then the el_max cone)
        x, y = x[: top + 1], y[: top + 1]
        alts = [50.0, 300.0, 1000.0, 3000.0, 10000.0, 25000.0]
        table = coverage_table(p, [rcs_m2], alts, k=radar.k)
        for j, alt in enumerate(alts):
            r = float(table.range_m[0, j])
            if not np.isfinite(r):  # above el_max while detectable: no point there
                assert y.max() < alt / 1e3, (p.name, alt)
                continue
            want = _ground_km(r, alt, p.antenna_height_m, radar.k)
            assert np.interp(alt / 1e3, y, x) == pytest.approx(want, rel=0.005, abs=0.2), (
                p.name,
                alt,
                table.limit_name(0, j),
            )


def test_low_level_radar_sees_1_m2_at_1_km_out_to_the_horizon(default_run: Path) -> None:
    """Hand calculation: 25 m mast, 4/3 earth, target at 1 km: sqrt(2 k a h) summed."""
    run = load_run(default_run)
    radar = next(
        r for r in cov.site_radars(run.world, run.scenario) if r.params.name.endswith("low-level")
    )
    ae = 4.0 / 3.0 * EARTH_MEAN_RADIUS_M
    hand_km = (np.sqrt(2 * ae * radar.params.antenna_height_m) + np.sqrt(2 * ae * 1000.0)) / 1e3
    curve = vertical_figure(radar, [1.0])["data"][1]
    x, y = np.asarray(curve["x"], float), np.asarray(curve["y"], float)
    top = int(np.argmax(y))  # the far edge
    assert np.interp(1.0, y[: top + 1], x[: top + 1]) == pytest.approx(hand_km, rel=0.005)
    assert "radio horizon" in vertical_figure(radar, [1.0])["data"][0]["name"]


def _cone_slant_m(el_rad: float, antenna_m: float, alt_m: float, k: float) -> float:
    """Slant range along the ray of elevation ``el_rad`` to height ``alt_m`` over the
    k-earth: r_t^2 = r_a^2 + R^2 + 2 R r_a sin(el), solved for R."""
    ae = k * EARTH_MEAN_RADIUS_M
    ra, rt = ae + antenna_m, ae + alt_m
    s = np.sin(el_rad)
    return float(-ra * s + np.sqrt((ra * s) ** 2 + rt**2 - ra**2))


@pytest.mark.parametrize("rcs_m2", [0.01, 1.0])
def test_vertical_coverage_is_closed_by_the_el_max_cone(default_run: Path, rcs_m2: float) -> None:
    """The contour ended at its highest detected altitude: the top of the beam (el_max),
    above which the coverage table has no coverage ("above"), was not drawn."""
    run = load_run(default_run)
    for radar in cov.site_radars(run.world, run.scenario):
        p = cov.sector_params(radar)
        curve = vertical_figure(radar, [rcs_m2])["data"][1]
        x, y = np.asarray(curve["x"], float), np.asarray(curve["y"], float)
        top = int(np.argmax(y))
        # at the top, the far edge meets the cone: nothing detected just above it
        above = coverage_table(p, [rcs_m2], [y[top] * 1e3 * 1.002 + 1.0], k=radar.k)
        assert np.isnan(above.range_m[0, 0]), (p.name, y[top])
        # from there down the el_max ray to the antenna
        xc, yc = x[top:], y[top:]
        assert xc.size >= 10, p.name
        assert xc[-1] == pytest.approx(0.0, abs=1e-3), p.name
        assert yc[-1] == pytest.approx(p.antenna_height_m / 1e3, abs=1e-3), p.name
        assert np.all(np.diff(yc) <= 0) and np.all(np.diff(xc) <= 0), p.name
        want = [
            _ground_km(
                _cone_slant_m(p.el_max_rad, p.antenna_height_m, h * 1e3, radar.k),
                h * 1e3,
                p.antenna_height_m,
                radar.k,
            )
            for h in yc
        ]
        assert xc == pytest.approx(want, rel=0.005, abs=0.05), p.name
