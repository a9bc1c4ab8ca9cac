"""Benchmark: iadsim's tracker against Stone Soup on the same detections.

Standard scene (both trackers see identical detections):
2-D, scan interval 1 s, 100 scans; N targets nearly-constant-velocity (q = 0.05
m^2/s^3 per axis); initial positions uniform on a square of side 500 m sqrt(N);
speeds uniform 10-30 m/s, random headings; Pd 0.9; measurement noise 5 m per
axis; Poisson clutter, mean 4e-6 per m^2 times the square's area, uniform.

Tracker (both): CV with matched q, Mahalanobis gate 3, GNN (cost = Mahalanobis
distance, miss = gate), one-point initiation with velocity std 30 m/s, confirm
after 3 consecutive hits (Stone Soup: MultiMeasurementInitiator min_points=3
whose holding tracks die on a miss), delete after 3 misses
(UpdateTimeStepsDeleter(3)). Stone Soup uses its kd-tree GNN
(DetectionKDTreeGNN2D, max_distance 150 m, wider than any 3-sigma gate here)
by default, ``--ss-plain`` for GNNWith2DAssignment.

Score: GOSPA (c = 50 m, p = 1, alpha = 2) on positions of confirmed tracks
(Stone Soup: its released tracks), mean over scans. Stone Soup runs until its
time budget is spent; iadsim is then scored on the same scans (and on all).

Second part: IMM (CV + CT) vs CV on a manoeuvring target (3-7 g turns, in the
style of the Blair/Bar-Shalom benchmark), Monte Carlo runs batched on the track
axis; position RMSE printed.

Run: ``python bench/bench_tracking.py`` (about 10 minutes), ``--quick`` for a
small run.
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.frames import TrackStatus
from iadsim.tracking import (
    GNN,
    IMM,
    ConstantVelocity,
    CoordinatedTurn,
    Deleter,
    Gate,
    KalmanFilter,
    Measurements,
    MOfN,
    SinglePointInitiator,
    TrackerParts,
    ZeroPadded,
)
from iadsim.tracking.association import gnn_solve

F64 = NDArray[np.float64]
Q_M2PS3, SIGMA_M, PD, CLUTTER_PER_M2, C_M = 0.05, 5.0, 0.9, 4e-6, 50.0


def make_scene(n: int, scans: int, seed: int) -> tuple[list[F64], list[F64]]:
    """Truth positions (n, 2) and detections (m, 2) per scan."""
    rng = np.random.default_rng(seed)
    side = 500.0 * np.sqrt(n)
    speed, head = rng.uniform(10, 30, n), rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([rng.uniform(0, side, (n, 2)), speed * np.cos(head), speed * np.sin(head)])
    cv = ConstantVelocity(ndim=2, q_m2ps3=Q_M2PS3)
    one = np.ones(1)
    F, Q = cv.F(x[:1], one)[0], cv.Q(x[:1], one)[0]
    L = np.linalg.cholesky(Q)
    truths, dets = [], []
    for k in range(scans):
        if k:
            x = x @ F.T + rng.standard_normal((n, 4)) @ L.T
        truths.append(x[:, :2].copy())
        seen = rng.random(n) < PD
        z = x[seen, :2] + SIGMA_M * rng.standard_normal((int(seen.sum()), 2))
        clutter = rng.uniform(0, side, (rng.poisson(CLUTTER_PER_M2 * side * side), 2))
        dets.append(np.vstack([z, clutter]))
    return truths, dets


def gospa_sparse(truth: F64, est: F64, c: float = C_M) -> float:
    """GOSPA (p = 1, alpha = 2) with sparse optimal assignment (pairs closer than c).

    min over partial matchings of sum d_ij + c/2 (#missed + #false) (Rahmathullah,
    Garcia-Fernandez, Svensson 2017, Prop. 1); pairs at distance >= c never help.
    """
    n, m = truth.shape[0], est.shape[0]
    if n == 0 or m == 0:
        return c / 2 * (n + m)
    res = cKDTree(truth).sparse_distance_matrix(cKDTree(est), c, output_type="ndarray")
    keep = res["v"] < c
    i, j, d = res["i"][keep], res["j"][keep], res["v"][keep]
    if d.size == 0:
        return c / 2 * (n + m)
    # component-split exact assignment (the tracker's GNN solver): min sum (d - c)
    pidx = gnn_solve(i.astype(np.int64), j.astype(np.int64), d, np.full(n, c), n, m)
    n_ass = pidx.shape[0]
    return float(d[pidx].sum() + c / 2 * (n - n_ass) + c / 2 * (m - n_ass))


def iadsim_parts() -> TrackerParts:
    return TrackerParts(
        filter=KalmanFilter(model=ConstantVelocity(ndim=2, q_m2ps3=Q_M2PS3)),
        gate=Gate(probability=None, mahalanobis=3.0),
        associator=GNN(cost="d"),
        initiator=SinglePointInitiator(velocity_sigma_mps=30.0),
        confirmer=MOfN(m=3, n=3),
        deleter=Deleter(max_misses=3),
    )


def run_iadsim(dets: list[F64], scans: int) -> tuple[float, list[F64]]:
    """ms per scan and confirmed/coasting track positions per scan."""
    tr = iadsim_parts().build()
    R = np.eye(2) * SIGMA_M**2
    meas = [Measurements.cartesian(np.full(len(z), float(k)), z, R) for k, z in enumerate(dets)]
    out, t0 = [], time.perf_counter()
    for k in range(scans):
        f = tr.step_measurements(meas[k], float(k))
        keep = (f.status == TrackStatus.CONFIRMED) | (f.status == TrackStatus.COASTING)
        out.append(np.column_stack([f.e_m[keep], f.n_m[keep]]))
    return 1000 * (time.perf_counter() - t0) / scans, out


def run_stonesoup(
    dets: list[F64], scans: int, budget_s: float, plain: bool
) -> tuple[float, list[F64]]:
    """Stone Soup GNN tracker; stops after ``budget_s`` seconds of tracking."""
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
    )
    from stonesoup.models.transition.linear import ConstantVelocity as SSCV
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState

    tm = CombinedLinearGaussianTransitionModel([SSCV(Q_M2PS3), SSCV(Q_M2PS3)])
    mm = LinearGaussian(ndim_state=4, mapping=(0, 2), noise_covar=np.eye(2) * SIGMA_M**2)
    from stonesoup.updater.kalman import KalmanUpdater

    predictor, updater = KalmanPredictor(tm), KalmanUpdater(mm)
    hyp = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=3)

    def assoc() -> Any:
        if plain:
            return GNNWith2DAssignment(hyp)
        return DetectionKDTreeGNN2D(
            hypothesiser=hyp, predictor=predictor, updater=updater, max_distance=150.0
        )

    init = MultiMeasurementInitiator(
        prior_state=GaussianState(np.zeros(4), np.diag([0.0, 30.0**2, 0.0, 30.0**2])),
        measurement_model=mm,
        deleter=UpdateTimeStepsDeleter(1),
        data_associator=assoc(),
        updater=updater,
        min_points=3,
    )
    tracker = MultiTargetTracker(
        initiator=init, deleter=UpdateTimeStepsDeleter(3), detector=None,
        data_associator=assoc(), updater=updater,
    )  # fmt: skip
    t_epoch = datetime.datetime(2026, 1, 1)
    out: list[F64] = []
    spent = 0.0
    for k in range(scans):
        ts = t_epoch + datetime.timedelta(seconds=k)
        dset = {Detection(z.reshape(2, 1), timestamp=ts, measurement_model=mm) for z in dets[k]}
        t0 = time.perf_counter()
        _, tracks = tracker.update_tracker(ts, dset)
        spent += time.perf_counter() - t0
        pos = [np.asarray(tr.state_vector, dtype=float).ravel()[[0, 2]] for tr in tracks]
        out.append(np.array(pos).reshape(-1, 2))
        if spent > budget_s:
            break
    return 1000 * spent / len(out), out


def mean_gospa(truths: list[F64], est: list[F64]) -> float:
    return float(np.mean([gospa_sparse(t, e) for t, e in zip(truths, est, strict=False)]))


def cross_check_gospa(truths: list[F64], est: list[F64]) -> None:
    """Our sparse GOSPA must equal iadsim.analysis.metrics (dense) where it exists."""
    try:
        from iadsim.analysis.metrics.setdist import gospa
    except ImportError:  # pragma: no cover - metrics not landed yet
        return
    for t, e in list(zip(truths, est, strict=False))[:5]:
        ref = gospa(t, e, c_m=C_M, p=1.0, alpha=2.0).gospa_m
        assert abs(ref - gospa_sparse(t, e)) < 1e-6 * max(ref, 1.0), (ref, gospa_sparse(t, e))


def manoeuvre_truth(runs: int, seed: int) -> tuple[F64, F64]:
    """Truth (K, 2) and measurements (K, runs, 2): 300 m/s, turns of 3, 7, 5 g."""
    dt, v, g = 1.0, 300.0, 9.81
    segs = [(20, 0.0), (15, 3 * g / v), (15, 0.0), (10, -7 * g / v), (15, 0.0), (12, 5 * g / v),
            (20, 0.0)]  # fmt: skip
    ct = CoordinatedTurn(ndim=2, q_m2ps3=0.0, q_omega_rad2ps3=0.0)
    x = np.array([[0.0, 0.0, v, 0.0, 0.0]])
    truth = []
    for n, w in segs:
        for _ in range(n):
            x[0, 4] = w
            x = ct.f(x, np.array([dt]))
            truth.append(x[0, :2].copy())
    tr = np.array(truth)
    rng = np.random.default_rng(seed)
    return tr, tr[:, None, :] + 25.0 * rng.standard_normal((tr.shape[0], runs, 2))


def rmse_filter(filt: Any, truth: F64, z: F64) -> float:
    """Position RMSE over runs and time (after 10 s) of one filter, all runs batched."""
    K, runs, _ = z.shape
    x0 = np.zeros((runs, filt.nx))
    x0[:, :2], x0[:, 2] = z[0], 300.0
    P0 = np.broadcast_to(np.diag([625.0, 625.0, 2500.0, 2500.0, *[1e-3] * (filt.nx - 4)]),
                         (runs, filt.nx, filt.nx)).copy()  # fmt: skip
    bank = filt.init_bank(x0, P0)
    one, zero, row = np.ones(runs), np.zeros(runs), np.arange(runs)
    err = []
    for k in range(1, K):
        bank = filt.predict(bank, one)
        m = Measurements.cartesian(np.full(runs, float(k)), z[k], np.eye(2) * 625.0)
        bank, _ = filt.update(bank, m, row, one, zero, zero)
        if k >= 10:
            err.append(np.sum((bank.x[:, :2] - truth[k]) ** 2, axis=1))
    return float(np.sqrt(np.mean(err)))


def imm_vs_cv(runs: int) -> None:
    truth, z = manoeuvre_truth(runs, seed=11)
    rows: list[tuple[str, Callable[[], Any]]] = []
    for q in (1.0, 30.0, 300.0):
        rows.append(
            (f"CV KF q={q:g}", lambda q=q: KalmanFilter(model=ConstantVelocity(ndim=2, q_m2ps3=q)))
        )
    cv = ConstantVelocity(ndim=2, q_m2ps3=1.0)
    imm = IMM(base=KalmanFilter(model=cv),
              models=(ZeroPadded(model=cv, nx_total=5),
                      CoordinatedTurn(ndim=2, q_m2ps3=1.0, q_omega_rad2ps3=1e-3)),
              sojourn_s=(20.0, 10.0), mu0=(0.9, 0.1))  # fmt: skip
    rows.append(("IMM CV+CT (EKF)", lambda: imm))
    print(f"\nIMM vs CV, manoeuvring target (3/7/5 g turns, 25 m noise, {runs} runs batched)")
    print(f"{'filter':<20}{'pos RMSE m':>12}{'ms total':>10}")
    for name, make in rows:
        t0 = time.perf_counter()
        r = rmse_filter(make(), truth, z)
        print(f"{name:<20}{r:>12.1f}{1000 * (time.perf_counter() - t0):>10.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small run (about 1 minute)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ss-budget-s", type=float, default=None, help="Stone Soup time per N")
    ap.add_argument("--ss-plain", action="store_true", help="Stone Soup GNNWith2DAssignment")
    ap.add_argument("--n-both", type=int, nargs="*", default=None, help="N run by both")
    ap.add_argument("--n-alone", type=int, nargs="*", default=None, help="N run by iadsim only")
    ap.add_argument("--no-imm", action="store_true", help="skip the IMM vs CV part")
    ap.add_argument("--scans", type=int, default=None, help="scans per scene (default 100)")
    a = ap.parse_args()
    scans = a.scans or (20 if a.quick else 100)
    n_both = a.n_both if a.n_both is not None else ([10, 100] if a.quick else [10, 100, 300, 1000])
    n_alone = a.n_alone if a.n_alone is not None else ([1000] if a.quick else [10_000, 100_000])
    budget = a.ss_budget_s or (15.0 if a.quick else 150.0)
    print(f"scene: {scans} scans, T=1 s, Pd {PD}, sigma {SIGMA_M} m, clutter {CLUTTER_PER_M2}/m^2; "
          f"GOSPA c={C_M} p=1 alpha=2; Stone Soup "
          f"{'GNNWith2DAssignment' if a.ss_plain else 'DetectionKDTreeGNN2D'}, "
          f"budget {budget:.0f} s/N")  # fmt: skip
    hdr = (f"{'N':>7}{'iad ms/scan':>12}{'SS ms/scan':>12}{'speed-up':>10}{'SS scans':>9}"
           f"{'iad GOSPA':>10}{'SS GOSPA':>10}{'ratio':>7}{'iad GOSPA all':>14}")  # fmt: skip
    print(hdr)
    cost: dict[int, float] = {}
    for n in n_both + n_alone:
        truths, dets = make_scene(n, scans, a.seed)
        ms, est = run_iadsim(dets, scans)
        cost[n] = ms
        g_all = mean_gospa(truths, est)
        if n <= 300:
            cross_check_gospa(truths[-5:], est[-5:])
        if n in n_both:
            ss_ms, ss_est = run_stonesoup(dets, scans, budget, a.ss_plain)
            k = len(ss_est)
            g_i, g_s = mean_gospa(truths[:k], est[:k]), mean_gospa(truths[:k], ss_est)
            print(f"{n:>7}{ms:>12.2f}{ss_ms:>12.1f}{ss_ms / ms:>10.0f}{k:>9}{g_i:>10.2f}"
                  f"{g_s:>10.2f}{g_i / g_s:>7.3f}{g_all:>14.2f}")  # fmt: skip
        else:
            print(
                f"{n:>7}{ms:>12.2f}{'-':>12}{'-':>10}{'-':>9}{'-':>10}{'-':>10}{'-':>7}{g_all:>14.2f}"
            )
    if len(cost) >= 2:
        ns = np.array(sorted(cost))
        c = np.array([cost[n] for n in ns])
        big = ns >= 1000
        b_all = np.polyfit(np.log(ns), np.log(c), 1)[0]
        msg = f"fitted exponent ms/scan ~ N^b: b = {b_all:.2f} (all N)"
        if big.sum() >= 2:
            msg += f", b = {np.polyfit(np.log(ns[big]), np.log(c[big]), 1)[0]:.2f} (N >= 1000)"
        print(msg)
    if not a.no_imm:
        imm_vs_cv(200 if a.quick else 1000)


if __name__ == "__main__":
    main()
