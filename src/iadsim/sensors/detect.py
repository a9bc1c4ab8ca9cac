"""One dwell of a batch of radars over all targets, vectorized over (radar, target) pairs.

Steps (each a whole-array operation):

1. Geometry: range, azimuth, elevation of every target from every radar.
2. Visibility: inside the azimuth sector and elevation limits (on the apparent,
   refracted ``k``-earth elevation computed from the ground distance and the
   altitudes above mean sea level: the ENU ``u`` of a distant target drops with
   the earth's curvature), between the minimum and instrumented ranges, above the
   horizon (smooth ``k``-earth, heights relative to the site ground) or, when the
   radar has a :class:`TerrainMask`, above the terrain mask (which already includes
   earth curvature). Reported range, azimuth and elevation are geometric (refraction
   bias assumed corrected), so :meth:`Detections.enu_m` recovers the ENU position.
3. Signal: aspect angles from the target velocity and the line of sight, RCS from
   the shared :class:`RcsLibrary` at the radar's band, ``SNR = C sigma / R^4``
   times two-way atmospheric loss.
4. Resolution: targets in the same (range cell, azimuth beam, elevation beam) of a
   radar form one unresolved return: SNRs add, the position is the SNR-weighted
   centroid and ``truth_id`` is the strongest contributor.
5. Detection: Swerling fluctuation and threshold test
   (:func:`iadsim.sensors.measurement.draw_detection`).
6. Measurement noise shrinking with SNR, plus Poisson false alarms (truth_id -1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Truth
from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.horizon import max_visible_distance_m
from iadsim.sensors.measurement import draw_detection, draw_false_alarms, measurement_sigmas
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.rcs import aspect_angles

if TYPE_CHECKING:
    from iadsim.sensors.radar import RadarGroup, TargetSignatures

__all__ = ["observe_group"]

F = NDArray[np.float64]
TWO_PI = 2.0 * np.pi


def _apparent_tan_el(d: F, h: F, ha: F, k: float) -> F:
    """``tan`` of :func:`elevation_angle_rad` (series for ``cos``/``sin`` of ``d / a_e``,
    error < 1e-8 out to 1,000 km); cheaper than the trigonometric form."""
    ae = k * EARTH_MEAN_RADIUS_M
    phi = d / ae
    p2 = phi * phi
    rt = ae + h
    num = (h - ha) - rt * p2 * (0.5 - p2 / 24.0)
    den = rt * phi * (1.0 - p2 / 6.0 + p2 * p2 / 120.0)
    return np.asarray(num / np.maximum(den, 1e-12))


def _visible_pairs(g: RadarGroup, pos: F, alt: F) -> tuple[NDArray[np.int64], NDArray[np.int64], F]:
    """Indices (radar, target) of pairs inside coverage and line of sight, and rel ENU (m, 3).

    Works on (n_radars, n_targets) arrays with radar parameters broadcast as columns;
    the smooth-earth, sector and terrain tests are evaluated only on the radar rows
    that need them.
    """
    de = pos[None, :, 0] - g.pos_m[:, 0:1]
    dn = pos[None, :, 1] - g.pos_m[:, 1:2]
    du = pos[None, :, 2] - g.pos_m[:, 2:3]
    horiz2 = de * de + dn * dn
    rng2 = horiz2 + du * du
    ok = (rng2 <= (g.max_range_m**2)[:, None]) & (rng2 >= (g.min_range_m**2)[:, None])
    horiz = np.sqrt(horiz2)
    k = float(g.k[0])
    # elevation coverage on the apparent (refracted, k-earth) elevation from altitudes
    t_el = _apparent_tan_el(horiz, alt[None, :], g.antenna_alt_m[:, None], k)
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
    if smooth.size:  # heights relative to the site ground over a smooth k-earth
        h_t = alt[None, :] - g.ground_alt_m[smooth, None]
        dmax = max_visible_distance_m(g.antenna_height_m[smooth, None], h_t, k)
        ok[smooth] &= horiz[smooth] <= dmax
    masked = np.nonzero(g.has_mask)[0]
    if masked.size:  # apparent elevation above the cumulative terrain mask
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


def _aer(rel: F) -> tuple[F, F, F]:
    """Range, azimuth (clockwise from north, [0, 2 pi)) and elevation of ENU vectors (m, 3)."""
    horiz = np.hypot(rel[:, 0], rel[:, 1])
    r = np.hypot(horiz, rel[:, 2])
    return r, np.mod(np.arctan2(rel[:, 0], rel[:, 1]), TWO_PI), np.arctan2(rel[:, 2], horiz)


def _merge_unresolved(
    g: RadarGroup, ri: NDArray[np.int64], r: F, az: F, el: F, snr: F
) -> tuple[NDArray[np.int64] | None, NDArray[np.int64], F]:
    """Group pairs by resolution cell (radar, range cell, azimuth beam, elevation beam).

    Returns (group id per pair or None when every pair is alone, strongest pair per
    group, summed SNR per group).
    """
    rb = (r / g.range_resolution_m[ri]).astype(np.int64)
    ab = (az / g.az_beamwidth_rad[ri]).astype(np.int64)
    eb = np.clip(((el - g.el_min_rad[ri]) / g.el_beamwidth_rad[ri]).astype(np.int64), 0, 4095)
    key = ((ri * (1 << 23) + rb) * (1 << 16) + ab) * (1 << 12) + eb
    order = np.argsort(key)
    ks = key[order]
    dup = ks[1:] == ks[:-1]
    if not dup.any():  # fast path: every target resolved
        return None, np.arange(ri.shape[0], dtype=np.int64), snr
    start = np.ones(ks.shape[0], dtype=bool)
    start[1:] = ~dup
    group_sorted = np.cumsum(start) - 1
    group = np.empty_like(group_sorted)
    group[order] = group_sorted
    n_groups = int(group_sorted[-1]) + 1
    by_power = np.lexsort((-snr, group))  # by group, strongest first
    first = np.ones(by_power.shape[0], dtype=bool)
    first[1:] = group[by_power][1:] != group[by_power][:-1]
    total = np.bincount(group, weights=snr, minlength=n_groups)
    return group.astype(np.int64), by_power[first].astype(np.int64), np.asarray(total)


def observe_group(
    g: RadarGroup,
    truth: Truth,
    t_s: float,
    rng: np.random.Generator,
    signatures: TargetSignatures,
    *,
    false_alarms: bool = True,
) -> Detections:
    """Detections of one dwell for every radar of ``g`` (see the module docstring)."""
    alive = np.nonzero(truth.alive)[0]
    pos = truth.pos_m()[alive]
    vel = truth.vel_mps()[alive]
    alt = truth.alt_m[alive]
    tid = truth.threat_id[alive]
    ri, ti, rel = _visible_pairs(g, pos, alt)
    table_t, swerling_t, scale_t = signatures.lookup(tid)
    aa, ae = aspect_angles(vel[ti], -rel)
    sigma = g.rcs.rcs_m2(table_t[ti], aa, ae, g.band[ri]) * 10.0 ** (scale_t[ti] / 10.0)
    r, az, el = _aer(rel)
    loss_db = np.zeros(r.shape)
    atm = g.atmosphere[ri]
    if atm.any():
        loss_db[atm] = atmospheric_loss_db(r[atm], el[atm], g.band[ri[atm]])
    snr = g.loop_constant_m2[ri] * sigma / r**4 * 10.0 ** (-loss_db / 10.0)
    rdot = np.einsum("pk,pk->p", rel, vel[ti]) / np.maximum(r, 1e-9)

    group, best, total = _merge_unresolved(g, ri, r, az, el, snr)
    if group is not None:  # SNR-weighted centroids of the unresolved groups
        w = snr / total[group]
        cen = np.stack(
            [np.bincount(group, w * rel[:, k], total.shape[0]) for k in range(3)], -1
        ).astype(np.float64)
        rdot = np.bincount(group, w * rdot, total.shape[0]).astype(np.float64)
        r, az, el = _aer(cen)
    gr = ri[best]
    det, lam = draw_detection(total, g.n_pulses[gr], swerling_t[ti[best]], g.threshold[gr], rng)
    conf = det & g.confirm[gr]
    if conf.any():  # alert-confirm: an immediate second look must cross the threshold too
        det2, lam2 = draw_detection(
            total[conf], g.n_pulses[gr[conf]], swerling_t[ti[best]][conf],
            g.threshold[gr[conf]], rng,
        )  # fmt: skip
        det[conf] = det2
        lam[conf] = np.maximum(lam[conf], lam2)
    gr, r_true, az_true, el_true = gr[det], r[det], az[det], el[det]
    rdot_c, lam, truth_id = rdot[det], lam[det], tid[ti[best]][det]
    if false_alarms:
        mean_fa = g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0)  # alert-confirm: pfa^2
        fr, f_r, f_az, f_el, f_lam = draw_false_alarms(
            mean_fa, g.min_range_m, g.max_range_m, g.az_center_rad, g.az_width_rad,
            g.el_min_rad, g.el_max_rad, g.n_pulses, g.threshold, rng,
        )  # fmt: skip
        gr = np.concatenate([gr, fr])
        r_true = np.concatenate([r_true, f_r])
        az_true = np.concatenate([az_true, f_az])
        el_true = np.concatenate([el_true, f_el])
        rdot_c = np.concatenate([rdot_c, rng.uniform(-300.0, 300.0, fr.shape[0])])
        lam = np.concatenate([lam, f_lam])
        truth_id = np.concatenate([truth_id, np.full(fr.shape[0], -1, dtype=np.int64)])
    s_r, s_az, s_el, s_v = measurement_sigmas(
        lam,
        g.range_resolution_m[gr],
        g.az_beamwidth_rad[gr],
        g.el_beamwidth_rad[gr],
        g.velocity_resolution_mps[gr],
        g.monopulse_slope[gr],
        g.range_floor_m[gr],
        g.angle_floor_rad[gr],
        g.rdot_floor_mps[gr],
    )
    z = rng.standard_normal((4, gr.shape[0]))
    has_v = np.isfinite(s_v)
    return Detections(
        t_s=np.full(gr.shape[0], t_s),
        radar_id=g.radar_id[gr],
        range_m=np.abs(r_true + s_r * z[0]),
        az_rad=np.mod(az_true + s_az * z[1], TWO_PI),
        el_rad=el_true + s_el * z[2],
        rdot_mps=np.where(has_v, rdot_c + np.where(has_v, s_v, 0.0) * z[3], 0.0),
        snr_db=10.0 * np.log10(np.maximum(lam, 1e-12)),
        sigma_range_m=s_r,
        sigma_az_rad=s_az,
        sigma_el_rad=s_el,
        sigma_rdot_mps=s_v,
        sensor_e_m=g.pos_m[gr, 0],
        sensor_n_m=g.pos_m[gr, 1],
        sensor_u_m=g.pos_m[gr, 2],
        truth_id=truth_id,
    )
