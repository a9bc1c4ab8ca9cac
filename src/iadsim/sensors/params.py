"""Plain radar description (SI units) and its two equivalent constructions.

A radar is described to the detection kernels by a :class:`RadarParams`: the
loop constant ``C`` (so that the per-pulse SNR is ``C sigma / R^4``), the
detection set-up (Pfa, pulses integrated noncoherently) and the geometry of its
coverage and resolution. ``C`` comes either from the full radar equation
(:func:`loop_constant_from_equation`) or from a published reference detection
range (:func:`loop_constant_from_reference`):

    "detects sigma_0 at R_0 with Pd_0 at Pfa (Swerling n, N pulses)"
    => C = SNR_req(Pd_0, Pfa, N, n) R_0^4 / sigma_0,

with ``SNR_req`` the exact per-pulse required SNR (:func:`iadsim.sensors.pd.required_snr`).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from iadsim.sensors.detection import STANDARD, DetectionModel
from iadsim.sensors.pd import required_snr
from iadsim.sensors.radar_equation import BANDS, band_index, loop_constant_m2

__all__ = [
    "RADAR_KINDS",
    "RadarKind",
    "RadarParams",
    "loop_constant_from_equation",
    "loop_constant_from_reference",
]

RadarKind = Literal["surveillance", "sector", "low-band"]
RADAR_KINDS: tuple[str, ...] = ("surveillance", "sector", "low-band")


@dataclasses.dataclass(frozen=True, kw_only=True)
class FireControlParams:
    """What an engagement (fire-control) radar offers its battery, SI units.

    Attributes
    ----------
    target_channels : targets the fire unit engages at once (salvos in flight).
    missile_channels : interceptors it guides at once (rounds in flight).
    track_hold_s : longest time since the radar's last detection for a track to count
        as a fire-control track, s.
    acquisition_delay_s : from a cue (another radar's track) to the acquisition dwell, s.
    acquisition_n_pulses : pulses integrated in the acquisition dwell on the cue volume.
    acquisition_max_beams : beam positions the acquisition dwell may spend on one cue
        (the searched window grows with the cue's uncertainty up to this), per axis.
    """

    target_channels: int
    missile_channels: int
    track_hold_s: float
    acquisition_delay_s: float = 1.0
    acquisition_n_pulses: int = 16
    acquisition_max_beams: int = 5

    def __post_init__(self) -> None:
        if self.target_channels < 1 or self.missile_channels < 1:
            raise ValueError("FireControlParams: channels must be >= 1")
        if not (self.track_hold_s > 0 and self.acquisition_delay_s >= 0):
            raise ValueError("FireControlParams: track_hold_s > 0, acquisition_delay_s >= 0")
        if self.acquisition_n_pulses < 1 or self.acquisition_max_beams < 1:
            raise ValueError("FireControlParams: acquisition pulses and beams must be >= 1")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RadarParams:
    """A radar type in SI units (angles in rad, ranges in m, times in s).

    Attributes
    ----------
    name : str
        Catalog name.
    kind : {"surveillance", "sector", "low-band"}
        ``surveillance``: rotating 360 deg search radar; ``sector``: electronically
        scanned engagement radar with ``channels`` simultaneous engagements;
        ``low-band``: VHF/UHF rotating search radar (coarse resolution).
    loop_constant_m2 : float
        ``C`` with per-pulse SNR = ``C sigma / R^4`` (coherent gain included).
    frequency_hz : float
        Carrier frequency; ``band`` is its index into :data:`BANDS`.
    pfa : float
        False-alarm probability per resolution cell per dwell.
    n_pulses : int
        Pulses (or CPIs) integrated noncoherently per dwell.
    swerling : int
        Fluctuation case assumed when ``C`` was calibrated and for coverage tables.
    scan_period_s : float
        Revisit time of a point in the coverage (rotation period or frame time).
    scan_sectors : int or None
        Sector looks per scan (per-azimuth time stamps, :mod:`iadsim.sensors.scan`);
        None: ``ceil(scan_period_s / 0.5 s)``.
    az_center_rad, az_width_rad : float
        Azimuth coverage (centre clockwise from north, full width; 2 pi = all round).
    el_min_rad, el_max_rad : float
        Elevation coverage.
    instrumented_range_m, min_range_m : float
        Range window.
    az_beamwidth_rad, el_beamwidth_rad : float
        Two-way 3 dB beamwidths.
    range_resolution_m : float
        Range cell size (``c / 2B``).
    bandwidth_hz : float
        Signal bandwidth.
    velocity_resolution_mps : float
        Doppler resolution; 0 means no radial-velocity measurement.
    channels : int
        Simultaneous tracks / engagement channels (0 = not specified).
    antenna_height_m : float
        Antenna phase centre above the ground at the site.
    monopulse_slope : float
        Angle-error slope ``k_m`` in ``sigma_theta = theta_3dB / (k_m sqrt(2 SNR))``.
    range_noise_floor_m, angle_noise_floor_rad, rdot_noise_floor_mps : float
        Bias-like floors on the measurement noise standard deviations.
    atmosphere : bool
        Apply the two-way atmospheric loss.
    fire_control : FireControlParams or None
        Engagement-radar capabilities (None: the radar cannot guide interceptors).
    confirmation_dwell : bool
        Alert-confirm sequential detection of electronically scanned radars: every
        threshold crossing is re-examined at once by a second dwell in the same
        direction and reported only if that crosses too. False alarms then occur
        with probability ``pfa**2`` per cell; a target is reported with
        probability ``Pd**2`` for independent looks (Skolnik, *Introduction to
        Radar Systems*, 3rd ed., 2001, sec. 2.5 and 9.7 on sequential detection).
    detection : DetectionModel
        How a look turns truth into detections (default: the standard model,
        :class:`iadsim.sensors.detect.StandardDetection`); the one place a detection
        model is chosen (:meth:`iadsim.sensors.Radar.observe` calls it).
    """

    name: str
    kind: RadarKind
    loop_constant_m2: float
    frequency_hz: float
    pfa: float
    n_pulses: int
    swerling: int
    scan_period_s: float
    az_center_rad: float
    az_width_rad: float
    el_min_rad: float
    el_max_rad: float
    instrumented_range_m: float
    min_range_m: float
    az_beamwidth_rad: float
    el_beamwidth_rad: float
    range_resolution_m: float
    bandwidth_hz: float
    velocity_resolution_mps: float = 0.0
    channels: int = 0
    antenna_height_m: float = 10.0
    monopulse_slope: float = 1.6
    range_noise_floor_m: float = 5.0
    angle_noise_floor_rad: float = 2e-4
    rdot_noise_floor_mps: float = 0.5
    atmosphere: bool = True
    confirmation_dwell: bool = False
    fire_control: FireControlParams | None = None
    detection: DetectionModel = STANDARD
    scan_sectors: int | None = None

    def __post_init__(self) -> None:
        checks = {
            "loop_constant_m2": self.loop_constant_m2 > 0,
            "frequency_hz": self.frequency_hz > 0,
            "pfa": 0.0 < self.pfa < 1.0,
            "n_pulses": self.n_pulses >= 1,
            "swerling": self.swerling in (0, 1, 2, 3, 4, 5),
            "scan_period_s": self.scan_period_s > 0,
            "az_width_rad": 0.0 < self.az_width_rad <= 2.0 * np.pi + 1e-12,
            "el_max_rad": self.el_min_rad < self.el_max_rad,
            "instrumented_range_m": self.instrumented_range_m > self.min_range_m >= 0.0,
            "az_beamwidth_rad": 0.0 < self.az_beamwidth_rad <= 2.0 * np.pi,
            "el_beamwidth_rad": 0.0 < self.el_beamwidth_rad <= np.pi,
            "range_resolution_m": self.range_resolution_m > 0,
            "scan_sectors": self.scan_sectors is None or self.scan_sectors >= 1,
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"RadarParams {self.name!r}: invalid {', '.join(bad)}")

    @property
    def band(self) -> int:
        """Index of the carrier's letter band in :data:`BANDS`."""
        return int(band_index(self.frequency_hz))

    @property
    def band_name(self) -> str:
        """IEEE letter band of the carrier (``"S"``, ``"X"``, ...)."""
        return BANDS[self.band]

    @property
    def wavelength_m(self) -> float:
        """Carrier wavelength (m)."""
        return 299_792_458.0 / self.frequency_hz

    @property
    def rotating(self) -> bool:
        """True for all-round search radars (surveillance and low-band)."""
        return self.kind != "sector"

    def n_resolution_cells(self) -> float:
        """Resolution cells searched per dwell (range x azimuth x elevation)."""
        n_r = (self.instrumented_range_m - self.min_range_m) / self.range_resolution_m
        n_az = max(self.az_width_rad / self.az_beamwidth_rad, 1.0)
        n_el = max((self.el_max_rad - self.el_min_rad) / self.el_beamwidth_rad, 1.0)
        return float(n_r * n_az * n_el)


def loop_constant_from_equation(
    *,
    peak_power_w: float,
    frequency_hz: float,
    tx_gain_db: float,
    rx_gain_db: float | None = None,
    bandwidth_hz: float | None = None,
    pulse_width_s: float | None = None,
    noise_figure_db: float | None = None,
    system_temperature_k: float | None = None,
    losses_db: float = 0.0,
    n_coherent: int = 1,
) -> float:
    """Loop constant (m^2) from full radar parameters (see :func:`loop_constant_m2`)."""
    return float(
        loop_constant_m2(
            peak_power_w=peak_power_w,
            frequency_hz=frequency_hz,
            tx_gain_db=tx_gain_db,
            rx_gain_db=rx_gain_db,
            bandwidth_hz=bandwidth_hz,
            pulse_width_s=pulse_width_s,
            noise_figure_db=noise_figure_db,
            system_temperature_k=system_temperature_k,
            losses_db=losses_db,
            n_coherent=n_coherent,
        )
    )


def loop_constant_from_reference(
    *,
    rcs_m2: float,
    range_m: float,
    pd: float,
    pfa: float,
    n_pulses: int,
    swerling: int,
    extra_loss_db: float = 0.0,
) -> float:
    """Loop constant (m^2) such that ``rcs_m2`` is detected at ``range_m`` with ``pd``.

    ``C = SNR_req R_0^4 / sigma_0 * 10^(L/10)`` with the exact per-pulse ``SNR_req``
    (:func:`iadsim.sensors.pd.required_snr`) for ``pfa``, ``n_pulses``, ``swerling``
    and ``L`` the losses (dB, e.g. atmosphere) present in the reference condition.
    """
    snr = float(required_snr(pd, pfa, n_pulses, swerling))
    return snr * range_m**4 / rcs_m2 * 10.0 ** (extra_loss_db / 10.0)
