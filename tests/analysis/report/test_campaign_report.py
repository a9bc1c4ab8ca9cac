"""Campaign report: figures and probabilities against the campaign's own results (SQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from iadsim.analysis.campaign.query import run_query
from iadsim.analysis.report.campaign_report import (
    METRICS,
    campaign_figures,
    write_campaign_report,
)
from iadsim.errors import InputDataError


@pytest.fixture(scope="module")
def campaign(
    tmp_path_factory: pytest.TempPathFactory, default_preset_campaign: Callable[..., Path]
) -> Path:
    """700 s: long enough for the first engagements."""
    out = tmp_path_factory.mktemp("campaign") / "c"
    return default_preset_campaign(
        out, duration_s=700, runs=3, seed=11, grid={"threats[1].count": [2, 4]}
    )


def test_campaign_figures_match_the_results(campaign: Path) -> None:
    figs, _rows, _probs = campaign_figures(campaign)
    names = [n for n, _ in figs]
    assert sum(n.startswith("dist") for n in names) == 3 and "classes" in names
    bands = dict(figs)
    # the killed band: x is the swept value, y the per-point mean of n_killed
    band = next(
        f for n, f in figs if n.startswith("band") and "kills" in f["layout"]["title"]["text"]
    )
    mean = band["data"][1]
    assert mean["x"] == [2, 4]
    sql = run_query(campaign, 'SELECT "threats[1].count" AS x, avg(n_killed) AS k FROM results '
                              "GROUP BY 1 ORDER BY 1").to_pylist()  # fmt: skip
    assert np.allclose(mean["y"], [r["k"] for r in sql])
    lo, hi = np.array(band["data"][0]["y"][2:][::-1]), np.array(band["data"][0]["y"][:2])
    assert (lo <= np.array(mean["y"]) + 1e-9).all() and (np.array(mean["y"]) <= hi + 1e-9).all()
    assert bands["classes"]["layout"]["yaxis"]["range"] == [0, 1.05]
    assert band["layout"]["xaxis"]["dtick"] == 1  # a swept count (2, 4): no 2.5 tick


def test_distributions_show_each_points_runs_side_by_side_on_whole_number_axes(
    campaign: Path,
) -> None:
    """Each distribution holds, per sweep point, exactly that point's per-run values
    (SQL), drawn side by side (not overlaid: blended colours match no legend entry),
    with whole-number tick steps on both count axes that cover the counts drawn."""
    figs, _rows, _probs = campaign_figures(campaign)
    by_title = {f["layout"]["title"]["text"]: f for n, f in figs if n.startswith("dist")}
    assert len(by_title) == len(METRICS)
    for metric, label in METRICS:
        fig = by_title[f"distribution of {label}"]
        lay = fig["layout"]
        assert lay["barmode"] == "group" and all("opacity" not in d for d in fig["data"])
        for axis in ("xaxis", "yaxis"):
            assert isinstance(lay[axis]["dtick"], int) and lay[axis]["dtick"] >= 1
        values = [v for d in fig["data"] for v in d["x"]]
        top = max(np.unique(d["x"], return_counts=True)[1].max() for d in fig["data"])
        assert lay["yaxis"]["dtick"] <= top  # a tick step inside the counts drawn
        assert lay["xaxis"]["dtick"] <= max(1.0, max(values) - min(values))
        for d in fig["data"]:  # each point's bars: that point's runs
            x = float(d["name"].split("=")[-1]) if "=" in d["name"] else None
            sql = run_query(campaign, f'SELECT {metric} AS v FROM results WHERE '
                                      f'"threats[1].count" = {int(x)}').to_pylist()  # fmt: skip
            assert sorted(d["x"]) == sorted(float(r["v"]) for r in sql)


def test_class_probabilities_match_sql(campaign: Path) -> None:
    _figs, _rows, probs = campaign_figures(campaign)
    sql = run_query(
        campaign,
        "SELECT point_id, type, count(*) AS n, avg(CAST(engagements > 0 AS DOUBLE)) AS e, "
        "avg(CAST(outcome = 'killed' AS DOUBLE)) AS k, avg(CAST(outcome = 'leaked' AS DOUBLE)) "
        "AS l FROM threats GROUP BY 1, 2 ORDER BY 1, 2",
    ).to_pylist()
    assert len(sql) == len(probs)
    for got, want in zip(probs, sql, strict=True):
        assert got["class"] == want["type"] and got["n"] == want["n"]
        for key, col in (("p_engaged", "e"), ("p_killed", "k"), ("p_leak", "l")):
            assert got[key] == pytest.approx(want[col])
            assert got[f"{key}_lo"] - 1e-12 <= got[key] <= got[f"{key}_hi"] + 1e-12
    assert any(p["p_engaged"] > 0 for p in probs)


def test_campaign_report_html_and_pngs(campaign: Path, tmp_path: Path) -> None:
    path = write_campaign_report(campaign, tmp_path / "c.html", png_dir=tmp_path / "png")
    html = path.read_text()
    assert "Means with 95% confidence bands" in html and "per threat class" in html
    assert len(list((tmp_path / "png").glob("*.png"))) == len(
        list((tmp_path / "png").glob("*.svg"))
    )
    assert (tmp_path / "png" / "classes.svg").read_text().count("probability") >= 1
    with pytest.raises(InputDataError, match="manifest"):
        campaign_figures(tmp_path)
