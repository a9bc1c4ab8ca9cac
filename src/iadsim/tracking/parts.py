"""The parts a :class:`~iadsim.tracking.tracker.Tracker` is assembled from."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from iadsim.tracking.association import GNN, Associator
from iadsim.tracking.gating import Gate
from iadsim.tracking.management import Deleter, MOfN, SinglePointInitiator
from iadsim.tracking.precedence import Precedence
from iadsim.tracking.roles import Confirmer, Filter, Initiator, TrackDeleter

if TYPE_CHECKING:
    from iadsim.tracking.tracker import Tracker

__all__ = ["TrackerParts"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrackerParts:
    """The parts a :class:`Tracker` is assembled from (plain, frozen config)."""

    filter: Filter
    gate: Gate = Gate()
    associator: Associator = GNN()
    initiator: Initiator = SinglePointInitiator()
    confirmer: Confirmer = MOfN()
    deleter: TrackDeleter = Deleter()
    use_rdot: bool = False
    #: False: a tentative track's hit counts towards confirmation (M-of-N or score) but
    #: does not confirm it on a look where its gate held more than one plot or its plot
    #: lay in another track's gate; it is confirmed on its next look that sees it if its
    #: confirmer still says so. In a formation a new track's gate, kilometres wide while
    #: its velocity is unknown, holds the neighbours' plots: GNN gives it a neighbour's
    #: plot as readily as its own and it can "hop" along the formation with a
    #: consistent but false velocity; see :func:`~iadsim.tracking.gating.ambiguous_rows`.
    confirm_on_ambiguous: bool = True
    #: the order in which track classes claim a look's plots (firm, then tentative; with
    #: ``stale_after_s`` the firm tracks not hit for that long after the others)
    precedence: Precedence = Precedence()

    def build(self) -> Tracker:
        """A fresh tracker with no tracks."""
        from iadsim.tracking.tracker import Tracker  # (it imports this module)

        return Tracker(parts=self)
