"""Archive copies of approved minutes (PDF/A + Noark 5 arkivmelding).

Layer 3 of the PDF pipeline: the shared minutes are rendered ONCE, in bokmål, when the last
attending agency approves them; the bytes are kept with their SHA-256. Every agency that may
see every data category of the participant gets those same bytes plus its own
arkivmelding.xml, so the complete copies filed in different agencies' systems are provably
the same document. An agency that may see fewer categories (`policy.agency_categories`) gets
an excerpt rendered for its categories instead: what it may not see is not in its copy.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kmv.access import audit, policy
from kmv.access.models import User
from participants.models import CaseReference, DataCategory, Participant
from resourcegroups import noark, pdf
from resourcegroups.models import Minutes
from resourcegroups.services.minutes import attending_agencies

ARCHIVE_LANGUAGE = "nb"


@transaction.atomic
def store_minutes_pdf(minutes: Minutes) -> bool:
    """Render the approved minutes once and keep the bytes with their checksum.

    Idempotent: returns False and does nothing when the PDF is already stored. The row is
    locked while rendering, so two concurrent callers cannot both store a PDF.
    """
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if locked.pdf and locked.pdf_sha256:
        _copy_pdf_fields(locked, minutes)
        return False
    if not locked.is_locked:
        raise ValidationError(_("Only approved minutes are archived."))
    html = pdf.minutes_html(locked, agency=None, language=ARCHIVE_LANGUAGE)
    data = pdf.render_pdf(html)
    locked.pdf_sha256 = hashlib.sha256(data).hexdigest()
    locked.pdf.save(f"referat-{locked.pk}.pdf", ContentFile(data), save=False)
    locked.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
    _copy_pdf_fields(locked, minutes)
    return True


def _copy_pdf_fields(source: Minutes, target: Minutes) -> None:
    if target is not source:
        target.pdf = source.pdf
        target.pdf_sha256 = source.pdf_sha256


def read_pdf(minutes: Minutes) -> bytes:
    """The stored bytes, checked against the stored checksum (a changed file is an error)."""
    with minutes.pdf.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != minutes.pdf_sha256:
        raise ValidationError(_("The stored PDF does not match its checksum."))
    return data


# --- Access ------------------------------------------------------------------------------


def may_get_copy(user: User, minutes: Minutes, participant: Participant) -> bool:
    """Members of the owner agency, or of an agency that attended the meeting; the caller has
    already checked that the user may see the participant at all."""
    if not user.agency_id:
        return False
    if user.agency_id == participant.owner_agency_id:
        return True
    return user.agency_id in {a.pk for a in attending_agencies(minutes.meeting)}


def get_minutes_for(request, pk, *, log_read: bool = True) -> Minutes:
    """Fetch minutes for the archive pages or 404 — one answer for "missing" and "not yours"."""
    minutes = (
        Minutes.objects.select_related("meeting__stage", "meeting__routine", "meeting")
        .filter(pk=pk)
        .first()
    )
    if minutes is None:
        raise Http404
    participant = policy.get_participant_for(
        request, minutes.meeting.participant_id, log_read=log_read
    )
    if not may_get_copy(request.user, minutes, participant):
        audit.record(
            request=request,
            action=audit.Action.DENIED,
            obj=minutes,
            participant_id=participant.pk,
        )
        raise Http404
    minutes.meeting.participant = participant
    return minutes


# --- Case reference ----------------------------------------------------------------------


def case_reference_for(participant: Participant, agency_id: int | None) -> str:
    if not agency_id:
        return ""
    ref = CaseReference.objects.filter(participant=participant, agency_id=agency_id).first()
    return ref.reference if ref else ""


@transaction.atomic
def case_reference_set(
    *, user: User, participant: Participant, reference: str, request=None
) -> CaseReference | None:
    """Set (or, with an empty reference, remove) the user's agency's own case number."""
    if not user.agency_id or not policy.may(user, participant):
        raise PermissionDenied(_("You cannot set a case reference for this participant."))
    reference = reference.strip()
    if len(reference) > 100:
        raise ValidationError({"reference": _("At most 100 characters.")})
    existing = (
        CaseReference.objects.select_for_update()
        .filter(participant=participant, agency_id=user.agency_id)
        .first()
    )
    if not reference:
        if existing:
            existing.delete()
            audit.record(
                action=audit.Action.DELETE,
                request=request,
                user=user,
                object_type="casereference",
                object_id=existing.pk,
                participant_id=participant.pk,
                fields=["reference"],
            )
        return None
    if existing and existing.reference == reference:
        return existing
    ref = existing or CaseReference(participant=participant, agency_id=user.agency_id)
    ref.reference = reference
    ref.full_clean()
    ref.save()
    audit.record(
        action=audit.Action.UPDATE if existing else audit.Action.CREATE,
        request=request,
        user=user,
        obj=ref,
        participant_id=participant.pk,
        fields=["reference"],
    )
    return ref


# --- The archive copy --------------------------------------------------------------------


def gets_complete_copy(minutes: Minutes, agency) -> bool:
    """Whether `agency` may hold the stored complete document (it may see every category)."""
    categories = policy.agency_categories(getattr(agency, "pk", None), minutes.meeting.participant)
    return categories >= set(DataCategory.values)


def copy_pdf_for(minutes: Minutes, agency) -> tuple[bytes, bool]:
    """(PDF bytes, is_excerpt) for the copy `agency` may hold: the stored complete document
    when the agency may see every category, else an excerpt for its categories (rendered, not
    stored: it follows the agency's consents on the day it is fetched)."""
    categories = policy.agency_categories(getattr(agency, "pk", None), minutes.meeting.participant)
    if gets_complete_copy(minutes, agency):
        if not (minutes.pdf and minutes.pdf_sha256):
            store_minutes_pdf(minutes)
        return read_pdf(minutes), False
    html = pdf.minutes_html(
        minutes, agency=agency, language=ARCHIVE_LANGUAGE, categories=categories
    )
    return pdf.render_pdf(html), True


def archive_copy(minutes: Minutes, *, user: User) -> bytes:
    """ZIP with referat.pdf and arkivmelding.xml for the user's agency: the stored PDF/A
    bytes, or the excerpt of what the agency may see (`copy_pdf_for`). Stores the PDF first
    if approval happened without it (e.g. a failed render)."""
    if not minutes.is_locked:
        raise ValidationError(_("The minutes are not approved yet."))
    if not (minutes.pdf and minutes.pdf_sha256):
        store_minutes_pdf(minutes)
    data, excerpt = copy_pdf_for(minutes, user.agency)
    participant = minutes.meeting.participant
    xml = noark.arkivmelding_xml(
        minutes,
        agency=user.agency,
        file=noark.ArchiveFile(sha256=hashlib.sha256(data).hexdigest(), size=len(data)),
        case_reference=case_reference_for(participant, user.agency_id),
        attending=attending_agencies(minutes.meeting),
        created_by=user.get_username(),
        now=timezone.now(),
        excerpt=excerpt,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(noark.PDF_FILENAME, data, compress_type=zipfile.ZIP_STORED)
        archive.writestr("arkivmelding.xml", xml, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
