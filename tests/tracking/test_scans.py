"""Plots that carry their own times, grouped into one look per revisit (tracking/scans.py).

Found by use: since plots carry their illumination times, ``iadsim track`` on a run's
own ``detections.parquet`` took every plot as a scan of its own, charged all other
tracks a miss at each one and confirmed nothing (3,710 tentative tracks for 40
aircraft). These tests hold the revisit estimate to the radar's true period on
synthetic rotating-radar plots, the look split to its invariants, and the re-tracked
run to the quality of the run's own tracker (tests/cli/test_track_looks_cli.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.tracking.scans import revisit_period_s, scan_looks


def _rotating_plots(
    rng: np.random.Generator, period_s: float, n_targets: int, n_false_per_scan: int,
    n_scans: int, pd: float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Times and azimuths of a clockwise rotating radar's plots: each target's plot
    is stamped when the antenna passes its (slowly drifting) azimuth; false alarms at
    random azimuths, stamped likewise."""
    az0 = rng.uniform(0, 2 * np.pi, n_targets)
    drift = rng.normal(0, 0.01, n_targets)  # rad per scan
    t, az = [], []
    for k in range(n_scans):
        a = np.r_[(az0 + drift * k)[rng.random(n_targets) < pd],
                  rng.uniform(0, 2 * np.pi, n_false_per_scan)]  # fmt: skip
        a = np.mod(a, 2 * np.pi)
        t.append(k * period_s + a / (2 * np.pi) * period_s)
        az.append(a)
    tt, aa = np.concatenate(t), np.concatenate(az)
    order = np.argsort(tt, kind="stable")
    return tt[order], aa[order]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    period_s=st.sampled_from([1.0, 4.8, 10.0, 12.0]),
    n_targets=st.integers(5, 60),
    n_false=st.integers(0, 30),
    pd=st.floats(0.6, 1.0),
)
def test_revisit_estimate_is_the_rotation_period(
    seed: int, period_s: float, n_targets: int, n_false: int, pd: float
) -> None:
    rng = np.random.default_rng(seed)
    t, az = _rotating_plots(rng, period_s, n_targets, n_false, 60, pd)
    est = revisit_period_s(t, az)
    assert est is not None
    assert est == pytest.approx(period_s, rel=0.01)


def test_revisit_estimate_of_scan_stamped_plots_is_their_spacing() -> None:
    rng = np.random.default_rng(1)
    t = np.repeat(np.arange(40) * 2.5, 20)
    az = np.tile(rng.uniform(0, 2 * np.pi, 20), 40)
    assert revisit_period_s(t, az) == pytest.approx(2.5)
    assert revisit_period_s(t[:3], az[:3]) is None  # too few to say


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_sensors=st.integers(1, 3))
def test_looks_partition_the_plots_in_time_order(seed: int, n_sensors: int) -> None:
    rng = np.random.default_rng(seed)
    periods = {s: float(rng.choice([1.0, 4.8, 10.0])) for s in range(n_sensors)}
    parts = [(*_rotating_plots(rng, periods[s], 10, 5, 12, 0.9), s) for s in periods]
    t = np.concatenate([p[0] for p in parts])
    sensor = np.concatenate([np.full(p[0].shape, p[2]) for p in parts])
    order = np.argsort(t, kind="stable")
    t, sensor = t[order], sensor[order]
    looks = scan_looks(t, sensor, {s: p for s, p in periods.items()})
    rows = np.concatenate([lk.rows for lk in looks])
    assert np.array_equal(np.sort(rows), np.arange(t.shape[0]))  # each plot once
    assert [lk.t_s for lk in looks] == sorted(lk.t_s for lk in looks)
    for lk in looks:
        assert np.all(sensor[lk.rows] == lk.sensor)
        assert lk.t_s == t[lk.rows].max()
        assert np.ptp(t[lk.rows]) < periods[lk.sensor]  # one revisit at most
    # a sensor without a period keeps its time stamps
    as_stamped = scan_looks(t, sensor, {s: None for s in periods})
    assert all(np.unique(t[lk.rows]).shape[0] == 1 for lk in as_stamped)
