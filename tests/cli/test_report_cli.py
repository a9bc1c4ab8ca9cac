"""``iadsim report``, ``view`` (over HTTP on loopback), ``export acmi`` and ``run --report``."""

from __future__ import annotations

import http.client
import importlib.util
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.cli.view import make_server

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    res = runner.invoke(app, ["run", "--out", str(out), "--quiet", "--report"])
    assert res.exit_code == 0, res.output
    assert "report:" in res.output and (out / "report.html").is_file()
    return out


def test_report_writes_html_and_publication_figures(run_dir: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "report",
            str(run_dir),
            "-o",
            str(tmp_path / "r.html"),
            "--png",
            str(tmp_path / "png"),
            "--rcs",
            "0.1",
            "--alt-m",
            "500",
        ],
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text()
    assert "<script src" not in html and "https://" not in html.split("<script>")[0]
    assert "0.1 m\\u00b2 at 500 m" in html
    units = {
        "map": "east (km)",
        "timeline": "time (s)",
        "range_vs_rcs": "RCS (m²)",
        "gospa": "GOSPA term (m)",
        "spent": "rounds launched",
        "magazine": "rounds left",
        "vertical_0": "ground range (km)",
    }
    for name, label in units.items():
        png = mpimg.imread(tmp_path / "png" / f"{name}.png")
        assert png.shape[1] >= 1000 and png[..., :3].std() > 0.02  # 300 dpi, not blank
        svg = (tmp_path / "png" / f"{name}.svg").read_text()
        assert "<svg" in svg and label in svg


def test_report_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iadsim.cli import main

    res = runner.invoke(app, ["report", str(tmp_path)])
    assert res.exit_code != 0
    monkeypatch.setattr("sys.argv", ["iadsim", "report", str(tmp_path)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "plotly" else real(n, *a)
    )
    monkeypatch.setattr("sys.argv", ["iadsim", "report", str(tmp_path)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2


def test_missing_extra_names_the_install_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from iadsim.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "plotly" else real(n, *a)
    )
    monkeypatch.setattr("sys.argv", ["iadsim", "run", "--report", "--out", str(tmp_path / "r")])
    with pytest.raises(SystemExit):
        main()
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'iadsim[report]'" in err
    assert not (tmp_path / "r").exists()  # refused before running


def test_export_acmi_cli(run_dir: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", "acmi", str(run_dir), "-o", str(tmp_path / "x.acmi")])
    assert res.exit_code == 0, res.output
    assert (
        (tmp_path / "x.acmi")
        .read_text()
        .startswith("FileType=text/acmi/tacview\nFileVersion=2.2\n")
    )


@pytest.fixture
def served(run_dir: Path, tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    root = tmp_path / "served"
    shutil.copytree(run_dir, root)
    (tmp_path / "secret.txt").write_text("outside")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "inside.txt").symlink_to(root / "summary.json")
    server = make_server(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    assert host == "127.0.0.1" and port > 0
    yield host, port, root
    server.shutdown()
    server.server_close()


def _get(
    host: str, port: int, path: str, method: str = "GET", body: bytes | None = None
) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data, dict(resp.getheaders())


def test_view_serves_the_run_and_nothing_else(served: tuple[str, int, Path]) -> None:
    host, port, root = served
    status, data, headers = _get(host, port, "/report.html")
    assert status == 200 and data == (root / "report.html").read_bytes()
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert _get(host, port, "/")[0] == 200
    assert _get(host, port, "/summary.json")[0] == 200
    assert _get(host, port, "/inside.txt")[0] == 200  # a symlink within the directory
    for path in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/escape.txt",
        "/C:/Windows/win.ini",
        "/a%00b",
        "/nope.html",
        "/%2fetc%2fpasswd",
        "/.%2e/secret.txt",
    ):
        status, data, _ = _get(host, port, path)
        assert status in (400, 404), path
        assert b"outside" not in data and b"root:" not in data
    assert _get(host, port, "/report.html", "POST", b"x")[0] in (405, 413)
    assert _get(host, port, "/report.html", "PUT")[0] == 405
    assert _get(host, port, "/" + "a" * 5000)[0] == 414


def test_view_refuses_bodies_and_header_floods(served: tuple[str, int, Path]) -> None:
    host, port, _root = served
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"GET /report.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        assert b" 413 " in s.recv(200)
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(
            b"GET /report.html HTTP/1.1\r\n"
            + b"".join(b"X-%d: y\r\n" % i for i in range(50))
            + b"\r\n"
        )
        assert b" 431 " in s.recv(200)


TINY = """
name: tiny
origin: {lat_deg: 39.95, lon_deg: 32.69, alt_m: 840}
simulation: {duration_s: 200, seed: 3, truth_step_s: 5.0}
terrain: {kind: none}
sites:
  - {name: base, lat_deg: 39.95, lon_deg: 32.69, alt_m: 840}
threats:
  - name: cm
    type: cruise-missile-class
    launch_time_s: 10
    target_site: base
    route:
      - {lat_deg: 40.30, lon_deg: 32.69, alt_m: 100}
      - {lat_deg: 39.95, lon_deg: 32.69, alt_m: 100, speed_mps: 240}
"""


def test_a_run_without_radars_or_batteries_still_reports(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY)
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(tmp_path / "tiny.yaml"), "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(out), "--png", str(tmp_path / "png")])
    assert res.exit_code == 0, res.output
    assert "defended sites" in (out / "report.html").read_text()
    res = runner.invoke(app, ["export", "acmi", str(out)])
    assert res.exit_code == 0, res.output
    text = (out / "run.acmi").read_text()
    assert text.count("Coalition=Enemies") == 1 and text.count("Type=Ground") == 1
