"""iadsim.tracking: batched multi-target tracking (filters, gating, association,
track management) assembled into a :class:`Tracker` stage.

Typical use (the scenario layer builds the parts from YAML)::

    from iadsim.tracking import Tracker, TrackerParts, ExtendedKalmanFilter, ConstantVelocity
    tracker = TrackerParts(filter=ExtendedKalmanFilter(model=ConstantVelocity(ndim=3))).build()
    tracks = tracker.step(detections, t_s)

The roles a part implements (motion model, filter, associator, initiator,
confirmer, deleter) are documented protocols in :mod:`iadsim.tracking.roles`.
"""

from iadsim.tracking.association import GNN, JPDA, Association
from iadsim.tracking.filters import (
    ConvertedMeasurementKF,
    ExtendedKalmanFilter,
    KalmanFilter,
    SingleModelFilter,
    UnscentedKalmanFilter,
)
from iadsim.tracking.gating import Gate
from iadsim.tracking.imm import IMM
from iadsim.tracking.initiation import TwoPointInitiator
from iadsim.tracking.looks import visible_from
from iadsim.tracking.management import Deleter, MOfN, ScoreConfirmer, SinglePointInitiator
from iadsim.tracking.measurements import Measurements
from iadsim.tracking.models import (
    ConstantAcceleration,
    ConstantVelocity,
    CoordinatedTurn,
    Singer,
    ZeroPadded,
)
from iadsim.tracking.roles import (
    Associator,
    Confirmer,
    Filter,
    FilterState,
    Initiator,
    MotionModel,
    TrackDeleter,
)
from iadsim.tracking.tracker import COUNTERS, Tracker, TrackerParts

__all__ = [
    "COUNTERS",
    "GNN",
    "IMM",
    "JPDA",
    "Association",
    "Associator",
    "Confirmer",
    "ConstantAcceleration",
    "ConstantVelocity",
    "ConvertedMeasurementKF",
    "CoordinatedTurn",
    "Deleter",
    "ExtendedKalmanFilter",
    "Filter",
    "FilterState",
    "Gate",
    "Initiator",
    "KalmanFilter",
    "MOfN",
    "Measurements",
    "MotionModel",
    "ScoreConfirmer",
    "Singer",
    "SingleModelFilter",
    "SinglePointInitiator",
    "TrackDeleter",
    "Tracker",
    "TrackerParts",
    "TwoPointInitiator",
    "UnscentedKalmanFilter",
    "ZeroPadded",
    "visible_from",
]
