"""A run's large outputs, held compactly and materialised on demand.

The truth on the output grid is computed a chunk of times at a time
(:class:`TruthStates`), the track rows stay the tracker's frames (those of a long run
partly on disk, :mod:`iadsim.sim.spill`) with a mask of the rows kept
(:class:`TrackRows`) and the event log is kept as Arrow (text in UTF-8,
:func:`sorted_events_table`). The recorder streams them into Parquet a row group at
a time; :class:`~iadsim.sim.runner.RunResult` builds the whole frames only when a
caller asks for them. Each form gives exactly the rows (and file bytes) of the
whole frames built at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from iadsim.arrow import arrow_array, numpy_column
from iadsim.frames import Detections, Events, Tracks, Truth
from iadsim.numeric import last_per_time
from iadsim.sim.spill import SpilledTracks, loaded, pieces
from iadsim.truth import TruthModel

__all__ = ["TrackRows", "TruthStates", "sorted_events_table", "time_sorted"]

#: Rows of truth computed at once when streamed (:meth:`TruthStates.chunks`).
TRUTH_PART_ROWS = 131_072
#: Rows of track frames joined into one part when streamed (:meth:`TrackRows.chunks`).
TRACK_PART_ROWS = 65_536


@dataclasses.dataclass(frozen=True)
class TruthStates:
    """The run's truth on its output grid (``truth.parquet``), computed when asked:
    whole (:meth:`frame`) or a chunk of times at a time (:meth:`chunks`, memory
    bounded by a chunk), from the truth model and the run's final kill times."""

    model: TruthModel
    t_s: NDArray[np.float64]
    kill_time_s: NDArray[np.float64]

    def frame(self) -> Truth:
        """All rows (time-major), as ``model.states(t_s, kill_time_s)``."""
        return self.model.states(self.t_s, self.kill_time_s)

    def chunks(self) -> Iterator[Truth]:
        """The rows of :meth:`frame` in order, about :data:`TRUTH_PART_ROWS` at a time
        (a few times; at least one time whatever the number of threats)."""
        return self.model.state_chunks(self.t_s, self.kill_time_s, cells=TRUTH_PART_ROWS)


@dataclasses.dataclass(frozen=True)
class TrackRows:
    """``tracks.parquet``'s rows: the tracker's frames in output order and the rows
    kept, the last of each (time, track id) (looks of several radars at one instant
    each report a changed track; a change record keeps its state after all of them)."""

    parts: tuple[Tracks | SpilledTracks, ...]
    keep: NDArray[np.bool_]

    @classmethod
    def of(cls, parts: list[Tracks | SpilledTracks]) -> TrackRows:
        """The rows of ``parts`` (in order), the last row per (time, track id) kept."""
        t = np.concatenate([p.t_s for p in parts]) if parts else np.zeros(0)
        ids = np.concatenate([p.track_id for p in parts]) if parts else np.zeros(0, np.int64)
        return cls(tuple(parts), last_per_time(t, ids))

    def __len__(self) -> int:
        return int(self.keep.sum())

    def frame(self) -> Tracks:
        """All kept rows in order."""
        whole = Tracks.concat([loaded(p) for p in self.parts])
        return whole if self.keep.all() else whole.select(self.keep)

    def chunks(self) -> Iterator[Tracks]:
        """The rows of :meth:`frame` in order, in frames of fewer than twice
        :data:`TRACK_PART_ROWS` rows: parts are read and cut a piece of at most that
        many rows at a time, so memory is bounded whatever the size of a part."""
        start, stop, group = 0, 0, []
        for part in self.parts:
            for piece in pieces(part, TRACK_PART_ROWS):
                group.append(piece)
                stop += len(piece)
                if stop - start >= TRACK_PART_ROWS:
                    yield Tracks.concat(group).select(self.keep[start:stop])
                    start, group = stop, []
        if group or not stop:
            yield Tracks.concat(group).select(self.keep[start:stop])


def time_sorted(parts: list[Detections]) -> Detections:
    """The rows of ``parts`` joined in time order (stable: rows of one time keep their
    order), as ``Detections.concat(parts).select(argsort(t_s))`` gives them, built a
    column at a time; ``parts`` is emptied and each of its columns released once joined,
    so the rows are held about once, not twice."""
    if not parts:
        return Detections.empty()
    names = Detections.columns()
    columns = {name: [getattr(p, name) for p in parts] for name in names}
    parts.clear()
    order = np.argsort(np.concatenate(columns["t_s"]), kind="stable")
    joined = {}
    for name in names:
        joined[name] = np.concatenate(columns.pop(name))[order]
        joined[name].flags.writeable = False
    return Detections.from_trusted_columns(joined)


def sorted_events_table(parts: list[pa.Table]) -> pa.Table:
    """``events.parquet``: the event log's Arrow parts (append order) joined and put in
    time order (stable: events of one instant keep their order).

    As ``concat_tables(parts).take(order)``, a column at a time: ``parts`` is emptied
    and each of its columns released once taken (the log is held about once)."""
    if not parts:
        parts.append(Events.empty().to_arrow())
    schema = parts[0].schema
    columns = {name: [t.column(name) for t in parts] for name in schema.names}
    parts.clear()
    t_s = pa.chunked_array([c for col in columns["t_s"] for c in col.chunks], pa.float64())
    order = arrow_array(np.argsort(numpy_column(t_s), kind="stable"))
    del t_s
    taken_columns = []
    for field in schema:
        col = pa.chunked_array([c for cc in columns.pop(field.name) for c in cc.chunks], field.type)
        taken_columns.append(col.take(order))  # numpy in or out would import pandas
    return pa.Table.from_arrays(taken_columns, schema=schema)
