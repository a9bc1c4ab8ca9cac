"""iadsim.engagement: interceptor envelopes, fly-out, PIP, magazines and kill draws.

The weapon-system role is :class:`iadsim.engagement.roles.WeaponSystemStage`.
"""

from iadsim.engagement.intercept import InterceptSolutions, predict_intercepts
from iadsim.engagement.interceptors import (
    PK_CLASS_NAMES,
    InterceptorParams,
    InterceptorTable,
    flyout_range_m,
    time_of_flight_s,
)
from iadsim.engagement.outcome import Intercepts, resolve_intercepts
from iadsim.engagement.roles import WeaponSystemStage
from iadsim.engagement.stage import Engagement, FireStatus, LauncherParams

__all__ = [
    "PK_CLASS_NAMES",
    "Engagement",
    "FireStatus",
    "InterceptSolutions",
    "InterceptorParams",
    "InterceptorTable",
    "Intercepts",
    "LauncherParams",
    "WeaponSystemStage",
    "flyout_range_m",
    "predict_intercepts",
    "resolve_intercepts",
    "time_of_flight_s",
]
