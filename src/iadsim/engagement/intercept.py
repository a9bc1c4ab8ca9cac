"""Predicted intercept point (PIP) of straight-line targets, batched.

The target moves on a straight line from its estimate at the decision time
``t0``: ``p(t) = p0 + v (t - t0)``. An interceptor of type ``i`` leaves launcher
``l`` at ``t_L = t0 + reaction_s[i]`` and needs ``tof_i(r)`` seconds to reach
slant range ``r``. The intercept time ``t*`` solves

    g(t) = (t - t_L) - tof_i(|p(t) - x_l|) = 0,   t in [t_L, t_L + tof_i(R_max,i)].

``g(t_L) < 0``; the earliest sign change on a uniform grid of ``n_grid`` points is
refined by bisection (``n_bisect`` halvings) and a final secant step (12 halvings
of a 1000 s span leave a 5 ms bracket, the secant step microseconds), giving the
earliest intercept reachable within the maximum range. No sign
change means no intercept within ``R_max`` (infeasible now; C2 re-evaluates next cycle).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.interceptors import (
    InterceptorTable,
    height_above_origin_m,
    in_envelope,
    time_of_flight_s,
)

__all__ = ["InterceptSolutions", "predict_intercepts", "update_intercepts"]

F = NDArray[np.float64]


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
    n_grid: int = 48,
    n_bisect: int = 12,
) -> InterceptSolutions:
    """Solve the PIP for all (track, launcher, type) triples at once.

    Parameters
    ----------
    pos_m, vel_mps : (T, 3) track states at ``t0_s``, ENU m and m/s.
    target_class : (T,) class codes for the Pk lookup.
    t0_s : decision time, s.
    launcher_pos_m : (L, 3) launcher positions, ENU m.
    table : stacked interceptor types (I,).
    """
    p = np.asarray(pos_m, dtype=np.float64)[:, None, None, :]  # (T,1,1,3)
    v = np.asarray(vel_mps, dtype=np.float64)[:, None, None, :]
    x_l = np.asarray(launcher_pos_m, dtype=np.float64)[None, :, None, :]  # (1,L,1,3)
    n_t, n_l, n_i = p.shape[0], x_l.shape[1], len(table)
    shape = (n_t, n_l, n_i)
    t_l = np.broadcast_to(table.reaction_s, shape)  # launch offset from t0
    span = np.broadcast_to(table.time_of_flight_s(table.max_range_m), shape)

    def g(dt: F) -> F:  # dt: offset from t0, shape (T,L,I) or (G,T,L,I)
        rel = p + v * dt[..., None] - x_l
        r = np.sqrt(np.sum(rel * rel, axis=-1))
        return np.asarray((dt - t_l) - table.time_of_flight_s(r))

    dt, found = _earliest_root(g, t_l, span, n_grid, n_bisect)
    pip = p + v * dt[..., None]
    rel = pip - x_l
    rng = np.sqrt(np.sum(rel * rel, axis=-1))
    height = height_above_origin_m(pip) - height_above_origin_m(x_l)
    ok = found & in_envelope(
        rng, height, table.min_range_m, table.max_range_m, table.min_alt_m, table.max_alt_m
    )
    cls = np.broadcast_to(np.asarray(target_class, dtype=np.int64)[:, None, None], shape)
    pk = np.where(ok, table.pk(rng, cls), 0.0)
    return InterceptSolutions(
        t_launch_s=t0_s + t_l,
        t_intercept_s=np.where(found, t0_s + dt, np.inf),
        pip_m=pip,
        range_m=rng,
        height_m=height,
        feasible=ok & (pk > 0),
        pk=pk,
    )


def _earliest_root(
    g: Callable[[F], F], lo: F, span: F, n_grid: int, n_bisect: int
) -> tuple[F, NDArray[np.bool_]]:
    """Earliest ``x`` in ``[lo, lo + span]`` with ``g(x) >= 0`` (grid scan + bisection)."""
    frac = np.linspace(0.0, 1.0, n_grid).reshape((n_grid,) + (1,) * np.ndim(lo))
    grid = lo + frac * span  # (G, ...)
    gv = g(grid)
    pos = gv >= 0
    found = pos.any(axis=0)
    k = np.maximum(np.argmax(pos, axis=0), 1)  # first grid index with g >= 0
    hi = np.take_along_axis(grid, k[None], axis=0)[0]
    a = np.take_along_axis(grid, (k - 1)[None], axis=0)[0]
    g_hi = np.take_along_axis(gv, k[None], axis=0)[0]
    g_a = np.take_along_axis(gv, (k - 1)[None], axis=0)[0]
    for _ in range(n_bisect):
        mid = 0.5 * (a + hi)
        g_mid = g(mid)
        up = g_mid >= 0
        hi, g_hi = np.where(up, mid, hi), np.where(up, g_mid, g_hi)
        a, g_a = np.where(up, a, mid), np.where(up, g_a, g_mid)
    # one secant step inside the final bracket (g is smooth there): the error drops
    # from the bracket width to O(width^2), so few halvings are needed
    with np.errstate(divide="ignore", invalid="ignore"):
        x = a - g_a * (hi - a) / (g_hi - g_a)
    x = np.where(np.isfinite(x) & (x >= a) & (x <= hi), x, hi)
    return np.asarray(np.where(pos[0], lo, x), dtype=np.float64), np.asarray(found)


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
    tof_args = (table.boost_s[i], table.max_speed_mps[i], table.decel_mps2[i],
                table.min_speed_mps[i])  # fmt: skip
    lo = np.maximum(t_l, 0.0)
    span = np.maximum(t_l + time_of_flight_s(table.max_range_m[i], *tof_args) - lo, 0.0)

    def g(dt: F) -> F:
        rel = p + v * dt[..., None] - x_l
        return np.asarray((dt - t_l) - time_of_flight_s(np.linalg.norm(rel, axis=-1), *tof_args))

    dt, found = _earliest_root(g, lo, span, n_grid, n_bisect)
    pip = p + v * dt[:, None]
    rng = np.linalg.norm(pip - x_l, axis=-1)
    height = height_above_origin_m(pip) - height_above_origin_m(x_l)
    ok = found & (span > 0) & in_envelope(
        rng, height, table.min_range_m[i], table.max_range_m[i], table.min_alt_m[i],
        table.max_alt_m[i],
    )  # fmt: skip
    return t_s + dt, pip, ok
