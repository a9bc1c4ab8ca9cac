"""Births planned for a layer's looks (:mod:`iadsim.tracking.births`).

That planned births equal the look-by-look ones (results and tracker state) is tested
through the tracker in ``test_layers`` and ``test_wave``. Here: the layer's pre-gate,
each look's buffered plots against its new plots only, equals
:func:`~iadsim.tracking.gating.pregate_pairs` called look by look, pair for pair and
in its order, also for a look of more than 4,096 pairs (its k-d tree branch).
"""

from __future__ import annotations

import numpy as np

from iadsim.tracking.births import pregate_looks
from iadsim.tracking.gating import pregate_pairs


def test_the_layer_pregate_equals_pregate_pairs_look_by_look() -> None:
    rng = np.random.default_rng(3)
    n_old = np.array([0, 3, 7, 90, 1, 12])  # look 3: 90 x 60 pairs (> 4,096)
    n_new = np.array([4, 0, 5, 60, 2, 9])
    opos = rng.uniform(-50e3, 50e3, (int(n_old.sum()), 3))
    npos = rng.uniform(-50e3, 50e3, (int(n_new.sum()), 3))
    radius = rng.uniform(1e3, 40e3, opos.shape[0])
    olook = np.repeat(np.arange(n_old.shape[0]), n_old)
    nfirst = np.concatenate([[0], np.cumsum(n_new)])
    i, j = pregate_looks(opos, radius, olook, npos, nfirst, n_new)
    want_i, want_j = [], []
    ofirst = np.concatenate([[0], np.cumsum(n_old)])
    for c in range(n_old.shape[0]):
        o, n = ofirst[c], nfirst[c]
        a, b = pregate_pairs(opos[o : ofirst[c + 1]], radius[o : ofirst[c + 1]],
                             npos[n : nfirst[c + 1]])  # fmt: skip
        want_i.append(a + o)
        want_j.append(b + n)
    assert np.array_equal(i, np.concatenate(want_i))
    assert np.array_equal(j, np.concatenate(want_j))
    assert i.shape[0] > 100  # (pairs in the big look and in small ones)
    assert {3, 5} <= set(olook[i].tolist())  # (the big look and a small one)
