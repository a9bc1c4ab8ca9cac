"""Event-driven simulation engine: a time-ordered queue of callbacks.

Stages schedule their own events (radar dwells at their revisit times, C2
cycles, intercepts at their predicted times). Events at equal times run in
``priority`` order, then in the order they were scheduled, so a run is
deterministic.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

#: Priorities for events at the same instant (lower runs first).
PRIORITY_INTERCEPT = 0
PRIORITY_LEAK = 1
PRIORITY_DWELL = 2
PRIORITY_C2 = 3
PRIORITY_LAUNCH = 4  # after the C2 cycle of the same instant (handovers done)

Action = Callable[[float], None]


class Engine:
    """A discrete-event loop over ``[0, end_s]``.

    ``schedule(t_s, action)`` queues ``action(t_s)``; events after ``end_s`` are
    dropped. ``run()`` pops events in (time, priority, sequence) order.
    """

    def __init__(self, end_s: float) -> None:
        self.end_s = float(end_s)
        self.now_s = 0.0
        self.n_events = 0
        self._queue: list[tuple[float, int, int, Action]] = []
        self._seq = itertools.count()

    def schedule(self, t_s: float, action: Action, priority: int = 0) -> None:
        """Queue ``action`` at ``t_s`` (not before now; after ``end_s`` it is dropped)."""
        if t_s < self.now_s:
            raise ValueError(f"cannot schedule in the past ({t_s} < {self.now_s})")
        if t_s <= self.end_s:
            heapq.heappush(self._queue, (float(t_s), priority, next(self._seq), action))

    def every(self, start_s: float, period_s: float, action: Action, priority: int = 0) -> None:
        """Run ``action`` at ``start_s``, ``start_s + period_s``, ... until the end."""
        if period_s <= 0:
            raise ValueError("period_s must be > 0")

        def tick(t_s: float) -> None:
            action(t_s)
            self.schedule(t_s + period_s, tick, priority)

        self.schedule(start_s, tick, priority)

    def run(self, progress: Callable[[float], None] | None = None) -> None:
        """Process events until the queue is empty; ``progress(t_s)`` after each."""
        while self._queue:
            t_s, _, _, action = heapq.heappop(self._queue)
            self.now_s = t_s
            action(t_s)
            self.n_events += 1
            if progress is not None:
                progress(t_s)
        self.now_s = self.end_s
