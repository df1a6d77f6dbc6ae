"""Party work (党务): meetings, duty lists, appraisals, dues, committee decisions and talks."""

from .appraisal import AppraisalCampaign, AppraisalEntry, AppraisalVote
from .dues import DuesBase, DuesPayment
from .duties import DutyStatus, Obligation, Reminder
from .meetings import (
    ALLOWED_ATTACHMENT_EXTENSIONS,
    AgendaItem,
    Attendance,
    MajorMatter,
    Meeting,
    MeetingAttachment,
)
from .talks import Talk

__all__ = [
    "ALLOWED_ATTACHMENT_EXTENSIONS",
    "AgendaItem",
    "AppraisalCampaign",
    "AppraisalEntry",
    "AppraisalVote",
    "Attendance",
    "DuesBase",
    "DuesPayment",
    "DutyStatus",
    "MajorMatter",
    "Meeting",
    "MeetingAttachment",
    "Obligation",
    "Reminder",
    "Talk",
]
