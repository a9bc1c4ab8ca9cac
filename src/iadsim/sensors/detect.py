"""The standard detection model: one dwell of one radar over all targets, as composed steps.

:class:`StandardDetection` (kind ``standard``) implements the detection-model role
(:class:`iadsim.sensors.detection.DetectionModel`) with :func:`dwell`, which
composes pure kernels, each in its own module with its own tests:

1. Visibility (:func:`iadsim.sensors.visibility.visible_targets`): range gate,
   elevation limits, azimuth sector, smooth-earth horizon or terrain mask.
2. Signal (:func:`iadsim.sensors.signal.target_signal`): aspect-dependent RCS,
   ``SNR = C sigma / R^4``, atmospheric loss, range rate.
3. Resolution (:mod:`iadsim.sensors.resolution`): targets in one (range cell,
   azimuth beam, elevation beam) form one return at their SNR-weighted centroid
   with the strongest contributor's ``truth_id``.
4. Pd draw (:func:`iadsim.sensors.measurement.draw_confirmed_detection`):
   Swerling fluctuation, threshold test, optional alert-confirm look.
5. False alarms (:meth:`iadsim.sensors.measurement.OneRadarDraws.false_alarms`): Poisson
   count, uniform over the coverage, ``truth_id`` -1.
6. Measurement noise (:func:`iadsim.sensors.measurement.measurement_sigmas`,
   :func:`~iadsim.sensors.measurement.add_measurement_noise`), shrinking with SNR;
   a plot whose measured range falls outside the range window (minimum to
   instrumented range) is not reported (the receiver gates the measured range; the
   noise is drawn for every return first, so the stream does not depend on it).

Reported range, azimuth and elevation are geometric (refraction bias assumed
corrected), so :meth:`Detections.enu_m` recovers the ENU position. Time stamps: a
target's plot carries its truth row's time (``Truth.t_s``: the time the beam
illuminated it, see :mod:`iadsim.sensors.scan`; a merged plot the strongest
contributor's), a false alarm the time the beam pointed at its azimuth
(a look at ``t_s`` ends a clockwise sweep of its wedge: ``t_s + (wrap(az - az_centre) -
half width) / sweep rate``; ``t_s`` for an instantaneous look). Random draws,
in order: fluctuation and threshold of the visible returns, alert-confirm looks,
false-alarm counts, positions and SNRs, their range rates, and the measurement
noise of every detection (no draw for empty arrays).
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import TWO_PI
from iadsim.frames import Detections, Truth
from iadsim.sensors.horizon import horizon_distance_m
from iadsim.sensors.measurement import (
    OneRadarDraws,
    add_measurement_noise,
    draw_confirmed_detection,
)
from iadsim.sensors.resolution import cell_indices, merge_cells, snr_weighted_centroids
from iadsim.sensors.signal import target_signal
from iadsim.sensors.visibility import Coverage, Visible, visible_targets

if TYPE_CHECKING:
    from iadsim.sensors.radar import Radar, RadarGroup
    from iadsim.sensors.signatures import TargetSignatures

__all__ = ["DwellConstants", "StandardDetection", "dwell"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


class RadarColumns(NamedTuple):
    """Detection columns of one radar that are the same on every row."""

    radar_id: I64
    sensor_e_m: F
    sensor_n_m: F
    sensor_u_m: F
    false_alarm_id: I64  # -1


@dataclasses.dataclass(frozen=True, kw_only=True)
class DwellConstants:
    """Values of one radar that every dwell needs (derived once from its arrays)."""

    coverage: Coverage
    mean_false_alarms: F  # (1,) ``Pfa n_cells`` (``Pfa^2 n_cells`` with alert-confirm)
    confirm: bool
    sweep_rate_rad_s: float  # azimuth sweep rate of the look (inf: instantaneous)
    draws: OneRadarDraws  # false alarms and measurement sigmas, from floats
    radar_id: int
    _columns: dict[int, RadarColumns] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def constant_columns(self, m: int) -> RadarColumns:
        """Read-only (m,) columns every detection of this radar repeats: radar id,
        sensor e, n, u, and the truth id -1 of a false alarm (made once per length:
        frames take read-only columns as they are, so looks share them)."""
        cols = self._columns.get(m)
        if cols is None:
            c = self.coverage
            cols = RadarColumns(
                np.full(m, self.radar_id, dtype=np.int64),
                np.full(m, c.e_m),
                np.full(m, c.n_m),
                np.full(m, c.u_m),
                np.full(m, -1, dtype=np.int64),
            )
            for a in cols:
                a.flags.writeable = False
            if len(self._columns) < 64:  # (a look has a few plots: a few lengths)
                self._columns[m] = cols
        return cols

    @classmethod
    def of(cls, g: RadarGroup) -> DwellConstants:
        """Derive the constants of the (one) radar of ``g``."""
        sector = bool(g.az_width_rad[0] < TWO_PI - 1e-9)
        k = float(g.k[0])
        coverage = Coverage(
            e_m=float(g.pos_m[0, 0]),
            n_m=float(g.pos_m[0, 1]),
            u_m=float(g.pos_m[0, 2]),
            antenna_alt_m=float(g.antenna_alt_m[0]),
            ground_alt_m=float(g.ground_alt_m[0]),
            k=k,
            min_range2_m2=float(g.min_range_m[0] ** 2),
            max_range2_m2=float(g.max_range_m[0] ** 2),
            tan_el_min=float(np.tan(g.el_min_rad[0])),
            tan_el_max=float(np.tan(g.el_max_rad[0])),
            sector=sector,
            az_center_rad=float(g.az_center_rad[0]),
            half_width_rad=float(0.5 * g.az_width_rad[0]) if sector else np.inf,
            horizon_antenna_m=float(horizon_distance_m(g.antenna_height_m[0], k)),
            masked=bool(g.has_mask[0]),
            mask_tan=g.mask_tan[0],
            mask_n_az=int(g.mask_n_az[0]),
            mask_bins_per_rad=float(g.mask_n_az[0] / TWO_PI),
            mask_step_m=float(g.mask_step_m[0]),
        )
        mean = g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0)
        draws = OneRadarDraws(
            mean_false_alarms=float(mean[0]),
            min_range_m=float(g.min_range_m[0]),
            range_span_m=float((g.max_range_m - g.min_range_m)[0]),
            az_center_rad=float(g.az_center_rad[0]),
            az_width_rad=float(g.az_width_rad[0]),
            el_min_rad=float(g.el_min_rad[0]),
            el_span_rad=float((g.el_max_rad - g.el_min_rad)[0]),
            threshold=float(g.threshold[0]),
            n_pulses=float(g.n_pulses[0]),
            range_resolution_m=float(g.range_resolution_m[0]),
            az_beamwidth_rad=float(g.az_beamwidth_rad[0]),
            el_beamwidth_rad=float(g.el_beamwidth_rad[0]),
            velocity_resolution_mps=float(g.velocity_resolution_mps[0]),
            monopulse_slope=float(g.monopulse_slope[0]),
            range_floor_m=float(g.range_floor_m[0]),
            angle_floor_rad=float(g.angle_floor_rad[0]),
            rdot_floor_mps=float(g.rdot_floor_mps[0]),
        )
        return cls(
            coverage=coverage,
            mean_false_alarms=mean,
            confirm=bool(g.confirm[0]),
            sweep_rate_rad_s=float(g.sweep_rate_rad_s[0]),
            draws=draws,
            radar_id=int(g.radar_id[0]),
        )


class _Returns(NamedTuple):
    """Returns of one dwell before noise: true position, rdot, SNR, truth id."""

    r: F
    az: F
    el: F
    rdot: F
    snr: F
    truth_id: I64
    t_s: F
    merged: NDArray[np.bool_]  # more than one target in the return's cell


@dataclasses.dataclass(frozen=True, kw_only=True)
class StandardDetection:
    """Steps 1-6 of the module docstring (the default detection model, kind ``standard``).

    Parameters
    ----------
    false_alarms : draw false alarms (True in runs; False for clean studies).
    merged_sigma : ``"cell"`` (default): a plot merging unresolved targets reports
        sigmas that include the resolution cell (:func:`merged_sigmas`); ``"noise"``:
        the thermal noise sigmas of its summed SNR only (over-confident on formations).
    """

    kind: Literal["standard"] = "standard"
    false_alarms: bool = True
    merged_sigma: Literal["cell", "noise"] = "cell"

    def observe(
        self,
        radar: Radar,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
    ) -> Detections:
        """Detections of one look (see :class:`iadsim.sensors.detection.DetectionModel`)."""
        return dwell(
            radar.group, truth, t_s, rng, signatures, false_alarms=self.false_alarms,
            merged_cell=self.merged_sigma == "cell",
        )  # fmt: skip


def dwell(
    radar: RadarGroup,
    truth: Truth,
    t_s: float,
    rng: np.random.Generator,
    signatures: TargetSignatures,
    *,
    false_alarms: bool = True,
    merged_cell: bool = True,
) -> Detections:
    """Steps 1-6 of one look of the radar of ``radar`` (its compiled arrays).

    Parameters
    ----------
    radar : RadarGroup
        The radar's compiled arrays (length 1) and dwell constants.
    truth : Truth
        Target states, each row at the time the beam illuminated it (``t_s``
        column; rows with ``alive`` False are ignored).
    t_s : float
        Look time, s from the epoch (false alarms: see the module docstring).
    rng : numpy.random.Generator
        The sensor stream; draws are made in the documented order.
    signatures : TargetSignatures
        RCS table, Swerling case and RCS offset per threat.
    false_alarms : bool
        Draw Poisson false alarms (``truth_id`` -1).
    merged_cell : bool
        Merged returns report sigmas including the resolution cell (:func:`merged_sigmas`).
    """
    c = radar.dwell_constants
    rows = truth.alive.nonzero()[0]
    returns = None
    if rows.size:
        sig_rows = signatures.positions(truth.threat_id[rows])  # every living threat has one
        e, n, u = truth.e_m[rows], truth.n_m[rows], truth.u_m[rows]
        seen = visible_targets(c.coverage, e, n, u, truth.alt_m[rows])
        if seen is not None:
            returns = _target_returns(radar, truth, rows, sig_rows, seen, signatures, rng)
    if false_alarms:
        returns = _concat(returns, _false_alarm_returns(radar, t_s, rng))
    if returns is None or returns.r.shape[0] == 0:
        return _NO_DETECTIONS
    return _noisy_detections(radar, returns, rng, merged_cell)


def _target_returns(
    g: RadarGroup,
    truth: Truth,
    rows: I64,
    sig_rows: I64,
    seen: Visible,
    signatures: TargetSignatures,
    rng: np.random.Generator,
) -> _Returns:
    """Signal, resolution and Pd draw of the visible targets (steps 2-4)."""
    trow = rows[seen.ti]
    tid, t_s = truth.threat_id[trow], truth.t_s[trow]
    sig = sig_rows[seen.ti]
    s = target_signal(
        seen.de, seen.dn, seen.du, truth.ve_mps[trow], truth.vn_mps[trow], truth.vu_mps[trow],
        az=seen.az, rcs=g.rcs, table_index=signatures.table_index[sig],
        rcs_scale_linear=signatures.rcs_scale_linear[sig], band=int(g.band[0]),
        loop_constant_m2=float(g.loop_constant_m2[0]), atmosphere=bool(g.atmosphere[0]),
    )  # fmt: skip
    r, az, el, rdot, snr = s
    cells = cell_indices(
        r, az, el, range_resolution_m=float(g.range_resolution_m[0]),
        az_beamwidth_rad=float(g.az_beamwidth_rad[0]),
        el_beamwidth_rad=float(g.el_beamwidth_rad[0]), el_min_rad=float(g.el_min_rad[0]),
    )  # fmt: skip
    merged = merge_cells(*cells, snr)
    several = np.zeros(r.shape[0], dtype=np.bool_)
    if merged is not None:  # unresolved returns: SNR-weighted centroids of the groups
        ce, cn, cu, rdot = snr_weighted_centroids(merged, snr, seen.de, seen.dn, seen.du, rdot)
        horiz = np.hypot(ce, cn)
        r, az, el = np.hypot(horiz, cu), np.mod(np.arctan2(ce, cn), TWO_PI), np.arctan2(cu, horiz)
        tid, sig, snr, t_s = tid[merged.best], sig[merged.best], merged.total, t_s[merged.best]
        several = np.bincount(merged.group, minlength=snr.shape[0]) > 1
    sw = signatures.swerling[sig]
    conf = g.dwell_constants.confirm
    det, lam = draw_confirmed_detection(snr, g.n_pulses, sw, g.threshold, conf, rng)
    return _Returns(r[det], az[det], el[det], rdot[det], lam[det], tid[det], t_s[det], several[det])


def _false_alarm_returns(g: RadarGroup, t_s: float, rng: np.random.Generator) -> _Returns | None:
    """Poisson false alarms of the radar (truth id -1, uniform rdot), if any, stamped
    with the time the beam pointed at their azimuth."""
    c = g.dwell_constants
    drawn = c.draws.false_alarms(rng)
    if drawn is None:
        return None
    f_r, f_az, f_el, f_lam = drawn
    m = f_r.shape[0]
    rdot = np.asarray(rng.uniform(-300.0, 300.0, m))
    if math.isfinite(c.sweep_rate_rad_s):
        off = (f_az - c.coverage.az_center_rad + np.pi) % TWO_PI - np.pi  # the look ends
        t = t_s + (off - c.coverage.half_width_rad) / c.sweep_rate_rad_s  # at the wedge's edge
    else:
        t = np.full(m, t_s)
    fa_id = c.constant_columns(m).false_alarm_id
    return _Returns(f_r, f_az, f_el, rdot, f_lam, fa_id, t, np.zeros(m, dtype=np.bool_))


def _concat(a: _Returns | None, b: _Returns | None) -> _Returns | None:
    """Rows of ``a`` then ``b`` (either may be absent)."""
    if a is None or b is None:
        return a if b is None else b
    return _Returns(*(np.concatenate([x, y]) for x, y in zip(a, b, strict=True)))


def _noisy_detections(
    g: RadarGroup, ret: _Returns, rng: np.random.Generator, merged_cell: bool
) -> Detections:
    """Measurement noise of every return (step 6), as a :class:`Detections` frame (the
    reported sigmas of merged returns include the cell if ``merged_cell``)."""
    c = g.dwell_constants
    lam = ret.snr
    sigmas = c.draws.sigmas(lam)
    s_r, s_az, s_el, s_v = sigmas
    r, az, el, rdot = add_measurement_noise(ret.r, ret.az, ret.el, ret.rdot, sigmas, rng)
    if merged_cell and ret.merged.any():
        s_r, s_az, s_el = merged_sigmas(g, ret.merged, s_r, s_az, s_el)
    radar_id, sensor_e, sensor_n, sensor_u, _ = c.constant_columns(ret.r.shape[0])
    cols = {
        "t_s": ret.t_s,
        "radar_id": radar_id,
        "range_m": r,
        "az_rad": az,
        "el_rad": el,
        "rdot_mps": rdot,
        "snr_db": 10.0 * np.log10(np.maximum(lam, 1e-12)),
        "sigma_range_m": s_r,
        "sigma_az_rad": s_az,
        "sigma_el_rad": s_el,
        "sigma_rdot_mps": s_v,
        "sensor_e_m": sensor_e,
        "sensor_n_m": sensor_n,
        "sensor_u_m": sensor_u,
        "truth_id": ret.truth_id,
    }  # every column an array of the declared dtype: fresh ones (the returns' too) or
    for a in cols.values():  # the radar's shared read-only ones, handed over read-only
        a.flags.writeable = False
    dets = Detections.from_owned_columns(cols)
    lo = c.draws.min_range_m  # the receiver's range window holds the measured range
    inside = (r >= lo) & (r <= lo + c.draws.range_span_m)
    return dets if inside.all() else dets.select(inside)


def merged_sigmas(
    g: RadarGroup, merged: NDArray[np.bool_], s_r: F, s_az: F, s_el: F
) -> tuple[F, F, F]:
    """Reported sigmas of plots that merge unresolved targets: the thermal noise plus
    the cell, ``s^2 + d^2 / 12`` with ``d`` the range cell, azimuth and elevation
    beamwidths (a member is anywhere in the cell around the centroid: the variance of
    a uniform distribution over the cell).

    The radar is assumed to recognise an unresolved return (the monopulse ratio's
    quadrature part and the sum-channel statistics reveal unresolved targets: Blair
    and Brandt-Pearce, "Unresolved Rayleigh target detection using monopulse
    measurements", IEEE Trans. AES-34(2), 1998; Sherman and Barton, *Monopulse
    Principles and Techniques*, 2nd ed., 2011, ch. 11), an idealisation; its
    position is then a merged measurement whose covariance spans the resolution cell
    (Chang and Bar-Shalom, "Joint probabilistic data association for multitarget
    tracking with possibly unresolved measurements and maneuvers", IEEE Trans.
    AC-29(7), 1984; Blackman and Popoli, *Design and Analysis of Modern Tracking
    Systems*, 1999, on resolution and merged measurements). Inputs: (m,)
    bool ``merged`` and (m,) sigmas (m, rad); returns new arrays.
    """
    cells = (g.range_resolution_m[0], g.az_beamwidth_rad[0], g.el_beamwidth_rad[0])
    out = []
    for s, d in zip((s_r, s_az, s_el), cells, strict=True):
        out.append(np.where(merged, np.sqrt(s * s + d * d / 12.0), s))
    return out[0], out[1], out[2]


#: The (immutable) result of a dwell without detections.
_NO_DETECTIONS = Detections.empty()
