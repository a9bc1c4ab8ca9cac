"""Map hovers, captions and timeline order against the run's own numbers."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from iadsim.analysis.report.replay import frame_times
from iadsim.analysis.report.replay_frames import map_figure
from iadsim.analysis.report.run_report import hidden_tracks_note
from iadsim.analysis.report.rundata import load_run
from iadsim.analysis.report.timeline import threat_rows
from iadsim.frames import Truth


def _truth_xyz(tr: Truth, t_s: float) -> dict[int, np.ndarray]:
    """Threat id -> (e, n, u) at ``t_s``, linear between its live samples."""
    out = {}
    for tid in np.unique(tr.threat_id):
        rows = np.flatnonzero((tr.threat_id == tid) & tr.alive)
        ts = tr.t_s[rows]
        if rows.size and ts[0] - 1e-6 <= t_s <= ts[-1] + 1e-6:
            out[int(tid)] = np.array(
                [np.interp(t_s, ts, c[rows]) for c in (tr.e_m, tr.n_m, tr.u_m)]
            )
    return out


def test_threat_hover_altitude_is_truth_alt_m(default_run: Path) -> None:
    run = load_run(default_run)
    fig, _counts = map_figure(run, [])
    tr, names = run.truth, list(run.world.threats.name)
    grid = np.unique(tr.t_s)
    checked = 0
    for frame, t in zip(fig["frames"], frame_times(run.world.duration_s), strict=True):
        g = grid[max(int(np.searchsorted(grid, t + 1e-9)) - 1, 0)]
        for text in frame["data"][0]["text"]:
            name = text.split(" (")[0]
            alt = float(re.search(r"alt (-?\d+) m", text).group(1))  # type: ignore[union-attr]
            row = np.flatnonzero((tr.t_s == g) & (tr.threat_id == names.index(name)))[0]
            assert alt == pytest.approx(tr.alt_m[row], abs=0.51), (t, name)
            checked += 1
    assert checked > 100
    # the frame-0 threats fly well above the radar's ground, not at negative "alt"
    assert all("alt -" not in s for s in fig["frames"][0]["data"][0]["text"])


def test_track_hover_names_the_nearest_truth(default_run: Path) -> None:
    run = load_run(default_run)
    fig, _counts = map_figure(run, [])
    t, names = run.tracks, list(run.world.threats.name)
    named = unnamed = 0
    for frame, tf in zip(fig["frames"], frame_times(run.world.duration_s), strict=True):
        for text in frame["data"][1]["text"]:
            m = re.match(r"track (\d+) \((\w+)\)<br>on (.+)$", text)
            assert m is not None, text
            rows = np.flatnonzero((t["track_id"] == int(m.group(1))) & (t["t_s"] <= tf + 1e-6))
            r = rows[np.argmax(t["t_s"][rows])]
            est = np.array([t["e_m"][r], t["n_m"][r], t["u_m"][r]], dtype=float)
            truth = _truth_xyz(run.truth, float(t["t_s"][r]))
            d = {k: float(np.linalg.norm(v - est)) for k, v in truth.items()}
            if m.group(3) == "?":
                unnamed += 1
                assert min(d.values(), default=np.inf) > 4000.0
                continue
            named += 1
            assert names.index(m.group(3)) == min(d, key=d.__getitem__), text
            assert d[names.index(m.group(3))] < 6000.0
    assert named > 100 and named >= 4 * unnamed


def test_hidden_tracks_note_follows_the_run(default_run: Path) -> None:
    run = load_run(default_run)
    s = run.summary
    note = hidden_tracks_note(run)
    assert f"{run.n_tentative_only} tentative-only tracks" in note
    assert f"{s.n_false_alarms} of the run's {s.n_detections} plots were false alarms" in note
    clean = dataclasses.replace(run, summary=dataclasses.replace(s, n_false_alarms=0))
    assert "0 of the run's" in hidden_tracks_note(clean)
    assert "mostly from false alarms" not in hidden_tracks_note(clean)


def test_timeline_rows_sort_names_naturally(default_run: Path) -> None:
    run = load_run(default_run)
    th = run.world.threats
    names = [f"cm-east-{k}" for k in (1, 10, 11, 2, 3)]
    fake = dataclasses.replace(
        th,
        name=tuple(names) if isinstance(th.name, tuple) else names,
        type=("cm",) * 5 if isinstance(th.type, tuple) else ["cm"] * 5,
    )
    world = dataclasses.replace(run.world, threats=fake)
    order = threat_rows(dataclasses.replace(run, world=world))
    assert [names[i] for i in order] == [f"cm-east-{k}" for k in (1, 2, 3, 10, 11)]
