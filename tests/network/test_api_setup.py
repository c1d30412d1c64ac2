"""API for the network's set-up and registrations: networks, terms, agreements with PDF and
signatories and their history, closing solution groups, professional-day registrations."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kmv.access.models import Agency, Role
from network import services
from network.models import Body, Registration
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(network, personas, outbox):
    from rest_framework.test import APIClient

    def client(user):
        c = APIClient()
        c.force_authenticate(user=user)
        return c

    return client


@pytest.fixture
def routine():
    from resourcegroups.models import Routine

    return Routine.objects.get(status=Routine.Status.ACTIVE)


@pytest.fixture
def day(network, personas):
    return services.day_create(
        user=personas["coordinator"],
        network=network,
        kind="open",
        theme="Fagdag høst",
        date=date(2026, 10, 1),
        place="Kristiansand",
    )


def test_register_unregister_and_attendance(api, day, personas):
    alice, bob, cora = personas["nav_adviser"], personas["teacher"], personas["coordinator"]
    base = f"/api/network/days/{day.pk}/"
    response = api(alice).post(base + "register/")
    assert response.status_code == 200 and response.json()["status"] == "registered"
    api(alice).post(base + "register/")  # again: still one registration
    assert day.registrations.filter(user=alice).count() == 1
    api(bob).post(base + "register/")
    response = api(bob).post(base + "unregister/")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert api(personas["counsellor"]).post(base + "unregister/").status_code == 400
    # only the organisers see who registered
    assert api(alice).get(base + "registrations/").status_code == 403
    rows = api(cora).get(base + "registrations/").json()
    assert {(r["name"], r["status"]) for r in rows} == {
        (str(alice), "registered"),
        (str(bob), "declined"),
    }
    mine = day.registrations.get(user=alice)
    response = api(cora).post(base + "attendance/", {"present": [mine.pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"attended": 1}
    assert api(alice).post(base + "attendance/", {"present": []}, format="json").status_code == 403
    assert api(cora).post(base + "attendance/", {"present": "x"}, format="json").status_code == 400
    mine.refresh_from_db()
    assert mine.attended is True
    # once held, registration is closed
    services.day_mark_held(user=cora, day=day)
    assert api(personas["counsellor"]).post(base + "register/").status_code == 400
    assert api(alice).post(base + "unregister/").status_code == 400


def test_closed_day_registration_is_by_invitation(api, network, personas):
    closed = services.day_create(
        user=personas["coordinator"],
        network=network,
        kind="collaboration",
        theme="Skolestart",
        date=date(2026, 8, 1),
        place="Tangen",
    )
    url = f"/api/network/days/{closed.pk}/register/"
    assert api(personas["nav_adviser"]).post(url).status_code == 403
    assert not Registration.objects.exists()


def test_registrations_query_budget(api, day, personas, django_assert_max_num_queries):
    for n in range(6):
        user = UserFactory(username=f"staff{n}", agency=personas["teacher"].agency)
        services.registration_self(user=user, day=day)
    with django_assert_max_num_queries(8):
        response = api(personas["coordinator"]).get(f"/api/network/days/{day.pk}/registrations/")
    assert len(response.json()) == 6


def test_network_create_and_term_end(api, personas, agencies, network):
    cora, bob = personas["coordinator"], personas["teacher"]
    response = api(cora).post(
        "/api/network/networks/",
        {
            "name": "Nettverk Vest",
            "region": "Vest",
            "agencies": [agencies["career"].pk, agencies["school"].pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    again = api(cora).post(
        "/api/network/networks/",
        {
            "name": "Annet",
            "region": "Vest",
            "agencies": [agencies["career"].pk, agencies["school"].pk],
        },
        format="json",
    )
    assert again.status_code == 400 and "region" in again.json()
    body = network.bodies.get(kind=Body.Kind.WORKING)
    term = services.member_add(
        user=cora, body=body, person=bob, role="member", starts_on=date(2025, 1, 1)
    )
    url = f"/api/network/memberships/{term.pk}/end/"
    assert api(bob).post(url, {"ends_on": "2026-06-30"}, format="json").status_code == 403
    response = api(cora).post(url, {"ends_on": "2026-06-30"}, format="json")
    assert response.status_code == 200 and response.json()["ends_on"] == "2026-06-30"
    assert api(cora).post(url, {"ends_on": "2026-07-30"}, format="json").status_code == 400
    outsider = UserFactory(
        username="olga",
        agency=AgencyFactory(name="NAV Nord", kind=Agency.Kind.NAV_INTEGRATION),
        role=Role.NETWORK_COORDINATOR,
    )
    assert api(outsider).post(url, {"ends_on": "2026-06-30"}, format="json").status_code == 404


def test_agreement_create_multipart_signatory_and_history(
    api, network, personas, leaders, routine, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    cora = personas["coordinator"]
    parties = [a.pk for a in network.agencies.all()]
    body = {
        "network": network.pk,
        "title": "Avtale 2026",
        "effective_from": "2026-01-01",
        "parties": parties,
        "routine_id": routine.pk,
    }
    bad = SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf")
    response = api(cora).post(
        "/api/network/agreements/", {**body, "document": bad}, format="multipart"
    )
    assert response.status_code == 400 and "document" in response.json()
    pdf = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = api(cora).post(
        "/api/network/agreements/", {**body, "document": pdf}, format="multipart"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["routine_label"] == str(routine) and data["document"]
    assert data["history"][0]["applied_from"] == "2026-01-01"
    pk = data["id"]
    assert (
        api(leaders["nav"]).post("/api/network/agreements/", body, format="json").status_code == 403
    )
    url = f"/api/network/agreements/{pk}/signatories/"
    response = api(cora).post(
        url, {"leader": leaders["nav"].pk, "signed_on": "2026-01-02"}, format="json"
    )
    assert response.status_code == 201 and response.json()["agency"] == leaders["nav"].agency_id
    assert api(cora).post(url, {"leader": personas["teacher"].pk}, format="json").status_code == 400
    assert api(cora).post(url, {"leader": 2**40}, format="json").status_code == 404
    detail = api(personas["teacher"]).get(f"/api/network/agreements/{pk}/").json()
    assert detail["document"].endswith(f"/api/network/agreements/{pk}/document/")
    download = api(personas["teacher"]).get(detail["document"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert [s["user"] for s in detail["signatories"]] == [leaders["nav"].pk]
    assert [r["routine_label"] for r in detail["history"]] == [str(routine)]


def test_agreement_list_query_budget(
    api, network, personas, routine, django_assert_max_num_queries
):
    cora = personas["coordinator"]
    for year in range(2020, 2026):
        services.agreement_create(
            user=cora,
            network=network,
            title=f"Avtale {year}",
            effective_from=date(year, 1, 1),
            parties=list(network.agencies.all()),
            routine_id=routine.pk,
            routine_label=str(routine),
        )
    with django_assert_max_num_queries(10):
        response = api(cora).get("/api/network/agreements/")
    assert response.json()["count"] == 6


def test_solution_group_close_api(api, network, personas):
    cora = personas["coordinator"]
    challenge = services.challenge_raise(user=cora, network=network, title="Lister", source="other")
    services.challenge_triage(user=cora, challenge=challenge, outcome="solution_group")
    url = f"/api/network/solution-groups/{challenge.solution_group.pk}/close/"
    assert api(cora).post(url, {"solved": True, "outcome": ""}, format="json").status_code == 400
    response = api(cora).post(url, {"solved": False, "outcome": "Utenfor mandat"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    challenge.refresh_from_db()
    assert challenge.status == "closed" and challenge.closed_reason == "Utenfor mandat"
