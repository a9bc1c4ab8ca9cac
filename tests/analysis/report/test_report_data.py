"""The report's data layers against the run's own files and independent computations."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.report import coverage as cov
from iadsim.analysis.report.basemap import clip_lines, load_basemap
from iadsim.analysis.report.plots import magazine_figure, magazine_series
from iadsim.analysis.report.replay import frame_times
from iadsim.analysis.report.replay_frames import map_figure
from iadsim.analysis.report.rundata import load_run
from iadsim.analysis.report.timeline import salvo_threat, threat_rows, timeline_figure
from iadsim.errors import InputDataError
from iadsim.sensors.coverage import coverage_table


def test_basemap_is_natural_earth_and_clips_to_the_box() -> None:
    base = load_basemap()
    allpts = np.concatenate(base.coast)
    assert len(base.coast) > 1000 and len(base.border) > 300
    assert allpts[:, 0].min() >= -180.01 and allpts[:, 0].max() <= 180.01
    # the Black Sea's coasts are in the box around it; the central Sahara has no coast
    black_sea = clip_lines(base.coast, (27.0, 42.0), (40.5, 47.0))
    assert sum(p.shape[0] for p in black_sea) > 100
    assert clip_lines(base.coast, (10.0, 20.0), (20.0, 25.0)) == []
    for part in black_sea:
        assert (part[:, 0] >= 27.0).all() and (part[:, 1] <= 47.0).all()
        assert part.shape[0] >= 2


@pytest.mark.parametrize("duration_s", [60.0, 1800.0, 7200.0, 86400.0])
def test_frame_times_round_steps_cover_the_run(duration_s: float) -> None:
    t = frame_times(duration_s)
    assert t[0] == 0.0 and t.size <= 181 and t[-1] > duration_s - (t[1] - t[0])
    assert np.allclose(np.diff(t), t[1] - t[0])


def test_footprint_never_exceeds_the_smooth_earth_range(default_run: Path) -> None:
    run = load_run(default_run)
    for radar in cov.site_radars(run.world, run.scenario):
        for rcs, alt in ((1.0, 1000.0), (0.01, 100.0), (10.0, 10000.0)):
            ground = radar.antenna_alt_m - run.world.radars[radar.radar_id].mast_m
            f = cov.footprint(radar, rcs, alt, ground_alt_m=ground)
            table = coverage_table(cov.sector_params(radar), [rcs], [alt])
            cell = radar.params.instrumented_range_m / 240
            assert f.max_range_m <= float(table.range_m[0, 0]) + cell
            r = np.hypot(f.e_m - radar.pos_m[0], f.n_m - radar.pos_m[1])
            assert np.isclose(r.max(), f.max_range_m, atol=1.0)


@pytest.mark.parametrize("which", ["default_run", "legacy_run"])
def test_map_shows_every_site_radar_launcher_track_and_salvo(
    which: str, request: pytest.FixtureRequest
) -> None:
    default_run = request.getfixturevalue(which)
    run = load_run(default_run)
    summary = json.loads((default_run / "summary.json").read_text())
    fig, counts = map_figure(run, [])
    by_name = {tr["name"]: tr for tr in fig["data"]}
    assert len(by_name["radars"]["x"]) == len(summary["radars"]) == counts["radars"]
    assert len(by_name["defended sites"]["x"]) == counts["sites"] == 2
    assert len(by_name["launchers"]["x"]) == counts["launchers"] == len(run.world.launchers)
    assert counts["tracks"] == summary["tracker_counters"]["confirmed"]
    events = pq.read_table(default_run / "events.parquet").to_pylist()
    assert counts["salvos"] == sum(e["kind"] == "launch" for e in events)
    # kill markers of the last frame: one per kill event
    last = fig["frames"][-1]["data"]
    kill = fig["frames"][-1]["traces"].index(counts["dynamic_first"] + 3)
    assert len(last[kill]["x"]) == sum(e["kind"] == "kill" for e in events)


def test_frame_positions_are_the_truth_at_that_time(default_run: Path) -> None:
    run = load_run(default_run)
    fig, _counts = map_figure(run, [])
    truth = pq.read_table(default_run / "truth.parquet").to_pylist()
    for frame in fig["frames"][::20]:
        t = float(frame["name"])
        want = sorted(
            (r["e_m"] / 1e3, r["n_m"] / 1e3) for r in truth if r["t_s"] == t and r["alive"]
        )
        xy = zip(frame["data"][0]["x"], frame["data"][0]["y"], strict=True)
        got = sorted(p for p in xy if p != (None, None))  # (a gap point keeps the legend)
        assert len(got) == len(want)
        assert np.allclose(got, want, atol=0.01) if want else True


def test_contract_engagements_are_used_when_present(legacy_run: Path, contract_run: Path) -> None:
    old, new = load_run(legacy_run), load_run(contract_run)
    assert old.engagements_source == "events.parquet"
    assert new.engagements_source == "engagements.parquet"
    fig, _ = map_figure(new, [])
    kills = next(tr for tr in fig["data"] if tr["name"] == "fly-out: kill")
    ends = np.array(kills["x"][1::3], dtype=float)
    table = pq.read_table(contract_run / "engagements.parquet").to_pylist()
    want = sorted(r["end_e_m"] / 1e3 for r in table if r["outcome"] == "kill")
    assert np.allclose(sorted(ends), want, atol=0.01)
    assert "Pk 0.72 = table 0.80 x acquisition 0.90" in kills["text"][0]


def test_magazines_fall_by_the_rounds_each_battery_fired(default_run: Path) -> None:
    run = load_run(default_run)
    fired = {b.name: b.fired for b in run.summary.batteries}
    for (b, typ), (t, left) in magazine_series(run).items():
        assert (np.diff(left) <= 0).all() and (np.diff(t) >= 0).all()
        name = run.world.batteries[b].name
        assert left[0] - left[-1] == fired[name].get(typ, 0)


def test_magazine_figure_draws_every_series_distinguishably(default_run: Path) -> None:
    """One line per (battery, type) with its series; consecutive lines differ in dash
    as well as colour (two types never fired with the same load overlap exactly), and
    the rounds axis steps in whole rounds."""
    run = load_run(default_run)
    series = magazine_series(run)
    fig = magazine_figure(run)
    assert len(fig["data"]) == len(series) >= 2
    for trace, (t, left) in zip(fig["data"], series.values(), strict=True):
        assert np.allclose(trace["y"], left) and np.allclose(trace["x"], t, atol=0.05)
    styles = [(d["line"]["color"], d["line"]["dash"]) for d in fig["data"]]
    assert all(a[1] != b[1] for a, b in itertools.pairwise(styles))
    assert fig["layout"]["yaxis"]["rangemode"] == "tozero"  # (it started at 2 rounds)
    dtick = fig["layout"]["yaxis"]["dtick"]
    assert isinstance(dtick, int) and 1 <= dtick <= max(max(s[1]) for s in series.values())


@pytest.mark.parametrize("which", ["default_run", "legacy_run"])
def test_timeline_has_one_row_per_threat_grouped_by_class(
    which: str, request: pytest.FixtureRequest
) -> None:
    run = load_run(request.getfixturevalue(which))
    rows = threat_rows(run)
    assert sorted(rows) == list(range(len(run.world.threats.name)))
    types = [run.world.threats.type[i] for i in rows]
    assert types == sorted(types)
    fig = timeline_figure(run)
    labels = fig["layout"]["yaxis"]["categoryarray"]
    assert len(labels) == len(rows)
    # class separators sit between the axis positions of rows of different classes
    pos_type = {k: run.world.threats.type[i] for k, i in enumerate(reversed(rows))}
    seps = [sh["y0"] for sh in fig["layout"]["shapes"]]
    assert len(seps) == len(set(types)) - 1
    for y in seps:
        assert pos_type[int(y - 0.5)] != pos_type[int(y + 0.5)]
    # every kill event's threat has a salvo row ending in a kill
    threat = salvo_threat(run)
    killed = {int(i) for i in run.events.threat_id[run.events.kind == "kill"]}
    assert killed <= {
        int(t) for t, o in zip(threat, run.engagements["outcome"], strict=True) if o == "kill"
    }


def test_cues_and_fire_control_tracks_are_drawn_when_recorded(default_run: Path) -> None:
    run = load_run(default_run)
    events = pq.read_table(default_run / "events.parquet").to_pylist()
    fig, _ = map_figure(run, [])
    by_name = {tr["name"]: tr for tr in fig["data"]}
    for kind in ("cue", "fire_control_track"):
        n = sum(e["kind"] == kind for e in events)
        assert n > 0, f"the default run records {kind} events"
        assert len(by_name[kind.replace("_", " ")]["x"]) == n
    marks = {tr.get("name"): tr for tr in timeline_figure(run)["data"]}
    fc = [th for th in run.summary.threats if np.isfinite(th.first_fc_track_t_s)]
    assert len(marks["1st fire-control track"]["x"]) == len(fc) > 0


def test_bad_run_directories_name_the_file(tmp_path: Path, default_run: Path) -> None:
    with pytest.raises(InputDataError, match=r"summary\.json: missing"):
        load_run(tmp_path)
    with pytest.raises(InputDataError, match="no such run directory"):
        load_run(tmp_path / "nope")
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in default_run.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    (bad / "events.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputDataError, match=r"events\.parquet"):
        load_run(bad)


def test_summary_tables_carry_the_run_figures(default_run: Path) -> None:
    from iadsim.analysis.report.run_report import summary_tables

    summary = json.loads((default_run / "summary.json").read_text())
    html = summary_tables(load_run(default_run).summary)
    assert html.count("<table>") == 4
    for th in summary["threats"]:
        assert f"<td>{th['name']}</td>" in html and f"<td>{th['outcome']}</td>" in html
    for key in ("n_killed", "n_leaked", "interceptors_fired_total"):
        assert f"<td>{key}</td><td>{summary[key]}</td>" in html


@pytest.mark.parametrize("which", ["default_run", "legacy_run"])
def test_track_accuracy_is_what_score_reports(which: str, request: pytest.FixtureRequest) -> None:
    """The report's mean GOSPA and RMSE are ``iadsim score``'s on the same files (c = 2
    km, p = 1): the change-only tracks held at the same evaluation times. Scored on the
    change rows alone, the report read 7,094 m / 170 m where score reads 6,641 m / 228 m
    (s400 seed 95001), and showed deleted tracks on the map as coasting."""
    from iadsim.analysis.metrics import score_frames
    from iadsim.analysis.metrics.held import hold_for_scoring
    from iadsim.analysis.report.plots import accuracy_figures
    from iadsim.analysis.trackfiles import read_tracks, read_truth

    root = request.getfixturevalue(which)
    run = load_run(root)
    _, _, stats = accuracy_figures(run)
    tf, truth = read_tracks(root / "tracks.parquet"), read_truth(root / "truth.parquet").truth
    picture, times = tf.tracks, None
    if tf.history == "changes":
        picture, times = hold_for_scoring(picture, truth.t_s)
    want = score_frames(truth, picture, c_m=2000.0, p=1.0, eval_times_s=times)
    assert stats["mean_gospa_m"] == pytest.approx(want.series.gospa_mean_m, rel=1e-12)
    assert stats["pos_rmse_m"] == pytest.approx(want.pos_rmse_m, rel=1e-12)


def test_the_map_shows_no_track_after_its_deletion(tmp_path: Path) -> None:
    """A track deleted at t_d is not among the map's "tracks now" at any frame from t_d
    on (patriot seed 95004: a deleted F-16 track showed as coasting beside its
    successor in 29 frames, up to 30 s after its deletion)."""
    from iadsim.analysis.report.replay import frame_times, truth_by_threat
    from iadsim.analysis.report.replay_frames import _tracks_now
    from iadsim.scenario.load import load_scenario
    from iadsim.sim.runner import run_scenario

    run_scenario(load_scenario("patriot-vs-mixed-raid"), seed=95004, out_dir=tmp_path / "run")
    run = load_run(tmp_path / "run")
    gone = dict(zip(run.track_deletions["track_id"].tolist(),
                    run.track_deletions["t_s"].tolist(), strict=True))  # fmt: skip
    assert gone  # the run deletes confirmed tracks
    truth = truth_by_threat(run)
    shown_after = 0
    for t in frame_times(run.world.duration_s).tolist():
        layer = _tracks_now(run, t, truth)
        ids = [int(s.split()[1]) for s in layer["text"]]
        shown_after += sum(1 for i in ids if i in gone and gone[i] <= t)
    assert shown_after == 0


def test_timeline_markers_lie_inside_its_axis(default_run: Path) -> None:
    """Markers at t = 0 and at the run's end were cut in half by an axis of exactly
    [0, duration] (13 first-detection markers and 10 leaks in a real-traffic run)."""
    run = load_run(default_run)
    fig = timeline_figure(run)
    lo, hi = fig["layout"]["xaxis"]["range"]
    xs = [x for tr in fig["data"] if "markers" in tr.get("mode", "") for x in tr["x"]
          if x is not None]  # fmt: skip
    assert xs and lo < min(xs) and max(xs) < hi
    assert lo < 0.0 and hi > run.world.duration_s
