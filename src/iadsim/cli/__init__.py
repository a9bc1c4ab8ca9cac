"""Command-line interface: a Typer app whose commands live in submodules.

Each submodule defines ``register(app)`` adding its commands; this module only
assembles them and maps :class:`iadsim.errors.IadsimError` to one line + exit 2.
"""

from __future__ import annotations

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
    "run",
    "coverage",
    "track",
    "score",
    "campaign",
    "compare",
    "report",
    "view",
    "export",
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


def entry() -> None:
    """Entry point of the ``iadsim`` console script and ``python -m iadsim`` (:func:`main`)."""
    main()
