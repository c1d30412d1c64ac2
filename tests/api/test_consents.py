from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kmv.access.models import AuditEvent
from participants import services
from participants.models import Consent
from tests.factories import ParticipantFactory


def test_withdrawal_revokes_access_at_once(participant, personas, agencies, client_for):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    consent = participant.consents.get(agency=agencies["adult_ed"])
    bob_client = client_for(bob)
    assert bob_client.get(f"/api/participants/{participant.pk}/").status_code == 200

    response = client_for(alice).post(f"/api/consents/{consent.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["withdrawn_on"] == timezone.localdate().isoformat()
    assert response.json()["is_active"] is False

    assert bob_client.get(f"/api/participants/{participant.pk}/").status_code == 404
    assert bob_client.get("/api/participants/").json()["results"] == []
    assert bob_client.get(f"/api/consents/{consent.pk}/").status_code == 404
    assert bob_client.get("/api/consents/").json()["results"] == []
    event = AuditEvent.objects.get(
        actor=alice, action=AuditEvent.Action.UPDATE, object_type="consent"
    )
    assert event.fields == ["withdrawn_on"]
    assert event.channel == "api"


def test_withdrawing_twice_is_a_structured_400(participant, personas, agencies, client_for):
    consent = participant.consents.get(agency=agencies["adult_ed"])
    client = client_for(personas["nav_adviser"])
    assert (
        client.post(f"/api/consents/{consent.pk}/withdraw/", {}, format="json").status_code == 200
    )
    again = client.post(f"/api/consents/{consent.pk}/withdraw/", {}, format="json")
    assert again.status_code == 400
    assert list(again.json()) == ["non_field_errors"]


def test_consent_list_scope(participant, personas, agencies, client_for):
    alice = personas["nav_adviser"]
    to_school = services.consent_record(
        user=alice,
        participant=participant,
        agency=agencies["school"],
        category="plan_meetings",
        purpose="Resource group",
    )
    to_adult_ed = participant.consents.get(agency=agencies["adult_ed"])
    # A consent of a participant nobody here may see.
    unrelated = services.consent_record(
        user=personas["counsellor"],
        participant=services.participant_create(
            user=personas["counsellor"],
            first_name="Omar",
            last_name="Ali",
            date_of_birth=participant.date_of_birth,
            municipality=participant.municipality,
        ),
        agency=agencies["adult_ed"],
        category="plan_meetings",
        purpose="Resource group",
    )

    def ids(user):
        return {row["id"] for row in client_for(user).get("/api/consents/").json()["results"]}

    assert ids(alice) == {to_school.pk, to_adult_ed.pk}  # the owner sees all consents
    assert ids(personas["teacher"]) == {to_adult_ed.pk}  # only those given to bob's agency
    assert ids(personas["school_adviser"]) == set()  # consent, but not in the group
    assert ids(personas["counsellor"]) == {unrelated.pk}
    for name in ("coordinator", "leader", "sysadmin", "interpreter"):
        assert ids(personas[name]) == set(), name


def test_consent_list_filters_and_audit(participant, personas, agencies, client_for):
    alice = personas["nav_adviser"]
    client = client_for(alice)
    consent = participant.consents.get()
    rows = client.get("/api/consents/", {"participant": participant.pk, "active": "true"})
    assert [row["id"] for row in rows.json()["results"]] == [consent.pk]
    assert client.get("/api/consents/", {"active": "false"}).json()["results"] == []
    assert client.get("/api/consents/", {"category": "nav_benefits"}).json()["results"] == []
    event = AuditEvent.objects.filter(actor=alice, action=AuditEvent.Action.LIST).first()
    assert event.object_type == "consent"
    client.get(f"/api/consents/{consent.pk}/")
    viewed = AuditEvent.objects.get(actor=alice, action=AuditEvent.Action.VIEW)
    assert (viewed.object_type, viewed.participant_id) == ("consent", participant.pk)


def test_create_consent_grants_access(participant, personas, agencies, client_for):
    alice, sara = personas["nav_adviser"], personas["school_adviser"]
    response = client_for(alice).post(
        "/api/consents/",
        {
            "participant": participant.pk,
            "agency": agencies["school"].pk,
            "category": "education_mapping",
            "purpose": "Transition to upper-secondary",
            "basis": "legal",
            "legal_basis": "Opplæringslova § 1-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agency_name"] == agencies["school"].name
    assert body["is_active"] is True
    assert body["has_document"] is False
    assert AuditEvent.objects.filter(
        actor=alice, action=AuditEvent.Action.CREATE, object_type="consent", channel="api"
    ).exists()
    # Consent alone gives no access: sara must also join the group.
    from resourcegroups import services as group_services

    assert client_for(sara).get(f"/api/participants/{participant.pk}/").status_code == 404
    group_services.membership_add(user=alice, participant=participant, staff=sara)
    assert client_for(sara).get(f"/api/participants/{participant.pk}/").status_code == 200


def test_consent_validation_errors(participant, personas, agencies, client_for):
    client = client_for(personas["nav_adviser"])
    base = {
        "participant": participant.pk,
        "agency": agencies["school"].pk,
        "category": "plan_meetings",
        "purpose": "Resource group",
    }
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    cases = [
        ({"basis": "legal"}, "legal_basis"),
        ({"given_on": tomorrow}, "given_on"),
        ({"expires_on": timezone.localdate().isoformat()}, "expires_on"),
        ({"category": "gossip"}, "category"),
        ({"agency": 999999}, "agency"),
    ]
    for change, field in cases:
        response = client.post("/api/consents/", {**base, **change}, format="json")
        assert response.status_code == 400, change
        assert field in response.json(), (change, response.json())
    assert not Consent.objects.filter(agency=agencies["school"]).exists()


def test_consent_for_invisible_participant_is_404_before_validation(personas, client_for):
    hidden = ParticipantFactory()
    response = client_for(personas["nav_adviser"]).post(
        "/api/consents/", {"participant": hidden.pk}, format="json"
    )
    assert response.status_code == 404


def test_consent_document_upload(participant, personas, agencies, client_for):
    client = client_for(personas["nav_adviser"])
    base = {
        "participant": participant.pk,
        "agency": agencies["school"].pk,
        "category": "plan_meetings",
        "purpose": "Resource group",
        "document_language": "ti",
    }
    pdf = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post("/api/consents/", {**base, "document": pdf}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["has_document"] is True
    stored = Consent.objects.get(pk=response.json()["id"])
    assert stored.document.name.startswith(f"consents/{participant.pk}/")
    assert "document" not in response.json()  # files are never linked from the API

    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post("/api/consents/", {**base, "document": exe}, format="multipart")
    assert response.status_code == 400
    assert "document" in response.json()


def test_consent_list_query_budget(
    participant, personas, agencies, client_for, django_assert_max_num_queries
):
    alice = personas["nav_adviser"]
    for agency in (agencies["career"], agencies["school"], agencies["nav_follow_up"]):
        for category in ("plan_meetings", "nav_benefits"):
            services.consent_record(
                user=alice,
                participant=participant,
                agency=agency,
                category=category,
                purpose="Resource group",
            )
    # COUNT, the page (receiving agency joined), the audit insert.
    with django_assert_max_num_queries(3):
        response = client_for(alice).get("/api/consents/")
    assert len(response.json()["results"]) == 7
