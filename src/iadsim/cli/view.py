"""``iadsim view RUN_DIR``: serve a run's report on 127.0.0.1 and open a browser.

The server (:func:`make_server`) serves the files of one directory and nothing
else: GET/HEAD only; the URL path is decoded once and must name a regular file
inside the directory after resolving symlinks (``..`` segments, absolute or
drive paths, NUL bytes and symlinks leaving the directory are refused with 404
or 400); request lines over 2 KiB (414), requests with a body or more than 32
headers (413/431) are refused. It binds the loopback interface unless
``--host`` says otherwise, on a free port unless ``--port`` is given. Responses
carry a Content-Security-Policy that forbids the page every network request.
"""

from __future__ import annotations

import http.server
import mimetypes
import threading
import urllib.parse
import webbrowser
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from iadsim.errors import IadsimError

out = Console()
MAX_REQUEST_LINE = 2048
MAX_HEADERS = 32
#: The report needs inline scripts and styles; everything else, network included, is refused.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'"
)


class RunDirHandler(http.server.BaseHTTPRequestHandler):
    """Serves the files of ``self.server.root`` (a resolved directory) read-only."""

    server_version = "iadsim-view"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the console shows the URL, not every request."""

    def _refuse(self, code: int, why: str) -> None:
        self.send_error(code, why)

    def parse_request(self) -> bool:
        """Refuse over-long request lines before the standard parsing."""
        if len(getattr(self, "raw_requestline", b"")) > MAX_REQUEST_LINE:
            self.requestline, self.request_version, self.command = "", "HTTP/1.1", "GET"
            self._refuse(414, "request line too long")
            return False
        if not super().parse_request():
            return False
        if len(self.headers) > MAX_HEADERS:
            self._refuse(431, "too many headers")
            return False
        if int(self.headers.get("Content-Length", "0") or 0) > 0:
            self._refuse(413, "request bodies are not accepted")
            return False
        return True

    def resolve(self) -> Path | None:
        """The file a request names, or None (after sending the error)."""
        raw = urllib.parse.urlsplit(self.path).path
        rel = urllib.parse.unquote(raw, errors="strict")
        if rel in ("", "/"):
            rel = "/report.html"
        parts = rel.split("/")[1:]
        bad = (
            not rel.startswith("/")
            or "\x00" in rel
            or "\\" in rel
            or rel.startswith("//")
            or any(p in ("", ".", "..") for p in parts)
            or ":" in parts[0]
        )
        if bad:
            self._refuse(400, "bad path")
            return None
        root: Path = self.server.root  # type: ignore[attr-defined]
        target = root.joinpath(*parts).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            self._refuse(404, "not found")
            return None
        return target

    def _send(self, head_only: bool) -> None:
        target = self.resolve()
        if target is None:
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = target.read_bytes()
        self.send_response(200)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else "")
        )
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def do_GET(self) -> None:
        """Send a file of the run directory."""
        self._send(head_only=False)

    def do_HEAD(self) -> None:
        """Headers only."""
        self._send(head_only=True)

    def _no(self) -> None:
        self._refuse(405, "read-only server")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _no


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0) -> http.server.HTTPServer:
    """A threading HTTP server for ``root`` (port 0: a free port; see ``server_address``)."""
    server = http.server.ThreadingHTTPServer((host, port), RunDirHandler)
    server.root = root.resolve()  # type: ignore[attr-defined]
    server.daemon_threads = True
    return server


def view_command(
    run_dir: Annotated[Path, typer.Argument(help="run directory (report.html made if missing)")],
    port: Annotated[int, typer.Option(help="TCP port (default: a free one)")] = 0,
    host: Annotated[
        str, typer.Option(help="interface to bind; anything but loopback exposes the run")
    ] = "127.0.0.1",
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="open a browser")] = True,
) -> None:
    """Serve a run's report over HTTP on this machine and open it in a browser.

    Serves only the files of RUN_DIR, read-only, until Ctrl-C. The report is
    written first if the directory has none (needs iadsim[report]).

    Examples:

      iadsim view runs/s400-vs-mixed-raid-20260101T120000Z

      iadsim view runs/my-raid --port 8765 --no-browser
    """
    if not (run_dir / "summary.json").is_file() and not (run_dir / "report.html").is_file():
        raise IadsimError(f"{run_dir}: not a run directory (no summary.json)")
    if not 0 <= port <= 65535:
        raise IadsimError(f"--port: must be 0..65535 (got {port})")
    if not (run_dir / "report.html").is_file():
        from iadsim.cli.report import write_report

        write_report(run_dir)
    try:
        server = make_server(run_dir, host, port)
    except OSError as err:
        raise IadsimError(f"--host {host} --port {port}: cannot listen: {err}") from err
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    url = f"http://{bound_host}:{bound_port}/report.html"
    out.print(f"serving {run_dir} at {url} (Ctrl-C to stop)", soft_wrap=True)
    if browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add ``view`` to the app."""
    app.command("view")(view_command)
