"""Predicted intercept point (PIP) of straight-line targets, batched.

The target moves on a straight line from its estimate at the decision time
``t0``: ``p(t) = p0 + v (t - t0)``. An interceptor of type ``i`` leaves launcher
``l`` at ``t_L = t0 + reaction_s[i]`` and needs ``tof_i(r)`` seconds to reach
slant range ``r``. The intercept time ``t*`` solves

    g(t) = (t - t_L) - tof_i(|p(t) - x_l|) = 0,   t in [t_L, t_L + tof_i(R_max,i)].

``g(t_L) < 0``; the earliest sign change on a uniform grid of ``n_grid`` points is
refined by bisection (``n_bisect`` halvings) and a final secant step (12 halvings
of a 1000 s span leave a 5 ms bracket, the secant step microseconds), giving the
earliest intercept reachable within the maximum range
(:func:`iadsim.engagement.roots.earliest_root`). No sign
change means no intercept within ``R_max`` (infeasible now; C2 re-evaluates next cycle).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.interceptors import InterceptorTable, height_above_origin_m, in_envelope
from iadsim.engagement.roots import earliest_root
from iadsim.numeric import norm3

__all__ = ["InterceptSolutions", "predict_intercepts", "update_intercepts", "within_reach"]

F = NDArray[np.float64]

#: Slack added to the maximum range before a triple is skipped as out of reach, m:
#: far above the rounding of the distances (~1e-9 m at 1,000 km), far below the
#: envelope itself, so no triple the solver could find feasible is skipped.
REACH_MARGIN_M = 1.0


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class InterceptSolutions:
    """Intercept solutions for every (track, launcher, interceptor type), shape (T, L, I).

    ``t_launch_s`` and ``t_intercept_s`` are absolute times; ``pip_m`` has shape
    (T, L, I, 3); ``feasible`` is True where a root was found and the PIP lies in
    the envelope; ``pk`` is the single-shot Pk there (0 where infeasible).
    """

    t_launch_s: F
    t_intercept_s: F
    pip_m: F
    range_m: F
    height_m: F
    feasible: NDArray[np.bool_]
    pk: F


def predict_intercepts(
    pos_m: F,
    vel_mps: F,
    target_class: NDArray[np.int64],
    t0_s: float,
    launcher_pos_m: F,
    table: InterceptorTable,
    *,
    candidates: NDArray[np.bool_] | None = None,
    n_grid: int = 48,
    n_bisect: int = 12,
) -> InterceptSolutions:
    """Solve the PIP for all (track, launcher, type) triples at once.

    Triples whose target line stays farther than the maximum range (plus
    :data:`REACH_MARGIN_M`) from the launcher over the whole search window
    ``[t_L, t_L + tof(R_max)]`` have no root (``g < 0`` throughout) and are not
    solved: like the triples left out of ``candidates`` they come back
    infeasible (``t_intercept_s`` inf, ``pk`` 0, NaN geometry). Each triple is
    solved on its own, so a solved triple's numbers do not depend on the others.

    Parameters
    ----------
    pos_m, vel_mps : (T, 3) track states at ``t0_s``, ENU m and m/s.
    target_class : (T,) class codes for the Pk lookup.
    t0_s : decision time, s.
    launcher_pos_m : (L, 3) launcher positions, ENU m.
    table : stacked interceptor types (I,).
    candidates : optional (T, L, I) mask of the triples to solve (default all).
    """
    p = np.asarray(pos_m, dtype=np.float64).reshape(-1, 3)
    v = np.asarray(vel_mps, dtype=np.float64).reshape(-1, 3)
    x_l = np.asarray(launcher_pos_m, dtype=np.float64).reshape(-1, 3)
    shape = (p.shape[0], x_l.shape[0], len(table))
    mask = np.ones(shape, dtype=bool) if candidates is None else np.asarray(candidates, bool)
    t, lx, i = np.nonzero(mask)
    t_l = table.reaction_s[i]
    near = within_reach(p[t], v[t], x_l[lx], t_l, t_l + table.max_range_tof_s[i],
                        table.max_range_m[i] + REACH_MARGIN_M)  # fmt: skip
    t, lx, i = t[near], lx[near], i[near]
    fills = {"t_intercept_s": np.inf, "pip_m": np.nan, "range_m": np.nan, "height_m": np.nan,
             "feasible": False, "pk": 0.0}  # fmt: skip
    solved = _solve(p[t], v[t], x_l[lx], np.asarray(target_class, np.int64)[t], i, t0_s, table,
                    n_grid, n_bisect) if t.size else {}  # fmt: skip
    full = {}
    for name, fill in fills.items():
        extra = (3,) if name == "pip_m" else ()
        full[name] = np.full(shape + extra, fill, dtype=type(fill))
        if t.size:
            full[name][t, lx, i] = solved[name]
    return InterceptSolutions(t_launch_s=t0_s + np.broadcast_to(table.reaction_s, shape), **full)


def _solve(
    p: F, v: F, x_l: F, cls: NDArray[np.int64], i: NDArray[np.int64], t0_s: float,
    table: InterceptorTable, n_grid: int, n_bisect: int,
) -> dict[str, F | NDArray[np.bool_]]:  # fmt: skip
    """PIP of N triples (rows of ``p, v, x_l`` (N, 3), types ``i``), see predict_intercepts."""
    t_l = table.reaction_s[i]  # launch offset from t0
    tof = table.tof.take(i)

    def g(dt: F) -> F:  # dt: offset from t0, shape (K,N)
        return np.asarray((dt - t_l) - tof.of_distance(norm3(p + v * dt[..., None] - x_l)))

    dt, found = earliest_root(g, t_l, table.max_range_tof_s[i], n_grid, n_bisect)
    pip = p + v * dt[:, None]
    rng = norm3(pip - x_l)
    height = height_above_origin_m(pip) - height_above_origin_m(x_l)
    ok = found & in_envelope(
        rng, height, table.min_range_m[i], table.max_range_m[i], table.min_alt_m[i],
        table.max_alt_m[i],
    )  # fmt: skip
    pk = np.zeros(i.shape[0])
    if ok.any():  # Pk only where there is an intercept (often nowhere)
        k = np.flatnonzero(ok)
        pk[k] = table.pk_of_type(rng[k], cls[k], i[k])
    return {"t_intercept_s": np.where(found, t0_s + dt, np.inf), "pip_m": pip, "range_m": rng,
            "height_m": height, "feasible": ok & (pk > 0), "pk": pk}  # fmt: skip


def within_reach(p: F, v: F, x: F, t0_s: F, t1_s: F, radius_m: F) -> NDArray[np.bool_]:
    """True where the segment ``p + v t``, ``t in [t0, t1]``, comes within ``radius_m`` of ``x``.

    Closest point of a line to a point: ``t* = clip(-(p - x).v / |v|^2, t0, t1)``
    (``t0`` for ``v = 0``), distance ``|p - x + v t*|``. Shapes (N, 3) and (N,).
    """
    d = p - x
    vv = np.sum(v * v, axis=-1)
    t_star = -np.sum(d * v, axis=-1) / np.where(vv > 0, vv, 1.0)
    t_star = np.minimum(np.maximum(t_star, t0_s), t1_s)
    return np.asarray(norm3(d + v * t_star[:, None]) <= radius_m)


def update_intercepts(
    pos_m: F,
    vel_mps: F,
    t_s: float,
    t_launch_s: F,
    launcher_pos_m: F,
    table: InterceptorTable,
    interceptor_id: NDArray[np.int64],
    *,
    n_grid: int = 32,
    n_bisect: int = 12,
) -> tuple[F, F, NDArray[np.bool_]]:
    """Mid-course update: re-solve the PIP of E in-flight interceptors from new track states.

    Same equation as :func:`predict_intercepts` with each interceptor's own
    (past) launch time: earliest ``t >= max(t_s, t_launch)`` with
    ``(t - t_launch) - tof(|p(t) - x_l|) >= 0``. ``ok`` is False where no root lies
    within max range or the new PIP leaves the envelope (callers keep the old PIP).

    Parameters
    ----------
    pos_m, vel_mps : (E, 3) updated track states at ``t_s``.
    t_launch_s : (E,) launch times; ``launcher_pos_m`` (E, 3); ``interceptor_id`` (E,).

    Returns
    -------
    t_intercept_s : (E,), pip_m : (E, 3), ok : (E,)
    """
    i = np.asarray(interceptor_id, dtype=np.int64)
    p, v = np.asarray(pos_m, dtype=np.float64), np.asarray(vel_mps, dtype=np.float64)
    x_l = np.asarray(launcher_pos_m, dtype=np.float64)
    t_l = np.asarray(t_launch_s, dtype=np.float64) - t_s  # launch offset from now (<= 0 usually)
    tof = table.tof.take(i)
    lo = np.maximum(t_l, 0.0)
    span = np.maximum(t_l + table.max_range_tof_s[i] - lo, 0.0)

    def g(dt: F) -> F:  # dt: offset from now, shape (K,E)
        return np.asarray((dt - t_l) - tof.of_distance(norm3(p + v * dt[..., None] - x_l)))

    dt, found = earliest_root(g, lo, span, n_grid, n_bisect)
    pip = p + v * dt[:, None]
    rng = norm3(pip - x_l)
    height = height_above_origin_m(pip) - height_above_origin_m(x_l)
    ok = found & (span > 0) & in_envelope(
        rng, height, table.min_range_m[i], table.max_range_m[i], table.min_alt_m[i],
        table.max_alt_m[i],
    )  # fmt: skip
    return t_s + dt, pip, ok
