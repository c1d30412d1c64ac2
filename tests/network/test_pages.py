"""The network's set-up pages: networks, agreements with signatories and PDF, body members
with terms and turnover, closing solution groups, raising a challenge from resource-group
minutes (text only), the printable feedback form."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import Agency, Role
from network import services
from network.models import Agreement, Body, BodyMembership, Challenge, Network
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _outsider():
    other = AgencyFactory(name="NAV Annen region", kind=Agency.Kind.NAV_INTEGRATION)
    return UserFactory(username="olga", agency=other, role=Role.NETWORK_COORDINATOR)


# --- networks --------------------------------------------------------------------------------


def test_coordinator_creates_a_network_per_region(client, personas, agencies):
    client.force_login(personas["coordinator"])
    url = reverse("network:create")
    assert client.get(url).status_code == 200
    data = {
        "name": "Nettverk Agder",
        "region": "Agder",
        "agencies": [agencies["nav"].pk, agencies["career"].pk],
    }
    response = client.post(url, data)
    network = Network.objects.get(region="Agder")
    assert response.status_code == 302 and response.url == reverse(
        "network:detail", args=[network.pk]
    )
    assert set(network.bodies.values_list("kind", flat=True)) == set(Body.Kind.values)
    # a second network for the same region: a form error, nothing made
    response = client.post(url, {**data, "name": "Agder 2"})
    assert response.status_code == 200 and response.context["form"].errors["region"]
    assert Network.objects.count() == 1


def test_network_must_include_the_coordinators_agency(client, personas, agencies):
    client.force_login(personas["coordinator"])  # cora: the career centre
    response = client.post(
        reverse("network:create"),
        {"name": "N", "region": "Vest", "agencies": [agencies["nav"].pk, agencies["school"].pk]},
    )
    assert response.status_code == 200 and response.context["form"].errors["agencies"]
    assert not Network.objects.exists()


def test_only_coordinators_create_networks(client, personas):
    client.force_login(personas["leader"])
    assert client.get(reverse("network:create")).status_code == 403


# --- agreements ------------------------------------------------------------------------------


@pytest.fixture
def routine():
    from resourcegroups.models import Routine

    return Routine.objects.get(status=Routine.Status.ACTIVE)


def test_agreement_with_pdf_and_signatories(
    client, network, personas, leaders, routine, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    cora = personas["coordinator"]
    client.force_login(cora)
    url = reverse("network:agreement_create", args=[network.pk])
    assert client.get(url).status_code == 200
    parties = [a.pk for a in network.agencies.all()]
    fields = {
        "title": "Samarbeidsavtale 2026",
        "effective_from": "2026-01-01",
        "parties": parties,
        "routine": routine.pk,
    }
    # not a PDF: refused with a field error, nothing stored
    bad = SimpleUploadedFile("avtale.pdf", b"hello", content_type="application/pdf")
    response = client.post(url, {**fields, "document": bad})
    assert response.status_code == 400 and response.context["form"].errors["document"]
    assert not Agreement.objects.exists()
    good = SimpleUploadedFile("avtale.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {**fields, "document": good})
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert agreement.routine_id == routine.pk and agreement.routine_label == str(routine)
    assert agreement.document.read().startswith(b"%PDF-")
    signatory_url = reverse("network:signatory_add", args=[agreement.pk])
    client.post(signatory_url, {"leader": leaders["nav"].pk, "signed_on": "2026-01-02"})
    client.post(signatory_url, {"leader": personas["teacher"].pk})  # not a leader: refused
    assert [(s.user, s.agency) for s in agreement.signatories.all()] == [
        (leaders["nav"], leaders["nav"].agency)
    ]
    page = client.get(reverse("network:agreement", args=[agreement.pk])).content.decode()
    assert str(leaders["nav"]) in page and str(routine) in page
    pdf_url = reverse("network:agreement_document", args=[agreement.pk])
    assert pdf_url in page and "/media/" not in page
    client.force_login(personas["teacher"])  # staff of a party: may read the agreement
    download = client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    client.force_login(leaders["adult_ed"])  # sees the agreement, may not add signatories
    assert client.post(signatory_url, {"leader": leaders["adult_ed"].pk}).status_code == 403
    client.force_login(_outsider())
    assert client.get(url).status_code == 404
    assert client.get(pdf_url).status_code == 404


def test_agreement_history_uses_the_activation_date(network, personas, leaders, routine):
    """The history shows when a version actually applied (the date it was activated from),
    not the date proposed, and until when (the day before its successor)."""
    from resourcegroups.services import routines as routine_services

    cora = personas["coordinator"]
    agreement = services.agreement_create(
        user=cora,
        network=network,
        title="Avtale",
        effective_from=date(2025, 1, 1),
        parties=list(network.agencies.all()),
        routine_id=routine.pk,
        routine_label=str(routine),
    )
    draft = routine_services.routine_draft_copy(user=cora, routine=routine)
    proposed = timezone.localdate() + timedelta(days=10)
    change = services.routine_change_propose(
        user=cora,
        agreement=agreement,
        routine_id=draft.pk,
        routine_label=str(draft),
        summary="Nytt trinn",
        effective_from=proposed,
    )
    history = services.agreement_history(agreement)
    assert [r["applied_from"] for r in history] == [date(2025, 1, 1), None]  # not in force
    assert history[1]["pending"] and history[0]["applied_until"] is None
    for leader in leaders.values():
        services.routine_change_approve(user=leader, change=change)
    actual = proposed + timedelta(days=5)  # activated later than proposed
    routine_services.routine_activate(user=cora, routine=draft, effective_from=actual)
    history = services.agreement_history(agreement)
    assert [(r["routine_label"], r["applied_from"], r["applied_until"]) for r in history] == [
        (str(routine), date(2025, 1, 1), actual - timedelta(days=1)),
        (str(draft), actual, None),
    ]
    assert history[1]["proposed_from"] == proposed


# --- bodies ----------------------------------------------------------------------------------


def test_body_members_terms_history_and_turnover(client, network, personas):
    cora, bob, alice = personas["coordinator"], personas["teacher"], personas["nav_adviser"]
    body = network.bodies.get(kind=Body.Kind.WORKING)
    url = reverse("network:body", args=[body.pk])
    client.force_login(cora)
    client.post(url, {"person": bob.pk, "role": "chair", "starts_on": "2025-01-01"})
    # a new chair ends bob's term the day before
    client.post(url, {"person": alice.pk, "role": "chair", "starts_on": "2026-03-01"})
    bob_term = BodyMembership.objects.get(user=bob)
    assert bob_term.ends_on == date(2026, 2, 28)
    client.post(
        url, {"person": personas["counsellor"].pk, "role": "member", "starts_on": "2026-01-01"}
    )
    charlie_term = BodyMembership.objects.get(user=personas["counsellor"])
    client.post(
        reverse("network:membership_end", args=[charlie_term.pk]), {"ends_on": "2026-06-30"}
    )
    charlie_term.refresh_from_db()
    assert charlie_term.ends_on == date(2026, 6, 30)
    # ending it again is refused with a message, the date stays
    client.post(
        reverse("network:membership_end", args=[charlie_term.pk]), {"ends_on": "2026-12-31"}
    )
    charlie_term.refresh_from_db()
    assert charlie_term.ends_on == date(2026, 6, 30)
    assert body.memberships.count() == 3  # history kept: nothing deleted
    client.force_login(bob)  # a partner's staff member sees the page, cannot change it
    response = client.get(url)
    assert response.status_code == 200
    turnover = {row["year"]: row for row in response.context["turnover"]}
    assert turnover[2025] == {"year": 2025, "joined": 1, "left": 0, "members_at_end": 1}
    assert turnover[2026]["joined"] == 2 and turnover[2026]["left"] == 2
    assert turnover[2026]["members_at_end"] == 1  # alice, the chair
    assert len(response.context["terms"]) == 3
    assert (
        client.post(
            url, {"person": bob.pk, "role": "member", "starts_on": "2026-01-01"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("network:membership_end", args=[bob_term.pk]), {"ends_on": "2026-01-01"}
        ).status_code
        == 403
    )
    client.force_login(_outsider())
    assert client.get(url).status_code == 404


def test_member_from_outside_the_partners_is_a_form_error(client, network, personas):
    body = network.bodies.get(kind=Body.Kind.STEERING)
    client.force_login(personas["coordinator"])
    response = client.post(
        reverse("network:body", args=[body.pk]),
        {"person": personas["school_adviser"].pk, "role": "member", "starts_on": "2026-01-01"},
    )
    assert response.status_code == 400 and not body.memberships.exists()


# --- solution groups -------------------------------------------------------------------------


def test_coordinator_closes_a_solution_group_with_its_outcome(client, network, personas):
    cora = personas["coordinator"]
    challenge = services.challenge_raise(user=cora, network=network, title="Lister", source="other")
    services.challenge_triage(user=cora, challenge=challenge, outcome="solution_group")
    group = challenge.solution_group
    url = reverse("network:solution_group_close", args=[group.pk])
    client.force_login(personas["teacher"])
    assert client.post(url, {"solved": "1", "outcome": "x"}).status_code == 403
    client.force_login(cora)
    client.post(url, {"solved": "1", "outcome": ""})  # no outcome: refused
    group.refresh_from_db()
    assert group.status == "active"
    client.post(url, {"solved": "1", "outcome": "Felles deltakerliste fra august"})
    group.refresh_from_db()
    challenge.refresh_from_db()
    assert group.status == "solved" and group.solved_on == timezone.localdate()
    assert challenge.status == Challenge.Status.SOLVED
    search = client.get(reverse("network:challenges", args=[network.pk]), {"q": "deltakerliste"})
    assert list(search.context["solved"]) == [group]


def test_invalid_solution_group_forms_say_what_is_wrong_and_save_nothing(client, network, personas):
    cora = personas["coordinator"]
    challenge = services.challenge_raise(user=cora, network=network, title="Lister", source="other")
    services.challenge_triage(user=cora, challenge=challenge, outcome="solution_group")
    group = challenge.solution_group
    url = reverse("network:solution_group", args=[group.pk])
    client.force_login(cora)
    for form in ("status", "meeting", "check", "action"):
        response = client.post(url, {"form": form}, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        assert len(shown) == 1
        assert shown[0].startswith(("Nothing was saved", "Ingenting ble lagret"))
    assert not group.status_reports.exists() and not group.meetings.exists()
    assert not group.checks.exists()


# --- raising a challenge from resource-group minutes -----------------------------------------


def test_challenge_from_minutes_keeps_only_the_text_written(client, network, participant, personas):
    from resourcegroups import services as group_services

    alice = personas["nav_adviser"]
    meeting = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    minutes_url = reverse("resourcegroups:minutes", args=[meeting.pk])
    client.force_login(alice)
    page = client.get(minutes_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("network:challenge_from_practice") in html
    assert "Nothing from the minutes is copied" in html or "Ingenting fra referatet" in html
    response = client.post(
        reverse("network:challenge_from_practice"),
        {
            "next": minutes_url,
            "challenge-title": "Tolk bestilles for sent",
            "challenge-description": "Skjer ofte ved første møte.",
        },
    )
    assert response.status_code == 302 and response.url == minutes_url
    challenge = Challenge.objects.get()
    assert challenge.network == network
    assert challenge.source == Challenge.Source.RESOURCE_GROUP
    assert (challenge.title, challenge.description) == (
        "Tolk bestilles for sent",
        "Skjer ofte ved første møte.",
    )
    assert challenge.raised_by == alice
    # no participant data travels with it
    values = " ".join(str(v) for v in Challenge.objects.values().get().values())
    assert participant.first_name not in values and participant.last_name not in values
    # an outside address as "next" is not followed
    response = client.post(
        reverse("network:challenge_from_practice"),
        {"next": "https://evil.example/", "challenge-title": "Annet"},
    )
    assert response.url == reverse("network:challenge", args=[Challenge.objects.latest("pk").pk])


def test_no_challenge_form_without_a_network(client, participant, personas):
    from resourcegroups import services as group_services

    alice = personas["nav_adviser"]
    meeting = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    client.force_login(alice)
    page = client.get(reverse("resourcegroups:minutes", args=[meeting.pk]))
    assert page.context["challenge_form"] is None
    response = client.post(reverse("network:challenge_from_practice"), {"challenge-title": "x"})
    assert response.status_code == 302 and not Challenge.objects.exists()


# --- printable feedback form -----------------------------------------------------------------


def test_printable_feedback_form_in_the_chosen_language(client, personas):
    client.force_login(personas["teacher"])
    url = reverse("network:feedback_print")
    english = client.get(url, {"language": "en"}).content.decode()
    assert "I was listened to in the meeting" in english
    assert client.get(url, {"language": "xx"}).context["language"] == "nb"
    client.force_login(personas["coordinator"])
    assert client.get(url).status_code == 403


def test_agenda_document_only_for_the_body(client, network, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cora, bob = personas["coordinator"], personas["teacher"]
    working = network.bodies.get(kind=Body.Kind.WORKING)
    services.member_add(
        user=cora, body=working, person=bob, role="member", starts_on=date(2025, 1, 1)
    )
    start = timezone.now() + timedelta(days=7)
    meeting = services.meeting_create(
        user=cora, body=working, title="AG", start=start, end=start + timedelta(hours=2)
    )
    item = services.agenda_item_add(
        user=bob,
        meeting=meeting,
        title="Sak",
        document=SimpleUploadedFile("notat.txt", b"internt notat"),
    )
    url = reverse("network:agenda_document", args=[item.pk])
    client.force_login(bob)
    page = client.get(reverse("network:meeting", args=[meeting.pk])).content.decode()
    assert url in page and "/media/" not in page
    assert b"".join(client.get(url).streaming_content) == b"internt notat"
    client.force_login(personas["nav_adviser"])  # partner staff, not in the body
    assert client.get(url).status_code == 404
