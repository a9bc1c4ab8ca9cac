"""The default preset's air picture per threat class (issue 14, formations): tracks per
threat and the track-life NEES over several seeds (slow: eight full runs, shared by
the tests)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from iadsim.analysis.metrics import chi2_bounds, score_frames, track_life_nees
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario
from iadsim.sim.runner import run_scenario


@functools.cache
def _per_class(seeds: tuple[int, ...]) -> dict[str, tuple[int, int, list[float]]]:
    """class -> (firm tracks assigned, threats tracked, life NEES of each track)."""
    sc = load_scenario("s400-vs-mixed-raid")
    sim = sc.simulation.model_copy(update={"track_history": "full"})
    sc = sc.model_copy(update={"simulation": sim})
    types = np.asarray(compile_world(sc).threats.type)
    out: dict[str, tuple[int, int, list[float]]] = {}
    for seed in seeds:
        r = run_scenario(sc, seed=seed, record=False)
        life = track_life_nees(r.truth, r.tracks, truth_class=dict(enumerate(types.tolist())))
        for cls in sorted(set(types.tolist())):
            ids = np.flatnonzero(types == cls)
            s = score_frames(r.truth.select(np.isin(r.truth.threat_id, ids)), r.tracks, c_m=5e3)
            c = s.continuity
            n_trk, n_thr, vals = out.get(cls, (0, 0, []))
            vals = vals + life.nees_mean[np.isin(life.truth_id, ids)].tolist()
            out[cls] = (
                n_trk + int(np.sum(c.purity > 0)), n_thr + int(np.sum(c.n_assigned_steps > 0)),
                vals,
            )  # fmt: skip
    return out


#: Seeds of the claims below. Three seeds (1-3) held them under the run's former single
#: sensor stream by luck: with each radar on a stream of its own (2026-12-06) seed 2 has
#: an F-35-class fragment of NEES 70 and an F-16-class swap of 229. Eight seeds make the
#: tracks-per-threat figure an estimate rather than a draw (F-35 class 21 / 16).
SEEDS = tuple(range(1, 9))


@functools.cache
def _stats() -> dict[str, tuple[int, int, list[float]]]:
    return _per_class(SEEDS)


@pytest.mark.slow(cpu_s=100)  # (the eight runs the module's tests share)
def test_default_preset_tracks_per_threat() -> None:
    """At most 1.3 firm tracks per tracked threat in the cruise-missile and F-16 classes
    (the four-ship formation included: no swaps into extra tracks, no duplicate tracks),
    seeds 1-8 (F-35 class: the test below)."""
    stats = _stats()
    for cls, (n_trk, n_thr, _) in stats.items():
        assert n_thr > 0, cls
        if cls != "f35-class":
            assert n_trk / n_thr <= 1.3, (cls, n_trk, n_thr)


@pytest.mark.slow
def test_default_preset_f35_tracks_per_threat() -> None:
    """The F-35 class at most 1.3 firm tracks per tracked threat, seeds 1-8: 19 / 16
    since the preset's three-point initiation of ambiguous pairs with the chain check
    (2026-12-06). Before it the goal was missed by one track (21 / 16): fragments
    confirmed on the surveillance radar's first plots at Pd ~0.5."""
    n_trk, n_thr, _ = _stats()["f35-class"]
    assert n_trk / n_thr <= 1.3, (n_trk, n_thr)


@pytest.mark.slow
def test_default_preset_cruise_missiles_consistent() -> None:
    """Seeds 1-8: the cruise-missile class's mean track-life NEES is inside its 95% band.
    With the class-blind CV q = 20 it read ~2.2 against about [4.9, 7.2] (velocity
    over-stated at every age of the track); the preset's class-aided filter
    (tracking.classaided) predicts a track that has stayed low, subsonic and level for
    60 s with q = 0.1 (seeds 1-8: 6.1 for 48 tracks)."""
    vals = _stats()["cruise-missile-class"][2]
    lo, hi = chi2_bounds(6, len(vals))
    assert len(vals) >= 32
    assert lo <= float(np.mean(vals)) <= hi, (float(np.mean(vals)), lo, hi)


@pytest.mark.slow
def test_default_preset_no_track_of_a_shot_down_aircraft_on_a_survivor() -> None:
    """Seeds 1-8: no F-16-class track reads a life NEES above 500. Without the
    association precedence of fresh over stale firm tracks (tracking.precedence) seed 5
    has one of 966: the track of a four-ship member shot down at 836 s coasts 35 s onto
    a survivor 1.6 km away, whose plots it then shares with the survivor's own track
    (GNN's squared Mahalanobis distance favours the vaguest track) until the duplicate
    rule deletes the survivor's track. With it the largest is 228 (seed 2, a track that
    hopped to a neighbour's plot while tentative)."""
    vals = _stats()["f16-class"][2]
    assert max(vals) <= 500.0, sorted(vals)[-3:]


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 14: fighter class means carried by tracks on another aircraft's plots",
)
def test_default_preset_fighters_consistent() -> None:
    """Seeds 1-8: the F-16 and F-35 classes' mean track-life NEES inside their 95% bands.
    Not met (strict xfail: passing means issue 14's goal is): since the preset's
    three-point initiation with the chain check (2026-12-06) F-16 4.84 [4.86, 7.26], a
    little cautious, and F-35 6.83 [4.54, 7.65]; seeds 9-16 F-16 4.55, F-35 8.20. Before
    it F-16 11.8 [4.9, 7.2], F-35 7.3 [4.6, 7.6]; held out (99401-99408) 9.9 and 10.1.
    With the association
    precedence of fresh over stale firm tracks (``stale_after_s: 20``, tracking.precedence)
    the F-16 class no longer carries seed 5's track of a shot-down aircraft that coasted
    onto a survivor and shared its plots with the survivor's own track (966; 41.5 without
    the precedence); its mean is now carried by seed 2's four-ship track that hopped to a
    neighbour's plot while tentative (228; without it the class reads about 5). Earlier
    (2026-12-06, before the cue and coverage changes) F-16 11.8, F-35 10.9; held out
    (99201-99208) 8.6 and 50.6. Each class mean is carried by
    one to five tracks that spent part of their life on another aircraft's (or a false
    alarm's) plots, so that the rows on the aircraft of the other part read NEES 10^2-10^4
    (2026-12-06, bench/formation_consistency.py --worst): F-16-class tracks confirmed in
    the four-ship at 270-300 km, where its plots are often merged, with a state 0.5-1 km
    and 50-200 m/s off that walks between aircraft for 30 s (seed 2: 229, 18, 15; seed 7:
    21, 12); F-35-class tracks that coast 30-40 s (Pd ~0.5) until their gate reaches the
    wingman 3 km away and take its plot (seed 2: 70, after a 1 g push-over the coast did
    not cover; seed 8: 25), a fragment born 100 m/s off that coasts to deletion (seed 3:
    46), one that took a false alarm 4.7 km off (99201: 852). Without them the classes
    read 3.4 and 4.5, below their bands (velocity NEES 1.7 of 3: q = 20 is cautious for
    straight flight). Coast noise (``coast_accel_mps2``, tracking.coast) brings the
    coasting F-35 tracks down (70, 46, 25 -> 28, 36, 17 at 4 m/s^2) but its wider
    coasting gates take neighbours' plots elsewhere (seed 7: 126; class means 14.9 /
    12.7), so it is not on in the preset."""
    stats = _stats()
    for cls in ("f16-class", "f35-class"):
        vals = stats[cls][2]
        lo, hi = chi2_bounds(6, len(vals))
        assert lo <= float(np.mean(vals)) <= hi, (cls, float(np.mean(vals)), lo, hi)
