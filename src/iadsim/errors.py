"""Exception types users see.

Every error a user can cause is one of these, with a one-line message that names
the file and the field path (``raid.yaml: threats[2].route[0].alt_m: must be >= 0``).
The CLI prints the message on stderr and exits with code 2.
"""

from __future__ import annotations


class IadsimError(Exception):
    """Base class of all user-facing iadsim errors (the message is always one line:
    line breaks from user input, e.g. a file name, are shown escaped)."""

    def __str__(self) -> str:
        text = super().__str__()
        if "\n" in text or "\r" in text:
            return text.replace("\r", "\\r").replace("\n", "\\n")
        return text


class ScenarioError(IadsimError):
    """A scenario, catalog or configuration file is invalid."""


class InputDataError(IadsimError):
    """An input data file (Parquet/CSV of detections, tracks, truth) is invalid."""


class NumericalError(IadsimError):
    """A numerical kernel met an input it cannot handle (e.g. non-PSD covariance)."""


def located(file: str | None, path: str, message: str) -> str:
    """Format a one-line error: ``file: path: message`` (parts omitted when empty)."""
    parts = [p for p in (file, path, message) if p]
    return ": ".join(parts)
