"""iadsim.c2: threat evaluation, doctrine and weapon-target assignment.

The roles one implements to plug in a part are in :mod:`iadsim.c2.roles`.
"""

from iadsim.c2.doctrine import FREE, HOLD, TIGHT, DoctrineParams, SalvoFire, ShootLookShoot
from iadsim.c2.roles import C2Policy, FiringMode, WeaponSystem, WTASolver
from iadsim.c2.stage import C2, BatteryParams, C2Params
from iadsim.c2.threat import (
    THREAT_CLASSES,
    ThreatAssessment,
    ThreatParams,
    evaluate_threats,
    threat_eval_events,
)
from iadsim.c2.wta import AutoSolver, BruteSolver, GreedySolver, MilpSolver, WTAProblem

__all__ = [
    "C2",
    "FREE",
    "HOLD",
    "THREAT_CLASSES",
    "TIGHT",
    "AutoSolver",
    "BatteryParams",
    "BruteSolver",
    "C2Params",
    "C2Policy",
    "DoctrineParams",
    "FiringMode",
    "GreedySolver",
    "MilpSolver",
    "SalvoFire",
    "ShootLookShoot",
    "ThreatAssessment",
    "ThreatParams",
    "WTAProblem",
    "WTASolver",
    "WeaponSystem",
    "evaluate_threats",
    "threat_eval_events",
]
