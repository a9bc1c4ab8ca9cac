"""Builders shared by the C2 tests: tracks, pictures, a simple interceptor, a wired
C2 + Engagement, and a fake of the truth-side physics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from iadsim.c2 import C2, BatteryParams, C2Params, ThreatParams
from iadsim.engagement import Engagement, InterceptorParams, LauncherParams
from iadsim.engagement.guidance import GuidanceSupport
from iadsim.engagement.reach import REACQUIRE_ACCEL_MPS2
from iadsim.frames import Tracks, Truth
from iadsim.picture import TrackPicture


class FlatPhysics:
    """Every threat a fighter of 0 dBsm (a fake of the truth-side TargetPhysics)."""

    def threat_class(self, threat_id):
        return np.zeros(np.shape(threat_id), dtype=np.int64)

    def rcs_dbsm(self, threat_id, truth, rows, from_m, frequency_hz):
        return np.zeros(np.shape(threat_id))


PHYS = FlatPhysics()


def held(
    tracks: Tracks, t_s: float, *, batteries: Sequence[int] = (0, 1), last_hit_t_s=None,
    fc_age_s: float = 0.0,
) -> TrackPicture:  # fmt: skip
    """The picture of ``tracks`` at ``t_s`` in which every battery's engagement radar has
    just updated every track (fire-control tracks), last detections at ``last_hit_t_s``
    (default: now)."""
    n, b = len(tracks), len(batteries)
    fc = np.full((n, b), t_s - fc_age_s)
    return TrackPicture.of_tracks(
        tracks, t_s, battery_id=np.asarray(batteries), fc_hold_s=np.full(b, 5.0),
        last_hit_t_s=None if last_hit_t_s is None else np.full(n, float(last_hit_t_s)),
        fc_last_hit_t_s=fc, fc_prev_hit_t_s=fc,
    )  # fmt: skip


def make_tracks(
    pos: np.ndarray, vel: np.ndarray, *, t_s: float = 0.0, quality: float | np.ndarray = 1.0,
    var_v: float = 1.0, status: int = 1, ids: Sequence[int] | None = None,
) -> Tracks:  # fmt: skip
    pos = np.atleast_2d(np.asarray(pos, dtype=float))
    vel = np.atleast_2d(np.asarray(vel, dtype=float))
    n = pos.shape[0]
    z = np.zeros(n)
    return Tracks(
        t_s=z + t_s, track_id=np.arange(n) if ids is None else np.asarray(ids),
        status=np.full(n, status, dtype=np.int8), e_m=pos[:, 0], n_m=pos[:, 1], u_m=pos[:, 2],
        ve_mps=vel[:, 0], vn_mps=vel[:, 1], vu_mps=vel[:, 2], var_e_m2=z + 100.0,
        var_n_m2=z + 100.0, var_u_m2=z + 100.0, var_ve_m2ps2=z + var_v, var_vn_m2ps2=z + var_v,
        var_vu_m2ps2=z + var_v, quality=z + quality,
    )  # fmt: skip


def truth_from_tracks(tracks: Tracks, t_s: float, offset_m: float = 0.0) -> Truth:
    """Truth that follows the tracks' straight lines exactly (plus a constant offset)."""
    dt = t_s - tracks.t_s
    z = np.zeros(len(tracks))
    return Truth(
        t_s=z + t_s, threat_id=1000 + tracks.track_id,
        e_m=tracks.e_m + tracks.ve_mps * dt + offset_m, n_m=tracks.n_m + tracks.vn_mps * dt,
        u_m=tracks.u_m + tracks.vu_mps * dt, ve_mps=tracks.ve_mps, vn_mps=tracks.vn_mps,
        vu_mps=tracks.vu_mps, alt_m=tracks.u_m, alive=np.ones(len(tracks), bool),
    )  # fmt: skip


def interceptor(name: str = "sam", pk: float = 0.8, max_range_m: float = 100e3,
                **kw: object) -> InterceptorParams:  # fmt: skip
    """A simple fire-and-forget type (no support needed in flight: C2 tests need no
    engagement-radar bookkeeping), certain acquisition within 1 km."""
    base: dict[str, object] = dict(
        min_range_m=1000.0, min_alt_m=10.0, max_alt_m=25_000.0, boost_s=4.0,
        max_speed_mps=1200.0, decel_mps2=3.0, min_speed_mps=700.0, reaction_s=5.0,
        launch_interval_s=2.0, reload_s=900.0,
        support=GuidanceSupport(midcourse="none", terminal="autonomous"),
    )  # fmt: skip
    base.update(kw)
    return InterceptorParams(
        name=name, max_range_m=max_range_m, pk_range_fraction=np.array([0.0, 1.0]),
        pk_table=np.array([[pk, pk * 0.9]] * 4), **base,
    )  # fmt: skip


def wire(
    *, types: Sequence[InterceptorParams] | None = None, loadout: np.ndarray | None = None,
    n_launchers: int = 4, batteries: Sequence[BatteryParams] | None = None,
    battery_of: np.ndarray | None = None, reserve: np.ndarray | None = None,
    sites=((0.0, 0.0, 0.0),), site_value=(10.0,), params: C2Params | None = None,
    launcher_pos: np.ndarray | None = None, reacquire_accel_mps2: float = REACQUIRE_ACCEL_MPS2,
) -> tuple[C2, Engagement]:  # fmt: skip
    types = list(types or [interceptor()])
    if loadout is None:
        loadout = np.full((n_launchers, len(types)), 4)
    n_l = loadout.shape[0]
    batteries = list(batteries or [BatteryParams(battery_id=0, target_channels=6,
                                                 missile_channels=12)])  # fmt: skip
    lp = LauncherParams(
        launcher_id=100 + np.arange(n_l),
        battery_id=np.zeros(n_l, int) if battery_of is None else battery_of,
        pos_m=np.zeros((n_l, 3)) if launcher_pos is None else launcher_pos,
        loadout=loadout, reserve=np.zeros_like(loadout) if reserve is None else reserve,
    )  # fmt: skip
    eng = Engagement(interceptors=types, launchers=lp, fc_radar_id={0: 0, 1: 1},
                     reacquire_accel_mps2=reacquire_accel_mps2)  # fmt: skip
    c2 = C2(
        threat=ThreatParams(site_pos_m=np.array(sites), site_value=np.array(site_value)),
        batteries=batteries, weapons=eng, params=params,
    )  # fmt: skip
    return c2, eng


def inbound(n: int, rng: np.random.Generator, *, r=(20e3, 90e3), alt=(500.0, 9000.0),
            speed=(150.0, 300.0)) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """n tracks flying straight at the origin from random bearings."""
    b = rng.uniform(0, 2 * np.pi, n)
    rho = rng.uniform(*r, n)
    s = rng.uniform(*speed, n)
    pos = np.c_[rho * np.sin(b), rho * np.cos(b), rng.uniform(*alt, n)]
    vel = np.c_[-s * np.sin(b), -s * np.cos(b), np.zeros(n)]
    return pos, vel
