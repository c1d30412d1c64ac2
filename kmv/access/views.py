import sys
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import forms, selectors
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


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", selectors.home_context(request.user))


@login_required
def two_factor(request):
    """Second step of the login: a TOTP code from the user's authenticator app."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        query = urlencode({"next": _safe_next(request, "/")})
        return redirect(f"{reverse('two_factor_setup')}?{query}")
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error(
                "token",
                _("Too many wrong codes in a row. Wait a few seconds and try the newest code."),
            )
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(
        request, "registration/two_factor.html", {"form": form, "next": _safe_next(request, "")}
    )


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: show the QR code, confirm with a first code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "default"}
    )
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return redirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
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
    events = selectors.audit_events(form.cleaned_data if form.is_valid() else {})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "access/audit_log.html", {"form": form, "page": page})


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
