"""The one place that decides who may see or change a participant's data.

Entitlement is computed from the data (owner agency, group memberships, consents) by
`entitled_agencies` and materialised as django-guardian rows on the agency's group by
`sync_participant_access`. Every read path (pages, API, admin, search, exports, PDFs) scopes
through `participants_for` or fetches through `get_participant_for`, which read those rows.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kmv.ids import as_pk

from . import audit
from .models import CASE_ROLES, Agency, User

if TYPE_CHECKING:
    from participants.models import Participant

VIEW = "view"
CHANGE = "change"

# Every way participant data leaves KMV. Each one reads through `visible_categories` /
# `agency_categories` (and `shown_national_id`); tests/access/test_consent_matrix.py has a
# row for each, and fails when a channel is added here without one.
DATA_CHANNELS = frozenset({"page", "api", "pdf", "archive", "csv", "xlsx", "ics", "email"})


def _perm_rows(user: User, codename: str):
    from participants.models import (
        ParticipantGroupObjectPermission,
        ParticipantUserObjectPermission,
    )

    q = Q(
        pk__in=ParticipantUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename=codename
        ).values("content_object_id")
    )
    if user.role in CASE_ROLES and user.agency_id:
        q |= Q(
            pk__in=ParticipantGroupObjectPermission.objects.filter(
                group__agency__id=user.agency_id, permission__codename=codename
            ).values("content_object_id")
        )
    return q


def participants_for(user, action: str = VIEW) -> QuerySet[Participant]:
    """Participants this user may see (or change). Superusers and model-level permissions
    grant nothing here: only object rows count (guardian's defaults would leak)."""
    from participants.models import Participant

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Participant.objects.none()
    return Participant.objects.filter(_perm_rows(user, f"{action}_participant"))


# Within one read-only request a page asks `may` about the same participant many times
# (per checklist item, per button); `remembering()` answers each question once. Only
# around GET/HEAD requests (`kmv.access.middleware.PolicyMemoMiddleware`), which change no
# access rows, so an answer cannot go stale inside the block.
_answers: ContextVar[dict | None] = ContextVar("kmv_policy_answers", default=None)


@contextmanager
def remembering():
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def may(user, participant: Participant, action: str = VIEW) -> bool:
    answers = _answers.get()
    if answers is None:
        return participants_for(user, action).filter(pk=participant.pk).exists()
    key = (getattr(user, "pk", None), participant.pk, action)
    if key not in answers:
        answers[key] = participants_for(user, action).filter(pk=participant.pk).exists()
    return answers[key]


def get_participant_for(request, pk, action: str = VIEW, *, channel: str = "ui", log_read=True):
    """Fetch a participant or 404 — the same answer for "missing" and "not yours"."""
    from participants.models import Participant

    pk = as_pk(pk)
    qs = participants_for(request.user, action).select_related("municipality", "owner_agency")
    participant = qs.filter(pk=pk).first()
    if participant is None:
        audit.record(
            request=request,
            action=audit.Action.DENIED,
            object_type="participant",
            object_id=pk,
            participant_id=pk if Participant.objects.filter(pk=pk).exists() else None,
            channel=channel,
        )
        raise Http404
    # a fetch for a change that renders a page (a GET of a form) shows the data too
    if log_read and (action == VIEW or getattr(request, "method", "GET") in ("GET", "HEAD")):
        audit.record_read(request=request, participant=participant, channel=channel)
    return participant


def entitled_agencies(participant: Participant, on=None) -> dict[int, set[str]]:
    """agency id -> actions. The creating agency may view and change; an agency whose staff
    sits in the participant's group sees the participant only while it holds active consent
    (or a recorded legal basis) for at least one data category."""
    from resourcegroups.models import Membership

    on = on or timezone.localdate()
    result: dict[int, set[str]] = {participant.owner_agency_id: {VIEW, CHANGE}}
    member_agencies = set(
        Membership.objects.active(on)
        .filter(group__participant=participant)
        .values_list("agency_id", flat=True)
    )
    consenting = set(participant.consents.active(on).values_list("agency_id", flat=True))
    for agency_id in member_agencies & consenting:
        result.setdefault(agency_id, set()).add(VIEW)
    return result


def agency_categories(agency_id: int | None, participant: Participant, on=None) -> set[str]:
    """THE rule on data categories: the owner agency sees every category of its participant,
    another agency the categories it holds active consent (or a recorded legal basis) for.

    Every channel (pages, API, PDFs, archive copies, exports, e-mail, search) asks this,
    through `visible_categories` for a viewer or directly for the agency a copy is made for.
    """
    from participants.models import DataCategory

    if not agency_id:
        return set()
    if agency_id == participant.owner_agency_id:
        return set(DataCategory.values)
    answers = _answers.get()
    key = ("categories", agency_id, participant.pk, on)
    if answers is not None and key in answers:
        return set(answers[key])
    found = set(
        participant.consents.active(on)
        .filter(agency_id=agency_id)
        .values_list("category", flat=True)
    )
    if answers is not None:
        answers[key] = frozenset(found)
    return found


def visible_categories(user, participant: Participant) -> set[str]:
    """Data categories this user may see for the participant: none unless the user may see
    the participant at all, then those of the user's agency (`agency_categories`)."""
    if not getattr(user, "agency_id", None) or not may(user, participant):
        return set()
    return agency_categories(user.agency_id, participant)


def may_read_datum(categories, category: str, *, agency_id=None, own_agency_id=None) -> bool:
    """One datum: readable when its data category is among `categories` (from
    `visible_categories` / `agency_categories`), or when it is the reader's agency's own
    (`agency_id` of the datum — who answered, who must do a next step, who wrote an
    addendum — equals `own_agency_id`): an agency is never hidden what it holds itself."""
    if category in categories:
        return True
    return bool(own_agency_id) and agency_id == own_agency_id


def filter_by_category(items, categories, *, own_agency_id=None) -> tuple[list, int]:
    """Split `items` (with `.category` and `.agency_id`) into those `may_read_datum` allows
    and a count of the rest (for the neutral "hidden" marker)."""
    items = list(items)
    shown = [
        item
        for item in items
        if may_read_datum(
            categories,
            item.category,
            agency_id=getattr(item, "agency_id", None),
            own_agency_id=own_agency_id,
        )
    ]
    return shown, len(items) - len(shown)


def shown_national_id(user, participant: Participant) -> str:
    """The identity number as this user may read it, on every channel (pages, API, exports):
    in full only for case workers of the owner agency, masked for everyone else."""
    owner = bool(user.agency_id) and user.agency_id == participant.owner_agency_id
    if owner and user.role in CASE_ROLES:
        return participant.national_id or ""
    return participant.masked_national_id


def national_id_match(user, number) -> Q:
    """Search by full identity number (pages, API, import): it can only find participants
    of the user's own agency — the only ones whose number the user may read in full — so a
    search never confirms the number of someone shown masked."""
    if not getattr(user, "agency_id", None) or user.role not in CASE_ROLES:
        return Q(pk__in=[])
    if isinstance(number, str):
        return Q(national_id=number, owner_agency_id=user.agency_id)
    return Q(national_id__in=list(number), owner_agency_id=user.agency_id)


def agency_has_consent(participant: Participant, agency: Agency) -> bool:
    if agency.pk == participant.owner_agency_id:
        return True
    return participant.consents.active().filter(agency=agency).exists()


@transaction.atomic
def sync_participant_access(participant: Participant) -> None:
    """Make the guardian rows match `entitled_agencies`: grant what is due, revoke the rest."""
    from participants.models import ParticipantGroupObjectPermission

    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="participants",
            codename__in=["view_participant", "change_participant"],
        )
    }
    wanted = set()
    entitled = entitled_agencies(participant)
    groups = dict(Agency.objects.filter(pk__in=entitled).values_list("pk", "group_id"))
    for agency_id, actions in entitled.items():
        for action in actions:
            wanted.add((groups[agency_id], perms[f"{action}_participant"].pk))
    existing = {
        (row.group_id, row.permission_id): row.pk
        for row in ParticipantGroupObjectPermission.objects.filter(content_object=participant)
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        ParticipantGroupObjectPermission.objects.filter(pk__in=stale).delete()
    ParticipantGroupObjectPermission.objects.bulk_create(
        [
            ParticipantGroupObjectPermission(
                content_object=participant, group_id=group_id, permission_id=perm_id
            )
            for group_id, perm_id in wanted - existing.keys()
        ]
    )


def visible_categories_map(user, participants) -> dict[int, set[str]]:
    """`visible_categories` for a page of participants in at most one query (API lists).

    Rows outside `participants_for(user)` get no categories, as in `visible_categories`.
    """
    from participants.models import Consent, DataCategory

    result: dict[int, set[str]] = {}
    others = []
    for participant in participants:
        if user.agency_id and user.agency_id == participant.owner_agency_id:
            result[participant.pk] = set(DataCategory.values)
        else:
            result[participant.pk] = set()
            others.append(participant.pk)
    if others and user.agency_id:
        rows = (
            Consent.objects.active()
            .filter(agency_id=user.agency_id, participant_id__in=others)
            .filter(participant__in=participants_for(user))
            .values_list("participant_id", "category")
        )
        for participant_id, category in rows:
            result[participant_id].add(category)
    return result


def consents_for(user):
    """Consent rows the user may see: of participants they may see, all of them for the
    owner agency, otherwise only those given to the user's own agency."""
    from participants.models import Consent

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Consent.objects.none()
    own_agency = Q(participant__owner_agency_id=user.agency_id) | Q(agency_id=user.agency_id)
    if not user.agency_id:
        own_agency = Q(pk__in=[])
    return Consent.objects.filter(participant__in=participants_for(user)).filter(own_agency)
