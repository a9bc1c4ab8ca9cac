"""Replay of recorded flights as threat motion (``motion: {kind: replay}``).

Each cleaned flight (:mod:`iadsim.truth.cleaning`) becomes one
:class:`ReplayMotion`: its reports projected into the route plane
(:mod:`iadsim.truth.plane`, so :class:`~iadsim.truth.TruthModel` maps it to the
scenario ENU frame like every other motion kind) and interpolated linearly in
time between reports. The velocity between two reports is the constant one that
joins them, so velocity integrates exactly to the replayed positions. The positions
at report times are, by default, the recorded ones fused with the recorded ground
speed and track (:mod:`iadsim.truth.fusion`: archived ADS-B positions are stale by
a fraction of a second, and their differences tens of m/s wrong); with
``fuse_velocity=False`` they are the recorded ones (to rounding).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.truth.cleaning import Flights
from iadsim.truth.fusion import fuse_positions, screen_velocities
from iadsim.truth.plane import geodetic_to_plane

F64 = NDArray[np.float64]

__all__ = ["ReplayFlight", "ReplayMotion", "replay_flights", "velocity_disagreement_mps"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplayMotion:
    """One recorded flight in the route plane (a :class:`~iadsim.truth.ThreatMotion`).

    Parameters
    ----------
    tau_s : (k,) report times, s after the flight's first report (strictly increasing,
        ``tau_s[0] == 0``, k >= 2).
    plane_m : (k, 2) plane east/north of the reports, m.
    alt_m : (k,) altitude above mean sea level, m.
    """

    tau_s: F64
    plane_m: F64
    alt_m: F64

    @property
    def end_s(self) -> float:
        """Time of the last report, s after the first."""
        return float(self.tau_s[-1])

    def plane_states(self, tau_s: F64) -> tuple[F64, F64, F64, F64]:
        """Linear interpolation between reports (times clamped to the flight)."""
        tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, self.end_s)
        k = np.clip(np.searchsorted(self.tau_s, tau, side="right") - 1, 0, self.tau_s.size - 2)
        dt = self.tau_s[k + 1] - self.tau_s[k]
        w = (tau - self.tau_s[k]) / dt
        d = self.plane_m[k + 1] - self.plane_m[k]
        pos = self.plane_m[k] + w[..., None] * d
        dh = self.alt_m[k + 1] - self.alt_m[k]
        return pos, d / dt[..., None], self.alt_m[k] + w * dh, dh / dt


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplayFlight:
    """A flight ready to fly: its motion, start (s after ``t0``) and name."""

    motion: ReplayMotion
    start_s: float
    name: str
    n_velocities_screened: int = 0  # recorded velocity glitches replaced


def replay_flights(
    flights: Flights, origin_rad: tuple[float, float], t0_s: float, *, fuse_velocity: bool = True
) -> tuple[ReplayFlight, ...]:
    """Every flight of ``flights`` as a :class:`ReplayFlight`; times from ``t0_s``
    (epoch s), plane about ``origin_rad`` (lat, lon rad). Names are the callsign
    (else the ICAO address), with ``-2``, ``-3`` ... for later flights of the same.
    ``fuse_velocity``: positions fused with the recorded ground velocity (module doc;
    a flight with a report lacking ground speed or track keeps its positions), isolated
    velocity glitches replaced first (:func:`screen_velocities`)."""
    pe, pn = geodetic_to_plane(
        np.radians(flights.lat_deg), np.radians(flights.lon_deg), origin_rad[0], origin_rad[1]
    )
    out: list[ReplayFlight] = []
    seen: dict[str, int] = {}
    for i in range(flights.n_flights):
        a, b = int(flights.start[i]), int(flights.start[i + 1])
        base = flights.callsign[i] or flights.icao24[i]
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        t = flights.t_s[a:b]
        plane_m = np.stack([pe[a:b], pn[a:b]], axis=-1)
        n_screened = 0
        if fuse_velocity:
            trk = np.radians(flights.track_deg[a:b])
            gs = flights.groundspeed_mps[a:b]
            vel = np.stack([gs * np.sin(trk), gs * np.cos(trk)], -1)
            vel, n_screened = screen_velocities(t, vel)
            plane_m = fuse_positions(t, plane_m, vel)
        motion = ReplayMotion(
            tau_s=t - t[0],
            plane_m=plane_m,
            alt_m=flights.alt_m[a:b].copy(),
        )
        out.append(ReplayFlight(motion=motion, start_s=float(t[0] - t0_s), name=name,
                                n_velocities_screened=n_screened))  # fmt: skip
    return tuple(out)


def velocity_disagreement_mps(flights: Flights, *, fuse_velocity: bool) -> float:
    """RMS difference, m/s, between the replayed horizontal velocity of each leg
    between reports and the recorded ground velocity (mean of the leg's two reports),
    over the legs where both are known: how far the replay's truth velocity is from
    the aircraft's own (NaN without such a leg)."""
    if flights.n_flights == 0:  # (an empty, or one-report, recording: no leg)
        return float("nan")
    lat0, lon0 = np.radians(np.nanmean(flights.lat_deg)), np.radians(np.nanmean(flights.lon_deg))
    flown = replay_flights(flights, (lat0, lon0), 0.0, fuse_velocity=fuse_velocity)
    sq: list[F64] = []
    for i, fl in enumerate(flown):
        a, b = int(flights.start[i]), int(flights.start[i + 1])
        trk, gs = np.radians(flights.track_deg[a:b]), flights.groundspeed_mps[a:b]
        rec = np.stack([gs * np.sin(trk), gs * np.cos(trk)], axis=-1)
        m = fl.motion
        rep = np.diff(m.plane_m, axis=0) / np.diff(m.tau_s)[:, None]
        err = rep - 0.5 * (rec[1:] + rec[:-1])
        sq.append(np.sum(err * err, axis=-1)[np.isfinite(err).all(axis=-1)])
    allsq = np.concatenate(sq) if sq else np.zeros(0)
    return float(np.sqrt(allsq.mean())) if allsq.size else float("nan")
