"""A database outage (restart, failover) answers 503 "try again" with Retry-After — a
translated page for people, JSON for the API — never a bare 500. Other errors stay 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_list(monkeypatch):
    def install(exc):
        def fail(*args, **kwargs):
            raise exc

        monkeypatch.setattr("participants.selectors.participant_list", fail)
        monkeypatch.setattr("kmv.access.policy.participants_for", fail)

    return install


@pytest.mark.parametrize("exc", [OperationalError("server closed"), InterfaceError("closed")])
def test_page_answers_503_with_retry_after(client, personas, broken_list, exc):
    broken_list(exc)
    client.raise_request_exception = False
    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("participants:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    with translation.override("nb"):
        expected = translation.gettext("Temporarily unavailable")
    assert expected != "Temporarily unavailable"  # the page is in bokmål
    assert expected in response.content.decode()


def test_api_answers_503_json(client, personas, broken_list):
    broken_list(OperationalError("server closed"))
    client.raise_request_exception = False
    client.force_login(personas["nav_adviser"])
    response = client.get("/api/participants/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database" in response.json()["detail"] or "databasen" in response.json()["detail"]


def test_other_errors_stay_500(client, personas, broken_list):
    broken_list(RuntimeError("a bug"))
    client.raise_request_exception = False
    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("participants:list"))
    assert response.status_code == 500
    assert "Retry-After" not in response
