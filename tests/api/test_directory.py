"""Agencies and staff: directory data only, never participant data."""

from kmv.access.models import User


def test_agencies_are_readable_by_all_staff(agencies, personas, municipality, client_for):
    response = client_for(personas["interpreter"]).get("/api/agencies/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {a.name for a in agencies.values()}
    nav = rows["NAV Kristiansand"]
    assert nav["kind"] == "nav_integration"
    assert nav["kind_display"]
    assert nav["municipalities"] == [
        {"id": municipality.pk, "number": "4204", "name": "Kristiansand", "region": "Agder"}
    ]


def test_agency_list_query_budget(agencies, personas, client_for, django_assert_max_num_queries):
    # COUNT, the page, the municipalities of the page (one prefetch).
    with django_assert_max_num_queries(3):
        client_for(personas["teacher"]).get("/api/agencies/")


def test_staff_only_of_own_agency(personas, client_for):
    def usernames(name):
        response = client_for(personas[name]).get("/api/staff/")
        assert response.status_code == 200
        return {row["username"] for row in response.json()["results"]}

    assert usernames("nav_adviser") == {"alice", "leo"}
    assert usernames("leader") == {"alice", "leo"}
    assert usernames("counsellor") == {"charlie", "cora"}
    assert usernames("interpreter") == {"ina"}
    assert usernames("sysadmin") == set(User.objects.values_list("username", flat=True))


def test_staff_fields(personas, client_for):
    alice = personas["nav_adviser"]
    row = client_for(alice).get(f"/api/staff/{alice.pk}/").json()
    assert row == {
        "id": alice.pk,
        "username": "alice",
        "name": alice.get_full_name(),
        "email": "alice@example.org",
        "role": "programme_adviser",
        "agency": alice.agency_id,
    }


def test_inactive_colleagues_are_not_listed(personas, client_for):
    leo = personas["leader"]
    leo.is_active = False
    leo.save(update_fields=["is_active"])
    rows = client_for(personas["nav_adviser"]).get("/api/staff/").json()["results"]
    assert {row["username"] for row in rows} == {"alice"}


def test_sysadmin_sees_no_participant_data(participant, personas, client_for):
    client = client_for(personas["sysadmin"])
    assert client.get("/api/participants/").json()["results"] == []
    assert client.get("/api/consents/").json()["results"] == []
    assert client.get(f"/api/participants/{participant.pk}/").status_code == 404


def test_schema_and_docs_are_served(personas, client_for):
    client = client_for(personas["teacher"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/consents/{id}/withdraw/" in paths
    assert "delete" not in paths["/api/participants/{id}/"]
    assert set(paths["/api/participants/{id}/"]["patch"]["responses"]) >= {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
    }
    assert client.get("/api/docs/").status_code == 200
