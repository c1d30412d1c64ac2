"""API tokens: made only by their user after a fresh code (or by an audited command), stored
as a hash, expiring, shown once, listed and revocable by the user and by administrators.
Creation, use from a new address and revocation are audit events."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from kmv.access.models import ApiToken, AuditEvent
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

PAGE = "/konto/api-nokler/"
API = "/api/tokens/"
Action = AuditEvent.Action


def _code(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
    return f"{totp.token():06d}"


@pytest.fixture
def alice(personas):
    return personas["nav_adviser"]


@pytest.fixture
def phone(alice):
    return TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


def _bearer(key, ip="127.0.0.1"):
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _make_on_page(client, device, name="Excel-rapport", offset=0):
    response = client.post(PAGE, {"name": name, "token": _code(device, offset)})
    assert response.status_code == 200
    return response


# --- the lifecycle --------------------------------------------------------------------------


def test_token_lifecycle_on_the_page(alice, phone, alice_client, participant):
    made = _make_on_page(alice_client, phone)
    key = made.context["new_key"]
    assert key and key.startswith("kmv_")
    assert key in made.content.decode()

    row = ApiToken.objects.get(user=alice)
    assert row.name == "Excel-rapport"
    assert row.created_by == alice
    # only a hash is stored, and it expires
    stored = " ".join(str(v) for v in ApiToken.objects.values().get().values())
    assert key not in stored
    assert row.digest != key
    assert abs(row.expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    created = AuditEvent.objects.get(action=Action.TOKEN_CREATED)
    assert created.actor == alice
    assert created.object_id == f"{alice.pk}:{row.token_key}"

    # never shown again: the list names it by its start only
    listed = alice_client.get(PAGE).content.decode()
    assert key not in listed
    assert row.token_key in listed

    # it works, and its first use (a new address) is audited and stamped
    response = _bearer(key).get("/api/participants/")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [participant.pk]
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert row.last_used_ip == "127.0.0.1"
    assert AuditEvent.objects.filter(action=Action.TOKEN_NEW_IP).count() == 1
    _bearer(key).get("/api/agencies/")
    assert AuditEvent.objects.filter(action=Action.TOKEN_NEW_IP).count() == 1
    _bearer(key, ip="198.51.100.23").get("/api/agencies/")
    moved = AuditEvent.objects.filter(action=Action.TOKEN_NEW_IP).order_by("id").last()
    assert moved.ip == "198.51.100.23" and moved.actor == alice
    row.refresh_from_db()
    assert row.last_used_ip == "198.51.100.23"

    # revoked by its user: it stops working at once
    revoked = alice_client.post(f"{PAGE}{row.token_key}/slett/")
    assert revoked.status_code == 302
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.get(action=Action.TOKEN_REVOKED).actor == alice
    refused = _bearer(key).get("/api/agencies/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"


def test_a_token_needs_a_code_typed_just_now(alice, phone, alice_client):
    wrong = next(c for c in ("123456", "654321", "111111") if c != _code(phone))
    response = alice_client.post(PAGE, {"name": "x", "token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert response.context["new_key"] is None
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.TOKEN_CREATED).exists()


def test_the_code_that_opened_the_session_does_not_make_a_token(alice, phone, settings):
    """A fresh check: the login's code cannot be replayed by whoever holds the session."""
    settings.KMV_REQUIRE_2FA = True
    client = Client()
    client.post("/konto/logg-inn/", {"username": "alice", "password": "correct horse battery"})
    code = _code(phone)
    assert client.post("/konto/tofaktor/", {"token": code}).status_code == 302
    replay = client.post(PAGE, {"name": "x", "token": code})
    assert replay.context["form"].errors["token"]
    assert not ApiToken.objects.exists()
    phone.refresh_from_db()
    phone.throttle_reset()  # a wrong code slows the next try down (django-otp)
    newer = TOTP(phone.bin_key, phone.step, phone.t0, phone.digits)
    newer.time = phone.t0 + (phone.last_t + 1) * phone.step  # the step after the login's
    made = client.post(PAGE, {"name": "x", "token": f"{newer.token():06d}"})
    assert made.context["new_key"]
    assert ApiToken.objects.count() == 1


def test_without_an_authenticator_no_token_is_made(alice, alice_client):
    page = alice_client.get(PAGE)
    assert page.context["has_device"] is False
    assert "/konto/tofaktor/oppsett/" in page.content.decode()
    response = alice_client.post(PAGE, {"name": "x", "token": "123456"})
    assert response.context["form"].errors["token"]
    assert not ApiToken.objects.exists()


def test_one_cannot_revoke_another_users_token(alice, personas):
    key = api_token_for(personas["teacher"])
    row = ApiToken.objects.get()
    client = Client()
    client.force_login(alice)
    assert client.post(f"{PAGE}{row.token_key}/slett/").status_code == 404
    assert _bearer(key).get("/api/agencies/").status_code == 200


def test_an_expired_token_is_refused(alice):
    key = api_token_for(alice)
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    response = _bearer(key).get("/api/agencies/")
    assert response.status_code == 401
    assert not ApiToken.objects.exists()  # knox drops it when it is tried


def test_unauthenticated_api_calls_get_401_with_the_scheme(db):
    response = APIClient().get("/api/participants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _bearer("kmv_" + "0" * 64).get("/api/participants/").status_code == 401


# --- the API endpoint ---------------------------------------------------------------------


def test_api_makes_lists_and_revokes_own_tokens(alice, phone):
    session = APIClient()
    session.force_login(alice)
    made = session.post(API, {"name": "script", "code": _code(phone)}, format="json")
    assert made.status_code == 201, made.content
    key = made.json()["token"]
    token_key = made.json()["token_key"]
    assert key.startswith(token_key)

    listed = _bearer(key).get(API)
    assert listed.status_code == 200
    assert [t["token_key"] for t in listed.json()] == [token_key]
    assert "token" not in listed.json()[0]
    assert key not in listed.content.decode()

    assert _bearer(key).delete(f"{API}{token_key}/").status_code == 204
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED, actor=alice).count() == 1
    assert _bearer(key).get(API).status_code == 401


def test_a_token_alone_cannot_make_more_tokens(alice, phone):
    key = api_token_for(alice)
    caller = _bearer(key)
    assert caller.post(API, {"name": "more"}, format="json").status_code == 400
    wrong = next(c for c in ("123456", "654321", "111111") if c != _code(phone))
    refused = caller.post(API, {"name": "more", "code": wrong}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"]
    assert ApiToken.objects.count() == 1


def test_api_cannot_touch_another_users_token(alice, personas):
    api_token_for(personas["teacher"])
    other = ApiToken.objects.get()
    mine = _bearer(api_token_for(alice))
    assert mine.get(API).json() == [mine.get(API).json()[0]]
    assert mine.delete(f"{API}{other.token_key}/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


# --- administrators list and revoke, never make ---------------------------------------------


def test_admin_lists_and_revokes_but_cannot_make_tokens(alice, personas):
    api_token_for(alice, name="Power BI")
    row = ApiToken.objects.get()
    root = Client()
    root.force_login(personas["sysadmin"])

    assert root.get("/admin/access/apitoken/add/").status_code == 403
    changelist = root.get("/admin/access/apitoken/")
    assert changelist.status_code == 200
    assert row.token_key in changelist.content.decode()
    # neither knox's nor DRF's token admin (which could make one for anyone) is there
    assert root.get("/admin/knox/authtoken/add/").status_code == 404
    assert root.get("/admin/authtoken/tokenproxy/add/").status_code == 404

    deleted = root.post(f"/admin/access/apitoken/{row.pk}/delete/", {"post": "yes"}, follow=False)
    assert deleted.status_code == 302
    assert not ApiToken.objects.exists()
    event = AuditEvent.objects.get(action=Action.TOKEN_REVOKED)
    assert event.actor == personas["sysadmin"]
    assert event.object_id == f"{alice.pk}:{row.token_key}"


def test_the_operator_command_makes_a_token_and_records_who_for_whom(alice, personas):
    out = StringIO()
    call_command("create_api_token", "alice", "--by", "root", "--name", "import", stdout=out)
    key = out.getvalue().strip()
    assert _bearer(key).get("/api/agencies/").status_code == 200
    row = ApiToken.objects.get()
    assert row.user == alice and row.created_by == personas["sysadmin"]
    event = AuditEvent.objects.get(action=Action.TOKEN_CREATED)
    assert event.actor == personas["sysadmin"]
    assert event.object_id.startswith(f"{alice.pk}:")
    with pytest.raises(CommandError):
        call_command("create_api_token", "alice", "--by", "nobody", stdout=StringIO())


def test_a_service_made_token_is_audited_as_the_system(alice):
    api_token_for(alice)
    event = AuditEvent.objects.get(action=Action.TOKEN_CREATED)
    assert event.actor is None and event.actor_label == "system"
    assert event.channel == "system"
    assert event.object_id.startswith(f"{alice.pk}:")
