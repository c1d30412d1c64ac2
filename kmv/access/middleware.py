import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from . import second_factor


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime for logged-in sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("kmv_started", now)
            last = request.session.get("kmv_last", now)
            if (
                now - last > settings.KMV_SESSION_IDLE_SECONDS
                or now - started > settings.KMV_SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return redirect(f"{reverse('login')}?{query}")
            request.session["kmv_last"] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# Only the steps that lead to a verified login are reachable before the second factor.
TWO_FACTOR_EXEMPT_PREFIXES = (
    "/konto/logg-inn/",
    "/konto/logg-ut/",
    "/konto/tofaktor/",
    "/konto/glemt-passord/",
    "/konto/tilbakestill/",
    "/static/",
    "/i18n/",
    "/api/",
)


class TwoFactorRequiredMiddleware:
    """Every page, the admin site included, waits for the second factor when
    `second_factor.session_needs_verification` says so (the one rule).

    The API answers 403 itself (see api_permissions) instead of redirecting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(
            TWO_FACTOR_EXEMPT_PREFIXES
        ) and second_factor.session_needs_verification(request):
            return redirect(
                f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers may hold personal data: never store them in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class PolicyMemoMiddleware:
    """Read-only requests answer each access question once (`policy.remembering`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        from . import policy

        with policy.remembering():
            return self.get_response(request)
