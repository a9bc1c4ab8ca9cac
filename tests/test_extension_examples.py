"""Adding a part is a local change: toy kinds defined here, used through the YAML.

Each toy is what a contributor would write in (at most) two source files: the
stage object (``src/iadsim/<stage>/<new>.py``, plain numpy) and its registration
(config model + compile step, in the role's ``scenario/schema_<stage>.py``). No
union, ``if/elif`` chain or other module is edited: registering the kind is what
makes every scenario field of that role accept it. (Not shipped: test-only toys.)

- (a) a detection model: ``toy_perfect`` detects every living target in range,
  exactly, without false alarms;
- (b) a filter: ``toy_inflated``, an EKF that trusts measurements ``factor`` times
  less (also usable as the mode filter of an IMM);
- (c) a threat motion model: ``toy_straight``, a straight constant-speed flight
  from the first waypoint on a fixed heading;
- (d) a C2 policy: ``toy_soonest``, no assignment problem: each cycle one salvo at
  the track that reaches its defended site first, from the first launcher and type
  that can intercept it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pytest

from iadsim.c2 import BatteryParams, ThreatAssessment, ThreatParams, WeaponSystem
from iadsim.c2.threat import evaluate_threats
from iadsim.frames import Detections, Orders, Truth
from iadsim.picture import TrackPicture
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario_data, read_scenario_yaml
from iadsim.scenario.registry import KindModel
from iadsim.scenario.schema_c2 import C2_POLICIES
from iadsim.scenario.schema_sensors import DETECTION_MODELS
from iadsim.scenario.schema_tracking import FILTERS, TrackerConfig, compile_tracker
from iadsim.scenario.schema_truth import THREAT_MOTIONS, GroupMotion, route_spec
from iadsim.sim.runner import run_scenario
from iadsim.tracking import ExtendedKalmanFilter, Measurements
from iadsim.tracking.filters import Innovation
from iadsim.truth import plane_to_geodetic

PRESET = "s400-vs-mixed-raid"


# -- (d) a C2 policy -----------------------------------------------------------------
# file 1 of 2 (src/iadsim/c2/soonest.py): the stage object, a C2Policy
@dataclasses.dataclass(eq=False, kw_only=True)
class SoonestFirst:
    """One salvo of ``rounds`` per cycle at the track with the smallest time to go."""

    threat: ThreatParams
    batteries: tuple[BatteryParams, ...]
    weapons: WeaponSystem
    rounds: int = 1
    last_assessment: ThreatAssessment | None = None
    _next_id: int = 0

    def decide(self, picture: TrackPicture, t_s: float) -> Orders:
        ta = evaluate_threats(picture.tracks, t_s, self.threat)
        self.last_assessment = ta
        st = self.weapons.status(t_s)
        if len(ta.track_id) == 0:
            return Orders.empty()
        sol = self.weapons.solve(ta.pos_m, ta.vel_mps, ta.threat_class, t_s)
        col = {int(b): k for k, b in enumerate(picture.battery_id)}
        fc = picture.fc_held[picture.rows_of(ta.track_id)]  # (T, B)
        launcher_fc = np.stack(
            [
                fc[:, col[int(b)]] if int(b) in col else np.zeros(len(fc), bool)
                for b in st.battery_id
            ],
            axis=1,
        )  # (T, L)
        free = ~np.isin(ta.track_id, st.in_flight_track_id)
        ok = (
            sol.feasible & launcher_fc[:, :, None] & free[:, None, None]
            & (st.rounds >= self.rounds)[None] & (st.ready_t_s <= t_s)[None, :, None]
        )  # fmt: skip
        if not ok.any():
            return Orders.empty()
        tgo_s = ta.tgo_s[np.arange(len(ta.track_id)), ta.site]  # to its most threatened site
        t = int(np.argmin(np.where(ok.any(axis=(1, 2)), tgo_s, np.inf)))
        lx, i = (int(v[0]) for v in np.nonzero(ok[t]))
        self._next_id += 1
        pip = sol.pip_m[t, lx, i]
        return Orders(
            t_s=np.array([t_s]), order_id=np.array([self._next_id - 1]),
            battery_id=st.battery_id[[lx]], launcher_id=st.launcher_id[[lx]],
            interceptor_id=np.array([i]), track_id=ta.track_id[[t]],
            n_rounds=np.array([self.rounds]), t_launch_s=sol.t_launch_s[[t], [lx], [i]],
            t_intercept_s=sol.t_intercept_s[[t], [lx], [i]], pip_e_m=pip[[0]],
            pip_n_m=pip[[1]], pip_u_m=pip[[2]], pk=sol.pk[[t], [lx], [i]],
        )  # fmt: skip


# file 2 of 2 (in src/iadsim/scenario/schema_c2.py): config + compile step
class SoonestConfig(KindModel):
    """Soonest-first fire (toy): one salvo of ``rounds`` per cycle, no assignment."""

    kind: Literal["toy_soonest"] = "toy_soonest"
    rounds: int = 1


def _compile_soonest(
    cfg: SoonestConfig, threat: Any, batteries: Any, weapons: Any, params: Any
) -> SoonestFirst:
    return SoonestFirst(
        threat=threat, batteries=tuple(batteries), weapons=weapons, rounds=cfg.rounds
    )


# -- (a) a detection model ------------------------------------------------------
# file 1 of 2 (src/iadsim/sensors/perfect.py): the stage object
@dataclasses.dataclass(frozen=True, kw_only=True)
class PerfectDetection:
    """Every living target within the instrumented range, measured exactly."""

    sigma_range_m: float = 1.0

    def observe(
        self, radar: Any, truth: Truth, t_s: float, rng: Any, signatures: Any
    ) -> Detections:
        rel = truth.pos_m() - np.asarray(radar.pos_m)
        r = np.sqrt(np.sum(rel**2, axis=1))
        keep = truth.alive & (r <= radar.params.instrumented_range_m)
        rel, r, m = rel[keep], r[keep], int(keep.sum())
        sensor = np.broadcast_to(np.asarray(radar.pos_m), (m, 3))
        return Detections(
            t_s=np.full(m, t_s),
            radar_id=np.full(m, radar.radar_id),
            range_m=r,
            az_rad=np.mod(np.arctan2(rel[:, 0], rel[:, 1]), 2 * np.pi),
            el_rad=np.arctan2(rel[:, 2], np.hypot(rel[:, 0], rel[:, 1])),
            rdot_mps=np.zeros(m),
            snr_db=np.full(m, 30.0),
            sigma_range_m=np.full(m, self.sigma_range_m),
            sigma_az_rad=np.full(m, 1e-4),
            sigma_el_rad=np.full(m, 1e-4),
            sigma_rdot_mps=np.full(m, np.inf),
            sensor_e_m=sensor[:, 0].copy(),
            sensor_n_m=sensor[:, 1].copy(),
            sensor_u_m=sensor[:, 2].copy(),
            truth_id=truth.threat_id[keep],
        )


# file 2 of 2 (in src/iadsim/scenario/schema_sensors.py): config + compile step
class PerfectDetectionConfig(KindModel):
    """Perfect detection (toy): every living target in range, no noise, no false alarm."""

    kind: Literal["toy_perfect"] = "toy_perfect"
    sigma_range_m: float = 1.0


# -- (b) a filter -----------------------------------------------------------------
# file 1 of 2 (src/iadsim/tracking/inflated.py)
@dataclasses.dataclass(frozen=True, kw_only=True)
class InflatedEKF(ExtendedKalmanFilter):
    """EKF whose measurement covariance is multiplied by ``factor``."""

    factor: float = 4.0

    def innovate(self, x: Any, P: Any, meas: Measurements) -> Innovation:
        return super().innovate(x, P, dataclasses.replace(meas, R=meas.R * self.factor))

    def update_xP(self, x: Any, P: Any, meas: Measurements, inn: Innovation) -> Any:
        return super().update_xP(x, P, dataclasses.replace(meas, R=meas.R * self.factor), inn)


# file 2 of 2 (in src/iadsim/scenario/schema_filters.py)
class InflatedConfig(KindModel):
    """EKF with measurement noise inflated by ``factor`` (toy)."""

    kind: Literal["toy_inflated"] = "toy_inflated"
    factor: float = 4.0


# -- (c) a threat motion model ----------------------------------------------------
# file 1 of 2 (src/iadsim/truth/straight.py)
@dataclasses.dataclass(frozen=True, kw_only=True)
class StraightLine:
    """Constant velocity in the route plane from ``start_m`` at altitude ``alt_m``."""

    start_m: np.ndarray
    vel_mps: np.ndarray
    alt_m: float
    end_s: float

    def plane_states(self, tau_s: Any) -> tuple[Any, Any, Any, Any]:
        tau = np.clip(np.asarray(tau_s, dtype=float), 0.0, self.end_s)
        pos = self.start_m + tau[..., None] * self.vel_mps
        vel = np.broadcast_to(self.vel_mps, pos.shape).copy()
        return pos, vel, np.full(tau.shape, self.alt_m), np.zeros(tau.shape)


# file 2 of 2 (in src/iadsim/scenario/schema_truth.py)
class StraightConfig(KindModel):
    """Straight flight (toy) from the first waypoint on ``heading_deg`` at ``speed_mps``."""

    kind: Literal["toy_straight"] = "toy_straight"
    heading_deg: float = 90.0
    speed_mps: float = 250.0
    duration_s: float = 600.0


def _compile_straight(cfg: StraightConfig, th: Any, catalog: Any, origin: Any) -> GroupMotion:
    spec = route_spec(th, catalog, origin)
    h = math.radians(cfg.heading_deg)
    vel = cfg.speed_mps * np.array([math.sin(h), math.cos(h)])
    line = StraightLine(
        start_m=spec.plane_m[0], vel_mps=vel, alt_m=float(spec.alt_m[0]), end_s=cfg.duration_s
    )
    return GroupMotion(motion=line, right=np.array([math.cos(h), -math.sin(h)]))


@pytest.fixture
def toys() -> Iterator[None]:
    """Register the four toy kinds (as their modules would at import) and remove them."""
    DETECTION_MODELS.register(
        example={"kind": "toy_perfect"},
        compile=lambda c: PerfectDetection(sigma_range_m=c.sigma_range_m),
    )(PerfectDetectionConfig)
    FILTERS.register(
        example={"kind": "toy_inflated", "factor": 4.0},
        compile=lambda c, m, d: InflatedEKF(model=m, factor=c.factor),
    )(InflatedConfig)
    THREAT_MOTIONS.register(example={"kind": "toy_straight"}, compile=_compile_straight)(
        StraightConfig
    )
    C2_POLICIES.register(example={"kind": "toy_soonest"}, compile=_compile_soonest)(SoonestConfig)
    yield
    C2_POLICIES.unregister("toy_soonest")
    DETECTION_MODELS.unregister("toy_perfect")
    FILTERS.unregister("toy_inflated")
    THREAT_MOTIONS.unregister("toy_straight")


def _scenario(**edit: Any) -> Any:
    data, _ = read_scenario_yaml(PRESET)
    data.setdefault("simulation", {})["duration_s"] = 240.0
    for key, value in edit.items():
        data[key] = value
    return data


@pytest.mark.slow
def test_a_detection_model_plugs_in_through_the_catalog(toys: None) -> None:
    data = _scenario()
    radars = load_scenario_data(_scenario(), file="s.yaml").resolved_catalog.radars
    data["catalog"] = {"radars": {name: {"detection": {"kind": "toy_perfect"}} for name in radars}}
    toy = run_scenario(load_scenario_data(data, file="s.yaml"), record=False)
    std = run_scenario(load_scenario_data(_scenario(), file="s.yaml"), record=False)
    assert len(toy.detections) > 0
    assert (toy.detections.truth_id >= 0).all()  # no false alarms
    assert (toy.detections.sigma_range_m == 1.0).all()
    assert (std.detections.truth_id < 0).any()  # the standard model has false alarms


def test_a_filter_plugs_in_through_the_tracker_config(toys: None) -> None:
    rng = np.random.default_rng(5)
    scans = []
    for k in range(10):
        z = np.array([[1e3 + 200.0 * 2 * k, 5e3], [-8e3, 3e3 + 150.0 * 2 * k]])
        scans.append((2.0 * k, z + rng.normal(0.0, 20.0, z.shape)))
    out = {}
    for name, filt in (("ekf", {"kind": "ekf"}), ("toy", {"kind": "toy_inflated"})):
        tracker = compile_tracker(TrackerConfig(dims=2, filter=filt))
        for t, z in scans:
            tracks = tracker.step_measurements(
                Measurements.cartesian(np.full(2, t), z, 400.0 * np.eye(2)), t
            )
        out[name] = tracks
    assert len(out["toy"]) == len(out["ekf"]) == 2
    # trusting measurements 4 times less leaves larger position variances
    assert (out["toy"].var_e_m2 > out["ekf"].var_e_m2).all()
    imm = TrackerConfig(filter={"kind": "imm", "base": "toy_inflated"})  # as IMM mode filter too
    assert isinstance(compile_tracker(imm).parts.filter.base, InflatedEKF)


def test_a_threat_motion_plugs_in_through_the_scenario(toys: None) -> None:
    data = _scenario()
    data["threats"][0]["motion"] = {"kind": "toy_straight", "heading_deg": 90.0, "speed_mps": 250.0}
    data["threats"][0].pop("egress", None)  # (a route motion's: refused with other kinds)
    world = compile_world(load_scenario_data(data, file="s.yaml"))
    truth = world.truth
    assert isinstance(truth.routes[0], StraightLine)
    rows = truth.group == 0
    t = truth.launch_s[rows][0] + np.array([10.0, 20.0])
    pos = truth.plane_states(t)[0]
    step = pos[rows][0, 1] - pos[rows][0, 0]
    np.testing.assert_allclose(step, [2500.0, 0.0], atol=1e-6)  # due east, 250 m/s
    lat, lon = plane_to_geodetic(pos[rows][0, :, 0], pos[rows][0, :, 1], *world.origin_rad_m[:2])
    assert np.all(np.isfinite(lat)) and lon[1] > lon[0]  # east
    states = truth.states(t)
    speed = np.hypot(states.ve_mps, states.vn_mps)[states.threat_id == np.flatnonzero(rows)[0]]
    np.testing.assert_allclose(speed, 250.0, rtol=5e-3)  # route-plane scale error < 0.5 %


@pytest.mark.slow
def test_a_c2_policy_plugs_in_through_the_engagement_settings(toys: None) -> None:
    data = _scenario(engagement={"policy": {"kind": "toy_soonest", "rounds": 1}})
    data["simulation"]["duration_s"] = 800.0  # first launches at ~700 s
    toy = run_scenario(load_scenario_data(data, file="s.yaml"), record=False)
    std_data = _scenario()
    std_data["simulation"]["duration_s"] = 800.0  # first launches at ~700 s
    std = run_scenario(load_scenario_data(std_data, file="s.yaml"), record=False)
    launches = toy.events.kind == "launch"
    t_launch = toy.events.t_s[launches]
    assert launches.sum() > 0  # the toy fires through the whole pipeline
    assert (toy.events.value[launches] == 1).all()  # one round per salvo
    # one salvo per cycle: launch times (order time + reaction) never repeat
    assert np.unique(t_launch).size == t_launch.size
    std_rounds = std.events.value[std.events.kind == "launch"]
    assert (std_rounds == 2).all()  # the preset's doctrine: salvos of 2 (WTA policy)
