"""Track management: initiation, confirmation (M-of-N or SPRT score), deletion.

All rules are vectorized over tracks. Bookkeeping arrays (n,): ``hist`` (uint64
hit history, newest hit in bit 0), ``age`` (scans since birth), ``misses``
(consecutive), ``llr`` (track score), ``t_hit_s`` (time of the last update).

Multi-sensor miss accounting: consecutive misses are counted per sensor
(``misses_by`` (n, S)), and a track's ``misses`` is the smallest count among the
sensors that have detected it, so a weak sensor's run of misses (an X-band radar at
its limit on a stealthy target) does not delete a track that a stronger sensor still
updates; each sensor's own run of misses still does when it is the only one.

References: Blackman and Popoli, *Design and Analysis of Modern Tracking
Systems*, Artech 1999, sec 6.2 (track score, SPRT thresholds) and sec 6.3
(M-of-N logic); Wald's SPRT thresholds T_conf = ln((1-beta)/alpha),
T_del = ln(beta/(1-alpha)).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import TrackStatus
from iadsim.tracking.coalesce import DuplicateRule, recent_hits
from iadsim.tracking.filters import trace_of_block
from iadsim.tracking.measurements import Measurements, debiased_conversion
from iadsim.tracking.roles import Confirmer, Initiator, TrackDeleter

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

__all__ = [
    "Confirmer",
    "Deleter",
    "DuplicateRule",
    "Initiator",
    "MOfN",
    "ScoreConfirmer",
    "SinglePointInitiator",
    "TrackBook",
    "TrackDeleter",
    "extra_state_prior",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SinglePointInitiator:
    """One-point initiation with a velocity prior (a new tentative track per measurement).

    Position from the (debiased) converted measurement with its covariance;
    velocity = radial velocity along the line of sight if measured, else 0, with
    isotropic std ``velocity_sigma_mps``; extra states (acceleration, turn rate)
    start at 0 with the given std.
    """

    velocity_sigma_mps: float = 300.0
    accel_sigma_mps2: float = 30.0
    turn_rate_sigma_radps: float = 0.1

    def initial_state(self, meas: Measurements, nx: int) -> tuple[F64, F64]:
        """x (m, nx), P (m, nx, nx) from ``m`` (un-prepared) measurements."""
        d, m = meas.ndim, len(meas)
        cart = debiased_conversion(meas)
        x = np.zeros((m, nx))
        P = np.zeros((m, nx, nx))
        x[:, :d] = cart.z[:, :d]
        P[:, :d, :d] = cart.R[:, :d, :d]
        if meas.kind == "polar" and meas.has_rdot:
            los = cart.z[:, :d] - meas.sensor_m[:, :d]
            los /= np.maximum(np.linalg.norm(los, axis=1, keepdims=True), 1e-9)
            x[:, d : 2 * d] = meas.z[:, -1:] * los
        idx = np.arange(d, 2 * d)
        P[:, idx, idx] = self.velocity_sigma_mps**2
        if meas.dt_s is not None:  # measured dt_s from the batch time: p(t) = z - dt v
            dt = meas.dt_s[:, None, None]
            x[:, :d] -= meas.dt_s[:, None] * x[:, d : 2 * d]
            pv = P[:, d : 2 * d, d : 2 * d]
            P[:, :d, :d] += dt * dt * pv
            P[:, :d, d : 2 * d] = P[:, d : 2 * d, :d] = -dt * pv
        extra_state_prior(P, 2 * d, self.accel_sigma_mps2, self.turn_rate_sigma_radps)
        return x, P


def extra_state_prior(
    P: F64, first: int, accel_sigma_mps2: float, turn_rate_sigma_radps: float
) -> None:
    """Write into ``P`` (k, nx, nx) the prior variance of the states from index ``first``
    on, beyond position and velocity: one extra state is a turn rate (CT), more are
    accelerations (CA). Nothing to do when there are none."""
    nx = P.shape[-1]
    extra = nx - first
    if extra:
        s2 = turn_rate_sigma_radps**2 if extra == 1 else accel_sigma_mps2**2
        idx = np.arange(first, nx)
        P[:, idx, idx] = s2


@dataclasses.dataclass
class TrackBook:
    """Management bookkeeping of ``n`` tracks (mutable, owned by the tracker)."""

    track_id: NDArray[np.int64]
    status: NDArray[np.int8]
    t_s: F64
    t_hit_s: F64
    hist: NDArray[np.uint64]
    age: NDArray[np.int64]
    misses: NDArray[np.int64]
    llr: F64
    sensors: NDArray[np.uint64]  # bit r set: sensor r has updated (or started) the track
    misses_by: NDArray[np.uint8]  # (n, S) consecutive misses of sensor column s (capped 255)
    reported: NDArray[np.int8]  # status last written out (-1: never), for change-only output
    dup_since_s: F64  # since when the track has had an older same-target twin (NaN: none)

    @classmethod
    def new(
        cls, ids: NDArray[np.int64], t_s: float | F64, llr0: float,
        sensor_bits: int | NDArray[np.uint64] = 0,
    ) -> TrackBook:  # fmt: skip
        """Fresh book rows for track ``ids`` (N,) born at ``t_s`` with score ``llr0`` by
        the sensors ``sensor_bits`` (``t_s`` and ``sensor_bits``: all, or each (N,))."""
        n = ids.shape[0]
        return cls(
            track_id=ids,
            status=np.zeros(n, np.int8),
            t_s=np.full(n, t_s),
            t_hit_s=np.full(n, t_s),
            hist=np.ones(n, np.uint64),
            age=np.ones(n, np.int64),
            misses=np.zeros(n, np.int64),
            llr=np.full(n, llr0),
            sensors=np.full(n, sensor_bits, np.uint64),
            misses_by=np.zeros((n, 1), np.uint8),
            reported=np.full(n, -1, np.int8),
            dup_since_s=np.full(n, np.nan),
        )

    def select(self, idx: NDArray[np.int64] | B | slice) -> TrackBook:
        """The rows ``idx`` (indices, (N,) mask or slice)."""
        return TrackBook(**{name: getattr(self, name)[idx] for name in _BOOK_FIELDS})

    @staticmethod
    def concat(a: TrackBook, b: TrackBook) -> TrackBook:
        """Rows of ``a`` then ``b`` (sensor columns padded to the wider one)."""
        s = max(a.misses_by.shape[1], b.misses_by.shape[1])
        return TrackBook(
            **{
                f.name: np.concatenate(
                    [_columns(getattr(a, f.name), s), _columns(getattr(b, f.name), s)]
                )
                for f in dataclasses.fields(TrackBook)
            }
        )

    def record(
        self, rows: NDArray[np.int64], hit: B, t_s: float, dllr: F64, sensor: int | None = None
    ) -> None:
        """Shift in a hit (1) or miss (0) for the tracks ``rows`` (r,) (``hit`` (r,)),
        charged to ``sensor`` (column 0 when None), and add their score changes ``dllr``
        (r,); see the module doc for ``misses``. Only these rows are read or written."""
        self.hist[rows] = (self.hist[rows] << np.uint64(1)) | hit.astype(np.uint64)
        self.age[rows] += 1
        col = 0 if sensor is None else int(sensor)
        if col >= self.misses_by.shape[1]:
            self.misses_by = _columns(self.misses_by, col + 1)
        mb = self.misses_by
        mb[rows, col] = np.where(hit, 0, np.minimum(mb[rows, col].astype(np.int64) + 1, 255))
        if sensor is None:
            self.misses[rows] = mb[rows, 0]
        else:
            bits = np.uint64(1) << np.arange(mb.shape[1], dtype=np.uint64)
            held = (self.sensors[rows, None] & bits[None, :]) != 0
            held[~held.any(axis=1), col] = True
            self.misses[rows] = np.where(held, mb[rows], 255).min(axis=1)
        self.t_hit_s[rows[hit]] = t_s
        self.llr[rows] += dllr


#: TrackBook's field names (dataclasses.fields per call costs more than a few rows)
_BOOK_FIELDS = tuple(f.name for f in dataclasses.fields(TrackBook))


def _columns(a: NDArray, s: int) -> NDArray:
    """``a`` itself when 1-D, else its (n, k) columns padded with zeros to ``s``."""
    if a.ndim == 1 or a.shape[1] >= s:
        return a
    return np.concatenate([a, np.zeros((a.shape[0], s - a.shape[1]), a.dtype)], axis=1)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MOfN:
    """Confirm a tentative track with ``m`` hits in its last ``n`` scans; drop it
    once ``m`` can no longer be reached (more than n - m misses in the window)."""

    m: int = 2
    n: int = 3

    def initial_llr(self) -> float:
        """Score of a new track (M-of-N keeps none): 0."""
        return 0.0

    def delta_llr(self, hit: B, loglik: F64) -> F64:
        """Score change per track (N,): none for M-of-N."""
        return np.zeros(hit.shape[0])

    def _hits(self, book: TrackBook) -> NDArray[np.int64]:
        return recent_hits(book.hist, self.n)

    def decide(self, book: TrackBook) -> tuple[B, B]:
        """(confirm, drop) (N,) masks: M hits in the last N looks, or no chance left."""
        hits = self._hits(book)
        window = np.minimum(book.age, self.n)
        confirm = hits >= self.m
        drop = (~confirm) & ((window - hits > self.n - self.m) | (book.age >= self.n))
        return confirm, drop

    def quality(self, book: TrackBook) -> F64:
        """(N,) hits in the last N looks over the looks so far (0-1)."""
        return self._hits(book) / np.minimum(book.age, self.n)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScoreConfirmer:
    """Sequential probability ratio test on the track log-likelihood ratio.

    dL = ln P_D + ln N(y; 0, S) - ln(lambda_FA) on a hit, ln(1 - P_D) on a miss;
    L_0 = ln(lambda_NT / lambda_FA) (Blackman and Popoli 1999 eqs 6.12-6.16).
    Confirm when L >= ln((1 - beta)/alpha), drop when L <= ln(beta/(1 - alpha)).
    Densities are per unit measurement volume.
    """

    pd: float = 0.9
    clutter_density: float = 1e-9
    new_target_density: float = 1e-10
    alpha: float = 1e-4
    beta: float = 0.05

    def initial_llr(self) -> float:
        """Score of a new track, ``L_0 = ln(lambda_NT / lambda_FA)`` (class doc)."""
        return float(np.log(self.new_target_density / self.clutter_density))

    def delta_llr(self, hit: B, loglik: F64) -> F64:
        """Score change ``dL`` (N,) after a look, from ``loglik`` (N,) ``ln N(y; 0, S)``."""
        on_hit = np.log(self.pd) + loglik - np.log(self.clutter_density)
        return np.where(hit, on_hit, np.log(1.0 - self.pd))

    def decide(self, book: TrackBook) -> tuple[B, B]:
        """(confirm, drop) (N,) masks from Wald's SPRT thresholds on the score."""
        t_conf = np.log((1 - self.beta) / self.alpha)
        t_del = np.log(self.beta / (1 - self.alpha))
        return book.llr >= t_conf, book.llr <= t_del

    def quality(self, book: TrackBook) -> F64:
        """(N,) track score (log-likelihood ratio)."""
        return book.llr.copy()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Deleter:
    """Delete on ``max_misses`` consecutive misses, on no update for
    ``max_coast_s`` seconds, when the position std exceeds ``max_pos_sigma_m``, or
    (``duplicates`` given, and the states ``x`` passed) the less supported of two
    tracks that hold one target (:class:`~iadsim.tracking.coalesce.DuplicateRule`)."""

    max_misses: int = 3
    max_coast_s: float = float("inf")
    max_pos_sigma_m: float = float("inf")
    duplicates: DuplicateRule | None = None

    def delete(self, book: TrackBook, P: F64, ndim: int, t_s: float, x: F64 | None = None) -> B:
        """(N,) tracks to delete at ``t_s`` (class doc); ``P`` (N, nx, nx), ``x`` (N, nx)
        the states predicted to ``t_s`` (needed by the duplicate test only)."""
        out = book.misses >= self.max_misses
        if math.isfinite(self.max_coast_s):  # (an infinite limit never deletes: skip it)
            out |= t_s - book.t_hit_s > self.max_coast_s
        if math.isfinite(self.max_pos_sigma_m):
            out |= np.sqrt(trace_of_block(P, ndim)) > self.max_pos_sigma_m
        if self.duplicates is not None and x is not None and book.track_id.shape[0] > 1:
            firm = book.status != TrackStatus.TENTATIVE
            out |= self.duplicates.duplicates(
                book.track_id, firm, book.t_hit_s == t_s, x, P, ndim, book.dup_since_s, t_s,
                book.hist,
            )  # fmt: skip
        return np.asarray(out)
