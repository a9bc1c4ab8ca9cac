"""``python -m iadsim`` entry point."""

from iadsim.cli import main

main()
