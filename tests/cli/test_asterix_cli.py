"""``iadsim export asterix`` and ``iadsim track FILE.ast --radar-sites``, as a user runs
them: a run's plots go out as CAT048 and come back into the tracker, which tracks them
as it tracks the run's own detections file; bad input and a missing extra are one line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from cli_helpers import invoke, tiny_run

pytest.importorskip("asterix.generated")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_run(tmp_path_factory.mktemp("ast"))


def test_export_then_track_the_plots(run_dir: Path, tmp_path: Path) -> None:
    res = invoke("export", "asterix", str(run_dir), "-o", str(tmp_path), "--sac", "25")
    assert res.code == 0, res.err
    for name in ("cat048.ast", "cat062.ast", "radar-sites.yaml"):
        assert (tmp_path / name).stat().st_size > 0
    n_plots = int(res.out.split("cat048.ast (")[1].split(" plots")[0].replace(",", ""))
    sites = yaml.safe_load((tmp_path / "radar-sites.yaml").read_text())
    assert [r["name"] for r in sites["radars"]] == ["surv", "fcr"][: len(sites["radars"])]
    assert all(r["sac"] == 25 for r in sites["radars"])
    out = tmp_path / "t.parquet"
    res = invoke("track", str(tmp_path / "cat048.ast"), "--radar-sites",
                 str(tmp_path / "radar-sites.yaml"), "-o", str(out))  # fmt: skip
    assert res.code == 0, res.err
    assert f"detections={n_plots}" in res.out
    native = tmp_path / "native.parquet"
    assert invoke("track", str(run_dir / "detections.parquet"), "-o", str(native)).code == 0
    # the same run, scored: the ASTERIX plots track like the run's own file
    scores = []
    for f in (out, native):
        r = invoke("score", str(f), str(run_dir / "truth.parquet"), "--c", "1000",
                   "--format", "json")  # fmt: skip
        assert r.code == 0, r.err
        scores.append(r.out)
    import json

    a, b = (json.loads(s) for s in scores)
    key = next(k for k in a if "gospa" in k.lower() and "mean" in k.lower())
    assert a[key] == pytest.approx(b[key], rel=0.15), (a[key], b[key])
    for f in (out, native):  # both hold their targets (per-plot times grouped into looks)
        assert pq.read_table(f).column("status").to_pylist().count("confirmed") > 0


def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, run_dir: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("asterix") else real(name, *a),
    )
    for args in (["export", "asterix", str(run_dir)],
                 ["track", "x.ast", "--radar-sites", "s.yaml", "-o", "t.parquet"]):  # fmt: skip
        res = invoke(*args)
        assert res.code == 2 and res.err.count("\n") == 1, res.err
        assert "pip install 'iadsim[asterix]'" in res.err


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        (lambda s: s["radars"][0].pop("sigma_range_m"),
         "radar-sites.yaml: radars[0].sigma_range_m"),
        (lambda s: s["radars"][0].update(sic=99),
         "I048/010: SAC/SIC 0/0 is not in the radar sites"),
        (lambda s: s.update(radars=[]), "radar-sites.yaml: radars"),
    ],
)  # fmt: skip
def test_bad_sites_are_one_line(run_dir: Path, tmp_path: Path, edit, expect: str) -> None:  # type: ignore[no-untyped-def]
    assert invoke("export", "asterix", str(run_dir), "-o", str(tmp_path)).code == 0
    sites = yaml.safe_load((tmp_path / "radar-sites.yaml").read_text())
    edit(sites)
    (tmp_path / "radar-sites.yaml").write_text(yaml.safe_dump(sites))
    res = invoke("track", str(tmp_path / "cat048.ast"), "--radar-sites",
                 str(tmp_path / "radar-sites.yaml"), "-o", str(tmp_path / "t.parquet"))  # fmt: skip
    assert res.code == 2 and res.err.count("\n") == 1, res.err
    assert expect in res.err
    assert not (tmp_path / "t.parquet").exists()


def test_not_a_run_directory_and_ast_without_sites(tmp_path: Path) -> None:
    res = invoke("export", "asterix", str(tmp_path))
    assert res.code == 2 and "not a run directory" in res.err and res.err.count("\n") == 1
    (tmp_path / "p.ast").write_bytes(bytes.fromhex("300006800102"))
    res = invoke("track", str(tmp_path / "p.ast"), "-o", str(tmp_path / "t.parquet"))
    assert res.code == 2 and "--radar-sites" in res.err and res.err.count("\n") == 1


def test_skip_bad_records_reads_on_and_says_so(run_dir: Path, tmp_path: Path) -> None:
    assert invoke("export", "asterix", str(run_dir), "-o", str(tmp_path)).code == 0
    ast = tmp_path / "cat048.ast"
    ast.write_bytes(ast.read_bytes() + b"\x30\x01\x00\x00")  # a truncated last block
    args = ["track", str(ast), "--radar-sites", str(tmp_path / "radar-sites.yaml"),
            "-o", str(tmp_path / "t.parquet")]  # fmt: skip
    res = invoke(*args)
    assert res.code == 2 and "runs past the end of the file" in res.err
    res = invoke(*args, "--skip-bad-records")
    assert res.code == 0, res.err
    assert "skipped 1 bad records or blocks" in res.err and "runs past the end" in res.err


def test_time_of_day_defaults_to_the_scenario_epoch(run_dir: Path, tmp_path: Path) -> None:
    """With ``simulation.epoch_utc`` set (23:59:30 at UTC+2 is 21:59:30 UTC, 79,170 s
    after midnight) the plots' time of day is the epoch's plus the run time, wrapping at
    24 h; ``--tod-offset-s`` still wins; without an epoch the default stays 0."""
    import shutil

    import numpy as np

    from iadsim.analysis.asterix.cat048 import LSB, decode_cat048
    from iadsim.frames import Detections

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    doc = yaml.safe_load((run / "scenario.resolved.yaml").read_text())
    doc["simulation"]["epoch_utc"] = "2021-10-07T23:59:30+02:00"
    (run / "scenario.resolved.yaml").write_text(yaml.safe_dump(doc))
    t_s = Detections.from_arrow(pq.read_table(run / "detections.parquet")).t_s
    for args, offset_s in (((), 79_170.0), (("--tod-offset-s", "0"), 0.0)):
        out = tmp_path / f"out{offset_s:g}"
        assert invoke("export", "asterix", str(run), "-o", str(out), *args).code == 0
        tod = decode_cat048((out / "cat048.ast").read_bytes(), "cat048.ast").tod_s
        back = np.sort(np.mod(tod - offset_s, 86_400.0))  # each plot at a detection time
        near = np.searchsorted(np.sort(t_s), back).clip(1, t_s.size - 1)
        gap = np.minimum(abs(np.sort(t_s)[near] - back), abs(np.sort(t_s)[near - 1] - back))
        assert tod.size and gap.max() <= LSB["tod_s"]
    out = tmp_path / "plain"
    assert invoke("export", "asterix", str(run_dir), "-o", str(out)).code == 0
    tod = decode_cat048((out / "cat048.ast").read_bytes(), "cat048.ast").tod_s
    assert tod.min() < 86_400.0 - 79_170.0  # (the run's own times: no offset)
