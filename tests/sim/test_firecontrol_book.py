"""FireControlBook: the array book against a dictionary model of the same rules, and
deleted tracks leaving the book."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

from iadsim.frames import Tracks, TrackStatus
from iadsim.sim.firecontrol import MAX_CUES_PER_CYCLE, FireControlBook, in_coverage

FC_RADAR = (1, -1, 2, 1)  # engagement radar per battery (-1: none); radar 0 searches
HOLD_S = (6.0, 6.0, 4.0, 5.0)
FRAME_S = 2.0  # every engagement radar's search frame (scan_period_s)


def _tracks(ids: np.ndarray, status: np.ndarray, pos_m: np.ndarray) -> Tracks:
    n, z = ids.shape[0], np.zeros(ids.shape[0])
    cols: dict[str, Any] = {c: z for c in Tracks.columns()}
    cols.update(track_id=ids.astype(np.int64), status=status.astype(np.int8), t_s=np.zeros(n),
                e_m=pos_m[:, 0], n_m=pos_m[:, 1], u_m=pos_m[:, 2])  # fmt: skip
    return Tracks(**cols)


def _radar(az_center_rad: float) -> Any:
    """What :func:`in_coverage` reads of a radar (a 120 deg sector to 100 km)."""
    params = types.SimpleNamespace(min_range_m=1_000.0, instrumented_range_m=100e3,
                                   az_width_rad=np.radians(120.0), el_min_rad=-0.1,
                                   el_max_rad=1.4, scan_period_s=FRAME_S)  # fmt: skip
    return types.SimpleNamespace(params=params, pos_m=(0.0, 0.0, 0.0), az_center_rad=az_center_rad,
                                 antenna_alt_m=0.0, k=4 / 3)  # fmt: skip


class DictBook:
    """The book's rules one track at a time, in dictionaries (the oracle)."""

    def __init__(self) -> None:
        self.last_hit: dict[int, float] = {}
        self.fc_hit: dict[tuple[int, int], tuple[float, float]] = {}
        self.last_cue: dict[tuple[int, int], float] = {}
        self.pictured: set[int] = set()
        self.deleted: list[int] = []

    def note_dwell(self, radar: int, t_s: float, hit: list[int], hit_t_s: list[float],
                   gone: list[int]) -> list[int]:  # fmt: skip
        new = []
        for tid, t_plot in zip(hit, hit_t_s, strict=True):
            self.last_hit[tid] = max(self.last_hit.get(tid, -np.inf), t_plot)  # latest plot
            if radar in FC_RADAR:
                prev, last = self.fc_hit.get((radar, tid), (-np.inf, -np.inf))
                if np.isneginf(last):
                    new.append(tid)
                two = sorted([prev, last, t_plot])[1:]  # the two latest plot times
                self.fc_hit[radar, tid] = (last, t_plot) if t_plot >= last else (two[0], last)
        self.deleted += [tid for tid in gone if tid in self.pictured]
        return new

    def picture(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
        self.pictured |= set(ids)
        never = (-np.inf, -np.inf)
        fc = np.array([[self.fc_hit.get((r, i), never) for r in FC_RADAR] for i in ids])
        fc = fc.reshape(len(ids), len(FC_RADAR), 2)
        last = np.array([self.last_hit.get(i, -np.inf) for i in ids])
        deleted, self.deleted = self.deleted, []
        return last, fc[:, :, 1], fc[:, :, 0], deleted

    def cues(self, ids: list[int], ok: np.ndarray, worth: dict[int, float], t_s: float,
             dwell: np.ndarray, fc_last: np.ndarray) -> list[tuple[int, int]]:  # fmt: skip
        """Track dwells first (``dwell`` (T, B): engaged and in coverage; due when the
        radar's last update and its last dwell or cue are a frame old; the oldest
        ``fc_last`` first), then cues, at most MAX_CUES_PER_CYCLE per battery."""
        out = []
        for b, r in enumerate(FC_RADAR):
            if r < 0:
                continue
            track = [k for k in range(len(ids)) if dwell[k, b]
                     and t_s - fc_last[k, b] >= FRAME_S
                     and t_s - self.last_cue.get((r, ids[k]), -np.inf) >= FRAME_S]  # fmt: skip
            track.sort(key=lambda k: (fc_last[k, b], ids[k]))
            rows = [k for k in range(len(ids)) if ok[k, b] and k not in track
                    and t_s - self.last_cue.get((r, ids[k]), -np.inf) >= HOLD_S[b]]  # fmt: skip
            rows.sort(key=lambda k: (-worth[ids[k]], ids[k]))
            for k in (track + rows)[:MAX_CUES_PER_CYCLE]:
                self.last_cue[r, ids[k]] = t_s
                out.append((r, ids[k]))
        return out


def _run_both(seed: int, steps: int = 120) -> tuple[FireControlBook, set[int]]:
    """Random dwells (hits, deletions), pictures and cues through both books, compared
    at every step; returns the array book and the ids still live at the end."""
    rng = np.random.default_rng(seed)
    book = FireControlBook(battery_id=np.arange(10, 14), fc_radar=np.array(FC_RADAR),
                           hold_s=np.array(HOLD_S))  # fmt: skip
    ref = DictBook()
    radars = tuple(_radar(az) for az in (0.0, 0.0, np.pi / 2))
    live: list[int] = []
    next_id, t_s = 1, 0.0
    for _ in range(steps):
        t_s += float(rng.uniform(0.1, 1.0))
        born = int(rng.integers(0, 4))
        live += range(next_id, next_id + born)
        next_id += born
        gone = [i for i in live if rng.random() < 0.05]
        live = [i for i in live if i not in gone]
        hit = sorted({int(i) for i in rng.choice(live, size=min(len(live), 5))} if live else [])
        radar = int(rng.integers(0, 3))
        ids = np.array(hit + gone, dtype=np.int64)
        status = np.r_[np.ones(len(hit)), np.full(len(gone), TrackStatus.DELETED)]
        frame = _tracks(ids, status, np.zeros((ids.shape[0], 3)))
        # plots up to a look before the dwell; sometimes before an earlier dwell's
        hit_t = t_s - rng.uniform(0.0, 1.0, len(hit)) * rng.choice([0.0, 1.0, 3.0])
        got = book.note_dwell(radar, t_s, np.array(hit, dtype=np.int64), hit_t, frame)
        assert got == ref.note_dwell(radar, t_s, hit, hit_t.tolist(), gone)
        if rng.random() < 0.3:
            firm = sorted(i for i in live if rng.random() < 0.7)
            pos = rng.uniform(-80e3, 80e3, (len(firm), 3)) * [1.0, 1.0, 0.1]
            pic = book.picture(_tracks(np.array(firm, np.int64), np.ones(len(firm)), pos), t_s)
            last, fc_last, fc_prev, deleted = ref.picture(firm)
            np.testing.assert_array_equal(pic.last_hit_t_s, last)
            np.testing.assert_array_equal(pic.fc_last_hit_t_s, fc_last)
            np.testing.assert_array_equal(pic.fc_prev_hit_t_s, fc_prev)
            assert sorted(pic.deleted.track_id.tolist()) == sorted(deleted)
            held = [[book.holds(t_s, int(b), i) for b in pic.battery_id] for i in firm]
            np.testing.assert_array_equal(np.array(held, bool).reshape(-1, 4), pic.fc_tracking)
            assessed = np.array([i for i in firm if rng.random() < 0.8], dtype=np.int64)
            value = rng.choice([0.0, 0.5, 1.0, 2.0], size=assessed.shape[0])
            worth = dict.fromkeys(firm, 0.0) | dict(
                zip(assessed.tolist(), value.tolist(), strict=True)
            )
            ok = ~pic.fc_held & (np.array([worth[i] for i in firm]) > 0).reshape(-1, 1)
            # salvos in the air on some tracks (any status, worth or hold), by battery
            n_e = int(rng.integers(0, 7))
            e_track = rng.choice(np.array([*firm, 10**6], np.int64), size=n_e)
            e_bat = rng.integers(10, 15, size=n_e)  # (14: no such battery)
            dwell = np.zeros_like(ok)
            for b, r in enumerate(FC_RADAR):
                cover = r >= 0 and in_coverage(radars[max(r, 0)], pos)
                ok[:, b] &= cover
                dwell[:, b] = cover & np.isin(firm, e_track[e_bat == 10 + b])
            shuffled = rng.permutation(assessed.shape[0])  # any order of the assessment
            got_cues = book.cues(pic, radars, assessed[shuffled], value[shuffled],
                                 (e_track, e_bat))  # fmt: skip
            assert got_cues == ref.cues(firm, ok, worth, t_s, dwell, pic.fc_last_hit_t_s)
    return book, set(live)


@pytest.mark.parametrize("seed", range(6))
def test_book_matches_the_dictionary_rules(seed: int) -> None:
    """Pictures (hit times, fire-control hits, deletions) and cues agree with the
    one-track-at-a-time rules on random dwell sequences."""
    _run_both(seed)


def test_deleted_tracks_leave_the_book() -> None:
    """After a picture, the book holds only tracks not deleted (its size follows the
    live tracks, not every id a run issued)."""
    book, live = _run_both(11, steps=300)
    book.picture(_tracks(np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 3))), 1e6)
    booked = set(book.ids.tolist())
    assert booked <= live
    assert len(booked) > 0
    assert set(book.pictured.tolist()) <= live


def test_fire_control_hits_are_timed_at_the_plot() -> None:
    """Plots at 3.0 s and 9.2 s passed by looks ending at 4.0 s and 10.0 s: at 10 s the
    older update is 7 s old, beyond a 6 s hold (timed at the looks, 6 s: held); a cue
    dwell's plot at 10.5 s, then a look's earlier plot at 10.3 s, keep 10.5 s as the last."""
    book = FireControlBook(battery_id=np.array([10]), fc_radar=np.array([1]),
                           hold_s=np.array([6.0]))  # fmt: skip
    one = np.array([5], np.int64)
    frame = _tracks(one, np.ones(1), np.zeros((1, 3)))
    assert book.note_dwell(1, 4.0, one, np.array([3.0]), frame) == [5]
    assert book.note_dwell(1, 10.0, one, np.array([9.2]), frame) == []
    pic = book.picture(frame, 10.0)
    assert pic.fc_last_hit_t_s[0, 0] == 9.2 and pic.fc_prev_hit_t_s[0, 0] == 3.0
    assert not pic.fc_held[0, 0] and pic.fc_tracking[0, 0]
    book.note_dwell(1, 10.5, one, np.array([10.5]), frame)  # a cue dwell
    book.note_dwell(1, 11.0, one, np.array([10.3]), frame)  # a sector look's plot
    pic = book.picture(frame, 11.0)
    assert pic.fc_last_hit_t_s[0, 0] == 10.5 and pic.fc_prev_hit_t_s[0, 0] == 10.3
    assert pic.fc_held[0, 0]
