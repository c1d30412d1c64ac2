"""Outbox of messages (e-mail + iCalendar) shared by resource groups and the network.

Contract (implemented by the notify work; callers may rely on these signatures):

queue_message(*, key, to, subject, body, language="nb", ics="", ics_method="",
              send_after=None) -> OutboxMessage | None
    Idempotent by `key`: a second call with the same key creates nothing.

queue_meeting_invitations(*, meeting, by=None) -> int
    Invitations (or updates / cancellations, by the meeting's state) for every invited
    member and the participant; returns the number of messages queued.
"""


def queue_message(**kwargs):
    raise NotImplementedError


def queue_meeting_invitations(**kwargs):
    raise NotImplementedError
