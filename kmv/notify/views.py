from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from kmv.access.models import Role

from . import outbox


@login_required
def outbox_list(request):
    """Dev outbox: only where mail goes to files (never with a real SMTP server), and only
    for administrators."""
    if not outbox.enabled():
        raise Http404
    if not (request.user.is_superuser or request.user.role == Role.SYSTEM_ADMIN):
        raise PermissionDenied
    return render(request, "notify/outbox.html", {"messages_sent": outbox.messages()})
