"""Permission matrix: persona × endpoint × method → status.

alice (nav_adviser) owns the participant; bob (teacher) is a member with consent; everybody
else sees no individuals. "Not visible" is 404 (the same as missing); "visible but not yours
to change" is 403; methods the API does not offer are 405.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import AuditEvent
from resourcegroups import services as group_services

PERSONAS = [
    "nav_adviser",
    "follow_up",
    "teacher",
    "counsellor",
    "school_adviser",
    "coordinator",
    "leader",
    "sysadmin",
    "interpreter",
]
CASE_WORKERS = {"nav_adviser", "follow_up", "teacher", "counsellor", "school_adviser"}


def _expect(default, **overrides):
    return {name: overrides.get(name, default) for name in PERSONAS}


def _participant_body(ctx, **extra):
    return {
        "first_name": "Nadia",
        "last_name": "Yusuf",
        "date_of_birth": "1990-05-17",
        "municipality": ctx["municipality"].pk,
        **extra,
    }


def _pk(key):
    return lambda c: [c[key].pk]


def _none(c):
    return []


# (label, url name, url args, method, body, expected status per persona)
CASES = [
    ("agency list", "agency-list", _none, "get", None, _expect(200)),
    ("agency detail", "agency-detail", _pk("agency"), "get", None, _expect(200)),
    ("agency create", "agency-list", _none, "post", lambda c: {"name": "X"}, _expect(405)),
    ("staff list", "staff-list", _none, "get", None, _expect(200)),
    (
        "staff detail (alice)",
        "staff-detail",
        _pk("alice"),
        "get",
        None,
        _expect(404, nav_adviser=200, leader=200, sysadmin=200),
    ),
    ("participant list", "participant-list", _none, "get", None, _expect(200)),
    (
        "participant detail",
        "participant-detail",
        _pk("participant"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "participant detail (missing)",
        "participant-detail",
        lambda c: [999999],
        "get",
        None,
        _expect(404),
    ),
    (
        "participant create",
        "participant-list",
        _none,
        "post",
        _participant_body,
        {name: 201 if name in CASE_WORKERS else 403 for name in PERSONAS},
    ),
    (
        "participant patch",
        "participant-detail",
        _pk("participant"),
        "patch",
        lambda c: {"phone": "+47 400 00 000", "version": c["participant"].version},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "participant put",
        "participant-detail",
        _pk("participant"),
        "put",
        lambda c: _participant_body(
            c,
            date_of_birth="1991-03-14",
            interpreter_needed=True,
            interpreter_language="ti",
            version=c["participant"].version,
        ),
        _expect(404, nav_adviser=200, teacher=403),
    ),
    ("participant delete", "participant-detail", _pk("participant"), "delete", None, _expect(405)),
    ("consent list", "consent-list", _none, "get", None, _expect(200)),
    (
        "consent detail",
        "consent-detail",
        _pk("consent"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "consent create",
        "consent-list",
        _none,
        "post",
        lambda c: {
            "participant": c["participant"].pk,
            "agency": c["career"].pk,
            "category": "plan_meetings",
            "purpose": "Resource group",
        },
        _expect(404, nav_adviser=201, teacher=403),
    ),
    (
        "consent withdraw",
        "consent-withdraw",
        _pk("consent"),
        "post",
        lambda c: {},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "consent patch",
        "consent-detail",
        _pk("consent"),
        "patch",
        lambda c: {"purpose": "Other"},
        _expect(405),
    ),
    ("consent delete", "consent-detail", _pk("consent"), "delete", None, _expect(405)),
    # Routines: no personal data, read by everyone; written by network coordinators only.
    # Version 1 is active, so the coordinator's change is refused as such (400).
    ("routine list", "routine-list", _none, "get", None, _expect(200)),
    ("routine detail", "routine-detail", _pk("routine"), "get", None, _expect(200)),
    (
        "routine create (draft copy)",
        "routine-list",
        _none,
        "post",
        lambda c: {"based_on": c["routine"].pk},
        _expect(403, coordinator=201),
    ),
    (
        "routine patch (active version)",
        "routine-detail",
        _pk("routine"),
        "patch",
        lambda c: {"change_summary": "x"},
        _expect(403, coordinator=400),
    ),
    (
        "routine activate (active version)",
        "routine-activate",
        _pk("routine"),
        "post",
        lambda c: {"effective_from": "2099-01-01"},
        _expect(403, coordinator=400),
    ),
    (
        "routine stage patch (active version)",
        "routine-stage",
        lambda c: [c["routine"].pk, c["meeting"].stage_id],
        "patch",
        lambda c: {"name_en": "x"},
        _expect(403, coordinator=400),
    ),
    ("routine put", "routine-detail", _pk("routine"), "put", lambda c: {}, _expect(405)),
    ("routine delete", "routine-detail", _pk("routine"), "delete", None, _expect(405)),
    # Resource groups and meetings: participant data, reached through the participant.
    ("resource group list", "resourcegroup-list", _none, "get", None, _expect(200)),
    (
        "resource group detail",
        "resourcegroup-detail",
        _pk("group"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    ("meeting list", "meeting-list", _none, "get", None, _expect(200)),
    (
        "meeting detail",
        "meeting-detail",
        _pk("meeting"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    ("meeting detail (missing)", "meeting-detail", lambda c: [999999], "get", None, _expect(404)),
    ("meeting create", "meeting-list", _none, "post", lambda c: {}, _expect(405)),
    ("meeting delete", "meeting-detail", _pk("meeting"), "delete", None, _expect(405)),
    (
        "meeting schedule",
        "meeting-schedule",
        _pk("meeting"),
        "post",
        lambda c: {
            "start": "2025-04-07T09:00:00+02:00",
            "end": "2025-04-07T10:00:00+02:00",
            "place": "Møterom 1",
            "version": c["meeting"].version,
        },
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "meeting status",
        "meeting-status",
        _pk("meeting"),
        "post",
        lambda c: {"status": "cancelled"},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "meeting attendance",
        "meeting-attendance",
        _pk("meeting"),
        "post",
        lambda c: {str(c["bob_invitee"].pk): "present"},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "meeting concern",
        "meeting-concern",
        _none,
        "post",
        lambda c: {"participant": c["participant"].pk, "reason": "Høyt fravær"},
        _expect(404, nav_adviser=201, teacher=201),
    ),
    (
        "meeting answer (teacher's item)",
        "meeting-answer",
        lambda c: [c["meeting"].pk, c["teacher_item"].pk],
        "put",
        lambda c: {"value": {"text": "FVO modul 2"}, "version": 0},
        _expect(404, nav_adviser=403, teacher=200),
    ),
    (
        "meeting notes get",
        "meeting-notes",
        _pk("meeting"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "meeting notes put",
        "meeting-notes",
        _pk("meeting"),
        "put",
        lambda c: {"text": "Egne notater", "version": 0},
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "minutes get",
        "meeting-minutes",
        _pk("held"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "minutes put",
        "meeting-minutes",
        _pk("held"),
        "put",
        lambda c: {"decisions": "Søke vigo.no", "version": c["minutes"].version},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "minutes submit",
        "meeting-minutes-submit",
        _pk("held"),
        "post",
        lambda c: {},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "minutes approve",
        "meeting-minutes-approve",
        _pk("held"),
        "post",
        lambda c: {},
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "minutes addendum (not yet approved)",
        "meeting-minutes-addenda",
        _pk("held"),
        "post",
        lambda c: {"text": "Rettelse"},
        _expect(404, nav_adviser=400, teacher=400),
    ),
    (
        "minutes pdf (none stored yet)",
        "meeting-minutes-pdf",
        _pk("held"),
        "get",
        None,
        _expect(404),
    ),
    # Directory and documentation: no personal data, open to every staff member.
    ("api root", "api-root", _none, "get", None, _expect(200)),
    ("schema", "schema", _none, "get", None, _expect(200)),
    ("docs", "api-docs", _none, "get", None, _expect(200)),
]

# URL names this matrix covers; tests/test_access_matrix.py checks every API route is here.
API_MATRIX_NAMES = frozenset(case[1] for case in CASES)


@pytest.fixture
def ctx(participant, personas, agencies, municipality):
    from resourcegroups.models import Routine

    alice, bob = personas["nav_adviser"], personas["teacher"]
    # the planned stage-1 meeting (alice and bob invited) and a held concern meeting whose
    # minutes alice has composed and sent for approval
    meeting = participant.meetings.get(stage__number=1)
    held = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() - timedelta(days=1)
    held = group_services.meeting_schedule(
        user=alice, meeting=held, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )
    minutes = group_services.minutes_compose(user=alice, meeting=held, decisions="Plan")
    group_services.minutes_submit(user=alice, minutes=minutes)
    return {
        "participant": participant,
        "consent": participant.consents.get(agency=agencies["adult_ed"]),
        "alice": alice,
        "agency": agencies["nav"],
        "career": agencies["career"],
        "municipality": municipality,
        "routine": Routine.objects.get(status=Routine.Status.ACTIVE),
        "group": participant.resource_group,
        "meeting": meeting,
        "bob_invitee": meeting.invitees.get(staff=bob),
        "teacher_item": meeting.stage.items.filter(
            owner_role="teacher", answer_type="text"
        ).first(),
        "held": held,
        "minutes": minutes,
    }


MATRIX = [
    pytest.param(case, persona, id=f"{case[0]}-{persona}") for case in CASES for persona in PERSONAS
]


@pytest.mark.parametrize(("case", "persona"), MATRIX)
def test_permission_matrix(case, persona, ctx, personas, client_for):
    _label, name, args, method, body, expected = case
    client = client_for(personas[persona])
    kwargs = {"format": "json"} if body else {}
    url = reverse(name, args=args(ctx))
    response = getattr(client, method)(url, body(ctx) if body else None, **kwargs)
    assert response.status_code == expected[persona], response.content


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_anonymous_is_refused(case, ctx, client_for):
    _label, name, args, method, body, _expected = case
    url = reverse(name, args=args(ctx))
    response = getattr(client_for(None), method)(url, body(ctx) if body else None, format="json")
    assert response.status_code == 401
    if name not in ("schema", "api-docs"):  # rendered as YAML / HTML
        assert set(response.json()) == {"detail"}


def test_denied_detail_is_audited(ctx, personas, client_for):
    client_for(personas["counsellor"]).get(f"/api/participants/{ctx['participant'].pk}/")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, actor=personas["counsellor"])
    assert event.participant_id == ctx["participant"].pk
    assert event.channel == "api"
