"""Track continuity on constructed scenarios.

Every expected count is derived in the test from the construction (a schedule
of which track follows which truth at which step) by plain loops, following
the definitions cited in :mod:`iadsim.analysis.metrics.continuity`
(ID switch: Bernardin & Stiefelhagen 2008, CLEAR MOT "mismatch"; fragment: Li,
Huang & Nevatia 2009; purity: Gorji, Tharmarasa & Kirubarajan 2011).
"""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.analysis.metrics import pair_rmse, score, track_continuity

DT_S = 1.0
SEP_M = 10_000.0  # truths far apart compared with the cut-off
C_M = 50.0
OFFSET_M = np.array([3.0, -4.0])  # |offset| = 5 m < C_M


def _truth_pos(truth: int, step: int) -> np.ndarray:
    return np.array([100.0 * step, SEP_M * truth])


def build(n_steps: int, schedule: dict[int, list[int | None]]):
    """Rows for truths 0..k-1 over ``n_steps`` and tracks following ``schedule``.

    ``schedule[truth][step]`` is the id of the track near that truth at that
    step (None: no track).
    """
    t_rows, k_rows = [], []
    for truth, ids in schedule.items():
        for step in range(n_steps):
            pos = _truth_pos(truth, step)
            t_rows.append((step * DT_S, truth, *pos))
            if ids[step] is not None:
                k_rows.append((step * DT_S, ids[step], *(pos + OFFSET_M)))
    tr = np.array(t_rows, dtype=float).reshape(-1, 4)
    kr = np.array(k_rows, dtype=float).reshape(-1, 4)
    return (tr[:, 0], tr[:, 1].astype(np.int64), tr[:, 2:]), (
        kr[:, 0],
        kr[:, 1].astype(np.int64),
        kr[:, 2:],
    )


def expected_from_schedule(ids: list[int | None]) -> dict[str, float]:
    """Reference figures for one truth by direct loops over its schedule."""
    switches, segments, last, prev = 0, 0, None, None
    for tid in ids:
        if tid is not None:
            if last is not None and tid != last:
                switches += 1
            if tid != prev:
                segments += 1
            last = tid
        prev = tid
    assigned = [t for t in ids if t is not None]
    first = next((i for i, t in enumerate(ids) if t is not None), None)
    dominant = max((assigned.count(t) for t in set(assigned)), default=0)
    return {
        "switches": switches,
        "segments": segments,
        "time_to_track": np.nan if first is None else first * DT_S,
        "coverage": len(assigned) / len(ids),
        "continuity": dominant / len(ids),
    }


def run(n_steps, schedule):
    (tt, tid, tpos), (kt, kid, kpos) = build(n_steps, schedule)
    return score(tt, tid, tpos, kt, kid, kpos, c_m=C_M, p=1.0)


def check(result, schedule) -> None:
    cont = result.continuity
    for truth, ids in schedule.items():
        exp = expected_from_schedule(ids)
        i = int(np.flatnonzero(cont.truth_id == truth)[0])
        assert cont.n_id_switches[i] == exp["switches"], (truth, ids)
        assert cont.n_segments[i] == exp["segments"], (truth, ids)
        np.testing.assert_allclose(cont.time_to_track_s[i], exp["time_to_track"])
        np.testing.assert_allclose(cont.coverage[i], exp["coverage"])
        np.testing.assert_allclose(cont.continuity[i], exp["continuity"])


def test_handover_gap_and_return() -> None:
    n = 12
    a, b = 7, 9
    schedule: dict[int, list[int | None]] = {
        # none, A x3, B x3 (switch), gap x2, B x2 (fragment, no switch), A x1 (switch)
        0: [None] + [a] * 3 + [b] * 3 + [None] * 2 + [b] * 2 + [a],
        1: [None] * 4 + [5] * 8,  # late but clean
    }
    result = run(n, schedule)
    check(result, schedule)
    exp0 = expected_from_schedule(schedule[0])
    exp1 = expected_from_schedule(schedule[1])
    cont = result.continuity
    assert cont.id_switches == exp0["switches"] + exp1["switches"]
    assert cont.fragmentations == (exp0["segments"] - 1) + (exp1["segments"] - 1)
    np.testing.assert_allclose(
        cont.mean_time_to_track_s, np.mean([exp0["time_to_track"], exp1["time_to_track"]])
    )
    # every assigned pair is offset by exactly OFFSET_M, velocities not given
    np.testing.assert_allclose(result.pos_rmse_m, np.linalg.norm(OFFSET_M))
    assert np.isnan(result.vel_rmse_mps)


def test_crossing_swap_purity() -> None:
    """Two tracks swap targets at step k: one switch and one fragment per truth."""
    n, k = 10, 4
    schedule: dict[int, list[int | None]] = {
        0: [1] * k + [2] * (n - k),
        1: [2] * k + [1] * (n - k),
    }
    result = run(n, schedule)
    check(result, schedule)
    cont = result.continuity
    assert cont.id_switches == 2 and cont.fragmentations == 2
    # each track spends k steps on one truth and n - k on the other
    np.testing.assert_allclose(cont.purity, max(k, n - k) / n)


def test_random_schedules_match_reference_loops() -> None:
    rng = np.random.default_rng(123)
    for _ in range(40):
        n = int(rng.integers(1, 15))
        n_truth = int(rng.integers(1, 4))
        schedule: dict[int, list[int | None]] = {}
        for truth in range(n_truth):
            # distinct track-id pools per truth keep tracks on one truth at a time
            # id 0 included: an unassigned step must never look like track 0
            pool = [None, 10 * truth, 10 * truth + 1, 10 * truth + 2]
            schedule[truth] = [pool[int(j)] for j in rng.integers(0, 4, n)]
        check(run(n, schedule), schedule)


def test_false_track_has_zero_purity_and_no_effect() -> None:
    schedule: dict[int, list[int | None]] = {0: [1, 1, 1, 1]}
    (tt, tid, tpos), (kt, kid, kpos) = build(4, schedule)
    kt2 = np.concatenate([kt, [0.0, 1.0]])
    kid2 = np.concatenate([kid, [99, 99]])
    kpos2 = np.vstack([kpos, [[-5e5, -5e5], [-5e5, -5e5]]])
    result = score(tt, tid, tpos, kt2, kid2, kpos2, c_m=C_M)
    cont = result.continuity
    assert cont.track_id.tolist() == [1, 99]
    assert cont.purity.tolist() == [1.0, 0.0]
    assert cont.id_switches == 0 and cont.fragmentations == 0
    assert result.series.false_pow.tolist() == [C_M / 2, C_M / 2, 0.0, 0.0]


def test_never_tracked_truth_and_first_time_override() -> None:
    schedule: dict[int, list[int | None]] = {0: [None, None, 4], 1: [None, None, None]}
    (tt, tid, tpos), (kt, kid, kpos) = build(3, schedule)
    series = score(tt, tid, tpos, kt, kid, kpos, c_m=C_M).series
    born = np.where(tid == 0, -2.0, 0.0)  # truth 0 appeared 2 s before the first row
    cont = track_continuity(
        tt, tid, kt, kid, series.truth_row, series.track_row, truth_first_t_s=born
    )
    assert cont.n_truth_tracked == 1
    np.testing.assert_allclose(cont.time_to_track_s, [2 * DT_S + 2.0, np.nan])
    np.testing.assert_allclose(cont.mean_time_to_track_s, 2 * DT_S + 2.0)


def test_velocity_rmse_and_pair_rmse() -> None:
    truth_vel = np.array([[100.0, 0.0], [0.0, 50.0]])
    track_vel = np.array([[103.0, 4.0], [0.0, 50.0]])
    # pairs (0, 0) error 5; (1, 1) error 0 -> sqrt((25 + 0) / 2)
    assert pair_rmse(truth_vel, track_vel, [0, 1], [0, 1]) == pytest.approx(np.sqrt(12.5))
    assert np.isnan(pair_rmse(truth_vel, track_vel, [], []))


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError, match="matching lengths"):
        track_continuity([0.0], [1, 2], [0.0], [1], [0], [0])
