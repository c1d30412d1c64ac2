"""State changes for resource groups. UI, API, tasks and commands all call these."""

from .checklist import answer_save
from .groups import group_ensure, membership_add, membership_end
from .meetings import (
    ConflictError,
    attendance_record,
    invite_members,
    meeting_create_concern,
    meeting_schedule,
    meeting_set_status,
    meetings_sync,
)
from .minutes import (
    minutes_addendum,
    minutes_approve,
    minutes_compose,
    minutes_submit,
    note_save,
)

__all__ = [
    "ConflictError",
    "answer_save",
    "attendance_record",
    "group_ensure",
    "invite_members",
    "meeting_create_concern",
    "meeting_schedule",
    "meeting_set_status",
    "meetings_sync",
    "membership_add",
    "membership_end",
    "minutes_addendum",
    "minutes_approve",
    "minutes_compose",
    "minutes_submit",
    "note_save",
]
