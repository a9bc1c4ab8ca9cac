"""``python -m iadsim`` entry point."""

from iadsim.cli import entry

entry()
