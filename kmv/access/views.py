import sys
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import api_tokens as api_token_services
from . import forms, second_factor, selectors, services
from .client_ip import client_ip
from .models import Role


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["expired"] = self.request.GET.get("expired") == "1"
        return ctx


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address (the mail is sent by a task); limited per client
    address and per e-mail address, so it can be used neither to probe nor to flood."""

    form_class = forms.PasswordResetForm

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "")
        if not services.password_reset_allowed(client_ip(request), email):
            return render(request, "registration/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", selectors.home_context(request.user))


@login_required
def two_factor(request):
    """Second step of the login: a TOTP code from the user's authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    device = second_factor.confirmed_device(request.user)
    if device is None:
        query = urlencode({"next": _safe_next(request, "/")})
        return redirect(f"{reverse('two_factor_setup')}?{query}")
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = second_factor.check_code(device, form.cleaned_data["token"])
        if outcome == "ok":
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", second_factor.code_error(outcome))
    return render(
        request, "registration/two_factor.html", {"form": form, "next": _safe_next(request, "")}
    )


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: show the QR code, confirm with a first code. The secret
    belongs to this attempt only (this session, KMV_TOTP_SETUP_SECONDS)."""
    if second_factor.confirmed_device(request.user) is not None:
        return redirect("two_factor")
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST":
        device = second_factor.pending_device(request)
        if device is None:
            form = forms.TokenForm()
            messages.error(
                request,
                _("The set-up took too long or was started elsewhere. Scan the new code."),
            )
        elif form.is_valid():
            if second_factor.confirm_setup(request, device, form.cleaned_data["token"]):
                messages.success(request, _("Two-factor login is set up."))
                return redirect(_safe_next(request))
            form.add_error("token", second_factor.code_error("wrong"))
    device = second_factor.start_setup(request)
    img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = BytesIO()
    img.save(buf)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": buf.getvalue().decode(),
            "secret": device.bin_key.hex(),
            "next": _safe_next(request, ""),
        },
    )


@login_required
def api_tokens(request):
    """The user's own API tokens: list, and make one after typing a fresh code."""
    form = forms.ApiTokenForm(request.POST or None)
    new_key = None
    has_device = second_factor.confirmed_device(request.user) is not None
    if request.method == "POST" and form.is_valid():
        outcome = second_factor.fresh_check(request.user, form.cleaned_data["token"])
        if outcome == "ok":
            _row, new_key = api_token_services.issue(
                user=request.user,
                created_by=request.user,
                name=form.cleaned_data["name"],
                request=request,
            )
            form = forms.ApiTokenForm()
        else:
            form.add_error("token", second_factor.code_error(outcome))
    return render(
        request,
        "access/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "has_device": has_device,
            "tokens": api_token_services.tokens_of(request.user),
            "days": settings.KMV_API_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def api_token_revoke(request, token_key):
    token = api_token_services.tokens_of(request.user).filter(token_key=token_key).first()
    if token is None:
        raise Http404
    api_token_services.revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The API token is revoked."))
    return redirect("api_tokens")


@login_required
def preferences(request):
    form = forms.PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("preferences")
    return render(request, "access/preferences.html", {"form": form})


@login_required
def audit_log(request):
    if request.user.role not in (Role.NETWORK_COORDINATOR, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN):
        raise PermissionDenied
    form = forms.AuditFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("participant_id"):
        # an id the viewer may not see filters nothing: it would tie the id to its pseudonym
        filters["participant_ids"] = selectors.audit_participant_filter(
            request.user, filters.pop("participant_id")
        )
        if filters["participant_ids"] is None:
            form.add_error(
                "participant_id",
                _("Enter the id of a participant you may see, or a pseudonym from the log."),
            )
            filters = {}
    events = selectors.audit_events(filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = selectors.audit_rows(request.user, page.object_list)
    return render(request, "access/audit_log.html", {"form": form, "page": page, "rows": rows})


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


# An outage of the database (restart, failover) is not our error: answer 503 with
# Retry-After, rendered without the request context (base.html would query the user).
_DB_DOWN_RETRY_SECONDS = "5"


def server_error(request):
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        message = _(
            "The service cannot reach its database just now. Nothing was saved; "
            "go back and try again in a moment."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = _DB_DOWN_RETRY_SECONDS
        return response
    return render(request, "errors/500.html", status=500)
