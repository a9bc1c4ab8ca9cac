"""Fake stages for every tracker role (see ``iadsim.tracking.roles``).

Each fake is the smallest object that honours its protocol, with behaviour simple
enough to predict by hand, so a test can assemble a tracker (or swap one part of
the real one) and check the wiring in milliseconds. ``tests/conftest.py`` offers
them assembled as the ``fake_parts`` fixture; import the classes from ``fakes``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from iadsim.tracking import FilterState
from iadsim.tracking.association import Association
from iadsim.tracking.filters import Innovation
from iadsim.tracking.gating import GatedPairs
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements


@dataclasses.dataclass(frozen=True)
class FakeMotion:
    """Constant velocity in ``ndim`` axes without process noise: x + v dt, Q = 0."""

    ndim: int = 2

    @property
    def nx(self) -> int:
        return 2 * self.ndim

    def F(self, x: np.ndarray, dt: np.ndarray) -> np.ndarray:
        d = self.ndim
        F = np.broadcast_to(np.eye(2 * d), (x.shape[0], 2 * d, 2 * d)).copy()
        F[:, np.arange(d), np.arange(d, 2 * d)] = dt[:, None]
        return F

    def f(self, x: np.ndarray, dt: np.ndarray) -> np.ndarray:
        return np.einsum("nij,nj->ni", self.F(x, dt), x)

    def Q(self, x: np.ndarray, dt: np.ndarray) -> np.ndarray:
        return np.zeros((x.shape[0], self.nx, self.nx))


@dataclasses.dataclass(frozen=True)
class SnapFilter:
    """Predicts with its motion model; an update puts the position on the
    measurement (weighted by ``beta``) and keeps the velocity. Cartesian only."""

    model: FakeMotion = FakeMotion()

    @property
    def nx(self) -> int:
        return self.model.nx

    @property
    def ndim(self) -> int:
        return self.model.ndim

    def prepare(self, meas: Measurements) -> Measurements:
        return meas

    def init_bank(self, x: np.ndarray, P: np.ndarray) -> FilterState:
        return FilterState(x=x, P=P)

    def predict(self, bank: FilterState, dt: np.ndarray) -> FilterState:
        F = self.model.F(bank.x, dt)
        return FilterState(x=self.model.f(bank.x, dt), P=F @ bank.P @ F.swapaxes(1, 2))

    def innovate(self, x: np.ndarray, P: np.ndarray, meas: Measurements) -> Innovation:
        d = self.ndim
        y = meas.z[:, :d] - x[:, :d]
        S = P[:, :d, :d] + meas.R[:, :d, :d]
        d2 = np.einsum("pi,pi->p", y, np.linalg.solve(S, y[..., None])[..., 0])
        H = np.broadcast_to(np.eye(d, self.nx), (x.shape[0], d, self.nx))
        return Innovation(y=y, S=S, d2=d2, logdet=np.linalg.slogdet(S)[1], cross=H)

    def update(self, bank, meas, row, beta, beta0, b, inn=None):
        inn = self.innovate(bank.x[row], bank.P[row], meas) if inn is None else inn
        x, P = bank.x.copy(), bank.P.copy()
        d = self.ndim
        np.add.at(x, (row, slice(0, d)), beta[:, None] * inn.y)
        P[row, :d, :d] = meas.R[:, :d, :d]
        return FilterState(x=x, P=P), -0.5 * inn.d2


@dataclasses.dataclass(frozen=True)
class NearestAssociator:
    """Greedy nearest neighbour: pairs in increasing d2, each track and measurement once."""

    def associate(self, n: int, m: int, gp: GatedPairs, gamma: float) -> Association:
        t_used, d_used, take = np.zeros(n, bool), np.zeros(m, bool), []
        for k in np.argsort(gp.inn.d2, kind="stable"):
            t, d = gp.ti[k], gp.di[k]
            if not (t_used[t] or d_used[d]):
                t_used[t] = d_used[d] = True
                take.append(k)
        k = np.asarray(take, dtype=np.int64)
        beta0 = np.where(t_used, 0.0, 1.0)
        return Association(gp.ti[k], gp.di[k], np.ones(k.size), beta0, np.zeros(n), d_used, k)


@dataclasses.dataclass(frozen=True)
class ZeroVelocityInitiator:
    """A new track at each measurement's position, velocity 0 with std ``v_sigma_mps``."""

    v_sigma_mps: float = 300.0

    def initial_state(self, meas: Measurements, nx: int) -> tuple[np.ndarray, np.ndarray]:
        m, d = meas.z.shape[0], meas.ndim
        x = np.zeros((m, nx))
        x[:, :d] = meas.z[:, :d]
        P = np.zeros((m, nx, nx))
        P[:, :d, :d] = meas.R[:, :d, :d]
        P[:, np.arange(d, nx), np.arange(d, nx)] = self.v_sigma_mps**2
        return x, P


@dataclasses.dataclass(frozen=True)
class HitCountConfirmer:
    """Score = number of hits; confirm at ``hits`` hits, drop a tentative track at its
    first miss."""

    hits: int = 2

    def initial_llr(self) -> float:
        return 1.0  # the initiating measurement counts

    def delta_llr(self, hit: np.ndarray, loglik: np.ndarray) -> np.ndarray:
        return hit.astype(float)

    def decide(self, book: TrackBook) -> tuple[np.ndarray, np.ndarray]:
        return book.llr >= self.hits, book.misses > 0

    def quality(self, book: TrackBook) -> np.ndarray:
        return book.llr.copy()


@dataclasses.dataclass(frozen=True)
class MissCountDeleter:
    """Delete after ``misses`` consecutive misses."""

    misses: int = 2

    def delete(
        self, book: TrackBook, P: np.ndarray, ndim: int, t_s: float, x: np.ndarray | None = None
    ) -> np.ndarray:
        return book.misses >= self.misses
