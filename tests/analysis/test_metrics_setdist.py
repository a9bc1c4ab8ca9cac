"""OSPA / GOSPA single-time kernels.

Oracles:

* Stone Soup 1.9.1 ``stonesoup.metricgenerator.ospametric`` (dstl/Stone-Soup,
  ``GOSPAMetric.compute_gospa_metric`` and ``OSPAMetric.compute_OSPA_distance``),
  an independent implementation built on State objects.
* Brute force over all partial assignments (the definitions themselves):
  OSPA, Schuhmacher, Vo, Vo, IEEE TSP 56(8), 2008, eq. (3); GOSPA,
  Rahmathullah, García-Fernández, Svensson, FUSION 2017, Def. 1 and Prop. 1.

Note: Stone Soup's OSPA runs the assignment on the capped distances ``d^(c)``,
not on ``d^(c)^p``, so for ``p > 1`` it can return a sub-optimal (larger)
value; we check exact agreement for ``p = 1`` and ``ours <= Stone Soup`` plus
exact agreement with brute force for ``p > 1``.
"""

from __future__ import annotations

import datetime
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from iadsim.analysis.metrics import gospa, optimal_assignment, ospa

stonesoup_ospa = pytest.importorskip("stonesoup.metricgenerator.ospametric")
stonesoup_state = pytest.importorskip("stonesoup.types.state")

T0 = datetime.datetime(2026, 1, 1)


def _states(points: np.ndarray) -> list:
    return [stonesoup_state.State(pt.reshape(-1, 1), timestamp=T0) for pt in points]


def _ss_gospa(x: np.ndarray, y: np.ndarray, c: float, p: float) -> dict[str, float]:
    metric = stonesoup_ospa.GOSPAMetric(c=c, p=p)
    value, _ = metric.compute_gospa_metric(_states(y), _states(x))
    return {k: float(value.value[k]) for k in ("distance", "localisation", "missed", "false")}


def _ss_ospa(x: np.ndarray, y: np.ndarray, c: float, p: float) -> float:
    metric = stonesoup_ospa.OSPAMetric(c=c, p=p)
    return float(metric.compute_OSPA_distance(_states(y), _states(x)).value)


def _partial_assignments(n: int, m: int):
    """All one-to-one partial matchings between range(n) and range(m)."""
    for k in range(min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.permutations(range(m), k):
                yield rows, cols


def _brute_gospa_alpha2(x, y, c, p):
    """Prop. 1 form: min over partial matchings gamma (no capping)."""
    n, m = len(x), len(y)
    best = np.inf
    for rows, cols in _partial_assignments(n, m):
        d = np.linalg.norm(x[list(rows)] - y[list(cols)], axis=-1) if rows else np.zeros(0)
        best = min(best, np.sum(d**p) + c**p / 2 * (n + m - 2 * len(rows)))
    return best ** (1 / p)


def _brute_gospa_def1(x, y, c, p, alpha):
    """Def. 1 form: min over injections of the smaller set, capped distances."""
    if len(x) > len(y):
        x, y = y, x
    n, m = len(x), len(y)
    best = 0.0 if n == 0 else np.inf
    for perm in itertools.permutations(range(m), n):
        if n == 0:
            break
        d = np.minimum(np.linalg.norm(x - y[list(perm)], axis=-1), c)
        best = min(best, np.sum(d**p))
    return (best + c**p / alpha * (m - n)) ** (1 / p)


def _brute_ospa(x, y, c, p):
    if len(x) > len(y):
        x, y = y, x
    n, m = len(x), len(y)
    if m == 0:
        return 0.0
    best = 0.0 if n == 0 else np.inf
    for perm in itertools.permutations(range(m), n):
        if n == 0:
            break
        d = np.minimum(np.linalg.norm(x - y[list(perm)], axis=-1), c)
        best = min(best, np.sum(d**p))
    return ((best + c**p * (m - n)) / m) ** (1 / p)


CASES = [(n, m) for n in range(0, 7) for m in range(0, 7) if n + m > 0]


@pytest.mark.parametrize("c", [5.0, 30.0, 200.0])
@pytest.mark.parametrize("p", [1.0, 2.0, 3.5])
def test_gospa_matches_stonesoup_on_random_sets(c: float, p: float) -> None:
    rng = np.random.default_rng(20260101)
    for n, m in CASES:
        for d in (2, 3):
            x = rng.uniform(0.0, 100.0, (n, d))
            y = rng.uniform(0.0, 100.0, (m, d))
            ours = gospa(x, y, c_m=c, p=p)
            ref = _ss_gospa(x, y, c, p)
            np.testing.assert_allclose(ours.gospa_m, ref["distance"], rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(
                [ours.localisation_pow, ours.missed_pow, ours.false_pow],
                [ref["localisation"], ref["missed"], ref["false"]],
                rtol=1e-9,
                atol=1e-7,
            )


@pytest.mark.parametrize("c", [5.0, 30.0, 200.0])
def test_ospa_matches_stonesoup_p1(c: float) -> None:
    rng = np.random.default_rng(7)
    for n, m in CASES:
        x = rng.uniform(0.0, 100.0, (n, 2))
        y = rng.uniform(0.0, 100.0, (m, 2))
        np.testing.assert_allclose(
            ospa(x, y, c_m=c, p=1.0).ospa_m, _ss_ospa(x, y, c, 1.0), rtol=1e-9, atol=1e-12
        )


@pytest.mark.parametrize("p", [2.0, 3.0])
def test_ospa_p_gt_1_optimal_and_never_worse_than_stonesoup(p: float) -> None:
    rng = np.random.default_rng(11)
    for n, m in [(a, b) for a in range(1, 6) for b in range(1, 6)]:
        x = rng.uniform(0.0, 100.0, (n, 2))
        y = rng.uniform(0.0, 100.0, (m, 2))
        ours = ospa(x, y, c_m=40.0, p=p).ospa_m
        assert ours <= _ss_ospa(x, y, 40.0, p) + 1e-9
        np.testing.assert_allclose(ours, _brute_ospa(x, y, 40.0, p), rtol=1e-12)


@pytest.mark.parametrize("p", [1.0, 2.0])
@pytest.mark.parametrize("c", [10.0, 40.0])
def test_gospa_and_ospa_equal_brute_force_on_tiny_sets(p: float, c: float) -> None:
    rng = np.random.default_rng(3)
    for n, m in [(a, b) for a in range(0, 5) for b in range(0, 5)]:
        x = rng.uniform(0.0, 60.0, (n, 2))
        y = rng.uniform(0.0, 60.0, (m, 2))
        g = gospa(x, y, c_m=c, p=p)
        np.testing.assert_allclose(g.gospa_m, _brute_gospa_alpha2(x, y, c, p), rtol=1e-12)
        np.testing.assert_allclose(g.gospa_m, _brute_gospa_def1(x, y, c, p, 2.0), rtol=1e-12)
        total = g.localisation_pow + g.missed_pow + g.false_pow
        np.testing.assert_allclose(total, g.gospa_m**p, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ospa(x, y, c_m=c, p=p).ospa_m, _brute_ospa(x, y, c, p))


def test_gospa_alpha_below_2_matches_definition_and_has_no_decomposition() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(0.0, 60.0, (3, 2))
    y = rng.uniform(0.0, 60.0, (5, 2))
    g = gospa(x, y, c_m=20.0, p=2.0, alpha=1.0)
    np.testing.assert_allclose(g.gospa_m, _brute_gospa_def1(x, y, 20.0, 2.0, 1.0), rtol=1e-12)
    assert np.isnan(g.localisation_pow) and np.isnan(g.missed_m)


def test_gospa_hand_case() -> None:
    # truth at 0 and 100 m, one track 3 m from the first: 1 pair, 1 missed, 0 false.
    x = np.array([[0.0, 0.0], [100.0, 0.0]])
    y = np.array([[3.0, 0.0]])
    c, p = 10.0, 2.0
    g = gospa(x, y, c_m=c, p=p)
    assert (g.n_assigned, g.n_missed, g.n_false) == (1, 1, 0)
    assert g.truth_to_track.tolist() == [0, -1]
    assert g.localisation_pow == pytest.approx(3.0**p)
    assert g.missed_pow == pytest.approx(c**p / 2)
    assert g.gospa_m == pytest.approx((3.0**p + c**p / 2) ** (1 / p))
    assert g.localisation_m == pytest.approx(3.0)


def test_empty_sets() -> None:
    empty = np.zeros((0, 3))
    assert gospa(empty, empty, c_m=10.0).gospa_m == 0.0
    assert ospa(empty, empty, c_m=10.0).ospa_m == 0.0
    three = np.zeros((3, 3))
    g = gospa(three, empty, c_m=10.0, p=2.0)
    assert g.missed_pow == pytest.approx(3 * 100.0 / 2) and g.false_pow == 0.0
    assert ospa(empty, three, c_m=10.0, p=2.0).ospa_m == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"c_m": 0.0}, "cut-off"),
        ({"c_m": 1.0, "p": 0.5}, "order"),
        ({"c_m": 1.0, "p": np.inf}, "order"),
    ],
)
def test_bad_parameters_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), **kwargs)
    with pytest.raises(ValueError, match="alpha"):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), c_m=1.0, alpha=3.0)


def test_optimal_assignment_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="d=2"):
        optimal_assignment(np.zeros((1, 2)), np.zeros((1, 3)), c_m=1.0)


# --- hypothesis properties ---------------------------------------------------

coord = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)


def point_sets(max_n: int = 5):
    return st.integers(0, max_n).flatmap(lambda n: arrays(np.float64, (n, 2), elements=coord))


params = st.tuples(st.sampled_from([1.0, 2.0, 3.0]), st.floats(1.0, 80.0))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(point_sets(), point_sets(), params)
def test_gospa_swap_symmetry(x, y, cp) -> None:
    """Swapping truth and tracks keeps the total and localisation, swaps missed/false."""
    p, c = cp
    a, b = gospa(x, y, c_m=c, p=p), gospa(y, x, c_m=c, p=p)
    np.testing.assert_allclose(a.gospa_m, b.gospa_m, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.localisation_pow, b.localisation_pow, rtol=1e-9, atol=1e-6)
    assert (a.n_missed, a.n_false) == (b.n_false, b.n_missed)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(point_sets(), params)
def test_zero_iff_equal(x, cp) -> None:
    p, c = cp
    perm = x[::-1]
    assert gospa(x, perm, c_m=c, p=p).gospa_m == pytest.approx(0.0, abs=1e-9)
    assert ospa(x, perm, c_m=c, p=p).ospa_m == pytest.approx(0.0, abs=1e-9)
    moved = np.vstack([x, [[500.0, 500.0]]])  # one extra point: never zero
    assert gospa(x, moved, c_m=c, p=p).gospa_m > 0.0
    assert ospa(x, moved, c_m=c, p=p).ospa_m > 0.0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(point_sets(), point_sets(), params)
def test_bounds(x, y, cp) -> None:
    """OSPA <= c; GOSPA^p <= c^p/2 * (|X| + |Y|) (all missed and false)."""
    p, c = cp
    assert ospa(x, y, c_m=c, p=p).ospa_m <= c * (1 + 1e-12)
    g = gospa(x, y, c_m=c, p=p)
    assert g.gospa_m**p <= c**p / 2 * (len(x) + len(y)) * (1 + 1e-9) + 1e-9


@settings(max_examples=80, deadline=None, derandomize=True)
@given(point_sets(4), point_sets(4), point_sets(4), params)
def test_ospa_triangle_inequality(x, y, z, cp) -> None:
    p, c = cp
    d_xz = ospa(x, z, c_m=c, p=p).ospa_m
    d_xy = ospa(x, y, c_m=c, p=p).ospa_m
    d_yz = ospa(y, z, c_m=c, p=p).ospa_m
    assert d_xz <= d_xy + d_yz + 1e-9


@settings(max_examples=80, deadline=None, derandomize=True)
@given(point_sets(4), point_sets(4), point_sets(4), params)
def test_gospa_triangle_inequality(x, y, z, cp) -> None:
    """GOSPA with alpha = 2 is a metric (Rahmathullah et al. 2017, Prop. 1)."""
    p, c = cp
    d_xz = gospa(x, z, c_m=c, p=p).gospa_m
    assert d_xz <= gospa(x, y, c_m=c, p=p).gospa_m + gospa(y, z, c_m=c, p=p).gospa_m + 1e-9
