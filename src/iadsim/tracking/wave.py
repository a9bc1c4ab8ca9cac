"""Many looks handed to the tracker at once (a *wave*), with what each look returned.

A run's radars make tens of looks between two reads of the track picture (a C2
cycle, a cue, a launch commit, an intercept): nothing outside the tracker depends on
a look's tracker result before the next read. :func:`step_looks` takes such a wave and
returns, per look, exactly what :meth:`Tracker.step <iadsim.tracking.tracker.Tracker.step>`
(a look with plots, ``batch=True``) or :meth:`Tracker.miss
<iadsim.tracking.tracker.Tracker.miss>` (a look without) would have returned and left
behind (``last_hit_ids``, ``last_hit_t_s``, ``last_changes``, ``n_tracks``): the
looks are processed in their order, in layers of looks of distinct sensors
(:mod:`iadsim.tracking.layers`) with the same results as one by one
(:func:`step_one_by_one`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from iadsim.frames import Detections, Tracks
from iadsim.tracking import layers
from iadsim.tracking.births import Planned
from iadsim.tracking.looks import Observed
from iadsim.tracking.management import TrackBook
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.roles import FilterState

if TYPE_CHECKING:
    from iadsim.tracking.tracker import Tracker

__all__ = ["MIN_LAYER_LOOKS", "Look", "LookResult", "step_looks", "step_one", "step_one_by_one"]

#: Looks with plots a layer needs for :func:`step_layer` (fewer: one by one). Its
#: per-layer work costs more than it saves on small layers: the default preset's
#: layers (3 radars, 2.9 looks a layer) took 16% more tracker CPU layered than one
#: by one (bench/bench_layers.py, 1,800 s).
MIN_LAYER_LOOKS = 6


@dataclasses.dataclass(frozen=True)
class Look:
    """One look of one sensor: its plots (``detections``, each at its own time; may be
    empty), the look's time ``t_s``, the sensor and its coverage predicate, and whether
    the tracker returns only the rows that changed (``changes_only``)."""

    detections: Detections
    t_s: float
    sensor_id: int | None
    observed: Observed | None
    changes_only: bool = True


@dataclasses.dataclass(frozen=True)
class LookResult:
    """What the tracker returned for one look (``tracks``) and left behind after it:
    the ids it updated and each update's plot time, the rows of ``tracks`` that carry
    news (``changes``) and the number of live tracks."""

    tracks: Tracks
    hit_ids: NDArray[np.int64]
    hit_t_s: NDArray[np.float64]
    changes: NDArray[np.bool_]
    n_tracks: int


def step_looks(tracker: Tracker, wave: Sequence[Look]) -> list[LookResult]:
    """Process the looks of ``wave`` in order, in layers; one :class:`LookResult` per
    look, exactly as :func:`step_one_by_one`."""
    if not layers.layered(tracker):
        return step_one_by_one(tracker, wave)
    out: list[LookResult] = []
    for part in layers.cut_layers(wave):
        out.extend(step_layer(tracker, wave[part]))
    return out


def step_one_by_one(tracker: Tracker, wave: Sequence[Look]) -> list[LookResult]:
    """Process the looks of ``wave`` in order, one by one; one result per look."""
    return [step_one(tracker, look) for look in wave]


def step_one(tracker: Tracker, look: Look) -> LookResult:
    """``Tracker.step`` (a look with plots, ``batch``) or ``Tracker.miss`` of ``look``."""
    if len(look.detections):
        tracks = tracker.step(
            look.detections, look.t_s, observed=look.observed, sensor_id=look.sensor_id,
            batch=True, changes_only=look.changes_only,
        )  # fmt: skip
    else:
        tracks = tracker.miss(look.t_s, observed=look.observed, sensor_id=look.sensor_id)
    return LookResult(tracks, tracker.last_hit_ids, tracker.last_hit_t_s,
                      tracker.last_changes, tracker.n_tracks)  # fmt: skip


def step_layer(tracker: Tracker, layer: Sequence[Look]) -> list[LookResult]:
    """The looks of ``layer`` (of :func:`~iadsim.tracking.layers.cut_layers`) in order,
    one result per look, exactly as one by one (:mod:`iadsim.tracking.layers`)."""
    plot_looks = [k for k, look in enumerate(layer) if len(look.detections)]
    if len(plot_looks) < MIN_LAYER_LOOKS:
        return [step_one(tracker, look) for look in layer]
    sub = [layer[k] for k in plot_looks]
    pl = layers.layer_plots(tracker, [look.detections for look in sub], [look.t_s for look in sub])
    gate, n0 = tracker.parts.gate, tracker.n_tracks
    scale = gate.pregate_margin * math.sqrt(gate.gamma(pl.nz))
    fits = pl.full & (n0 * pl.sizes <= layers.ALL_PAIRS_MAX)
    which = np.where(fits, np.cumsum(pl.full) - 1, -1)  # (a look's row in pl's summaries)
    busy = ~fits | _concerned(sub, pl, which, scale, tracker.live_tracks())
    t0 = tracker.t_now  # (a look before it is out of order, its births none)
    plans = tracker.plan_births(
        pl.raw, pl.cart, pl.sizes, [look.t_s for look in sub],
        [1 << int(look.sensor_id or 0) for look in sub], [look.observed for look in sub],
        [j for j in range(len(sub)) if not busy[j] and sub[j].t_s >= t0],
    )  # fmt: skip
    born = _born_concern(sub, pl, which, scale, plans)
    out, at = [], dict(zip(plot_looks, range(len(sub)), strict=True))
    for k, look in enumerate(layer):
        j = at.get(k)
        plan = None
        if j is None or not fits[j]:
            out.append(step_one(tracker, look))
        else:
            quiet = not busy[j] and _in_order(tracker, look, pl.carts[j])
            plan = plans.get(j) if quiet else None
            out.append(_step(tracker, look, pl.raws[j], pl.carts[j], quiet, plan))
        if j is None or j + 1 == len(sub):
            continue
        later = slice(j + 1, len(sub))
        if plan is not None:  # (it moved no track and started its plan's births)
            if j in born:
                busy[later] |= born[j][later]
        elif tracker.last_moved_ids.shape[0]:
            busy[later] |= _concerned(sub[later], pl, which[later], scale,
                                      tracker.live_tracks(tracker.last_moved_ids))  # fmt: skip
    return out


def _born_concern(
    sub: Sequence[Look], pl: layers.LayerPlots, which: NDArray[np.int64], scale: float,
    plans: dict[int, Planned],
) -> dict[int, NDArray[np.bool_]]:  # fmt: skip
    """Per look ``j`` whose plan starts tracks, (K,) the looks its new tracks concern
    (:func:`_concerned` of them right after look ``j``, for all looks at once)."""
    got = [(j, b) for j in sorted(plans) if (b := plans[j].births) is not None]
    if not got:
        return {}
    bank = FilterState(x=np.concatenate([b.x for _, b in got]),
                       P=np.concatenate([b.P for _, b in got]))  # fmt: skip
    t_s, bits = (np.concatenate([getattr(b.book, f) for _, b in got]) for f in ("t_s", "sensors"))
    book = TrackBook.new(np.zeros(t_s.shape[0], np.int64), t_s, 0.0, bits)
    conc = layers.concerned(
        bank, book, pl.d, np.array([look.t_s for look in sub], dtype=float),
        np.array([1 << int(look.sensor_id or 0) for look in sub], dtype=np.uint64),
        [look.observed for look in sub], pl, which, scale,
    )  # fmt: skip
    first = np.cumsum([0] + [b.x.shape[0] for _, b in got])[:-1]
    per = np.logical_or.reduceat(conc, first, axis=1)  # (K, looks with births)
    return {j: per[:, c] for c, (j, _) in enumerate(got)}


def _concerned(
    sub: Sequence[Look], pl: layers.LayerPlots, which: NDArray[np.int64], scale: float,
    tracks: tuple[FilterState, TrackBook],
) -> NDArray[np.bool_]:  # fmt: skip
    """(K,) whether each look concerns one of the live ``tracks`` (states, book) as
    they are now (:func:`~iadsim.tracking.layers.concerned`; ``which``: its row in
    ``pl``)."""
    bank, book = tracks
    conc = layers.concerned(
        bank, book, pl.d, np.array([look.t_s for look in sub], dtype=float),
        np.array([1 << int(look.sensor_id or 0) for look in sub], dtype=np.uint64),
        [look.observed for look in sub], pl, which, scale,
    )  # fmt: skip
    return np.asarray(conc.any(axis=1))


def _in_order(tracker: Tracker, look: Look, cart: Measurements) -> bool:
    """Whether ``look``'s step takes the usual path: in time order, the pairwise
    refinement of :func:`~iadsim.tracking.gating.near_plots` for every track."""
    return look.t_s >= tracker.t_now and tracker.n_tracks * len(cart) <= layers.ALL_PAIRS_MAX


def _step(
    tracker: Tracker, look: Look, raw: Measurements, cart: Measurements, quiet: bool,
    plan: Planned | None,
) -> LookResult:  # fmt: skip
    """``Tracker.step`` of a look with plots (``batch``), its plots converted already
    (``raw``: the valid ones, ``cart``: their conversion), without its search for the
    tracks it concerns when ``quiet`` (it concerns none), its births ``plan``ned."""
    tracks = tracker.step_plots(
        raw, cart, look.t_s, n_detections=len(look.detections), observed=look.observed,
        sensor_id=int(look.sensor_id or 0), quiet=quiet, plan=plan,
        changes_only=look.changes_only,
    )  # fmt: skip
    return LookResult(tracks, tracker.last_hit_ids, tracker.last_hit_t_s,
                      tracker.last_changes, tracker.n_tracks)  # fmt: skip
