"""Command-line interface: a Typer app whose commands live in submodules.

Each submodule defines ``register(app)`` adding its commands; this module only
assembles them and maps :class:`iadsim.errors.IadsimError` and usage errors to one
line + exit 2. Command modules import only ``typer``/``rich`` at module level (the
stack is imported inside the commands), so ``iadsim --help`` and error paths start
fast (``bench/bench_startup.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from iadsim import __version__

app = typer.Typer(
    name="iadsim",
    rich_markup_mode=None,
    help="Ground-based air-defense simulation: radars, tracking, C2, engagements, campaigns.\n\n"
    "Start with: iadsim run (the default preset), iadsim presets, iadsim COMMAND --help.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"iadsim {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Ground-based air-defense simulation: radars, tracking, C2, engagements, campaigns."""


#: Command modules, each with ``register(app)``; order is the order in ``--help``.
COMMAND_MODULES = (
    "run",
    "coverage",
    "track",
    "score",
    "replay_info",
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


def _click_errors() -> tuple[type[Exception], type[Exception]]:
    """(base of usage errors, Abort) of the Click that Typer uses (vendored from 0.16)."""
    base: type[Exception] | None = getattr(typer, "TyperException", None)
    if base is None:  # pragma: no cover - older Typer on top of Click
        from click.exceptions import ClickException

        base = ClickException
    return base, typer.Abort


def _usage_line(exc: Exception) -> str:
    """One line for a Click usage error: ``error: iadsim run: --seed: ...``."""
    ctx = getattr(exc, "ctx", None)
    where = f"{ctx.command_path}: " if ctx is not None else ""
    message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    return f"error: {where}{message}{hint}"


def _command_names(group: typer.Typer) -> list[str]:
    names = [
        c.name or (c.callback.__name__ if c.callback else "") for c in group.registered_commands
    ]
    return names + [g.name or "" for g in group.registered_groups]


def _unknown_command(argv: list[str]) -> str | None:
    """The one-line error of an unknown command name, checked before Typer parses anything
    (its parameter machinery imports pydantic: a typo answers in half the time)."""
    if not argv or argv[0].startswith("-"):
        return None
    names = _command_names(app)
    if argv[0] in names or not all(names):
        return None
    import difflib

    close = difflib.get_close_matches(argv[0], names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"error: iadsim: no such command '{argv[0]}'{hint} (see iadsim --help)"


def main() -> None:
    """Run the CLI (``sys.argv``): errors become one line on stderr and exit 2.

    An :class:`IadsimError` (bad scenario, file, option value, missing extra) and a
    usage error (unknown command or option, value out of range, not a number) both
    print ``error: ...`` and exit with code 2; Ctrl-C exits with 130.
    """
    from iadsim.errors import IadsimError

    if sys.argv[1:] == ["--version"]:  # answered before Typer builds its parameters
        print(f"iadsim {__version__}")
        raise SystemExit(0)
    unknown = _unknown_command(sys.argv[1:])
    if unknown is not None:
        print(unknown, file=sys.stderr)
        raise SystemExit(2)
    click_error, abort = _click_errors()
    try:
        code = app(standalone_mode=False)
    except IadsimError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except click_error as err:
        if type(err).__name__ != "NoArgsIsHelpError":  # that one has printed the help
            print(_usage_line(err), file=sys.stderr)
        raise SystemExit(getattr(err, "exit_code", 2) or 2) from None
    except abort:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)  # as Typer's standalone mode


def entry() -> None:
    """Entry point of the ``iadsim`` console script and ``python -m iadsim`` (:func:`main`)."""
    main()
