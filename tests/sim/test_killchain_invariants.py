"""Kill-chain invariants over many seeds and random scenarios (issue 10).

Each property is checked on every run of a set of random small scenarios
(``killchain_scenarios``) and of the bundled presets; each failed on the code before
the kill-chain rework (launches on surveillance tracks, orphaned rounds, several salvos
in flight at one target, survivors hidden by a track marked dead).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from killchain_scenarios import random_scenario, random_scenario_dict
from numpy.typing import NDArray

from iadsim.engagement.interceptors import InterceptorParams, flyout_range_m, height_above_origin_m
from iadsim.engagement.log import OUTCOMES, REASONS
from iadsim.frames import Detections
from iadsim.scenario.load import load_scenario, load_scenario_data, read_scenario_yaml
from iadsim.scenario.schema import Scenario
from iadsim.scenario.schema_engagement import compile_interceptor
from iadsim.sensors.horizon import elevation_angle_rad
from iadsim.sim.evaluation import TRACK_TRUTH_GATE_M
from iadsim.sim.runner import RunResult, run_scenario

FAST_SEEDS = range(4)
SLOW_SEEDS = range(4, 28)
MULTI_BATTERY_SEEDS = range(40, 50)
GHOST_S = 30.0  # s a killed threat still counts as the one its tracks follow


Types = dict[str, InterceptorParams]
Cover = dict[int, tuple[np.ndarray, float, float, float, Any]]


def _limits(sc: Scenario) -> tuple[float, frozenset[str], Types, Cover]:
    """The longest fire-control hold of the scenario's radars, s, the interceptor
    types any radar's track guides in mid-course, every interceptor type, and each
    battery's engagement radar (:func:`_coverage`)."""
    cat = sc.resolved_catalog
    holds = [r.fire_control.track_hold_s for r in cat.radars.values()
             if r.fire_control is not None and r.fire_control.track_hold_s is not None]  # fmt: skip
    any_track = frozenset(n for n, i in cat.interceptors.items()
                          if i.guidance.midcourse == "any_track")  # fmt: skip
    types = {n: compile_interceptor(m, n) for n, m in cat.interceptors.items()}
    return float(max(holds)), any_track, types, _coverage(sc)


def _coverage(sc: Scenario) -> Cover:
    """Battery id -> (antenna ENU m, sector centre deg, antenna altitude m, effective
    earth radius factor, its engagement radar's params)."""
    from iadsim.scenario.compile import compile_world

    world = compile_world(sc)
    radars = {r.radar_id: r for r in world.radars}
    out: Cover = {}
    for b in world.batteries:
        if b.engagement_radar_id is None:
            continue
        r = radars[b.engagement_radar_id]
        centre = r.params.az_center_rad if r.heading_rad is None else r.heading_rad
        alt = r.ground_alt_m + r.mast_m
        out[int(b.battery_id)] = (np.asarray(r.pos_enu_m), np.degrees(centre), alt, world.earth_k,
                                  r.params)  # fmt: skip
    return out


@functools.cache
def _run(seed: int, batteries: int = 1) -> tuple[RunResult, float, frozenset[str], Types, Cover]:
    sc = random_scenario(seed, batteries=batteries)
    result = run_scenario(sc, record=False)
    check_salvo_sizes(result, sc)
    return result, *_limits(sc)


def check_salvo_sizes(result: RunResult, sc: Scenario) -> None:
    """No salvo is larger than its battery's doctrine salvo, and a smaller one is fired
    only by a launcher that had fewer rounds of that type left (a partial salvo; a
    launcher left with fewer rounds than a salvo used to fire none: they were stranded,
    and a loadout of 1 with salvo 2 behaved as 0). Rounds left come from the loadouts
    and the salvos launched before, in launch order."""
    from iadsim.scenario.compile import compile_world

    world = compile_world(sc)
    salvo = {k: b.doctrine.salvo for k, b in enumerate(sc.batteries)}
    left = {(lc.launcher_id, typ): n for lc in world.launchers for typ, n in lc.loadout.items()}
    e = result.engagements
    for k in np.argsort(e.t_launch_s, kind="stable").tolist():
        key = (int(e.launcher_id[k]), str(e.interceptor_type[k]))
        n, full = int(e.n_rounds[k]), salvo[int(e.battery_id[k])]
        assert 1 <= n <= full and n <= left[key]
        assert n == full or left[key] < full, (k, n, full, left[key])
        left[key] -= n


def _fc_detections_near(dets: Detections, radar_id: int, t0: float, t1: float, pos: np.ndarray,
                        gate_m: float) -> NDArray[np.float64]:  # fmt: skip
    """Distinct times of the plots ``radar_id`` (-1: any radar) reported within ``gate_m``
    of ``pos`` in ``[t0, t1]`` (each plot at its own time, not its look's)."""
    sel = ((dets.radar_id == radar_id) | (radar_id < 0)) & (dets.t_s >= t0) & (dets.t_s <= t1)
    d = dets.select(sel)
    if not len(d):
        return np.zeros(0)
    near = np.linalg.norm(d.enu_m() - pos[None, :], axis=1) <= gate_m
    return np.unique(d.t_s[near])


def check_launches_have_fire_control(result: RunResult, hold_s: float) -> None:
    """Every launch had a fire-control-quality track: two updates by the battery's
    engagement radar within its hold time, checked independently from the recorded plots:
    two engagement-radar plots near the track taken within ``hold_s`` before the order,
    and the older update the fire-control age counts from is one of them (a plot's time,
    not the end of the sector look that passed it to the tracker)."""
    e, tracks = result.engagements, result.tracks
    for k in range(len(e)):
        assert e.fc_radar_id[k] >= 0
        assert e.fc_age_at_launch_s[k] <= hold_s + 1e-9, (k, e.fc_age_at_launch_s[k])
        t = e.t_order_s[k]
        rows = np.flatnonzero((tracks.track_id == e.track_id_order[k]) & (tracks.t_s <= t))
        assert rows.size, f"salvo {k}: its track has no row before the order"
        pos = tracks.pos_m()[rows[-1]]
        seen = _fc_detections_near(result.detections, int(e.fc_radar_id[k]), t - hold_s - 1e-9,
                                   t, pos, gate_m=5_000.0)  # fmt: skip
        assert seen.size >= 2, f"salvo {k}: {seen.size} engagement-radar plots before launch"
        t_prev = t - e.fc_age_at_launch_s[k]
        assert np.min(np.abs(seen - t_prev)) <= 1e-6, (
            f"salvo {k}: fire-control age counted from {t_prev:.3f} s, no plot then"
        )


def check_launches_are_held(result: RunResult, hold_s: float,
                            any_track: frozenset[str]) -> None:  # fmt: skip
    """A round leaves the rail only while what will guide it holds its track: a plot
    near the track within ``hold_s`` before the launch, from the recorded plots, of the
    battery's engagement radar, or of any radar for the types ``any_track`` (S-400
    seeds 3-5: a 48N6-class pair launched 10 s after the order at a track the radar had
    lost since, aborted 8 s later for lost support; four S-400 batteries, seeds 1, 6, 10
    and 16: a 40N6-class pair, guided by any radar's track, launched at a track that had
    left the F-16 four-ship it was started on and coasted 8 s unseen, while another
    battery engaged the aircraft)."""
    e, tracks = result.engagements, result.tracks
    for k in range(len(e)):
        t_l = float(e.t_launch_s[k])
        track = _salvo_track(result, k, t_l)
        rows = np.flatnonzero((tracks.track_id == track) & (tracks.t_s <= t_l))
        assert rows.size, f"salvo {e.order_id[k]}: its track {track} has no row before launch"
        r = rows[-1]
        pos = tracks.pos_m()[r] + tracks.vel_mps()[r] * (t_l - tracks.t_s[r])
        radar = -1 if e.interceptor_type[k] in any_track else int(e.fc_radar_id[k])
        seen = _fc_detections_near(result.detections, radar, t_l - hold_s - 1e-9, t_l, pos,
                                   gate_m=5_000.0)  # fmt: skip
        assert seen.size, (
            f"salvo {e.order_id[k]} ({e.interceptor_type[k]}) launched at {t_l:.1f} s with no "
            f"{'' if radar < 0 else 'engagement-radar '}plot near track {track} in the "
            f"{hold_s:.0f} s before"
        )


def check_every_round_accounted(result: RunResult) -> None:
    """Each salvo ends kill, miss (with a physical reason), aborted (with a reason) or
    in flight at the end; rounds fired = rounds in the log = launch events."""
    e, s = result.engagements, result.summary
    assert set(e.outcome.tolist()) <= set(OUTCOMES)
    for o, r, t_end in zip(e.outcome, e.reason, e.t_end_s, strict=True):
        if o == "kill":
            assert r == "" and np.isfinite(t_end)
        elif o in ("miss", "aborted"):
            assert r != "" and np.isfinite(t_end)
        else:
            assert np.isnan(t_end)
    assert int(e.n_rounds.sum()) == s.interceptors_fired_total
    launches = result.events.kind == "launch"
    assert int(launches.sum()) == len(e)
    assert sorted(result.events.order_id[launches].tolist()) == sorted(e.order_id.tolist())
    # the log's launch track is the track the launch event names (after handovers on the
    # rail: patriot seed 90005 credited a salvo to its order's deleted track)
    at_launch = dict(zip(result.events.order_id[launches].tolist(),
                         result.events.track_id[launches].tolist(), strict=True))  # fmt: skip
    assert [at_launch[o] for o in e.order_id.tolist()] == e.track_id_launch.tolist()
    # "no threat in the basket" after a track loss is what an orphaned round looked like
    assert not np.any(e.reason == "no threat in gate")
    cancels = result.events.kind == "cancel"  # orders withdrawn before launch: no salvo
    assert not set(result.events.order_id[cancels].tolist()) & set(e.order_id.tolist())


def _gone_threat(result: RunResult, k: int) -> int:
    """The threat no longer in the air nearest salvo ``k``'s end point at its end time
    (truth rows of the grid times either side), -1 if none within 2 km."""
    e, tr = result.engagements, result.truth
    end = np.array([e.end_e_m[k], e.end_n_m[k], e.end_u_m[k]])
    rows = np.flatnonzero((np.abs(tr.t_s - e.t_end_s[k]) <= 1.0) & ~tr.alive)
    if not rows.size:
        return -1
    d = np.linalg.norm(tr.pos_m()[rows] - end, axis=1)
    return int(tr.threat_id[rows[np.argmin(d)]]) if d.min() <= 2_000.0 else -1


def check_miss_reasons(result: RunResult) -> None:
    """Every reason is a documented one of its outcome, and a miss on a threat no longer
    in the air says how it went (from the summary, independently): leaked before the
    intercept, killed before the order (a track of a destroyed target), or killed
    between the order and the intercept (already destroyed)."""
    e = result.engagements
    fate = {t.threat_id: (t.outcome, t.outcome_t_s) for t in result.summary.threats}
    for k in range(len(e)):
        reason, outcome = str(e.reason[k]), str(e.outcome[k])
        assert reason == "" or REASONS[reason][0] == outcome, (k, reason, outcome)
        if reason not in ("target leaked before intercept", "target already destroyed",
                          "track of a destroyed target"):  # fmt: skip
            continue
        how, t_gone = fate[_gone_threat(result, k)]
        assert t_gone <= e.t_end_s[k], (k, reason, t_gone)
        if reason == "target leaked before intercept":
            assert how == "leaked", (k, reason, how)
        else:
            assert how == "killed", (k, reason, how)
            before = t_gone <= e.t_order_s[k]
            assert before == (reason == "track of a destroyed target"), (k, reason, t_gone)


def check_aborts_where_the_rounds_were(result: RunResult, types: Types) -> None:
    """An aborted salvo ends where its rounds were: no farther from the launcher than
    the type's fly-out profile carries them in the time since launch (s400 seed 90005:
    a salvo aborted 12 s after launch ended at its PIP 59 km out, 4,957 m/s), on the
    line to the PIP."""
    e = result.engagements
    for k in np.flatnonzero(e.outcome == "aborted"):
        i = types[str(e.interceptor_type[k])]
        launcher = np.array([e.launcher_e_m[k], e.launcher_n_m[k], e.launcher_u_m[k]])
        end = np.array([e.end_e_m[k], e.end_n_m[k], e.end_u_m[k]])
        flown = float(flyout_range_m(e.t_end_s[k] - e.t_launch_s[k], i.boost_s,
                                     i.max_speed_mps, i.decel_mps2, i.min_speed_mps))  # fmt: skip
        assert np.linalg.norm(end - launcher) <= flown * (1 + 1e-9) + 1e-6, (
            f"salvo {e.order_id[k]} aborted {e.t_end_s[k] - e.t_launch_s[k]:.1f} s after "
            f"launch {np.linalg.norm(end - launcher):.0f} m out (fly-out {flown:.0f} m)"
        )


def check_launches_have_a_track(result: RunResult) -> None:
    """No round leaves the rail at a track already deleted: the track a salvo flies on
    at its launch time (after handovers) was not deleted before that time."""
    e, ev = result.engagements, result.events
    deleted = {int(t): float(s) for t, s, k in zip(ev.track_id, ev.t_s, ev.kind, strict=True)
               if k == "track_deleted"}  # fmt: skip
    for k in range(len(e)):
        t_l = float(e.t_launch_s[k])
        track = _salvo_track(result, k, t_l)
        assert deleted.get(track, np.inf) > t_l, (
            f"salvo {e.order_id[k]} launched at {t_l:.1f} s at track {track}, "
            f"deleted at {deleted[track]:.1f} s"
        )


def check_no_launch_onto_an_engaged_track(result: RunResult) -> None:
    """A salvo not yet launched is handed over only to a track no other salvo flies
    on: launching it there would engage that aircraft twice at once (patriot seed
    9471). Judged on the defender's track ids, the other salvos' tracks as they were
    before the handover instant (several handovers of one instant are processed in
    turn)."""
    e, ev = result.engagements, result.events
    launch = {int(o): float(t) for o, t in zip(e.order_id, e.t_launch_s, strict=True)}
    end = np.where(np.isnan(e.t_end_s), np.inf, e.t_end_s)
    for h in np.flatnonzero(ev.kind == "handover"):
        t, order = float(ev.t_s[h]), int(ev.order_id[h])
        if launch.get(order, np.inf) < t:
            continue  # rounds in the air may converge on a merged track
        others = np.flatnonzero((e.t_order_s < t) & (end > t) & (e.order_id != order))
        busy = {_salvo_track(result, int(a), t - 1e-6) for a in others}
        assert int(ev.track_id[h]) not in busy, (
            f"salvo {order} handed over at {t:.1f} s, before its launch, to track "
            f"{ev.track_id[h]} that another salvo already flies on"
        )


def _threat_followed(result: RunResult, track_id: int, t_s: float) -> int:
    """The threat track ``track_id`` follows at ``t_s``: the threat nearest its last
    row at or before ``t_s`` (truth interpolated to that row's time), -1 if none within
    the evaluation gate or the track has no row yet. A threat killed less than
    ``GHOST_S`` before that row still counts: a track on an aircraft just killed
    follows that aircraft, not its neighbour. Independent of the engagement log."""
    tracks, truth = result.tracks, result.truth
    rows = np.flatnonzero((tracks.track_id == track_id) & (tracks.t_s <= t_s + 1e-9))
    if not rows.size:
        return -1
    row = rows[np.argmax(tracks.t_s[rows])]
    t_row, pos = float(tracks.t_s[row]), tracks.pos_m()[row]
    best, best_d = -1, TRACK_TRUTH_GATE_M
    for th in np.unique(truth.threat_id):
        k = np.flatnonzero(truth.threat_id == th)
        t_k, alive = truth.t_s[k], truth.alive[k]
        if not alive.any():
            continue
        t_born = float(t_k[alive].min())
        dead = t_k[~alive & (t_k > t_born)]
        t_dead = float(dead.min()) if dead.size else np.inf
        if not t_born <= t_row <= min(float(t_k[-1]), t_dead + GHOST_S):
            continue
        p = np.array([np.interp(t_row, truth.t_s[k], c[k]) for c in (truth.e_m, truth.n_m,
                                                                    truth.u_m)])  # fmt: skip
        d = float(np.linalg.norm(p - pos))
        if d < best_d:
            best, best_d = int(th), d
    return best


def _salvo_track(result: RunResult, k: int, t_s: float) -> int:
    """The track salvo ``k`` of the engagement log is attached to at ``t_s``: its order's
    track, or the last track it was handed over to by then (``handover`` events)."""
    e, ev = result.engagements, result.events
    hand = np.flatnonzero((ev.kind == "handover") & (ev.order_id == e.order_id[k])
                          & (ev.t_s <= t_s + 1e-9))  # fmt: skip
    if not hand.size:
        return int(e.track_id_order[k])
    return int(ev.track_id[hand[-1]])  # events are in time order


def check_doctrine_per_target(result: RunResult) -> None:
    """No salvo is ordered against a threat that another salvo in flight is already
    engaging (the presets' and random scenarios' doctrines allow one engagement per
    target at a time).

    A salvo engages the threat its fire-control track follows, and a track may move
    from one aircraft of a formation to another during a fly-out; so each pair of
    overlapping salvos is judged at the later order (the decision) by the threats both
    tracks follow then, from truth (a salvo's track being the last it was handed over
    to). A salvo on a track that was lost still counts
    against the threat its last update followed: re-engaging an aircraft on a fresh
    track while that salvo flies is over-engagement."""
    e = result.engagements
    end = np.where(np.isnan(e.t_end_s), np.inf, e.t_end_s)
    for b in range(len(e)):
        t = float(e.t_order_s[b])
        flying = np.flatnonzero((e.t_order_s < t) & (end > t))
        if not flying.size:
            continue
        th_b = _threat_followed(result, int(e.track_id_order[b]), t)
        for a in flying:
            track_a = _salvo_track(result, int(a), t)
            th_a = _threat_followed(result, track_a, t)
            assert th_b < 0 or th_a != th_b, (
                f"threat {th_b}: salvo {e.order_id[b]} ordered at {t:.1f} s while salvo "
                f"{e.order_id[a]} (track {track_a}) was in flight against it"
            )


def check_outcomes_add_up(result: RunResult) -> None:
    """killed + leaked + survived = threats, for the raid and per battery (over the
    threats that came within the battery's reach)."""
    s = result.summary
    assert s.n_killed + s.n_leaked + s.n_survived == s.n_threats
    for b in s.batteries:
        parts = b.kills + b.killed_by_others + b.leakers + b.survived
        assert parts == b.threats_in_reach <= s.n_threats
    killed = {t.threat_id for t in s.threats if t.outcome == "killed"}
    assert sum(b.kills for b in s.batteries) == len(killed)
    # a leaker on its egress may be killed afterwards: it stays a leaker
    after = {
        t.threat_id
        for t in s.threats
        if t.killed_after_leak_t_s is not None and np.isfinite(t.killed_after_leak_t_s)
    }
    assert all(s.threats[i].outcome == "leaked" for i in after)
    assert sum(b.kills_after_leak for b in s.batteries) == len(after) == s.n_killed_after_leak
    kills = result.engagements.outcome == "kill"
    assert set(result.engagements.threat_id_end[kills].tolist()) == killed | after
    for t in s.threats:  # a threat a salvo killed was engaged: P(killed) <= P(engaged)
        if t.threat_id in killed | after:
            assert t.engagements >= 1 and t.rounds >= 1, (t.threat_id, t.engagements)
    assert s.n_never_engaged == sum(t.engagements == 0 for t in s.threats)
    attributed = (result.engagements.threat_id_end >= 0) | (
        result.engagements.threat_id_launch >= 0
    )
    assert sum(t.engagements for t in s.threats) == int(attributed.sum()) <= s.salvos
    assert sum(t.rounds for t in s.threats) <= s.interceptors_fired_total
    assert s.n_track_rows == len(result.tracks)  # (was counted before one row per instant)
    for t in s.threats:  # a threat with a firm track was detected first
        if np.isfinite(t.first_track_t_s):
            assert t.first_detection_t_s <= t.first_track_t_s
        if np.isfinite(t.first_fc_track_t_s):  # a fire-control track is a firm track
            assert t.first_track_t_s <= t.first_fc_track_t_s, (t.threat_id, t.first_track_t_s)
        if t.engagements:
            assert np.isfinite(t.first_fc_track_t_s)
    ev = result.events  # (patriot seed 90005: fire-control events on tentative tracks)
    firm_at = {}
    for tid, t_s in zip(ev.track_id[ev.kind == "track_confirmed"].tolist(),
                        ev.t_s[ev.kind == "track_confirmed"].tolist(), strict=True):  # fmt: skip
        firm_at.setdefault(tid, t_s)
    for tid, t_s in zip(ev.track_id[ev.kind == "fire_control_track"].tolist(),
                        ev.t_s[ev.kind == "fire_control_track"].tolist(), strict=True):  # fmt: skip
        assert firm_at.get(tid, np.inf) <= t_s, f"fire-control event on track {tid} before firm"


def check_first_detection_events(result: RunResult) -> None:
    """Each ``first_detection`` event is its radar's earliest plot of the threat, and
    every threat a radar saw has one (saturation seed 90003: a cue dwell's plot at
    1,603.0 s was the event, a sector look's plot of 1,602.964 s came later)."""
    d, ev = result.detections, result.events
    first: dict[tuple[int, int], float] = {}
    for r, th, t in zip(d.radar_id.tolist(), d.truth_id.tolist(), d.t_s.tolist(), strict=True):
        if th >= 0:
            first[(r, th)] = min(t, first.get((r, th), np.inf))
    fd = ev.kind == "first_detection"
    keys = zip(ev.radar_id[fd].tolist(), ev.threat_id[fd].tolist(), strict=True)
    got = dict(zip(keys, ev.t_s[fd].tolist(), strict=True))
    assert int(fd.sum()) == len(got) and got == first


def check_pips_in_engagement_radar_coverage(result: RunResult, types: Types, cover: Cover) -> None:
    """Every salvo of a type its battery's engagement radar guides (mid-course commands,
    track-via-missile or semi-active terminal) was ordered at an intercept point that
    radar can see: inside its range window and sector (pymap3d) and its elevation limits
    (the exact apparent elevation over the radar's k-earth, as its detections use it)
    (patriot-vs-mixed-raid seeds 1, 9, 12, 15: a PAC-2-class pair ordered
    at an F-35 flying over the battery, its PIP 77-85 deg above the sector radar whose
    limit is 70 deg; three were aborted at the intercept for lost support, one was
    credited with a kill the radar could not have guided)."""
    import pymap3d

    e = result.engagements
    for k in range(len(e)):
        sup = types[str(e.interceptor_type[k])].support
        if not sup.needs_fire_control:
            continue
        site, centre_deg, alt_a, k_earth, p = cover[int(e.battery_id[k])]
        pip = np.array([e.pip_e_m[k], e.pip_n_m[k], e.pip_u_m[k]])
        az, _, rng = pymap3d.enu2aer(*(pip - site))
        alt = alt_a + height_above_origin_m(pip) - height_above_origin_m(site)
        ground_m = float(np.hypot(*(pip - site)[:2]))
        el = np.degrees(elevation_angle_rad(ground_m, alt, alt_a, k_earth))
        off = abs((az - centre_deg + 180.0) % 360.0 - 180.0)
        where = (f"salvo {e.order_id[k]} ({e.interceptor_type[k]}): PIP at az {az:.1f}, "
                 f"el {el:.1f} deg, {rng:.0f} m")  # fmt: skip
        assert p.min_range_m <= rng <= p.instrumented_range_m, where
        assert off <= np.degrees(p.az_width_rad) / 2 + 1e-6, where
        assert np.degrees(p.el_min_rad) - 1e-6 <= el <= np.degrees(p.el_max_rad) + 1e-6, where


def _check_all(result: RunResult, hold_s: float, any_track: frozenset[str], types: Types,
               cover: Cover) -> None:  # fmt: skip
    check_pips_in_engagement_radar_coverage(result, types, cover)
    check_first_detection_events(result)
    check_launches_have_fire_control(result, hold_s)
    check_aborts_where_the_rounds_were(result, types)
    check_launches_are_held(result, hold_s, any_track)
    check_launches_have_a_track(result)
    check_no_launch_onto_an_engaged_track(result)
    check_every_round_accounted(result)
    check_doctrine_per_target(result)
    check_outcomes_add_up(result)
    check_miss_reasons(result)


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_invariants_on_random_scenarios(seed: int) -> None:
    result, hold_s, any_track, types, cover = _run(seed)
    _check_all(result, hold_s, any_track, types, cover)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_invariants_on_more_random_scenarios(seed: int) -> None:
    result, hold_s, any_track, types, cover = _run(seed)
    _check_all(result, hold_s, any_track, types, cover)


@pytest.mark.parametrize("seed", FAST_SEEDS[:1])
def test_invariants_with_several_batteries(seed: int) -> None:
    """Three batteries on one air picture: doctrine per target across batteries, every
    round accounted for, launches on held tracks (the one-battery scenarios never test
    coordination)."""
    result, hold_s, any_track, types, cover = _run(seed, batteries=3)
    assert len(set(result.engagements.battery_id.tolist())) >= 2, "several batteries must fire"
    _check_all(result, hold_s, any_track, types, cover)


@pytest.mark.slow
@pytest.mark.parametrize("seed", MULTI_BATTERY_SEEDS)
def test_invariants_with_several_batteries_more_seeds(seed: int) -> None:
    result, hold_s, any_track, types, cover = _run(seed, batteries=2 + seed % 2)
    _check_all(result, hold_s, any_track, types, cover)


# Seeds of the bundled S-400 preset where a fire-control track moved from one aircraft
# of a four-ship to its neighbour during a fly-out and the salvo then lost support: the
# neighbour, tracked afresh, was engaged while that salvo still flew towards it
# (seed 4244; fixed by counting the tracks within reach of unsupported salvos engaged).
# Patriot seed 5151: two orders placed 10 s (the reaction time) before launch on tracks
# of aircraft another salvo killed meanwhile; the rounds left the rail at deleted tracks
# (fixed by launching at the launch time only at a track still firm, else cancelling).
# Saturation seed 9302: the salvo's own track was coasting, so C2 (which assesses
# confirmed tracks only) did not see its target as engaged, and ordered a second salvo
# at the confirmed near-duplicate track 40 m away (fixed by judging doctrine per target
# over the whole picture).
PRESET_CASES = (
    ("s400-vs-mixed-raid", 4242),
    ("s400-vs-mixed-raid", 4244),
    ("patriot-vs-mixed-raid", 5151),
    ("saturation", 9302),
    # found 2026-12-04: a tentative track started on one F-16 of the four-ship took its
    # neighbour's plot on the next look (the second-look gate is kilometres wide),
    # confirmed 420 m/s off and was engaged beside the good track of the same aircraft;
    # fixed by the preset tracker's confirm_on_ambiguous: false (no confirmation on a
    # look whose gate held several plots)
    ("patriot-vs-mixed-raid", 9312),
    # found 2026-12-05: a salvo still on the rail lost its track (one F-16 of the
    # four-ship) and was handed to the neighbour's track that the next salvo was about
    # to fly on; both launched at one aircraft (fixed: a salvo not launched yet takes
    # only a free successor, else it is cancelled at its launch time)
    ("patriot-vs-mixed-raid", 9471),
    # found 2026-12-05: a 48N6-class pair ordered on a cued fire-control track left the
    # rail 10 s later although the engagement radar had not updated the track since
    # the order (its cue looks missed); aborted 8 s after launch for lost support
    # (fixed: the launch commit of a radar-guided type needs the radar's track)
    ("s400-vs-mixed-raid", 3),
    # found 2026-12-06: a PAC-2-class pair (track-via-missile) ordered at an F-35
    # flying over the battery, its PIP 77 deg above the sector radar (limit 70 deg),
    # aborted at the intercept for lost terminal support (fixed: C2's intercepts of
    # radar-guided types lie inside the engagement radar's coverage)
    ("patriot-vs-mixed-raid", 9),
)


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "seed"), PRESET_CASES)
def test_invariants_on_preset_formation_cases(preset: str, seed: int) -> None:
    sc = load_scenario(preset)
    _check_all(run_scenario(sc, seed=seed, record=False), *_limits(sc))


def _batteries(n: int, three_point: bool = False) -> Scenario:
    """The s400-vs-mixed-raid preset with its battery copied ``n`` times on a ring
    (``bench/bench_scaling.py``'s ``batteries(n)``, the many-battery benchmark), with
    three-point initiation of ambiguous pairs if ``three_point``, else two-point only
    (the preset's initiation until 2026-12-06, under which these scenes were found: since
    then the preset starts ambiguous pairs on a third plot, and seed 10's chain, whose
    launch the any-radar check cancels, no longer forms)."""
    import importlib.util
    from pathlib import Path

    from iadsim.scenario.load import load_scenario_data

    path = Path(__file__).resolve().parents[2] / "bench" / "bench_scaling.py"
    spec = importlib.util.spec_from_file_location("bench_scaling", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.batteries(n)
    if three_point:
        data["tracker"]["initiation"].update(
            third_plot="ambiguous", chain_check=True, ambiguous_hits=1
        )
    else:
        data["tracker"]["initiation"].update(
            third_plot="never", chain_check=False, ambiguous_hits=2
        )
    return load_scenario_data(data, file=str(path))


# Issue 14: with four batteries a track started from a pair of two F-16s' plots (a
# velocity 600-700 m/s off, a chain across the four-ship seen by one battery's
# engagement radar) confirmed and drew a 40N6-class salvo while another battery engaged
# the aircraft's own track: seeds 1, 6, 10 and 16 of 1-16 with the preset's two-point
# initiation, 3 and 16 with three-point initiation of ambiguous pairs. The track had
# left the formation during the 10 s reaction time and coasted unseen; that type (any
# radar's track in mid-course) was launched without any radar holding the track. The
# launch commit (``Engagement.commit_launches``) now checks every type: the engagement
# radar's hold, or any radar's for such a type. These seeds, the failing ones of 1-16 in
# both modes, hold every invariant.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("three_point", "seed", "acts"),
    [(False, 1, False), (False, 6, False), (False, 10, True), (False, 16, False),
     (True, 3, False), (True, 16, False)],
)  # fmt: skip
def test_invariants_with_four_s400_batteries(three_point: bool, seed: int, acts: bool) -> None:
    """The invariants hold; in the ``acts`` scene the any-radar launch check cancelled a
    commit (so the test is not vacuous). All 6 scenes showed it under the single sensor
    stream, 3 under per-radar streams (10, 16, 16 three-point; 2026-12-06), and seed 10
    since C2 orders radar-guided rounds only at PIPs inside the engagement radar's
    coverage (same day: seed 16's orders changed, its cancel is a fire-control one)."""
    sc = _batteries(4, three_point)
    result = run_scenario(sc, seed=seed, record=False)
    _check_all(result, *_limits(sc))
    ev = result.events
    cancels = ev.detail[ev.kind == "cancel"].tolist()
    assert "no current track at launch" in cancels or not acts, cancels


# Found 2026-12-05 by running the invariants outside the tests (batteries(8) seeds 1-6,
# random scenarios with four batteries seeds 100-115):
# - batteries(8) seed 6: after kills in the F-16 four-ship, the coasting track of a
#   killed aircraft (position sigma ~1 km after 40 s) took the surviving neighbour's
#   plots; the duplicate rule deleted the younger track, the neighbour's own with a
#   salvo on it, the salvo went to the dead aircraft's track, and C2 ordered a second
#   salvo at the other dead aircraft's track, on the survivor by then (682 s). The rule
#   now keeps the better supported of two duplicates (tracking.coalesce.DuplicateRule).
# - random_scenario(109, batteries=4): a fighter's break turn (velocity 520 m/s off
#   within 8 s) lost its track with a salvo on it; the new track on it was outside the
#   unsupported salvo's handover gate, so C2 ordered at it 4 s before that salvo was
#   aborted. A track new to the picture within the lost estimate's manoeuvre envelope
#   now counts as within the salvo's reach (iadsim.engagement.reach).
@pytest.mark.slow
def test_invariants_eight_batteries_seed_6() -> None:
    sc = _batteries(8)
    _check_all(run_scenario(sc, seed=6, record=False, limits=None), *_limits(sc))


@pytest.mark.slow
def test_invariants_four_random_batteries_seed_109() -> None:
    result, hold_s, any_track, types, cover = _run(109, batteries=4)
    _check_all(result, hold_s, any_track, types, cover)
    e = result.engagements
    aborted = np.flatnonzero(e.reason == "fire-control support lost")
    assert aborted.size  # the break turn still costs the first salvo
    later = e.t_order_s > e.t_launch_s[aborted[0]]
    assert np.all(e.t_order_s[later] >= e.t_end_s[aborted[0]])  # re-engaged after its abort
    # without the manoeuvre envelope (engagement.reacquire_max_load_g: 0) C2 engages the
    # new track before the abort again: the scenario setting reaches the stage
    data = random_scenario_dict(109, batteries=4)
    data["engagement"] = {**data.get("engagement", {}), "reacquire_max_load_g": 0.0}
    sc = load_scenario_data(data, file="r109.yaml")
    with pytest.raises(AssertionError, match="was in flight against it"):
        check_doctrine_per_target(run_scenario(sc, record=False))


def test_miss_on_a_leaker_says_it_leaked() -> None:
    """Patriot seed 9351 with the aircraft leaving the air at the airbase (no egress, as
    the preset had then): a salvo ordered at the F-35 10 s before it reached the airbase
    (a leaker) found only the leaker in its basket; its reason said "target already
    destroyed" though no salvo had killed it. Now it says the target leaked. The radar
    stands 9 km east of the airbase here: at the preset's site, 2 km from it, such
    PIPs lie over the radar, outside its coverage, and C2 no longer fires at them."""
    data, file = read_scenario_yaml("patriot-vs-mixed-raid")
    for th in data["threats"]:
        th.pop("egress", None)
    data["batteries"][0]["radars"][0]["lon_deg"] = 32.80
    sc = load_scenario_data(data, file=file)
    result = run_scenario(sc, seed=9351, record=False)
    check_miss_reasons(result)
    assert "target leaked before intercept" in result.engagements.reason.tolist()


def test_doctrine_check_catches_over_engagement(monkeypatch: pytest.MonkeyPatch) -> None:
    """The doctrine check can fail: with C2's in-flight test switched off, salvos are
    ordered at threats already engaged, and the check says so on the fast seeds."""
    import iadsim.c2.stage as c2_stage

    real = c2_stage.reengage_allowed

    def ignore_in_flight(group, track_id, last_hit, t_s, in_flight, *rest):  # type: ignore[no-untyped-def]
        return real(group, track_id, last_hit, t_s, in_flight[:0], *rest)

    monkeypatch.setattr(c2_stage, "reengage_allowed", ignore_in_flight)
    failures = 0
    for seed in FAST_SEEDS:
        sc = random_scenario(seed)
        try:
            check_doctrine_per_target(run_scenario(sc, record=False))
        except AssertionError:
            failures += 1
    assert failures >= 1


def test_random_scenarios_exercise_the_chain() -> None:
    """The generator is not vacuous: the fast seeds launch, kill and leak."""
    runs = [_run(s)[0] for s in FAST_SEEDS]
    assert sum(len(r.engagements) for r in runs) >= 8
    assert sum(r.summary.n_killed for r in runs) >= 4
    assert any(r.summary.n_leaked for r in runs)


@pytest.mark.parametrize("seed", [3, 93040])
def test_a_launcher_with_fewer_rounds_than_a_salvo_fires_them(seed: int) -> None:
    """Patriot preset with one round per launcher, salvo 2: the battery fired nothing
    (6 rounds ready, fire-control tracks on the F-16s at 165 km, 12 of 12 leaked, no
    event saying why). Each launcher now fires its round as a partial salvo, and the
    salvo sizes follow the rounds left (:func:`check_salvo_sizes`)."""
    data, file = read_scenario_yaml("patriot-vs-mixed-raid")
    for launcher in data["batteries"][0]["launchers"]:
        launcher["loadout"] = dict.fromkeys(launcher["loadout"], 1)
    sc = load_scenario_data(data, file=file)
    result = run_scenario(sc, seed=seed, record=False)
    check_salvo_sizes(result, sc)
    e = result.engagements
    assert len(e) > 0 and (e.n_rounds == 1).all()
    assert result.summary.n_killed > 0
