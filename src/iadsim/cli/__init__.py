"""Command-line interface: a Typer app whose commands live in submodules.

Each submodule defines ``register(app)`` adding its commands; this module only
assembles them and maps :class:`iadsim.errors.IadsimError` to one line + exit 2.
"""

from __future__ import annotations

import os
import sys

import typer

app = typer.Typer(
    name="iadsim",
    help="Ground-based air-defense simulation: radars, tracking, C2, engagements, campaigns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Command modules, each with ``register(app)``; order is the order in ``--help``.
COMMAND_MODULES = (
    "run", "coverage", "track", "score", "campaign", "compare", "report", "view", "export",
)


def _register_all() -> None:
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"iadsim.cli.{name}")
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name != f"iadsim.cli.{name}":
                raise
            continue
        module.register(app)


_register_all()


def main() -> None:
    """Run the CLI (``sys.argv``); an :class:`IadsimError` becomes one line and exit 2."""
    from iadsim.errors import IadsimError

    try:
        app()
    except IadsimError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


#: Commands after whose success the process exits without interpreter teardown.
FAST_EXIT_COMMANDS = ("run",)


def entry() -> None:
    """Entry point of the ``iadsim`` console script and ``python -m iadsim``.

    :func:`main`; then, after a successful ``iadsim run``, the process ends at once
    (``os._exit``) instead of tearing the interpreter down, which frees ~1,000
    modules and their arrays one by one (~0.1 s of a 2 s command). By then every
    file of the run directory is written, closed and renamed into place, the
    thread pools are joined, and the output streams are flushed here. Under a
    profiler or a coverage tool (a trace or profile function is set) the process
    ends normally, so their atexit reports are written.
    """
    fast = len(sys.argv) > 1 and sys.argv[1] in FAST_EXIT_COMMANDS
    # a profiler or coverage tool reports from atexit: let the interpreter end normally
    fast = fast and sys.gettrace() is None and sys.getprofile() is None
    try:
        main()
    except SystemExit as done:
        if fast and done.code in (None, 0):
            _exit_now()
        raise
    if fast:
        _exit_now()


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to deliver
            pass
    os._exit(0)
