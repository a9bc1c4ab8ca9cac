"""Benchmark: trackers on the plots of real recorded traffic (the real-traffic preset).

The ``real-traffic`` preset (40 recorded aircraft over Paris, 20 min of ADS-B,
an ASR-9-class radar at 4.8 s per scan) is run once; its plots (radar polar
measurements with their sigmas, Pd ~0.95 and false alarms) are then fed, one look
per radar revisit (each plot at its own illumination time), to

- iadsim's tracker with the preset's configuration (EKF in a CV/CV IMM),
- iadsim's tracker with a single CV EKF (q = 30 m^2/s^3),
- Stone Soup (if installed, ``pip install iadsim[bench]``): 3-D CV (q = 30) with an
  extended Kalman updater on the same polar plots
  (``CartesianToElevationBearingRange`` with each plot's sigmas and radar
  position), Mahalanobis gate 4.6 (the 0.9999 chi-square gate, 3 dof), GNN
  (``GNNWith2DAssignment``), ``MultiMeasurementInitiator`` (3 plots), deleted after
  3 missed scans.

Scores (:func:`iadsim.analysis.metrics.manoeuvre.tracking_quality`, against the
recorded truth, 3-D): GOSPA (c = 2 km, p = 1, alpha = 2) and its parts, track
continuity, ID switches, tracks, position RMSE in straight flight and in turns
(>= 1 deg/s), CPU time of the tracker per scan (``time.process_time``, min of
``--repeat`` runs). Run: ``python bench/bench_real_traffic.py`` (~1-3 min).
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from iadsim.analysis.metrics.manoeuvre import tracking_quality
from iadsim.frames import Detections, Tracks, TrackStatus
from iadsim.scenario.load import load_scenario
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.sim.runner import RunResult, run_scenario
from iadsim.tracking.scans import revisit_periods, scan_looks

GATE_MAHALANOBIS = 4.6  # sqrt of the 0.9999 chi-square quantile, 3 dof (4.57)
Q_CV = 30.0


def scans(dets: Detections) -> list[tuple[float, Detections]]:
    """The plots (each with its own illumination time) grouped into one look per radar
    revisit, as ``iadsim track`` groups a file (:mod:`iadsim.tracking.scans`): each
    look at its last plot's time, in time order."""
    sensor = dets.radar_id.astype(np.int64)
    periods = revisit_periods(dets.t_s, sensor, dets.az_rad)
    looks = scan_looks(dets.t_s, sensor, {s: p for s, (p, _) in periods.items()})
    return [(look.t_s, dets.select(look.rows)) for look in looks]


def run_iadsim(cfg: TrackerConfig, plots: list[tuple[float, Detections]]) -> tuple[float, Tracks]:
    """iadsim's tracker on the plots: CPU s and every live track at every scan."""
    tracker = compile_tracker(cfg)
    out = []
    t0 = time.process_time()
    for t, d in plots:
        out.append(tracker.step(d, t, sensor_id=0, batch=True))
    return time.process_time() - t0, Tracks.concat(out)


def _ss_parts(plots: list[tuple[float, Detections]]) -> tuple[Any, list[tuple[Any, set[Any]]]]:
    """Stone Soup tracker and its detections (one set per scan)."""
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.deleter.time import UpdateTimeStepsDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import MultiMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    tm = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q_CV)] * 3)
    predictor, updater = ExtendedKalmanPredictor(tm), ExtendedKalmanUpdater(None)

    def assoc() -> Any:
        hyp = DistanceHypothesiser(
            predictor, updater, measure=Mahalanobis(), missed_distance=GATE_MAHALANOBIS
        )
        return GNNWith2DAssignment(hyp)

    init = MultiMeasurementInitiator(
        prior_state=GaussianState(np.zeros(6), np.diag([0.0, 250.0**2] * 3)),
        measurement_model=None,
        deleter=UpdateTimeStepsDeleter(1),
        data_associator=assoc(),
        updater=updater,
        min_points=3,
    )
    tracker = MultiTargetTracker(
        initiator=init, deleter=UpdateTimeStepsDeleter(3), detector=None,
        data_associator=assoc(), updater=updater,
    )  # fmt: skip
    epoch = datetime.datetime(2021, 10, 7)
    batches = []
    for t, d in plots:
        ts = epoch + datetime.timedelta(seconds=t)
        dset = set()
        for i in range(len(d)):
            mm = CartesianToElevationBearingRange(
                ndim_state=6,
                mapping=(0, 2, 4),
                noise_covar=np.diag([d.sigma_el_rad[i], d.sigma_az_rad[i], d.sigma_range_m[i]])
                ** 2,
                translation_offset=np.array(
                    [[d.sensor_e_m[i]], [d.sensor_n_m[i]], [d.sensor_u_m[i]]]
                ),
            )
            z = np.array(
                [[Elevation(d.el_rad[i])], [Bearing(np.pi / 2 - d.az_rad[i])], [d.range_m[i]]]
            )
            t_plot = epoch + datetime.timedelta(seconds=float(d.t_s[i]))  # its own time
            dset.add(Detection(z, timestamp=t_plot, measurement_model=mm))
        batches.append((ts, dset))
    return tracker, batches


def run_stonesoup(plots: list[tuple[float, Detections]]) -> tuple[float, Tracks]:
    """Stone Soup on the plots: CPU s and its tracks at every scan (as a Tracks frame)."""
    tracker, batches = _ss_parts(plots)
    ids: dict[int, int] = {}
    rows: list[list[float]] = []
    t0 = time.process_time()
    for (t, _), (ts, dset) in zip(plots, batches, strict=True):
        _, tracks = tracker.update_tracker(ts, dset)
        for tr in tracks:
            x = np.asarray(tr.state_vector, dtype=float).ravel()
            dt = (ts - tr.timestamp).total_seconds()
            k = ids.setdefault(id(tr), len(ids))
            rows.append([t, k, x[0] + x[1] * dt, x[2] + x[3] * dt, x[4] + x[5] * dt, *x[[1, 3, 5]]])
    cpu = time.process_time() - t0
    a = np.array(rows, dtype=float).reshape(-1, 8)
    z = np.zeros(a.shape[0])
    frame = Tracks(
        t_s=a[:, 0], track_id=a[:, 1].astype(np.int64),
        status=np.full(a.shape[0], TrackStatus.CONFIRMED, dtype=np.int8),
        e_m=a[:, 2], n_m=a[:, 3], u_m=a[:, 4], ve_mps=a[:, 5], vn_mps=a[:, 6], vu_mps=a[:, 7],
        var_e_m2=z + np.nan, var_n_m2=z + np.nan, var_u_m2=z + np.nan,
        var_ve_m2ps2=z + np.nan, var_vn_m2ps2=z + np.nan, var_vu_m2ps2=z + np.nan, quality=z,
    )  # fmt: skip
    return cpu, frame


def main() -> None:
    """Run the preset, every tracker on its plots, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="min of N CPU timings (iadsim)")
    ap.add_argument("--no-stonesoup", action="store_true", help="skip Stone Soup")
    a = ap.parse_args()
    sc = load_scenario("real-traffic")
    t0 = time.process_time()
    result: RunResult = run_scenario(sc, record=False)
    run_cpu = time.process_time() - t0
    plots = scans(result.detections)
    preset_cfg = sc.tracker or TrackerConfig()
    cv = TrackerConfig.model_validate(
        {
            **preset_cfg.model_dump(),
            "filter": {"kind": "ekf"},
            "motion": {"kind": "cv", "q_m2ps3": Q_CV},
        }
    )
    runs: dict[str, Callable[[], tuple[float, Tracks]]] = {
        "iadsim preset (IMM CV/CV, EKF)": lambda: run_iadsim(preset_cfg, plots),
        f"iadsim CV q={Q_CV:g} (EKF)": lambda: run_iadsim(cv, plots),
    }
    if not a.no_stonesoup:
        try:
            import stonesoup  # noqa: F401

            runs[f"Stone Soup CV q={Q_CV:g} (EKF, GNN)"] = lambda: run_stonesoup(plots)
        except ImportError:
            print("stonesoup not installed: pip install 'iadsim[bench]' to compare")
    n_plots = len(result.detections)
    print(
        f"real-traffic: {result.summary.n_threats} aircraft, {len(plots)} scans, "
        f"{n_plots} plots ({result.summary.n_false_alarms} false); "
        f"whole preset run {run_cpu:.2f} s CPU"
    )
    head = (
        f"{'tracker':38s} {'GOSPA m':>8s} {'loc':>6s} {'miss':>6s} {'false':>6s} "
        f"{'cont':>5s} {'IDsw':>4s} {'tracks':>6s} {'RMSE str':>8s} {'RMSE turn':>9s} "
        f"{'ms/scan':>8s}"
    )
    print(head)
    print("-" * len(head))
    for name, fn in runs.items():
        reps = a.repeat if name.startswith("iadsim") else 1
        cpus, tracks = zip(*(fn() for _ in range(reps)), strict=True)
        q = tracking_quality(result.truth, tracks[0], held=False)
        print(
            f"{name:38s} {q.gospa_mean_m:8.0f} {q.gospa_localisation_mean_m:6.0f} "
            f"{q.gospa_missed_mean_m:6.0f} {q.gospa_false_mean_m:6.0f} "
            f"{q.continuity_mean:5.3f} {q.id_switches:4d} {q.n_tracks:6d} "
            f"{q.rmse_straight_m:8.1f} {q.rmse_turning_m:9.1f} "
            f"{1e3 * min(cpus) / len(plots):8.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
