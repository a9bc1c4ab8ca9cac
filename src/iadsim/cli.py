"""Command-line interface (placeholder, filled in by the foundation work)."""


def main() -> None:
    """Entry point of the ``iadsim`` console script."""
