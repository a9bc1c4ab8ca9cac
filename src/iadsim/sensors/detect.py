"""One dwell of a batch of radars over all targets, vectorized over (radar, target) pairs.

Steps (each a whole-array operation):

1. Geometry: range, azimuth, elevation of every target from every radar.
2. Visibility: inside the azimuth sector and elevation limits, between the minimum
   and instrumented ranges, above the horizon (smooth ``k``-earth, heights relative
   to the site ground) or, when the radar has a :class:`TerrainMask`, above the
   terrain mask (which already includes earth curvature).
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
from iadsim.sensors.horizon import elevation_angle_rad, max_visible_distance_m
from iadsim.sensors.measurement import draw_detection, draw_false_alarms, measurement_sigmas
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.rcs import aspect_angles

if TYPE_CHECKING:
    from iadsim.sensors.radar import RadarGroup, TargetSignatures

__all__ = ["observe_group"]

F = NDArray[np.float64]
TWO_PI = 2.0 * np.pi


def _visible_pairs(g: RadarGroup, pos: F, alt: F) -> tuple[NDArray[np.int64], NDArray[np.int64], F]:
    """Indices (radar, target) of pairs inside coverage and line of sight, and rel ENU."""
    rel = pos[None, :, :] - g.pos_m[:, None, :]  # (nr, nt, 3)
    rng2 = np.einsum("rtk,rtk->rt", rel, rel)
    ok = (rng2 <= g.max_range_m[:, None] ** 2) & (rng2 >= g.min_range_m[:, None] ** 2)
    ri, ti = np.nonzero(ok)
    rel = rel[ri, ti]
    horiz = np.hypot(rel[:, 0], rel[:, 1])
    az = np.mod(np.arctan2(rel[:, 0], rel[:, 1]), TWO_PI)
    el = np.arctan2(rel[:, 2], horiz)
    daz = np.mod(az - g.az_center_rad[ri] + np.pi, TWO_PI) - np.pi
    keep = (np.abs(daz) <= 0.5 * g.az_width_rad[ri]) & (el >= g.el_min_rad[ri])
    keep &= el <= g.el_max_rad[ri]
    # smooth earth (no mask): heights relative to the site ground
    h_t = alt[ti] - g.ground_alt_m[ri]
    smooth = horiz <= max_visible_distance_m(g.antenna_height_m[ri], h_t, float(g.k[0]))
    # terrain mask (includes curvature): apparent elevation above the mask
    ia = np.mod(np.rint(az / TWO_PI * g.mask_n_az[ri]).astype(np.int64), g.mask_n_az[ri])
    ir = np.minimum((horiz / g.mask_step_m[ri]).astype(np.int64), g.mask_el_rad.shape[2] - 1)
    el_app = elevation_angle_rad(horiz, alt[ti], g.antenna_alt_m[ri], float(g.k[0]))
    masked_ok = el_app > g.mask_el_rad[ri, ia, ir]
    keep &= np.where(g.has_mask[ri], masked_ok, smooth)
    return ri[keep], ti[keep], rel[keep]


def _merge_unresolved(
    g: RadarGroup, ri: NDArray[np.int64], rel: F, snr: F
) -> tuple[NDArray[np.int64], NDArray[np.int64], F]:
    """Group pairs by resolution cell; return group id per pair, strongest pair per
    group and the summed SNR per group."""
    r = np.sqrt(np.einsum("pk,pk->p", rel, rel))
    az = np.mod(np.arctan2(rel[:, 0], rel[:, 1]), TWO_PI)
    el = np.arctan2(rel[:, 2], np.hypot(rel[:, 0], rel[:, 1]))
    rb = (r / g.range_resolution_m[ri]).astype(np.int64)
    ab = (az / g.az_beamwidth_rad[ri]).astype(np.int64)
    eb = ((el - g.el_min_rad[ri]) / g.el_beamwidth_rad[ri]).astype(np.int64)
    key = ((ri * (1 << 23) + rb) * (1 << 16) + ab) * (1 << 12) + np.clip(eb, 0, (1 << 12) - 1)
    _, group, counts = np.unique(key, return_inverse=True, return_counts=True)
    n_groups = counts.shape[0]
    order = np.lexsort((-snr, group))  # by group, strongest first
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    strongest = order[first]
    total = np.bincount(group, weights=snr, minlength=n_groups)
    return group.astype(np.int64), strongest.astype(np.int64), np.asarray(total)


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
    table, swerling = signatures.lookup(tid[ti])
    aa, ae = aspect_angles(vel[ti], -rel)
    sigma = g.rcs.rcs_m2(table, aa, ae, g.band[ri])
    r = np.sqrt(np.einsum("pk,pk->p", rel, rel))
    el = np.arctan2(rel[:, 2], np.hypot(rel[:, 0], rel[:, 1]))
    loss_db = np.where(g.atmosphere[ri], atmospheric_loss_db(r, el, g.band[ri]), 0.0)
    snr = g.loop_constant_m2[ri] * sigma / r**4 * 10.0 ** (-loss_db / 10.0)
    rdot = np.einsum("pk,pk->p", rel, vel[ti]) / np.maximum(r, 1e-9)

    group, best, total = _merge_unresolved(g, ri, rel, snr)
    w = snr / total[group]
    cen = np.stack([np.bincount(group, w * rel[:, k], total.shape[0]) for k in range(3)], -1)
    rdot_c = np.bincount(group, w * rdot, total.shape[0])
    gr = ri[best]
    det, lam = draw_detection(total, g.n_pulses[gr], swerling[best], g.threshold[gr], rng)
    gr, cen, rdot_c, lam = gr[det], cen[det], rdot_c[det], lam[det]
    truth_id = tid[ti[best]][det]

    r_true = np.sqrt(np.einsum("pk,pk->p", cen, cen))
    az_true = np.mod(np.arctan2(cen[:, 0], cen[:, 1]), TWO_PI)
    el_true = np.arctan2(cen[:, 2], np.hypot(cen[:, 0], cen[:, 1]))
    if false_alarms:
        fr, f_r, f_az, f_el, f_lam = draw_false_alarms(
            g.pfa * g.n_cells,
            g.min_range_m,
            g.max_range_m,
            g.az_center_rad,
            g.az_width_rad,
            g.el_min_rad,
            g.el_max_rad,
            g.n_pulses,
            g.threshold,
            rng,
        )
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
