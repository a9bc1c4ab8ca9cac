"""Fail when a source module is longer than the project's limit (STYLE.md rule 8).

Usage: ``python tools/check_module_size.py [--max-lines N] [ROOT]`` (default:
400 lines, ``src/iadsim``). Prints every module over the limit, ``path: lines``,
and exits 1 if there is one, else prints nothing and exits 0. Modules listed in
``EXCEPTIONS`` may exceed the limit up to the given count while their owners
split them (each with the issue that will).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Modules allowed over the limit for now: path below the root -> max lines.
EXCEPTIONS: dict[str, int] = {}


def oversized(root: Path, max_lines: int) -> list[tuple[str, int]]:
    """(path below ``root``, line count) of every ``.py`` module over its limit."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > EXCEPTIONS.get(rel, max_lines):
            out.append((rel, n))
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", type=Path, default=Path("src/iadsim"))
    ap.add_argument("--max-lines", type=int, default=400)
    args = ap.parse_args(argv)
    bad = oversized(args.root, args.max_lines)
    for rel, n in bad:
        print(f"{args.root / rel}: {n} lines (limit {EXCEPTIONS.get(rel, args.max_lines)})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
