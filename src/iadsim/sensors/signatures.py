"""Per-threat radar signatures: which RCS table, Swerling case and RCS offset a threat has.

:class:`TargetSignatures` is built once per run (from the scenario's threats) and
looked up by threat id on every dwell, so :meth:`TargetSignatures.positions` has
a fast path for the usual dense ids ``0 .. n-1``.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors.rcs import RcsLibrary

__all__ = ["TargetSignatures"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TargetSignatures:
    """Which RCS table and Swerling case each threat uses.

    Attributes
    ----------
    threat_id : ndarray of int64, shape (n,)
        Threat ids (any order, unique).
    table_index : ndarray of int64, shape (n,)
        Index into the radar's :class:`RcsLibrary` for each threat.
    swerling : ndarray of int64, shape (n,)
        Swerling case (0-4) for each threat.
    rcs_scale_db : ndarray of float64, shape (n,), optional
        Per-threat offset added to the table's dBsm (default 0).
    """

    threat_id: I64
    table_index: I64
    swerling: I64
    rcs_scale_db: F | None = None

    def __post_init__(self) -> None:
        ids = np.asarray(self.threat_id, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        if self.rcs_scale_db is None:
            object.__setattr__(self, "rcs_scale_db", np.zeros(ids.shape))
        for name in ("threat_id", "table_index", "swerling", "rcs_scale_db"):
            dtype = np.float64 if name == "rcs_scale_db" else np.int64
            arr = np.asarray(getattr(self, name), dtype=dtype)
            if arr.shape != ids.shape:
                raise ValueError(f"TargetSignatures.{name}: length {arr.shape} != {ids.shape}")
            object.__setattr__(self, name, arr[order])
        if np.any(np.diff(self.threat_id) == 0):
            raise ValueError("TargetSignatures.threat_id: ids must be unique")

    @functools.cached_property
    def rcs_scale_linear(self) -> F:
        """``10^(rcs_scale_db / 10)`` per threat (same order as ``threat_id``)."""
        scale = self.rcs_scale_db if self.rcs_scale_db is not None else np.zeros(0)
        return np.asarray(10.0 ** (scale / 10.0))

    @functools.cached_property
    def _dense(self) -> bool:
        """True when the (sorted) ids are exactly 0 .. n-1 (a position is the id)."""
        n = self.threat_id.shape[0]
        return bool(n == 0 or (self.threat_id[0] == 0 and self.threat_id[-1] == n - 1))

    def positions(self, threat_id: ArrayLike) -> I64:
        """Index of each id into the signature arrays; unknown ids raise ``ValueError``."""
        ids = np.asarray(threat_id, dtype=np.int64)
        n = self.threat_id.shape[0]
        if self._dense and (ids.size == 0 or (ids.min() >= 0 and ids.max() < n)):
            return ids
        pos = np.clip(np.searchsorted(self.threat_id, ids), 0, max(n - 1, 0))
        if ids.size and (n == 0 or np.any(self.threat_id[pos] != ids)):
            missing = np.setdiff1d(ids, self.threat_id)
            raise ValueError(f"TargetSignatures: no signature for threat ids {missing[:10]}")
        return np.asarray(pos, dtype=np.int64)

    @classmethod
    def from_tables(
        cls,
        threat_id: ArrayLike,
        table_index: ArrayLike,
        library: RcsLibrary,
        swerling: ArrayLike | None = None,
        rcs_scale_db: ArrayLike | None = None,
    ) -> TargetSignatures:
        """Signatures taking each table's Swerling case unless ``swerling`` is given."""
        tab = np.asarray(table_index, dtype=np.int64)
        sw = library.swerling[tab] if swerling is None else np.asarray(swerling, dtype=np.int64)
        scale = None if rcs_scale_db is None else np.asarray(rcs_scale_db, dtype=np.float64)
        return cls(
            threat_id=np.asarray(threat_id, dtype=np.int64),
            table_index=tab,
            swerling=sw,
            rcs_scale_db=scale,
        )

    def lookup(self, threat_id: ArrayLike) -> tuple[I64, I64, F]:
        """(table_index, swerling, rcs_scale_db) for each id; unknown ids raise."""
        ids = np.asarray(threat_id, dtype=np.int64)
        if ids.size == 0:
            return np.zeros(ids.shape, np.int64), np.zeros(ids.shape, np.int64), np.zeros(0)
        pos = self.positions(ids)
        scale = self.rcs_scale_db if self.rcs_scale_db is not None else np.zeros(len(ids))
        return self.table_index[pos], self.swerling[pos], scale[pos]
