"""Damaged campaign directories: ``campaign summarize``, ``query`` and ``report`` refuse
them alike, with one line naming the file and the field (shared checks in
:mod:`iadsim.analysis.campaign.integrity`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.campaign.query import campaign_parts
from iadsim.analysis.campaign.summarize import summarize_campaign
from iadsim.errors import InputDataError

PART = "part-00001.parquet"
IADSIM = Path(sys.executable).with_name("iadsim")


def _n_leaked(make: Callable[[pa.ChunkedArray], pa.Array]) -> Callable[[Path], None]:
    """Add part 2: part 1 of every table with new task ids (100 on), results'
    ``n_leaked`` replaced by ``make(n_leaked)``."""

    def edit(root: Path) -> None:
        for name in ("results", "threats", "failures"):
            t = pq.read_table(root / name / PART)
            if name == "results":
                col = t.column("n_leaked")
                t = t.set_column(t.column_names.index("n_leaked"), "n_leaked", make(col))
            i = t.column_names.index("task_id")
            t = t.set_column(i, "task_id", pc.add(t.column("task_id"), 100))
            pq.write_table(t, root / name / "part-00002.parquet")

    return edit


def _results_column(
    column: str, make: Callable[[pa.ChunkedArray], pa.Array]
) -> Callable[[Path], None]:
    """Replace ``column`` of results part 1 (the campaign's own tasks)."""

    def edit(root: Path) -> None:
        t = pq.read_table(root / "results" / PART)
        t = t.set_column(t.column_names.index(column), column, make(t.column(column)))
        pq.write_table(t, root / "results" / PART)

    return edit


def _point_dropped(root: Path) -> None:
    """A manifest still valid JSON, one point entry gone (n_tasks unchanged)."""
    for name in ("manifest.json", ".manifest.backup.json"):
        data = json.loads((root / name).read_text())
        data["points"] = data["points"][:1]
        (root / name).write_text(json.dumps(data))


def _points_not_mappings(root: Path) -> None:
    for name in ("manifest.json", ".manifest.backup.json"):
        data = json.loads((root / name).read_text())
        data["points"] = [1]
        (root / name).write_text(json.dumps(data))


CASES = [
    pytest.param(
        _n_leaked(lambda c: pc.cast(c, pa.string())),
        r"results/part-00002\.parquet: n_leaked: string values, need integers",
        id="n_leaked-text",
    ),
    pytest.param(
        _n_leaked(lambda c: pa.nulls(len(c), pa.int64())),
        r"results/part-00002\.parquet: n_leaked: 4 null value",
        id="n_leaked-null",
    ),
    pytest.param(_points_not_mappings, r"manifest\.json: points\[0\]", id="point-not-mapping"),
    # tasks of no point of this campaign (100 on), counted: 19 runs at a point of 10
    pytest.param(
        _n_leaked(lambda c: c),
        r"results/part-00002\.parquet: task_id: 100 is not a task of this campaign",
        id="foreign-tasks",
    ),
    # counts out of range: a Wilson interval traceback, or P(leak) -0.83 with exit 0
    pytest.param(
        _results_column("n_leaked", lambda c: pc.add(c, 99)),
        r"results/part-00001\.parquet: n_leaked: \d+ in row 0, more than its n_threats",
        id="more-leaked-than-threats",
    ),
    pytest.param(
        _results_column("n_threats", lambda c: pc.subtract(pc.multiply(c, 0), 3)),
        r"results/part-00001\.parquet: n_threats: negative count \(-3\)",
        id="negative-threats",
    ),
    pytest.param(
        _point_dropped,
        r"manifest\.json: points/n_points/n_tasks: 1 points x 2 runs is not n_tasks 4",
        id="point-dropped",
    ),
]


@pytest.mark.parametrize(("edit", "match"), CASES)
def test_summarize_refuses_damaged_campaigns(
    edit: Callable[[Path], None], match: str, tiny_campaign: Path, tmp_path: Path
) -> None:
    root = tmp_path / "c"
    shutil.copytree(tiny_campaign, root)
    edit(root)
    with pytest.raises(InputDataError, match=match) as err:
        summarize_campaign(root)
    assert "\n" not in str(err.value) and str(root) in str(err.value)
    with pytest.raises(InputDataError, match=match):
        campaign_parts(root)  # what `iadsim query` and `iadsim report` check first
    for args in (["campaign", "summarize", str(root)], ["query", str(root), "SELECT 1"]):
        proc = subprocess.run(
            [str(IADSIM), *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert proc.returncode == 2, (args, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0
        assert re.search(match, proc.stderr), proc.stderr


def test_summarize_of_the_intact_campaign_still_works(tiny_campaign: Path) -> None:
    rows = summarize_campaign(tiny_campaign)
    assert [r["runs"] for r in rows] == [2, 2]


def test_resume_refuses_a_part_of_foreign_tasks(tiny_campaign: Path, tmp_path: Path) -> None:
    """A part of tasks 100 on (not this campaign's) made a resume report "49/40 done"
    and the summary count its rows; resuming now refuses it in one line."""
    from iadsim.analysis.campaign.store import CampaignStore

    root = tmp_path / "c"
    shutil.copytree(tiny_campaign, root)
    _n_leaked(lambda c: c)(root)
    manifest = CampaignStore(root).read_manifest()
    proc = subprocess.run(
        [str(IADSIM), "campaign", "run", "--resume", "--out", str(root), "--no-progress"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "task_id: 100 is not a task of this campaign" in proc.stderr
    assert CampaignStore(root).read_manifest() == manifest
