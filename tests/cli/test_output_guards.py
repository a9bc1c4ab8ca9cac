"""No command replaces what it reads, writes through a FIFO or device, or traces back on
a folder given for a file (an adversarial tester's findings: ``score --csv
RUN/truth.parquet`` turned the truth into CSV; ``export acmi -o RUN/summary.json``,
``report -o RUN/tracks.parquet``, ``campaign summarize --csv C/manifest.json`` and
``query --csv C/results/part-00001.parquet`` destroyed run and campaign data; ``track
-o FIFO`` replaced the FIFO (and ``-o /dev/full`` the device) with a regular file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from cli_helpers import TINY, invoke, tiny_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_run(tmp_path_factory.mktemp("guards"))


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("camp")
    scen = root / "tiny.yaml"
    scen.write_text(yaml.safe_dump({**TINY, "simulation": {**TINY["simulation"],
                                                           "duration_s": 60}}))  # fmt: skip
    res = invoke("campaign", "run", str(scen), "-n", "1", "--seed", "1", "--workers", "1",
                 "--backend", "inprocess", "--no-progress", "--out", str(root / "c"))  # fmt: skip
    assert res.code == 0, res.err
    return root / "c"


def _refused(res, path: Path, before: bytes, what: str = "would overwrite") -> None:  # type: ignore[no-untyped-def]
    assert res.code == 2, (res.out, res.err)
    assert what in res.err and len(res.err.strip().splitlines()) == 1, res.err
    assert path.read_bytes() == before  # untouched


@pytest.mark.parametrize(
    ("args", "victim"),
    [
        (("score", "{r}/tracks.parquet", "{r}/truth.parquet", "--csv", "{r}/truth.parquet"),
         "truth.parquet"),
        (("score", "{r}/tracks.parquet", "{r}/truth.parquet", "--csv",
          "{r}/detections.parquet"), "detections.parquet"),
        (("export", "acmi", "{r}", "-o", "{r}/summary.json"), "summary.json"),
        (("report", "{r}", "-o", "{r}/tracks.parquet"), "tracks.parquet"),
        (("track", "{r}/detections.parquet", "-o", "{r}/events.parquet"), "events.parquet"),
        (("export", "acmi", "{r}", "-o", "{r}/engagements.parquet"), "engagements.parquet"),
    ],
)  # fmt: skip
def test_run_files_are_never_replaced(run_dir: Path, args: tuple[str, ...], victim: str) -> None:
    path = run_dir / victim
    before = path.read_bytes()
    res = invoke(*(a.format(r=run_dir) for a in args))
    _refused(res, path, before)


@pytest.mark.parametrize(
    ("args", "victim"),
    [
        (("campaign", "summarize", "{c}", "--csv", "{c}/manifest.json"), "manifest.json"),
        (("query", "{c}", "SELECT 1 AS x", "--csv", "{c}/results/part-00001.parquet"),
         "results/part-00001.parquet"),
    ],
)  # fmt: skip
def test_campaign_files_are_never_replaced(
    campaign_dir: Path, args: tuple[str, ...], victim: str
) -> None:
    path = campaign_dir / victim
    assert path.is_file()
    before = path.read_bytes()
    res = invoke(*(a.format(c=campaign_dir) for a in args))
    _refused(res, path, before)


def test_a_fifo_is_neither_replaced_nor_read(run_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.parquet"
    os.mkfifo(fifo)
    res = invoke("track", str(run_dir / "detections.parquet"), "-o", str(fifo))
    assert res.code == 2 and "not a regular file" in res.err, res.err
    assert fifo.is_fifo()
    res = invoke("track", str(fifo), "--sigma-m", "50", "-o", str(tmp_path / "t.parquet"))
    assert res.code == 2 and "not a regular file" in res.err, res.err  # no hang on read


def test_folders_and_files_in_each_others_place(run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    for args, said in (
        (("export", "acmi", str(run_dir), "-o", str(folder)), "is a directory"),
        (("report", str(run_dir), "-o", str(folder)), "is a directory"),
        (("report", str(run_dir), "--png", str(afile)), "is a file, not a folder"),
        (("export", "asterix", str(run_dir), "-o", str(afile)), "is a file, not a folder"),
    ):
        if args[0] == "export" and args[1] == "asterix":
            pytest.importorskip("asterix")
        if args[0] == "report":
            pytest.importorskip("plotly")
        res = invoke(*args)
        assert res.code == 2 and said in res.err and len(res.err.strip().splitlines()) == 1, (
            args, res.err,
        )  # fmt: skip


def test_own_outputs_may_be_rewritten(run_dir: Path, campaign_dir: Path) -> None:
    """The guard does not get in the way: a second ``score --csv`` and ``campaign
    summarize`` rewrite their own CSV, ``export acmi`` its default file."""
    for _ in range(2):
        assert invoke("campaign", "summarize", str(campaign_dir)).code == 0
        assert invoke("export", "acmi", str(run_dir)).code == 0
        res = invoke("score", str(run_dir / "tracks.parquet"), str(run_dir / "truth.parquet"),
                     "--csv", str(run_dir / "score.csv"))  # fmt: skip
        assert res.code == 0, res.err


def test_a_copied_result_part_is_refused(campaign_dir: Path, tmp_path: Path) -> None:
    """A part copied under another number made ``campaign summarize`` count each run
    twice (and narrow its intervals): refused, naming both parts."""
    import shutil

    copy = tmp_path / "c"
    shutil.copytree(campaign_dir, copy)
    shutil.copy(copy / "results" / "part-00001.parquet", copy / "results" / "part-88888.parquet")
    for args in (("campaign", "summarize", str(copy)), ("query", str(copy), "SELECT 1 AS x")):
        res = invoke(*args)
        assert res.code == 2 and "also in part-00001.parquet" in res.err, (args, res.err)


def test_an_unwritable_report_destination_is_one_line_before_any_work(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only run directory (report.html by default) or --png folder gave a
    traceback after the work (an HTML file already written when --png failed). The
    file system's refusal is simulated where the destination is probed, in the report's
    own folder only (the run is read from elsewhere)."""
    import errno
    import tempfile

    from iadsim.analysis import outputs

    real = tempfile.TemporaryFile

    def read_only(*args, dir=None, **kw):  # type: ignore[no-untyped-def]
        if dir is not None and Path(dir).resolve() in {run_dir.resolve(), tmp_path.resolve()}:
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(outputs.tempfile, "TemporaryFile", read_only)
    res = invoke("report", str(run_dir))
    assert res.code == 2 and len(res.err.strip().splitlines()) == 1, res.err
    assert "report.html: cannot write there (Read-only file system)" in res.err
    assert not (run_dir / "report.html").exists()
    elsewhere = tmp_path.parent / f"{tmp_path.name}-out"
    elsewhere.mkdir()
    html = elsewhere / "r.html"
    res = invoke("report", str(run_dir), "-o", str(html), "--png", str(tmp_path / "png"))
    assert res.code == 2 and "--png" in res.err and "cannot write there" in res.err, res.err
    assert not html.exists()  # nothing written before the refusal
