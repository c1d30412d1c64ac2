"""The audit is complete: every URL that shows a participant's data writes an audit row
naming that participant, on every channel (pages, API, PDF, ZIP).

The test walks the URLconf: every route that takes a participant, meeting, minutes, round,
resource-group or consent id, and every list of participant data, is requested by a persona
entitled to it (alice, the owner agency's programme adviser, who also plans the round). A
GET that answers 200 must leave a read row (view/list/export/download) with the
participant's id. A route that answers 405 to GET is a change (audited as such by its
service); anything else must be in `NO_PARTICIPANT_DATA` with the reason. A new route under
these prefixes without a row here fails `test_every_participant_route_is_walked`.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from kmv.access import audit
from kmv.access.models import AuditEvent
from participants import outcomes
from participants import services as participant_services
from resourcegroups import services as group_services
from resourcegroups.models import Interpreter, Room, RoutineStage
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import minutes as minutes_services
from resourcegroups.services import rounds as round_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

READ_ACTIONS = {
    AuditEvent.Action.VIEW,
    AuditEvent.Action.LIST,
    AuditEvent.Action.EXPORT,
    AuditEvent.Action.DOWNLOAD,
}

# Routes whose ids (or lists) reach participant data: prefix -> which object `pk` names.
PREFIXES = {
    "deltakere/": "participant",
    "ressursgrupper/deltaker/": "participant",
    "ressursgrupper/mote/": "meeting",
    "ressursgrupper/": "list",
    "referat/": "minutes",
    "runder/<int:pk>/": "round",
    "api/participants/": "participant",
    "api/consents/": "consent",
    "api/resource-groups/": "group",
    "api/meetings/": "meeting",
    "api/rounds/": "round",
    "api/notify/invitations/": "meeting",
}

# Routes under those prefixes that show no participant data, each with the reason.
NO_PARTICIPANT_DATA = {
    "participants:create": "an empty registration form",
    "api/rounds/<str:pk>/": "the round's title, days, rooms and interpreters: no participant",
    "api/rounds/": "rounds of the agency: titles and days, no participant",
    "rounds:progress": "the scheduler's progress (status, step, objective): no participant",
    "participants:retention": "lists only ended paths due for anonymisation (none here); "
    "its list row is tested in tests/participants/test_retention.py",
}

# Object -> its participant (all of them alice's `participant`), filled by `ctx`.
LIST_ROUTES = {
    "participants:list",
    "resourcegroups:my_meetings",
    "resourcegroups:due_meetings",
    "api/participants/",
    "api/resource-groups/",
    "api/meetings/",
    "api/consents/",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else route
            yield route, name


def _kind(route: str) -> str | None:
    best = None
    for prefix, kind in PREFIXES.items():
        if route.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, kind)
    return best[1] if best else None


def _routes():
    for route, name in _walk(get_resolver().url_patterns):
        kind = _kind(route)
        if kind is None:
            continue
        if kind == "list" and "<" in route:
            continue  # a meeting/participant route under ressursgrupper/ has its own prefix
        if "<" not in route and name not in LIST_ROUTES and route not in LIST_ROUTES:
            if name in NO_PARTICIPANT_DATA or route in NO_PARTICIPANT_DATA:
                continue
            if kind != "list":
                yield route, name, kind
            continue
        yield route, name, kind


@pytest.fixture
def ctx(participant, personas, agencies):
    alice = personas["nav_adviser"]
    meeting = participant.meetings.get(stage__number=1)
    held = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() - timedelta(days=1)
    held = group_services.meeting_schedule(
        user=alice, meeting=held, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )
    minutes = group_services.minutes_compose(user=alice, meeting=held, decisions="Plan")
    group_services.minutes_submit(user=alice, minutes=minutes)
    for agency in minutes_services.attending_agencies(held):
        approver = personas["nav_adviser"] if agency == alice.agency else personas["teacher"]
        group_services.minutes_approve(user=approver, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.is_locked and minutes.pdf  # the archive copy and the PDF exist
    consent = participant_services.consent_record(
        user=alice,
        participant=participant,
        agency=personas["teacher"].agency,
        category="plan_meetings",
        purpose="Resource group",
        document=SimpleUploadedFile("samtykke.pdf", PDF, content_type="application/pdf"),
    )
    outcome = outcomes.outcome_record(
        user=alice, participant=participant, status="adult_education", since=date(2025, 6, 1)
    )
    day = date(2027, 2, 2)
    rnd = round_services.round_create(
        user=alice,
        title="Vårrunden",
        days=[(day, time(9, 0), time(12, 0))],
        stages=[RoutineStage.objects.get(routine=routine_in_force(day), number=1)],
        rooms=[Room.objects.create(agency=agencies["nav"], name="Rom 1", capacity=8)],
        interpreters=[Interpreter.objects.create(name="Tesfay", languages=["ti"])],
        slot_minutes=60,
        buffer_minutes=15,
        time_limit_seconds=5,
    )
    round_services.entries_add(user=alice, rnd=rnd, meetings=[meeting])
    round_services.entry_move(
        user=alice, entry=rnd.entries.get(), day=rnd.days.get(), slot=0, room=rnd.rooms.get()
    )
    # a second participant of alice's, due for meeting 1 and not yet in the round: the
    # round's proposal lists them
    second = participant_services.participant_create(
        user=alice,
        first_name="Bilal",
        last_name="Omar",
        date_of_birth=date(1988, 1, 1),
        municipality=participant.municipality,
        intro_programme_start=date(2025, 1, 6),
    )
    item = meeting.stage.items.order_by("order").first()
    return {
        "participant": participant,
        "participants": [participant.pk, second.pk],
        "alice": alice,
        "pk": {
            "participant": participant.pk,
            "meeting": held.pk,
            "minutes": minutes.pk,
            "round": rnd.pk,
            "group": participant.resource_group.pk,
            "consent": consent.pk,
        },
        "meeting_pk": held.pk,
        "consent_pk": consent.pk,
        "membership_pk": participant.resource_group.memberships.first().pk,
        "item_pk": item.pk,
        "item_id": item.pk,
        "outcome_id": outcome.pk,
        "entry": rnd.entries.first().pk,
        "which": "rooms",
    }


def _fill(route: str, kind: str, ctx) -> str:
    def value(match):
        name = match.group(1).split(":")[-1]
        if name == "pk":
            return str(ctx["pk"][kind])
        assert name in ctx, f"{route}: give `{name}` a value in ctx"
        return str(ctx[name])

    return "/" + re.sub(r"<([^>]+)>", value, route)


def _get(route: str, url: str, ctx):
    if route.startswith("api/"):
        client = APIClient()
        client.force_authenticate(ctx["alice"])
    else:
        client = Client()
        client.force_login(ctx["alice"])
    return client.get(url)


def _clear_log():
    with audit.pruning():
        AuditEvent.objects.all().delete()


def test_every_participant_route_is_walked():
    """The prefixes cover the participant routes we know; a new one must be classified."""
    walked = {name for _route, name, _kind in _routes()}
    for known in ("participants:edit", "resourcegroups:due_meetings", "rounds:timetable_pdf"):
        assert known in walked
    assert "api/rounds/<str:pk>/schedule/" in walked
    assert "archive:copy" in walked


def test_every_read_of_participant_data_leaves_an_audit_row(ctx):
    missing, unreachable, reads = [], [], 0
    for route, name, kind in _routes():
        if name in NO_PARTICIPANT_DATA or route in NO_PARTICIPANT_DATA:
            continue
        url = _fill(route, kind, ctx)
        _clear_log()
        response = _get(route, url, ctx)
        if response.status_code == 405:
            continue  # a change only: its service writes the audit row
        if response.status_code != 200:
            unreachable.append((name, url, response.status_code))
            continue
        reads += 1
        rows = AuditEvent.objects.filter(
            participant_id__in=ctx["participants"], action__in=READ_ACTIONS
        )
        if not rows.exists():
            missing.append((name, url))
    assert not missing, f"reads of participant data without an audit row: {missing}"
    assert not unreachable, f"routes the entitled persona could not read: {unreachable}"
    assert reads >= 30


def test_allow_list_is_short_and_reasoned():
    assert len(NO_PARTICIPANT_DATA) <= 8
    assert all(len(reason) > 10 for reason in NO_PARTICIPANT_DATA.values())


def test_the_information_day_page_is_a_read_of_the_invited_and_the_cohort(
    participant, personas, monkeypatch
):
    """Outside the id prefixes above (its id is an information day's): the page names the
    invited participants and the cohort due, so each is a read."""
    monkeypatch.setattr("kmv.notify.services.queue_message", lambda **kw: None)
    alice, bob = personas["nav_adviser"], personas["teacher"]
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=date(2027, 6, 20)
    )
    meeting3 = participant.meetings.get(stage__number=3)
    day = round_services.info_day_create(
        user=bob,
        title="Informasjonsdag VGO",
        on=date(2026, 12, 1),
        start=time(9),
        end=time(14),
        place="Karrieresenteret",
        stage=meeting3.stage,
    )
    client = Client()
    client.force_login(bob)
    for invited in (False, True):
        if invited:
            round_services.info_day_invite(user=bob, day=day, meetings=[meeting3])
        _clear_log()
        assert client.get(f"/runder/informasjonsdager/{day.pk}/").status_code == 200
        row = AuditEvent.objects.get(participant_id=participant.pk, action="list")
        assert row.object_ids == [meeting3.pk] and row.actor == bob
