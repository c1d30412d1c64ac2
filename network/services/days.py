"""Professional days: programme, invitations, attendance, the two-part evaluation."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Agency, User

from .. import permissions
from ..models import (
    Challenge,
    EvaluationAnswer,
    EvaluationInvite,
    ProfessionalDay,
    ProgrammeSegment,
    Registration,
)
from .common import absolute, new_token, queue, record, require, token_hash

EVALUATION_TTL = timedelta(days=21)


class EvaluationError(ValidationError):
    pass


@transaction.atomic
def day_create(
    *,
    user: User,
    network,
    kind: str,
    theme: str,
    date: date,
    place: str = "",
    online: bool = False,
    online_url: str = "",
    invited_agencies=(),
    part2_delay_days: int = 42,
) -> ProfessionalDay:
    require(permissions.is_coordinator(user, network))
    day = ProfessionalDay(
        network=network,
        kind=kind,
        theme=theme,
        date=date,
        place=place,
        online=online,
        online_url=online_url,
        part2_delay_days=part2_delay_days,
        created_by=user,
    )
    if not place and not online:
        raise ValidationError({"place": _("Give a place, or mark the day as online.")})
    day.full_clean()
    day.save()
    day.invited_agencies.set(invited_agencies)
    record(audit.Action.CREATE, user=user, obj=day)
    return day


@transaction.atomic
def segment_add(
    *, user: User, day: ProfessionalDay, kind: str, title: str, starts_at=None, presenter=None
) -> ProgrammeSegment:
    require(permissions.is_coordinator(user, day.network))
    order = (day.segments.aggregate(m=Max("order"))["m"] or 0) + 1
    segment = ProgrammeSegment(
        day=day, order=order, kind=kind, title=title, starts_at=starts_at, presenter=presenter
    )
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def registration_invite(
    *,
    user: User,
    day: ProfessionalDay,
    name: str = "",
    email: str = "",
    person: User | None = None,
    agency: Agency | None = None,
) -> Registration:
    """Invite a staff member (`person`) or an outside guest (name + e-mail). Idempotent by
    e-mail; the invitation mail is queued once."""
    require(permissions.is_coordinator(user, day.network))
    if person is not None:
        name = name or str(person)
        email = email or person.email
        agency = agency or person.agency
    registration, created = Registration.objects.get_or_create(
        day=day,
        email=email,
        defaults={
            "name": name,
            "user": person,
            "agency": agency,
            "language": getattr(person, "language", "nb") or "nb",
        },
    )
    if created:
        registration.full_clean()
        url = absolute(reverse("network:day", args=[day.pk]))
        with translation.override(registration.language):
            queue(
                key=f"network:day-invite:{registration.pk}",
                to=email,
                subject=_("Invitation: %(theme)s") % {"theme": day.theme},
                body=_("You are invited to the professional day %(theme)s on %(date)s. %(url)s")
                % {"theme": day.theme, "date": day.date.strftime("%d.%m.%Y"), "url": url},
                language=registration.language,
            )
    return registration


@transaction.atomic
def registration_set(
    *,
    user: User,
    registration: Registration,
    status: str | None = None,
    attended: bool | None = None,
) -> Registration:
    """Staff register themselves; coordinators record anyone's status and attendance."""
    day = registration.day
    own = registration.user_id == user.pk
    require(own or permissions.is_coordinator(user, day.network))
    fields = []
    if status is not None:
        registration.status = status
        fields.append("status")
    if attended is not None:
        require(permissions.is_coordinator(user, day.network))
        registration.attended = attended
        fields.append("attended")
    registration.full_clean()
    registration.save(update_fields=fields)
    return registration


@transaction.atomic
def invite_agency_staff(*, user: User, day: ProfessionalDay, agency: Agency) -> int:
    """Invite every active staff member (with an e-mail) of an agency; the agency is kept
    among the day's invited agencies."""
    require(permissions.is_coordinator(user, day.network))
    day.invited_agencies.add(agency)
    count = 0
    for person in agency.staff.filter(is_active=True).exclude(email=""):
        registration_invite(user=user, day=day, person=person)
        count += 1
    return count


@transaction.atomic
def registration_self(*, user: User, day: ProfessionalDay) -> Registration:
    """A staff member registers: for an open day anyone in the network, for a closed day or
    workshop only people invited (personally or through their agency)."""
    require(permissions.networks_for(user).filter(pk=day.network_id).exists())
    if day.status != ProfessionalDay.Status.PLANNED:
        raise ValidationError(_("Registration is closed."))
    registration = day.registrations.filter(user=user).first()
    if registration is None:
        invited = day.invited_agencies.filter(pk=user.agency_id).exists()
        require(
            day.kind == ProfessionalDay.Kind.OPEN or invited,
            _("This day is by invitation only."),
        )
        registration = Registration.objects.create(
            day=day,
            user=user,
            name=str(user),
            email=user.email or f"user-{user.pk}@invalid",
            agency_id=user.agency_id,
            language=user.language or "nb",
        )
    registration.status = Registration.Status.REGISTERED
    registration.save(update_fields=["status"])
    return registration


@transaction.atomic
def registration_cancel(*, user: User, day: ProfessionalDay) -> Registration:
    """A staff member withdraws their registration (kept as declined, so the organisers see
    it); only while the day is planned."""
    registration = day.registrations.filter(user=user).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this day."))
    if day.status != ProfessionalDay.Status.PLANNED:
        raise ValidationError(_("Registration is closed."))
    registration.status = Registration.Status.DECLINED
    registration.save(update_fields=["status"])
    return registration


@transaction.atomic
def attendance_record(*, user: User, day: ProfessionalDay, present_ids) -> int:
    """Mark who came: the given registrations attended, the others did not."""
    require(permissions.is_coordinator(user, day.network))
    present = {int(i) for i in present_ids}
    regs = list(day.registrations.exclude(status=Registration.Status.DECLINED))
    for registration in regs:
        registration.attended = registration.pk in present
    Registration.objects.bulk_update(regs, ["attended"])
    return sum(1 for r in regs if r.attended)


def _issue_invite(registration: Registration, part: int, now: datetime) -> str | None:
    """A single-use link for one part; None if this person already has one for it."""
    raw, hashed = new_token()
    try:
        with transaction.atomic():
            EvaluationInvite.objects.create(
                registration=registration,
                part=part,
                token_hash=hashed,
                expires_at=now + EVALUATION_TTL,
            )
    except IntegrityError:
        return None
    return raw


def _send_invite(registration: Registration, part: int, raw: str) -> None:
    day = registration.day
    url = absolute(reverse("network:evaluate", args=[raw]))
    with translation.override(registration.language):
        if part == 1:
            subject = _("How was %(theme)s?") % {"theme": day.theme}
            body = _("Please evaluate the professional day (anonymous, two minutes): %(url)s")
        else:
            subject = _("Did you use what you learnt at %(theme)s?") % {"theme": day.theme}
            body = _(
                "Some weeks have passed since the professional day. How did you use the "
                "competence at your workplace? (anonymous) %(url)s"
            )
        queue(
            key=f"network:eval:{part}:{registration.pk}",
            to=registration.email,
            subject=subject,
            body=body % {"url": url},
            language=registration.language,
        )


def _evaluators(day: ProfessionalDay):
    return day.registrations.exclude(attended=False).exclude(status=Registration.Status.DECLINED)


@transaction.atomic
def day_mark_held(*, user: User, day: ProfessionalDay, now: datetime | None = None) -> int:
    """The day is over: send part 1 of the evaluation to everyone who came."""
    require(permissions.is_coordinator(user, day.network))
    now = now or timezone.now()
    updated = ProfessionalDay.objects.filter(
        pk=day.pk, status=ProfessionalDay.Status.PLANNED
    ).update(status=ProfessionalDay.Status.HELD)
    if not updated:
        raise ValidationError(_("Only a planned day can be marked as held."))
    day.status = ProfessionalDay.Status.HELD
    record(audit.Action.UPDATE, user=user, obj=day, fields=["status"])
    count = 0
    for registration in _evaluators(day).select_related("day"):
        raw = _issue_invite(registration, 1, now)
        if raw:
            _send_invite(registration, 1, raw)
            count += 1
    return count


def part2_due(now: datetime | None = None):
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    days = ProfessionalDay.objects.filter(
        status=ProfessionalDay.Status.HELD, part2_sent_at__isnull=True
    )
    return [d for d in days if d.date + timedelta(days=d.part2_delay_days) <= today]


def send_part2(*, day_id: int, now: datetime | None = None) -> int:
    """Send part 2 for one day, exactly once: the conditional UPDATE claims the day; a second
    run (or a second worker) finds it claimed and sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ProfessionalDay.objects.filter(
            pk=day_id, status=ProfessionalDay.Status.HELD, part2_sent_at__isnull=True
        ).update(part2_sent_at=now)
        if claimed != 1:
            return 0
        day = ProfessionalDay.objects.get(pk=day_id)
        count = 0
        for registration in _evaluators(day).select_related("day"):
            raw = _issue_invite(registration, 2, now)
            if raw:
                _send_invite(registration, 2, raw)
                count += 1
        return count


def invite_for_token(raw: str, now: datetime | None = None) -> EvaluationInvite | None:
    """The open invitation for this link, or None (unknown, used or expired)."""
    now = now or timezone.now()
    return (
        EvaluationInvite.objects.select_related("registration__day")
        .filter(token_hash=token_hash(raw), used=False, expires_at__gt=now)
        .first()
    )


ANSWER_FIELDS = {
    1: ("usefulness", "most_useful", "missing_competence", "wished_topics", "free_text"),
    2: ("competence_used", "used_how", "free_text"),
}


def evaluation_submit(*, token: str, now: datetime | None = None, **answers) -> EvaluationAnswer:
    """Store one anonymous answer. The invite is marked used in the same transaction; the
    answer keeps only the day, the part and the week — nothing that points to the person."""
    now = now or timezone.now()
    with transaction.atomic():
        invite = invite_for_token(token, now)
        if invite is None:
            raise EvaluationError(
                _("This evaluation link is not valid any more: it was used or has expired."),
                code="token",
            )
        unknown = set(answers) - set(ANSWER_FIELDS[invite.part])
        if unknown:
            raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
        claimed = EvaluationInvite.objects.filter(pk=invite.pk, used=False).update(used=True)
        if claimed != 1:
            raise EvaluationError(_("This evaluation was already answered."), code="token")
        today = timezone.localtime(now).date()
        answer = EvaluationAnswer(
            day_id=invite.registration.day_id,
            part=invite.part,
            week=today - timedelta(days=today.weekday()),
            **answers,
        )
        if invite.part == 1 and answer.usefulness is None:
            raise EvaluationError({"usefulness": _("Choose how useful the day was.")})
        if invite.part == 2 and not answer.competence_used:
            raise EvaluationError({"competence_used": _("Choose an answer.")})
        answer.full_clean()
        answer.save()
        return answer


def evaluation_summary(*, day: ProfessionalDay) -> dict:
    """Counts and distributions per question, free texts as sorted lists (sorted, so their
    order says nothing about who answered when)."""
    answers = list(day.answers.all())
    part1 = [a for a in answers if a.part == 1]
    part2 = [a for a in answers if a.part == 2]
    usefulness = Counter(a.usefulness for a in part1 if a.usefulness)
    used = Counter(a.competence_used for a in part2 if a.competence_used)
    scored = [a.usefulness for a in part1 if a.usefulness]

    def texts(items, field):
        return sorted(v for v in (getattr(a, field).strip() for a in items) if v)

    invites = Counter(day.registrations.values_list("evaluation_invites__part", flat=True))
    return {
        "part1": {
            "count": len(part1),
            "invited": invites.get(1, 0),
            "usefulness": [(n, usefulness.get(n, 0)) for n in range(1, 6)],
            "usefulness_mean": round(sum(scored) / len(scored), 1) if scored else None,
            "most_useful": texts(part1, "most_useful"),
            "missing_competence": texts(part1, "missing_competence"),
            "wished_topics": texts(part1, "wished_topics"),
            "free_text": texts(part1, "free_text"),
        },
        "part2": {
            "count": len(part2),
            "invited": invites.get(2, 0),
            "competence_used": [
                (value, label, used.get(value, 0)) for value, label in EvaluationAnswer.Use.choices
            ],
            "used_how": texts(part2, "used_how"),
            "free_text": texts(part2, "free_text"),
        },
    }


@transaction.atomic
def challenges_from_evaluation(
    *, user: User, day: ProfessionalDay, titles: list[str]
) -> list[Challenge]:
    """Turn chosen topics and problems from the answers into challenges, in one action."""
    from .challenges import challenge_raise

    return [
        challenge_raise(
            user=user,
            network=day.network,
            title=title[:200],
            description=title,
            source=Challenge.Source.PROFESSIONAL_DAY,
            source_day=day,
        )
        for title in dict.fromkeys(t.strip() for t in titles if t.strip())
    ]
