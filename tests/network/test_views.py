"""Network pages: who sees what (404 for other networks' objects and for internal items of
bodies one does not sit in), the anonymous links, and the PDFs."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import Agency, Role
from network import services
from network.models import Body, EvaluationAnswer, FeedbackResponse
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network, personas, leaders, outbox):
    cora, bob = personas["coordinator"], personas["teacher"]
    working = network.bodies.get(kind=Body.Kind.WORKING)
    services.member_add(
        user=cora, body=working, person=bob, role="member", starts_on=date(2025, 1, 1)
    )
    start = timezone.now() + timedelta(days=7)
    meeting = services.meeting_create(
        user=cora, body=working, title="AG-møte", start=start, end=start + timedelta(hours=2)
    )
    item = services.agenda_item_add(user=bob, meeting=meeting, title="Fagdag", kind="decision")
    day = services.day_create(
        user=cora,
        network=network,
        kind="open",
        theme="Fagdag vår",
        date=date(2026, 3, 2),
        place="Kristiansand",
    )
    services.registration_invite(user=cora, day=day, person=bob)
    challenge = services.challenge_raise(
        user=bob, network=network, title="Engelsk dokumentasjon", source="working_group"
    )
    triaged = services.challenge_raise(user=bob, network=network, title="Praksis", source="other")
    services.challenge_triage(user=cora, challenge=triaged, outcome="solution_group")
    agreement = services.agreement_create(
        user=cora,
        network=network,
        title="Avtale",
        effective_from=date(2026, 1, 1),
        parties=list(network.agencies.all()),
        routine_id=1,
        routine_label="v1",
    )
    change = services.routine_change_propose(
        user=cora,
        agreement=agreement,
        routine_id=2,
        routine_label="v2",
        summary="x",
        effective_from=date(2026, 8, 1),
    )
    return {
        "network": network,
        "meeting": meeting,
        "item": item,
        "day": day,
        "challenge": challenge,
        "group": triaged.solution_group,
        "agreement": agreement,
        "change": change,
        "body": working,
    }


def _outsider():
    other = AgencyFactory(name="NAV Annen region", kind=Agency.Kind.NAV_INTEGRATION)
    return UserFactory(username="olga", agency=other, role=Role.NETWORK_COORDINATOR)


PAGES = [
    ("network:detail", "network"),
    ("network:year_summary", "year"),
    ("network:challenges", "network"),
    ("network:meeting", "meeting"),
    ("network:day", "day"),
    ("network:evaluation_summary", "day"),
    ("network:challenge", "challenge"),
    ("network:solution_group", "group"),
    ("network:agreement", "agreement"),
]


def _args(world, key):
    if key == "year":
        return [world["network"].pk, 2026]
    return [world[key].pk]


@pytest.mark.parametrize(("name", "key"), PAGES)
def test_pages_for_coordinator_member_and_outsider(client, world, personas, name, key):
    url = reverse(name, args=_args(world, key))
    for user, expected in [
        (personas["coordinator"], 200),
        (personas["teacher"], 200),  # working-group member from a partner agency
        (_outsider() if name == "network:detail" else personas["school_adviser"], 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, (name, user.username)


def test_unpublished_meeting_is_internal_to_the_body(client, world, personas):
    alice = personas["nav_adviser"]  # NAV is a partner, alice sits in no body
    client.force_login(alice)
    url = reverse("network:meeting", args=[world["meeting"].pk])
    assert client.get(url).status_code == 404
    services.agenda_decision_record(user=personas["coordinator"], item=world["item"], decision="Ja")
    services.minutes_publish(user=personas["coordinator"], meeting=world["meeting"])
    assert client.get(url).status_code == 200


def test_member_adds_agenda_item_but_cannot_publish(client, world, personas):
    client.force_login(personas["teacher"])
    meeting = world["meeting"]
    client.post(
        reverse("network:agenda_item_add", args=[meeting.pk]),
        {"title": "Ny sak", "kind": "information"},
    )
    assert meeting.items.filter(title="Ny sak").exists()
    response = client.post(reverse("network:minutes_publish", args=[meeting.pk]))
    assert response.status_code == 403


def test_meeting_create_page_proposes_host(client, world, personas):
    client.force_login(personas["coordinator"])
    url = reverse("network:meeting_create", args=[world["body"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["host"] == services.propose_host(body=world["body"])
    client.force_login(personas["teacher"])
    assert client.get(url).status_code == 403


def test_triage_and_approval_pages(client, world, personas, leaders):
    client.force_login(personas["coordinator"])
    url = reverse("network:challenge", args=[world["challenge"].pk])
    client.post(url, {"outcome": "closed", "reason": "Utenfor mandat"})
    world["challenge"].refresh_from_db()
    assert world["challenge"].status == "closed"
    client.force_login(leaders["career"])
    client.post(reverse("network:change_approve", args=[world["change"].pk]))
    assert world["change"].approvals.get().approved_by == leaders["career"]
    client.force_login(personas["coordinator"])
    assert (
        client.post(reverse("network:change_approve", args=[world["change"].pk])).status_code == 403
    )


def test_anonymous_evaluation_form(client, world, personas, outbox):
    services.day_mark_held(user=personas["coordinator"], day=world["day"])
    key = next(k for k in outbox if k.startswith("network:eval:1:"))
    url = outbox[key]["body"].split(" ")[-1]
    path = url.replace("http://127.0.0.1:8000", "")
    assert client.get(path).status_code == 200  # no login needed
    response = client.post(path, {"usefulness": "5", "wished_topics": "Norskkrav"})
    assert response.status_code == 200
    assert EvaluationAnswer.objects.get().wished_topics == "Norskkrav"
    assert client.get(path).status_code == 410


def test_participant_feedback_link_and_paper(client, personas):
    _invite, token = services.feedback_invite_for_meeting(
        5, "en", stage_number=1, held_on=date(2026, 5, 1)
    )
    path = reverse("network:feedback", args=[token])
    response = client.get(path)
    assert response.status_code == 200 and response.content.decode().count('type="radio"') == 15
    client.post(path, {"heard": "5", "understood": "4", "useful": "4", "free_text": "Bra"})
    assert client.post(path, {"heard": "1", "understood": "1", "useful": "1"}).status_code == 410
    assert client.get(reverse("network:feedback", args=["nope"])).status_code == 410
    client.force_login(personas["teacher"])
    client.post(
        reverse("network:feedback_paper"),
        {
            "heard": "3",
            "understood": "3",
            "useful": "3",
            "stage_number": "2",
            "period": "2026-05-12",
            "language": "ar",
        },
    )
    assert FeedbackResponse.objects.filter(channel="paper", period=date(2026, 5, 1)).exists()
    assert client.get(reverse("network:feedback_overview")).status_code == 403


def test_feedback_review_raises_challenge(client, network, personas):
    response = services.feedback_enter_paper(
        user=personas["teacher"],
        stage_number=1,
        period=date(2026, 5, 1),
        language="nb",
        heard=2,
        understood=2,
        useful=2,
        free_text="Tolken kom ikke",
    )
    client.force_login(personas["coordinator"])
    page = client.get(reverse("network:feedback_overview"))
    assert "Tolken kom ikke" in page.content.decode()
    client.post(
        reverse("network:feedback_overview"),
        {"response": response.pk, "title": "Tolk uteblir", "network": network.pk},
    )
    response.refresh_from_db()
    assert response.reviewed_at and response.challenge.source == "participant_feedback"


def test_pdf_html_layer(world, personas):
    from network import pdf, selectors

    services.agenda_decision_record(user=personas["coordinator"], item=world["item"], decision="Ja")
    html = pdf.pdf_html(
        "network/pdf/minutes.html",
        {"meeting": world["meeting"], "items": world["meeting"].items.all()},
    )
    assert "AG-møte" in html and "Ja" in html
    summary = selectors.year_summary(network=world["network"], year=2026)
    html = pdf.pdf_html("network/pdf/year_summary.html", summary)
    assert "Praksis" in html


def test_year_summary_pdf_renders(client, world, personas):
    client.force_login(personas["coordinator"])
    response = client.get(reverse("network:year_summary_pdf", args=[world["network"].pk, 2026]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_invitations_registration_and_attendance(client, world, personas, agencies, outbox):
    day = world["day"]  # an open day
    client.force_login(personas["coordinator"])
    client.post(reverse("network:day_invite", args=[day.pk]), {"agency": agencies["career"].pk})
    client.post(
        reverse("network:day_invite", args=[day.pk]), {"name": "Gjest", "email": "g@example.org"}
    )
    client.post(
        reverse("network:day_invite", args=[day.pk]),
        {"segment_kind": "rules", "segment_title": "Ny integreringslov"},
    )
    assert day.segments.get().kind == "rules"
    assert day.registrations.filter(email="g@example.org").exists()
    assert day.invited_agencies.filter(pk=agencies["career"].pk).exists()
    client.force_login(personas["nav_adviser"])
    client.post(reverse("network:day_register", args=[day.pk]))
    mine = day.registrations.get(user=personas["nav_adviser"])
    assert mine.status == "registered"
    client.force_login(personas["coordinator"])
    client.post(reverse("network:day_attendance", args=[day.pk]), {"present": [mine.pk]})
    assert set(day.registrations.filter(attended=True)) == {mine}


def test_closed_day_is_by_invitation(world, personas, network):
    from django.core.exceptions import PermissionDenied

    closed = services.day_create(
        user=personas["coordinator"],
        network=network,
        kind="collaboration",
        theme="Skolestart",
        date=date(2026, 6, 1),
        place="Tangen",
    )
    with pytest.raises(PermissionDenied):
        services.registration_self(user=personas["nav_adviser"], day=closed)


def test_solution_group_page_records_work(client, world, personas, leaders):
    group = world["group"]
    cora = personas["coordinator"]
    services.solution_member_add(user=cora, group=group, person=leaders["nav"], decision_power=True)
    client.force_login(cora)
    url = reverse("network:solution_group", args=[group.pk])
    client.post(
        url,
        {
            "form": "meeting",
            "date": "2026-03-01",
            "options_discussed": "A; B",
            "agreed_alternative": "B",
        },
    )
    meeting = group.meetings.get()
    client.post(
        url,
        {
            "form": "action",
            "meeting": meeting.pk,
            "description": "Lister",
            "owner": leaders["nav"].pk,
            "due_on": "2026-04-01",
        },
    )
    assert meeting.actions.get().agency == leaders["nav"].agency
    client.force_login(leaders["nav"])
    client.post(url, {"form": "check", "works": "1", "implementation_date": "2026-08-01"})
    assert group.checks.get(agency=leaders["nav"].agency).works is True
    client.force_login(personas["teacher"])  # sees the group, is not in it
    assert client.post(url, {"form": "status", "text": "x"}).status_code == 403


def test_network_page_query_budget(client, world, personas, django_assert_max_num_queries):
    client.force_login(personas["coordinator"])
    url = reverse("network:detail", args=[world["network"].pk])
    # session + user, network, coordinator check, 2 × (bodies' members, may_run, proposed
    # host), meetings, days, challenges, agreements, messages: bounded, not per row
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200
