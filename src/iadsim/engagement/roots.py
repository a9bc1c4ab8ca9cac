"""Earliest root of a batch of scalar functions: grid scan, bisection, one secant step.

For every one of N functions, find the earliest ``x`` in ``[lo, lo + span]`` with
``g(x) >= 0``, where ``g`` maps points of shape (K, N) to values of the same
shape (column ``j`` holds function ``j``'s points; columns are independent).
:func:`earliest_root` scans a uniform grid, brackets the first sign change and
refines it with :func:`bisect` and a final secant step.

Bisection a block of halvings at a time
---------------------------------------
Plain bisection calls ``g`` once per halving. In a C2 cycle the batches are
small (tens of elements), so each call costs numpy's per-call overhead rather
than arithmetic, and twelve sequential calls dominate. :func:`bisect` therefore
performs ``d`` halvings per call of ``g``: it computes every midpoint those
halvings could visit (the ``2^d - 1`` nodes of a binary tree over the bracket,
node ``p`` at ``0.5 * (x[p - s] + x[p + s])`` from its own bracket, which is
exactly the value sequential bisection would compute there), evaluates ``g`` on
all of them in one call and then follows the path sequential bisection takes
(move the upper end to the midpoint where ``g >= 0``, else the lower end). The
midpoints, the values of ``g`` and the decisions are the same, so the result is
bit-for-bit that of sequential bisection whatever the block depth; the depth
only trades the number of calls against the points per call (:func:`block_depths`).

When the flags ``g >= 0`` over the tree nodes, in position order, are false then
true for every function (``g`` crosses zero once in the bracket, the usual case),
the path ends at the first true node, read off with one ``argmax``; otherwise
the path is followed level by level. Either way no assumption on ``g`` is made:
non-monotone functions get the bracket sequential bisection ends in.

References: bisection and the secant method, e.g. W. H. Press et al.,
*Numerical Recipes*, 3rd ed., sections 9.1-9.2.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["bisect", "block_depths", "earliest_root"]

F = NDArray[np.float64]
B = NDArray[np.bool_]

#: Overhead of one block (a call of ``g`` plus the tree bookkeeping) in units of
#: the cost of one more evaluated point: measured ~30 us against ~56 ns per point
#: for the intercept equation on this numpy (about 500 points).
CALL_COST_POINTS = 512.0


def earliest_root(
    g: Callable[[F], F],
    lo: F,
    span: F,
    n_grid: int,
    n_bisect: int,
    *,
    call_cost: float = CALL_COST_POINTS,
) -> tuple[F, B]:
    """Earliest ``x`` in ``[lo, lo + span]`` with ``g(x) >= 0`` for a batch of N functions.

    The first interval of a uniform grid of ``n_grid`` points whose right end has
    ``g >= 0`` is halved ``n_bisect`` times (:func:`bisect`), then one secant
    step inside the final bracket is taken if it stays inside (else its upper
    end). With ``g(lo) >= 0`` the answer is ``lo``.

    Parameters
    ----------
    g : values at points of shape (K, N) (column ``j`` belongs to function ``j``).
    lo, span : (N,) start and length of the search intervals.
    n_grid : grid points (>= 2); n_bisect : halvings of the bracket (>= 0).
    call_cost : see :func:`block_depths`.

    Returns
    -------
    x : (N,) root (meaningless where not found);
    found : (N,) True where some grid point has ``g >= 0``.
    """
    lo, span = np.asarray(lo, dtype=np.float64), np.asarray(span, dtype=np.float64)
    cols = np.arange(lo.shape[0])
    grid = lo + _fractions(n_grid) * span  # (G, N)
    gv = g(grid)
    pos = gv >= 0
    found = np.logical_or.reduce(pos, axis=0)
    k = np.maximum(pos.argmax(axis=0), 1)  # first grid index with g >= 0
    a, hi, g_a, g_hi = grid[k - 1, cols], grid[k, cols], gv[k - 1, cols], gv[k, cols]
    for depth in block_depths(n_bisect, cols.size, call_cost):
        a, hi, g_a, g_hi = _bisect_block(g, a, hi, g_a, g_hi, depth, cols)
    # one secant step inside the final bracket (g is smooth there): the error drops
    # from the bracket width to O(width^2), so few halvings are needed
    with np.errstate(divide="ignore", invalid="ignore"):
        x = a - g_a * (hi - a) / (g_hi - g_a)
    x = np.where(np.isfinite(x) & (x >= a) & (x <= hi), x, hi)
    return np.asarray(np.where(pos[0], lo, x), dtype=np.float64), np.asarray(found)


def bisect(
    g: Callable[[F], F],
    a: F,
    b: F,
    g_a: F,
    g_b: F,
    n_halvings: int,
    *,
    call_cost: float = CALL_COST_POINTS,
) -> tuple[F, F, F, F]:
    """Halve the brackets ``[a, b]`` ``n_halvings`` times, keeping ``g >= 0`` at the top.

    Bit-identical to the sequential loop ``m = 0.5 * (a + b)``; where ``g(m) >= 0``
    ``b, g_b = m, g(m)``, else ``a, g_a = m, g(m)`` (module doc), with
    ``ceil(n_halvings / d)`` calls of ``g`` on ``2^d - 1`` points each.

    Parameters
    ----------
    g : values at points of shape (K, N).
    a, b, g_a, g_b : (N,) brackets and the values of ``g`` at their ends.

    Returns
    -------
    a, b, g_a, g_b : (N,) final brackets (width ``(b - a) / 2^n_halvings``).
    """
    cols = np.arange(np.shape(a)[0])
    for depth in block_depths(n_halvings, cols.size, call_cost):
        a, b, g_a, g_b = _bisect_block(g, a, b, g_a, g_b, depth, cols)
    return a, b, g_a, g_b


@functools.lru_cache(maxsize=1024)
def block_depths(
    n_halvings: int, batch_size: int, call_cost: float = CALL_COST_POINTS
) -> tuple[int, ...]:
    """Halvings per call of ``g``: the split into near-equal blocks of depths ``d_k``
    that minimises ``sum_k (call_cost + (2^d_k - 1) batch_size)`` (points evaluated,
    plus a fixed overhead per call in the same unit)."""
    best: tuple[int, ...] = ()
    best_cost = np.inf
    for n_blocks in range(1, n_halvings + 1):
        base, extra = divmod(n_halvings, n_blocks)
        depths = (base + 1,) * extra + (base,) * (n_blocks - extra)
        cost = sum(call_cost + (2**d - 1) * batch_size for d in depths)
        if cost < best_cost:
            best, best_cost = depths, cost
    return best


def _bisect_block(
    g: Callable[[F], F], a: F, b: F, g_a: F, g_b: F, depth: int, cols: NDArray[np.intp]
) -> tuple[F, F, F, F]:
    """``depth`` halvings with one call of ``g`` (tree positions ``0..2^depth``)."""
    m = 1 << depth
    x = np.empty((m + 1, cols.size))
    x[0], x[m] = a, b
    for level in range(depth):  # the midpoints of one tree level per step
        s = m >> (level + 1)
        x[s::2 * s] = 0.5 * (x[0:m:2 * s] + x[2 * s::2 * s])  # fmt: skip
    gx = np.empty_like(x)
    gx[0], gx[m] = g_a, g_b
    gx[1:m] = g(x[1:m])
    up = gx >= 0
    up[0], up[m] = False, True  # the bracket ends act as "below" and "above"
    if not np.count_nonzero(up[1:] < up[:-1]):  # one switch per function: the path ends there
        top = up.argmax(axis=0)
    else:
        top = _follow(up, depth, cols)
    below = top - 1
    return x[below, cols], x[top, cols], gx[below, cols], gx[top, cols]


def _follow(up: B, depth: int, cols: NDArray[np.intp]) -> NDArray[np.intp]:
    """Upper-end tree position after ``depth`` sequential halvings steered by ``up``."""
    lo = np.zeros(cols.size, dtype=np.intp)
    hi = np.full(cols.size, up.shape[0] - 1, dtype=np.intp)
    for _ in range(depth):
        mid = (lo + hi) // 2
        u = up[mid, cols]
        lo, hi = np.where(u, lo, mid), np.where(u, mid, hi)
    return hi


@functools.cache
def _fractions(n_grid: int) -> F:
    """``linspace(0, 1, n_grid)`` as a column (n_grid, 1), read-only, cached."""
    frac = np.linspace(0.0, 1.0, n_grid)[:, None]
    frac.flags.writeable = False
    return frac
