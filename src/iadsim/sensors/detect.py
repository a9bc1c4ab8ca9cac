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

Cost: a dwell of a few radars over a few targets is dominated by the fixed cost
of each numpy call, so the range gate runs first on the (radar, target) grid and
every later test works on the surviving pairs only; per-radar constants are
computed once per :class:`RadarGroup` (:class:`DwellConstants`), and a dwell with
no target in coverage goes straight to the false alarms. None of this changes a
result: every value is computed by the same floating-point operations.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Truth
from iadsim.geo import EARTH_MEAN_RADIUS_M
from iadsim.sensors.horizon import horizon_distance_m
from iadsim.sensors.measurement import draw_detection, draw_false_alarms, measurement_sigmas
from iadsim.sensors.radar_equation import atmospheric_loss_db
from iadsim.sensors.rcs import aspect_angles_enu

if TYPE_CHECKING:
    from iadsim.sensors.radar import RadarGroup
    from iadsim.sensors.signatures import TargetSignatures

__all__ = ["DwellConstants", "observe_group"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]
TWO_PI = 2.0 * np.pi


@dataclasses.dataclass(frozen=True, kw_only=True)
class DwellConstants:
    """Per-radar values of a :class:`RadarGroup` that every dwell needs (built once).

    Arrays have shape (n_radars,) unless noted; ``(n, 1)`` columns broadcast over
    targets on the (radar, target) grid of the range gate.
    """

    single: bool  # a group of one radar
    beam_index_fits: bool  # azimuth beam index < 2^16: the cell key's low bits
    e_m: F  # (n, 1) antenna position columns, ENU
    n_m: F  # (n, 1)
    u_m: F  # (n, 1)
    max_range2_m2: F  # (n, 1)
    min_range2_m2: F  # (n, 1)
    tan_el_min: F
    tan_el_max: F
    any_sector: bool
    half_width_rad: F  # inf for full-circle radars
    any_smooth: bool
    any_masked: bool
    horizon_antenna_m: F  # smooth-earth horizon distance of the antenna (0 if masked)
    mask_bins_per_rad: F
    mean_false_alarms: F  # ``Pfa n_cells`` (``Pfa^2 n_cells`` with alert-confirm)
    any_atmosphere: bool
    all_atmosphere: bool
    sensor_e_m: F
    sensor_n_m: F
    sensor_u_m: F

    @classmethod
    def of(cls, g: RadarGroup) -> DwellConstants:
        """Derive the constants of ``g`` (same expressions as a per-dwell evaluation)."""
        sector = g.az_width_rad < TWO_PI - 1e-9
        smooth = ~g.has_mask
        return cls(
            single=len(g) == 1,
            beam_index_fits=bool(np.all(TWO_PI / g.az_beamwidth_rad < (1 << 16) - 1)),
            e_m=g.pos_m[:, 0:1].copy(),
            n_m=g.pos_m[:, 1:2].copy(),
            u_m=g.pos_m[:, 2:3].copy(),
            max_range2_m2=(g.max_range_m**2)[:, None],
            min_range2_m2=(g.min_range_m**2)[:, None],
            tan_el_min=np.tan(g.el_min_rad),
            tan_el_max=np.tan(g.el_max_rad),
            any_sector=bool(sector.any()),
            half_width_rad=np.where(sector, 0.5 * g.az_width_rad, np.inf),
            any_smooth=bool(smooth.any()),
            any_masked=bool(g.has_mask.any()),
            horizon_antenna_m=np.where(
                smooth, horizon_distance_m(g.antenna_height_m, float(g.k[0])), 0.0
            ),
            mask_bins_per_rad=g.mask_n_az / TWO_PI,
            mean_false_alarms=g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0),
            any_atmosphere=bool(g.atmosphere.any()),
            all_atmosphere=bool(g.atmosphere.all()),
            sensor_e_m=g.pos_m[:, 0].copy(),
            sensor_n_m=g.pos_m[:, 1].copy(),
            sensor_u_m=g.pos_m[:, 2].copy(),
        )


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


class _Pairs(NamedTuple):
    """Visible (radar, target) pairs: indices, ENU offsets target - radar, azimuth."""

    ri: I64
    ti: I64
    de: F
    dn: F
    du: F
    az: F | None  # clockwise from north in [0, 2 pi), if a test needed it


def _visible_pairs(g: RadarGroup, c: DwellConstants, e: F, n: F, u: F, alt: F) -> _Pairs | None:
    """Pairs inside coverage and line of sight (``None`` if there are none).

    The range gate runs on the (n_radars, n_targets) grid; the elevation, sector,
    smooth-earth and terrain tests run on the pairs inside the range gate, with
    radar parameters gathered per pair.
    """
    de = e[None, :] - c.e_m
    dn = n[None, :] - c.n_m
    du = u[None, :] - c.u_m
    horiz2 = de * de + dn * dn
    rng2 = horiz2 + du * du
    p = ((rng2 <= c.max_range2_m2) & (rng2 >= c.min_range2_m2)).ravel().nonzero()[0]
    if p.size == 0:
        return None
    if de.shape[0] == 1:
        ri, ti = np.zeros(p.shape, dtype=np.int64), p
    else:
        ri, ti = np.divmod(p, de.shape[1])
    de, dn, du = de.take(p), dn.take(p), du.take(p)
    horiz = np.sqrt(horiz2.take(p))
    a = alt[ti]
    k = float(g.k[0])
    # elevation coverage on the apparent (refracted, k-earth) elevation from altitudes
    t_el = _apparent_tan_el(horiz, a, g.antenna_alt_m[ri], k)
    ok = (t_el >= c.tan_el_min[ri]) & (t_el <= c.tan_el_max[ri])
    az = None
    if c.any_sector or c.any_masked:
        az = np.mod(np.arctan2(de, dn), TWO_PI)
    if c.any_sector and az is not None:
        daz = np.mod(az - g.az_center_rad[ri] + np.pi, TWO_PI) - np.pi
        ok &= np.abs(daz) <= c.half_width_rad[ri]
    if c.any_smooth:  # heights relative to the site ground over a smooth k-earth
        dmax = c.horizon_antenna_m[ri] + horizon_distance_m(a - g.ground_alt_m[ri], k)
        clear = horiz <= dmax
    if c.any_masked and az is not None:  # apparent elevation above the cumulative mask
        n_az, n_r = g.mask_tan.shape[1], g.mask_tan.shape[2]
        ia = np.rint(az * c.mask_bins_per_rad[ri]).astype(np.int64)
        ia %= g.mask_n_az[ri]
        ir = np.minimum((horiz / g.mask_step_m[ri]).astype(np.int64), n_r - 1)
        above = t_el > g.mask_tan.reshape(-1)[(ri * n_az + ia) * n_r + ir]
        clear = np.where(g.has_mask[ri], above, clear) if c.any_smooth else above
    ok &= clear  # every radar is either smooth-earth or masked
    if not ok.any():
        return None
    return _Pairs(ri[ok], ti[ok], de[ok], dn[ok], du[ok], None if az is None else az[ok])


def _merge_unresolved(
    g: RadarGroup, ri: I64, r: F, az: F, el: F, snr: F
) -> tuple[I64 | None, I64 | None, F]:
    """Group pairs by resolution cell (radar, range cell, azimuth beam, elevation beam).

    Returns (group id per pair, strongest pair per group, summed SNR per group);
    the first two are ``None`` when every pair is alone (then the SNRs are ``snr``).
    """
    if ri.shape[0] < 2:
        return None, None, snr
    rb = (r / g.range_resolution_m[ri]).astype(np.int64)
    high = rb if g.dwell_constants.single else ri * (1 << 23) + rb
    if g.dwell_constants.beam_index_fits:  # distinct (radar, range cell): nobody merges
        sorted_high = np.sort(high)
        if not (sorted_high[1:] == sorted_high[:-1]).any():
            return None, None, snr
    ab = (az / g.az_beamwidth_rad[ri]).astype(np.int64)
    eb = ((el - g.el_min_rad[ri]) / g.el_beamwidth_rad[ri]).astype(np.int64)
    eb = np.minimum(np.maximum(eb, 0), 4095)
    key = (high * (1 << 16) + ab) * (1 << 12) + eb
    order = np.argsort(key)
    ks = key[order]
    dup = ks[1:] == ks[:-1]
    if not dup.any():  # fast path: every target resolved
        return None, None, snr
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


class _Returns(NamedTuple):
    """Detected returns of one dwell: radar index, true position, rdot, SNR, truth id."""

    gr: I64
    r: F
    az: F
    el: F
    rdot: F
    snr: F
    truth_id: I64


def _target_returns(
    g: RadarGroup,
    c: DwellConstants,
    truth: Truth,
    rows: I64,
    sig_rows: I64,
    pairs: _Pairs,
    signatures: TargetSignatures,
    rng: np.random.Generator,
) -> _Returns:
    """Signal, resolution and detection of the visible pairs (steps 3-5).

    ``rows`` are the truth rows of the living targets, ``sig_rows`` their rows in
    ``signatures``; ``pairs.ti`` indexes both.
    """
    ri, de, dn, du = pairs.ri, pairs.de, pairs.dn, pairs.du
    trow = rows[pairs.ti]
    tid = truth.threat_id[trow]
    ve, vn, vu = truth.ve_mps[trow], truth.vn_mps[trow], truth.vu_mps[trow]
    sig = sig_rows[pairs.ti]
    aa, ae, horiz = aspect_angles_enu(ve, vn, vu, -de, -dn, -du)
    rcs = g.rcs.rcs_m2_pairs(signatures.table_index[sig], aa, ae, g.band[ri])
    sigma = rcs * signatures.rcs_scale_linear[sig]
    r = np.hypot(horiz, du)  # horiz = hypot(de, dn) (sign-symmetric)
    az = np.mod(np.arctan2(de, dn), TWO_PI) if pairs.az is None else pairs.az
    el = np.arctan2(du, horiz)
    snr = g.loop_constant_m2[ri] * sigma / r**4
    if c.all_atmosphere:
        snr = snr * 10.0 ** (-atmospheric_loss_db(r, el, g.band[ri]) / 10.0)
    elif c.any_atmosphere:
        loss_db = np.zeros(r.shape)
        atm = g.atmosphere[ri]
        if atm.any():
            loss_db[atm] = atmospheric_loss_db(r[atm], el[atm], g.band[ri[atm]])
        snr = snr * 10.0 ** (-loss_db / 10.0)
    # rdot = (rel . v) / R, summed (e + u) + n: the order of the einsum("pk,pk->p")
    # this replaces (bit-identical rdot)
    rdot = ((de * ve + du * vu) + dn * vn) / np.maximum(r, 1e-9)
    group, best, total = _merge_unresolved(g, ri, r, az, el, snr)
    if group is not None and best is not None:  # SNR-weighted centroids of the groups
        w = snr / total[group]
        m = total.shape[0]
        ce = np.bincount(group, w * de, m)
        cn = np.bincount(group, w * dn, m)
        cu = np.bincount(group, w * du, m)
        rdot = np.bincount(group, w * rdot, m).astype(np.float64)
        horiz = np.hypot(ce, cn)
        r, az, el = np.hypot(horiz, cu), np.mod(np.arctan2(ce, cn), TWO_PI), np.arctan2(cu, horiz)
        gr, tid, sig = ri[best], tid[best], sig[best]
    else:
        gr = ri
    sw = signatures.swerling[sig]
    if c.single:  # one radar: its (1,) arrays broadcast over the pairs
        n_p, thr, confirm = g.n_pulses, g.threshold, g.confirm
    else:
        n_p, thr, confirm = g.n_pulses[gr], g.threshold[gr], g.confirm[gr]
    det, lam = draw_detection(total, n_p, sw, thr, rng)
    conf = det & confirm
    if conf.any():  # alert-confirm: an immediate second look must cross the threshold too
        if not c.single:
            n_p, thr = n_p[conf], thr[conf]
        det2, lam2 = draw_detection(total[conf], n_p, sw[conf], thr, rng)
        det[conf] = det2
        lam[conf] = np.maximum(lam[conf], lam2)
    return _Returns(gr[det], r[det], az[det], el[det], rdot[det], lam[det], tid[det])


def _false_alarm_returns(
    g: RadarGroup, c: DwellConstants, rng: np.random.Generator
) -> _Returns | None:
    """Poisson false alarms of every radar of ``g`` (truth id -1, uniform rdot), if any."""
    fr, f_r, f_az, f_el, f_lam = draw_false_alarms(
        c.mean_false_alarms, g.min_range_m, g.max_range_m, g.az_center_rad, g.az_width_rad,
        g.el_min_rad, g.el_max_rad, g.n_pulses, g.threshold, rng,
    )  # fmt: skip
    m = fr.shape[0]
    if m == 0:
        return None
    rdot = np.asarray(rng.uniform(-300.0, 300.0, m))
    return _Returns(fr, f_r, f_az, f_el, rdot, f_lam, np.full(m, -1, dtype=np.int64))


def _concat(a: _Returns | None, b: _Returns | None) -> _Returns | None:
    """Rows of ``a`` then ``b`` (either may be absent)."""
    if a is None or b is None:
        return a if b is None else b
    return _Returns(*(np.concatenate([x, y]) for x, y in zip(a, b, strict=True)))


def observe_group(
    g: RadarGroup,
    truth: Truth,
    t_s: float,
    rng: np.random.Generator,
    signatures: TargetSignatures,
    *,
    false_alarms: bool = True,
) -> Detections:
    """Detections of one dwell for every radar of ``g`` (see the module docstring).

    Random draws, in order: fluctuation and threshold of the visible returns,
    alert-confirm looks, false-alarm counts, positions and SNRs, their rdot, and
    the measurement noise of every detection (no draw for empty arrays).
    """
    c = g.dwell_constants
    rows = truth.alive.nonzero()[0]
    returns = None
    if rows.size:
        sig_rows = signatures.positions(truth.threat_id[rows])  # every living threat needs one
        e, n, u = truth.e_m[rows], truth.n_m[rows], truth.u_m[rows]
        pairs = _visible_pairs(g, c, e, n, u, truth.alt_m[rows])
        if pairs is not None:
            returns = _target_returns(g, c, truth, rows, sig_rows, pairs, signatures, rng)
    if false_alarms:
        returns = _concat(returns, _false_alarm_returns(g, c, rng))
    if returns is None or returns.gr.shape[0] == 0:
        return _NO_DETECTIONS
    gr, lam = returns.gr, returns.snr
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
    m = gr.shape[0]
    z = rng.standard_normal((4, m))
    has_v = np.isfinite(s_v)
    if has_v.all():
        rdot = returns.rdot + s_v * z[3]
    else:
        rdot = np.where(has_v, returns.rdot + np.where(has_v, s_v, 0.0) * z[3], 0.0)
    return Detections.from_trusted_columns(  # every column is a fresh array of the declared dtype
        {
            "t_s": np.full(m, t_s, dtype=np.float64),
            "radar_id": g.radar_id[gr],
            "range_m": np.abs(returns.r + s_r * z[0]),
            "az_rad": np.mod(returns.az + s_az * z[1], TWO_PI),
            "el_rad": returns.el + s_el * z[2],
            "rdot_mps": rdot,
            "snr_db": 10.0 * np.log10(np.maximum(lam, 1e-12)),
            "sigma_range_m": s_r,
            "sigma_az_rad": s_az,
            "sigma_el_rad": s_el,
            "sigma_rdot_mps": s_v,
            "sensor_e_m": c.sensor_e_m[gr],
            "sensor_n_m": c.sensor_n_m[gr],
            "sensor_u_m": c.sensor_u_m[gr],
            "truth_id": returns.truth_id,
        }
    )


#: The (immutable) result of a dwell without detections.
_NO_DETECTIONS = Detections.empty()
