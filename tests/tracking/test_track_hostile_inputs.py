"""``iadsim track`` on hostile data: every bad column is one line naming file, column
and first bad row; output paths are checked before work; a full disk is one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from iadsim.cli.tracking_io import MAX_PAIRS_PER_SCAN, track_file
from iadsim.errors import IadsimError, InputDataError


def _polar(n: int = 6) -> dict[str, np.ndarray]:
    t = np.repeat(np.arange(n / 2), 2)
    return {
        "time": t,
        "range": np.full(n, 20e3),
        "azimuth": np.full(n, 0.3),
        "elevation": np.full(n, 0.05),
        "sensor": np.zeros(n, dtype=np.int64),
    }


def _write(tmp: Path, cols: dict[str, object], name: str = "det.parquet") -> Path:
    p = tmp / name
    pq.write_table(pa.table(cols), p)
    return p


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    f = tmp_path / "tracker.yaml"
    f.write_text(
        "sensors: {0: {e_m: 0, n_m: 0, u_m: 10, sigma_range_m: 30, "
        "sigma_az_deg: 0.2, sigma_el_deg: 0.2}}\n"
    )
    return f


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("range", np.nan, "det.parquet: range: row 2: not finite (got nan)"),
        ("range", np.inf, "det.parquet: range: row 2: not finite (got inf)"),
        ("range", -5.0, "det.parquet: range: row 2: out of range [0, 1e+08] (got -5)"),
        ("elevation", 3.0, "det.parquet: elevation: row 2: out of range"),
        ("sensor", 7, "det.parquet: sensor: row 2: sensor 7 is not in the config sensors"),
        (
            "sensor",
            0.5,
            "det.parquet: sensor: row 2: not a sensor id, a whole number >= 0 (got 0.5)",
        ),
        (
            "sensor",
            1e30,
            "det.parquet: sensor: row 2: not a sensor id, a whole number >= 0 (got 1e+30)",
        ),
        # a negative id was taken as one more sensor (a tracking engineer's find)
        (
            "sensor",
            -5.0,
            "det.parquet: sensor: row 2: not a sensor id, a whole number >= 0 (got -5)",
        ),
        ("time", np.nan, "det.parquet: time: row 2: not finite"),
    ],
)
def test_bad_polar_values_name_file_column_row(
    tmp_path: Path, cfg: Path, column: str, value: float, expected: str
) -> None:
    cols = _polar()
    arr = np.asarray(cols[column], dtype=float if isinstance(value, float) else None).copy()
    arr[2] = value
    cols[column] = arr
    with pytest.raises(InputDataError) as err:
        track_file(_write(tmp_path, cols), tmp_path / "out.parquet", cfg)
    assert str(err.value).startswith(expected), str(err.value)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "out.parquet").exists()


def test_zero_rows_strings_and_bad_sigma(tmp_path: Path, cfg: Path) -> None:
    empty = {k: v[:0] for k, v in _polar().items()}
    with pytest.raises(InputDataError, match=r"^det.parquet: no detections"):
        track_file(_write(tmp_path, empty), tmp_path / "o.parquet", cfg)
    text = _polar() | {"range": np.array(["20000"] * 6)}
    with pytest.raises(
        InputDataError, match=r"^det.parquet: range: must be numeric \(got string\)"
    ):
        track_file(_write(tmp_path, text), tmp_path / "o.parquet", cfg)
    cart = {"time": np.arange(4.0), "x": np.zeros(4), "y": np.zeros(4), "sigma": [1.0, 0, 1, 1]}
    with pytest.raises(InputDataError, match=r"^det.parquet: sigma: row 1: out of range"):
        track_file(_write(tmp_path, cart), tmp_path / "o.parquet", None)


def test_non_utf8_and_bomb_tracker_configs(tmp_path: Path) -> None:
    det = _write(tmp_path, _polar())
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"motion: caf\xe9\n")
    with pytest.raises(IadsimError, match=r"^latin.yaml: not UTF-8 text"):
        track_file(det, tmp_path / "o.parquet", bad)
    deep = tmp_path / "deep.yaml"
    deep.write_text("motion: " + "[" * 400 + "]" * 400 + "\n")
    with pytest.raises(IadsimError, match=r"^deep.yaml:1:\d+: .*nested deeper"):
        track_file(det, tmp_path / "o.parquet", deep)


def test_dense_scan_refused_before_memory_blows(tmp_path: Path) -> None:
    n = int(np.sqrt(MAX_PAIRS_PER_SCAN)) + 10
    rng = np.random.default_rng(1)
    cols = {"time": np.zeros(n), "x": rng.uniform(0, 100, n), "y": rng.uniform(0, 100, n),
            "sigma": np.full(n, 5.0)}  # fmt: skip
    with pytest.raises(InputDataError, match=r"det.parquet: time: row 0: scan at t=0 s has"):
        track_file(_write(tmp_path, cols), tmp_path / "o.parquet", None)


def test_output_paths_checked_before_work(tmp_path: Path, cfg: Path) -> None:
    det = _write(tmp_path, _polar())
    (tmp_path / "afile").write_text("x")
    for out, expected in (
        (tmp_path / "missing" / "o.parquet", "does not exist"),
        (tmp_path, "is a directory"),
        (tmp_path / "afile" / "o.parquet", "is a file, not a folder"),
    ):
        with pytest.raises(IadsimError, match=expected) as err:
            track_file(det, out, cfg)
        assert str(err.value).startswith(f"--output {out}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE")
def test_full_disk_is_one_line_and_leaves_no_partial_file(tmp_path: Path, cfg: Path) -> None:
    det = _write(tmp_path, _polar(400))
    out = tmp_path / "out.parquet"
    script = textwrap.dedent(
        f"""
        import resource, signal
        from pathlib import Path
        from iadsim.cli.tracking_io import track_file
        from iadsim.errors import IadsimError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))
        try:
            track_file(Path({str(det)!r}), Path({str(out)!r}), Path({str(cfg)!r}))
        except IadsimError as err:
            print(err)
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    line = res.stdout.strip()
    assert line.startswith(f"{out}: cannot write (file too large") and "\n" not in line
    assert "no tracks file written" in line
    assert not out.exists() and not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
