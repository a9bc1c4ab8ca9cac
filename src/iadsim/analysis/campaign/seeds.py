"""Per-task seeds derived from one root seed.

Each task ``(point_id, replicate)`` gets the seed of
``SeedSequence(root, spawn_key=(point_id, replicate))``: the same child that
``SeedSequence(root).spawn`` would produce at those positions of a two-level
spawn tree, computed directly so it does not depend on the order, backend or
number of workers that run the tasks.
"""

from __future__ import annotations

import numpy as np

_INT63 = 0x7FFF_FFFF_FFFF_FFFF


def new_root_seed() -> int:
    """Draw a fresh root seed from OS entropy (63 bits, stored in the manifest)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0]) & _INT63


def task_seed(root_seed: int, point_id: int, replicate: int) -> int:
    """Seed of one task, a non-negative 63-bit int (fits a Parquet int64 column).

    Parameters
    ----------
    root_seed : int
        Campaign root seed (>= 0).
    point_id, replicate : int
        Position of the task in the campaign (>= 0).

    Returns
    -------
    int
        ``SeedSequence(root_seed, spawn_key=(point_id, replicate))``'s first
        64-bit state word with the top bit cleared.
    """
    ss = np.random.SeedSequence(root_seed, spawn_key=(point_id, replicate))
    return int(ss.generate_state(1, np.uint64)[0]) & _INT63
