"""Tampered campaign directories: ``iadsim report`` gives a one-line error naming the file
and the field, as ``iadsim campaign summarize`` and ``iadsim query`` do."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.report.campaign_report import campaign_figures, write_campaign_report
from iadsim.errors import InputDataError

PART = "part-00001.parquet"
pytestmark = pytest.mark.slow  # (a campaign report per case: ~2 min in all)


def copy(src: Path, dest: Path, edit: Callable[[Path], None]) -> Path:
    shutil.copytree(src, dest)
    edit(dest)
    return dest


def extra_part(table: str, column: str, make: Callable[[pa.ChunkedArray], pa.Array]) -> Callable:
    """An edit splitting part 1 of every table by task: tasks 2 on move to a part 2
    whose ``column`` of ``table`` is replaced (the campaign's own tasks, each in one
    part: a part of foreign tasks is refused before its columns are read)."""

    def edit(root: Path) -> None:
        for name in ("results", "threats", "failures"):
            t = pq.read_table(root / name / PART)
            late = pc.greater_equal(t.column("task_id"), 2)
            first, second = t.filter(pc.invert(late)), t.filter(late)
            if name == table:
                col = second.column_names.index(column)
                second = second.set_column(col, column, make(second.column(column)))
            pq.write_table(first, root / name / PART)
            pq.write_table(second, root / name / "part-00002.parquet")

    return edit


def points(value: object, *, backup: bool) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        for name in ("manifest.json", ".manifest.backup.json")[: 2 if backup else 1]:
            data = json.loads((root / name).read_text())
            data["points"] = value
            (root / name).write_text(json.dumps(data))

    return edit


def _truncate(root: Path) -> None:
    part = root / "results" / PART
    part.write_bytes(part.read_bytes()[:300])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        pytest.param(
            lambda r: (r / "results" / PART).write_bytes(b""), "corrupt part file", id="empty"
        ),
        pytest.param(_truncate, "corrupt part file", id="truncated"),
        pytest.param(
            extra_part("results", "n_leaked", lambda c: pc.cast(c, pa.string())),
            r"results/part-00002\.parquet: n_leaked: string values, need integers",
            id="n_leaked-text",
        ),
        pytest.param(
            extra_part("results", "n_leaked", lambda c: pa.nulls(len(c), pa.int64())),
            r"results/part-00002\.parquet: n_leaked: 2 null value",
            id="n_leaked-null",
        ),
        pytest.param(
            extra_part("threats", "outcome", lambda c: pa.array([1] * len(c))),
            r"threats/part-00002\.parquet: outcome: int64 values, need text",
            id="outcome-numbers",
        ),
        pytest.param(
            extra_part("results", "seed", lambda c: pc.cast(c, pa.string())),
            r"results/part-00002\.parquet: seed: string values, but int64 in .*part-00001",
            id="column-of-two-types",
        ),
        pytest.param(points("x", backup=True), r"manifest\.json: points", id="points-text"),
        pytest.param(
            points([1], backup=True), r"manifest\.json: points\[0\]", id="point-not-mapping"
        ),
    ],
)
def test_bad_campaign_directories_name_the_file_and_field(
    edit: Callable[[Path], None], match: str, tiny_campaign: Path, tmp_path: Path
) -> None:
    root = copy(tiny_campaign, tmp_path / "c", edit)
    with pytest.raises(InputDataError, match=match) as err:
        write_campaign_report(root, tmp_path / "r.html")
    assert "\n" not in str(err.value) and str(root) in str(err.value)


def test_a_broken_manifest_falls_back_to_its_backup(tiny_campaign: Path, tmp_path: Path) -> None:
    """As for ``iadsim campaign summarize``: the backup written at creation is used."""
    root = copy(tiny_campaign, tmp_path / "c", points("x", backup=False))
    figs, rows, _probs = campaign_figures(root)
    assert len(rows) == 2 and figs
    root2 = copy(tiny_campaign, tmp_path / "c2", lambda r: (r / "manifest.json").write_text("{"))
    assert write_campaign_report(root2, tmp_path / "r.html").is_file()
