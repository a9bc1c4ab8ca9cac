"""Batched root finder: block bisection equals sequential bisection bit for bit; roots
agree with scipy's brentq within the documented bracket width."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from iadsim.engagement.roots import bisect, block_depths, earliest_root


def sequential_bisect(g, a, b, g_a, g_b, n):
    """Reference: one call of g per halving (the textbook loop, Numerical Recipes 9.1)."""
    for _ in range(n):
        m = 0.5 * (a + b)
        g_m = g(m[None])[0]
        up = g_m >= 0
        b, g_b = np.where(up, m, b), np.where(up, g_m, g_b)
        a, g_a = np.where(up, a, m), np.where(up, g_a, g_m)
    return a, b, g_a, g_b


def sequential_earliest_root(g, lo, span, n_grid, n_bisect):
    """Reference: grid scan + sequential bisection + secant step (the same recipe)."""
    grid = lo + np.linspace(0.0, 1.0, n_grid)[:, None] * span
    gv = g(grid)
    pos = gv >= 0
    k = np.maximum(np.argmax(pos, axis=0), 1)
    cols = np.arange(lo.size)
    a, b = grid[k - 1, cols], grid[k, cols]
    a, b, g_a, g_b = sequential_bisect(g, a, b, gv[k - 1, cols], gv[k, cols], n_bisect)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = a - g_a * (b - a) / (g_b - g_a)
    x = np.where(np.isfinite(x) & (x >= a) & (x <= b), x, b)
    return np.where(pos[0], lo, x), pos.any(axis=0)


def wiggly(rng: np.random.Generator, n: int):
    """Functions with one or several sign changes per bracket (non-monotone flags)."""
    c = rng.uniform(-1.0, 1.0, n)
    amp = rng.uniform(0.0, 3.0, n)
    w = rng.uniform(1.0, 40.0, n)

    def g(x):
        return (x - c) + amp * np.sin(w * x)

    return g


@pytest.mark.parametrize("call_cost", [0.0, 7.0, 64.0, 512.0, 1e9])
@pytest.mark.parametrize("n", [1, 3, 40])
def test_block_bisection_is_bit_identical_to_sequential(call_cost, n):
    rng = np.random.default_rng(n * 1000 + int(call_cost) % 997)
    for kind in ("monotone", "wiggly"):
        if kind == "monotone":
            c = rng.uniform(-2, 2, n)

            def g(x, c=c):
                return np.tanh(x - c) * np.exp(0.1 * x)
        else:
            g = wiggly(rng, n)
        a, b = rng.uniform(-3, -2, n), rng.uniform(2, 3, n)
        g_a, g_b = g(a[None])[0], g(b[None])[0]
        for n_halvings in (0, 1, 5, 12, 13):
            got = bisect(g, a, b, g_a, g_b, n_halvings, call_cost=call_cost)
            want = sequential_bisect(g, a, b, g_a, g_b, n_halvings)
            for x, y in zip(got, want, strict=True):
                assert x.tobytes() == y.tobytes()


def test_non_monotone_flags_take_the_sequential_path():
    """Several sign changes in one bracket: the answer is the bracket sequential
    bisection ends in, not the first sign change (the argmax shortcut would differ)."""

    def g(x):  # >= 0 on (0.1, 0.2) and (0.6, 1]: first halving goes left of 0.6
        return np.where((x > 0.1) & (x < 0.2), 1.0, 0.0) + np.where(x > 0.6, 1.0, -1.0) * 0.5

    a, b = np.array([0.0]), np.array([1.0])
    got = bisect(g, a, b, g(a[None])[0], g(b[None])[0], 12)
    want = sequential_bisect(g, a, b, g(a[None])[0], g(b[None])[0], 12)
    assert [x.tobytes() for x in got] == [y.tobytes() for y in want]
    assert got[0][0] <= 0.6 < got[1][0]  # the path ends at the switch at 0.6, not 0.1


def test_earliest_root_is_bit_identical_to_the_sequential_recipe():
    rng = np.random.default_rng(11)
    for n in (1, 2, 17, 300):
        g = wiggly(rng, n)
        lo, span = rng.uniform(-3, -1, n), rng.uniform(2, 6, n)
        x, found = earliest_root(g, lo, span, 32, 12)
        x_ref, found_ref = sequential_earliest_root(g, lo, span, 32, 12)
        assert x.tobytes() == x_ref.tobytes()
        assert np.array_equal(found, found_ref)


def test_earliest_root_agrees_with_brentq():
    """Single root in the bracket: |x - x*| <= span / ((n_grid - 1) 2^n_bisect), the width
    of the final bracket (the secant step only stays inside it)."""
    rng = np.random.default_rng(5)
    n, n_grid, n_bisect = 200, 48, 12
    c = rng.uniform(-2.0, 2.0, n)
    k = rng.uniform(0.2, 5.0, n)
    lo, span = np.full(n, -3.0), np.full(n, 6.0)

    def g(x):
        return np.sinh(k * (x - c)) + 0.3 * (x - c)  # strictly increasing

    x, found = earliest_root(g, lo, span, n_grid, n_bisect)
    assert found.all()
    width = span / ((n_grid - 1) * 2**n_bisect)
    want = np.array([brentq(lambda t, j=j: np.sinh(k[j] * (t - c[j])) + 0.3 * (t - c[j]),
                            -3.0, 3.0, xtol=1e-14) for j in range(n)])  # fmt: skip
    err = np.abs(x - want)
    assert np.all(err <= width[0])
    assert np.median(err) < 1e-3 * width[0]  # the secant step does its part


def test_earliest_root_edge_cases():
    lo, span = np.array([0.0, 0.0, 0.0]), np.array([1.0, 1.0, 1.0])
    shift = np.array([-0.5, 0.3, 2.0])  # root before lo, inside, beyond lo + span

    def g(x):
        return x - shift

    x, found = earliest_root(g, lo, span, 16, 12)
    assert found.tolist() == [True, True, False]
    assert x[0] == 0.0  # g(lo) >= 0: the answer is lo
    assert x[1] == pytest.approx(0.3, abs=1e-12)
    x, found = earliest_root(lambda x: x - 1.0, np.zeros(0), np.zeros(0), 16, 12)
    assert x.shape == (0,) and found.shape == (0,)


@pytest.mark.parametrize("n_halvings", [1, 5, 12])
@pytest.mark.parametrize("batch", [1, 10, 100, 5000])
def test_block_depths(n_halvings, batch):
    d = block_depths(n_halvings, batch, 512.0)
    assert sum(d) == n_halvings and min(d) >= 1
    assert max(d) - min(d) <= 1
    assert block_depths(n_halvings, batch, 0.0) == (1,) * n_halvings  # calls are free
    assert block_depths(n_halvings, batch, 1e12) == (n_halvings,)  # points are free
    assert block_depths(0, batch) == ()


def test_block_depths_for_the_c2_batches():
    """Few in-flight interceptors: two calls for twelve halvings; a few dozen triples:
    three; thousands: one per halving."""
    assert block_depths(12, 2) == (6, 6)
    assert block_depths(12, 20) == (4, 4, 4)
    assert block_depths(12, 5000) == (1,) * 12
