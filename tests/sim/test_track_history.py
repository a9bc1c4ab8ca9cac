"""Change-only track output (``simulation.track_history: changes``) against the full
per-look history: the same information, far fewer rows, and readers that rebuild the
picture (:func:`iadsim.analysis.metrics.held.hold_track_changes`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from iadsim.analysis.metrics.held import hold_track_changes
from iadsim.analysis.trackfiles import read_tracks
from iadsim.frames import Tracks, TrackStatus
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario


def _run(history: str, out: Path | None = None) -> Tracks:
    sc = load_scenario("s400-vs-mixed-raid")
    sim = sc.simulation.model_copy(update={"track_history": history, "duration_s": 900.0})
    sc = sc.model_copy(update={"simulation": sim})
    return run_scenario(sc, out_dir=out, record=out is not None).tracks


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tracks, Tracks, Path]:
    out = tmp_path_factory.mktemp("runs") / "changes"
    return _run("full"), _run("changes", out), out


def _keys(t: Tracks) -> np.ndarray:
    return np.stack([t.t_s, t.track_id.astype(float)], axis=1)


def _rows(t: Tracks) -> list[tuple[float, ...]]:
    """Rows without ``quality``: both files keep one row per (time, track), the state
    after every look at that instant; a second look that updates nothing (a cued
    acquisition dwell beside a search dwell) can still shift the hit history."""
    names = [n for n in Tracks.columns() if n != "quality"]
    return list(zip(*(getattr(t, name).tolist() for name in names), strict=True))


def test_every_change_row_is_the_full_history_row(both) -> None:
    """Every change row is, in every column but the quality score, a row of the full
    per-look history."""
    full, changes, _ = both
    assert 0 < len(changes) < len(full) / 3
    assert set(_rows(changes)) <= set(_rows(full))
    statuses = set(changes.status.tolist())
    assert {TrackStatus.TENTATIVE, TrackStatus.CONFIRMED, TrackStatus.DELETED} <= statuses


def _last_per_key(t: Tracks) -> dict[tuple[float, int], int]:
    """(time, track id) -> index of its last row (two looks at the same instant
    report a track twice)."""
    return {k: i for i, k in enumerate(zip(t.t_s.tolist(), t.track_id.tolist(), strict=True))}


def test_held_picture_has_the_full_history_tracks_at_every_look(both) -> None:
    """At each time both files report, the held picture holds exactly the tracks the full
    history lists, with their status; positions are extrapolated, not re-predicted."""
    full, changes, _ = both
    looks = np.unique(full.t_s[full.status != TrackStatus.DELETED])  # not empty looks
    times = np.intersect1d(looks, np.unique(changes.t_s))
    held = hold_track_changes(changes, times)
    f = full.select(np.isin(full.t_s, times))
    fk, hk = _last_per_key(f), _last_per_key(held)
    # exactly the same (time, track) pairs: a deletion at a look whose time is not
    # among ``times`` shows nowhere (it showed at the next time before: 164 rows)
    assert len(fk) > 1000 and not fk.keys() ^ hk.keys()
    both_keys = [k for k in fk if k in hk]
    fi, hi = np.array([fk[k] for k in both_keys]), np.array([hk[k] for k in both_keys])
    same = f.status[fi] == held.status[hi]
    assert same.mean() > 0.99  # statuses changed at empty looks are marked at the next
    firm = same & (f.status[fi] == TrackStatus.CONFIRMED)
    err = np.linalg.norm(f.pos_m()[fi][firm] - held.pos_m()[hi][firm], axis=1)
    assert np.median(err) < 50.0


def test_run_file_says_its_history_and_reads_back(both) -> None:
    _, changes, out = both
    meta = pq.read_schema(out / "tracks.parquet").metadata
    assert meta[b"iadsim.track_history"] == b"changes"
    tf = read_tracks(out / "tracks.parquet")
    assert tf.history == "changes" and len(tf.tracks) == len(changes)


def test_score_cli_on_a_change_only_run_matches_the_full_history(both, tmp_path: Path) -> None:
    """``iadsim score`` of a change-only run: mean GOSPA within 10 % of the same run
    scored from its full per-look history (same truth)."""
    import typer
    from typer.testing import CliRunner

    from iadsim.analysis.metrics import score_frames
    from iadsim.analysis.trackfiles import read_truth
    from iadsim.cli.score import register

    full, _, out = both
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Test app."""

    csv_path = tmp_path / "s.csv"
    args = ["score", str(out / "tracks.parquet"), str(out / "truth.parquet"), "--c", "1000"]
    res = CliRunner().invoke(app, [*args, "--csv", str(csv_path)])
    assert res.exit_code == 0, res.output
    truth = read_truth(out / "truth.parquet").truth
    want = score_frames(truth, full, c_m=1000.0)
    got = score_frames(
        truth, hold_track_changes(read_tracks(out / "tracks.parquet").tracks), c_m=1000.0
    )
    assert want.series.gospa_mean_m > 0
    assert got.series.gospa_mean_m == pytest.approx(want.series.gospa_mean_m, rel=0.1)
    assert got.continuity.n_truth_tracked == want.continuity.n_truth_tracked


def test_scored_picture_holds_every_live_track_at_every_evaluation_time(both) -> None:
    """Scoring evaluates the picture at the change rows' times plus truth times in gaps
    between them; at each such time every track between its first row and its
    deletion is in the held picture (held at the row times only, the added times had
    no track at all: every target missed, every live track broken there)."""
    from iadsim.analysis.metrics import evaluation_times, score_frames
    from iadsim.analysis.metrics.held import hold_for_scoring
    from iadsim.analysis.trackfiles import read_truth

    _, changes, out = both
    truth = read_truth(out / "truth.parquet").truth
    times = evaluation_times(changes.t_s, truth.t_s)
    assert times.size > np.unique(changes.t_s).size  # the gaps exist in this run
    held, eval_t = hold_for_scoring(changes, truth.t_s)
    assert np.array_equal(eval_t, times)
    have = set(zip(held.t_s.tolist(), held.track_id.tolist(), strict=True))
    for tid in np.unique(changes.track_id):
        rows = changes.select(changes.track_id == tid)
        gone = rows.t_s[rows.status == TrackStatus.DELETED]
        end = gone.min() if gone.size else np.inf
        live = times[(times >= rows.t_s.min()) & (times < end)]
        assert all((t, int(tid)) in have for t in live.tolist()), tid
    # and no fragmentation is made of a held gap: with the picture held at the
    # evaluation times, the score's fragmentations are those of the full history's
    full = score_frames(truth, both[0], c_m=1000.0).continuity.fragmentations
    scored = score_frames(truth, held, c_m=1000.0, eval_times_s=eval_t)
    assert scored.continuity.fragmentations <= full
