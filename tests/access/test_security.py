"""Security behaviour of the access layer: two-factor login, lockout, session lifetime,
response headers, password hashing and password reset by e-mail.

Each test drives the real login form / middleware stack through the test client, so it
fails if the feature is switched off or broken.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core import mail
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import include, path, reverse
from django.utils.csp import CSP
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kmv.access import audit
from kmv.access.models import AuditEvent
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
LOGIN_URL = "/konto/logg-inn/"
TWO_FACTOR_URL = "/konto/tofaktor/"
SETUP_URL = "/konto/tofaktor/oppsett/"
LIST_URL = "/deltakere/"
API_LIST_URL = "/api/participants/"


# --- a tiny URLconf for the CSP nonce test (used via settings.ROOT_URLCONF) --------------


def _nonce_view(request):
    html = Template("<script nonce='{{ csp_nonce }}'>1</script>").render(RequestContext(request))
    return HttpResponse(html)


urlpatterns = [
    path("nonce/", _nonce_view),
    path("", include("kmv.urls")),
]


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_server_errors(monkeypatch):
    """Every request made in these tests must answer below 500."""
    original = Client.request

    def checked(self, **request):
        response = original(self, **request)
        assert response.status_code < 500, (request.get("PATH_INFO"), response.status_code)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture
def require_2fa(settings):
    settings.KMV_REQUIRE_2FA = True
    return settings


def _password_login(client, username, password=PASSWORD):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _token_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{totp.token():0{device.digits}d}"


def _wrong_token(device):
    valid = {_token_for(device, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in valid)


def _run_settings(env_overrides: dict, expr: str) -> object:
    """Import kmv.settings in a fresh interpreter (pytest not loaded) and return `expr`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KMV_", "DJANGO_", "AXES_", "PYTEST"))
        and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "kmv.settings", **env_overrides})
    code = (
        "import json, sys\n"
        "from django.conf import settings as s\n"
        f"value = {expr}\n"
        "print(json.dumps({'value': value, 'pytest_loaded': 'pytest' in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["pytest_loaded"] is False
    return out["value"]


PRODUCTION_ENV = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "x", "KMV_TESTING": "0"}


# --- 1. two-factor login ---------------------------------------------------------------


def test_case_worker_without_device_is_sent_to_setup_then_gets_in(client, personas, require_2fa):
    alice = personas["nav_adviser"]
    assert _password_login(client, "alice").status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)

    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR_URL)

    response = client.get(LIST_URL, follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == SETUP_URL
    assert "registration/two_factor_setup.html" in [t.name for t in response.templates]
    assert "<svg" in response.content.decode()  # the QR code

    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed is False
    response = client.post(SETUP_URL, {"token": _token_for(device), "next": LIST_URL})
    assert response.status_code == 302
    assert response["Location"] == LIST_URL

    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(LIST_URL).status_code == 200


def test_wrong_setup_code_is_explained_and_grants_nothing(client, personas, require_2fa, settings):
    alice = personas["nav_adviser"]
    alice.language = "en"
    alice.save()
    _password_login(client, "alice")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=alice)

    response = client.post(SETUP_URL, {"token": _wrong_token(device), "next": LIST_URL})
    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert "The code is wrong or has expired" in response.content.decode()

    device.refresh_from_db()
    assert device.confirmed is False
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR_URL)


def test_user_with_confirmed_device_is_sent_to_verify_step(client, personas, require_2fa):
    alice = personas["nav_adviser"]
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    _password_login(client, "alice")

    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR_URL}?{urlencode({'next': LIST_URL})}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "registration/two_factor.html" in [t.name for t in page.templates]
    # the setup page does not hand out a second secret once a device is confirmed
    assert client.get(SETUP_URL)["Location"] == TWO_FACTOR_URL

    wrong = client.post(TWO_FACTOR_URL, {"token": _wrong_token(device), "next": LIST_URL})
    assert wrong.status_code == 200
    assert "token" in wrong.context["form"].errors
    assert client.get(LIST_URL).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # brute force is slowed down
    device.throttle_reset()

    ok = client.post(TWO_FACTOR_URL, {"token": _token_for(device), "next": LIST_URL})
    assert ok.status_code == 302
    assert ok["Location"] == LIST_URL
    assert client.get(LIST_URL).status_code == 200


def test_two_factor_next_does_not_redirect_off_site(client, personas, require_2fa):
    device = TOTPDevice.objects.create(user=personas["nav_adviser"], name="phone", confirmed=True)
    _password_login(client, "alice")
    response = client.post(
        TWO_FACTOR_URL, {"token": _token_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_system_admin_is_forced_to_two_factor_too(client, personas, require_2fa):
    # every role beyond its own profile (tests/access/test_second_factor.py has them all)
    assert _password_login(client, "root").status_code == 302
    for path_ in (LIST_URL, "/", "/admin/"):
        response = client.get(path_)
        assert response.status_code == 302
        assert response["Location"].startswith(TWO_FACTOR_URL)


def test_two_factor_off_lets_case_worker_in_directly(client, personas, settings):
    settings.KMV_REQUIRE_2FA = False
    _password_login(client, "alice")
    assert client.get(LIST_URL).status_code == 200


def test_api_session_unverified_is_refused_token_is_allowed(
    api_client, personas, participant, require_2fa
):
    alice = personas["nav_adviser"]
    session_client = Client()
    _password_login(session_client, "alice")
    response = session_client.get(API_LIST_URL)
    assert response.status_code == 403
    assert "Amina" not in response.content.decode()

    token = api_token_for(alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get(API_LIST_URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [participant.pk]


def test_api_session_becomes_usable_after_two_factor(client, personas, participant, require_2fa):
    device = TOTPDevice.objects.create(user=personas["nav_adviser"], name="phone", confirmed=True)
    _password_login(client, "alice")
    assert client.get(API_LIST_URL).status_code == 403
    client.post(TWO_FACTOR_URL, {"token": _token_for(device)})
    assert client.get(API_LIST_URL).status_code == 200


def test_settings_force_two_factor_when_debug_is_off():
    value = _run_settings({**PRODUCTION_ENV, "KMV_REQUIRE_2FA": "0"}, "s.KMV_REQUIRE_2FA")
    assert value is True
    # control: the local demo (DEBUG on) may relax it
    assert _run_settings({"DEBUG": "1", "KMV_REQUIRE_2FA": "0"}, "s.KMV_REQUIRE_2FA") is False


# --- 2. lockout ------------------------------------------------------------------------


@pytest.fixture
def clean_axes():
    AccessAttempt.objects.all().delete()
    yield
    AccessAttempt.objects.all().delete()


def test_five_failures_lock_the_account_even_for_the_right_password(
    client, personas, clean_axes, settings
):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = []
    for _ in range(5):
        statuses.append(_password_login(client, "alice", "wrong password 123").status_code)
        assert "_auth_user_id" not in client.session
    # the form answers the first four; axes answers the failure that reaches the limit
    assert statuses == [200, 200, 200, 200, 429], statuses

    masked = audit.masked_username("alice")  # failed logins keep no raw typed name
    assert AuditEvent.objects.filter(action="login_failed", actor_label=masked).count() == 5
    assert AuditEvent.objects.filter(action="locked_out", actor_label=masked).exists()

    response = _password_login(client, "alice", PASSWORD)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="login", actor_label="alice").exists()
    assert client.get(LIST_URL).status_code == 302  # still not logged in


def test_failed_logins_below_the_limit_do_not_lock(client, personas, clean_axes):
    for _ in range(4):
        assert _password_login(client, "alice", "wrong password 123").status_code == 200
    response = _password_login(client, "alice")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="locked_out").exists()


def test_lockout_is_per_username(client, personas, clean_axes, settings):
    for _ in range(6):
        _password_login(client, "alice", "wrong password 123")
    assert _password_login(client, "bob").status_code == 302


def test_successful_login_is_audited(client, personas, clean_axes):
    alice = personas["nav_adviser"]
    response = _password_login(client, "alice")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == alice
    assert event.agency_id == alice.agency_id
    assert event.channel == "auth"
    assert event.ip == "127.0.0.1"


def test_failed_login_event_holds_username_not_password(client, personas, clean_axes):
    _password_login(client, "alice", "s3cret-typo-password")
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.actor_label == audit.masked_username("alice")
    values = AuditEvent.objects.values().get(pk=event.pk)
    assert "s3cret-typo-password" not in json.dumps(values, default=str)


def test_a_national_id_or_password_typed_as_user_name_is_stored_nowhere(
    client, personas, clean_axes
):
    """The user name box may get a national id or a password: neither the audit log nor
    django-axes' tables hold it, only a keyed hash (the same for each attempt, so repeated
    attempts on one name still line up and lock out)."""
    from axes.models import AccessAttempt, AccessFailureLog

    typed = ["14039112345", "Hemmelig-passord-2026"]
    for value in typed:
        _password_login(client, value, "wrong password 123")
        _password_login(client, value, "wrong password 123")
    stored = json.dumps(
        [
            list(AuditEvent.objects.values()),
            list(AccessAttempt.objects.values()),
            list(AccessFailureLog.objects.values()),
        ],
        default=str,
    )
    for value in typed:
        assert value not in stored
        assert value.lower() not in stored
    for value in typed:
        masked = audit.masked_username(value)
        assert AuditEvent.objects.filter(action="login_failed", actor_label=masked).count() == 2
        assert AccessAttempt.objects.filter(username=masked).exists()


# --- 3. session lifetime ---------------------------------------------------------------


def _logged_in(client, user):
    client.force_login(user)
    assert client.get(LIST_URL).status_code == 200
    session = client.session
    assert "kmv_started" in session and "kmv_last" in session
    return session


def _set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_idle_session_is_logged_out_with_expired_flag(client, personas, settings):
    _logged_in(client, personas["nav_adviser"])
    _set_session(client, kmv_last=int(time.time()) - settings.KMV_SESSION_IDLE_SECONDS - 5)

    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "expired=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    # the next request is anonymous
    again = client.get(LIST_URL)
    assert again.status_code == 302
    assert "expired" not in again["Location"]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["expired"] is True


def test_recent_activity_keeps_session(client, personas, settings):
    _logged_in(client, personas["nav_adviser"])
    _set_session(client, kmv_last=int(time.time()) - settings.KMV_SESSION_IDLE_SECONDS + 60)
    assert client.get(LIST_URL).status_code == 200
    assert client.session["kmv_last"] >= int(time.time()) - 5


def test_absolute_lifetime_ends_an_active_session(client, personas, settings):
    _logged_in(client, personas["nav_adviser"])
    now = int(time.time())
    _set_session(client, kmv_started=now - settings.KMV_SESSION_ABSOLUTE_SECONDS - 5, kmv_last=now)

    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "expired=1" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_expired_session_on_api_is_refused_not_redirected(client, personas, participant):
    _logged_in(client, personas["nav_adviser"])
    _set_session(client, kmv_last=int(time.time()) - 24 * 3600)
    response = client.get(API_LIST_URL)
    assert response.status_code in (401, 403)
    assert "Amina" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_lifetimes_are_capped_even_if_env_asks_for_more():
    value = _run_settings(
        {
            **PRODUCTION_ENV,
            "KMV_SESSION_IDLE_SECONDS": "86400",
            "KMV_SESSION_ABSOLUTE_SECONDS": "999999",
        },
        "[s.KMV_SESSION_IDLE_SECONDS, s.KMV_SESSION_ABSOLUTE_SECONDS, s.SESSION_COOKIE_AGE]",
    )
    assert value == [30 * 60, 12 * 3600, 12 * 3600]
    # a shorter value asked for is honoured
    shorter = _run_settings({"KMV_SESSION_IDLE_SECONDS": "600"}, "s.KMV_SESSION_IDLE_SECONDS")
    assert shorter == 600


def test_current_settings_respect_the_caps():
    assert django_settings.KMV_SESSION_IDLE_SECONDS <= 30 * 60
    assert django_settings.KMV_SESSION_ABSOLUTE_SECONDS <= 12 * 3600
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


# --- 4. headers ------------------------------------------------------------------------


def _assert_no_store(response):
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control, cache_control
    assert "private" in cache_control, cache_control


def _assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_with_personal_data_are_never_cached(client, personas, participant):
    client.force_login(personas["nav_adviser"])
    for url in (
        LIST_URL,
        reverse("participants:detail", args=[participant.pk]),
        reverse("participants:edit", args=[participant.pk]),
        reverse("participants:access_log", args=[participant.pk]),
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_store(response)
        _assert_security_headers(response)


def test_api_answers_are_never_cached(api_client, personas, participant):
    api_client.force_authenticate(personas["nav_adviser"])
    for url in (API_LIST_URL, f"{API_LIST_URL}{participant.pk}/"):
        response = api_client.get(url)
        assert response.status_code == 200
        assert "Haile" in response.content.decode()
        _assert_no_store(response)
        assert response["X-Content-Type-Options"] == "nosniff"


def test_anonymous_login_page_carries_security_headers(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    _assert_security_headers(response)
    _assert_no_store(response)


def test_csp_script_nonce_is_issued_and_matches_the_page(client, settings):
    assert CSP.NONCE in settings.SECURE_CSP["script-src"]
    settings.ROOT_URLCONF = __name__
    response = client.get("/nonce/")
    assert response.status_code == 200
    nonce = re.search(r"nonce='([^']+)'", response.content.decode()).group(1)
    assert len(nonce) >= 16
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert f"'nonce-{nonce}'" in script_src
    # a fresh nonce per response
    second = client.get("/nonce/")
    assert f"'nonce-{nonce}'" not in second["Content-Security-Policy"]


# --- 5. password hashing ---------------------------------------------------------------


def test_production_hashes_passwords_with_argon2():
    hashers = _run_settings({**PRODUCTION_ENV, "KMV_TESTING": "0"}, "s.PASSWORD_HASHERS")
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in h for h in hashers)
    # control: the test switch puts the fast hasher first
    testing = _run_settings({"KMV_TESTING": "1"}, "s.PASSWORD_HASHERS[0]")
    assert testing == "django.contrib.auth.hashers.MD5PasswordHasher"


def test_argon2_hasher_is_usable():
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("correct horse battery", hasher="argon2")
    assert encoded.startswith("argon2$")
    assert check_password("correct horse battery", encoded)


# --- 6. password reset -----------------------------------------------------------------


NEW_PASSWORD = "Blå-fjell-Tog-2026!x"


def test_password_reset_by_email_sets_a_new_password(client, personas, clean_axes):
    alice = personas["nav_adviser"]
    response = client.post("/konto/glemt-passord/", {"email": alice.email})
    assert response.status_code == 302
    assert response["Location"] == "/konto/glemt-passord/sendt/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    link = re.search(r"https?://[^/\s]+(/konto/tilbakestill/[^/\s]+/[^/\s]+/)", message.body)
    assert link, message.body

    step = client.get(link.group(1))
    assert step.status_code == 302  # Django swaps the token for a session marker
    set_url = step["Location"]
    form = client.get(set_url)
    assert form.status_code == 200
    assert form.context["validlink"] is True

    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/konto/tilbakestill/ferdig/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password(PASSWORD)

    # the link works once
    reused = client.get(link.group(1), follow=True)
    assert reused.context["validlink"] is False
    # and the new password logs in
    fresh = Client()
    assert _password_login(fresh, "alice", NEW_PASSWORD).status_code == 302


def test_password_reset_rejects_weak_password(client, personas):
    alice = personas["nav_adviser"]
    client.post("/konto/glemt-passord/", {"email": alice.email})
    path_ = re.search(r"(/konto/tilbakestill/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    set_url = client.get(path_)["Location"]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_for_unknown_email_sends_nothing_and_looks_the_same(client, personas):
    known = client.post("/konto/glemt-passord/", {"email": personas["nav_adviser"].email})
    mail.outbox.clear()
    unknown = client.post("/konto/glemt-passord/", {"email": "nobody@example.org"})
    assert len(mail.outbox) == 0
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    done = client.get(unknown["Location"])
    assert done.status_code == 200


@pytest.mark.parametrize(
    "path", ["/konto/passord/", "/konto/innstillinger/", "/konto/revisjonslogg/", "/"]
)
def test_account_pages_beyond_the_login_steps_need_the_second_factor(
    client, personas, require_2fa, path
):
    _password_login(client, "alice")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/tofaktor/")
