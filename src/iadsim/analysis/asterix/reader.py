"""``iadsim track FILE --radar-sites SITES.yaml``: CAT048 plots as iadsim detections."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from iadsim.analysis.asterix.cat048 import decode_cat048
from iadsim.analysis.asterix.sites import load_sites, plots_to_detections
from iadsim.errors import InputDataError
from iadsim.frames import Detections

__all__ = ["MAX_FILE_BYTES", "read_cat048_detections"]

#: Largest ASTERIX file read (about 20 million plots).
MAX_FILE_BYTES = 512 * 2**20


def read_cat048_detections(
    path: Path,
    sites_path: Path,
    *,
    dims: int,
    note: Callable[[str], None],
    skip_bad: bool = False,
) -> Detections:
    """Decode a raw CAT048 recording and place its plots with the radar sites.

    Detections are in the sites' ENU frame (its ``origin``, else the first radar),
    time-sorted, with each radar's sigmas; data blocks of other categories are
    skipped and counted through ``note``; so are bad records with ``skip_bad``
    (else the first one is a one-line error).
    """
    sites = load_sites(sites_path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputDataError(
                f"{path.name}: {size:,} bytes is above the {MAX_FILE_BYTES:,}-byte limit"
            )
        data = path.read_bytes()
    except OSError as err:
        raise InputDataError(f"{path.name}: cannot read ({err.strerror or err})") from err
    if not data:
        raise InputDataError(f"{path.name}: empty file")
    plots = decode_cat048(data, path.name, skip_bad=skip_bad)
    if plots.n_bad:
        note(f"note: {path.name}: skipped {plots.n_bad:,} bad records or blocks "
             f"({plots.size:,} plots read); first: {plots.first_bad}")  # fmt: skip
    if plots.skipped_blocks:
        counts = ", ".join(f"CAT{c:03d}: {n:,}" for c, n in sorted(plots.skipped_blocks.items()))
        note(f"note: {path.name}: skipped data blocks of other categories ({counts})")
    dets, _ = plots_to_detections(plots, sites, path.name, dims=dims)
    return dets
