"""iadsim.tracking: batched multi-target tracking (filters, gating, association,
track management) assembled into a :class:`Tracker` stage.

Typical use (the scenario layer builds the parts from YAML)::

    from iadsim.tracking import Tracker, TrackerParts, ExtendedKalmanFilter, ConstantVelocity
    tracker = TrackerParts(filter=ExtendedKalmanFilter(model=ConstantVelocity(ndim=3))).build()
    tracks = tracker.step(detections, t_s)
"""

from iadsim.tracking.association import GNN, JPDA, Association
from iadsim.tracking.filters import (
    ConvertedMeasurementKF,
    ExtendedKalmanFilter,
    KalmanFilter,
    UnscentedKalmanFilter,
)
from iadsim.tracking.gating import Gate
from iadsim.tracking.imm import IMM
from iadsim.tracking.management import Deleter, MOfN, ScoreConfirmer, SinglePointInitiator
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.models import (
    ConstantAcceleration,
    ConstantVelocity,
    CoordinatedTurn,
    Singer,
    ZeroPadded,
)
from iadsim.tracking.tracker import COUNTERS, Tracker, TrackerParts, visible_from

__all__ = [
    "COUNTERS",
    "GNN",
    "IMM",
    "JPDA",
    "Association",
    "ConstantAcceleration",
    "ConstantVelocity",
    "ConvertedMeasurementKF",
    "CoordinatedTurn",
    "Deleter",
    "ExtendedKalmanFilter",
    "Gate",
    "KalmanFilter",
    "MOfN",
    "Measurements",
    "ScoreConfirmer",
    "Singer",
    "SinglePointInitiator",
    "Tracker",
    "TrackerParts",
    "UnscentedKalmanFilter",
    "ZeroPadded",
    "visible_from",
]
