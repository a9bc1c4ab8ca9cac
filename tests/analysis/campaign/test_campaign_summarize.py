"""Confidence intervals (against published values and scipy) and point summaries."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from campaign_fakes import fake_simulate, make_plan
from scipy import stats

from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.campaign.runner import run_campaign
from iadsim.analysis.campaign.summarize import summarize_campaign, t_interval, wilson_interval
from iadsim.errors import IadsimError, InputDataError

# Newcombe R.G. (1998) "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Stat. Med. 17:857-872, Table II, method 3 (Wilson
# score interval without continuity correction), 95% intervals.
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "lo", "hi"), NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998(k: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(k, n)
    assert round(got_lo, 4) == lo and round(got_hi, 4) == hi


@pytest.mark.parametrize(("k", "n"), [(0, 1), (3, 7), (50, 100), (99, 100), (7, 7), (1234, 5000)])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_matches_scipy(k: int, n: int, confidence: float) -> None:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert wilson_interval(k, n, confidence) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_wilson_edge_cases() -> None:
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    # no leak in 36 threats: the lower end is 0 exactly, not 1.4e-17 (a campaign summary
    # printed that); all 36: the upper end is 1 exactly
    for n in (1, 7, 36, 1000):
        assert wilson_interval(0, n)[0] == 0.0 and wilson_interval(n, n)[1] == 1.0
    with pytest.raises(ValueError, match="k must be"):
        wilson_interval(5, 4)


def test_t_interval_matches_scipy() -> None:
    x = np.random.default_rng(5).normal(3.0, 2.0, size=25)
    mean, lo, hi = t_interval(x)
    ref = stats.t.interval(0.95, df=24, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(x.mean(), rel=1e-14)
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert math.isnan(t_interval([1.0])[1]) and t_interval([2.0, 2.0])[1:] == (2.0, 2.0)


def test_t_interval_is_cut_to_the_values_a_mean_can_take() -> None:
    """Leakers per run 0, 0, 0, 4: the Student-t interval runs below 0 (scipy), but a
    count's mean cannot: the summary's lower end is 0, the upper end scipy's."""
    x = np.array([0.0, 0.0, 0.0, 4.0])
    ref = stats.t.interval(0.95, df=3, loc=x.mean(), scale=stats.sem(x))
    assert ref[0] < 0.0
    assert t_interval(x, bounds=(0.0, math.inf)) == pytest.approx((1.0, 0.0, ref[1]))
    assert t_interval(x / 4.0, bounds=(0.0, 1.0))[1:] == pytest.approx((0.0, min(ref[1] / 4, 1)))


def test_summarize_fake_campaign(tmp_path: Path) -> None:
    # leak probability per threat is (1 - pk)^salvo = 0.4 (salvo 1) and 0.16 (salvo 2)
    plan = make_plan(runs=150, seed=11, grid={"batteries[0].doctrine.salvo": [1, 2]})
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate, flush_every=100)
    rows = summarize_campaign(tmp_path / "c")
    assert [r["point_id"] for r in rows] == [0, 1]
    for row, p_true in zip(rows, (0.4, 0.16), strict=True):
        assert row["runs"] == 150 and row["failures"] == 0
        assert row["p_leak_lo"] < p_true < row["p_leak_hi"]
        assert row["n_threats_mean"] == 6.0
        p_any = 1.0 - (1.0 - p_true) ** 6
        assert row["p_any_leak_lo"] < p_any < row["p_any_leak_hi"]
        assert row["n_leaked_lo"] < row["n_leaked_mean"] < row["n_leaked_hi"]
    leaked = run_query(
        tmp_path / "c",
        "SELECT point_id, sum(n_leaked)::BIGINT AS k, sum(n_threats)::BIGINT AS n FROM results "
        "GROUP BY point_id ORDER BY point_id",
    ).to_pylist()
    assert [r["k"] / r["n"] for r in leaked] == [rows[0]["p_leak"], rows[1]["p_leak"]]


def test_query_views_and_errors(tmp_path: Path) -> None:
    plan = make_plan(runs=4, extra={"fail_every": 4})
    run_campaign(plan, tmp_path / "c", simulate=fake_simulate)
    t = run_query(tmp_path / "c", "SELECT count(*) AS n FROM threats WHERE task_id = 0")
    assert t.to_pylist() == [{"n": 6}]
    assert run_query(tmp_path / "c", "SELECT task_id FROM failures").to_pylist() == [{"task_id": 3}]
    with pytest.raises(IadsimError, match=r"^query: "):
        run_query(tmp_path / "c", "SELECT nope FROM results")
    with pytest.raises(InputDataError, match="not a campaign directory"):
        run_query(tmp_path, "SELECT 1")
