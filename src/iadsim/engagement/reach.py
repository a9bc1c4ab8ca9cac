"""Which picture tracks a salvo flying on a lost or unsupported estimate may be on.

Two tests, both from the defender's picture only (used by
:mod:`iadsim.engagement.flight`):

- :func:`gate_d2`, the handover gate: the chi-square position distance from the
  last estimate, propagated at constant velocity to now, with its position sigma
  floored (at a third of the type's acquisition basket: a target the round can
  still reach counts, however sharp the lost estimate was).
- :func:`manoeuvre_reach_m`, the manoeuvre envelope: how far an aircraft can be
  from that constant-velocity extrapolation ``dt`` seconds after its last update,
  ``min(a dt^2 / 2, 2 v dt)`` (a constant lateral acceleration ``a``, at most a
  full reversal at speed ``v``). A track that entered the picture after the salvo
  last had support, inside that envelope, may be the lost aircraft re-acquired
  after a break turn; C2 counts it engaged until the salvo is handed over,
  supported again or aborted, so that one aircraft never has two salvos at once.
  ``a`` defaults to 9 g, the structural load limit of current fighters ("The F-16
  can withstand up to nine G's", U.S. Air Force fact sheet F-16 Fighting Falcon,
  af.mil, 2021): the defender cannot know a track's airframe, so it assumes the
  most agile.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import G0_MPS2
from iadsim.frames import Tracks

__all__ = ["REACQUIRE_ACCEL_MPS2", "gate_d2", "manoeuvre_reach_m", "reach_mask", "successor_rows"]

F = NDArray[np.float64]

#: Acceleration the manoeuvre envelope assumes, m/s^2 (9 g, module doc).
REACQUIRE_ACCEL_MPS2 = 9.0 * G0_MPS2


def gate_d2(est: Tracks, t_s: float, tracks: Tracks, sigma_floor_m: F | float = 0.0) -> F:
    """(K, T) chi-square position distance from each estimate, propagated to ``t_s``
    with its position sigma floored at ``sigma_floor_m`` (scalar or (K,)), to each
    track of ``tracks`` (module doc)."""
    k, n = len(est), len(tracks)
    if k == 0 or n == 0:
        return np.zeros((k, n))
    dt = (t_s - est.t_s)[:, None]
    p = est.pos_m() + est.vel_mps() * dt
    vp = np.stack([est.var_e_m2, est.var_n_m2, est.var_u_m2], axis=-1)
    vv = np.stack([est.var_ve_m2ps2, est.var_vn_m2ps2, est.var_vu_m2ps2], axis=-1)
    floor = np.broadcast_to(np.asarray(sigma_floor_m, dtype=np.float64), (k,))[:, None]
    var = np.maximum(vp + vv * dt * dt, floor * floor)
    q = tracks.pos_m()
    vq = np.stack([tracks.var_e_m2, tracks.var_n_m2, tracks.var_u_m2], axis=-1)
    diff = p[:, None, :] - q[None, :, :]
    return np.asarray(np.sum(diff * diff / np.maximum(var[:, None, :] + vq[None, :, :], 1e-9),
                             axis=-1))  # fmt: skip


def successor_rows(
    lost: Tracks, t_s: float, tracks: Tracks, allowed: NDArray[np.bool_], gate: float,
    sigma_floor_m: F | float = 0.0,
) -> NDArray[np.int64]:  # fmt: skip
    """Row of the successor in ``tracks`` of each lost track, -1 if none: the allowed
    track nearest the propagated estimate within the handover gate (:func:`gate_d2`).

    Parameters
    ----------
    lost : last estimates of the lost tracks (K rows, their own ``t_s``).
    t_s : time of ``tracks`` (the picture), s.
    tracks : candidate tracks (T rows, at ``t_s``).
    allowed : (K, T) candidates each lost track may be handed to.
    gate : chi-square gate on the position distance.
    sigma_floor_m : scalar or (K,) floor on the lost estimate's position sigma, m.
    """
    d2 = gate_d2(lost, t_s, tracks, sigma_floor_m)
    d2 = np.where(allowed & (d2 <= gate), d2, np.inf)
    if d2.size == 0:
        return np.full(len(lost), -1, dtype=np.int64)
    best = np.argmin(d2, axis=1)
    return np.where(np.isfinite(d2[np.arange(len(lost)), best]), best, -1).astype(np.int64)


def manoeuvre_reach_m(speed_mps: float, dt_s: float,
                      accel_mps2: float = REACQUIRE_ACCEL_MPS2) -> float:  # fmt: skip
    """Largest distance from the constant-velocity extrapolation an aircraft at
    ``speed_mps`` can be ``dt_s`` seconds later (module doc), m."""
    dt = max(float(dt_s), 0.0)
    return min(0.5 * accel_mps2 * dt * dt, 2.0 * float(speed_mps) * dt)


def reach_mask(
    est: Tracks, t_s: float, tracks: Tracks, gate: float, floor_m: float, new: NDArray[np.bool_],
    unseen_s: float, accel_mps2: float = REACQUIRE_ACCEL_MPS2,
) -> NDArray[np.bool_]:  # fmt: skip
    """(T,) the tracks within reach of one salvo on estimate ``est`` (one row): within
    the handover gate, or ``new`` (entered the picture after the salvo last had
    support) and within the manoeuvre envelope of the ``unseen_s`` seconds since the
    estimate's last detection (module doc; not finite: no envelope). The envelope is
    the gate with the position sigma floored at ``reach / sqrt(gate)``: a sphere of
    radius ``reach`` where it dominates."""
    near = gate_d2(est, t_s, tracks, floor_m)[0] <= gate
    if not new.any() or not np.isfinite(unseen_s):
        return near
    speed = float(np.linalg.norm(est.vel_mps()[0]))
    reach = manoeuvre_reach_m(speed, unseen_s, accel_mps2)
    floor = max(floor_m, reach / np.sqrt(gate))
    return near | (new & (gate_d2(est, t_s, tracks, floor)[0] <= gate))
