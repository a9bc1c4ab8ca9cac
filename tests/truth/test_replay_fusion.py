"""Replayed positions fused with the recorded ground velocity (truth/fusion.py).

A synthetic flight with a known trajectory (straight, a standard-rate turn, straight)
is "recorded" the way archived ADS-B state vectors are: each 1 s row carries the
position of the last position message (stale by 0-1 s, as OpenSky's resampled state
vectors; and, at some flights' start, frozen for many seconds), and the aircraft's
own ground velocity with a few m/s of noise. The fused trajectory must be close to
the true one in position and, above all, in velocity, where differencing the raw
positions is tens of m/s off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from replay_helpers import LAT0, LON0, write_parquet

from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data
from iadsim.truth.fusion import fuse_positions

SPEED_MPS = 220.0
TURN_RATE_RAD_S = np.radians(3.0)  # standard rate


def _true_track(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Heading north, a 90 deg right turn from 100 s to 130 s, then east."""
    t0, t1 = 100.0, 100.0 + (np.pi / 2) / TURN_RATE_RAD_S
    hdg = np.clip(t - t0, 0.0, t1 - t0) * TURN_RATE_RAD_S
    vel = SPEED_MPS * np.stack([np.sin(hdg), np.cos(hdg)], axis=-1)
    r = SPEED_MPS / TURN_RATE_RAD_S
    pos = np.empty((t.size, 2))
    a, b, c = t < t0, (t >= t0) & (t <= t1), t > t1
    pos[a] = np.stack([np.zeros(a.sum()), SPEED_MPS * t[a]], -1)
    pos[b] = np.stack([r * (1 - np.cos(hdg[b])), SPEED_MPS * t0 + r * np.sin(hdg[b])], -1)
    end = np.array([r, SPEED_MPS * t0 + r])
    pos[c] = end + np.stack([SPEED_MPS * (t[c] - t1), np.zeros(c.sum())], -1)
    return pos, vel


def _recorded(seed: int, n: int = 240, frozen_start_s: float = 0.0):
    rng = np.random.default_rng(seed)
    t = np.arange(float(n))
    stale = t - rng.uniform(0.0, 1.0, n)  # time of the last position message
    stale[t < frozen_start_s] = 0.0
    pos, _ = _true_track(np.maximum(stale, 0.0))
    _, vel = _true_track(t)
    return t, pos, vel + rng.normal(0.0, 1.5, vel.shape)


def _velocity_error_mps(t: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Per leg between reports: replayed (differenced) velocity minus the true mean."""
    true_pos, _ = _true_track(t)
    v_rep = np.diff(pos, axis=0) / np.diff(t)[:, None]
    v_true = np.diff(true_pos, axis=0) / np.diff(t)[:, None]
    return np.linalg.norm(v_rep - v_true, axis=1)


@pytest.mark.parametrize("seed", range(8))
def test_fusion_removes_the_velocity_noise_of_stale_positions(seed: int) -> None:
    t, rec, vel = _recorded(seed)
    fused = fuse_positions(t, rec, vel)
    raw_err = _velocity_error_mps(t, rec)
    fused_err = _velocity_error_mps(t, fused)
    assert np.sqrt(np.mean(raw_err**2)) > 60.0  # what differencing stale positions gives
    assert np.sqrt(np.mean(fused_err**2)) < 4.0  # the recorded velocity's own noise level
    true_pos, _ = _true_track(t)
    pos_err = np.linalg.norm(fused - true_pos, axis=1)
    # the stale positions lag by 0.5 s on average: the fused level keeps that lag
    # (~110 m, along track), never more than the recording's own spread
    assert np.median(pos_err) < 0.75 * SPEED_MPS
    assert np.max(pos_err) < np.max(np.linalg.norm(rec - true_pos, axis=1)) + 30.0


def test_a_frozen_start_does_not_bend_the_trajectory() -> None:
    """15 s of a position frozen at the first report (as 7 of Zurich's 35 flights):
    the fused track flies at the recorded speed from the start."""
    t, rec, vel = _recorded(3, frozen_start_s=15.0)
    fused = fuse_positions(t, rec, vel)
    err = _velocity_error_mps(t, fused)
    assert err[:15].max() < 6.0
    assert _velocity_error_mps(t, rec)[:14].max() == pytest.approx(SPEED_MPS, rel=0.05)


def test_consistent_recording_is_kept_and_missing_velocity_falls_back() -> None:
    t = np.arange(50.0)
    pos, vel = _true_track(t + 80.0)  # through the turn's start
    np.testing.assert_allclose(fuse_positions(t, pos, vel), pos, atol=2.0)
    vel[7] = np.nan
    np.testing.assert_array_equal(fuse_positions(t, pos, vel), pos)
    np.testing.assert_array_equal(fuse_positions(t[:2], pos[:2], vel[:2] * 0), pos[:2])


def _recording_file(tmp_path: Path, seed: int) -> Path:
    t, pos, vel = _recorded(seed)
    lat = LAT0 + np.degrees(pos[:, 1] / 6_371_008.8)
    lon = LON0 + np.degrees(pos[:, 0] / (6_371_008.8 * np.cos(np.radians(LAT0))))
    cols = {
        "timestamp": (1_633_608_000.0 + t).tolist(), "icao24": ["abc123"] * t.size,
        "callsign": ["TST1"] * t.size, "latitude": lat.tolist(), "longitude": lon.tolist(),
        "altitude": [3000.0] * t.size, "groundspeed": np.hypot(*vel.T).tolist(),
        "track": (np.degrees(np.arctan2(vel[:, 0], vel[:, 1])) % 360).tolist(),
        "vertical_rate": [0.0] * t.size,
    }  # fmt: skip
    units = '{"timestamp": "s", "altitude": "m", "groundspeed": "mps", "vertical_rate": "mps"}'
    return write_parquet(tmp_path / "r.parquet", cols, units=units)


@pytest.mark.parametrize("fuse", [True, False])
def test_scenario_truth_velocity_follows_the_switch(tmp_path: Path, fuse: bool) -> None:
    """Through the scenario: the default replay's truth velocity is the fused one;
    ``fuse_velocity: false`` gives the differenced reports (tens of m/s off)."""
    # legs between stale positions reach twice the speed: no jump splits here
    motion: dict[str, object] = {
        "kind": "replay",
        "file": str(_recording_file(tmp_path, 5)),
        "max_speed_mps": 600,
    }
    if not fuse:
        motion["fuse_velocity"] = False
    origin = {"lat_deg": LAT0, "lon_deg": LON0, "alt_m": 0.0}
    data = {
        "name": "fusion", "origin": origin, "terrain": {"kind": "none"},
        "simulation": {"duration_s": 230, "truth_step_s": 1.0},
        "radars": [{"name": "r", "type": "asr9-class-surveillance", **origin}],
        "threats": [{"name": "a", "type": "airliner-class", "motion": motion}],
    }  # fmt: skip
    world = compile_world(load_scenario_data(data, file="s.yaml"))
    t = np.arange(5.0, 225.0, 0.5)
    st = world.truth.states(t)
    _, v_true = _true_track(t)
    err = np.hypot(st.ve_mps - v_true[:, 0], st.vn_mps - v_true[:, 1])
    rms = float(np.sqrt(np.mean(err**2)))
    assert (rms < 5.0) if fuse else (rms > 40.0), rms


@pytest.mark.parametrize("seed", range(5))
def test_velocity_glitches_are_replaced_not_integrated(seed: int) -> None:
    """One report with its track reversed and one with ground speed 0 (in the straight
    leg, the turn and the frozen start): integrated, they moved the truth hundreds of
    metres; screened, each takes its neighbours' median, is counted, and the fused
    trajectory stays as close to the true one as without the glitches."""
    from iadsim.truth.fusion import screen_velocities

    t, pos, vel = _recorded(seed, frozen_start_s=8.0)
    rng = np.random.default_rng(100 + seed)
    k1, k2 = rng.choice(np.r_[20:90, 105:125, 150:230], size=2, replace=False)
    bad = vel.copy()
    bad[k1] = -bad[k1]  # track + 180 deg
    bad[k2] = 0.0  # ground speed 0
    fixed, n = screen_velocities(t, bad)
    assert n == 2 and np.abs(fixed[[k1, k2]] - vel[[k1, k2]]).max() < 20.0
    true_pos, _ = _true_track(t)
    clean = np.linalg.norm(fuse_positions(t, pos, vel) - true_pos, axis=1)
    mended = np.linalg.norm(fuse_positions(t, pos, fixed) - true_pos, axis=1)
    raw = np.linalg.norm(fuse_positions(t, pos, bad) - true_pos, axis=1)
    assert raw.max() > 100.0  # what integrating the glitches did
    assert mended.max() < clean.max() + 10.0


@pytest.mark.parametrize("seed", range(5))
def test_consistent_velocities_are_never_screened(seed: int) -> None:
    """A clean recording (noise, stale positions, a frozen start, a standard-rate turn;
    1 s and 10 s reporting) loses no velocity to the screen."""
    from iadsim.truth.fusion import screen_velocities

    t, _, vel = _recorded(seed, frozen_start_s=15.0)
    assert screen_velocities(t, vel)[1] == 0
    assert screen_velocities(t[::10], vel[::10])[1] == 0
