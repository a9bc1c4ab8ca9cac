"""Which plots made each two-point track: cross-target pairs in a scenario.

Runs a scenario (preset name or YAML path) for some seeds with the tracker's initiation
and update steps wrapped (this script only: the library is not changed) and matches
each pair's plots, and each later update's plot, to the run's detections (radar, time,
range: their ``truth_id``). Prints per seed the confirmed pair tracks, how many paired
plots of two truth ids (a formation's neighbours; ``-1`` is a false alarm), whether
the pair was ambiguous (a plot with another feasible partner), and the velocity error
at confirmation in the track's own sigmas (largest axis); with ``--track`` the pair,
its first updates and the plots of the birth's look of one track.

    python bench/pair_diagnosis.py [--scenario s400-vs-mixed-raid] [--seeds 1 2 3]
        [--track ID] [--updates 6] [--list] [--tracker tracker.yaml]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from iadsim.frames import TrackStatus
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.sim.runner import RunResult, run_scenario
from iadsim.tracking import update as update_mod
from iadsim.tracking.buffer import PlotBuffer
from iadsim.tracking.initiation import Initiation, TwoPointInitiator
from iadsim.tracking.plot_pairs import Pending
from iadsim.tracking.tracker import Tracker


@dataclasses.dataclass
class Log:
    """What the wrapped steps saw: pairs, updates and the births' looks."""

    pairs: list[tuple[int, float, bool, float, float, float, float]] = dataclasses.field(
        default_factory=list
    )  # (track id, birth t, ambiguous, t1, range1, t2, range2)
    updates: list[tuple[int, float, float]] = dataclasses.field(default_factory=list)
    looks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = dataclasses.field(
        default_factory=dict
    )  # track id -> (buffered t, range; new t, range) of its birth's call
    thirds: dict[int, tuple[float, float]] = dataclasses.field(default_factory=dict)


def _log_thirds(log: Log, got: dict[str, Any], ids: np.ndarray, t_s: float) -> int:
    """Log the three-point births (they come first in a birth's ids); their count."""
    pend, new, th = got["pend"], got["new3"], got["third"]
    for k, r in enumerate(th.rows):
        tid = int(ids[k])
        log.pairs.append((tid, t_s, bool(th.amb[k]), float(pend.t1_s[r]),
                          float(pend.r1[r]), float(pend.t2_s[r]), float(pend.r2[r])))  # fmt: skip
        log.thirds[tid] = (float(new.t_s[th.j[k]]), float(new.z[th.j[k], 0]))
    return int(th.rows.shape[0])


@contextlib.contextmanager
def recording(log: Log) -> Iterator[None]:
    """Wrap :meth:`Initiation.births` and the tracker's updates to fill ``log``."""
    births0, look0 = Initiation.births, Tracker._look
    update0 = update_mod.update_associated
    gate0, third0 = TwoPointInitiator.gate, TwoPointInitiator.third
    got: dict[str, Any] = {}

    def gate(self: TwoPointInitiator, buf: PlotBuffer, new: PlotBuffer, *a: Any) -> Any:
        out = gate0(self, buf, new, *a)
        got.update(buf=buf, new=new, out=out)
        return out

    def third(self: TwoPointInitiator, pend: Pending, new: PlotBuffer, *a: Any) -> Any:
        out = third0(self, pend, new, *a)
        got.update(pend=pend, new3=new, third=out)
        return out

    def births(self: Initiation, *a: Any) -> Any:
        got.clear()
        res = births0(self, *a)
        if res is None:
            return res
        ids = res.book.track_id
        n = _log_thirds(log, got, ids, float(a[2])) if "third" in got else 0
        if "out" in got:
            buf, new, (i, j, amb) = got["buf"], got["new"], got["out"]
            mode = self.two_point.third_plot if self.two_point else "never"
            wait = amb if mode == "ambiguous" else np.full(i.shape, mode == "always")
            look = (buf.t_s.copy(), buf.z[:, 0].copy(), new.t_s.copy(), new.z[:, 0].copy())
            for k in (~wait).nonzero()[0]:
                tid = int(ids[n])
                n += 1
                log.pairs.append((tid, float(a[2]), bool(amb[k]), float(buf.t_s[i[k]]),
                                  float(buf.z[i[k], 0]), float(new.t_s[j[k]]),
                                  float(new.z[j[k], 0])))  # fmt: skip
                log.looks[tid] = look
        return res

    def look(self: Tracker, *a: Any) -> Any:
        got["tracker"] = self
        return look0(self, *a)

    def update(filt: Any, bank: Any, rows: Any, gp: Any, meas: Any, chosen: Any, *a: Any) -> Any:
        pair = np.concatenate([c.pair for c in chosen])
        ids = got["tracker"]._book.track_id[rows[gp.ti[pair]]]
        di = gp.di[pair]
        t = meas.t_s[di] + (0.0 if meas.dt_s is None else meas.dt_s[di])
        for tid, tt, r in zip(ids.tolist(), t.tolist(), meas.z[di, 0].tolist(), strict=True):
            log.updates.append((tid, tt, r))
        return update0(filt, bank, rows, gp, meas, chosen, *a)

    Initiation.births = births  # type: ignore[method-assign]
    Tracker._look = look  # type: ignore[method-assign]
    update_mod.update_associated = update
    TwoPointInitiator.gate = gate  # type: ignore[method-assign]
    TwoPointInitiator.third = third  # type: ignore[method-assign]
    try:
        yield
    finally:
        Initiation.births = births0  # type: ignore[method-assign]
        Tracker._look = look0  # type: ignore[method-assign]
        update_mod.update_associated = update0
        TwoPointInitiator.gate = gate0  # type: ignore[method-assign]
        TwoPointInitiator.third = third0  # type: ignore[method-assign]


class PlotIndex:
    """Detections by (range, time): a plot's row in the run's detections."""

    def __init__(self, res: RunResult) -> None:
        d = res.detections
        self.det = d
        self.order = np.argsort(d.range_m)
        self.r = d.range_m[self.order]

    def row(self, t_s: float, range_m: float) -> int:
        """The detection of that range nearest in time (-1 if none within 1 mm)."""
        lo = np.searchsorted(self.r, range_m - 1e-3)
        hi = np.searchsorted(self.r, range_m + 1e-3)
        rows = self.order[lo:hi]
        if rows.shape[0] == 0:
            return -1
        return int(rows[np.argmin(np.abs(self.det.t_s[rows] - t_s))])

    def truth(self, t_s: float, range_m: float) -> tuple[int, int]:
        """(radar id, truth id) of a plot."""
        k = self.row(t_s, range_m)
        return (-9, -9) if k < 0 else (int(self.det.radar_id[k]), int(self.det.truth_id[k]))


def confirmation_error(res: RunResult, tid: int, truth_id: int) -> tuple[float, float]:
    """(time, largest per-axis |velocity error| / sd) of track ``tid``'s first
    confirmed row against threat ``truth_id`` (nan if none)."""
    tr = res.tracks
    rows = np.flatnonzero((tr.track_id == tid) & (tr.status == TrackStatus.CONFIRMED))
    if rows.shape[0] == 0 or truth_id < 0:
        return float("nan"), float("nan")
    k = rows[np.argmin(tr.t_s[rows])]
    tru = res.truth
    mine = np.flatnonzero(tru.threat_id == truth_id)
    near = mine[np.argmin(np.abs(tru.t_s[mine] - tr.t_s[k]))]
    err = np.array([tr.ve_mps[k] - tru.ve_mps[near], tr.vn_mps[k] - tru.vn_mps[near],
                    tr.vu_mps[k] - tru.vu_mps[near]])  # fmt: skip
    sd = np.sqrt([tr.var_ve_m2ps2[k], tr.var_vn_m2ps2[k], tr.var_vu_m2ps2[k]])
    return float(tr.t_s[k]), float(np.max(np.abs(err) / sd))


def confirmed_ids(res: RunResult) -> set[int]:
    """Ids of the tracks ever confirmed."""
    tr = res.tracks
    return set(np.unique(tr.track_id[tr.status == TrackStatus.CONFIRMED]).tolist())


def report(res: RunResult, log: Log, show: bool) -> tuple[int, int, int, int]:
    """Print the seed's pair tracks; (confirmed pairs, two truth ids, of them
    ambiguous, of the rest ambiguous)."""
    idx, conf = PlotIndex(res), confirmed_ids(res)
    n = bad = bad_amb = ok_amb = 0
    for tid, t, amb, t1, r1, t2, r2 in log.pairs:
        if tid not in conf:
            continue
        (rad1, a), (rad2, b) = idx.truth(t1, r1), idx.truth(t2, r2)
        c = idx.truth(*log.thirds[tid])[1] if tid in log.thirds else b
        n += 1
        cross = a != b or c != b
        bad += cross
        bad_amb += cross and amb
        ok_amb += (not cross) and amb
        if show or cross:
            tc, sig = confirmation_error(res, tid, b)
            third = f" / {log.thirds[tid][0]:7.2f} truth {c:3d}" if tid in log.thirds else ""
            print(f"  track {tid:5d} born {t:7.1f} amb {amb:d} radar {rad1}/{rad2} plots"
                  f" {t1:7.2f} truth {a:3d} / {t2:7.2f} truth {b:3d}"
                  f"{third}{'  CROSS' if cross else ''}"
                  f"  confirmed {tc:7.1f} v err {sig:5.1f} sd")  # fmt: skip
    return n, bad, bad_amb, ok_amb


def detail(res: RunResult, log: Log, tid: int, n_updates: int) -> None:
    """The pair, first updates and the birth look's plots of track ``tid``."""
    idx = PlotIndex(res)
    for p in log.pairs:
        if p[0] == tid:
            _, t, amb, t1, r1, t2, r2 = p
            print(f"track {tid}: born {t:.2f} ambiguous {amb}")
            for tt, r in ((t1, r1), (t2, r2)):
                print(f"  pair plot t {tt:8.2f} range {r:9.0f} radar/truth {idx.truth(tt, r)}")
            if tid not in log.looks:
                continue
            bt, br, nt, nr = log.looks[tid]
            for name, ts, rs in (("buffered", bt, br), ("new", nt, nr)):
                tru = [idx.truth(a, b) for a, b in zip(ts, rs, strict=True)]
                real = [(f"{a:.2f}", f"{b:.0f}", x) for a, b, x in zip(ts, rs, tru, strict=True)
                        if x[1] >= 0]  # fmt: skip
                print(f"  {name}: {len(ts)} plots, of targets: {real}")
    ups = [u for u in log.updates if u[0] == tid][:n_updates]
    for _, tt, r in ups:
        print(f"  update plot t {tt:8.2f} range {r:9.0f} radar/truth {idx.truth(tt, r)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="s400-vs-mixed-raid")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    ap.add_argument("--track", type=int, help="detail one track (first seed)")
    ap.add_argument("--updates", type=int, default=6)
    ap.add_argument("--list", action="store_true", help="list every confirmed pair track")
    ap.add_argument("--tracker", type=Path, help="YAML file with a tracker block")
    args = ap.parse_args()
    data, file = read_scenario_yaml(args.scenario)
    if args.tracker:
        data["tracker"] = yaml.safe_load(args.tracker.read_text())
    sc = load_scenario_data(data, file=file)
    tot = np.zeros(4, int)
    for seed in args.seeds:
        log = Log()
        with recording(log):
            res = run_scenario(sc, seed=seed, record=False)
        print(f"seed {seed}:")
        got = report(res, log, args.list)
        tot += got
        print(f"  confirmed pair tracks {got[0]}, two truth ids {got[1]} (ambiguous {got[2]});"
              f" one truth id, ambiguous {got[3]}")  # fmt: skip
        if args.track is not None:
            detail(res, log, args.track, args.updates)
    print(
        f"total {args.scenario} seeds {args.seeds}: confirmed pair tracks {tot[0]},"
        f" two truth ids {tot[1]} (ambiguous {tot[2]}); one truth id, ambiguous {tot[3]}"
    )


if __name__ == "__main__":
    main()
