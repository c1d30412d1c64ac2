from .agreements import Agreement, RoutineApproval, RoutineChange, Signatory
from .bodies import Body, BodyMembership, Network
from .challenges import (
    Action,
    Challenge,
    PartyCheck,
    SolutionGroup,
    SolutionGroupMember,
    SolutionMeeting,
    StatusReport,
)
from .days import (
    EvaluationAnswer,
    EvaluationInvite,
    ProfessionalDay,
    ProgrammeSegment,
    Registration,
)
from .feedback import FeedbackInvite, FeedbackResponse
from .meetings import AgendaItem, NetworkMeeting

__all__ = [
    "Action",
    "AgendaItem",
    "Agreement",
    "Body",
    "BodyMembership",
    "Challenge",
    "EvaluationAnswer",
    "EvaluationInvite",
    "FeedbackInvite",
    "FeedbackResponse",
    "Network",
    "NetworkMeeting",
    "PartyCheck",
    "ProfessionalDay",
    "ProgrammeSegment",
    "Registration",
    "RoutineApproval",
    "RoutineChange",
    "Signatory",
    "SolutionGroup",
    "SolutionGroupMember",
    "SolutionMeeting",
    "StatusReport",
]
