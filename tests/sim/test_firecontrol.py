"""Fire-control bookkeeping helpers (sim/firecontrol.py)."""

from __future__ import annotations

import numpy as np

from iadsim.sim.firecontrol import in_sorted


def test_in_sorted_agrees_with_isin() -> None:
    """The binary search gives np.isin's answer, empty sets and ids past both ends included."""
    rng = np.random.default_rng(3)
    for n_sorted in (0, 1, 5, 60):
        sorted_ids = np.unique(rng.integers(0, 80, n_sorted)).astype(np.int64)
        for n in (0, 1, 7, 40):
            ids = rng.integers(-5, 90, n).astype(np.int64)
            got = in_sorted(ids, sorted_ids)
            assert got.dtype == np.bool_ and got.shape == ids.shape
            np.testing.assert_array_equal(got, np.isin(ids, sorted_ids))
