"""Reference (pre-optimisation) dwell kernel: an oracle for the fast paths of
:mod:`iadsim.sensors.detect`, :mod:`~iadsim.sensors.measurement` and
:mod:`~iadsim.sensors.rcs`.

This is the straightforward whole-grid formulation (every test on the full
(radar, target) grid, ``np.select`` for the fluctuation parameters, parameter
arrays for every random draw, 4-D gathers of the RCS grid). The optimised code
must reproduce it bit for bit, random stream included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import erfcx

from iadsim.frames import Detections, Truth
from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.radar import RadarGroup
from iadsim.sensors.radar_equation import TWO_WAY_ATTENUATION_DB_PER_KM
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.signatures import TargetSignatures

F = NDArray[np.float64]
TWO_PI = 2.0 * np.pi


def ref_horizon_m(h: Any, k: float) -> F:
    ae = k * EARTH_MEAN_RADIUS_M
    h = np.maximum(np.asarray(h, dtype=np.float64), 0.0)
    return np.asarray(ae * np.arccos(ae / (ae + h)))


def ref_tan_el(d: F, h: F, ha: F, k: float) -> F:
    ae = k * EARTH_MEAN_RADIUS_M
    phi = d / ae
    p2 = phi * phi
    rt = ae + h
    num = (h - ha) - rt * p2 * (0.5 - p2 / 24.0)
    den = rt * phi * (1.0 - p2 / 6.0 + p2 * p2 / 120.0)
    return np.asarray(num / np.maximum(den, 1e-12))


def ref_visible_pairs(g: RadarGroup, pos: F, alt: F) -> tuple[Any, Any, F]:
    de = pos[None, :, 0] - g.pos_m[:, 0:1]
    dn = pos[None, :, 1] - g.pos_m[:, 1:2]
    du = pos[None, :, 2] - g.pos_m[:, 2:3]
    horiz2 = de * de + dn * dn
    rng2 = horiz2 + du * du
    ok = (rng2 <= (g.max_range_m**2)[:, None]) & (rng2 >= (g.min_range_m**2)[:, None])
    horiz = np.sqrt(horiz2)
    k = float(g.k[0])
    t_el = ref_tan_el(horiz, alt[None, :], g.antenna_alt_m[:, None], k)
    ok &= (t_el >= np.tan(g.el_min_rad)[:, None]) & (t_el <= np.tan(g.el_max_rad)[:, None])
    need_az = np.nonzero(g.has_mask | (g.az_width_rad < TWO_PI - 1e-9))[0]
    az = np.zeros_like(de)
    if need_az.size:
        az[need_az] = np.mod(np.arctan2(de[need_az], dn[need_az]), TWO_PI)
    sec = np.nonzero(g.az_width_rad < TWO_PI - 1e-9)[0]
    if sec.size:
        daz = np.mod(az[sec] - g.az_center_rad[sec, None] + np.pi, TWO_PI) - np.pi
        ok[sec] &= np.abs(daz) <= 0.5 * g.az_width_rad[sec, None]
    smooth = np.nonzero(~g.has_mask)[0]
    if smooth.size:
        h_t = alt[None, :] - g.ground_alt_m[smooth, None]
        dmax = ref_horizon_m(g.antenna_height_m[smooth, None], k) + ref_horizon_m(h_t, k)
        ok[smooth] &= horiz[smooth] <= dmax
    masked = np.nonzero(g.has_mask)[0]
    if masked.size:
        n_az, n_r = g.mask_tan.shape[1], g.mask_tan.shape[2]
        ia = np.rint(az[masked] * (g.mask_n_az[masked] / TWO_PI)[:, None]).astype(np.int64)
        ia %= g.mask_n_az[masked, None]
        ir = np.minimum((horiz[masked] / g.mask_step_m[masked, None]).astype(np.int64), n_r - 1)
        flat = (masked[:, None] * n_az + ia) * n_r + ir
        ok[masked] &= t_el[masked] > g.mask_tan.ravel()[flat]
    ri, ti = np.nonzero(ok)
    p = ri * de.shape[1] + ti
    rel = np.stack([de.ravel()[p], dn.ravel()[p], du.ravel()[p]], axis=-1)
    return ri.astype(np.int64), ti.astype(np.int64), rel


def ref_aspect(vel: F, los: F) -> tuple[F, F]:
    vh = np.hypot(vel[..., 0], vel[..., 1])
    lh = np.hypot(los[..., 0], los[..., 1])
    dot = vel[..., 0] * los[..., 0] + vel[..., 1] * los[..., 1]
    cross = vel[..., 0] * los[..., 1] - vel[..., 1] * los[..., 0]
    az = np.where(vh > 0, np.abs(np.arctan2(cross, dot)), 0.0)
    rng = np.sqrt(lh**2 + los[..., 2] ** 2)
    gamma = np.arctan2(vel[..., 2], vh)
    el = np.arcsin(np.clip(los[..., 2] / np.maximum(rng, 1e-9), -1.0, 1.0)) - gamma
    return az, np.clip(el, -np.pi / 2, np.pi / 2)


def ref_rcs_dbsm(lib: RcsLibrary, table: Any, az: Any, el: Any, band: Any) -> F:
    g = lib.grid_dbsm
    n_el, n_az = g.shape[2], g.shape[3]
    tab, az, el, bd = np.broadcast_arrays(
        np.asarray(table, dtype=np.int64),
        np.asarray(az, dtype=np.float64),
        np.asarray(el, dtype=np.float64),
        np.asarray(band, dtype=np.int64),
    )
    fa = np.clip(np.abs(az), 0.0, np.pi) / np.pi * (n_az - 1)
    fe = (np.clip(el, -np.pi / 2, np.pi / 2) + np.pi / 2) / np.pi * (n_el - 1)
    ia = np.minimum(fa.astype(np.int64), n_az - 2)
    ie = np.minimum(fe.astype(np.int64), n_el - 2)
    wa, we = fa - ia, fe - ie
    v00, v01 = g[tab, bd, ie, ia], g[tab, bd, ie, ia + 1]
    v10, v11 = g[tab, bd, ie + 1, ia], g[tab, bd, ie + 1, ia + 1]
    return np.asarray((1 - we) * ((1 - wa) * v00 + wa * v01) + we * ((1 - wa) * v10 + wa * v11))


def ref_atmospheric_loss_db(r: F, el: F, band: Any) -> F:
    alpha = np.asarray(TWO_WAY_ATTENUATION_DB_PER_KM)[np.asarray(band, dtype=np.int64)] / 1000.0
    ae = 4.0 / 3.0 * 6_371_008.8
    scale = np.sqrt(2.0 * ae * 7000.0)
    b = ae * np.sin(np.clip(el, 0.0, np.pi / 2)) / scale
    c = r / scale
    path = scale * (np.sqrt(np.pi) / 2.0) * (erfcx(b) - np.exp(-(c**2) - 2 * b * c) * erfcx(b + c))
    return np.asarray(alpha * path)


def ref_aer(rel: F) -> tuple[F, F, F]:
    horiz = np.hypot(rel[:, 0], rel[:, 1])
    r = np.hypot(horiz, rel[:, 2])
    return r, np.mod(np.arctan2(rel[:, 0], rel[:, 1]), TWO_PI), np.arctan2(rel[:, 2], horiz)


def ref_merge(g: RadarGroup, ri: Any, r: F, az: F, el: F, snr: F) -> tuple[Any, Any, F]:
    """Resolution cells as rows of (radar, range cell, azimuth beam, elevation beam)
    grouped by ``np.unique`` (no packed key, no index limit)."""
    rb = (r / g.range_resolution_m[ri]).astype(np.int64)
    ab = (az / g.az_beamwidth_rad[ri]).astype(np.int64)
    eb = np.maximum(((el - g.el_min_rad[ri]) / g.el_beamwidth_rad[ri]).astype(np.int64), 0)
    cells = np.stack([np.asarray(ri, dtype=np.int64), rb, ab, eb], axis=1)
    _, group = np.unique(cells, axis=0, return_inverse=True)
    group = group.reshape(-1).astype(np.int64)
    n_groups = int(group.max()) + 1 if group.size else 0
    if n_groups == ri.shape[0]:
        return None, np.arange(ri.shape[0], dtype=np.int64), snr
    by_power = np.lexsort((-snr, group))
    first = np.ones(by_power.shape[0], dtype=bool)
    first[1:] = group[by_power][1:] != group[by_power][:-1]
    total = np.bincount(group, weights=snr, minlength=n_groups)
    return group, by_power[first].astype(np.int64), np.asarray(total)


def ref_draw_detection(
    snr: F, n_pulses: Any, swerling: Any, threshold: F, rng: np.random.Generator
) -> tuple[Any, F]:
    n = np.asarray(n_pulses).astype(np.float64)
    sw = np.where(swerling == 5, 0, swerling)
    shape = np.select([sw == 1, sw == 3, sw == 2, sw == 4], [1.0, 2.0, n, 2.0 * n], 1.0)
    scale = np.where((sw == 3) | (sw == 4), 0.5, 1.0)
    mult = np.where((sw == 1) | (sw == 3), n, 1.0)
    x = np.where(sw == 0, n, mult * rng.gamma(shape, scale))
    lam = snr * x
    y = 0.5 * rng.noncentral_chisquare(2.0 * n, np.maximum(2.0 * lam, 1e-300))
    return np.asarray(y > threshold), np.asarray(lam)


def ref_false_alarms(g: RadarGroup, mean: F, rng: np.random.Generator) -> tuple[Any, ...]:
    counts = rng.poisson(mean)
    ri = np.repeat(np.arange(counts.shape[0]), counts)
    u = rng.random((3, ri.shape[0]))
    r = g.min_range_m[ri] + u[0] * (g.max_range_m[ri] - g.min_range_m[ri])
    az = np.mod(g.az_center_rad[ri] + (u[1] - 0.5) * g.az_width_rad[ri], 2 * np.pi)
    el = g.el_min_rad[ri] + u[2] * (g.el_max_rad[ri] - g.el_min_rad[ri])
    y = g.threshold[ri] + rng.exponential(1.0, ri.shape[0])
    return ri.astype(np.int64), r, az, el, np.maximum(y - g.n_pulses[ri], 1.0)


def ref_sigmas(lam: F, g: RadarGroup, gr: Any) -> tuple[F, F, F, F]:
    root = np.sqrt(2.0 * np.maximum(lam, 1e-6))
    s_r = np.maximum(g.range_resolution_m[gr] / root, g.range_floor_m[gr])
    floor, slope = g.angle_floor_rad[gr], g.monopulse_slope[gr]
    s_az = np.maximum(g.az_beamwidth_rad[gr] / (slope * root), floor)
    s_el = np.maximum(g.el_beamwidth_rad[gr] / (slope * root), floor)
    v = g.velocity_resolution_mps[gr]
    s_v = np.where(v > 0, np.maximum(v / root, g.rdot_floor_mps[gr]), np.inf)
    return s_r, s_az, s_el, s_v


def ref_observe(
    g: RadarGroup,
    truth: Truth,
    t_s: float,
    rng: np.random.Generator,
    signatures: TargetSignatures,
    *,
    false_alarms: bool = True,
    merged_cell: bool = True,
) -> Detections:
    """The straightforward dwell (StandardDetection.observe before its fast paths):
    plots at their truth rows' times (false alarms at their azimuth's time), merged
    plots' sigmas including the resolution cell (``merged_cell``)."""
    alive = np.nonzero(truth.alive)[0]
    pos, vel = truth.pos_m()[alive], truth.vel_mps()[alive]
    alt, tid = truth.alt_m[alive], truth.threat_id[alive]
    ri, ti, rel = ref_visible_pairs(g, pos, alt)
    table_t, swerling_t, scale_t = signatures.lookup(tid)
    aa, ae = ref_aspect(vel[ti], -rel)
    sigma = 10.0 ** (ref_rcs_dbsm(g.rcs, table_t[ti], aa, ae, g.band[ri]) / 10.0)
    sigma = sigma * 10.0 ** (scale_t[ti] / 10.0)
    r, az, el = ref_aer(rel)
    loss_db = np.zeros(r.shape)
    atm = g.atmosphere[ri]
    if atm.any():
        loss_db[atm] = ref_atmospheric_loss_db(r[atm], el[atm], g.band[ri[atm]])
    snr = g.loop_constant_m2[ri] * sigma / r**4 * 10.0 ** (-loss_db / 10.0)
    rdot = np.einsum("pk,pk->p", rel, vel[ti]) / np.maximum(r, 1e-9)
    group, best, total = ref_merge(g, ri, r, az, el, snr)
    if group is not None:
        w = snr / total[group]
        cen = np.stack([np.bincount(group, w * rel[:, k], total.shape[0]) for k in range(3)], -1)
        rdot = np.bincount(group, w * rdot, total.shape[0])
        r, az, el = ref_aer(cen)
    n_in = np.ones(best.shape[0]) if group is None else np.bincount(group, None, best.shape[0])
    merged = n_in > 1
    t_plot = truth.t_s[alive][ti[best]]
    gr = ri[best]
    sw = swerling_t[ti[best]]
    det, lam = ref_draw_detection(total, g.n_pulses[gr], sw, g.threshold[gr], rng)
    conf = det & g.confirm[gr]
    if conf.any():
        det2, lam2 = ref_draw_detection(
            total[conf], g.n_pulses[gr[conf]], sw[conf], g.threshold[gr[conf]], rng
        )
        det[conf] = det2
        lam[conf] = np.maximum(lam[conf], lam2)
    gr, r, az, el, rdot, lam = gr[det], r[det], az[det], el[det], rdot[det], lam[det]
    merged, t_plot = merged[det], t_plot[det]
    truth_id = tid[ti[best]][det]
    if false_alarms:
        mean = g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0)
        fr, f_r, f_az, f_el, f_lam = ref_false_alarms(g, mean, rng)
        gr, r, az, el = (np.concatenate(x) for x in ((gr, fr), (r, f_r), (az, f_az), (el, f_el)))
        rdot = np.concatenate([rdot, rng.uniform(-300.0, 300.0, fr.shape[0])])
        lam = np.concatenate([lam, f_lam])
        truth_id = np.concatenate([truth_id, np.full(fr.shape[0], -1, dtype=np.int64)])
        merged = np.concatenate([merged, np.zeros(fr.shape[0], bool)])
        off = (f_az - g.az_center_rad[fr] + np.pi) % TWO_PI - np.pi
        rate = g.sweep_rate_rad_s[fr]
        t_fa = t_s + np.where(np.isfinite(rate), (off - g.az_width_rad[fr] / 2) / rate, 0.0)
        t_plot = np.concatenate([t_plot, t_fa])
    s_r, s_az, s_el, s_v = ref_sigmas(lam, g, gr)
    rep_r, rep_az, rep_el = s_r, s_az, s_el  # reported sigmas
    if merged_cell:
        rep_r = np.where(merged, np.sqrt(s_r**2 + g.range_resolution_m[gr] ** 2 / 12), s_r)
        rep_az = np.where(merged, np.sqrt(s_az**2 + g.az_beamwidth_rad[gr] ** 2 / 12), s_az)
        rep_el = np.where(merged, np.sqrt(s_el**2 + g.el_beamwidth_rad[gr] ** 2 / 12), s_el)
    z = rng.standard_normal((4, gr.shape[0]))  # noise scaled by the thermal sigmas
    has_v = np.isfinite(s_v)
    r_meas = np.abs(r + s_r * z[0])
    out = Detections(
        t_s=t_plot,
        radar_id=g.radar_id[gr],
        range_m=r_meas,
        az_rad=np.mod(az + s_az * z[1], TWO_PI),
        el_rad=el + s_el * z[2],
        rdot_mps=np.where(has_v, rdot + np.where(has_v, s_v, 0.0) * z[3], 0.0),
        snr_db=10.0 * np.log10(np.maximum(lam, 1e-12)),
        sigma_range_m=np.asarray(rep_r),
        sigma_az_rad=np.asarray(rep_az),
        sigma_el_rad=np.asarray(rep_el),
        sigma_rdot_mps=s_v,
        sensor_e_m=g.pos_m[gr, 0],
        sensor_n_m=g.pos_m[gr, 1],
        sensor_u_m=g.pos_m[gr, 2],
        truth_id=truth_id,
    )
    # the receiver's range window holds the measured range
    return out.select((r_meas >= g.min_range_m[gr]) & (r_meas <= g.max_range_m[gr]))
