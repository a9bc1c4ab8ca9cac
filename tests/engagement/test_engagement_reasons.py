"""Why a salvo whose basket holds a threat no longer in the air missed: killed before its
order (a track of a destroyed target), killed after it (already destroyed), or not
killed at all (the threat leaked: it reached its target first). Every reason listed."""

from __future__ import annotations

import numpy as np
from test_engagement_outcome import FlatPhysics, _orders, _picture, _stage, _table, _truth

from iadsim.engagement import resolve_intercepts
from iadsim.engagement.guidance import GuidanceSupport
from iadsim.engagement.log import OUTCOMES, REASONS
from iadsim.frames import Orders

PIP_0, PIP_1 = (0.0, 30e3, 5e3), (20e3, 30e3, 5e3)


def _at(orders: Orders, t_order_s: float, t_launch_s: float) -> Orders:
    cols = {c: getattr(orders, c) for c in Orders.columns()}
    n = len(orders)
    return Orders(**cols | {"t_s": np.full(n, t_order_s), "t_launch_s": np.full(n, t_launch_s)})


def test_reason_names_how_the_threat_in_the_basket_went(make_interceptor) -> None:
    """Three salvos ordered at 20 s reach three threats no longer in the air: killed at
    10 s, killed at 30 s, never killed (leaked)."""
    table = _table(make_interceptor, pk=1.0)
    pips = np.array([[0.0, 30e3, 5e3], [10e3, 30e3, 5e3], [20e3, 30e3, 5e3]])
    orders = _orders(3)
    cols = {c: getattr(orders, c) for c in Orders.columns()}
    orders = Orders(**cols | {"t_s": np.full(3, 20.0), "pip_e_m": pips[:, 0]})
    truth = _truth(pips + np.array([0.0, 100.0, 0.0]), alive=[False, False, False])
    kw = {"table": table, "launcher_pos_m": np.zeros((3, 3)), "physics": FlatPhysics()}
    out = resolve_intercepts(orders, truth, np.random.default_rng(0), **kw,
                             killed_threat_id=np.array([1, 0]),
                             killed_t_s=np.array([30.0, 10.0]))  # fmt: skip
    assert out.reason.tolist() == [
        "track of a destroyed target", "target already destroyed", "target leaked before intercept"
    ]  # fmt: skip
    assert not out.killed.any()
    # the threat the reason is about is named, at its distance from the PIP (saturation
    # seed 90001: a leaked drone's miss read threat -1, distance inf)
    assert out.threat_id.tolist() == [0, 1, 2]
    np.testing.assert_allclose(out.miss_distance_m, 100.0)
    unknown = resolve_intercepts(orders, truth, np.random.default_rng(0), **kw)
    assert set(unknown.reason.tolist()) == {"target already destroyed"}  # no kill record


def test_stage_remembers_its_kills(make_interceptor) -> None:
    """Through the engagement stage: salvo 0 kills threat 0 at 50 s; salvo 1 (ordered at
    0 s) and salvo 2 (ordered at 60 s, on a track of the dead aircraft) reach it at 80 s;
    salvo 3 reaches threat 1, which left the air unkilled (it leaked)."""
    auto = GuidanceSupport(midcourse="none", terminal="autonomous")
    eng = _stage(make_interceptor, loadout=((8,),), support=auto, pk=1.0)
    first = _orders(2, pk=1.0)
    cols = {c: getattr(first, c) for c in Orders.columns()}
    first = Orders(**cols | {"t_intercept_s": np.array([50.0, 80.0])})
    eng.launch(first, _picture(None, 0.0))
    eng.commit_launches(5.0, np.array([0, 1]))
    out, _ = eng.resolve(_truth(np.array([PIP_0, PIP_1])), 50.0, np.random.default_rng(1),
                         FlatPhysics())  # fmt: skip
    assert out.killed.tolist() == [True]
    late = _orders(1, pk=1.0, t_int=80.0, order0=2, track0=2)
    leak = _orders(1, pk=1.0, t_int=80.0, order0=3, track0=3, pip=PIP_1)
    eng.launch(_at(Orders.concat([late, leak]), 60.0, 65.0), _picture(None, 60.0))
    eng.commit_launches(65.0, np.array([1, 2, 3]))
    gone = _truth(np.array([PIP_0, PIP_1]), alive=[False, False], t=80.0)
    eng.resolve(gone, 80.0, np.random.default_rng(2), FlatPhysics())
    log = eng.log()
    got = dict(zip(log.order_id.tolist(), log.reason.tolist(), strict=True))
    assert got == {0: "", 1: "target already destroyed", 2: "track of a destroyed target",
                   3: "target leaked before intercept"}  # fmt: skip
    threat = dict(zip(log.order_id.tolist(), log.threat_id_end.tolist(), strict=True))
    assert threat == {0: 0, 1: 0, 2: 0, 3: 1}
    for k in range(1, 4):  # a miss on a threat no longer in the air ends at its PIP
        pip = (log.pip_e_m[k], log.pip_n_m[k], log.pip_u_m[k])
        assert (log.end_e_m[k], log.end_n_m[k], log.end_u_m[k]) == pip


def test_every_reason_is_listed_with_its_outcome() -> None:
    """The documented reasons name outcomes that carry a reason, and each is a reason
    the engagement modules write (runs check the converse: check_miss_reasons)."""
    import inspect

    import iadsim.engagement.flight as flight
    import iadsim.engagement.outcome as outcome
    import iadsim.engagement.stage as stage

    assert {o for o, _ in REASONS.values()} <= set(OUTCOMES) - {"kill", "in_flight_at_end"}
    text = "".join(inspect.getsource(m) for m in (flight, outcome, stage))
    used = {r for r in REASONS if f'"{r}"' in text}
    assert used == set(REASONS)
