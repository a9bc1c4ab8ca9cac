"""Why the civil-surveillance tracker's NEES on real traffic is high: a breakdown.

Runs the real-traffic presets (``real-traffic``, Paris, development recording;
``real-traffic-zurich``, held out), feeds their plots to the shipped
civil-surveillance tracker as ``bench/bench_real_traffic.py`` does, and splits the
track-life NEES (:func:`iadsim.analysis.metrics.track_life_nees`, 3-D, position and
velocity: 6 dof) into position (3 dof) and velocity (3 dof) parts, by flight phase
of the truth (turn: >= 1 deg/s, :func:`~iadsim.analysis.metrics.manoeuvre.turn_rate_rad_s`;
climb/descent: |vertical speed| >= 2.5 m/s, 500 ft/min; else straight), by track age
(time since the track's first scored row), coasting rows, and per track (mean of the
tracks' time-averaged NEES, with and without the worst 5% of tracks, and the median).

Each block is computed twice: against the truth's instantaneous velocity (the
replay's finite difference of consecutive ADS-B reports) and against its mean
velocity over a window (``--window``, default 20 s; ``truth_vel_window_s``). A
consistent filter has mean NEES ~ dof and median ~ the chi-square median (6 dof:
5.35; 3 dof: 2.37). Also printed: the recorded ADS-B velocity (ground speed and
track, GNSS) against the replay's velocity, which shows the replay's velocity noise.

``--repaired`` asks what the tracker would score on a truth without the recordings'
time-stamp errors (a what-if, not the replay's own cleaning): each recording is
rewritten with every flight's positions replaced by its recorded ground velocity
(ground speed and track, GNSS) integrated over time, plus the running median over
+-30 s of the recorded positions' offset from that integral (:func:`repair`), and
the preset is run on the copy; GOSPA and tracks per aircraft of the shipped
configuration and of Stone Soup's best CV/GNN (``bench_real_traffic.SS_BEST``) are
printed for the original and the repaired truth.

Run: ``python bench/nees_real_traffic.py`` (~30 s CPU; ``--recording paris``;
``--repaired``: ~3 min, most of it Stone Soup).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_real_traffic import RECORDINGS, SS_BEST, load_recording, run_iadsim, run_stonesoup, score

from iadsim.analysis.metrics import track_life_nees
from iadsim.analysis.metrics.align import interpolate_truth
from iadsim.analysis.metrics.lifenees import LifeNees, windowed_velocity
from iadsim.analysis.metrics.manoeuvre import turn_rate_rad_s
from iadsim.frames import Truth
from iadsim.scenario.load import load_scenario
from iadsim.scenario.schema_truth import load_flights, recording_path

F64 = NDArray[np.float64]
TURN_DEG_S = 1.0
CLIMB_MPS = 2.5
AGE_BINS_S = (0.0, 0.1, 15.0, 60.0, 300.0, np.inf)


def row_truth(truth: Truth, ids: NDArray[np.int64], t_s: F64) -> tuple[F64, F64]:
    """Turn rate (deg/s) and vertical speed (m/s, 20 s mean) of each (truth id, time)."""
    live = truth.select(truth.alive)
    rate = np.degrees(turn_rate_rad_s(live.t_s, live.threat_id, live.e_m, live.n_m))
    r_id, r_t, r_val, _ = interpolate_truth(
        live.t_s, live.threat_id, rate[:, None], np.unique(t_s), tol_s=1e-6
    )
    lut = {
        (int(a), round(float(b), 6)): float(v)
        for a, b, v in zip(r_id, r_t, r_val[:, 0], strict=True)
    }
    turn = np.array(
        [lut.get((int(a), round(float(b), 6)), np.nan) for a, b in zip(ids, t_s, strict=True)]
    )
    vu = windowed_velocity(truth, ids, t_s, 20.0)[:, 2]
    return turn, vu


def adsb_check(recording: str, truth: Truth) -> str:
    """Replay velocity vs recorded ADS-B ground speed/track at the truth samples (m/s rms)."""
    flights = load_flights(load_scenario(RECORDINGS[recording]).threats[0].motion)
    t0 = float(flights.t_s.min())
    live = truth.select(truth.alive)
    ref = np.full((len(live), 2), np.nan)
    for k in np.unique(live.threat_id).tolist():  # one flight per threat id (replay order)
        a, b, sel = int(flights.start[k]), int(flights.start[k + 1]), live.threat_id == k
        tf, track = live.t_s[sel] + t0, np.radians(flights.track_deg[a:b])
        gs = np.interp(tf, flights.t_s[a:b], flights.groundspeed_mps[a:b])
        h = np.arctan2(
            np.interp(tf, flights.t_s[a:b], np.sin(track)),
            np.interp(tf, flights.t_s[a:b], np.cos(track)),
        )
        ref[sel] = np.c_[gs * np.sin(h), gs * np.cos(h)]
    win = windowed_velocity(truth, live.threat_id, live.t_s, 20.0)[:, :2]
    inst = live.vel_mps()[:, :2]

    def rms(x: F64) -> float:
        return float(np.sqrt(np.nanmean(np.sum(x * x, axis=1))))

    return (
        f"horizontal velocity vs recorded ADS-B ground speed/track, rms: replay (instantaneous) "
        f"{rms(inst - ref):.1f} m/s, replay 20 s mean {rms(win - ref):.1f} m/s"
    )


def repair(src: Path, dst: Path, half_window_s: float = 30.0, max_gap_s: float = 30.0) -> None:
    """Write ``src`` (bundled Parquet layout) to ``dst`` with repaired positions (module doc).

    Per aircraft and gap-free stretch: ``I(t)``, the trapezoid integral of the recorded
    ground velocity (east ``gs sin(track)``, north ``gs cos(track)``) from the first
    report; the new position is ``I(t_k)`` plus the median over reports within
    ``half_window_s`` of the offset ``p_j - I(t_j)`` of the recorded positions.
    Frozen reports (the previous position repeated) are left out of the integral and
    stay repeats, so the replay's cleaning keeps the same reports and flights.
    Altitudes and every other column are kept; reports without a ground velocity too.
    """
    table = pq.read_table(src)
    df = table.to_pandas()
    t = (df["timestamp"] - df["timestamp"].min()).dt.total_seconds().to_numpy()
    lat, lon = df["latitude"].to_numpy(float).copy(), df["longitude"].to_numpy(float).copy()
    gs = df["groundspeed"].to_numpy(float) * 0.514444  # kt, as declared in the bundled files
    trk = np.radians(df["track"].to_numpy(float))
    ac = df["icao24"].to_numpy()
    order = np.lexsort((t, ac))
    cut = np.flatnonzero((ac[order][1:] != ac[order][:-1]) | (np.diff(t[order]) > max_gap_s))
    r_m = 6_371_008.8
    for stretch in np.split(order, cut + 1):
        # frozen reports (the previous position repeated) stay repeats of their
        # predecessor, so that cleaning removes the same reports as in the original
        same = np.r_[False, (np.diff(lat[stretch]) == 0) & (np.diff(lon[stretch]) == 0)]
        ok = ~same & np.isfinite(gs[stretch] + trk[stretch])
        rows = stretch[ok]
        if rows.size < 3:
            continue
        k = np.cos(np.radians(lat[rows].mean()))
        p = np.c_[np.radians(lon[rows]) * r_m * k, np.radians(lat[rows]) * r_m]
        v = np.c_[gs[rows] * np.sin(trk[rows]), gs[rows] * np.cos(trk[rows])]
        steps = 0.5 * (v[1:] + v[:-1]) * np.diff(t[rows])[:, None]
        integral = np.vstack([np.zeros(2), np.cumsum(steps, axis=0)])
        off = p - integral
        lo = np.searchsorted(t[rows], t[rows] - half_window_s)
        hi = np.searchsorted(t[rows], t[rows] + half_window_s, side="right")
        med = np.array([np.median(off[a:b], axis=0) for a, b in zip(lo, hi, strict=True)])
        new = integral + med
        lon[rows], lat[rows] = np.degrees(new[:, 0] / (r_m * k)), np.degrees(new[:, 1] / r_m)
        src_row = stretch[np.maximum.accumulate(np.where(~same, np.arange(stretch.size), 0))]
        lat[stretch[same]], lon[stretch[same]] = lat[src_row[same]], lon[src_row[same]]
    out = table.set_column(table.schema.get_field_index("latitude"), "latitude", pa.array(lat))
    out = out.set_column(out.schema.get_field_index("longitude"), "longitude", pa.array(lon))
    pq.write_table(out.replace_schema_metadata(table.schema.metadata), dst)


def _ms(x: F64) -> str:
    x = x[np.isfinite(x)]
    return f"{np.mean(x):7.1f} {np.median(x):6.2f}" if x.size else f"{'-':>7s} {'-':>6s}"


def blocks(life: LifeNees, age_s: F64, turn: F64, vu: F64, coast: NDArray[np.bool_]) -> list:
    """(label, row mask) of every block of the table."""
    straight = (turn < TURN_DEG_S) & (np.abs(vu) < CLIMB_MPS)
    out: list[tuple[str, Any]] = [
        ("all rows", np.ones(age_s.size, bool)),
        ("phase straight", straight),
        (f"phase turn (>= {TURN_DEG_S:g} deg/s)", turn >= TURN_DEG_S),
        (f"phase climb/descent (>= {CLIMB_MPS:g} m/s)", np.abs(vu) >= CLIMB_MPS),
    ]
    for lo, hi in itertools.pairwise(AGE_BINS_S):
        label = "age 0 (first row)" if hi <= 0.1 else f"age {lo:g}-{hi:g} s"
        out.append((label, (age_s >= lo) & (age_s < hi)))
    out.append(("coasting rows", coast))
    return out


def per_track(life: LifeNees, values: F64) -> tuple[F64, F64]:
    """Time-averaged ``values`` per track, and each track's share of rows."""
    _, inv = np.unique(life.row_track_id, return_inverse=True)
    n = np.bincount(inv)
    return np.bincount(inv, weights=values) / n, n / n.sum()


def table(recording: str, window_s: float) -> None:
    """Print the breakdown of one recording (module doc)."""
    cfg, result, plots, _ = load_recording(recording)
    _, tracks = run_iadsim(cfg, plots)
    truth = result.truth
    lives = {
        w: track_life_nees(truth, tracks, n_dim=3, truth_vel_window_s=w) for w in (0.0, window_s)
    }
    base = lives[0.0]
    first = {}
    for k, t in zip(base.row_track_id.tolist(), base.row_t_s.tolist(), strict=True):
        first.setdefault(k, t)  # rows are sorted by track, then time
    age = base.row_t_s - np.array([first[k] for k in base.row_track_id.tolist()])
    turn, vu = row_truth(truth, base.row_truth_id, base.row_t_s)
    key = {
        (int(i), float(t)): int(s)
        for i, t, s in zip(tracks.track_id, tracks.t_s, tracks.status, strict=True)
    }
    coast = np.array(
        [
            key.get((int(i), float(t)), 0) == 2
            for i, t in zip(base.row_track_id, base.row_t_s, strict=True)
        ]
    )
    print(f"\n{RECORDINGS[recording]}: {base.track_id.size} tracks scored, {age.size} rows")
    print(adsb_check(recording, truth))
    head = f"{'block':34s} {'rows':>5s} | {'pos(3) mean med':>15s} |"
    for w in lives:
        tag = "inst." if w == 0.0 else f"{w:g} s"
        head += f" vel(3) {tag:>5s} mean med | full(6) {tag:>5s} mean med |"
    print(head)
    for label, m in blocks(base, age, turn, vu, coast):
        line = f"{label:34s} {int(m.sum()):5d} | {_ms(base.row_pos_nees[m]):>15s} |"
        for life in lives.values():
            line += f" {_ms(life.row_vel_nees[m]):>24s} | {_ms(life.row_nees[m]):>25s} |"
        print(line)
    for w, life in lives.items():
        tr, _ = per_track(life, life.row_nees)
        cut = np.sort(tr)[: int(np.ceil(0.95 * tr.size))]
        c = life.classes[0]
        print(
            f"per track, truth velocity {'instantaneous' if w == 0 else f'{w:g} s mean'}: "
            f"mean {tr.mean():.1f} (95% band [{c.lo:.2f}, {c.hi:.2f}] for {c.n_tracks} tracks), "
            f"median {np.median(tr):.2f}, without the worst 5% of tracks {cut.mean():.1f}"
        )


def whatif(recording: str, window_s: float, tmp: Path, stonesoup: bool) -> None:
    """The shipped configuration (and Stone Soup's best) on the original and on the
    repaired recording (module doc)."""
    src = recording_path(load_scenario(RECORDINGS[recording]).threats[0].motion.file)
    dst = tmp / f"repaired-{src.name}"
    repair(src, dst)
    print(f"\n{RECORDINGS[recording]}: original vs repaired truth (what-if, module doc)")
    print(f"{'truth':9s} {'tracker':22s} {'GOSPA m':>8s} {'x SS':>5s} {'loc':>5s} {'miss':>5s} "
          f"{'false':>5s} {'trk/ac':>6s} {'IDsw':>4s} {'NEES inst':>9s} "
          f"{f'NEES {window_s:g} s':>9s} {'pos NEES':>8s}")  # fmt: skip
    for name, file in (("original", None), ("repaired", str(dst))):
        cfg, result, plots, _ = load_recording(recording, file)
        _, tracks = run_iadsim(cfg, plots)
        runs = {"civil-surveillance": (tracks, True)}
        if stonesoup:
            runs[f"Stone Soup q={SS_BEST['q']:g}"] = (run_stonesoup(plots, **SS_BEST)[1], False)
        scores = {k: score(result, trk) for k, (trk, _) in runs.items()}
        ss = [v["gospa_mean_m"] for k, v in scores.items() if k.startswith("Stone")]
        for k, (trk, has_cov) in runs.items():
            q = scores[k]
            nees_cols = f"{'-':>9s} {'-':>9s} {'-':>8s}"
            if has_cov:
                inst, win = (
                    track_life_nees(result.truth, trk, n_dim=3, truth_vel_window_s=w)
                    for w in (0.0, window_s)
                )
                pos = float(np.mean(per_track(win, win.row_pos_nees)[0]))
                nees_cols = (f"{inst.classes[0].nees_mean:9.1f} {win.classes[0].nees_mean:9.1f} "
                             f"{pos:8.2f}")  # fmt: skip
            ratio = f"{q['gospa_mean_m'] / ss[0]:5.2f}" if ss else f"{'-':>5s}"
            print(f"{name:9s} {k:22s} {q['gospa_mean_m']:8.0f} {ratio} "
                  f"{q['gospa_localisation_mean_m']:5.0f} {q['gospa_missed_mean_m']:5.0f} "
                  f"{q['gospa_false_mean_m']:5.0f} {q['n_tracks'] / q['n_targets']:6.2f} "
                  f"{q['id_switches']:4d} {nees_cols}", flush=True)  # fmt: skip


def main() -> None:
    """Print the breakdown of each recording."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recording", choices=[*RECORDINGS, "both"], default="both")
    ap.add_argument("--window", type=float, default=20.0, help="truth velocity window, s")
    ap.add_argument("--repaired", action="store_true", help="what-if: repaired truth")
    ap.add_argument("--no-stonesoup", action="store_true", help="skip Stone Soup (--repaired)")
    a = ap.parse_args()
    for rec in RECORDINGS if a.recording == "both" else [a.recording]:
        if a.repaired:
            with tempfile.TemporaryDirectory() as tmp:
                whatif(rec, a.window, Path(tmp), not a.no_stonesoup)
        else:
            table(rec, a.window)


if __name__ == "__main__":
    main()
