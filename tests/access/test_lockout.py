"""Lockout an attacker cannot walk around: limits per account from one address, per account
from all addresses, and per address for all accounts, by the real client address behind
the trusted proxy (the audit log records the same address). Password reset is rate-limited
and answers the same for every address."""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from kmv.access import tasks
from kmv.access.client_ip import client_ip
from kmv.access.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
LOGIN_URL = "/konto/logg-inn/"
RESET_URL = "/konto/glemt-passord/"


@pytest.fixture(autouse=True)
def _clean_axes(settings):
    assert (settings.AXES_FAILURE_LIMIT, settings.KMV_LOCKOUT_ACCOUNT_LIMIT) == (5, 10)
    assert settings.KMV_LOCKOUT_IP_LIMIT == 30
    AccessAttempt.objects.all().delete()


def _login(username, password=PASSWORD, *, ip="127.0.0.1", **headers):
    client = Client(REMOTE_ADDR=ip, **headers)
    response = client.post(LOGIN_URL, {"username": username, "password": password})
    return response.status_code


def _fail(username, *, ip="127.0.0.1", **headers):
    return _login(username, "wrong password 123", ip=ip, **headers)


# --- per account, across addresses -----------------------------------------------------------


def test_guesses_spread_over_many_addresses_lock_the_account(personas):
    for i in range(10):
        _fail("alice", ip=f"198.51.100.{i + 1}")
    assert _login("alice", ip="203.0.113.99") == 429  # the right password, a new address
    assert AuditEvent.objects.filter(action="locked_out").exists()
    assert _login("bob", ip="203.0.113.99") == 302  # other accounts are untouched


def test_fewer_guesses_than_the_account_limit_do_not_lock_it(personas):
    for i in range(9):
        _fail("alice", ip=f"198.51.100.{i + 1}")
    assert _login("alice", ip="203.0.113.99") == 302


def test_one_address_locks_one_account_sooner(personas):
    for _ in range(5):
        _fail("alice", ip="198.51.100.7")
    assert _login("alice", ip="198.51.100.7") == 429
    # the same account from elsewhere is still below its own limit
    assert _login("alice", ip="203.0.113.99") == 302


# --- per address, across accounts (password spraying) ---------------------------------------


def test_spraying_one_password_over_many_accounts_locks_the_address(personas):
    for i in range(30):
        _login(f"user{i}", "Sommer2026!", ip="198.51.100.66")
    assert _login("bob", ip="198.51.100.66") == 429
    assert _login("bob", ip="203.0.113.99") == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_spray_count(personas):
    for i in range(29):
        _login(f"user{i}", "Sommer2026!", ip="198.51.100.66")
    assert _login("bob", ip="198.51.100.66") == 302  # the attacker's own account
    _login("user29", "Sommer2026!", ip="198.51.100.66")
    assert _login("charlie", ip="198.51.100.66") == 429


def test_a_success_clears_that_accounts_failures_from_that_address(personas):
    for _ in range(4):
        _fail("alice")
    assert _login("alice") == 302
    for _ in range(4):
        _fail("alice")
    assert _login("alice") == 302


# --- the real client address ------------------------------------------------------------------


@override_settings(KMV_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_client_address_is_used_by_lockout_and_audit(personas):
    behind = {"HTTP_X_FORWARDED_FOR": "10.6.6.6, 203.0.113.7"}  # first entry forged
    _fail("alice", ip="10.0.0.2", **behind)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    assert AuditEvent.objects.get(action="login_failed").ip == "203.0.113.7"

    # five clients behind the one proxy: each is its own address for the lockout
    for _ in range(4):
        _fail("alice", ip="10.0.0.2", **behind)
    assert _login("alice", ip="10.0.0.2", **behind) == 429
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert _login("alice", ip="10.0.0.2", **other) == 302
    assert AuditEvent.objects.get(action="login").ip == "198.51.100.8"


def test_without_a_trusted_proxy_the_header_is_ignored(personas, settings):
    settings.KMV_TRUSTED_PROXY_COUNT = 0
    _fail("alice", ip="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    assert AuditEvent.objects.get(action="login_failed").ip == "198.51.100.9"


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "forged, 203.0.113.7", "203.0.113.7"),
        (2, "forged, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the leftmost
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (0, "203.0.113.7", "10.0.0.2"),
    ],
)
def test_client_address_is_read_from_the_right_of_the_header(settings, count, header, expected):
    settings.KMV_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_axes_uses_the_same_client_address_function(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "kmv.access.client_ip.client_ip"


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_answers_the_same_and_does_the_same_work_for_any_address(
    personas, monkeypatch
):
    """The look-up and the mail happen in a task: the request is the same for an account's
    address and for any other, in answer and in database work (so in time too)."""
    queued = []
    monkeypatch.setattr(tasks.send_password_reset, "delay", lambda **kw: queued.append(kw))
    answers = []
    for email in (personas["nav_adviser"].email, "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = Client(REMOTE_ADDR="198.51.100.40").post(RESET_URL, {"email": email})
        answers.append((response.status_code, response["Location"], len(queries)))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, "/konto/glemt-passord/sendt/")
    assert [q["email"] for q in queued] == [personas["nav_adviser"].email, "nobody@example.org"]


def test_password_reset_is_limited_per_client_address(personas, settings):
    client = Client(REMOTE_ADDR="198.51.100.41")
    answers = [
        client.post(RESET_URL, {"email": f"person{i}@example.org"}).status_code
        for i in range(settings.KMV_PASSWORD_RESET_PER_IP + 1)
    ]
    assert answers == [302] * settings.KMV_PASSWORD_RESET_PER_IP + [429]
    assert (
        Client(REMOTE_ADDR="198.51.100.42").post(RESET_URL, {"email": "x@example.org"}).status_code
        == 302
    )


@pytest.mark.parametrize("whose", ["account", "nobody"])
def test_password_reset_is_limited_per_email_address_whether_or_not_it_is_an_account(
    personas, settings, whose
):
    email = personas["nav_adviser"].email if whose == "account" else "nobody@example.org"
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{50 + i}").post(RESET_URL, {"email": email}).status_code
        for i in range(settings.KMV_PASSWORD_RESET_PER_EMAIL + 1)
    ]
    assert answers == [302] * settings.KMV_PASSWORD_RESET_PER_EMAIL + [429]


def test_password_reset_mail_still_goes_when_the_broker_is_down(personas, monkeypatch, mailoutbox):
    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_password_reset, "delay", down)
    alice = personas["nav_adviser"]
    response = Client(REMOTE_ADDR="198.51.100.60").post(RESET_URL, {"email": alice.email})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[alice.email]]
