"""Evaluation of a run against truth: which threat each track follows, and when.

Everything here reads truth and exists only for the summary and the engagement log's
evaluation columns; no decision stage ever sees it (the pipeline hands decisions a
:class:`~iadsim.picture.TrackPicture` built from tracks alone).

Per-update association: at every radar dwell, each live track is attributed to the
nearest living threat within :data:`TRACK_TRUTH_GATE_M` of its estimate at that time
among the threats some radar has already detected (a track cannot follow a threat that
never produced a plot: the neighbour of a formation member is not credited with its
track), or to none. Per threat this gives the first firm track, the first fire-control
track (a track attributed to it that an engagement radar updated) and, for each salvo,
the threat its track followed at launch.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Tracks, TrackStatus, Truth

__all__ = ["TRACK_TRUTH_GATE_M", "Evaluation", "nearest_threat"]

F = NDArray[np.float64]

#: A track is attributed to the nearest living threat within this distance, m.
TRACK_TRUTH_GATE_M = 10_000.0


def nearest_threat(
    pos_m: F, truth: Truth, gate_m: float = TRACK_TRUTH_GATE_M,
    eligible: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:  # fmt: skip
    """Threat id (T,) nearest to each position (T, 3) among living threats (and, if
    given, ``eligible[threat_id]`` ones), -1 beyond ``gate_m`` or when there is none."""
    out = np.full(pos_m.shape[0], -1, dtype=np.int64)
    alive = truth.alive
    if eligible is not None:
        alive = alive & eligible[truth.threat_id]
    if pos_m.shape[0] == 0 or not alive.any():
        return out
    tp = truth.pos_m()[alive]
    d = np.sqrt(np.sum((pos_m[:, None, :] - tp[None, :, :]) ** 2, axis=-1))
    j = d.argmin(axis=1)
    ok = d[np.arange(j.size), j] <= gate_m
    out[ok] = truth.threat_id[alive][j[ok]]
    return out


@dataclasses.dataclass
class Evaluation:
    """Per-run evaluation state (truth side), updated at every dwell."""

    n_threats: int
    radar_pos_m: F
    track_threat: dict[int, int] = dataclasses.field(default_factory=dict)
    detected: NDArray[np.bool_] = dataclasses.field(init=False)
    first_track_t_s: F = dataclasses.field(init=False)
    first_track_range_m: F = dataclasses.field(init=False)
    first_fc_t_s: F = dataclasses.field(init=False)
    first_fc_range_m: F = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        n = self.n_threats
        self.detected = np.zeros(n, dtype=bool)
        self.first_track_t_s, self.first_track_range_m = np.full(n, np.nan), np.full(n, np.nan)
        self.first_fc_t_s, self.first_fc_range_m = np.full(n, np.nan), np.full(n, np.nan)

    def note_plots(self, truth_id: NDArray[np.int64]) -> None:
        """Threats that produced a plot (``truth_id`` of a dwell's detections)."""
        ok = truth_id[(truth_id >= 0) & (truth_id < self.n_threats)]
        self.detected[ok] = True

    def observe(
        self, tracks: Tracks, truth: Truth, t_s: float, hit_ids: NDArray[np.int64],
        radar_id: int, fire_control: bool,
    ) -> None:  # fmt: skip
        """Attribute the live ``tracks`` of a dwell at ``t_s`` to threats; note first
        firm and first fire-control tracks (``hit_ids``: tracks the dwell updated)."""
        live = tracks.status != TrackStatus.DELETED
        if not live.any():
            return
        ids, pos = tracks.track_id[live], tracks.pos_m()[live]
        threat = nearest_threat(pos, truth, eligible=self.detected)
        self.track_threat.update(zip(ids.tolist(), threat.tolist(), strict=True))
        firm = tracks.status[live] != TrackStatus.TENTATIVE
        rng_all = np.sqrt(np.sum((pos[:, None, :] - self.radar_pos_m[None]) ** 2, axis=-1))
        self._first(self.first_track_t_s, self.first_track_range_m, threat[firm],
                    rng_all[firm].min(axis=1), t_s)  # fmt: skip
        if fire_control and hit_ids.size:
            hit = np.isin(ids, hit_ids)
            self._first(self.first_fc_t_s, self.first_fc_range_m, threat[hit],
                        rng_all[hit, radar_id], t_s)  # fmt: skip

    @staticmethod
    def _first(t_out: F, r_out: F, threat: NDArray[np.int64], rng_m: F, t_s: float) -> None:
        for th, r in zip(threat.tolist(), rng_m.tolist(), strict=True):
            if th >= 0 and np.isnan(t_out[th]):
                t_out[th], r_out[th] = t_s, r

    def threats_of(self, track_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """The threat each track was last attributed to (-1: none or never seen)."""
        return np.array([self.track_threat.get(int(i), -1) for i in track_id], dtype=np.int64)
