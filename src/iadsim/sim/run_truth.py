"""Truth as one run reads it: per time for cues, intercepts and attribution, per look
for the radars (only the looks whose wedge a target may reach read states at all).

:class:`RunTruth` holds the run's kill times (a view of the pipeline's array: a kill
or a leak is a write there, then :meth:`RunTruth.forget`) and keeps the states of the
last few times asked (a look reads the times its sector starts and ends; the next
look of that radar starts where it ended). With a truth table
(:class:`~iadsim.truth.TruthTable`) a look's states are its blocks, and the sectors a
target may light are known per radar and table window
(:func:`~iadsim.sensors.scan.sectors_reached`): a look none of them reaches returns
no rows without interpolating any state.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Truth
from iadsim.sensors.radar import Radar
from iadsim.sensors.scan import illuminated_states, sectors_reached
from iadsim.truth import TruthModel, TruthTable
from iadsim.truth.model import STATE_COLUMNS

if TYPE_CHECKING:
    from iadsim.scenario.compile import World

__all__ = ["TRUTH_TABLE_DT_S", "RunTruth", "truth_table_for"]

#: Truth is tabulated on this grid (see :class:`iadsim.truth.TruthTable`: windows
#: computed on first use for the threats alive in them, at any raid size).
TRUTH_TABLE_DT_S = 0.25


def truth_table_for(world: World) -> TruthTable:
    """The truth table of a run (per-dwell lookups)."""
    return TruthTable.build(world.truth, world.duration_s, TRUTH_TABLE_DT_S)


Block = tuple[NDArray[np.float64], NDArray[np.bool_]]


@dataclasses.dataclass
class RunTruth:
    """The run's truth reads (module doc).

    ``kill_time_s`` (n,): the run's kill (or arrival) times, written by the pipeline;
    ``keep``: times kept (twice the radars and 4: looks of every radar read the times
    around now); ``stage_time_s``: the pipeline's timings (``truth`` is added to).
    """

    model: TruthModel
    table: TruthTable | None
    kill_time_s: NDArray[np.float64]
    keep: int
    stage_time_s: dict[str, float]
    _frames: dict[float, Truth] = dataclasses.field(default_factory=dict)
    _blocks: dict[float, Block] = dataclasses.field(default_factory=dict)
    _reached: dict[tuple[int, int], NDArray[np.bool_]] = dataclasses.field(default_factory=dict)

    def forget(self) -> None:
        """Drop the states kept (``kill_time_s`` changed)."""
        self._frames.clear()
        self._blocks.clear()

    def at(self, t_s: float) -> Truth:
        """States of all threats at ``t_s`` with kills and leaks applied."""
        cached = self._frames.get(t_s)
        if cached is not None:
            return cached
        if self.table is None:
            t0 = time.perf_counter()
            truth = self.model.states(t_s, self.kill_time_s)
            self._timed(t0)
        else:
            truth = self.table.frame(t_s, *self.block(t_s))
        self._kept(self._frames, t_s, truth)
        return truth

    def block(self, t_s: float) -> Block:
        """:meth:`at` as arrays: states (7, n) (``STATE_COLUMNS``) and alive (n,)."""
        cached = self._blocks.get(t_s)
        if cached is not None:
            return cached
        if self.table is None:
            truth = self.at(t_s)
            block = np.array([getattr(truth, c) for c in STATE_COLUMNS]), truth.alive
        else:
            t0 = time.perf_counter()
            block = self.table.block(t_s, self.kill_time_s)
            self._timed(t0)
        self._kept(self._blocks, t_s, block)
        return block

    def lit(self, radar_id: int, views: list[Radar], k: int, t_a: float, t_b: float) -> Truth:
        """Truth of the look of sector ``k`` (``views[k]``) over ``[t_a, t_b]``
        (:func:`illuminated_states`).

        With a truth table, a look none of whose (one or two adjacent) windows holds a
        target box that reaches its wedge (:func:`sectors_reached`, per radar and
        window) lights nothing, without reading any states (most looks of a small
        raid)."""
        table = self.table
        if table is not None:
            w_a, w_b = table.window_of(t_a), table.window_of(t_b)
            if w_b - w_a <= 1 and not (
                self._reach(table, radar_id, views, w_a)[k]
                or self._reach(table, radar_id, views, w_b)[k]
            ):
                return Truth.empty()
            ids = table.threat_id
        else:
            ids = np.arange(self.model.n_threats, dtype=np.int64)
        return illuminated_states(views[k], self.block(t_a), self.block(t_b), ids, t_a, t_b)

    def _reach(
        self, table: TruthTable, radar_id: int, views: list[Radar], w: int
    ) -> NDArray[np.bool_]:
        """:func:`sectors_reached` (n_sectors,) of the targets of ``table``'s window ``w``
        (kept for the windows in use)."""
        got = self._reached.get((radar_id, w))
        if got is None:
            t0 = time.perf_counter()
            got = sectors_reached(views, table.extent(w)[None])[0]
            self._timed(t0)
            if len(self._reached) >= 3 * self.keep:
                self._reached.pop(next(iter(self._reached)))
            self._reached[(radar_id, w)] = got
        return got

    def _timed(self, t0: float) -> None:
        """Add the time since ``t0`` to the ``truth`` stage."""
        self.stage_time_s["truth"] = self.stage_time_s.get("truth", 0.0) + time.perf_counter() - t0

    def _kept(self, cache: dict[float, Any], t_s: float, value: Any) -> None:
        """Keep ``value`` at ``t_s`` in ``cache`` (the oldest time goes beyond ``keep``)."""
        if len(cache) > self.keep:
            cache.pop(next(iter(cache)))
        cache[t_s] = value
