"""Per-sweep-point statistics of a campaign with confidence intervals.

Means of per-run metrics get Student-t intervals; proportions get Wilson score
intervals:

* ``p_leak`` = threats leaked / threats (pooled over the runs of a point; note
  that threats of one run are not independent, so this interval is optimistic
  when outcomes are correlated within a run),
* ``p_any_leak`` = runs with at least one leak / runs,
* ``p_survive`` = threats neither killed nor arrived when the run ends / threats (shown
  beside ``p_leak``: a survivor is not a success of the defence).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import ArrayLike
from scipy import stats

from iadsim.analysis.campaign.integrity import MEAN_METRICS
from iadsim.analysis.campaign.query import open_campaign

__all__ = ["MEAN_METRICS", "rows_to_table", "summarize_campaign", "t_interval", "wilson_interval"]


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n``.

    .. math::

        \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    with ``z`` the ``1 - (1 - confidence)/2`` normal quantile (Wilson 1927,
    JASA 22:209, eq. for the "score" interval; Newcombe 1998, Stat. Med.
    17:857, method 3).

    Returns
    -------
    (lo, hi) : tuple of float
        NaN, NaN when ``n == 0``.
    """
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, n] (got k={k}, n={n})")
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    z2 = z * z
    p_hat = k / n
    denom = 1.0 + z2 / n
    centre = (p_hat + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p_hat * (1.0 - p_hat) / n + z2 / (4.0 * n * n)) / denom
    # exact ends at k = 0 and k = n (the formula gives them up to rounding: 1.4e-17)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def t_interval(
    x: ArrayLike, confidence: float = 0.95, bounds: tuple[float, float] = (-math.inf, math.inf)
) -> tuple[float, float, float]:
    """Mean and Student-t interval ``mean ± t_{n-1} s / sqrt(n)`` (NaNs ignored), cut to
    ``bounds``, the values the mean can take (a count's mean is not below 0: cutting
    the interval there keeps its coverage).

    Returns
    -------
    (mean, lo, hi) : tuple of float
        Interval NaN when fewer than 2 values; degenerate when ``s == 0``.
    """
    a = np.asarray(x, dtype=np.float64)
    a = a[np.isfinite(a)]
    n = a.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(a.mean())
    if n < 2:
        return mean, math.nan, math.nan
    sem = float(a.std(ddof=1)) / math.sqrt(n)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, df=n - 1))
    lo, hi = bounds
    return mean, max(mean - t * sem, lo), min(mean + t * sem, hi)


def _point_rows(
    results: pa.Table, failures: pa.Table, manifest: dict[str, Any], confidence: float
) -> list[dict[str, Any]]:
    cols = {
        name: results.column(name).to_numpy(zero_copy_only=False) for name in results.column_names
    }
    point_ids = cols.get("point_id", np.zeros(0, dtype=np.int64)).astype(np.int64)
    fail_points = failures.column("point_id").to_numpy(zero_copy_only=False).astype(np.int64)
    rows = []
    for point in manifest["points"]:
        pid = int(point["point_id"])
        sel = point_ids == pid
        n_runs = int(sel.sum())
        row: dict[str, Any] = {"point_id": pid, "label": point["label"], **point["overrides"]}
        row["runs"] = n_runs
        row["failures"] = int((fail_points == pid).sum())
        for metric in MEAN_METRICS:
            if metric not in cols:
                continue
            span = (0.0, 1.0 if metric == "leak_fraction" else math.inf)  # (counts, times)
            mean, lo, hi = t_interval(cols[metric][sel].astype(np.float64), confidence, span)
            row[f"{metric}_mean"], row[f"{metric}_lo"], row[f"{metric}_hi"] = mean, lo, hi
        if "n_leaked" in cols and "n_threats" in cols:
            k = int(cols["n_leaked"][sel].sum())
            n = int(cols["n_threats"][sel].sum())
            lo, hi = wilson_interval(k, n, confidence)
            row["p_leak"], row["p_leak_lo"], row["p_leak_hi"] = (k / n if n else math.nan), lo, hi
            if "n_survived" in cols:  # threats still flying at the end: beside the leakers
                k_s = int(cols["n_survived"][sel].sum())
                lo_s, hi_s = wilson_interval(k_s, n, confidence)
                row["p_survive"] = k_s / n if n else math.nan
                row["p_survive_lo"], row["p_survive_hi"] = lo_s, hi_s
            k_any = int((cols["n_leaked"][sel] > 0).sum())
            lo, hi = wilson_interval(k_any, n_runs, confidence)
            row["p_any_leak"] = k_any / n_runs if n_runs else math.nan
            row["p_any_leak_lo"], row["p_any_leak_hi"] = lo, hi
        rows.append(row)
    return rows


def summarize_campaign(root: Path, *, confidence: float = 0.95) -> list[dict[str, Any]]:
    """One dict per sweep point: counts, means with t intervals, Wilson proportions.

    Keys: ``point_id``, ``label``, the sweep paths, ``runs``, ``failures``, for each metric
    of :data:`MEAN_METRICS` present ``<m>_mean``, ``<m>_lo``, ``<m>_hi``, and
    ``p_leak``, ``p_any_leak`` with ``_lo``/``_hi``.
    """
    store, con = open_campaign(root)
    try:
        results = con.sql("SELECT * FROM results").to_arrow_table()
        failures = con.sql("SELECT point_id FROM failures").to_arrow_table()
    finally:
        con.close()
    return _point_rows(results, failures, store.read_manifest(), confidence)


def rows_to_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Arrow table of summary rows (columns in first-seen order)."""
    names: list[str] = []
    for row in rows:
        names.extend(k for k in row if k not in names)
    data = {}
    for name in names:
        vals = [row.get(name) for row in rows]
        try:
            data[name] = pa.array(vals)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            data[name] = pa.array([None if v is None else str(v) for v in vals])
    return pa.table(data)
