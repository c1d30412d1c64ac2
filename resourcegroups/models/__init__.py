from .checklist import ChecklistAnswer
from .groups import Membership, ResourceGroup
from .meetings import Attendance, Meeting, MeetingEvent, MeetingInvitee
from .minutes import MeetingNote, Minutes, MinutesAction, MinutesAddendum, MinutesApproval
from .routine import Anchor, AnswerType, ChecklistItem, Routine, RoutineStage

__all__ = [
    "Anchor",
    "AnswerType",
    "Attendance",
    "ChecklistAnswer",
    "ChecklistItem",
    "Meeting",
    "MeetingEvent",
    "MeetingInvitee",
    "MeetingNote",
    "Membership",
    "Minutes",
    "MinutesAction",
    "MinutesAddendum",
    "MinutesApproval",
    "ResourceGroup",
    "Routine",
    "RoutineStage",
]
