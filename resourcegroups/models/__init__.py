from .checklist import ChecklistAnswer
from .groups import Membership, ResourceGroup
from .meetings import Attendance, Meeting, MeetingEvent, MeetingInvitee
from .minutes import MeetingNote, Minutes, MinutesAction, MinutesAddendum, MinutesApproval
from .rounds import (
    InformationDay,
    InformationDayInvitation,
    Interpreter,
    Room,
    Round,
    RoundBooking,
    RoundDay,
    RoundEntry,
    Unavailability,
)
from .routine import Anchor, AnswerType, ChecklistItem, Routine, RoutineStage

__all__ = [
    "Anchor",
    "AnswerType",
    "Attendance",
    "ChecklistAnswer",
    "ChecklistItem",
    "InformationDay",
    "InformationDayInvitation",
    "Interpreter",
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
    "Room",
    "Round",
    "RoundBooking",
    "RoundDay",
    "RoundEntry",
    "Routine",
    "RoutineStage",
    "Unavailability",
]
