"""Every registry, every kind: the documented example validates, compiles and is
accepted wherever the schema takes that role; unknown kinds fail with one line."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from iadsim.c2.wta import WTAProblem, stack_group_rows
from iadsim.errors import ScenarioError
from iadsim.frames import Tracks
from iadsim.picture import TrackPicture
from iadsim.scenario.compile import compile_world
from iadsim.scenario.load import load_scenario, load_scenario_data, read_scenario_yaml
from iadsim.scenario.registry import REGISTRIES, Kind, Registry
from iadsim.scenario.schema import Threat
from iadsim.scenario.schema_c2 import (
    C2_POLICIES,
    FIRING_MODES,
    WTA_SOLVERS,
    Doctrine,
    EngagementSettings,
)
from iadsim.scenario.schema_confirm import CONFIRMERS
from iadsim.scenario.schema_engagement import (
    ACQUISITION_TABLES,
    PK_TABLES,
    InterceptorType,
    compile_engagement,
)
from iadsim.scenario.schema_sensors import DETECTION_MODELS, PERFORMANCES, RadarType
from iadsim.scenario.schema_tracking import (
    ASSOCIATORS,
    DELETERS,
    FILTERS,
    INITIATIONS,
    MOTIONS,
    TrackerConfig,
)
from iadsim.scenario.schema_truth import THREAT_MOTIONS, GroupMotion
from iadsim.tracking import ConstantVelocity

PRESET = "s400-vs-mixed-raid"


def _preset() -> Any:
    return load_scenario(PRESET)


def _radar_type() -> RadarType:
    catalog = _preset().resolved_catalog
    return next(iter(catalog.radars.values()))


def _threat_context() -> tuple[Any, ...]:
    sc = _preset()
    o = sc.sites[0]
    return sc.threats[0], sc.resolved_catalog, (math.radians(o.lat_deg), math.radians(o.lon_deg), 0)


def _interceptor_with(field: str, ex: dict[str, Any]) -> InterceptorType:
    catalog = _preset().resolved_catalog
    base = next(iter(catalog.interceptors.values())).model_dump()
    return InterceptorType.model_validate({**base, field: ex})


def _c2_context() -> tuple[Any, ...]:
    """threat, batteries, weapons, params: the documented context of a C2 policy."""
    from iadsim.engagement import Engagement

    setup = compile_engagement(compile_world(_preset()))
    eng = Engagement(
        interceptors=setup.interceptors, launchers=setup.launchers, fc_radar_id=setup.fc_radar_id
    )
    return setup.threat, setup.batteries, eng, setup.c2


#: What each registry's compile step takes after the config (its documented context),
#: and what the compiled object must offer (its role's methods).
CONTEXTS: dict[str, tuple[Callable[[], tuple[Any, ...]], tuple[str, ...]]] = {
    MOTIONS.role: (lambda: (3,), ("f", "F", "Q", "nx", "ndim")),
    FILTERS.role: (
        lambda: (ConstantVelocity(ndim=3), 3),
        ("prepare", "init_bank", "predict", "innovate", "update"),
    ),
    ASSOCIATORS.role: (lambda: (), ()),
    INITIATIONS.role: (lambda: (), ()),
    CONFIRMERS.role: (lambda: (3, 4), ("initial_llr", "delta_llr", "decide", "quality")),
    DELETERS.role: (lambda: (), ("delete",)),
    PERFORMANCES.role: (lambda: (_radar_type(),), ()),
    DETECTION_MODELS.role: (lambda: (), ("observe",)),
    THREAT_MOTIONS.role: (_threat_context, ()),
    FIRING_MODES.role: (lambda: (), ("reengage_delay_s",)),
    WTA_SOLVERS.role: (lambda: (), ("solve",)),
    C2_POLICIES.role: (_c2_context, ("decide", "last_assessment")),
    PK_TABLES.role: (lambda: (), ("range_fraction", "table")),
    ACQUISITION_TABLES.role: (lambda: (), ("basket_m", "frequency_hz")),
}

#: Where the scenario schema takes each role (the example validated in place).
HOSTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    MOTIONS.role: lambda ex: TrackerConfig(motion=ex),
    FILTERS.role: lambda ex: TrackerConfig(filter=ex),
    ASSOCIATORS.role: lambda ex: TrackerConfig(association=ex),
    INITIATIONS.role: lambda ex: TrackerConfig(initiation=ex),
    CONFIRMERS.role: lambda ex: TrackerConfig(initiation={"kind": "two_point", "confirm": ex}),
    DELETERS.role: lambda ex: TrackerConfig(deletion=ex),
    PERFORMANCES.role: lambda ex: (
        _radar_type().model_copy().model_validate({**_radar_type().model_dump(), "performance": ex})
    ),
    DETECTION_MODELS.role: lambda ex: RadarType.model_validate(
        {**_radar_type().model_dump(), "detection": ex}
    ),
    THREAT_MOTIONS.role: lambda ex: Threat.model_validate(
        {
            **_preset()
            .threats[0]
            .model_dump(
                exclude={"route", "count", "egress"} if ex.get("kind") == "replay" else {"egress"}
            ),
            "motion": ex,
        }
    ),
    FIRING_MODES.role: lambda ex: Doctrine(mode=ex),
    WTA_SOLVERS.role: lambda ex: EngagementSettings(solver=ex),
    C2_POLICIES.role: lambda ex: EngagementSettings(policy=ex),
    PK_TABLES.role: lambda ex: _interceptor_with("pk", ex),
    ACQUISITION_TABLES.role: lambda ex: _interceptor_with("acquisition", ex),
}

ALL_KINDS = [(reg, k) for reg in REGISTRIES for k in reg]
IDS = [f"{r.role}:{k.kind}" for r, k in ALL_KINDS]


def test_every_registry_is_walked() -> None:
    """A new registry needs its context here (so its kinds are built below)."""
    assert {r.role for r in REGISTRIES} == set(CONTEXTS) == set(HOSTS)
    assert all(len(r) >= 1 for r in REGISTRIES)


@pytest.mark.parametrize(
    ("reg", "kind"), ALL_KINDS, ids=[f"{r.role}:{k.kind}" for r, k in ALL_KINDS]
)
def test_kind_builds_from_its_documented_example(reg: Registry[Any], kind: Kind[Any]) -> None:
    assert kind.doc, f"{kind.kind}: the config model's docstring documents the kind"
    assert kind.example["kind"] == kind.kind
    context, methods = CONTEXTS[reg.role]
    built = kind.build(*context())
    assert built is not None
    for name in methods:
        assert hasattr(built, name), f"{kind.kind}: compiled object lacks {name}"
    if reg is PERFORMANCES:
        assert built > 0  # a loop constant, m^2
    if reg is THREAT_MOTIONS:
        assert isinstance(built, GroupMotion) and built.motion.end_s > 0
    _check_c2_part(reg, built)
    host = HOSTS[reg.role](dict(kind.example))  # the schema accepts the example in place
    assert host is not None
    assert f"`{kind.kind}`" in reg.docs()


def _check_c2_part(reg: Registry[Any], built: Any) -> None:
    """The compiled C2/engagement part does its role's job on a small input."""
    if reg is WTA_SOLVERS:  # two options on one target: the heavier one is chosen
        a, b = stack_group_rows([(np.zeros(2, np.int64), np.ones(2), np.ones(1))])
        problem = WTAProblem(weight=np.array([1.0, 2.0]), track=np.zeros(2, np.int64), A=a, b=b)
        assert built.solve(problem).tolist() == [False, True]
    if reg is PK_TABLES:
        pk = built(np.linspace(0, 1, 5), np.zeros(5, np.int64))
        assert pk.shape == (5,) and np.all((pk >= 0) & (pk <= 1))
    if reg is FIRING_MODES:
        assert built.reengage_delay_s >= 0
    if reg is C2_POLICIES:  # an empty picture: no orders
        picture = TrackPicture.of_tracks(
            Tracks.empty(), 0.0, battery_id=np.zeros(0, np.int64), fc_hold_s=np.zeros(0)
        )
        assert len(built.decide(picture, 0.0)) == 0


def test_kind_names_alone_stand_for_their_defaults() -> None:
    s = EngagementSettings.model_validate({"solver": "greedy", "policy": "wta"})
    assert s.solver.kind == "greedy" and s.policy.kind == "wta"
    assert Doctrine.model_validate({"mode": "salvo"}).mode.kind == "salvo"
    with pytest.raises(ValidationError, match="spray"):
        Doctrine.model_validate({"mode": "spray"})


def test_unknown_kind_is_one_line_naming_file_and_field() -> None:
    data, _ = read_scenario_yaml(PRESET)
    data["tracker"] = {"filter": {"kind": "kalman"}}
    with pytest.raises(ScenarioError) as err:
        load_scenario_data(data, file="s.yaml")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("s.yaml: tracker.filter")
    assert "kalman" in msg


def test_default_kinds_may_be_omitted() -> None:
    cfg = TrackerConfig.model_validate({"deletion": {"max_misses": 5}})
    assert cfg.deletion.kind == "standard" and DELETERS.compile(cfg.deletion).max_misses == 5
    # every tracker block may omit its kind (the docs say every key is optional): the
    # block then has the kind of the field's default, with the fields given
    blocks = {"motion": {"q_m2ps3": 5.0}, "filter": {}, "association": {"gate_probability": 0.99},
              "initiation": {"m": 2, "n": 3}}  # fmt: skip
    cfg = TrackerConfig.model_validate(blocks)
    bare = TrackerConfig()
    for name, given in blocks.items():
        block = getattr(cfg, name)
        assert block.kind == getattr(bare, name).kind, name
        assert all(getattr(block, k) == v for k, v in given.items()), name
    with pytest.raises(LookupError, match="unknown kind 'nope'"):
        FILTERS["nope"]


def test_a_kind_registered_twice_is_an_error() -> None:
    cfg = FILTERS["ekf"].config
    with pytest.raises(ValueError, match="already registered"):
        FILTERS.register()(cfg)
