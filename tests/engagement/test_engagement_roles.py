"""The engagement stage implements the documented weapon-system roles, member by member."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from iadsim.c2.roles import WeaponSystem
from iadsim.engagement import Engagement, LauncherParams, WeaponSystemStage


def _members(protocol: type) -> list[str]:
    return [
        n for n, v in vars(protocol).items()
        if not n.startswith("_") and (callable(v) or isinstance(v, property))
    ]  # fmt: skip


@pytest.fixture
def engagement(make_interceptor) -> Engagement:
    launchers = LauncherParams(
        launcher_id=np.array([0]), battery_id=np.array([0]), pos_m=np.zeros((1, 3)),
        loadout=np.array([[4]]), reserve=np.zeros((1, 1), dtype=np.int64),
    )  # fmt: skip
    return Engagement(interceptors=[make_interceptor()], launchers=launchers, fc_radar_id={0: -1})


@pytest.mark.parametrize("protocol", [WeaponSystemStage, WeaponSystem])
def test_engagement_has_every_member_with_the_documented_parameters(
    engagement: Engagement, protocol: type
) -> None:
    members = _members(protocol)
    assert members, "the protocol documents its members"
    for name in members:
        documented = vars(protocol)[name]
        assert (documented.fget if isinstance(documented, property) else documented).__doc__
        assert hasattr(engagement, name), f"Engagement lacks {name}"
        if callable(documented):
            actual = getattr(type(engagement), name)
            want = list(inspect.signature(documented).parameters)
            assert list(inspect.signature(actual).parameters) == want, name
    assert isinstance(engagement, WeaponSystemStage)


def test_an_idle_engagement_answers_as_documented(engagement: Engagement) -> None:
    assert engagement.next_intercept_t_s() == np.inf
    assert len(engagement.in_flight) == 0 and len(engagement.log()) == 0
    st = engagement.status(0.0)
    assert st.rounds.tolist() == [[4]] and st.in_flight_track_id.size == 0
    assert engagement.max_range_m.shape == (1,)
