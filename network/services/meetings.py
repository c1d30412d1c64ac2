"""Bodies, members and network meetings: host rotation, agenda, minutes, invitations."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Agency, User
from kmv.uploads import UploadRejected, check_upload

from .. import permissions
from ..models import AgendaItem, Body, BodyMembership, Network, NetworkMeeting, StatusReport
from .common import absolute, queue, record, require

MAX_MEETINGS_PER_YEAR = 4


@transaction.atomic
def network_create(*, user: User, name: str, region: str, agencies: list[Agency]) -> Network:
    """One network per region (unique); both bodies are made with it. A coordinator's own
    agency must be a partner, or they could not manage what they made."""
    require(user.role in ("network_coordinator", "system_admin"))
    if user.role == "network_coordinator" and user.agency_id not in {a.pk for a in agencies}:
        raise ValidationError({"agencies": _("Your own agency must be one of the partners.")})
    if len(agencies) < 2:
        raise ValidationError({"agencies": _("A network has at least two partner agencies.")})
    network = Network(name=name, region=region)
    network.full_clean()
    network.save()
    network.agencies.set(agencies)
    for kind in Body.Kind.values:
        Body.objects.create(network=network, kind=kind)
    record(audit.Action.CREATE, user=user, obj=network)
    return network


@transaction.atomic
def member_add(
    *,
    user: User,
    body: Body,
    person: User,
    role: str,
    starts_on: date,
    agency: Agency | None = None,
) -> BodyMembership:
    """A new term. A chair (or deputy, secretary) replaced ends the predecessor's term the
    day before, so the history shows who held the role when."""
    require(permissions.is_coordinator(user, body.network))
    agency = agency or person.agency
    if agency is None or not body.network.agencies.filter(pk=agency.pk).exists():
        raise ValidationError({"agency": _("Members come from the network's partner agencies.")})
    if role != BodyMembership.Role.MEMBER:
        for previous in permissions.active_memberships(body, starts_on).filter(role=role):
            member_end(user=user, membership=previous, ends_on=starts_on - _one_day())
    membership = BodyMembership(
        body=body, user=person, agency=agency, role=role, starts_on=starts_on
    )
    membership.full_clean()
    membership.save()
    record(audit.Action.CREATE, user=user, obj=membership)
    return membership


def _one_day():
    from datetime import timedelta

    return timedelta(days=1)


@transaction.atomic
def member_end(*, user: User, membership: BodyMembership, ends_on: date) -> BodyMembership:
    """End a term; the row stays as history (turnover is counted from it)."""
    require(permissions.is_coordinator(user, membership.body.network))
    membership = BodyMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.ends_on is not None and membership.ends_on <= ends_on:
        raise ValidationError(_("This term has already ended."))
    membership.ends_on = max(ends_on, membership.starts_on)
    membership.full_clean()
    membership.save(update_fields=["ends_on"])
    record(audit.Action.UPDATE, user=user, obj=membership, fields=["ends_on"])
    return membership


def propose_host(*, body: Body) -> Agency | None:
    """The next partner agency in turn (by name) after the host of the body's latest meeting
    that was not cancelled; the first agency when the body has not met yet."""
    agencies = list(body.network.agencies.order_by("name", "pk"))
    if not agencies:
        return None
    last = (
        body.meetings.exclude(status=NetworkMeeting.Status.CANCELLED)
        .order_by("-start", "-pk")
        .values_list("host_id", flat=True)
        .first()
    )
    ids = [a.pk for a in agencies]
    if last not in ids:
        return agencies[0]
    return agencies[(ids.index(last) + 1) % len(agencies)]


@transaction.atomic
def meeting_create(
    *,
    user: User,
    body: Body,
    title: str,
    start: datetime,
    end: datetime,
    place: str = "",
    host: Agency | None = None,
) -> NetworkMeeting:
    require(permissions.may_run_body(user, body))
    # lock the body so two secretaries cannot both take the fourth slot of the year
    Body.objects.select_for_update().get(pk=body.pk)
    year = timezone.localtime(start).year
    held_or_planned = body.meetings.exclude(status=NetworkMeeting.Status.CANCELLED).filter(
        start__year=year
    )
    if held_or_planned.count() >= MAX_MEETINGS_PER_YEAR:
        raise ValidationError(
            _("The body already has %(n)s meetings in %(year)s.")
            % {"n": MAX_MEETINGS_PER_YEAR, "year": year},
            code="too_many",
        )
    host = host or propose_host(body=body)
    if host is None or not body.network.agencies.filter(pk=host.pk).exists():
        raise ValidationError({"host": _("The host must be one of the partner agencies.")})
    meeting = NetworkMeeting(
        body=body, host=host, title=title, start=start, end=end, place=place, created_by=user
    )
    meeting.full_clean()
    meeting.save()
    record(audit.Action.CREATE, user=user, obj=meeting)
    attach_pending_reports(meeting=meeting)
    return meeting


def _next_order(meeting: NetworkMeeting) -> int:
    return (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1


def attach_pending_reports(*, meeting: NetworkMeeting) -> int:
    """Put every status report of the network's solution groups that has not yet been on an
    agenda of this body onto this (planned) meeting."""
    if meeting.status != NetworkMeeting.Status.PLANNED:
        return 0
    reports = (
        StatusReport.objects.filter(group__challenge__network_id=meeting.body.network_id)
        .exclude(agenda_items__meeting__body_id=meeting.body_id)
        .select_related("group")
        .order_by("created_at")
    )
    count = 0
    for report in reports:
        AgendaItem.objects.create(
            meeting=meeting,
            order=_next_order(meeting),
            kind=AgendaItem.Kind.INFORMATION,
            title=_("Status from solution group: %(topic)s") % {"topic": report.group.topic},
            description=report.text,
            status_report=report,
        )
        count += 1
    return count


@transaction.atomic
def agenda_item_add(
    *,
    user: User,
    meeting: NetworkMeeting,
    title: str,
    kind: str = AgendaItem.Kind.INFORMATION,
    description: str = "",
    document=None,
) -> AgendaItem:
    require(permissions.may_see_internal(user, meeting))
    NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    item = AgendaItem(
        meeting=meeting,
        order=_next_order(meeting),
        kind=kind,
        title=title,
        description=description,
    )
    if document is not None:
        try:
            check_upload(document, "agenda")
        except UploadRejected as exc:
            raise ValidationError({"document": exc.messages}) from None
        item.document = document
    item.full_clean()
    item.save()
    record(audit.Action.CREATE, user=user, obj=item)
    return item


@transaction.atomic
def agenda_decision_record(*, user: User, item: AgendaItem, decision: str) -> AgendaItem:
    require(permissions.may_run_body(user, item.meeting.body))
    if item.meeting.minutes_published:
        raise ValidationError(_("The minutes are published and can no longer be changed."))
    item.decision = decision
    item.save(update_fields=["decision"])
    record(audit.Action.UPDATE, user=user, obj=item, fields=["decision"])
    return item


@transaction.atomic
def minutes_publish(*, user: User, meeting: NetworkMeeting, summary: str = "") -> NetworkMeeting:
    """Mark the meeting held and publish its minutes to the whole network."""
    require(permissions.may_run_body(user, meeting.body))
    if meeting.minutes_published:
        raise ValidationError(_("The minutes are already published."))
    missing = meeting.items.filter(kind=AgendaItem.Kind.DECISION, decision="")
    if missing.exists():
        raise ValidationError(
            _("Record the decision for every decision item first: %(items)s")
            % {"items": ", ".join(str(i) for i in missing)}
        )
    meeting.status = NetworkMeeting.Status.HELD
    meeting.minutes_summary = summary
    meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["status", "minutes_summary", "minutes_published_at"])
    record(audit.Action.UPDATE, user=user, obj=meeting, fields=["minutes_published_at"])
    return meeting


def meeting_send_invitations(*, user: User, meeting: NetworkMeeting) -> int:
    """E-mail with an iCalendar invitation to every active member of the body. Sending again
    after a change raises the sequence, so calendars update instead of duplicating."""
    from kmv.notify.ical import EventData, meeting_ics

    require(permissions.may_run_body(user, meeting.body))
    NetworkMeeting.objects.filter(pk=meeting.pk).update(
        invitations_sequence=meeting.invitations_sequence + 1
    )
    meeting.refresh_from_db(fields=["invitations_sequence"])
    url = absolute(reverse("network:meeting", args=[meeting.pk]))
    count = 0
    members = permissions.active_memberships(meeting.body).select_related("user")
    for membership in members:
        person = membership.user
        if not person.email:
            continue
        with translation.override(person.language or "nb"):
            data = EventData(
                meeting_id=f"network-{meeting.pk}",
                start=meeting.start,
                end=meeting.end,
                summary=f"{meeting.body.get_kind_display()}: {meeting.title}",
                description=url,
                location=meeting.place,
                url=url,
                sequence=meeting.invitations_sequence,
                cancelled=meeting.status == NetworkMeeting.Status.CANCELLED,
            )
            ics, method = meeting_ics(data, attendee=person.email)
            queue(
                key=f"network:meeting:{meeting.pk}:{meeting.invitations_sequence}:{person.pk}",
                to=person.email,
                subject=_("Invitation: %(title)s") % {"title": meeting.title},
                body=_("You are invited to %(title)s, %(when)s, hosted by %(host)s. %(url)s")
                % {
                    "title": meeting.title,
                    "when": timezone.localtime(meeting.start).strftime("%d.%m.%Y %H:%M"),
                    "host": meeting.host,
                    "url": url,
                },
                language=person.language or "nb",
                ics=ics,
                ics_method=method,
            )
        count += 1
    return count
