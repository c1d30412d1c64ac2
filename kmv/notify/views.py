import re
from dataclasses import replace

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from kmv.access import audit, policy
from kmv.access.models import Role

from . import outbox

# a link to a meeting page in a message body: /ressursgrupper/mote/<id>/
_MEETING_LINK = re.compile(r"(/ressursgrupper/mote/)(\d+)(/)")


@login_required
def outbox_list(request):
    """Dev outbox: only where mail goes to files (never with a real SMTP server), and only
    for administrators. Meeting ids are shown only for meetings the viewer may see."""
    if not outbox.enabled():
        raise Http404
    if not (request.user.is_superuser or request.user.role == Role.SYSTEM_ADMIN):
        raise PermissionDenied
    sent = outbox.messages()
    ids = {int(m.group(2)) for msg in sent for m in _MEETING_LINK.finditer(msg.body)}
    visible = _visible_meetings(request.user, ids)
    if visible:
        # the viewer may open these meetings from here: a read of their participants
        audit.record_reads(
            request=request,
            object_type="meeting",
            object_ids=list(visible),
            participant_ids=visible,
            fields=["invitations"],
        )
    shown = [replace(msg, body=_mask_meetings(msg.body, visible)) for msg in sent]
    return render(request, "notify/outbox.html", {"messages_sent": shown})


def _visible_meetings(user, ids) -> dict[int, int]:
    """meeting id -> participant id, for the meetings among `ids` the user may see."""
    if not ids:
        return {}
    meeting = apps.get_model("resourcegroups", "Meeting")
    return dict(
        meeting.objects.filter(
            pk__in=ids, participant__in=policy.participants_for(user)
        ).values_list("pk", "participant_id")
    )


def _mask_meetings(body: str, visible) -> str:
    def mask(match):
        if int(match.group(2)) in visible:
            return match.group(0)
        return f"{match.group(1)}…{match.group(3)}"

    return _MEETING_LINK.sub(mask, body)
