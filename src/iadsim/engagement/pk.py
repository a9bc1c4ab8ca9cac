"""Single-shot kill probability tables: Pk per target class over the range fraction.

``range_fraction`` is the intercept slant range over the type's maximum range;
the table is interpolated linearly between grid points and clamped at the ends
(a class code of -1 or out of range reads 0). Public sources do not give Pk: the
catalog's tables are labelled assumptions, each with its ``source``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.constants import THREAT_CLASSES

__all__ = ["PkTableParams", "pk_at"]

F = NDArray[np.float64]


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class PkTableParams:
    """A compiled Pk table (what every Pk-table ``kind`` compiles to).

    Attributes
    ----------
    range_fraction : (G,) strictly increasing grid in [0, 1].
    table : (C, G) Pk per class (:data:`iadsim.constants.THREAT_CLASSES` order) and
        grid point, in [0, 1].
    """

    range_fraction: F
    table: F

    def __post_init__(self) -> None:
        g = np.asarray(self.range_fraction, dtype=np.float64)
        t = np.asarray(self.table, dtype=np.float64)
        if g.ndim != 1 or g.size < 1 or np.any(np.diff(g) <= 0):
            raise ValueError("PkTableParams.range_fraction: need a strictly increasing grid")
        if t.shape != (len(THREAT_CLASSES), g.size) or not np.all((t >= 0) & (t <= 1)):
            raise ValueError(
                f"PkTableParams.table: need shape {(len(THREAT_CLASSES), g.size)} in [0, 1]"
            )
        object.__setattr__(self, "range_fraction", g)
        object.__setattr__(self, "table", t)

    def __call__(self, range_fraction: F, target_class: NDArray[np.int64]) -> F:
        """Pk (...) at ``range_fraction`` (...) for class codes ``target_class`` (...)."""
        return pk_at(range_fraction, target_class, self.range_fraction, self.table)


def pk_at(
    range_fraction: NDArray[np.float64],
    target_class: NDArray[np.int64],
    grid: NDArray[np.float64],
    table: NDArray[np.float64],
) -> F:
    """Single-shot Pk interpolated linearly over the range-fraction grid.

    Parameters
    ----------
    range_fraction : (...) intercept slant range / max range (clamped to the grid ends).
    target_class : (...) int class codes (:data:`PK_CLASS_NAMES`); -1 or out of range -> 0.
    grid : (G,) increasing range-fraction grid.
    table : (C, G) Pk per class and grid point.
    """
    x = np.asarray(range_fraction, dtype=np.float64)
    c = np.asarray(target_class, dtype=np.int64)
    valid = (c >= 0) & (c < table.shape[0])
    cc = np.where(valid, c, 0)
    if grid.size == 1:
        return np.where(valid, table[cc, 0], 0.0)
    xc = np.minimum(np.maximum(x, grid[0]), grid[-1])  # np.clip, without its overhead
    j = np.minimum(np.maximum(np.searchsorted(grid, xc, side="right") - 1, 0), grid.size - 2)
    w = (xc - grid[j]) / (grid[j + 1] - grid[j])
    pk = table[cc, j] * (1 - w) + table[cc, j + 1] * w
    return np.where(valid & np.isfinite(x), pk, 0.0)
