"""The network demo behind `make run`: built through the services, idempotent, and what the
coordinator sees on the network pages."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import User
from network.demo import NETWORK_NAME, seed_network_demo
from network.models import (
    Action,
    AgendaItem,
    Agreement,
    BodyMembership,
    Challenge,
    EvaluationAnswer,
    FeedbackResponse,
    Network,
    NetworkMeeting,
    ProfessionalDay,
    Registration,
    RoutineApproval,
    SolutionGroup,
)
from participants.demo import build_demo

pytestmark = pytest.mark.django_db

MODELS = (
    Network,
    BodyMembership,
    NetworkMeeting,
    AgendaItem,
    ProfessionalDay,
    Registration,
    EvaluationAnswer,
    Challenge,
    SolutionGroup,
    Action,
    Agreement,
    RoutineApproval,
    FeedbackResponse,
)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(scope="module")
def _demo_db(django_db_setup, django_db_blocker):
    """Build the demo once for the module (~20 s) inside a transaction that is rolled back
    at the end; each test runs in a savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo()
        made = seed_network_demo()
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def demo_network(_demo_db, db):
    assert _demo_db["networks"] == 1
    return Network.objects.get(name=NETWORK_NAME)


def test_network_demo_content_and_idempotent(demo_network):
    today = timezone.localdate()
    network = demo_network
    first = _counts()

    assert seed_network_demo() == {}
    assert _counts() == first

    # every partner agency of the demo except the interpreter service and volunteers
    assert network.agencies.count() == 5
    terms = BodyMembership.objects.filter(body__network=network)
    assert terms.filter(body__kind="steering", role="chair", ends_on=None).get().user.username == (
        "leder"
    )
    assert terms.exclude(ends_on=None).count() >= 3  # turnover: chair, secretary, a member
    assert {"chair", "secretary", "member"} <= set(terms.values_list("role", flat=True))

    meetings = NetworkMeeting.objects.filter(body__network=network)
    held = meetings.filter(status=NetworkMeeting.Status.HELD)
    assert held.count() == 2 and not held.filter(minutes_published_at=None).exists()
    assert not AgendaItem.objects.filter(meeting__in=held, kind="decision", decision="").exists()
    upcoming = meetings.filter(status=NetworkMeeting.Status.PLANNED, start__gt=timezone.now())
    assert upcoming.count() == 2
    assert {"information", "decision"} <= set(
        AgendaItem.objects.filter(meeting__in=upcoming).values_list("kind", flat=True)
    )
    # the open solution group's status report went onto the planned agendas by itself
    assert AgendaItem.objects.filter(meeting__in=upcoming, status_report__isnull=False).exists()
    # host rotation: not one agency hosting everything
    assert meetings.values("host").distinct().count() >= 3

    held_day = network.days.get(status=ProfessionalDay.Status.HELD)
    assert held_day.date < today
    assert held_day.registrations.filter(attended=True).count() >= 4
    assert held_day.registrations.filter(attended=False).exists()
    assert set(held_day.answers.values_list("part", flat=True)) == {1, 2}
    assert network.days.filter(status=ProfessionalDay.Status.PLANNED, date__gt=today).exists()

    challenges = network.challenges.all()
    assert set(challenges.values_list("status", flat=True)) >= {
        "new",
        "day_topic",
        "solution_group",
        "solved",
    }
    assert challenges.filter(source_day=held_day).exists()
    open_group = SolutionGroup.objects.get(challenge__network=network, status="active")
    assert open_group.meetings.exclude(agreed_alternative="").exists()
    actions = Action.objects.filter(meeting__group=open_group)
    assert actions.filter(done_at=None, due_on__lt=today).exists()  # overdue
    assert actions.exclude(done_at=None).exists()
    assert SolutionGroup.objects.filter(challenge__network=network, status="solved").exists()

    agreement = network.agreements.get()
    assert agreement.parties.count() == 2 and agreement.signatories.count() == 2
    change = agreement.changes.get()
    assert change.approvals.count() == 1 and change.approved_at is None

    assert FeedbackResponse.objects.filter(channel="link").exists()
    assert FeedbackResponse.objects.filter(channel="paper").count() >= 5


def test_coordinator_sees_the_network_with_content(client, demo_network):
    network = demo_network
    client.force_login(User.objects.get(username="koordinator"))

    home = client.get(reverse("network:home")).content.decode()
    assert NETWORK_NAME in home

    page = client.get(reverse("network:detail", args=[network.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for meeting in NetworkMeeting.objects.filter(body__network=network):
        assert meeting.title in text
    for day in network.days.all():
        assert day.theme in text
    assert "Kartleggingen følger ikke med over til videregående" in text
    assert network.agreements.get().title in text

    group = SolutionGroup.objects.get(challenge__network=network, status="active")
    day = network.days.get(status=ProfessionalDay.Status.HELD)
    pages = [
        reverse("network:body", args=[network.bodies.first().pk]),
        reverse("network:meeting", args=[NetworkMeeting.objects.first().pk]),
        reverse("network:day", args=[day.pk]),
        reverse("network:evaluation_summary", args=[day.pk]),
        reverse("network:challenges", args=[network.pk]),
        reverse("network:solution_group", args=[group.pk]),
        reverse("network:agreement", args=[network.agreements.get().pk]),
        reverse("network:year_summary", args=[network.pk, timezone.localdate().year]),
        reverse("network:feedback_overview"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
