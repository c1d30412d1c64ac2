"""The rounds demo behind `make run`: rooms, interpreters, a published round with booked
meetings, a draft; idempotent; what the adviser and the interpreter see."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import User
from participants.demo import build_demo
from participants.models import Participant
from resourcegroups.demo_rounds import DRAFT_TITLE, PUBLISHED_TITLE, seed_rounds_demo
from resourcegroups.models.meetings import Meeting
from resourcegroups.models.rounds import (
    Interpreter,
    InterpreterWindow,
    Room,
    Round,
    RoundEntry,
    StaffBlock,
    Unavailability,
)
from resourcegroups.services import rounds as round_services

pytestmark = pytest.mark.django_db

MODELS = (Room, Interpreter, Round, RoundEntry, StaffBlock, Unavailability, InterpreterWindow)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS} | {
        "booked": Meeting.objects.filter(status=Meeting.Status.BOOKED).count()
    }


@pytest.fixture(scope="module")
def _demo_db(django_db_setup, django_db_blocker):
    """Build the demo once for the module (~20 s) inside a transaction that is rolled back
    at the end; each test runs in a savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo()
        made = seed_rounds_demo()
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def demo_rounds(_demo_db, db):
    assert _demo_db["rounds"] == 2
    return Round.objects.get(title=PUBLISHED_TITLE)


def test_rounds_demo_content_and_idempotent(demo_rounds):
    rnd = demo_rounds
    first = _counts()
    assert seed_rounds_demo() == {}
    assert _counts() == first

    today = timezone.localdate()
    assert rnd.status == Round.Status.PUBLISHED
    assert rnd.solver_status in (Round.SolverStatus.OPTIMAL, Round.SolverStatus.FEASIBLE)
    assert all(d.date > today and d.date.weekday() < 5 for d in rnd.days.all())
    placed = rnd.entries.exclude(day=None)
    assert placed.count() >= 8
    assert not rnd.entries.filter(day=None).exists()
    assert placed.values("meeting__participant").distinct().count() == placed.count()
    assert all(e.meeting.status == Meeting.Status.BOOKED for e in placed.select_related("meeting"))
    assert placed.exclude(interpreter=None).filter(interpreter__user__username="tolk").exists()
    assert Room.objects.filter(accessible=False).exists()
    assert Room.objects.exclude(capacity=8).exists()

    draft = Round.objects.get(title=DRAFT_TITLE)
    assert draft.status == Round.Status.DRAFT and draft.entries.exists()
    assert StaffBlock.objects.exists() and Unavailability.objects.exists()
    assert InterpreterWindow.objects.filter(interpreter__user__username="tolk").exists()


def test_adviser_sees_the_rounds(client, demo_rounds):
    client.force_login(User.objects.get(username="radgiver"))
    text = client.get(reverse("rounds:list")).content.decode()
    assert PUBLISHED_TITLE in text and DRAFT_TITLE in text
    page = client.get(reverse("rounds:detail", args=[demo_rounds.pk]))
    assert page.status_code == 200
    entry = demo_rounds.entries.select_related("meeting__participant").first()
    assert entry.meeting.participant.first_name in page.content.decode()


def test_interpreter_sees_exactly_their_assignments_without_names(client, demo_rounds):
    tolk = User.objects.get(username="tolk")
    own = RoundEntry.objects.filter(
        round=demo_rounds, interpreter__user=tolk, meeting__planned_start__isnull=False
    )
    assert own.exists()
    assert {b.id for b in round_services.interpreter_bookings(tolk)} == set(
        own.values_list("pk", flat=True)
    )

    client.force_login(tolk)
    page = client.get(reverse("rounds:interpreter_bookings"))
    assert page.status_code == 200
    text = page.content.decode()
    for entry in own.select_related("room"):
        assert entry.room.name in text
    for first, last in Participant.objects.values_list("first_name", "last_name"):
        assert f"{first} {last}" not in text
