"""The admin site behind the app's own login and the same verified second factor."""

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from . import second_factor


class KMVAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # the middleware already sends such a session to the second factor; this holds
        # even where a view is reached around it
        return super().has_permission(request) and not second_factor.session_needs_verification(
            request
        )

    def login(self, request, extra_context=None):
        """One login for everything: the app's (lockout, audit, then the second factor)."""
        if request.user.is_authenticated:
            return super().login(request, extra_context)  # "logged in, but not allowed here"
        query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
        return redirect(f"{reverse('login')}?{query}")
