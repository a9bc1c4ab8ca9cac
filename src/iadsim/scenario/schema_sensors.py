"""Radar and RCS catalog schema (pydantic v2) and their compilation to stage objects.

YAML fields carry their units (``_hz``, ``_km``, ``_deg``, ``_db``, ``_dbsm``);
:func:`compile_radar` and :func:`compile_rcs_table` convert them once to the SI
plain dataclasses of :mod:`iadsim.sensors` (:class:`RadarParams`,
:class:`RcsTableParams`). A radar's sensitivity is given either by the full
radar equation (``performance: {kind: full, ...}``) or by a published reference
detection range (``performance: {kind: reference_range, ...}``).

Both choices are registered kinds (:mod:`iadsim.scenario.registry`):
:data:`PERFORMANCES` (how a radar's sensitivity is described; compile step ->
loop constant ``C``) and :data:`DETECTION_MODELS` (how a dwell turns truth into
detections; compile step -> a :class:`iadsim.sensors.detection.DetectionModel`).
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from iadsim.scenario.base import Model, RadioHz
from iadsim.scenario.registry import KindModel, Registry
from iadsim.sensors.detect import StandardDetection
from iadsim.sensors.detection import DetectionModel
from iadsim.sensors.horizon import elevation_angle_rad
from iadsim.sensors.params import (
    FireControlParams,
    RadarParams,
    loop_constant_from_equation,
    loop_constant_from_reference,
)
from iadsim.sensors.radar_equation import BANDS, SPEED_OF_LIGHT_MPS, atmospheric_loss_db, band_index
from iadsim.sensors.rcs import RcsTableParams

__all__ = [
    "DETECTION_MODELS",
    "PERFORMANCES",
    "FullPerformance",
    "RadarType",
    "RcsTable",
    "ReferenceRangePerformance",
    "StandardDetectionConfig",
    "compile_radar",
    "compile_rcs_table",
]

Source = Annotated[str, Field(min_length=3, description="where the figures come from")]
Prob = Annotated[float, Field(gt=0.0, lt=1.0)]
Swerling = Annotated[int, Field(ge=0, le=4)]
Band = Literal["VHF", "UHF", "L", "S", "C", "X", "Ku"]


class _Model(Model):
    """The scenario layer's one base model (strict: no unknown fields, no inf/NaN)."""


#: How a radar type's sensitivity is given; compile(cfg, radar: RadarType) -> loop
#: constant C (m^2, per-pulse SNR = C sigma / R^4).
PERFORMANCES: Registry[float] = Registry("radar performance", context="radar: RadarType")
#: How a dwell turns truth into detections; compile(cfg) -> DetectionModel.
DETECTION_MODELS: Registry[DetectionModel] = Registry("detection model", default="standard")


@PERFORMANCES.register(
    example={
        "kind": "full",
        "peak_power_w": 1.0e6,
        "tx_gain_db": 38.0,
        "noise_figure_db": 3.0,
        "losses_db": 6.0,
        "source": "illustrative figures",
    }
)
class FullPerformance(KindModel):
    """Sensitivity from the radar range equation (Skolnik 2001, eq. 2.61)."""

    kind: Literal["full"]
    peak_power_w: Annotated[float, Field(gt=0.0)]
    tx_gain_db: Annotated[float, Field(ge=-20.0, le=70.0)] | None = None
    rx_gain_db: Annotated[float, Field(ge=-20.0, le=70.0)] | None = None
    aperture_m2: Annotated[float, Field(gt=0.0, le=10_000.0)] | None = Field(
        default=None, description="effective aperture; G = 4 pi A / lambda^2 (instead of gains)"
    )
    bandwidth_hz: Annotated[float, Field(gt=0.0)] | None = None
    pulse_width_s: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    noise_figure_db: Annotated[float, Field(ge=0.0, le=30.0)] | None = None
    system_temperature_k: Annotated[float, Field(gt=0.0)] | None = None
    losses_db: Annotated[float, Field(ge=0.0, le=60.0)] = 0.0
    n_coherent: Annotated[int, Field(ge=1, le=100_000)] = 1
    source: str = ""

    @model_validator(mode="after")
    def _one_of_each(self) -> FullPerformance:
        if (self.tx_gain_db is None) == (self.aperture_m2 is None):
            raise ValueError("give exactly one of tx_gain_db or aperture_m2")
        if self.noise_figure_db is None and self.system_temperature_k is None:
            raise ValueError("give noise_figure_db or system_temperature_k")
        return self


@PERFORMANCES.register(
    example={
        "kind": "reference_range",
        "rcs_m2": 1.0,
        "range_km": 150.0,
        "pd": 0.9,
        "source": "illustrative figures",
    }
)
class ReferenceRangePerformance(KindModel):
    """Sensitivity from a published figure: ``rcs_m2`` detected at ``range_km`` with ``pd``.

    ``pfa``, ``n_pulses`` and ``swerling`` default to the radar's own values. When
    the radar models the atmosphere, the reference includes the two-way loss to a
    target at ``alt_m`` (so the published range is reproduced in the simulation).
    """

    kind: Literal["reference_range"]
    rcs_m2: Annotated[float, Field(gt=0.0, le=1e5)]
    range_km: Annotated[float, Field(gt=0.0, le=10_000.0)]
    pd: Prob = 0.9
    pfa: Prob | None = None
    n_pulses: Annotated[int, Field(ge=1, le=10_000)] | None = None
    swerling: Swerling | None = None
    alt_m: Annotated[float, Field(ge=0.0, le=100_000.0)] = Field(
        default=10_000.0, description="target height of the reference (sets atmospheric loss)"
    )
    source: str = ""


Performance = Annotated[KindModel, PERFORMANCES.union]


@DETECTION_MODELS.register(
    example={"kind": "standard", "false_alarms": True, "merged_sigma": "cell"},
    compile=lambda c: StandardDetection(false_alarms=c.false_alarms, merged_sigma=c.merged_sigma),
)
class StandardDetectionConfig(KindModel):
    """The standard dwell: visibility, radar-equation SNR with RCS by aspect, Swerling
    Pd draw, resolution-cell merging, false alarms and SNR-dependent noise
    (``kind`` may be omitted)."""

    kind: Literal["standard"] = "standard"
    false_alarms: bool = True
    merged_sigma: Literal["cell", "noise"] = Field(
        default="cell",
        description=(
            "sigmas of a plot merging unresolved targets: 'cell' adds the resolution "
            "cell (d^2/12 per axis), 'noise' reports thermal noise only"
        ),
    )


Detection = Annotated[KindModel, DETECTION_MODELS.union]


class FireControl(_Model):
    """Engagement-radar capabilities of a radar type (see
    :class:`iadsim.sensors.params.FireControlParams`); channels are per fire unit."""

    target_channels: Annotated[int, Field(ge=1, le=1000)]
    missile_channels: Annotated[int, Field(ge=1, le=2000)]
    track_hold_s: Annotated[float, Field(gt=0.0, le=600.0)] | None = Field(
        default=None, description="default: two frames plus one second"
    )
    acquisition_delay_s: Annotated[float, Field(ge=0.0, le=600.0)] = 1.0
    acquisition_n_pulses: Annotated[int, Field(ge=1, le=10_000)] = 16
    acquisition_max_beams: Annotated[int, Field(ge=1, le=100)] = 5
    source: Source


class RadarType(_Model):
    """A radar type in the catalog (angles in degrees, ranges in km, as in YAML)."""

    kind: Literal["surveillance", "sector", "low-band"]
    description: str = ""
    frequency_hz: RadioHz
    performance: Performance
    pfa: Prob = 1e-6
    n_pulses: Annotated[int, Field(ge=1, le=10_000)] = 1
    swerling: Swerling = 1
    scan_period_s: Annotated[float, Field(gt=0.0, le=3600.0)]
    scan_sectors: Annotated[int, Field(ge=1, le=3600)] | None = Field(
        default=None,
        description="sector looks per scan (per-azimuth time stamps; default "
        "ceil(scan_period_s / 1 s))",
    )
    az_center_deg: Annotated[float, Field(ge=0.0, lt=360.0)] = 0.0
    az_width_deg: Annotated[float, Field(gt=0.0, le=360.0)] = 360.0
    el_min_deg: Annotated[float, Field(ge=-90.0, le=90.0)] = 0.0
    el_max_deg: Annotated[float, Field(ge=-90.0, le=90.0)] = 30.0
    instrumented_range_km: Annotated[float, Field(gt=0.0, le=10_000.0)]
    min_range_km: Annotated[float, Field(ge=0.0)] = 0.5
    az_beamwidth_deg: Annotated[float, Field(ge=0.01, le=360.0)]  # (1e-9: 64 GiB allocated)
    el_beamwidth_deg: Annotated[float, Field(ge=0.01, le=180.0)]
    bandwidth_hz: Annotated[float, Field(gt=0.0)]
    range_resolution_m: Annotated[float, Field(gt=0.0)] | None = Field(
        default=None, description="default c / (2 B)"
    )
    velocity_resolution_mps: Annotated[float, Field(ge=0.0)] = 0.0
    channels: Annotated[int, Field(ge=0, le=10_000)] = 0
    antenna_height_m: Annotated[float, Field(ge=0.0, le=500.0)] = 10.0
    monopulse_slope: Annotated[float, Field(gt=0.0, le=10.0)] = 1.6
    range_noise_floor_m: Annotated[float, Field(ge=0.0)] = 5.0
    angle_noise_floor_deg: Annotated[float, Field(ge=0.0, le=10.0)] = 0.01
    rdot_noise_floor_mps: Annotated[float, Field(ge=0.0)] = 0.5
    atmosphere: bool = True
    confirmation_dwell: bool = Field(
        default=False,
        description="alert-confirm: re-look at once at every crossing (ESA radars)",
    )
    fire_control: FireControl | None = Field(
        default=None, description="engagement-radar channels and cued acquisition"
    )
    detection: Detection = Field(
        default_factory=StandardDetectionConfig, description="detection model (kind)"
    )
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> RadarType:
        if self.el_max_deg <= self.el_min_deg:
            raise ValueError(
                f"el_max_deg: must exceed el_min_deg ({self.el_min_deg}) (got {self.el_max_deg})"
            )
        if self.min_range_km >= self.instrumented_range_km:
            raise ValueError(
                f"min_range_km: must be below instrumented_range_km "
                f"({self.instrumented_range_km}) (got {self.min_range_km})"
            )
        pd, pfa = getattr(self.performance, "pd", None), getattr(self.performance, "pfa", None)
        if pd is not None and pd <= (pfa := self.pfa if pfa is None else pfa):
            raise ValueError(f"performance.pd: must exceed the pfa ({pfa:g}) (got {pd:g})")
        if self.kind != "sector" and self.az_width_deg < 360.0:
            raise ValueError(
                f"az_width_deg: a {self.kind} radar covers 360 (got {self.az_width_deg})"
            )
        return self


@PERFORMANCES.compiler("reference_range")
def _reference_loop_constant(p: ReferenceRangePerformance, m: RadarType) -> float:
    """C reproducing the published detection range (with the atmosphere to ``alt_m``)."""
    loss_db = 0.0
    if m.atmosphere:
        r0 = p.range_km * 1000.0
        el = elevation_angle_rad(r0, p.alt_m, m.antenna_height_m)
        loss_db = float(atmospheric_loss_db(r0, el, int(band_index(m.frequency_hz))))
    return loop_constant_from_reference(
        extra_loss_db=loss_db,
        rcs_m2=p.rcs_m2,
        range_m=p.range_km * 1000.0,
        pd=p.pd,
        pfa=p.pfa if p.pfa is not None else m.pfa,
        n_pulses=p.n_pulses if p.n_pulses is not None else m.n_pulses,
        swerling=p.swerling if p.swerling is not None else m.swerling,
    )


@PERFORMANCES.compiler("full")
def _equation_loop_constant(p: FullPerformance, m: RadarType) -> float:
    """C from the radar range equation (gains from ``aperture_m2`` when given)."""
    lam = SPEED_OF_LIGHT_MPS / m.frequency_hz
    if p.aperture_m2 is not None:
        g_db = 10.0 * math.log10(4.0 * math.pi * p.aperture_m2 / lam**2)
        tx, rx = g_db, g_db
    else:
        tx = p.tx_gain_db if p.tx_gain_db is not None else 0.0
        rx = p.rx_gain_db if p.rx_gain_db is not None else tx
    bw = p.bandwidth_hz if (p.bandwidth_hz or p.pulse_width_s) else m.bandwidth_hz
    return loop_constant_from_equation(
        peak_power_w=p.peak_power_w,
        frequency_hz=m.frequency_hz,
        tx_gain_db=tx,
        rx_gain_db=rx,
        bandwidth_hz=bw,
        pulse_width_s=p.pulse_width_s,
        noise_figure_db=p.noise_figure_db,
        system_temperature_k=p.system_temperature_k,
        losses_db=p.losses_db,
        n_coherent=p.n_coherent,
    )


def compile_radar(model: RadarType, name: str = "") -> RadarParams:
    """Convert a validated :class:`RadarType` to SI :class:`RadarParams` (once)."""
    rad = math.radians
    res = model.range_resolution_m or SPEED_OF_LIGHT_MPS / (2.0 * model.bandwidth_hz)
    return RadarParams(
        name=name,
        kind=model.kind,
        loop_constant_m2=PERFORMANCES.compile(model.performance, model),
        frequency_hz=model.frequency_hz,
        pfa=model.pfa,
        n_pulses=model.n_pulses,
        swerling=model.swerling,
        scan_period_s=model.scan_period_s,
        scan_sectors=model.scan_sectors,
        az_center_rad=rad(model.az_center_deg),
        az_width_rad=rad(model.az_width_deg),
        el_min_rad=rad(model.el_min_deg),
        el_max_rad=rad(model.el_max_deg),
        instrumented_range_m=model.instrumented_range_km * 1000.0,
        min_range_m=model.min_range_km * 1000.0,
        az_beamwidth_rad=rad(model.az_beamwidth_deg),
        el_beamwidth_rad=rad(model.el_beamwidth_deg),
        range_resolution_m=res,
        bandwidth_hz=model.bandwidth_hz,
        velocity_resolution_mps=model.velocity_resolution_mps,
        channels=model.channels,
        antenna_height_m=model.antenna_height_m,
        monopulse_slope=model.monopulse_slope,
        range_noise_floor_m=model.range_noise_floor_m,
        angle_noise_floor_rad=rad(model.angle_noise_floor_deg),
        rdot_noise_floor_mps=model.rdot_noise_floor_mps,
        atmosphere=model.atmosphere,
        confirmation_dwell=model.confirmation_dwell,
        fire_control=_fire_control(model),
        detection=DETECTION_MODELS.compile(model.detection),
    )


def _fire_control(model: RadarType) -> FireControlParams | None:
    fc = model.fire_control
    if fc is None:
        return None
    hold = fc.track_hold_s if fc.track_hold_s is not None else 2.0 * model.scan_period_s + 1.0
    return FireControlParams(
        target_channels=fc.target_channels,
        missile_channels=fc.missile_channels,
        track_hold_s=hold,
        acquisition_delay_s=fc.acquisition_delay_s,
        acquisition_n_pulses=fc.acquisition_n_pulses,
        acquisition_max_beams=fc.acquisition_max_beams,
    )


class RcsTable(_Model):
    """Mean RCS (dBsm) over aspect and band for one platform type.

    ``dbsm`` maps a band to either one row over ``az_deg`` (elevation independent)
    or one row per ``el_deg``. Bands not given are interpolated in dB over the
    band order VHF < UHF < L < S < C < X < Ku (held constant beyond the ends).
    """

    swerling: Swerling = 1
    az_deg: list[Annotated[float, Field(ge=0.0, le=180.0)]] = Field(min_length=1)
    el_deg: list[Annotated[float, Field(ge=-90.0, le=90.0)]] = Field(default=[0.0], min_length=1)
    dbsm: dict[Band, list[float] | list[list[float]]] = Field(min_length=1)
    source: Source

    @model_validator(mode="after")
    def _shapes(self) -> RcsTable:
        for name, grid in (("az_deg", self.az_deg), ("el_deg", self.el_deg)):
            if any(b <= a for a, b in itertools.pairwise(grid)):
                raise ValueError(f"{name}: must be strictly increasing (got {grid})")
        for band, rows in self.dbsm.items():
            arr = np.asarray(rows, dtype=float)
            ok = arr.shape == (len(self.az_deg),) or arr.shape == (
                len(self.el_deg),
                len(self.az_deg),
            )
            if not ok:
                raise ValueError(
                    f"dbsm.{band}: need {len(self.az_deg)} values or "
                    f"{len(self.el_deg)} rows of them (got shape {arr.shape})"
                )
            if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 80.0):
                raise ValueError(f"dbsm.{band}: values must be finite dBsm within +-80")
        return self


def compile_rcs_table(model: RcsTable, name: str = "") -> RcsTableParams:
    """Convert a validated :class:`RcsTable` to :class:`RcsTableParams` (radians)."""
    n_el, n_az = len(model.el_deg), len(model.az_deg)
    given = sorted(BANDS.index(b) for b in model.dbsm)
    rows = {
        BANDS.index(b): np.broadcast_to(np.asarray(v, dtype=float), (n_el, n_az))
        for b, v in model.dbsm.items()
    }
    known = np.stack([rows[i] for i in given])  # (n_given, n_el, n_az)
    idx = np.arange(len(BANDS), dtype=float)
    full = np.empty((len(BANDS), n_el, n_az))
    for e in range(n_el):  # tiny loops over table cells
        for a in range(n_az):
            full[:, e, a] = np.interp(idx, np.asarray(given, dtype=float), known[:, e, a])
    return RcsTableParams(
        name=name,
        swerling=model.swerling,
        az_rad=np.radians(np.asarray(model.az_deg, dtype=float)),
        el_rad=np.radians(np.asarray(model.el_deg, dtype=float)),
        rcs_dbsm=full,
    )
