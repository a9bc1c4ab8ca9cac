"""Set distances between truth and track position sets: OSPA and GOSPA.

Both metrics compare a finite set of true positions ``X`` (``n`` rows) with a set
of estimated positions ``Y`` (``m`` rows) through the cut-off distance
``d^(c)(x, y) = min(|x - y|, c)`` and an optimal assignment, found here with
:func:`scipy.optimize.linear_sum_assignment` (modified Jonker-Volgenant) on the
``(n, m)`` matrix of ``d^(c)^p``.  OSPA and GOSPA with the same ``(c, p)``
minimise the same assignment cost, so one assignment serves both.

References
----------
.. [SVV08] D. Schuhmacher, B.-T. Vo, B.-N. Vo, "A consistent metric for
   performance evaluation of multi-object filters", IEEE Trans. Signal
   Processing 56(8), 3447-3457, 2008, eq. (3) (OSPA).
.. [RGS17] A. S. Rahmathullah, Á. F. García-Fernández, L. Svensson,
   "Generalized optimal sub-pattern assignment metric", Proc. 20th Int. Conf.
   Information Fusion (FUSION), 2017, Definition 1 (GOSPA) and Proposition 1
   (alpha = 2 decomposition into localisation, missed and false targets).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

__all__ = ["GospaResult", "OspaResult", "gospa", "optimal_assignment", "ospa"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _check_params(c_m: float, p: float, alpha: float = 2.0) -> None:
    if not (np.isfinite(c_m) and c_m > 0.0):
        raise ValueError(f"cut-off c must be finite and > 0 (got {c_m})")
    if not (np.isfinite(p) and p >= 1.0):
        raise ValueError(f"order p must be finite and >= 1 (got {p})")
    if not (0.0 < alpha <= 2.0):
        raise ValueError(f"alpha must be in (0, 2] (got {alpha})")


def _as_points(a: ArrayLike, name: str) -> F64:
    x = np.asarray(a, dtype=np.float64)
    if x.ndim == 1 and x.size == 0:
        x = x.reshape(0, 1)
    if x.ndim != 2:
        raise ValueError(f"{name}: must have shape (n, d) (got {x.shape})")
    return x


def optimal_assignment(
    truth_pos: ArrayLike, track_pos: ArrayLike, *, c_m: float, p: float = 1.0
) -> tuple[I64, I64, F64]:
    """Optimal truth-to-track assignment under the cut-off distance.

    Minimises ``sum_k min(|x_{i_k} - y_{j_k}|, c)^p`` over all one-to-one
    pairings of ``min(n, m)`` pairs [SVV08]_ [RGS17]_.

    Parameters
    ----------
    truth_pos : array (n, d)
        True positions, m.
    track_pos : array (m, d)
        Estimated positions, m (same ``d``).
    c_m : float
        Cut-off distance ``c > 0``, m.
    p : float
        Order ``1 <= p < inf``.

    Returns
    -------
    truth_idx, track_idx : int64 arrays (k,)
        Row indices of the ``k = min(n, m)`` assigned pairs (sorted by truth).
    distance_m : float64 array (k,)
        Un-capped Euclidean distance of each pair, m (``>= c`` means the pair
        counts as one missed plus one false object in GOSPA with alpha = 2).
    """
    _check_params(c_m, p)
    x = _as_points(truth_pos, "truth_pos")
    y = _as_points(track_pos, "track_pos")
    if x.shape[0] == 0 or y.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"truth_pos has d={x.shape[1]} but track_pos has d={y.shape[1]}")
    d_m = cdist(x, y)
    rows, cols = linear_sum_assignment(np.minimum(d_m, c_m) ** p)
    return rows.astype(np.int64), cols.astype(np.int64), d_m[rows, cols]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GospaResult:
    """GOSPA at one time and its alpha = 2 decomposition [RGS17]_ Prop. 1.

    ``gospa_m**p == localisation_pow + missed_pow + false_pow`` (alpha = 2).
    The ``*_pow`` terms are in m^p; the ``*_m`` terms are their ``1/p``-th
    powers (each a metric-like share in m). For alpha != 2 the decomposition is
    undefined and the ``*_pow``/``*_m`` terms are NaN.
    """

    gospa_m: float
    p: float
    localisation_pow: float
    missed_pow: float
    false_pow: float
    n_assigned: int
    n_missed: int
    n_false: int
    truth_to_track: I64
    """(n,) index of the track assigned to each truth row (distance < c), -1 if none."""

    @property
    def localisation_m(self) -> float:
        """``localisation_pow ** (1/p)``, m."""
        return self._root(self.localisation_pow)

    @property
    def missed_m(self) -> float:
        """``missed_pow ** (1/p)``, m."""
        return self._root(self.missed_pow)

    @property
    def false_m(self) -> float:
        """``false_pow ** (1/p)``, m."""
        return self._root(self.false_pow)

    def _root(self, value: float) -> float:
        return float(value ** (1.0 / self.p))


def gospa(
    truth_pos: ArrayLike,
    track_pos: ArrayLike,
    *,
    c_m: float,
    p: float = 1.0,
    alpha: float = 2.0,
) -> GospaResult:
    r"""Generalized OSPA distance between a truth set and a track set.

    For ``|X| = n <= |Y| = m`` ([RGS17]_ Definition 1)

    .. math::
        d_p^{(c,\alpha)}(X, Y) = \Big( \min_{\pi \in \Pi_m} \sum_{i=1}^{n}
        d^{(c)}(x_i, y_{\pi(i)})^p + \frac{c^p}{\alpha} (m - n) \Big)^{1/p},

    symmetric in ``X, Y``. With ``alpha = 2`` ([RGS17]_ Proposition 1) it equals

    .. math::
        \Big( \sum_{(i,j) \in \gamma} |x_i - y_j|^p
        + \frac{c^p}{2} (n_\text{missed} + n_\text{false}) \Big)^{1/p},

    where ``gamma`` holds the optimal pairs closer than ``c``; truths outside
    ``gamma`` are missed, tracks outside it are false.

    Parameters
    ----------
    truth_pos : array (n, d)
        True positions, m.
    track_pos : array (m, d)
        Track positions, m.
    c_m : float
        Cut-off distance ``c > 0``, m.
    p : float
        Order ``1 <= p < inf`` (default 1).
    alpha : float
        ``0 < alpha <= 2`` (default 2, the only value with a decomposition).

    Returns
    -------
    GospaResult
        Total distance (m), the decomposition (m^p) and the truth-to-track map.
    """
    _check_params(c_m, p, alpha)
    x = _as_points(truth_pos, "truth_pos")
    y = _as_points(track_pos, "track_pos")
    n, m = x.shape[0], y.shape[0]
    rows, cols, d_m = optimal_assignment(x, y, c_m=c_m, p=p)
    ok = d_m < c_m
    n_assigned = int(np.count_nonzero(ok))
    truth_to_track = np.full(n, -1, dtype=np.int64)
    truth_to_track[rows[ok]] = cols[ok]
    capped_pow = float(np.sum(np.minimum(d_m, c_m) ** p))
    total_pow = capped_pow + c_m**p / alpha * abs(m - n)
    if alpha == 2.0:
        loc, miss, false = (
            float(np.sum(d_m[ok] ** p)),
            c_m**p / 2.0 * (n - n_assigned),
            c_m**p / 2.0 * (m - n_assigned),
        )
    else:
        loc = miss = false = float("nan")
    return GospaResult(
        gospa_m=float(total_pow ** (1.0 / p)),
        p=float(p),
        localisation_pow=loc,
        missed_pow=miss,
        false_pow=false,
        n_assigned=n_assigned,
        n_missed=n - n_assigned,
        n_false=m - n_assigned,
        truth_to_track=truth_to_track,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class OspaResult:
    """OSPA at one time with its localisation and cardinality parts [SVV08]_ eq. (4)."""

    ospa_m: float
    localisation_m: float
    cardinality_m: float


def ospa(truth_pos: ArrayLike, track_pos: ArrayLike, *, c_m: float, p: float = 1.0) -> OspaResult:
    r"""OSPA distance of order ``p`` with cut-off ``c`` [SVV08]_ eq. (3).

    For ``|X| = n <= |Y| = m`` (swap the sets otherwise), ``m > 0``:

    .. math::
        \bar d_p^{(c)}(X, Y) = \Big( \frac{1}{m} \Big( \min_{\pi \in \Pi_m}
        \sum_{i=1}^{n} d^{(c)}(x_i, y_{\pi(i)})^p + c^p (m - n) \Big) \Big)^{1/p},

    and 0 when both sets are empty. The two parts of [SVV08]_ eq. (4) are
    ``localisation = (sum d^(c)^p / m)^(1/p)`` and
    ``cardinality = (c^p (m - n) / m)^(1/p)``.

    Parameters
    ----------
    truth_pos : array (n, d)
        True positions, m.
    track_pos : array (m, d)
        Track positions, m.
    c_m : float
        Cut-off ``c > 0``, m.
    p : float
        Order ``1 <= p < inf`` (default 1).

    Returns
    -------
    OspaResult
        Distance, localisation and cardinality components, m.
    """
    _check_params(c_m, p)
    x = _as_points(truth_pos, "truth_pos")
    y = _as_points(track_pos, "track_pos")
    n_max = max(x.shape[0], y.shape[0])
    if n_max == 0:
        return OspaResult(ospa_m=0.0, localisation_m=0.0, cardinality_m=0.0)
    _, _, d_m = optimal_assignment(x, y, c_m=c_m, p=p)
    loc_pow = float(np.sum(np.minimum(d_m, c_m) ** p)) / n_max
    card_pow = c_m**p * abs(x.shape[0] - y.shape[0]) / n_max
    return OspaResult(
        ospa_m=float((loc_pow + card_pow) ** (1.0 / p)),
        localisation_m=float(loc_pow ** (1.0 / p)),
        cardinality_m=float(card_pow ** (1.0 / p)),
    )
