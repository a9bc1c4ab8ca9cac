"""``step_looks`` (a wave of looks at once) is bit-identical to one look at a time.

:func:`iadsim.tracking.wave.step_looks` returns, per look, what :meth:`Tracker.step`
(``batch=True``) or :meth:`Tracker.miss` returned and left behind. A fast path that
processes runs of *quiet* looks together (false alarms far from every track, no
pair of buffered plots, nothing confirmed or deleted) must not change one bit of
that. The oracle is the tracker fed one look at a time (tracker A); tracker B takes
the same looks through ``step_looks`` in random waves. Per look the returned Tracks
(every column, bit for bit), hit ids and times, changes and track count must agree;
at every wave's end B's whole state (track book and filter bank, plot buffers,
waiting pairs, counters, next id, clock) must equal A's after the same look.

The scenes: 3 to 8 radars (ids from 0..7) at their own sites, each sweeping its
coverage in sector looks (``visible_from`` predicates, some wrapping through north),
at increasing times with small random gaps (some radars on a 0.1 s grid, so looks of
several radars fall at one time), plots stamped at their own azimuth's time within
the look; a formation and a few crossing targets, some of which vanish mid-scene (their
firm tracks are deleted), and false alarms over hundreds of km: most looks hold false
alarms only or nothing. A few plots are invalid (NaN range); a few looks ask for every
live track (``changes_only=False``).

Comparing states reads the tracker's private fields (``_store``, ``_init``,
``_next_id``, ``_t_now``): acceptable in this test, whose point is that nothing the
tracker keeps differs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from tracking_helpers import polar_detections

from iadsim.frames import Tracks, TrackStatus
from iadsim.scenario.schema_tracking import TrackerConfig, compile_tracker
from iadsim.tracking.looks import Observed, visible_from
from iadsim.tracking.tracker import COUNTERS, Tracker
from iadsim.tracking.wave import Look, LookResult, step_looks

F64 = NDArray[np.float64]

# -- tracker configurations (tracker: blocks, compiled as the scenario layer does) ---
S400: dict[str, Any] = {
    "dims": 3, "motion": {"kind": "cv", "q_m2ps3": 20.0}, "filter": {"kind": "ekf"},
    "association": {"kind": "gnn", "gate_probability": 0.999},
    "initiation": {"kind": "two_point", "m": 3, "n": 4, "velocity_sigma_mps": 400,
                   "confirm_on_ambiguous": False},
    "deletion": {"max_misses": 6, "max_coast_s": 45,
                 "duplicates": {"gate_probability": 0.99, "min_duration_s": 10}},
}  # fmt: skip


def _with_initiation(**fields: object) -> dict[str, Any]:
    return {**S400, "initiation": {**S400["initiation"], **fields}}


CONFIGS: dict[str, dict[str, Any]] = {
    "s400": S400,
    "three_point": _with_initiation(third_plot="ambiguous", chain_check=True, ambiguous_hits=1),
    "third_always": {  # and quicker deletion (more firm tracks deleted within a scene)
        **_with_initiation(third_plot="always"),
        "deletion": {"max_misses": 4, "max_coast_s": 30, "duplicates": {"min_duration_s": 5}},
    },
    "m_of_n": {
        "dims": 3, "motion": {"kind": "cv", "q_m2ps3": 20.0}, "filter": {"kind": "ekf"},
        "association": {"kind": "gnn", "gate_probability": 0.999},
        "initiation": {"kind": "m_of_n", "m": 2, "n": 3, "velocity_sigma_mps": 400},
        "deletion": {"max_misses": 4, "max_coast_s": 30},
    },
    "imm": {  # and quicker deletion
        **S400,
        "deletion": {"max_misses": 3, "max_coast_s": 20},
        "filter": {"kind": "imm", "models": [{"kind": "cv", "q_m2ps3": 1.0},
                   {"kind": "cv", "q_m2ps3": 40.0}], "sojourn_s": [60, 20], "mu0": [0.8, 0.2]},
    },
}  # fmt: skip


def _tracker(config: str) -> Tracker:
    return compile_tracker(TrackerConfig.model_validate(CONFIGS[config]))


# -- scenes ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Radar:
    """A radar sweeping ``width`` rad of azimuth from ``az0`` clockwise every ``period_s``
    in ``sectors`` looks (each look an azimuth sector, ``visible_from`` it)."""

    sensor_id: int | None
    site_m: F64
    period_s: float
    sectors: int
    az0_rad: float
    width_rad: float
    range_m: float
    sig: tuple[float, float, float]
    grid_s: float | None  # look times on this grid (radars on one grid share times)
    coverage: str  # "sector": a look observes its sector; "circle": the whole range
    # circle; "none": observed=None (everywhere)


def _radars(rng: np.random.Generator) -> list[_Radar]:
    n = int(rng.integers(3, 9))
    ids = rng.permutation(8)[:n]
    out = []
    for k in range(n):
        full = rng.random() < 0.5
        sig = (rng.uniform(20.0, 80.0), rng.uniform(1e-3, 3e-3), rng.uniform(2e-3, 5e-3))
        radar = _Radar(
            sensor_id=None if k == 0 and rng.random() < 0.15 else int(ids[k]),
            site_m=np.array([*rng.uniform(-150e3, 150e3, 2), rng.uniform(10.0, 60.0)]),
            period_s=float(rng.choice([3.0, 4.0, 6.0, 10.0, 12.0, 18.0])),
            sectors=int(rng.integers(3, 9)),
            az0_rad=float(rng.uniform(0.0, 2 * np.pi)),
            width_rad=2 * np.pi if full else float(rng.uniform(np.pi / 3, 5 * np.pi / 6)),
            range_m=float(rng.uniform(180e3, 320e3)),
            sig=(float(sig[0]), float(sig[1]), float(sig[2])),
            grid_s=0.1 if rng.random() < 0.5 else None,
            coverage=str(rng.choice(["sector", "circle", "none"], p=[0.94, 0.03, 0.03])),
        )
        out.append(radar)
    return out


@dataclasses.dataclass(frozen=True)
class _Targets:
    """Straight flights: position ``p0 + v (t - t_on)`` while ``t_on <= t < t_off``."""

    p0: F64  # (k, 3)
    v: F64  # (k, 3)
    t_on: F64
    t_off: F64

    def at(self, idx: NDArray[np.int64], t: F64) -> F64:
        """Positions (k, 3) of targets ``idx`` (k,) at times ``t`` (k,)."""
        return self.p0[idx] + self.v[idx] * (t - self.t_on[idx])[:, None]


def _targets(rng: np.random.Generator, duration_s: float) -> _Targets:
    """A formation of 2-4 aircraft 1.5-3 km abreast and 2-4 single crossing targets."""
    nf, nc = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    heading = rng.uniform(0, 2 * np.pi, 1 + nc)
    speed = rng.uniform(150.0, 320.0, 1 + nc)
    v = np.stack([speed * np.sin(heading), speed * np.cos(heading), np.zeros(1 + nc)], 1)
    across = np.array([np.cos(heading[0]), -np.sin(heading[0]), 0.0])
    lead = np.array([*rng.uniform(-80e3, 80e3, 2), rng.uniform(2e3, 9e3)])
    spacing = rng.uniform(1.5e3, 3e3)
    p0 = [lead + across * spacing * k for k in range(nf)]
    p0 += [np.array([*rng.uniform(-100e3, 100e3, 2), rng.uniform(500.0, 12e3)]) for _ in range(nc)]
    vel = np.concatenate([np.repeat(v[:1], nf, 0), v[1:]])
    t_on = np.where(rng.random(nf + nc) < 0.7, 0.0, rng.uniform(0.0, duration_s / 2, nf + nc))
    vanish = rng.uniform(duration_s / 5, duration_s / 2, nf + nc)  # (firm tracks deleted)
    t_off = np.where(rng.random(nf + nc) < 0.5, t_on + vanish, np.inf)
    return _Targets(np.array(p0), vel, t_on, t_off)


def _look_times(radar: _Radar, rng: np.random.Generator, duration_s: float) -> F64:
    """End times of a radar's looks: nominal sector length, small random gaps."""
    dt = radar.period_s / radar.sectors
    n = int(duration_s / dt) + 2
    t = rng.uniform(0.0, radar.period_s) + np.cumsum(dt * rng.uniform(0.9, 1.15, n))
    if radar.grid_s is not None:
        t = np.unique(np.round(t / radar.grid_s) * radar.grid_s)
    return t[t <= duration_s]


def _look(
    radar: _Radar, k: int, t0: float, t1: float, targets: _Targets, fa_mean: float,
    rng: np.random.Generator,
) -> Look:  # fmt: skip
    """Look ``k`` of ``radar`` over [t0, t1]: its sector's targets (Pd 0.85) and false
    alarms, each plot stamped with the time its azimuth was lit."""
    w = radar.width_rad / radar.sectors
    lo = (radar.az0_rad + (k % radar.sectors) * w) % (2 * np.pi)
    site, every = radar.site_m, np.arange(targets.p0.shape[0])
    rel = targets.at(every, np.full(every.shape[0], t1)) - site
    az = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    frac = ((az - lo) % (2 * np.pi)) / w  # where in the sector (by azimuth at t1)
    det = (targets.t_on <= t1) & (t1 < targets.t_off) & (frac <= 1.0)
    det &= (np.linalg.norm(rel, axis=1) <= radar.range_m) & (rng.random(every.shape[0]) < 0.85)
    ti = det.nonzero()[0]
    t_tgt = t0 + (t1 - t0) * frac[ti]
    p_tgt = targets.at(ti, t_tgt)
    nfa = int(rng.poisson(fa_mean))
    f = rng.random(nfa)
    a, r = lo + f * w, rng.uniform(5e3, radar.range_m, nfa)
    h = rng.uniform(0.0, 12e3, nfa)
    p_fa = site + np.stack([r * np.sin(a), r * np.cos(a), h], 1)
    times = np.concatenate([t_tgt, t0 + (t1 - t0) * f])
    order = np.argsort(times, kind="stable")
    truth = np.concatenate([ti, np.full(nfa, -1)])[order]
    pos = np.concatenate([p_tgt, p_fa])[order]
    rid = radar.sensor_id or 0
    plots = polar_detections(times[order], pos, site, radar.sig, rng, rid, truth)
    if len(plots) and rng.random() < 0.02:  # an invalid plot (counted, not used)
        bad = np.asarray(plots.range_m).copy()
        bad[int(rng.integers(len(plots)))] = np.nan
        plots = dataclasses.replace(plots, range_m=bad)
    observed: Observed | None = None
    if radar.coverage != "none":
        az_lo, az_hi = (lo, lo + w) if radar.coverage == "sector" else (None, None)
        observed = visible_from(site, max_range_m=radar.range_m, az_min_rad=az_lo, az_max_rad=az_hi)
    changes_only = bool(rng.random() >= 0.05)
    return Look(plots, float(t1), radar.sensor_id, observed, changes_only)


@functools.cache
def scene(seed: int, duration_s: float = 40.0) -> tuple[Look, ...]:
    """The looks of scene ``seed``, in time order (equal times: in random order)."""
    rng = np.random.default_rng([20261205, seed])
    radars = _radars(rng)
    targets = _targets(rng, duration_s)
    fa_mean = float(rng.uniform(0.6, 1.6))
    looks: list[tuple[float, float, Look]] = []
    for radar in radars:
        t = _look_times(radar, rng, duration_s)
        for k in range(1, t.shape[0]):
            look = _look(radar, k, float(t[k - 1]), float(t[k]), targets, fa_mean, rng)
            looks.append((look.t_s, float(rng.random()), look))
    looks.sort(key=lambda x: (x[0], x[1]))
    return tuple(look for _, _, look in looks)


# -- the oracle: one look at a time ------------------------------------------------
def _one_look(tracker: Tracker, look: Look) -> LookResult:
    """What the tracker returns for ``look`` alone (a step with plots, else a miss)."""
    kw: dict[str, Any] = {"observed": look.observed, "sensor_id": look.sensor_id}
    if len(look.detections) == 0:
        tracks = tracker.miss(look.t_s, **kw)
    else:
        tracks = tracker.step(look.detections, look.t_s, batch=True,
                              changes_only=look.changes_only, **kw)  # fmt: skip
    return LookResult(tracks, tracker.last_hit_ids.copy(), tracker.last_hit_t_s.copy(),
                      tracker.last_changes.copy(), tracker.n_tracks)  # fmt: skip


def _state(tracker: Tracker) -> dict[str, NDArray[Any]]:
    """Everything the tracker keeps between looks, as named arrays (private fields:
    the point of this test). ``misses_by`` is padded to 64 sensor columns: how many
    columns are allocated is storage, not state."""
    out: dict[str, NDArray[Any]] = {}
    book, bank = tracker._store.book, tracker._store.bank
    for f in dataclasses.fields(book):
        a = getattr(book, f.name)
        if f.name == "misses_by":
            a = np.pad(a, ((0, 0), (0, 64 - a.shape[1])))
        out[f"book.{f.name}"] = a
    for f in dataclasses.fields(bank):
        if getattr(bank, f.name) is not None:
            out[f"bank.{f.name}"] = getattr(bank, f.name)
    ini = tracker._init
    for key in sorted(ini.buffers):
        buf = ini.buffers[key]
        out[f"buffer{key}.rows"] = buf.rows
        out[f"buffer{key}.kind"] = np.array([buf.d, buf.polar])
    for key in sorted(ini.pending):
        pend = ini.pending[key]
        for f in dataclasses.fields(pend):
            out[f"pending{key}.{f.name}"] = getattr(pend, f.name)
    out["counters"] = np.array([tracker.counters[k] for k in COUNTERS])
    out["clock"] = np.array([tracker._next_id, tracker._t_now, tracker.n_tracks], float)
    return out


def _digest(state: dict[str, NDArray[Any]]) -> dict[str, bytes]:
    """Per state array, a hash of its dtype, shape and bytes."""
    out = {}
    for name, a in state.items():
        a = np.ascontiguousarray(a)
        head = (a.dtype.str + repr(a.shape)).encode()
        out[name] = hashlib.blake2b(head + a.tobytes(), digest_size=16).digest()
    return out


def _bits_equal(a: NDArray[Any], b: NDArray[Any]) -> bool:
    """Same dtype, shape and bytes (bit for bit: NaN payloads and -0.0 included)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@dataclasses.dataclass(frozen=True)
class _Oracle:
    """Tracker A's run: per look its result, state digests after it, and whether the
    look was quiet (false alarms or nothing; it changed no existing track, confirmed,
    deleted, associated nothing and, with two-point initiation, started no track)."""

    results: list[LookResult]
    digests: list[dict[str, bytes]]
    quiet: NDArray[np.bool_]
    end: dict[str, NDArray[Any]]
    end_tracks: Tracks
    firm_ids: NDArray[np.int64]
    counters: dict[str, int]


def _untouched(before: dict[str, NDArray[Any]], after: dict[str, NDArray[Any]], n: int) -> bool:
    """The first ``n`` track rows (the tracks before a look) are as they were."""
    return all(
        _bits_equal(a, after[k][:n]) for k, a in before.items() if k.startswith(("book", "bank"))
    )


@functools.cache
def oracle(config: str, seed: int, duration_s: float = 40.0) -> _Oracle:
    """Tracker A (config) fed scene ``seed`` one look at a time."""
    tracker, looks = _tracker(config), scene(seed, duration_s)
    pairs = tracker._init.two_point is not None
    results, digests, quiet = [], [], np.zeros(len(looks), bool)
    state = _state(tracker)
    for i, look in enumerate(looks):
        before, c0, n0 = state, tracker.counters, tracker.n_tracks
        results.append(_one_look(tracker, look))
        state = _state(tracker)
        digests.append(_digest(state))
        c1 = tracker.counters
        same = [c0[k] == c1[k] for k in ("associated", "confirmed", "deleted")]
        same.append(not pairs or c0["initiated"] == c1["initiated"])
        fa_only = bool(np.all(look.detections.truth_id < 0))
        quiet[i] = fa_only and all(same) and _untouched(before, state, n0)
    t_end = looks[-1].t_s + 1.0
    end_tracks, firm = tracker.tracks(t_end), tracker.firm_track_ids()
    return _Oracle(results, digests, quiet, state, end_tracks, firm, tracker.counters)


# -- tracker B: the same looks in waves ----------------------------------------------
def _random_sizes(rng: np.random.Generator, n: int) -> list[int]:
    """Wave sizes 1..60 summing to ``n`` (short and long waves mixed)."""
    sizes: list[int] = []
    while sum(sizes) < n:
        top = int(rng.choice([3, 12, 60]))
        sizes.append(min(int(rng.integers(1, top + 1)), n - sum(sizes)))
    return sizes


def _waves(n: int, sizes: Sequence[int]) -> Iterator[slice]:
    """Consecutive slices of ``sizes`` (the last one takes what is left)."""
    at = 0
    for size in sizes:
        if at >= n:
            return
        yield slice(at, min(at + size, n))
        at += size
    if at < n:
        yield slice(at, n)


def assert_same_result(a: LookResult, b: LookResult, where: str) -> None:
    """Bitwise equality of two looks' results (every Tracks column)."""
    assert len(a.tracks) == len(b.tracks), f"{where}: {len(a.tracks)} vs {len(b.tracks)} rows"
    for col in Tracks.columns():
        assert _bits_equal(getattr(a.tracks, col), getattr(b.tracks, col)), f"{where}: {col}"
    for name in ("hit_ids", "hit_t_s", "changes"):
        assert _bits_equal(getattr(a, name), getattr(b, name)), f"{where}: {name}"
    assert a.n_tracks == b.n_tracks, f"{where}: n_tracks"


def assert_waves_match(
    config: str, seed: int, sizes: Sequence[int], duration_s: float = 40.0
) -> None:
    """Tracker B fed scene ``seed`` in waves of ``sizes`` returns per look and keeps
    after every wave exactly what tracker A did one look at a time."""
    a, looks = oracle(config, seed, duration_s), scene(seed, duration_s)
    tracker = _tracker(config)
    for wave in _waves(len(looks), sizes):
        got = step_looks(tracker, looks[wave])
        assert len(got) == wave.stop - wave.start
        for i, res in enumerate(got, start=wave.start):
            assert_same_result(a.results[i], res, f"{config} seed {seed} look {i}")
        state = _digest(_state(tracker))
        want = a.digests[wave.stop - 1]
        diff = sorted(set(state) ^ set(want)) + [k for k in want if state.get(k, b"") != want[k]]
        assert not diff, f"{config} seed {seed}: state after look {wave.stop - 1}: {diff}"
    _assert_same_end(a, tracker, looks[-1].t_s + 1.0, f"{config} seed {seed}")


def _assert_same_end(a: _Oracle, tracker: Tracker, t_end: float, where: str) -> None:
    """The final state, field by field: tracks at ``t_end``, counters, firm ids, the
    track book and bank, the plot buffers and the pairs waiting for a third plot."""
    assert_same_result(
        LookResult(a.end_tracks, a.firm_ids, np.zeros(0), np.zeros(0, bool), 0),
        LookResult(tracker.tracks(t_end), tracker.firm_track_ids(), np.zeros(0),
                   np.zeros(0, bool), 0), f"{where}: end",
    )  # fmt: skip
    state = _state(tracker)
    assert sorted(state) == sorted(a.end), where
    for name, want in a.end.items():
        assert _bits_equal(want, state[name]), f"{where}: end {name}"


CONFIG_NAMES = sorted(CONFIGS)
FAST_SEEDS = range(20)


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_random_waves_equal_one_look_at_a_time(config: str) -> None:
    """20 scenes per configuration, each in random waves of 1..60 looks."""
    for seed in FAST_SEEDS:
        rng = np.random.default_rng([7, seed])
        assert_waves_match(config, seed, _random_sizes(rng, len(scene(seed))))


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_one_wave_of_everything_equals_one_look_at_a_time(config: str) -> None:
    """The whole scene as a single wave (every quiet run at its longest)."""
    for seed in FAST_SEEDS[::4]:
        assert_waves_match(config, seed, [len(scene(seed))])


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(
    config=st.sampled_from(["s400", "m_of_n", "three_point"]),
    seed=st.sampled_from([0, 1, 2, 3]),
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=40),
)
def test_waves_cut_anywhere_equal_one_look_at_a_time(
    config: str, seed: int, sizes: list[int]
) -> None:
    """Cut points drawn by hypothesis (it shrinks a failure to the fewest waves)."""
    assert_waves_match(config, seed, sizes)


def _runs(quiet: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Lengths of the runs of consecutive True."""
    edges = np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]]))
    return (edges == -1).nonzero()[0] - (edges == 1).nonzero()[0]


def _firm_deletions(results: Sequence[LookResult]) -> int:
    """Tracks output as deleted after being output confirmed or coasting."""
    firm: set[int] = set()
    n = 0
    for r in results:
        st_, ids = r.tracks.status, r.tracks.track_id
        firm.update(ids[(st_ == TrackStatus.CONFIRMED) | (st_ == TrackStatus.COASTING)].tolist())
        n += len(firm.intersection(ids[st_ == TrackStatus.DELETED].tolist()))
    return n


#: Share of quiet looks the scenes must have: with single-point initiation every false
#: alarm starts a tentative track that its radar's next look over it concerns.
MIN_QUIET = {"m_of_n": 0.15}


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_scenes_exercise_births_confirmations_deletions_and_quiet_runs(config: str) -> None:
    """The scenes are not vacuous: over the seeds tracks are born, confirmed and
    deleted (firm ones too), looks hit tracks, most looks are quiet (single-point
    initiation: many), many are empty, and quiet runs of 10 looks or more occur."""
    n_looks = n_quiet = n_hit = n_empty = long_runs = firm_deleted = 0
    totals = dict.fromkeys(("initiated", "confirmed", "deleted"), 0)
    for seed in FAST_SEEDS:
        a = oracle(config, seed)
        for k in totals:
            totals[k] += a.counters[k]
        n_looks += a.quiet.shape[0]
        n_quiet += int(a.quiet.sum())
        n_hit += sum(r.hit_ids.shape[0] > 0 for r in a.results)
        n_empty += sum(len(look.detections) == 0 for look in scene(seed))
        long_runs += int((_runs(a.quiet) >= 10).sum())
        firm_deleted += _firm_deletions(a.results)
    assert totals["initiated"] >= 50 and totals["confirmed"] >= 50, totals
    assert totals["deleted"] >= 10 and firm_deleted >= 2, (totals, firm_deleted)
    assert n_hit >= 0.08 * n_looks, (n_hit, n_looks)
    assert n_quiet >= MIN_QUIET.get(config, 0.65) * n_looks, (n_quiet, n_looks)
    assert n_empty >= 0.2 * n_looks, (n_empty, n_looks)
    assert long_runs >= (2 if config in MIN_QUIET else 30), long_runs


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_many_scenes_in_random_waves(config: str) -> None:
    """A bigger sweep: 16 more scenes per configuration, 120 s long (radars with long
    revisits age buffered plots out by time), two chunkings each."""
    for seed in range(100, 116):
        rng = np.random.default_rng([11, seed])
        n = len(scene(seed, 120.0))
        assert_waves_match(config, seed, _random_sizes(rng, n), 120.0)
        assert_waves_match(config, seed, [n], 120.0)
    oracle.cache_clear()
    scene.cache_clear()
