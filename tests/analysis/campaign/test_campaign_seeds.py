"""Per-task seeds: deterministic, independent of order, equal to the spawn tree."""

from __future__ import annotations

import numpy as np

from iadsim.analysis.campaign.seeds import new_root_seed, task_seed


def test_task_seed_is_the_spawn_tree_child() -> None:
    root = 20261125
    tree = np.random.SeedSequence(root).spawn(4)
    for p in range(4):
        children = tree[p].spawn(5)
        for r in range(5):
            expect = int(children[r].generate_state(1, np.uint64)[0]) & (2**63 - 1)
            assert task_seed(root, p, r) == expect


def test_task_seeds_distinct_and_stable() -> None:
    seeds = {task_seed(1, p, r) for p in range(50) for r in range(200)}
    assert len(seeds) == 50 * 200
    assert all(0 <= s < 2**63 for s in seeds)
    assert task_seed(1, 3, 7) == task_seed(1, 3, 7)
    assert task_seed(1, 3, 7) != task_seed(2, 3, 7)
    assert task_seed(1, 3, 7) != task_seed(1, 7, 3)


def test_new_root_seed_range() -> None:
    a, b = new_root_seed(), new_root_seed()
    assert 0 <= a < 2**63 and 0 <= b < 2**63 and a != b
