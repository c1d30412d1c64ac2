"""Participant feedback on held resource-group meetings: a single-use, expiring link (or a
paper form typed in by staff), three questions on a five-step scale plus free text.

Nothing here stores who answered: the invite knows only the meeting id (one link per
meeting), the response only the stage, the month and the language.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kmv.access import audit
from kmv.access.models import Role, User

from .. import permissions
from ..models import Challenge, FeedbackInvite, FeedbackResponse
from .common import absolute, new_token, queue, record, require, token_hash

FEEDBACK_TTL = timedelta(days=14)
SUPPRESS_BELOW = 5  # fewer answers than this in a cell: show no figures
QUESTIONS = ("heard", "understood", "useful")


class FeedbackError(ValidationError):
    pass


def _month(day: date) -> date:
    return day.replace(day=1)


def feedback_invite_for_meeting(
    meeting_id: int,
    language: str,
    *,
    stage_number: int | None = None,
    held_on: date | None = None,
    now: datetime | None = None,
) -> tuple[FeedbackInvite, str | None]:
    """The feedback link for a held meeting: (invite, raw token). Idempotent per meeting;
    the raw token exists only on the first call (only its hash is stored), later calls
    return (invite, None).

    The caller (resourcegroups) may pass the stage number and date; otherwise they are read
    by id through the app registry, so the network never imports resource-group models.
    """
    now = now or timezone.now()
    existing = FeedbackInvite.objects.filter(meeting_id=meeting_id).first()
    if existing is not None:
        return existing, None
    if stage_number is None or held_on is None:
        meeting_model = apps.get_model("resourcegroups", "Meeting")
        row = (
            meeting_model.objects.filter(pk=meeting_id)
            .values("stage__number", "planned_start", "due_date")
            .get()
        )
        stage_number = row["stage__number"] if stage_number is None else stage_number
        start = row["planned_start"]
        held_on = held_on or (
            timezone.localtime(start).date() if start else row["due_date"] or now.date()
        )
    raw, hashed = new_token()
    try:
        with transaction.atomic():
            invite = FeedbackInvite.objects.create(
                meeting_id=meeting_id,
                stage_number=stage_number,
                period=_month(held_on),
                language=language or "nb",
                token_hash=hashed,
                expires_at=now + FEEDBACK_TTL,
            )
    except IntegrityError:  # a concurrent call made it first
        return FeedbackInvite.objects.get(meeting_id=meeting_id), None
    return invite, raw


def feedback_language(language: str) -> str:
    """The language the link's page and mail are shown in: the participant's preferred one
    when the app has it, else bokmål (staff then read the form aloud, or use paper)."""
    return language if language in dict(settings.LANGUAGES) else "nb"


def feedback_send_for_meeting(
    *,
    meeting_id: int,
    email: str,
    language: str,
    stage_number: int,
    held_on: date,
    now: datetime | None = None,
) -> bool:
    """Called by resourcegroups when a meeting becomes held: one single-use link per meeting,
    mailed once through the outbox (same transaction, unique key) in the participant's
    language. Without an e-mail no link is made: staff hand over the paper form and type the
    answers in (`feedback_enter_paper`). Returns whether a mail was queued."""
    if not email:
        return False
    invite, raw = feedback_invite_for_meeting(
        meeting_id, language, stage_number=stage_number, held_on=held_on, now=now
    )
    if raw is None:  # made (and mailed) before: never a second link
        return False
    url = absolute(reverse("network:feedback", args=[raw]))
    shown = feedback_language(language)
    with translation.override(shown):
        queue(
            key=f"network:feedback:{invite.meeting_id}",
            to=email,
            subject=_("How was the meeting?"),
            body=_(
                "Thank you for coming to the meeting. Three short questions, anonymous, "
                "about two minutes. The link works once, for %(days)s days: %(url)s"
            )
            % {"days": FEEDBACK_TTL.days, "url": url},
            language=shown,
        )
    return True


def feedback_invite_for_token(raw: str, now: datetime | None = None) -> FeedbackInvite | None:
    now = now or timezone.now()
    return FeedbackInvite.objects.filter(
        token_hash=token_hash(raw), used=False, expires_at__gt=now
    ).first()


def _validate_scores(scores: dict) -> None:
    errors = {
        q: _("Choose one of the five faces.")
        for q in QUESTIONS
        if not isinstance(scores.get(q), int) or not 1 <= scores[q] <= 5
    }
    if errors:
        raise FeedbackError(errors)


def feedback_submit(
    *,
    token: str,
    heard: int,
    understood: int,
    useful: int,
    free_text: str = "",
    now: datetime | None = None,
) -> FeedbackResponse:
    """Answer once. The invite is claimed with a conditional UPDATE in the same transaction
    as the answer, so a double submit stores one answer."""
    now = now or timezone.now()
    _validate_scores({"heard": heard, "understood": understood, "useful": useful})
    with transaction.atomic():
        invite = feedback_invite_for_token(token, now)
        if invite is None or not FeedbackInvite.objects.filter(pk=invite.pk, used=False).update(
            used=True
        ):
            raise FeedbackError(
                _("This link has already been used or has expired. Thank you all the same."),
                code="token",
            )
        response = FeedbackResponse(
            stage_number=invite.stage_number,
            period=invite.period,
            language=invite.language,
            channel=FeedbackResponse.Channel.LINK,
            heard=heard,
            understood=understood,
            useful=useful,
            free_text=free_text.strip()[:2000],
        )
        response.full_clean()
        response.save()
        return response


def may_enter_feedback(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_case_worker


def may_read_feedback(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in (
        Role.NETWORK_COORDINATOR,
        Role.AGENCY_LEADER,
    )


@transaction.atomic
def feedback_enter_paper(
    *,
    user: User,
    stage_number: int,
    period: date,
    language: str,
    heard: int,
    understood: int,
    useful: int,
    free_text: str = "",
) -> FeedbackResponse:
    """A paper form typed in by staff: the same anonymous row, channel "paper"."""
    require(may_enter_feedback(user))
    _validate_scores({"heard": heard, "understood": understood, "useful": useful})
    response = FeedbackResponse(
        stage_number=stage_number,
        period=_month(period),
        language=language,
        channel=FeedbackResponse.Channel.PAPER,
        heard=heard,
        understood=understood,
        useful=useful,
        free_text=free_text.strip()[:2000],
    )
    response.full_clean()
    response.save()
    record(audit.Action.CREATE, user=user, obj=response)
    return response


def feedback_summary(*, start: date, end: date) -> list[dict]:
    """Per stage and month: count and, when there are enough answers, the distribution and
    mean per question. Cells with fewer than SUPPRESS_BELOW answers show no figures."""
    rows = FeedbackResponse.objects.filter(period__gte=_month(start), period__lte=end).values(
        "stage_number", "period", *QUESTIONS
    )
    cells: dict[tuple[int, date], list[dict]] = {}
    for row in rows:
        cells.setdefault((row["stage_number"], row["period"]), []).append(row)
    result = []
    for (stage, period), items in sorted(cells.items()):
        suppressed = len(items) < SUPPRESS_BELOW
        questions = {}
        if not suppressed:
            for q in QUESTIONS:
                counts = Counter(i[q] for i in items)
                questions[q] = {
                    "distribution": [(n, counts.get(n, 0)) for n in range(1, 6)],
                    "mean": round(sum(i[q] for i in items) / len(items), 1),
                }
        result.append(
            {
                "stage": stage,
                "period": period,
                "count": None if suppressed else len(items),
                "suppressed": suppressed,
                "questions": questions,
            }
        )
    return result


@transaction.atomic
def feedback_review(
    *, user: User, response: FeedbackResponse, network=None, challenge_title: str = ""
) -> FeedbackResponse:
    """Mark a free text reviewed; with a title, raise it as a challenge in `network`."""
    require(may_read_feedback(user))
    fields = ["reviewed_at", "reviewed_by"]
    if challenge_title.strip():
        from .challenges import challenge_raise

        if network is None or not permissions.networks_for(user).filter(pk=network.pk).exists():
            raise ValidationError({"network": _("Choose the network.")})
        response.challenge = challenge_raise(
            user=user,
            network=network,
            title=challenge_title.strip()[:200],
            description=response.free_text,
            source=Challenge.Source.PARTICIPANT_FEEDBACK,
        )
        fields.append("challenge")
    response.reviewed_at = timezone.now()
    response.reviewed_by = user
    response.save(update_fields=fields)
    return response
