"""Track rows of a long run kept on disk while it runs (bounded memory at any raid size).

The tracker's change record grows with threats x duration (1.2 M rows, 300 MB of
floats at 5,000 threats). :class:`TrackParts` holds the run's joined track frames;
past :data:`TRACK_SPILL_ROWS` rows held, each further part goes to a temporary
Parquet file (one row group a part) and only its times and track ids stay in memory
(what :class:`~iadsim.sim.outputs.TrackRows` needs to choose the rows kept). A
spilled part is read back whole, with the same columns and bits, when the rows are
asked for (streaming ``tracks.parquet``, or :attr:`RunResult.tracks`). The temporary
directory goes when the parts are no longer referenced.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import NDArray

from iadsim.frames import Tracks

__all__ = ["TRACK_SPILL_ROWS", "SpilledTracks", "TrackParts"]

#: Track rows held in memory before further parts go to a temporary file.
TRACK_SPILL_ROWS = 262_144


class _SpillFile:
    """A temporary Parquet file written a part (row group) at a time, then read."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="iadsim-tracks-")
        self.path = Path(self._dir.name) / "tracks.parquet"
        self._writer: pq.ParquetWriter | None = None
        self.n_groups = 0

    def write(self, part: Tracks) -> int:
        """Append ``part`` as one row group; returns its index."""
        table = part.to_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=max(len(part), 1))
        self.n_groups += 1
        return self.n_groups - 1

    def read(self, group: int) -> Tracks:
        """The part written as row group ``group`` (the file is closed first)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return Tracks.from_arrow(pq.ParquetFile(self.path).read_row_group(group))


@dataclasses.dataclass(frozen=True)
class SpilledTracks:
    """A part on disk: its times and track ids in memory, the rest read on demand."""

    file: _SpillFile
    group: int
    t_s: NDArray[np.float64]
    track_id: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def load(self) -> Tracks:
        """The part's rows, as they were written."""
        return self.file.read(self.group)


@dataclasses.dataclass
class TrackParts:
    """A run's joined track frames in output order, spilled past ``limit_rows`` held."""

    limit_rows: int = dataclasses.field(default_factory=lambda: TRACK_SPILL_ROWS)
    parts: list[Tracks | SpilledTracks] = dataclasses.field(default_factory=list)
    n_held: int = 0
    _file: _SpillFile | None = None

    def append(self, part: Tracks) -> None:
        """Keep ``part`` in memory, or on disk once ``limit_rows`` rows are held."""
        if self.n_held + len(part) <= self.limit_rows:
            self.parts.append(part)
            self.n_held += len(part)
            return
        if self._file is None:
            self._file = _SpillFile()
        group = self._file.write(part)
        self.parts.append(SpilledTracks(self._file, group, part.t_s.copy(), part.track_id.copy()))

    def take(self) -> list[Tracks | SpilledTracks]:
        """The parts, in order; this object no longer holds them (nor the file)."""
        out, self.parts, self.n_held, self._file = self.parts, [], 0, None
        return out


def loaded(part: Tracks | SpilledTracks) -> Tracks:
    """A part's rows in memory."""
    return part.load() if isinstance(part, SpilledTracks) else part
