"""Truth precomputed on a regular time grid, for per-dwell lookups."""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Truth
from iadsim.truth.model import TruthModel

F64 = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TruthTable:
    """Truth of a :class:`TruthModel` precomputed on a regular time grid.

    :meth:`states` interpolates linearly between grid samples, which turns the
    per-dwell cost of the geodetic mapping into an index lookup. The position
    error is the chord sag of the tightest turn over one step,
    R (1 - cos(v dt / 2R)) ~ v^2 dt^2 / (8R): 0.7 m for a 9 g turn at 270 m/s
    with dt = 0.25 s, far below radar measurement noise. Alive masks are exact
    (computed from launch, route-end and kill times, not interpolated).
    """

    model: TruthModel
    dt_s: float
    t0_s: float
    grid: F64  # (T, n, 7): e, n, u, ve, vn, vu, alt

    @classmethod
    def build(cls, model: TruthModel, t_end_s: float, dt_s: float = 0.25) -> TruthTable:
        """Sample ``model`` on [0, t_end_s] every ``dt_s`` (vectorized, one call)."""
        t = np.arange(0.0, t_end_s + 2 * dt_s, dt_s)
        tr = model.states(t)
        n = model.n_threats
        cols = (tr.e_m, tr.n_m, tr.u_m, tr.ve_mps, tr.vn_mps, tr.vu_mps, tr.alt_m)
        grid = np.stack([c.reshape(t.size, n) for c in cols], axis=-1)
        return cls(model=model, dt_s=dt_s, t0_s=0.0, grid=grid)

    def states(self, t_s: float, kill_time_s: F64 | None = None) -> Truth:
        """States of all threats at one time ``t_s`` (same rows as ``TruthModel.states``)."""
        f = (t_s - self.t0_s) / self.dt_s
        i = int(min(max(math.floor(f), 0), self.grid.shape[0] - 2))
        w = min(max(f - i, 0.0), 1.0)
        row = self.grid[i] * (1.0 - w) + self.grid[i + 1] * w
        launch_s, end_s, ids = self._constants
        alive = (t_s >= launch_s) & (t_s <= end_s)
        alive &= t_s < (self._never if kill_time_s is None else kill_time_s)
        # columns of the declared dtypes and one length by construction
        return Truth.from_trusted_columns(
            {
                "t_s": np.full(ids.shape[0], float(t_s)),
                "threat_id": ids,
                "e_m": row[:, 0],
                "n_m": row[:, 1],
                "u_m": row[:, 2],
                "ve_mps": row[:, 3],
                "vn_mps": row[:, 4],
                "vu_mps": row[:, 5],
                "alt_m": row[:, 6],
                "alive": alive,
            }
        )

    @functools.cached_property
    def _constants(self) -> tuple[F64, F64, NDArray[np.int64]]:
        """Launch and route-end times and the (read-only, shared) threat ids."""
        m = self.model
        ids = np.arange(m.n_threats, dtype=np.int64)
        ids.flags.writeable = False
        return np.asarray(m.launch_s, dtype=np.float64), m.end_s, ids

    @functools.cached_property
    def _never(self) -> F64:
        return np.full(self.model.n_threats, np.inf)
