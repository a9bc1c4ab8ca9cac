"""The tracker's roles: what each part implements, and the filter state it carries.

A :class:`~iadsim.tracking.Tracker` is assembled from one part per role
(:class:`~iadsim.tracking.TrackerParts`): a motion model inside a filter, a
gate, an associator, an initiator, a confirmer and a deleter. Each role is a
``typing.Protocol`` below; any object with these methods plugs in (the tests use
fakes). Every method works on a leading batch axis (tracks, pairs or
measurements) and never loops over it in Python.

Shapes: ``n`` tracks, ``m`` measurements, ``p`` track-measurement pairs, ``nx``
state dimension, ``nz`` measurement dimension, ``d`` spatial axes (2 or 3),
``M`` IMM modes. Units: SI (m, s, m/s, rad); time steps ``dt`` in seconds.
State layout: positions ``x[:, :d]``, velocities ``x[:, d:2d]``, then
model-specific extras (see :mod:`iadsim.tracking.models`).

Stone Soup splits the same work into predictor, updater, hypothesiser, data
associator, initiator and deleter; here a filter is predictor and updater in one,
and the gate and associator are the hypothesiser and data associator.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from iadsim.tracking.association import Association
    from iadsim.tracking.filters import Innovation
    from iadsim.tracking.gating import GatedPairs
    from iadsim.tracking.management import TrackBook
    from iadsim.tracking.measurements import Measurements

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = [
    "Associator",
    "Confirmer",
    "Filter",
    "FilterState",
    "Initiator",
    "MotionModel",
    "TrackDeleter",
]


@dataclasses.dataclass(kw_only=True)
class FilterState:
    """The batched state a filter keeps for ``n`` tracks (the tracker's filter bank).

    Attributes
    ----------
    x : (n, nx) state estimates (combined over modes for an IMM).
    P : (n, nx, nx) their covariances.
    xm : (n, M, nx) or None; mode-conditioned estimates (IMM only).
    Pm : (n, M, nx, nx) or None; their covariances (IMM only).
    mu : (n, M) or None; mode probabilities (IMM only).

    The tracker takes and writes rows of every array present (``take``, ``put``);
    a filter returns a new state from ``predict``/``update`` and never writes the
    one it was given.
    """

    x: F64
    P: F64
    xm: F64 | None = None
    Pm: F64 | None = None
    mu: F64 | None = None

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def take(self, idx: Any) -> FilterState:
        """The rows ``idx`` (an index array or boolean mask) of every array."""
        if self.xm is None:
            return FilterState(x=self.x[idx], P=self.P[idx])
        return FilterState(
            x=self.x[idx],
            P=self.P[idx],
            xm=self.xm[idx],
            Pm=_rows(self.Pm, idx),
            mu=_rows(self.mu, idx),
        )

    def put(self, idx: Any, new: FilterState) -> None:
        """Write ``new`` into the rows ``idx`` (in place; same arrays present)."""
        self.x[idx] = new.x
        self.P[idx] = new.P
        if self.xm is not None:
            self.xm[idx] = new.xm
            _rows_set(self.Pm, idx, new.Pm)
            _rows_set(self.mu, idx, new.mu)

    def copy(self) -> FilterState:
        """A deep copy (arrays copied)."""
        return self._map(lambda a, _: a.copy(), self)

    def append(self, new: FilterState) -> FilterState:
        """Rows of this state followed by ``new``'s (new arrays)."""
        return self._map(lambda a, b: np.concatenate([a, b]), new)

    def _map(self, fn: Any, other: FilterState) -> FilterState:
        def f(a: F64 | None, b: F64 | None) -> Any:
            return None if a is None else fn(a, b)

        return FilterState(
            x=fn(self.x, other.x),
            P=fn(self.P, other.P),
            xm=f(self.xm, other.xm),
            Pm=f(self.Pm, other.Pm),
            mu=f(self.mu, other.mu),
        )


def _rows(a: F64 | None, idx: Any) -> F64 | None:
    return None if a is None else a[idx]


def _rows_set(a: F64 | None, idx: Any, v: F64 | None) -> None:
    if a is not None:
        a[idx] = v


class MotionModel(Protocol):
    """A discrete-time motion model x_k+1 = f(x_k, dt) + w, w ~ N(0, Q(dt)).

    Every method takes states ``x`` (n, nx) and per-track time steps ``dt`` (n,), s.
    """

    @property
    def ndim(self) -> int:
        """Spatial dimension ``d`` (2: east, north; 3: east, north, up)."""
        ...

    @property
    def nx(self) -> int:
        """State dimension (positions, velocities, then the model's extras)."""
        ...

    def f(self, x: F64, dt: F64) -> F64:
        """Propagated states, (n, nx)."""
        ...

    def F(self, x: F64, dt: F64) -> F64:
        """Jacobian of ``f`` at ``x`` (the transition matrix if linear), (n, nx, nx)."""
        ...

    def Q(self, x: F64, dt: F64) -> F64:
        """Process-noise covariance of the step, (n, nx, nx), SI units squared."""
        ...


class Filter(Protocol):
    """A recursive estimator over a batch of tracks (single-model or IMM).

    Implementations: :class:`~iadsim.tracking.filters.SingleModelFilter` (KF, EKF,
    UKF, converted-measurement KF) and :class:`~iadsim.tracking.imm.IMM`.
    """

    @property
    def nx(self) -> int:
        """State dimension."""
        ...

    @property
    def ndim(self) -> int:
        """Spatial dimension ``d`` (2 or 3)."""
        ...

    def prepare(self, meas: Measurements) -> Measurements:
        """Measurements in the form this filter updates with (e.g. polar plots
        converted to Cartesian for a linear KF); called once per scan, (m,) rows."""
        ...

    def init_bank(self, x: F64, P: F64) -> FilterState:
        """Initial state of new tracks from x (n, nx), P (n, nx, nx)."""
        ...

    def predict(self, bank: FilterState, dt: F64) -> FilterState:
        """Every row predicted ``dt`` (n,) seconds ahead (a new state)."""
        ...

    def innovate(self, x: F64, P: F64, meas: Measurements) -> Innovation:
        """Innovations of ``p`` pairs: states x (p, nx), P (p, nx, nx) against the
        prepared measurements ``meas`` (p rows), for gating and association.

        ``meas.unseen_s`` (p,), when set, is the last process noise of each state that
        its measurement, taken before the state time, cannot see: an exact filter
        leaves it out of ``innovate`` and ``update`` (``SingleModelFilter.seen_part``);
        one that ignores it updates to first order, slightly over-confident."""
        ...

    def update(
        self,
        bank: FilterState,
        meas: Measurements,
        row: I64,
        beta: F64,
        beta0: F64,
        b: F64,
        inn: Innovation | None = None,
    ) -> tuple[FilterState, F64]:
        """Update ``k`` tracks with ``p`` weighted pairs; returns the new state of the
        ``k`` rows and the log-likelihood of each pair (p,).

        ``bank``: the k tracks' state; ``meas``: p prepared measurements; ``row``
        (p,): which of the k tracks each pair updates; ``beta`` (p,): pair weights
        (1 for a GNN assignment); ``beta0`` (k,): weight of "no detection"; ``b``
        (k,): IMM-PDA miss term (0 for GNN); ``inn``: the pairs' innovations at this
        very state when gating computed them already.
        """
        ...


class Associator(Protocol):
    """Turns gated track-measurement pairs into association weights."""

    def associate(self, n: int, m: int, gp: GatedPairs, gamma: float) -> Association:
        """Association of ``n`` tracks and ``m`` measurements from the gated pairs
        ``gp`` (p pairs with d2, log-likelihoods); ``gamma`` is the gate threshold on
        the squared Mahalanobis distance d2 (unitless)."""
        ...


class Initiator(Protocol):
    """Starts tentative tracks from measurements no track used."""

    def initial_state(self, meas: Measurements, nx: int) -> tuple[F64, F64]:
        """x (m, nx) and P (m, nx, nx) of one new track per (un-prepared) measurement."""
        ...


class Confirmer(Protocol):
    """Decides tentative -> confirmed, or drops a tentative track, from its score."""

    def initial_llr(self) -> float:
        """Track score (log-likelihood ratio) of a new track."""
        ...

    def delta_llr(self, hit: B, loglik: F64) -> F64:
        """Score increments (n,) of tracks seen this scan: ``hit`` (n,) whether each
        was updated, ``loglik`` (n,) its measurement log-likelihood."""
        ...

    def decide(self, book: TrackBook) -> tuple[B, B]:
        """(confirm, drop) masks (n,) over the tentative tracks' bookkeeping."""
        ...

    def quality(self, book: TrackBook) -> F64:
        """Track quality written to ``Tracks.quality`` (n,), higher is better."""
        ...


class TrackDeleter(Protocol):
    """Deletes confirmed tracks (implementation: :class:`~iadsim.tracking.Deleter`)."""

    def delete(self, book: TrackBook, P: F64, ndim: int, t_s: float, x: F64 | None = None) -> B:
        """Mask (n,) of tracks to delete at ``t_s`` given their bookkeeping,
        covariances P (n, nx, nx) (positions in the first ``ndim`` states, m^2) and,
        when the tracker has them at ``t_s``, states x (n, nx) (for duplicate tests)."""
        ...
