"""Challenges, triage by the working group, solution groups, actions and reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Agency, User

from .. import permissions
from ..models import (
    Action,
    Body,
    Challenge,
    NetworkMeeting,
    PartyCheck,
    SolutionGroup,
    SolutionGroupMember,
    SolutionMeeting,
    StatusReport,
)
from .common import absolute, queue, record, require

REMINDER_DAYS_BEFORE = 3


def may_triage(user, network) -> bool:
    if permissions.is_coordinator(user, network):
        return True
    working = network.bodies.filter(kind=Body.Kind.WORKING).first()
    return working is not None and permissions.is_member(user, working)


@transaction.atomic
def challenge_raise(
    *,
    user: User,
    network,
    title: str,
    source: str,
    description: str = "",
    kind: str = Challenge.Kind.CHALLENGE,
    source_day=None,
) -> Challenge:
    """Anyone who sees the network may raise a challenge or opportunity."""
    require(permissions.networks_for(user).filter(pk=network.pk).exists())
    challenge = Challenge(
        network=network,
        title=title,
        description=description,
        source=source,
        kind=kind,
        source_day=source_day,
        raised_by=user,
        raised_by_agency_id=user.agency_id,
    )
    challenge.full_clean()
    challenge.save()
    record(audit.Action.CREATE, user=user, obj=challenge)
    return challenge


def challenge_raise_from_practice(
    *, user: User, title: str, description: str = "", source: str = Challenge.Source.RESOURCE_GROUP
) -> Challenge:
    """For other apps (a resource-group meeting, say): raise a challenge in the network of
    the user's agency, by text only — never with a participant or meeting attached."""
    network = permissions.networks_for(user).order_by("pk").first()
    if network is None:
        raise ValidationError(_("Your agency is not a partner in any network."))
    return challenge_raise(
        user=user, network=network, title=title, description=description, source=source
    )


@transaction.atomic
def challenge_triage(
    *,
    user: User,
    challenge: Challenge,
    outcome: str,
    reason: str = "",
    day=None,
    topic: str = "",
    target_meetings: int = 2,
) -> Challenge:
    """The working group decides: a professional-day topic, a solution group, or closed."""
    require(may_triage(user, challenge.network))
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != Challenge.Status.NEW:
        raise ValidationError(_("This challenge has already been triaged."))
    if outcome == Challenge.Status.CLOSED:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for closing.")})
        challenge.closed_reason = reason
    elif outcome == Challenge.Status.DAY_TOPIC:
        challenge.topic_day = day
    elif outcome == Challenge.Status.SOLUTION_GROUP:
        SolutionGroup.objects.create(
            challenge=challenge, topic=topic or challenge.title, target_meetings=target_meetings
        )
    else:
        raise ValidationError({"outcome": _("Choose what to do with the challenge.")})
    challenge.status = outcome
    challenge.triaged_at = timezone.now()
    challenge.triaged_by = user
    challenge.save(
        update_fields=["status", "closed_reason", "topic_day", "triaged_at", "triaged_by"]
    )
    record(audit.Action.UPDATE, user=user, obj=challenge, fields=["status"])
    return challenge


def _require_group_writer(user, group: SolutionGroup) -> None:
    require(
        permissions.is_coordinator(user, group.challenge.network)
        or group.memberships.filter(user_id=user.pk).exists()
    )


@transaction.atomic
def solution_member_add(
    *,
    user: User,
    group: SolutionGroup,
    person: User,
    decision_power: bool = False,
    budget_responsibility: bool = False,
) -> SolutionGroupMember:
    require(permissions.is_coordinator(user, group.challenge.network))
    if not (decision_power or budget_responsibility):
        raise ValidationError(
            _("Solution-group members are leaders with decision power or budget responsibility.")
        )
    if person.agency_id is None:
        raise ValidationError(_("The member needs an agency."))
    member, _created = SolutionGroupMember.objects.update_or_create(
        group=group,
        user=person,
        defaults={
            "agency_id": person.agency_id,
            "decision_power": decision_power,
            "budget_responsibility": budget_responsibility,
        },
    )
    PartyCheck.objects.get_or_create(group=group, agency_id=person.agency_id)
    return member


@transaction.atomic
def solution_meeting_record(
    *,
    user: User,
    group: SolutionGroup,
    date: date,
    options_discussed: str,
    agreed_alternative: str = "",
) -> SolutionMeeting:
    _require_group_writer(user, group)
    meeting = SolutionMeeting(
        group=group,
        date=date,
        options_discussed=options_discussed,
        agreed_alternative=agreed_alternative,
    )
    meeting.full_clean()
    meeting.save()
    record(audit.Action.CREATE, user=user, obj=meeting)
    return meeting


@transaction.atomic
def action_add(
    *,
    user: User,
    meeting: SolutionMeeting,
    description: str,
    owner: User,
    due_on: date,
    agency: Agency | None = None,
) -> Action:
    _require_group_writer(user, meeting.group)
    action = Action(
        meeting=meeting,
        description=description,
        owner=owner,
        agency=agency or owner.agency,
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    record(audit.Action.CREATE, user=user, obj=action)
    return action


@transaction.atomic
def action_done(*, user: User, action: Action) -> Action:
    require(
        action.owner_id == user.pk
        or permissions.is_coordinator(user, action.meeting.group.challenge.network)
    )
    if action.done_at is None:
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
    return action


@transaction.atomic
def party_check_record(
    *,
    user: User,
    group: SolutionGroup,
    works: bool,
    implementation_date: date | None = None,
    agency: Agency | None = None,
) -> PartyCheck:
    """A party says whether the agreed alternative works at its workplace, and when it will
    be implemented there. Members answer for their own agency; coordinators for any."""
    agency_id = agency.pk if agency else user.agency_id
    coordinator = permissions.is_coordinator(user, group.challenge.network)
    require(coordinator or group.memberships.filter(user_id=user.pk, agency_id=agency_id).exists())
    check, _created = PartyCheck.objects.get_or_create(group=group, agency_id=agency_id)
    check.works = works
    check.implementation_date = implementation_date
    check.checked_by = user
    check.checked_at = timezone.now()
    check.save(update_fields=["works", "implementation_date", "checked_by", "checked_at"])
    if group.status == SolutionGroup.Status.ACTIVE and all_parties_agree(group):
        group.status = SolutionGroup.Status.IMPLEMENTING
        group.save(update_fields=["status"])
    return check


def all_parties_agree(group: SolutionGroup) -> bool:
    checks = list(group.checks.all())
    return bool(checks) and all(c.works is True for c in checks)


@transaction.atomic
def status_report_add(*, user: User, group: SolutionGroup, text: str) -> StatusReport:
    """The report lands on the next planned working-group and steering-group meeting; when
    none is planned yet, on the next one created (`meetings.attach_pending_reports`)."""
    from .meetings import attach_pending_reports

    _require_group_writer(user, group)
    report = StatusReport.objects.create(group=group, text=text, written_by=user)
    now = timezone.now()
    for body in group.challenge.network.bodies.all():
        upcoming = (
            body.meetings.filter(status=NetworkMeeting.Status.PLANNED, start__gte=now)
            .order_by("start")
            .first()
        )
        if upcoming is not None:
            attach_pending_reports(meeting=upcoming)
    return report


@transaction.atomic
def solution_group_close(
    *, user: User, group: SolutionGroup, outcome: str, solved: bool, on: date | None = None
) -> SolutionGroup:
    require(permissions.is_coordinator(user, group.challenge.network))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    group.outcome = outcome
    group.status = SolutionGroup.Status.SOLVED if solved else SolutionGroup.Status.CLOSED
    group.solved_on = on or timezone.localdate()
    group.save(update_fields=["outcome", "status", "solved_on"])
    challenge = group.challenge
    challenge.status = Challenge.Status.SOLVED if solved else Challenge.Status.CLOSED
    if not solved:
        challenge.closed_reason = outcome
    challenge.save(update_fields=["status", "closed_reason"])
    record(audit.Action.UPDATE, user=user, obj=group, fields=["status", "outcome"])
    return group


def actions_due_for_reminder(today: date | None = None):
    today = today or timezone.localdate()
    return Action.objects.filter(
        done_at__isnull=True,
        reminder_sent_at__isnull=True,
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
    )


def action_remind(*, action_id: int, now: datetime | None = None) -> bool:
    """Remind the owner once: the conditional UPDATE claims the action; a second run, or a
    second worker, finds it claimed."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Action.objects.filter(
            pk=action_id, reminder_sent_at__isnull=True, done_at__isnull=True
        ).update(reminder_sent_at=now)
        if claimed != 1:
            return False
        action = Action.objects.select_related("owner", "meeting__group").get(pk=action_id)
        owner = action.owner
        if not owner.email:
            return False
        url = absolute(reverse("network:solution_group", args=[action.meeting.group_id]))
        with translation.override(owner.language or "nb"):
            queue(
                key=f"network:action-reminder:{action.pk}",
                to=owner.email,
                subject=_("Reminder: %(what)s is due %(date)s")
                % {"what": action.description[:80], "date": action.due_on.strftime("%d.%m.%Y")},
                body=_(
                    "Your responsibility in the solution group %(topic)s is due %(date)s. %(url)s"
                )
                % {
                    "topic": action.meeting.group.topic,
                    "date": action.due_on.strftime("%d.%m.%Y"),
                    "url": url,
                },
                language=owner.language or "nb",
            )
        return True
