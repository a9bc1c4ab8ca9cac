"""The radar stage: placed radars and dwell scheduling (signatures: see ``signatures``).

``Radar`` is a keyword-only frozen configuration (a :class:`RadarParams` placed at
a site, with the shared :class:`RcsLibrary` and an optional :class:`TerrainMask`);
``Radar.observe(truth, t_s, rng, signatures)`` returns the :class:`Detections` of
one look, made by the radar type's detection model (``params.detection``, the one
seam: :mod:`iadsim.sensors.detection`) from its :class:`RadarGroup`, the radar's
parameters compiled to arrays once.

Scan model: a *scan* (one antenna rotation, or one search frame of a sector radar)
starts at ``scan_phase_s + j * scan_period_s`` and sweeps the coverage in azimuth at
a constant rate, so each azimuth is illuminated at its own time; a run observes it
as ``params.scan_sectors`` sector looks (:mod:`iadsim.sensors.scan`). ``observe``
itself is one look at whatever the radar covers, every target stamped with its
truth row's time (one instant unless ``sweep_rate_rad_s`` is finite).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Truth
from iadsim.sensors.detect import DwellConstants
from iadsim.sensors.horizon import K_STANDARD
from iadsim.sensors.params import RadarParams
from iadsim.sensors.pd import detection_threshold
from iadsim.sensors.rcs import RcsLibrary
from iadsim.sensors.signatures import TargetSignatures
from iadsim.sensors.terrain import GridDem, TerrainMask, build_terrain_mask

__all__ = ["Radar", "RadarGroup", "Sensor", "TargetSignatures", "place_radar"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


class Sensor(Protocol):
    """The sensing role as the engine sees it (tests may plug in fakes)."""

    radar_id: int

    def next_dwell_after(self, t_s: float) -> float:
        """Time of the first dwell strictly after ``t_s``."""
        ...

    def observe(
        self, truth: Truth, t_s: float, rng: np.random.Generator, signatures: TargetSignatures
    ) -> Detections:
        """Detections of one dwell at ``t_s``."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class Radar:
    """A radar placed in the scenario (configuration only; see :meth:`observe`).

    Attributes
    ----------
    radar_id : int
        Id written to ``Detections.radar_id``.
    params : RadarParams
        The radar type.
    pos_m : tuple of 3 floats
        Antenna phase centre in the scenario ENU frame (m).
    antenna_alt_m : float
        Antenna phase centre above mean sea level (ground + mast), m.
    rcs : RcsLibrary
        RCS tables indexed by :class:`TargetSignatures`.
    terrain : TerrainMask or None
        Site masking table; ``None`` means smooth ``k``-earth with heights taken
        relative to the site ground (``antenna_alt_m - mast height``).
    boresight_az_rad : float or None
        Sector centre override (default ``params.az_center_rad``).
    scan_phase_s : float
        Time of the first dwell.
    antenna_height_m : float or None
        Mast height at this site (default ``params.antenna_height_m``).
    k : float
        Effective earth radius factor for the smooth-earth horizon.
    sweep_rate_rad_s : float
        Azimuth sweep rate of a look, which ends at its time (inf: the whole look at
        one instant; a sector look of :mod:`iadsim.sensors.scan` sets the scan's rate).
    """

    radar_id: int
    params: RadarParams
    pos_m: tuple[float, float, float]
    antenna_alt_m: float
    rcs: RcsLibrary
    terrain: TerrainMask | None = None
    boresight_az_rad: float | None = None
    scan_phase_s: float = 0.0
    antenna_height_m: float | None = None
    k: float = K_STANDARD
    sweep_rate_rad_s: float = np.inf
    _group: RadarGroup | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def group(self) -> RadarGroup:
        """The radar as a one-radar :class:`RadarGroup` (built on first use)."""
        g = self._group
        if g is None:
            g = RadarGroup.of([self])
            object.__setattr__(self, "_group", g)
        return g

    @property
    def mast_m(self) -> float:
        """Antenna height above the site ground (placement override or type default)."""
        return (
            self.params.antenna_height_m if self.antenna_height_m is None else self.antenna_height_m
        )

    @property
    def az_center_rad(self) -> float:
        """Azimuth of the coverage centre (clockwise from north)."""
        return self.params.az_center_rad if self.boresight_az_rad is None else self.boresight_az_rad

    def next_dwell_after(self, t_s: float) -> float:
        """Time of the first dwell strictly after ``t_s``."""
        p = self.params.scan_period_s
        j = max(np.floor((t_s - self.scan_phase_s) / p) + 1.0, 0.0)
        t_next = float(self.scan_phase_s + j * p)
        # (t - phase) / p can round down to the previous integer when t is itself
        # a dwell time: step on so that the result is strictly after t_s.
        while t_next <= t_s:
            j += 1.0
            t_next = float(self.scan_phase_s + j * p)
        return t_next

    def observe(
        self, truth: Truth, t_s: float, rng: np.random.Generator, signatures: TargetSignatures
    ) -> Detections:
        """Detections of one look at ``t_s`` (truth rows: the states at the times the
        beam illuminated them), by the radar type's detection model
        (``params.detection``: the one place a detection model is called)."""
        return self.params.detection.observe(self, truth, t_s, rng, signatures)

    @functools.cached_property
    def _acquisition_radar(self) -> Radar:
        """The same radar integrating ``fire_control.acquisition_n_pulses`` per dwell."""
        fc = self.params.fire_control
        if fc is None:
            raise ValueError(f"radar {self.radar_id} ({self.params.name}) has no fire_control")
        params = dataclasses.replace(self.params, n_pulses=fc.acquisition_n_pulses)
        return dataclasses.replace(self, params=params)

    def cue_window(self, cue_m: F, cue_sigma_m: float) -> tuple[F, F]:
        """Centre (range m, az rad, el rad) and half widths of the acquisition window.

        The window is the cue's 3-sigma volume, at least one beam (half a beamwidth
        each side) and at most ``fire_control.acquisition_max_beams`` beams per angle;
        the range gate is +-max(3 sigma, 2 range cells).
        """
        fc = self.params.fire_control
        if fc is None:
            raise ValueError(f"radar {self.radar_id} ({self.params.name}) has no fire_control")
        rel = np.asarray(cue_m, dtype=np.float64) - np.asarray(self.pos_m)
        rng_m = float(np.sqrt(rel @ rel))
        az = float(np.arctan2(rel[0], rel[1]) % (2 * np.pi))
        el = float(np.arcsin(rel[2] / max(rng_m, 1.0)))
        ang = 3.0 * cue_sigma_m / max(rng_m, 1.0)
        p = self.params
        beams = fc.acquisition_max_beams
        half = np.array(
            [
                max(3.0 * cue_sigma_m, 2.0 * p.range_resolution_m),
                min(max(ang, p.az_beamwidth_rad / 2), beams * p.az_beamwidth_rad / 2),
                min(max(ang, p.el_beamwidth_rad / 2), beams * p.el_beamwidth_rad / 2),
            ]
        )
        return np.array([rng_m, az, el]), half

    def in_cue_window(self, cue_m: F, cue_sigma_m: float) -> Callable[[F], NDArray[np.bool_]]:
        """An ``observed`` predicate (positions (n, 3) ENU m -> bool) for the tracker:
        the points inside the acquisition window of :meth:`cue_window`."""
        centre, half = self.cue_window(cue_m, cue_sigma_m)
        origin = np.asarray(self.pos_m)
        return lambda pos: _in_window(np.asarray(pos)[:, :3] - origin, centre, half)

    def observe_cued(
        self,
        truth: Truth,
        t_s: float,
        rng: np.random.Generator,
        signatures: TargetSignatures,
        cue_m: F,
        cue_sigma_m: float,
    ) -> Detections:
        """Detections of an acquisition dwell on a cue (another radar's track).

        The fire-control radar spends ``fire_control.acquisition_n_pulses`` per beam on
        the window of :meth:`cue_window` around the cue position ``cue_m`` (3,) ENU m
        with 1-sigma position uncertainty ``cue_sigma_m``: targets inside the window
        are observed with the acquisition dwell's Pd (radar equation, terrain, horizon
        as in :meth:`observe`); a target the cue put outside the window is not seen.
        False alarms are kept only inside the window.
        """
        centre, half = self.cue_window(cue_m, cue_sigma_m)
        inside = _in_window(truth.pos_m() - np.asarray(self.pos_m), centre, half)
        dets = self._acquisition_radar.observe(truth.select(inside), t_s, rng, signatures)
        if not len(dets):
            return dets
        pos = np.stack(
            [
                dets.range_m * np.cos(dets.el_rad) * np.sin(dets.az_rad),
                dets.range_m * np.cos(dets.el_rad) * np.cos(dets.az_rad),
                dets.range_m * np.sin(dets.el_rad),
            ],
            axis=-1,
        )
        return dets.select(_in_window(pos, centre, half))


def _in_window(rel_m: F, centre: F, half: F) -> NDArray[np.bool_]:
    """Rows of ``rel_m`` (N, 3) (ENU m from the radar) inside the (range, az, el) window
    (the angles are computed for the rows inside the range gate only)."""
    rng_m = np.sqrt(np.sum(rel_m * rel_m, axis=-1))
    inside = np.abs(rng_m - centre[0]) <= half[0]
    i = inside.nonzero()[0]
    rel, rng_m = rel_m[i], rng_m[i]
    az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    el = np.arcsin(np.clip(rel[:, 2] / np.maximum(rng_m, 1.0), -1.0, 1.0))
    daz = np.abs((az - centre[1] + np.pi) % (2 * np.pi) - np.pi)
    inside[i] = (daz <= half[1]) & (np.abs(el - centre[2]) <= half[2])
    return inside


@dataclasses.dataclass(frozen=True, kw_only=True)
class RadarGroup:
    """One radar's parameters as arrays, built once per :class:`Radar`.

    Every array attribute has a leading axis of length 1 (the shape the step
    kernels of :mod:`iadsim.sensors.measurement` take); ``has_mask`` is False for a
    smooth-earth radar. ``mask_tan`` holds ``tan`` of the mask angles (comparisons
    use tangents).
    """

    radar_id: I64
    pos_m: F
    antenna_alt_m: F
    ground_alt_m: F
    antenna_height_m: F
    loop_constant_m2: F
    band: I64
    pfa: F
    n_pulses: I64
    threshold: F
    az_center_rad: F
    az_width_rad: F
    el_min_rad: F
    el_max_rad: F
    min_range_m: F
    max_range_m: F
    az_beamwidth_rad: F
    el_beamwidth_rad: F
    range_resolution_m: F
    velocity_resolution_mps: F
    monopulse_slope: F
    range_floor_m: F
    angle_floor_rad: F
    rdot_floor_mps: F
    atmosphere: NDArray[np.bool_]
    confirm: NDArray[np.bool_]
    sweep_rate_rad_s: F
    n_cells: F
    k: F
    has_mask: NDArray[np.bool_]
    mask_el_rad: F
    mask_tan: F
    mask_n_az: I64
    mask_step_m: F
    rcs: RcsLibrary

    @classmethod
    def of(cls, radars: Sequence[Radar]) -> RadarGroup:
        """The arrays of one radar (``radars`` holds exactly one).

        Dwells of several radars are separate calls: batching radars into one call
        saved little and no caller used it (removed in issue #11).
        """
        if len(radars) != 1:
            raise ValueError(f"RadarGroup: need exactly one radar (got {len(radars)})")
        rcs = radars[0].rcs
        ps = [r.params for r in radars]

        def arr(values: Sequence[float | int | bool], dtype: type = np.float64) -> NDArray:
            return np.asarray(values, dtype=dtype)

        masks = [r.terrain for r in radars]
        m0 = masks[0]
        # one radar: its mask is the stack (a view; a mask is tens of MB per radar)
        stack = np.full((1, 1, 1), -np.pi / 2) if m0 is None else m0.mask_el_rad[None, :, :]
        return cls(
            radar_id=arr([r.radar_id for r in radars], np.int64),
            pos_m=np.asarray([r.pos_m for r in radars], dtype=np.float64).reshape(-1, 3),
            antenna_alt_m=arr([r.antenna_alt_m for r in radars]),
            ground_alt_m=arr([r.antenna_alt_m - r.mast_m for r in radars]),
            antenna_height_m=arr([r.mast_m for r in radars]),
            loop_constant_m2=arr([p.loop_constant_m2 for p in ps]),
            band=arr([p.band for p in ps], np.int64),
            pfa=arr([p.pfa for p in ps]),
            n_pulses=arr([p.n_pulses for p in ps], np.int64),
            threshold=detection_threshold([p.pfa for p in ps], [p.n_pulses for p in ps]),
            az_center_rad=arr([r.az_center_rad for r in radars]),
            az_width_rad=arr([p.az_width_rad for p in ps]),
            el_min_rad=arr([p.el_min_rad for p in ps]),
            el_max_rad=arr([p.el_max_rad for p in ps]),
            min_range_m=arr([p.min_range_m for p in ps]),
            max_range_m=arr([p.instrumented_range_m for p in ps]),
            az_beamwidth_rad=arr([p.az_beamwidth_rad for p in ps]),
            el_beamwidth_rad=arr([p.el_beamwidth_rad for p in ps]),
            range_resolution_m=arr([p.range_resolution_m for p in ps]),
            velocity_resolution_mps=arr([p.velocity_resolution_mps for p in ps]),
            monopulse_slope=arr([p.monopulse_slope for p in ps]),
            range_floor_m=arr([p.range_noise_floor_m for p in ps]),
            angle_floor_rad=arr([p.angle_noise_floor_rad for p in ps]),
            rdot_floor_mps=arr([p.rdot_noise_floor_mps for p in ps]),
            atmosphere=arr([p.atmosphere for p in ps], np.bool_),
            confirm=arr([p.confirmation_dwell for p in ps], bool),
            sweep_rate_rad_s=arr([r.sweep_rate_rad_s for r in radars]),
            n_cells=arr([p.n_resolution_cells() for p in ps]),
            k=arr([r.k for r in radars]),
            has_mask=arr([m is not None for m in masks], np.bool_),
            mask_el_rad=stack,
            mask_tan=np.tan(np.clip(stack, -1.5, 1.5)),
            mask_n_az=arr([m.n_az if m is not None else 1 for m in masks], np.int64),
            mask_step_m=arr([m.range_step_m if m is not None else 1.0 for m in masks]),
            rcs=rcs,
        )

    def __len__(self) -> int:
        return int(self.radar_id.shape[0])

    @functools.cached_property
    def dwell_constants(self) -> DwellConstants:
        """Per-radar constants of a dwell (derived once, on first use)."""
        return DwellConstants.of(self)


def place_radar(
    *,
    radar_id: int,
    params: RadarParams,
    pos_m: tuple[float, float, float],
    lat_rad: float,
    lon_rad: float,
    ground_alt_m: float,
    rcs: RcsLibrary,
    mast_m: float | None = None,
    heading_rad: float | None = None,
    dem: GridDem | None = None,
    k: float = K_STANDARD,
    mask_n_az: int = 720,
    mask_range_step_m: float = 1000.0,
    scan_phase_s: float = 0.0,
) -> Radar:
    """A :class:`Radar` at a geodetic site, with its terrain mask built from ``dem``.

    ``pos_m`` is the antenna position in the scenario ENU frame, ``ground_alt_m``
    the site ground above mean sea level and ``mast_m`` the antenna height above it
    (default ``params.antenna_height_m``). ``dem=None`` means smooth ``k``-earth.
    The mask covers the instrumented range (one-off cost, ~0.1 s for 720 x 600 cells).
    """
    mast = params.antenna_height_m if mast_m is None else mast_m
    antenna_alt = ground_alt_m + mast
    mask = None
    if dem is not None:
        mask = build_terrain_mask(
            dem,
            lat_rad=lat_rad,
            lon_rad=lon_rad,
            antenna_alt_m=antenna_alt,
            max_range_m=params.instrumented_range_m,
            n_az=mask_n_az,
            range_step_m=mask_range_step_m,
            k=k,
        )
    return Radar(
        radar_id=radar_id,
        params=params,
        pos_m=pos_m,
        antenna_alt_m=antenna_alt,
        rcs=rcs,
        terrain=mask,
        boresight_az_rad=heading_rad,
        scan_phase_s=scan_phase_s,
        antenna_height_m=mast,
        k=k,
    )
