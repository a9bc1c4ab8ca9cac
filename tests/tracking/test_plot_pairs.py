"""Three-point initiation's kernels (:mod:`iadsim.tracking.plot_pairs`)."""

from __future__ import annotations

import numpy as np

from iadsim.tracking.measurements import Measurements
from iadsim.tracking.plot_pairs import (
    Pending,
    chain_rejected,
    cv_predict,
    kf_position_update,
    match_third,
    pair_state,
)

Q = 20.0


def _pairs(p1: np.ndarray, p2: np.ndarray, t1: float, t2: float, sd_m: float) -> Pending:
    """Pending pairs of plots ``p1``, ``p2`` (k, 3) at ``t1``, ``t2``, noise ``sd_m``."""
    k = p1.shape[0]
    R = np.broadcast_to(sd_m**2 * np.eye(3), (k, 3, 3)).copy()
    return Pending(
        t1_s=np.full(k, t1), t2_s=np.full(k, t2), p1=p1, R1=R, p2=p2, R2=R.copy(),
        r1=p1[:, 0], r2=p2[:, 0], misses=np.zeros(k, np.int64),
        waited=np.zeros(k, np.int64), ll2=np.zeros(k), amb=np.ones(k, bool),
    )  # fmt: skip


def _plots(z: np.ndarray, t_s: float, sd_m: float) -> Measurements:
    m = z.shape[0]
    return Measurements(
        t_s=np.full(m, t_s), z=z, R=np.broadcast_to(sd_m**2 * np.eye(3), (m, 3, 3)).copy(),
        sensor_m=np.zeros((m, 3)), kind="cartesian", ndim=3,
    )  # fmt: skip


def test_pair_state_is_the_cv_prediction_of_the_differenced_state() -> None:
    """At ``tau`` after the second plot, the pair's state and covariance are its state
    at the second plot (``tau = 0``) predicted by the CV model: the differencing
    formulas and the CV prediction agree (the velocity's ``W`` included)."""
    rng = np.random.default_rng(3)
    k = 5
    p1, p2 = rng.normal(0, 1e4, (k, 3)), rng.normal(0, 1e4, (k, 3))
    A = rng.normal(0, 30.0, (k, 3, 3))
    R1 = A @ A.swapaxes(1, 2) + 100 * np.eye(3)
    R2 = R1[::-1].copy()
    dt, tau = rng.uniform(1, 10, k), rng.uniform(0, 5, k)
    x0, P0 = pair_state(p1, R1, p2, R2, dt, np.zeros(k), Q)
    x, P = pair_state(p1, R1, p2, R2, dt, tau, Q)
    xp, Pp = cv_predict(x0, P0, tau, Q)
    np.testing.assert_allclose(x, xp, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(P, Pp, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(x0[:, 3:], (p2 - p1) / dt[:, None], rtol=1e-12)


def test_kf_position_update_matches_the_textbook_update() -> None:
    """Joseph-form update equals ``x + K nu``, ``(I - K H) P`` with ``K = P H' S^-1``."""
    rng = np.random.default_rng(4)
    k, n, d = 4, 6, 3
    A = rng.normal(size=(k, n, n))
    P = A @ A.swapaxes(1, 2) + np.eye(n)
    x, z = rng.normal(size=(k, n)), rng.normal(size=(k, d))
    R = np.broadcast_to(0.5 * np.eye(d), (k, d, d)).copy()
    xu, Pu = kf_position_update(x, P, z, R)
    H = np.hstack([np.eye(d), np.zeros((d, n - d))])
    for i in range(k):
        S = H @ P[i] @ H.T + R[i]
        K = P[i] @ H.T @ np.linalg.inv(S)
        np.testing.assert_allclose(xu[i], x[i] + K @ (z[i] - H @ x[i]), rtol=1e-10)
        np.testing.assert_allclose(Pu[i], (np.eye(n) - K @ H) @ P[i], rtol=1e-8, atol=1e-10)


def test_match_third_takes_the_plot_predicted_from_the_pair() -> None:
    """Two pairs flying north at 250 m/s 5 km apart: each takes the plot where it
    predicted it, a plot 3 km off both is left, nothing is ambiguous, the state is
    at the look time with the pair's velocity."""
    v = np.array([0.0, 250.0, 0.0])
    p1 = np.array([[0.0, 50_000.0, 5_000.0], [5_000.0, 50_000.0, 5_000.0]])
    pend = _pairs(p1, p1 + 3.0 * v, 0.0, 3.0, 50.0)
    z3 = np.vstack([p1[::-1] + 6.0 * v, [2_500.0, 57_000.0, 5_000.0]])
    got = match_third(pend, _plots(z3, 6.0, 50.0), np.full(3, 6.0), 6.5, Q, 0.999)
    assert sorted(zip(got.rows.tolist(), got.j.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert not got.amb.any()
    np.testing.assert_allclose(got.x[:, 3:], np.tile(v, (2, 1)), atol=1.0)
    np.testing.assert_allclose(got.x[:, :3], p1 + 6.5 * v, atol=1.0)
    assert np.all(got.ll3 < 0) and np.all(np.isfinite(got.ll3))


def test_match_third_flags_two_plots_in_one_gate_and_takes_the_nearer() -> None:
    """Two plots in one pair's gate: ambiguous, the nearer taken; no plot: no match."""
    v = np.array([0.0, 250.0, 0.0])
    p1 = np.array([[0.0, 50_000.0, 5_000.0]])
    pend = _pairs(p1, p1 + 3.0 * v, 0.0, 3.0, 200.0)
    z3 = p1 + 6.0 * v + np.array([[300.0, 0.0, 0.0], [-40.0, 0.0, 0.0]])
    got = match_third(pend, _plots(z3, 6.0, 200.0), np.full(2, 6.0), 6.0, Q, 0.999)
    assert got.j.tolist() == [1] and got.amb.tolist() == [True]
    far = match_third(pend, _plots(z3 + 1e5, 6.0, 200.0), np.full(2, 6.0), 6.0, Q, 0.999)
    assert far.rows.shape == (0,)


def test_pending_take_and_join_keep_rows_together() -> None:
    p = np.arange(6.0).reshape(2, 3)
    a = _pairs(p, p + 1.0, 0.0, 1.0, 10.0)
    both = Pending.join([a, a.take(np.array([1])), a.take(np.array([0]))])
    assert len(both) == 4
    np.testing.assert_array_equal(both.p2[2], p[1] + 1.0)
    np.testing.assert_array_equal(both.p1[3], p[0])
    assert both.amb.dtype == bool and both.waited.dtype == np.int64


def test_chain_rejected_when_the_first_plot_has_a_slower_partner() -> None:
    """Aircraft 2 km abreast flying north at 260 m/s, looks 3 s apart: a pair of
    aircraft 0's plot then aircraft 1's whose third plot is aircraft 2's (a chain at
    667 m/s across) is rejected when aircraft 0's own plot is on the third look, kept
    when it is not; an aircraft's own three plots are kept beside its neighbour's."""
    v = np.array([0.0, 260.0, 0.0])
    x0 = np.array([[0.0, 50_000.0, 5_000.0]])
    east = np.array([2_000.0, 0.0, 0.0])
    chain = _pairs(x0, x0 + east + 3.0 * v, 0.0, 3.0, 30.0)
    third = np.vstack([x0 + 2 * east + 6.0 * v, x0 + 6.0 * v])  # aircraft 2's, 0's
    look = _plots(third, 6.0, 30.0)
    t3, j = np.full(2, 6.0), np.array([0])
    assert chain_rejected(chain, np.array([0]), j, look, t3, 400.0).tolist() == [True]
    alone = _plots(third[:1], 6.0, 30.0)
    assert chain_rejected(chain, np.array([0]), j, alone, t3[:1], 400.0).tolist() == [False]
    own = _pairs(x0, x0 + 3.0 * v, 0.0, 3.0, 30.0)
    near = _plots(np.vstack([x0 + 6.0 * v, x0 + east + 6.0 * v]), 6.0, 30.0)
    assert chain_rejected(own, np.array([0]), j, near, t3, 400.0).tolist() == [False]


def test_another_matchs_third_plot_is_no_likelier_partner() -> None:
    """Two targets 1.5 km apart in trail, flying north at 260 m/s, looks 3 s apart: the
    one behind is nearer the leader's first plot on the third look (it moved 1.56 km)
    than the leader's own third plot. That plot is the trailing pair's own third plot,
    so it explains nothing about the leader: neither match is rejected (before, every
    target of a stream but its last was dropped as a chain)."""
    v = np.array([0.0, 260.0, 0.0])
    lead = np.array([0.0, 51_500.0, 5_000.0])
    trail = lead - np.array([0.0, 1_500.0, 0.0])
    pend = _pairs(np.vstack([lead, trail]), np.vstack([lead, trail]) + 3.0 * v, 0.0, 3.0, 30.0)
    look = _plots(np.vstack([lead + 6.0 * v, trail + 6.0 * v]), 6.0, 30.0)
    t3, rows = np.full(2, 6.0), np.array([0, 1])
    assert chain_rejected(pend, rows, np.array([0, 1]), look, t3, 400.0).tolist() == [False] * 2
    # the same plot unclaimed (the trailing target has no match): the leader's is dropped
    assert chain_rejected(pend, rows[:1], np.array([0]), look, t3, 400.0).tolist() == [True]


def _chain_rejected_all_pairs(pend: Pending, rows, j, c3: Measurements, t3_s, sigma_v):
    """The chain check scoring every plot of the look against every match (the
    definition, without the distance pre-gate): the likeliest other plot."""
    from iadsim.tracking.plot_pairs import prior_loglik

    p = rows.shape[0]
    p1, R1, t1 = pend.p1[rows], pend.R1[rows], pend.t1_s[rows]
    dp = c3.z[None, :, :3] - p1[:, None, :]
    S = R1[:, None] + c3.R[None, :, :3, :3]
    ll = prior_loglik(dp, S, np.maximum(t3_s[None, :] - t1[:, None], 1e-9), sigma_v)
    own = ll[np.arange(p), j]
    ll[:, j] = -np.inf  # (every match's third plot is its own, no other's partner)
    return ll.max(axis=1) > own


def test_chain_rejected_pregate_loses_no_likelier_plot() -> None:
    """The pre-gated chain check (only plots within the likelihood bound's radius are
    scored) decides as scoring all plots does, on random dense looks: formations of
    three to five aircraft 0.5-3 km apart in a 200 km box, plot noise 30-300 m, looks
    2-12 s apart, third plots at their own times within the look."""
    rng = np.random.default_rng(11)
    rejected = 0
    for _ in range(40):
        k, m = int(rng.integers(5, 60)), int(rng.integers(2, 200))
        sd = float(rng.uniform(30.0, 300.0))
        centre = rng.uniform(-1e5, 1e5, (k, 3))
        dt = float(rng.uniform(2.0, 12.0))
        v = rng.normal(0.0, 250.0, (k, 3))
        pend = _pairs(centre, centre + dt * v + rng.normal(0, 1500.0, (k, 3)), 0.0, dt, sd)
        # look: some aircraft's own plots, neighbours' plots and clutter
        near = centre[rng.integers(0, k, m)] + rng.normal(0, 3000.0, (m, 3))
        z = np.where(rng.random((m, 1)) < 0.3, rng.uniform(-1e5, 1e5, (m, 3)), near)
        look = _plots(z, 2 * dt, sd)
        t3 = 2 * dt + rng.uniform(0.0, 1.0, m)
        rows = rng.permutation(k)[: min(k, m)]
        j = rng.permutation(m)[: rows.shape[0]]
        got = chain_rejected(pend, rows, j, look, t3, 400.0)
        want = _chain_rejected_all_pairs(pend, rows, j, look, t3, 400.0)
        np.testing.assert_array_equal(got, want)
        rejected += int(want.sum())
    assert rejected > 20  # the scenes reject some matches (the test can tell)


def test_near_third_keeps_every_match_inside_the_gate() -> None:
    """The per-pair distance bound before the chi-square gate (``_near_third``) keeps
    every (pair, plot) whose gate distance is within the threshold, on random dense
    looks (pairs with their own noise 30-300 m and gaps 2-12 s, plots with their own
    noise 30-3,000 m at their own times within a 0-4 s sector), and drops most of the
    others (so the bound does work and the test can tell)."""
    from iadsim.tracking.gating import gate_threshold
    from iadsim.tracking.plot_pairs import _near_third

    rng = np.random.default_rng(12)
    gamma = gate_threshold(3, probability=0.999, mahalanobis=None)
    kept_in, dropped_out, outside = 0, 0, 0
    for _ in range(40):
        k, m = int(rng.integers(5, 60)), int(rng.integers(2, 200))
        dt = float(rng.uniform(2.0, 12.0))
        centre = rng.uniform(-5e4, 5e4, (k, 3))
        v = rng.normal(0.0, 250.0, (k, 3))
        pend = _pairs(centre, centre + dt * v, 0.0, dt, 1.0)
        pend.R1 = pend.R1 * rng.uniform(30.0, 300.0, k)[:, None, None] ** 2
        pend.R2 = pend.R2 * rng.uniform(30.0, 300.0, k)[:, None, None] ** 2
        t3 = 2 * dt + rng.uniform(0.0, 4.0, m)
        ahead = centre[rng.integers(0, k, m)] + v[rng.integers(0, k, m)] * 2 * dt
        z = ahead + rng.normal(0.0, 1500.0, (m, 3))
        R3 = np.eye(3) * rng.uniform(30.0, 3000.0, m)[:, None, None] ** 2
        ci, j = (a.ravel() for a in np.meshgrid(np.arange(k), np.arange(m), indexing="ij"))
        tau = t3[j] - pend.t2_s[ci]
        x, P = pair_state(pend.p1[ci], pend.R1[ci], pend.p2[ci], pend.R2[ci],
                          np.full(ci.shape, dt), tau, Q)  # fmt: skip
        nu = z[j] - x[:, :3]
        d2 = np.einsum("pi,pij,pj->p", nu, np.linalg.inv(P[:, :3, :3] + R3[j]), nu)
        tau_hi = np.full(k, t3.max() - dt)
        _, P_hi = pair_state(pend.p1, pend.R1, pend.p2, pend.R2, np.full(k, dt), tau_hi, Q)
        var_hi = np.trace(P_hi[:, :3, :3], axis1=1, axis2=2)
        bound = gamma * (var_hi[ci] + np.trace(R3, axis1=1, axis2=2)[j])
        kc, kj, _ = _near_third(pend, ci, j, tau, z, bound)
        kept = np.zeros(ci.shape, bool)
        kept[kc * m + kj] = True
        inside = d2 <= gamma
        assert kept[inside].all()
        kept_in += int(inside.sum())
        dropped_out += int((~kept & ~inside).sum())
        outside += int((~inside).sum())
    assert kept_in > 50 and dropped_out > 0.5 * outside  # many in, most out dropped
