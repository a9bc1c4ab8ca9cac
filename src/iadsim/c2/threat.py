"""Threat evaluation: CPA and time-to-go per (track, site), kinematic class, threat value.

Geometry (straight-line prediction, local flat ENU)
--------------------------------------------------
For a track at ``p`` with velocity ``v`` and a site at ``s`` (relative position
``d = p - s``), the time of closest approach is ``t_cpa = max(0, -d.v / |v|^2)``
(0 for a receding or stationary track) and the CPA miss distance is
``|d + v t_cpa|`` (3-D). Time to go to the site is ``t_cpa``.

Threat value (documented formula; parameters in :class:`ThreatParams`)
-----------------------------------------------------------------------
    V_ts = w_c * value_s * exp(-0.5 (cpa_ts / R_miss)^2) * tau / (tau + t_cpa_ts)

``w_c`` weights the threat class, the Gaussian term discounts tracks whose
straight-line path misses the site by more than ``R_miss`` and the urgency
term halves the value at ``t_cpa = tau``. A track's value is ``V_t = max_s V_ts``
and its most threatened site is the argmax. Tracks are ranked by decreasing
``V_t`` (ties by track id).

Kinematic classes (rules applied in this order; thresholds in ThreatParams)
--------------------------------------------------------------------------
ballistic if speed >= ``ballistic_speed_mps``; drone if speed <
``drone_speed_mps``; cruise missile if height < ``cruise_max_alt_m`` and speed <
``cruise_max_speed_mps``; fighter otherwise. Height is what the defender can know
from the track: ``ThreatParams.height_m(pos)``, which the scenario sets to the height
above its terrain model (above mean sea level without one), so a missile 50 m over a
1,200 m plateau reads as low. Without it, the height above the sphere through the
ENU origin, ``sqrt(e^2 + n^2 + (u + R)^2) - R`` (the tangent-plane ``u`` drops by
``d^2 / 2R``, ~5 km at 250 km). This is a kinematic guess, not identification (a
low, subsonic fighter reads as a cruise missile).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import EARTH_MEAN_RADIUS_M, THREAT_CLASSES
from iadsim.frames import Events, Tracks, TrackStatus
from iadsim.numeric import sum3

__all__ = [
    "THREAT_CLASSES",
    "ThreatAssessment",
    "ThreatParams",
    "classify",
    "cpa",
    "evaluate_threats",
    "threat_eval_events",
    "threat_values",
]

F = NDArray[np.float64]

#: Threat class names; code = index. Same order as the engagement Pk tables.
FIGHTER, CRUISE_MISSILE, DRONE, BALLISTIC = range(4)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class ThreatParams:
    """Defended sites and threat-evaluation parameters (SI).

    Attributes
    ----------
    site_pos_m : (S, 3) site positions, ENU m.
    site_value : (S,) site values (> 0, arbitrary units).
    miss_scale_m : ``R_miss`` of the CPA discount, m (assumption, default 10 km).
    urgency_s : ``tau`` of the urgency term, s (assumption, default 120 s).
    class_weight : (4,) ``w_c`` per class (default all 1).
    ballistic_speed_mps, drone_speed_mps, cruise_max_alt_m, cruise_max_speed_mps :
        class thresholds (assumptions: 1,000 m/s; 70 m/s; 300 m; 340 m/s).
    height_m : optional ``f(pos (T, 3) ENU m) -> (T,)`` height above the defender's
        terrain model (or mean sea level), m; None: above the origin's sphere.
    """

    site_pos_m: F
    site_value: F
    miss_scale_m: float = 10_000.0
    urgency_s: float = 120.0
    class_weight: F = dataclasses.field(default_factory=lambda: np.ones(4))
    ballistic_speed_mps: float = 1000.0
    drone_speed_mps: float = 70.0
    cruise_max_alt_m: float = 300.0
    cruise_max_speed_mps: float = 340.0
    height_m: Callable[[F], F] | None = None

    def __post_init__(self) -> None:
        pos = np.asarray(self.site_pos_m, dtype=np.float64).reshape(-1, 3)
        val = np.asarray(self.site_value, dtype=np.float64).reshape(-1)
        w = np.asarray(self.class_weight, dtype=np.float64).reshape(-1)
        if val.shape[0] != pos.shape[0] or np.any(val <= 0):
            raise ValueError("ThreatParams: need one value > 0 per site")
        if w.shape != (len(THREAT_CLASSES),) or np.any(w < 0):
            raise ValueError("ThreatParams: class_weight must be 4 values >= 0")
        if self.miss_scale_m <= 0 or self.urgency_s <= 0:
            raise ValueError("ThreatParams: miss_scale_m and urgency_s must be > 0")
        object.__setattr__(self, "site_pos_m", pos)
        object.__setattr__(self, "site_value", val)
        object.__setattr__(self, "class_weight", w)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class ThreatAssessment:
    """Evaluation of T tracks against S sites at ``t_s`` (rows follow the input tracks).

    ``pos_m``/``vel_mps`` (T, 3) are the tracks propagated to ``t_s``; ``cpa_m``,
    ``tgo_s``, ``value_ts`` are (T, S); ``value``, ``site``, ``threat_class``,
    ``rank`` are (T,) (``rank`` 0 = most threatening).
    """

    t_s: float
    track_id: NDArray[np.int64]
    quality: F
    pos_m: F
    vel_mps: F
    speed_sigma_mps: F
    threat_class: NDArray[np.int64]
    cpa_m: F
    tgo_s: F
    value_ts: F
    value: F
    site: NDArray[np.int64]
    rank: NDArray[np.int64]


def cpa(pos_m: F, vel_mps: F, site_pos_m: F) -> tuple[F, F]:
    """Straight-line closest approach of T tracks to S sites.

    Parameters
    ----------
    pos_m, vel_mps : (T, 3) ENU m, m/s.
    site_pos_m : (S, 3) ENU m.

    Returns
    -------
    cpa_m, tgo_s : (T, S) miss distance (m) and time to closest approach (s, >= 0).
    """
    return _cpa(pos_m, vel_mps, sum3(vel_mps * vel_mps), site_pos_m)


def _cpa(pos_m: F, vel_mps: F, vv: F, site_pos_m: F) -> tuple[F, F]:
    """:func:`cpa` given ``vv = |v|^2`` (T,)."""
    d = pos_m[:, None, :] - site_pos_m[None, :, :]  # (T,S,3)
    v = vel_mps[:, None, :]
    vv = vv[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(vv > 0, -sum3(d * v) / np.where(vv > 0, vv, 1.0), 0.0)
    t = np.maximum(t, 0.0)
    miss = np.sqrt(sum3(np.square(d + v * t[..., None])))
    return miss, t


def classify(pos_m: F, vel_mps: F, params: ThreatParams) -> NDArray[np.int64]:
    """Kinematic class codes (T,) from speed and height; rules in module doc."""
    return _classify(pos_m, np.sqrt(sum3(vel_mps * vel_mps)), params)  # |v| as np.linalg.norm


def _classify(pos_m: F, speed: F, params: ThreatParams) -> NDArray[np.int64]:
    """:func:`classify` given the speeds (T,)."""
    if params.height_m is not None:
        alt = np.asarray(params.height_m(pos_m), dtype=np.float64)
    else:
        r_e = EARTH_MEAN_RADIUS_M
        alt = np.sqrt(pos_m[:, 0] ** 2 + pos_m[:, 1] ** 2 + (pos_m[:, 2] + r_e) ** 2) - r_e
    low_slow = (alt < params.cruise_max_alt_m) & (speed < params.cruise_max_speed_mps)
    cls = np.where(low_slow, CRUISE_MISSILE, FIGHTER)  # rules applied in reverse order
    cls = np.where(speed < params.drone_speed_mps, DRONE, cls)
    return np.where(speed >= params.ballistic_speed_mps, BALLISTIC, cls).astype(np.int64)


def threat_values(cpa_m: F, tgo_s: F, threat_class: NDArray[np.int64], params: ThreatParams) -> F:
    """``V_ts`` (T, S) from the module-doc formula."""
    miss = np.exp(-0.5 * (cpa_m / params.miss_scale_m) ** 2)
    urgency = params.urgency_s / (params.urgency_s + tgo_s)
    w = params.class_weight[threat_class][:, None]
    return np.asarray(w * params.site_value[None, :] * miss * urgency)


def evaluate_threats(tracks: Tracks, t_s: float, params: ThreatParams) -> ThreatAssessment:
    """Evaluate the confirmed tracks of ``tracks`` at ``t_s`` (straight-line propagation).

    Tracks whose ``status`` is not CONFIRMED are dropped. Each row is propagated
    from its own ``t_s`` to the decision time.
    """
    keep = tracks.status == TrackStatus.CONFIRMED
    if not keep.any():
        return _empty_assessment(t_s, params.site_pos_m.shape[0])
    names = ("t_s", "e_m", "n_m", "u_m", "ve_mps", "vn_mps", "vu_mps", "var_ve_m2ps2",
             "var_vn_m2ps2", "var_vu_m2ps2", "quality")  # fmt: skip
    cols = np.stack([getattr(tracks, c) for c in names], axis=-1)  # (T, 11): one gather
    track_id = tracks.track_id
    if not keep.all():
        cols, track_id = cols[keep], track_id[keep]
    vel = cols[:, 4:7]
    pos = cols[:, 1:4] + vel * (t_s - cols[:, 0])[:, None]
    vv = sum3(vel * vel)  # |v|^2, shared by the class and the CPA
    cls = _classify(pos, np.sqrt(vv), params)
    miss, tgo = _cpa(pos, vel, vv, params.site_pos_m)
    v_ts = threat_values(miss, tgo, cls, params)
    if v_ts.shape[1]:
        site = np.argmax(v_ts, axis=1).astype(np.int64, copy=False)
        value = v_ts.max(axis=1)  # the value at ``site``
    else:
        site = np.full(track_id.shape[0], -1, dtype=np.int64)
        value = np.zeros(track_id.shape[0])
    order = np.lexsort((track_id, -value))
    rank = np.empty(track_id.shape[0], dtype=np.int64)
    rank[order] = np.arange(track_id.shape[0])
    sig = np.sqrt(cols[:, 7] + cols[:, 8] + cols[:, 9])
    return ThreatAssessment(
        t_s=float(t_s),
        track_id=track_id,
        quality=cols[:, 10],
        pos_m=pos,
        vel_mps=vel,
        speed_sigma_mps=sig,
        threat_class=cls,
        cpa_m=miss,
        tgo_s=tgo,
        value_ts=v_ts,
        value=value,
        site=site,
        rank=rank,
    )


def _empty_assessment(t_s: float, n_sites: int) -> ThreatAssessment:
    """The assessment of no tracks (arrays of the usual shapes with 0 rows)."""
    i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
    ts = np.zeros((0, n_sites))
    return ThreatAssessment(
        t_s=float(t_s), track_id=i, quality=f, pos_m=np.zeros((0, 3)), vel_mps=np.zeros((0, 3)),
        speed_sigma_mps=f, threat_class=i, cpa_m=ts, tgo_s=ts, value_ts=ts, value=f, site=i,
        rank=i,
    )  # fmt: skip


def threat_eval_events(ta: ThreatAssessment) -> Events:
    """``threat_eval`` events, one per evaluated track: value = threat value,
    detail = ``"<class> site=<index> rank=<rank> cpa_m=<m> tgo_s=<s>"``."""
    n = len(ta.track_id)
    if n == 0:
        return Events.empty()
    rows = np.arange(n)
    site = np.maximum(ta.site, 0)
    cpa_m = ta.cpa_m[rows, site] if ta.cpa_m.shape[1] else np.full(n, np.nan)
    tgo_s = ta.tgo_s[rows, site] if ta.tgo_s.shape[1] else np.full(n, np.nan)
    cols = (ta.threat_class, ta.site, ta.rank, cpa_m, tgo_s)
    detail = [
        f"{THREAT_CLASSES[c]} site={s} rank={r} cpa_m={m:.0f} tgo_s={g:.1f}"
        for c, s, r, m, g in zip(*(np.asarray(x).tolist() for x in cols), strict=True)
    ]
    none = np.full(n, -1, dtype=np.int64)  # the columns make_events would fill, built once
    return Events.from_trusted_columns(  # fresh columns of the declared dtypes and one length
        {
            "t_s": np.full(n, ta.t_s), "kind": np.full(n, "threat_eval"), "threat_id": none,
            "track_id": ta.track_id.astype(np.int64), "radar_id": none, "battery_id": none,
            "launcher_id": none, "order_id": none, "value": ta.value.astype(np.float64),
            "detail": np.array(detail, dtype=str),
        }
    )  # fmt: skip
