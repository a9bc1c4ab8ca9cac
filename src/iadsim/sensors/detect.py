"""Detection models: one dwell of one radar over all targets, as composed steps.

:class:`DetectionModel` is the role (``observe(radar, truth, t_s, rng,
signatures) -> Detections``); :class:`StandardDetection` composes pure kernels,
each in its own module with its own tests:

1. Visibility (:func:`iadsim.sensors.visibility.visible_targets`): range gate,
   elevation limits, azimuth sector, smooth-earth horizon or terrain mask.
2. Signal (:func:`iadsim.sensors.signal.target_signal`): aspect-dependent RCS,
   ``SNR = C sigma / R^4``, atmospheric loss, range rate.
3. Resolution (:mod:`iadsim.sensors.resolution`): targets in one (range cell,
   azimuth beam, elevation beam) form one return at their SNR-weighted centroid
   with the strongest contributor's ``truth_id``.
4. Pd draw (:func:`iadsim.sensors.measurement.draw_confirmed_detection`):
   Swerling fluctuation, threshold test, optional alert-confirm look.
5. False alarms (:func:`iadsim.sensors.measurement.draw_false_alarms`): Poisson
   count, uniform over the coverage, ``truth_id`` -1.
6. Measurement noise (:func:`iadsim.sensors.measurement.measurement_sigmas`,
   :func:`~iadsim.sensors.measurement.add_measurement_noise`), shrinking with SNR.

Reported range, azimuth and elevation are geometric (refraction bias assumed
corrected), so :meth:`Detections.enu_m` recovers the ENU position. Random draws,
in order: fluctuation and threshold of the visible returns, alert-confirm looks,
false-alarm counts, positions and SNRs, their range rates, and the measurement
noise of every detection (no draw for empty arrays).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import TWO_PI
from iadsim.frames import Detections, Truth
from iadsim.sensors.horizon import horizon_distance_m
from iadsim.sensors.measurement import (
    add_measurement_noise,
    draw_confirmed_detection,
    draw_false_alarms,
    measurement_sigmas,
)
from iadsim.sensors.resolution import cell_indices, merge_cells, snr_weighted_centroids
from iadsim.sensors.signal import target_signal
from iadsim.sensors.visibility import Coverage, Visible, visible_targets

if TYPE_CHECKING:
    from iadsim.sensors.radar import RadarGroup
    from iadsim.sensors.signatures import TargetSignatures

__all__ = ["DetectionModel", "DwellConstants", "StandardDetection"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DwellConstants:
    """Values of one radar that every dwell needs (derived once from its arrays)."""

    coverage: Coverage
    mean_false_alarms: F  # (1,) ``Pfa n_cells`` (``Pfa^2 n_cells`` with alert-confirm)
    confirm: bool

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
        return cls(
            coverage=coverage,
            mean_false_alarms=g.pfa * g.n_cells * np.where(g.confirm, g.pfa, 1.0),
            confirm=bool(g.confirm[0]),
        )


class DetectionModel(Protocol):
    """The detection role: the :class:`Detections` of one radar's dwell.

    Implementations are keyword-only frozen dataclasses registered under their
    ``kind`` (the scenario's ``detection: {kind: ...}``).
    """

    @property
    def kind(self) -> str:
        """The name this model is registered under."""
        ...

    def observe(
        self,
        radar: RadarGroup,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
        *,
        false_alarms: bool = True,
    ) -> Detections:
        """Detections of one dwell at ``t_s``.

        Parameters
        ----------
        radar : RadarGroup
            The radar's compiled arrays (length 1) and dwell constants.
        truth : Truth
            Target states at ``t_s`` (rows with ``alive`` False are ignored).
        t_s : float
            Dwell time, s from the epoch (stamped on every detection).
        rng : numpy.random.Generator
            The sensor stream; draws are made in a documented order.
        signatures : TargetSignatures
            RCS table, Swerling case and RCS offset per threat.
        false_alarms : bool
            Draw Poisson false alarms (``truth_id`` -1).
        """
        ...


class _Returns(NamedTuple):
    """Returns of one dwell before noise: true position, rdot, SNR, truth id."""

    r: F
    az: F
    el: F
    rdot: F
    snr: F
    truth_id: I64


@dataclasses.dataclass(frozen=True, kw_only=True)
class StandardDetection:
    """Steps 1-6 of the module docstring (the default detection model)."""

    kind: Literal["standard"] = "standard"

    def observe(
        self,
        radar: RadarGroup,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
        *,
        false_alarms: bool = True,
    ) -> Detections:
        """Detections of one dwell (see :class:`DetectionModel`)."""
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
            returns = _concat(returns, _false_alarm_returns(radar, rng))
        if returns is None or returns.r.shape[0] == 0:
            return _NO_DETECTIONS
        return _noisy_detections(radar, returns, t_s, rng)


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
    tid = truth.threat_id[trow]
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
    if merged is not None:  # unresolved returns: SNR-weighted centroids of the groups
        ce, cn, cu, rdot = snr_weighted_centroids(merged, snr, seen.de, seen.dn, seen.du, rdot)
        horiz = np.hypot(ce, cn)
        r, az, el = np.hypot(horiz, cu), np.mod(np.arctan2(ce, cn), TWO_PI), np.arctan2(cu, horiz)
        tid, sig, snr = tid[merged.best], sig[merged.best], merged.total
    sw = signatures.swerling[sig]
    conf = g.dwell_constants.confirm
    det, lam = draw_confirmed_detection(snr, g.n_pulses, sw, g.threshold, conf, rng)
    return _Returns(r[det], az[det], el[det], rdot[det], lam[det], tid[det])


def _false_alarm_returns(g: RadarGroup, rng: np.random.Generator) -> _Returns | None:
    """Poisson false alarms of the radar (truth id -1, uniform rdot), if any."""
    _, f_r, f_az, f_el, f_lam = draw_false_alarms(
        g.dwell_constants.mean_false_alarms, g.min_range_m, g.max_range_m, g.az_center_rad,
        g.az_width_rad, g.el_min_rad, g.el_max_rad, g.n_pulses, g.threshold, rng,
    )  # fmt: skip
    m = f_r.shape[0]
    if m == 0:
        return None
    rdot = np.asarray(rng.uniform(-300.0, 300.0, m))
    return _Returns(f_r, f_az, f_el, rdot, f_lam, np.full(m, -1, dtype=np.int64))


def _concat(a: _Returns | None, b: _Returns | None) -> _Returns | None:
    """Rows of ``a`` then ``b`` (either may be absent)."""
    if a is None or b is None:
        return a if b is None else b
    return _Returns(*(np.concatenate([x, y]) for x, y in zip(a, b, strict=True)))


def _noisy_detections(
    g: RadarGroup, ret: _Returns, t_s: float, rng: np.random.Generator
) -> Detections:
    """Measurement noise of every return (step 6), as a :class:`Detections` frame."""
    m = ret.r.shape[0]
    lam = ret.snr
    sigmas = measurement_sigmas(
        lam, g.range_resolution_m, g.az_beamwidth_rad, g.el_beamwidth_rad,
        g.velocity_resolution_mps, g.monopulse_slope, g.range_floor_m, g.angle_floor_rad,
        g.rdot_floor_mps,
    )  # fmt: skip
    s_r, s_az, s_el, s_v = sigmas
    r, az, el, rdot = add_measurement_noise(ret.r, ret.az, ret.el, ret.rdot, sigmas, rng)
    c = g.dwell_constants

    def full(value: float, dtype: type = np.float64) -> NDArray[np.generic]:
        return np.full(m, value, dtype=dtype)

    return Detections.from_trusted_columns(  # every column is a fresh array of the declared dtype
        {
            "t_s": full(t_s),
            "radar_id": full(int(g.radar_id[0]), np.int64),
            "range_m": r,
            "az_rad": az,
            "el_rad": el,
            "rdot_mps": rdot,
            "snr_db": 10.0 * np.log10(np.maximum(lam, 1e-12)),
            "sigma_range_m": s_r,
            "sigma_az_rad": s_az,
            "sigma_el_rad": s_el,
            "sigma_rdot_mps": s_v,
            "sensor_e_m": full(c.coverage.e_m),
            "sensor_n_m": full(c.coverage.n_m),
            "sensor_u_m": full(c.coverage.u_m),
            "truth_id": ret.truth_id,
        }
    )


#: The (immutable) result of a dwell without detections.
_NO_DETECTIONS = Detections.empty()
