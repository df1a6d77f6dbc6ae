"""Points (积分), volunteering and honours."""

from .honors import Honor, HonorRound, Nomination
from .ledger import ClosedYear, LedgerIsAppendOnly, PointAccount, PointEntry, Why
from .proposals import PointProposal
from .rules import PointRule
from .volunteering import Volunteering, VolunteeringParticipant

__all__ = [
    "ClosedYear",
    "Honor",
    "HonorRound",
    "LedgerIsAppendOnly",
    "Nomination",
    "PointAccount",
    "PointEntry",
    "PointProposal",
    "PointRule",
    "Volunteering",
    "VolunteeringParticipant",
    "Why",
]
