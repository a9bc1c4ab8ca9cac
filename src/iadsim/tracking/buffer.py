"""The plot buffer of two-point initiation: one sensor's plots waiting for a partner.

A :class:`PlotBuffer` holds its ``k`` plots as one ``(k, w)`` array of row values, so a
look that drops some plots or adds its own selects or joins one array rather than
one per field (a many-radar run does this ~10^5 times); the fields are views of its
columns. Values are stored as given (float64), so every computation on them is the
one on separate arrays.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.measurements import Measurements, trace_of_block

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

__all__ = ["PlotBuffer"]


@functools.cache
def _layout(d: int) -> dict[str, slice]:
    """Column slices of each field of a ``d``-D buffer's rows."""
    widths = {"t_s": 1, "pos": d, "Rc": d * d, "var": 1, "z": d, "R": d * d, "sensor_m": 3}
    out, at = {}, 0
    for name, w in {**widths, "spent": 1, "looks": 1}.items():
        out[name] = slice(at, at + w)
        at += w
    return out


class PlotBuffer:
    """Plots of one sensor and measurement kind waiting for a partner (k rows).

    Fields (views of ``rows`` (k, w)): ``t_s`` (k,) plot times, s; ``pos`` (k, d) and
    ``Rc`` (k, d, d) plain Cartesian conversions (for the gate), ``var`` (k,) ``tr Rc``;
    ``z`` (k, d), ``R`` (k, d, d), ``sensor_m`` (k, 3) the measurements as given
    (position components); ``spent`` (k,) the plot already started a track (it pairs
    with none, but still counts as another plot's feasible partner); ``looks`` (k,)
    later looks of the sensor that covered the plot (whole numbers). ``d``: position
    axes; ``polar``: the kind.
    """

    def __init__(self, rows: F64, d: int, polar: bool) -> None:
        self.rows, self.d, self.polar = rows, d, polar
        self._at = _layout(d)

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    @classmethod
    def of(cls, raw: Measurements, cart: Measurements) -> PlotBuffer:
        """The plots ``raw`` (m rows, at their own times) with their conversions ``cart``."""
        d, m = raw.ndim, len(raw)
        at = _layout(d)
        rows = np.empty((m, at["looks"].stop))
        rows[:, 0] = raw.t_s if raw.dt_s is None else raw.t_s + raw.dt_s
        Rc = cart.R[:, :d, :d]
        rows[:, at["pos"]], rows[:, at["Rc"]] = cart.z[:, :d], Rc.reshape(m, d * d)
        rows[:, at["var"].start] = trace_of_block(Rc, d)
        rows[:, at["z"]], rows[:, at["R"]] = raw.z[:, :d], raw.R[:, :d, :d].reshape(m, d * d)
        rows[:, at["sensor_m"]], rows[:, at["spent"].start] = raw.sensor_m, 0.0
        rows[:, at["looks"].start] = 0.0
        return cls(rows, d, raw.kind == "polar")

    @property
    def t_s(self) -> F64:
        """(k,) plot times, s."""
        return self.rows[:, 0]

    @property
    def pos(self) -> F64:
        """(k, d) plain Cartesian positions, m."""
        return self.rows[:, self._at["pos"]]

    @property
    def Rc(self) -> F64:
        """(k, d, d) their covariances, m^2."""
        return self.rows[:, self._at["Rc"]].reshape(-1, self.d, self.d)

    @property
    def var(self) -> F64:
        """(k,) ``tr Rc``, m^2."""
        return self.rows[:, self._at["var"].start]

    @property
    def z(self) -> F64:
        """(k, d) the measurements as given (position components)."""
        return self.rows[:, self._at["z"]]

    @property
    def R(self) -> F64:
        """(k, d, d) their covariances."""
        return self.rows[:, self._at["R"]].reshape(-1, self.d, self.d)

    @property
    def sensor_m(self) -> F64:
        """(k, 3) sensor positions, m."""
        return self.rows[:, self._at["sensor_m"]]

    @property
    def looks(self) -> I64:
        """(k,) later looks of the sensor that covered each plot."""
        return self.rows[:, self._at["looks"].start].astype(np.int64)

    @property
    def spent(self) -> B:
        """(k,) plots that already started a track."""
        return self.rows[:, self._at["spent"].start] > 0.0

    def spend(self, idx: I64 | B) -> None:
        """The plots ``idx`` started a track (in place)."""
        self.rows[idx, self._at["spent"].start] = 1.0

    def covered(self, seen: B) -> None:
        """One more look covered the plots ``seen`` (k,) (in place)."""
        self.rows[:, self._at["looks"].start] += seen

    def select(self, idx: I64 | B | slice) -> PlotBuffer:
        """The rows ``idx`` (a slice: a view)."""
        return PlotBuffer(self.rows[idx], self.d, self.polar)

    def concat(self, other: PlotBuffer) -> PlotBuffer:
        """Rows of this buffer then ``other``'s (same kind; either itself if the other
        is empty)."""
        if len(self) == 0:
            return other
        if len(other) == 0:
            return self
        return PlotBuffer(np.concatenate([self.rows, other.rows]), self.d, self.polar)

    def log_volume(self, idx: I64) -> F64:
        """``ln |d cart / d polar|`` of the plots ``idx`` (0 if Cartesian): a density
        per unit Cartesian volume times it is one per unit polar volume."""
        if not self.polar:
            return np.zeros(idx.shape[0])
        r = self.z[idx, 0]
        return np.log(r * r * np.cos(self.z[idx, 2])) if self.d == 3 else np.log(r)

    def raw(self, idx: I64) -> Measurements:
        """The rows ``idx`` as measurements at their own times."""
        return Measurements(
            t_s=self.t_s[idx], z=self.z[idx], R=self.R[idx], sensor_m=self.sensor_m[idx],
            kind="polar" if self.polar else "cartesian", ndim=self.d,
        )  # fmt: skip
