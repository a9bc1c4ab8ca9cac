"""Looks waiting for the tracker (:meth:`iadsim.sim.pipeline.Pipeline.flush`), and what
is booked after each.

A look's tracker result is read only when an event reads the picture, so looks wait
and reach the tracker together (:mod:`iadsim.tracking.wave`). What is written about a
waiting look's result (a cue dwell's "acquired" event) waits with it as a *note*, run
when the look is booked: the frames come out in the order of one-by-one processing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from iadsim.frames import Truth
from iadsim.sensors.radar import Radar
from iadsim.tracking.wave import Look, LookResult

__all__ = ["Note", "Waiting", "Wave"]

#: Booked after its look, with the look's result.
Note = Callable[[LookResult], None]


@dataclasses.dataclass
class Waiting:
    """One waiting look: its radar, the look, its truth (read only if the evaluation
    needs it) and the notes booked after it."""

    radar: Radar
    look: Look
    truth: Callable[[], Truth]
    notes: list[Note] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Wave:
    """The looks waiting for the tracker, in their order (at most ``max_looks``)."""

    max_looks: int
    items: list[Waiting] = dataclasses.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, radar: Radar, look: Look, truth: Callable[[], Truth], *notes: Note) -> bool:
        """Queue ``look`` of ``radar`` (``notes`` run after it is booked); whether the
        wave is full (to hand over now)."""
        self.items.append(Waiting(radar, look, truth, list(notes)))
        return len(self.items) >= self.max_looks

    def take(self) -> list[Waiting]:
        """The waiting looks, in order; the wave is empty after."""
        items, self.items = self.items, []
        return items
