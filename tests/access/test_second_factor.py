"""The second factor for every account that reaches beyond its own profile, the admin site
behind the same verified session, and TOTP enrolment whose secret belongs to one attempt.

Every test drives the real login, middleware and views through the test client.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kmv.access import second_factor
from kmv.access.admin_site import KMVAdminSite
from kmv.access.tasks import prune_credentials
from tests.factories import PERSONAS as EVERY_ROLE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
LOGIN_URL = "/konto/logg-inn/"
TWO_FACTOR_URL = "/konto/tofaktor/"
SETUP_URL = "/konto/tofaktor/oppsett/"


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.KMV_REQUIRE_2FA = True
    AccessAttempt.objects.all().delete()


def _login(client, username):
    response = client.post(LOGIN_URL, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return response


def _code(key: bytes, offset: int = 0) -> str:
    """What an authenticator app shows for `key` (now, or `offset` steps away)."""
    totp = TOTP(key, 30, 0, 6, offset)
    return f"{totp.token():06d}"


def _secret_shown(client) -> bytes:
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    return bytes.fromhex(page.context["secret"])


# --- who needs it -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERY_ROLE)
def test_every_role_must_pass_the_second_factor_before_any_page_or_api(client, personas, persona):
    _login(client, personas[persona].username)
    for path in ("/", "/deltakere/", "/konto/innstillinger/", "/rapporter/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(TWO_FACTOR_URL), path
    api = client.get("/api/agencies/")
    assert api.status_code == 403


@pytest.mark.parametrize("persona", EVERY_ROLE)
def test_after_the_second_factor_the_pages_open(client, personas, persona):
    user = personas[persona]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _login(client, user.username)
    ok = client.post(TWO_FACTOR_URL, {"token": _code(device.bin_key), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/konto/innstillinger/").status_code == 200
    assert client.get("/api/agencies/").status_code == 200


def test_an_account_with_nothing_beyond_its_profile_needs_no_second_factor(client, db):
    loner = UserFactory(username="nobody", agency=None, role="")
    assert second_factor.required_for(loner) is False
    _login(client, "nobody")
    assert client.get("/konto/innstillinger/").status_code == 200


def test_the_demo_switch_still_lets_everyone_in_with_a_password(client, personas, settings):
    settings.KMV_REQUIRE_2FA = False  # `make run`
    _login(client, "root")
    assert client.get("/admin/").status_code == 200
    assert client.get("/").status_code == 200


# --- the admin site ---------------------------------------------------------------------


def test_admin_site_waits_for_the_second_factor(client, personas):
    root = personas["sysadmin"]
    device = TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    _login(client, "root")
    for path in ("/admin/", "/admin/access/user/", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(TWO_FACTOR_URL), path
    client.post(TWO_FACTOR_URL, {"token": _code(device.bin_key)})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/access/user/").status_code == 200


def test_admin_login_is_the_apps_login(client, personas):
    response = Client().get("/admin/login/?next=/admin/access/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "next=%2Fadmin%2Faccess%2Fuser%2F" in response["Location"]
    # the admin's own password form is never offered
    assert Client().get("/admin/", follow=True).request["PATH_INFO"] == LOGIN_URL


def test_admin_site_refuses_an_unverified_session_even_around_the_middleware(personas):
    request = RequestFactory().get("/admin/")
    request.user = personas["sysadmin"]
    request.user.is_verified = lambda: False
    assert KMVAdminSite().has_permission(request) is False
    request.user.is_verified = lambda: True
    assert KMVAdminSite().has_permission(request) is True


# --- enrolment: one secret per attempt ------------------------------------------------------


def test_reloading_the_setup_page_in_one_session_keeps_its_secret(client, personas):
    _login(client, "alice")
    assert _secret_shown(client) == _secret_shown(client)
    assert TOTPDevice.objects.filter(user=personas["nav_adviser"]).count() == 1


def test_a_setup_seen_in_another_session_is_not_a_factor(personas):
    """Someone who saw the set-up page once (a shoulder, a screenshot, a shared PC) holds
    nothing once the user enrols: a new session gets a new secret, the old one is gone."""
    alice = personas["nav_adviser"]
    onlooker, own = Client(), Client()
    _login(onlooker, "alice")
    seen = _secret_shown(onlooker)

    _login(own, "alice")
    fresh = _secret_shown(own)
    assert fresh != seen
    assert not TOTPDevice.objects.filter(user=alice, key=seen.hex()).exists()

    # the onlooker's session cannot confirm the secret it saw
    late = onlooker.post(SETUP_URL, {"token": _code(seen), "next": "/"})
    assert late.status_code == 200
    assert "_otp_device_id" not in onlooker.session
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert onlooker.get("/").status_code == 302

    # the user confirms theirs (the onlooker's visit just now made yet another secret:
    # the user's page says the set-up was started elsewhere, and shows a new code)
    fresh = _secret_shown(own)
    done = own.post(SETUP_URL, {"token": _code(fresh), "next": "/"})
    assert done.status_code == 302
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed and device.bin_key == fresh

    # and later, codes from the secret once seen do not pass the second step
    thief = Client()
    _login(thief, "alice")
    refused = thief.post(TWO_FACTOR_URL, {"token": _code(seen)})
    assert refused.status_code == 200
    assert thief.get("/").status_code == 302


def test_a_setup_attempt_expires(client, personas, settings):
    alice = personas["nav_adviser"]
    _login(client, "alice")
    old = _secret_shown(client)
    TOTPDevice.objects.filter(user=alice).update(
        created_at=timezone.now() - timedelta(seconds=settings.KMV_TOTP_SETUP_SECONDS + 1)
    )
    late = client.post(SETUP_URL, {"token": _code(old), "next": "/"})
    assert late.status_code == 200
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    new = late.context["secret"]
    assert bytes.fromhex(new) != old
    assert list(TOTPDevice.objects.filter(user=alice).values_list("key", flat=True)) == [new]


def test_unconfirmed_setups_are_swept_after_the_timeout(personas, settings):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    stale = TOTPDevice.objects.create(user=alice, name="default", confirmed=False)
    TOTPDevice.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.KMV_TOTP_SETUP_SECONDS + 1)
    )
    recent = TOTPDevice.objects.create(user=bob, name="default", confirmed=False)
    confirmed = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    TOTPDevice.objects.filter(pk=confirmed.pk).update(created_at=timezone.now() - timedelta(days=9))

    assert prune_credentials.delay().get()["totp_setups"] == 1
    assert set(TOTPDevice.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}


def test_admin_can_remove_a_lost_authenticator_but_never_make_or_read_one(personas, settings):
    settings.KMV_REQUIRE_2FA = False  # the admin's own factor is tested above
    alice_phone = TOTPDevice.objects.create(
        user=personas["nav_adviser"], name="phone", confirmed=True
    )
    root = Client()
    root.force_login(personas["sysadmin"])
    base = "/admin/otp_totp/totpdevice/"
    assert root.get(base).status_code == 200
    assert root.get(f"{base}add/").status_code == 403
    for view in ("config", "qrcode"):
        assert root.get(f"{base}{alice_phone.pk}/{view}/").status_code == 403
    page = root.get(f"{base}{alice_phone.pk}/change/")
    assert alice_phone.key not in page.content.decode()
    assert root.post(f"{base}{alice_phone.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=alice_phone.pk).exists()
