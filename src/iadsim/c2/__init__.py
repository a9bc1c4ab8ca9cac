"""iadsim.c2: threat evaluation, doctrine and weapon-target assignment."""

from iadsim.c2.doctrine import FREE, HOLD, TIGHT, DoctrineParams
from iadsim.c2.stage import C2, BatteryParams, C2Params, WeaponSystem
from iadsim.c2.threat import (
    THREAT_CLASSES,
    ThreatAssessment,
    ThreatParams,
    evaluate_threats,
    threat_eval_events,
)
from iadsim.c2.wta import WTAProblem, solve_wta

__all__ = [
    "C2",
    "FREE",
    "HOLD",
    "THREAT_CLASSES",
    "TIGHT",
    "BatteryParams",
    "C2Params",
    "DoctrineParams",
    "ThreatAssessment",
    "ThreatParams",
    "WTAProblem",
    "WeaponSystem",
    "evaluate_threats",
    "solve_wta",
    "threat_eval_events",
]
