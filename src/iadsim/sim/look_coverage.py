"""What a radar's look covers, as the tracker's ``observed`` predicate."""

from __future__ import annotations

import numpy as np

from iadsim.sensors.radar import Radar
from iadsim.tracking.looks import Observed, visible_from

__all__ = ["observed_by"]


def observed_by(radar: Radar) -> Observed:
    """Tracks within ``radar``'s instrumented range and azimuth coverage (a look of a
    sector view: its own sector): the tracks its look could have detected, the only
    ones charged a miss by it."""
    p = radar.params
    full = p.az_width_rad >= 2 * np.pi - 1e-9
    half = p.az_width_rad / 2
    return visible_from(
        np.asarray(radar.pos_m),
        max_range_m=p.instrumented_range_m,
        az_min_rad=None if full else radar.az_center_rad - half,
        az_max_rad=None if full else radar.az_center_rad + half,
    )
