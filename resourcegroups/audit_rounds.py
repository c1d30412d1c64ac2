"""Audit rows for reads of a round: its schedule and proposal name participants' meetings,
so each is a read of those participants (pages, PDFs and the API call the same helpers)."""

from __future__ import annotations

from kmv.access import audit

from .models import Round


def _meetings_read(request, by_meeting: dict, fields, channel: str = "") -> None:
    """meeting id -> participant id: one audit row per participant, in one insert."""
    if by_meeting:
        audit.record_reads(
            request=request,
            action=audit.Action.LIST,
            object_type="meeting",
            object_ids=list(by_meeting),
            participant_ids=by_meeting,
            fields=list(fields),
            channel=channel,
        )


def audit_round_read(request, rnd: Round, *, channel: str = "", fields=("schedule",)) -> None:
    """A round's schedule names its participants' meetings (pages, PDFs and the API alike)."""
    by_meeting = dict(rnd.entries.values_list("meeting_id", "meeting__participant_id"))
    _meetings_read(request, by_meeting, fields, channel)


def audit_proposal_read(request, rows, channel: str = "") -> None:
    """The proposal lists whose meeting is due: a read of each of those participants."""
    by_meeting = {r.meeting.pk: r.meeting.participant_id for r in rows}
    _meetings_read(request, by_meeting, ["stage"], channel)


def audit_info_day_read(request, invitations, cohort) -> None:
    """An information day's page names the invited participants and the cohort due."""
    by_meeting = {i.meeting_id: i.participant_id for i in invitations if i.meeting_id}
    by_meeting |= {m.pk: m.participant_id for m in cohort}
    _meetings_read(request, by_meeting, ["information_day"])
