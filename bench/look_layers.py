"""How many "layers" would the tracker waves of a many-battery run need (issue #13)?

A wave is the looks the pipeline hands its tracker together between two reads of the
picture (:func:`iadsim.tracking.wave.step_looks`, ``Pipeline.flush``). A batched
tracker could process a *layer* of a wave's looks in one call if the looks commute:
at most one look per sensor (plot buffers and held tracks are per sensor) and no two
looks concerning the same track. This script runs ``bench_scaling.batteries(B)`` up to
``--until`` s and records, per tracker call, in the run's order:

* the wave it belongs to (``Pipeline.flush`` wrapped);
* the tracks it concerns: the ids of the rows ``tracking.looks.look_rows`` returns
  during the call (held by the look's sensor and in its coverage, extrapolated at
  constant velocity, or within pre-gate reach of one of its plots; for an empty look
  the rows ``look_seen`` starts from, before its exact prediction: a superset), plus
  the ids of the tracks the call starts (a later look that concerns one of those
  conflicts with it);
* its plots in Cartesian (``standard_conversion``) with ``tr R`` and their own times.

It then cuts each wave into layers two ways and prints the distributions:

* ``in order``: layers are consecutive runs of the wave's looks (greedy, which is
  optimal for a pairwise test), so processing layer after layer keeps time order;
* ``levelled``: a look goes to the layer after the last earlier look it conflicts
  with (a dependency level); looks move ahead of earlier looks they commute with,
  which needs a tracker that keeps each track's time (an upper bound on the gain).

Conflict tests: ``sensor`` (one look per sensor and layer, nothing else: the bound
the waves' lengths set), ``ids`` (after the fact: shared concerned/started track ids, as
recorded one by one) and ``ids+plots`` (what a batched step can test before running:
shared concerned ids of tracks that existed, plus any two plots of the two looks within
``scale sqrt(2 (tr R_i + tr R_j)) + (v_max + scale sqrt(6) sigma_v) |t_j - t_i|``
(``t`` the plots' own times),
``scale`` the pre-gate radius, ``v_max`` the initiator's pairing speed bound and
``sigma_v`` its velocity prior: a started track's own velocity spread, ``(R1 + R2) /
dt^2`` of its pair, is not known before the look, so it is bounded by a velocity prior
of sigma_v per axis, which a pair of close plots can exceed); the script counts the
recorded "a later look concerns a track an earlier look of its wave started" cases that the
plot test misses (it should be 0). The concerned sets are those of the one-by-one run;
reordering looks that commute leaves them as they are.

Last, it replays the recorded calls one by one on fresh trackers (as
``bench_tracker_looks.py``, min CPU of ``--repeats``) for the CPU per look with plots
and without, and prints "N us/look one by one, ~N/K per look if the whole per-call
cost were shared by a layer of K looks".

Run: ``PYTHONPATH=src:bench python bench/look_layers.py [--batteries 16] [--until 600]``
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from typing import Any

import numpy as np
from bench_scaling import batteries
from bench_tracker_looks import Call, replay
from numpy.typing import NDArray

import iadsim.sim.pipeline as pipeline_module
import iadsim.tracking.looks as looks_module
from iadsim.scenario.load import load_scenario_data
from iadsim.sim.runner import run_scenario
from iadsim.tracking.measurements import trace_of_block
from iadsim.tracking.tracker import Tracker

F64 = NDArray[np.float64]


@dataclasses.dataclass
class LookRec:
    """One tracker call as the layering needs it."""

    wave: int
    sensor: int
    t_s: float
    plots: bool
    old: frozenset[int]  # concerned ids of tracks that existed before the call
    born: frozenset[int]  # ids the call started
    z: F64  # (m, 3) plots, Cartesian
    r_var: F64  # (m,) tr R
    pt: F64  # (m,) plot times (a sector look's plots at their own times)


@dataclasses.dataclass
class Recording:
    """A recorded run: its looks, the tracker parts and calls, the layering constants."""

    looks: list[LookRec]
    parts: Any
    calls: list[Call]
    scale: float = 0.0
    v_max: float = 0.0  # the plot test's speed term (see the module doc)


def held_ids(tracker: Tracker, sensor_id: int | None) -> list[int]:
    """Ids of the live tracks ``sensor_id`` holds (all if None)."""
    book = tracker._book
    held = np.ones(tracker.n_tracks, bool)
    if sensor_id is not None:
        held &= (book.sensors & np.uint64(1 << int(sensor_id))) != 0
    return list(book.track_id[held].tolist())


def record(b: int, until_s: float, seed: int | None) -> Recording:
    """Run ``batteries(b)`` for ``until_s`` s with the tracker and the pipeline wrapped."""
    rec = Recording([], None, [])
    cur: dict[str, Any] = {"wave": -1}
    init, step, miss = Tracker.__init__, Tracker.step, Tracker.miss
    flush, rows_of = pipeline_module.Pipeline.flush, looks_module.look_rows

    def rec_init(self: Tracker, **kw: Any) -> None:
        rec.parts = kw["parts"]
        init(self, **kw)

    def rec_flush(self: Any) -> Any:
        cur["wave"] += 1
        cur["in_flush"] = True
        try:
            return flush(self)
        finally:
            cur["in_flush"] = False

    def rec_rows(bank: Any, dt_s: F64, d: int, **kw: Any) -> Any:
        out = rows_of(bank, dt_s, d, **kw)
        tr: Tracker = cur["tracker"]
        cur["ids"].update(tr._book.track_id[out].tolist())
        plots = kw.get("plots")
        if plots is not None and len(plots):
            cur["z"].append(np.asarray(plots.z[:, :d], float))
            cur["r"].append(trace_of_block(plots.R, d))
            cur["t"].append(plots.t_s + (0.0 if plots.dt_s is None else plots.dt_s))
            rec.scale = max(rec.scale, float(kw.get("scale", 0.0)))
        return out

    def call(self: Tracker, kind: str, det: Any, t_s: float, kw: dict[str, Any]) -> Any:
        if not cur.get("in_flush"):
            raise RuntimeError("a tracker call outside Pipeline.flush")
        cur.update(tracker=self, ids=set(), z=[], r=[], t=[])
        first = self._next_id
        if kind == "step":
            out = step(self, det, t_s, **kw)
        else:
            out = miss(self, t_s, **kw)
            if kw.get("observed") is None:  # (seen = held, no look_rows)
                cur["ids"].update(held_ids(self, kw.get("sensor_id")))
        rec.calls.append((kind, det, t_s, kw))
        born = frozenset(range(first, self._next_id))
        z = np.concatenate(cur["z"]) if cur["z"] else np.zeros((0, 3))
        r = np.concatenate(cur["r"]) if cur["r"] else np.zeros(0)
        pt = np.concatenate(cur["t"]) if cur["t"] else np.zeros(0)
        sid = kw.get("sensor_id")
        old = frozenset(cur["ids"]) - born
        sensor = -1 if sid is None else int(sid)
        rec.looks.append(LookRec(cur["wave"], sensor, t_s, kind == "step", old, born, z, r, pt))
        return out

    def rec_step(self: Tracker, det: Any, t_s: float, **kw: Any) -> Any:
        return call(self, "step", det, t_s, kw)

    def rec_miss(self: Tracker, t_s: float, **kw: Any) -> Any:
        return call(self, "miss", None, t_s, kw)

    data = batteries(b)
    data["simulation"]["duration_s"] = until_s
    scenario = load_scenario_data(data, file="batteries.yaml")
    Tracker.__init__, Tracker.step, Tracker.miss = rec_init, rec_step, rec_miss  # type: ignore[method-assign]
    pipeline_module.Pipeline.flush = rec_flush  # type: ignore[method-assign]
    looks_module.look_rows = rec_rows  # type: ignore[assignment]
    try:
        run_scenario(scenario, seed=seed, record=False, limits=None)
    finally:
        Tracker.__init__, Tracker.step, Tracker.miss = init, step, miss  # type: ignore[method-assign]
        pipeline_module.Pipeline.flush = flush  # type: ignore[method-assign]
        looks_module.look_rows = rows_of
    ini = rec.parts.initiator
    sigma_v = float(getattr(ini, "velocity_sigma_mps", 400.0))
    rec.v_max = float(getattr(ini, "max_speed_mps", 1200.0)) + rec.scale * math.sqrt(6) * sigma_v
    return rec


def plots_near(a: LookRec, b: LookRec, scale: float, v_max: float) -> bool:
    """Whether a plot of ``a`` and one of ``b`` lie within reach of each other."""
    if not a.z.shape[0] or not b.z.shape[0]:
        return False
    diff = a.z[:, None, :] - b.z[None, :, :]
    dist = np.sqrt((diff * diff).sum(axis=-1))
    reach = scale * np.sqrt(2.0 * (a.r_var[:, None] + b.r_var[None, :]))
    return bool((dist <= reach + v_max * np.abs(b.pt[None, :] - a.pt[:, None])).any())


class Conflicts:
    """Pairwise conflicts of a wave's looks (``i < j``, the order of the run)."""

    def __init__(self, wave: list[LookRec], test: str, scale: float, v_max: float):
        self.wave, self.test, self.scale, self.v_max = wave, test, scale, v_max

    def __call__(self, i: int, j: int) -> bool:
        a, b = self.wave[i], self.wave[j]
        if a.sensor == b.sensor:
            return True
        if self.test == "sensor":  # (the bound: one look per sensor and layer only)
            return False
        if a.old & b.old:
            return True
        if self.test == "ids+plots":
            return plots_near(a, b, self.scale, self.v_max)
        return bool(a.born & b.old)  # b concerns a track a started


def layers_in_order(n: int, conflict: Conflicts) -> list[list[int]]:
    """Greedy consecutive runs of pairwise compatible looks."""
    out: list[list[int]] = []
    cur: list[int] = []
    for j in range(n):
        if any(conflict(i, j) for i in cur):
            out.append(cur)
            cur = []
        cur.append(j)
    if cur:
        out.append(cur)
    return out


def layers_levelled(n: int, conflict: Conflicts) -> list[list[int]]:
    """Dependency levels: a look one layer after the last earlier look it conflicts with."""
    level = np.zeros(n, np.int64)
    for j in range(n):
        for i in range(j):
            if level[i] >= level[j] and conflict(i, j):
                level[j] = level[i] + 1
    out: list[list[int]] = [[] for _ in range(int(level.max()) + 1 if n else 0)]
    for j in range(n):
        out[int(level[j])].append(j)
    return out


def by_wave(looks: list[LookRec]) -> list[list[LookRec]]:
    """The recorded looks grouped by wave, in order."""
    waves: dict[int, list[LookRec]] = {}
    for lk in looks:
        waves.setdefault(lk.wave, []).append(lk)
    return list(waves.values())


def summarize(name: str, waves: list[list[LookRec]], layers: list[list[list[int]]]) -> str:
    """One table row: looks, layers, mean/median/p10 layer size, share of looks alone in a layer,
    and the same for the looks with plots only and those without."""
    sizes, plot_sizes, empty_sizes, alone = [], [], [], 0
    for wave, lay in zip(waves, layers, strict=True):
        for layer in lay:
            sizes.append(len(layer))
            alone += len(layer) == 1
            k = sum(wave[j].plots for j in layer)
            if k:
                plot_sizes.append(k)
            if len(layer) - k:
                empty_sizes.append(len(layer) - k)
    s, ps, es = np.asarray(sizes), np.asarray(plot_sizes), np.asarray(empty_sizes)
    n = int(s.sum())

    def mean(a: NDArray[np.int64]) -> float:
        return float(a.mean()) if a.shape[0] else 0.0

    per_wave = np.asarray([len(lay) for lay in layers])
    return (
        f"{name:33s} {n:6d} {s.shape[0]:6d} {mean(s):6.2f} {np.median(s):4.0f} "
        f"{np.percentile(s, 10):4.0f} {alone / n:6.1%} {per_wave.mean():5.2f} "
        f"{per_wave.max():4d} | with plots {int(ps.sum()):6d} in "
        f"{ps.shape[0]:5d} ({mean(ps):5.2f}) | without {int(es.sum()):6d} in "
        f"{es.shape[0]:5d} ({mean(es):5.2f})"
    )


def only(waves: list[list[LookRec]], plots: bool) -> list[list[LookRec]]:
    """The waves with only the looks with (or without) plots."""
    return [w for w in ([lk for lk in wave if lk.plots == plots] for wave in waves) if w]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batteries", type=int, default=16)
    ap.add_argument("--until", type=float, default=600.0, help="run length, s")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rec = record(args.batteries, args.until, args.seed)
    waves = by_wave(rec.looks)
    w = np.asarray([len(x) for x in waves])
    print(
        f"batteries {args.batteries}, {args.until:g} s: {len(rec.looks)} looks "
        f"({sum(lk.plots for lk in rec.looks)} with plots) in {w.shape[0]} waves, size "
        f"mean {w.mean():.1f} median {np.median(w):.0f} p90 {np.percentile(w, 90):.0f} max "
        f"{w.max()} ({int(w[w <= 4].sum())} looks in waves of 4 or fewer); pre-gate scale "
        f"{rec.scale:.2f}, plot test speed {rec.v_max:.0f} m/s"
    )
    missed = born_hits = 0  # started-track conflicts, and those the plot test misses
    for wave in waves:
        for j, b in enumerate(wave):
            for a in wave[:j]:
                if a.sensor != b.sensor and a.born & b.old:
                    born_hits += 1
                    missed += not plots_near(a, b, rec.scale, rec.v_max)
    print(f"later look concerns a track an earlier look of its wave started: {born_hits} "
          f"pairs (other sensor), {missed} not caught by the plot test")  # fmt: skip
    print(f"{'layering':33s} {'looks':>6s} {'layers':>6s} {'mean':>6s} {'med':>4s} "
          f"{'p10':>4s} {'alone':>6s} {'/wave':>5s} {'max':>4s} | looks in layers (mean per "
          f"layer that has some)")  # fmt: skip
    for order, cut in (("in order", layers_in_order), ("levelled", layers_levelled)):
        for test in ("sensor", "ids", "ids+plots"):
            for kind, ws in (("", waves), (", plots only", only(waves, True)),
                             (", no plots only", only(waves, False))):  # fmt: skip
                lay = [cut(len(x), Conflicts(x, test, rec.scale, rec.v_max)) for x in ws]
                print(summarize(f"{order} {test}{kind}", ws, lay))
    runs = [replay(rec.parts, rec.calls) for _ in range(args.repeats)]
    plots_s, empty_s, n_plots, n_empty, digest = min(runs, key=lambda r: r[0] + r[1])
    per_p, per_e = 1e6 * plots_s / max(n_plots, 1), 1e6 * empty_s / max(n_empty, 1)
    print(
        f"one by one (min of {args.repeats}): {n_plots} looks with plots {per_p:.0f} us/look "
        f"({plots_s:.2f} s), {n_empty} without {per_e:.0f} us/look ({empty_s:.2f} s); "
        f"digest {digest}"
    )


if __name__ == "__main__":
    main()
