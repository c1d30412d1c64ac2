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
from tests.db import rolled_back
from tests.factories import PERSONAS

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
    # own API tokens only (tests/access/test_api_tokens.py); making one needs a fresh code
    ("api token list", "api-token-list", _none, "get", None, _expect(200)),
    (
        "api token create, no code",
        "api-token-list",
        _none,
        "post",
        lambda c: {"name": "x"},
        _expect(400),
    ),
    (
        "api token revoke (not one's own)",
        "api-token-detail",
        lambda c: ["kmv_0000000000"],
        "delete",
        None,
        _expect(404),
    ),
    ("participant list", "participant-list", _none, "get", None, _expect(200)),
    # the list's filters in a body; each persona gets what the list gives them
    (
        "participant search",
        "participant-search",
        _none,
        "post",
        lambda c: {"q": "Amina"},
        _expect(200),
    ),
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
    # a participant's outcomes: read like the participant; recorded by a case worker whose
    # agency may see them (participants.outcomes.outcome_record: bob's school reports too)
    (
        "participant outcomes",
        "participant-outcomes",
        _pk("participant"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "participant outcome create",
        "participant-outcomes",
        _pk("participant"),
        "post",
        lambda c: {"status": "in_school", "since": "2026-08-15"},
        _expect(404, nav_adviser=201, teacher=201),
    ),
    (
        "participant outcome detail",
        "participant-outcome",
        lambda c: [c["participant"].pk, _outcome(c).pk],
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
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
    # Network: no participant data. Every persona's agency is a partner (sysadmin sees all);
    # cora coordinates, bob sits in the working group, leo leads a party (NAV). List GETs of
    # names that have a create case below are left out to keep the matrix fast; scoping of
    # lists is tested in tests/network/test_api.py.
    *[
        (f"network {label}", name, args, "get", None, _expect(200))
        for label, name, args in [
            ("list", "network-network-list", _none),
            ("detail", "network-network-detail", lambda c: [_net(c)["network"].pk]),
            (
                "year summary",
                "network-network-year-summary",
                lambda c: [_net(c)["network"].pk, 2026],
            ),
            ("body list", "network-body-list", _none),
            ("body detail", "network-body-detail", lambda c: [_net(c)["body"].pk]),
            ("day detail", "network-day-detail", lambda c: [_net(c)["day"].pk]),
            (
                "evaluation summary",
                "network-day-evaluation-summary",
                lambda c: [_net(c)["day"].pk],
            ),
            ("challenge detail", "network-challenge-detail", lambda c: [_net(c)["new"].pk]),
            ("solution group list", "network-solution-group-list", _none),
            (
                "solution group detail",
                "network-solution-group-detail",
                lambda c: [_net(c)["group"].pk],
            ),
            ("action detail", "network-action-detail", lambda c: [_net(c)["action"].pk]),
            ("agreement list", "network-agreement-list", _none),
            (
                "agreement detail",
                "network-agreement-detail",
                lambda c: [_net(c)["agreement"].pk],
            ),
            (
                "routine change detail",
                "network-routine-change-detail",
                lambda c: [_net(c)["change"].pk],
            ),
        ]
    ],
    (
        "network meeting detail (body-internal)",
        "network-meeting-detail",
        lambda c: [_net(c)["meeting"].pk],
        "get",
        None,
        _expect(404, coordinator=200, teacher=200),
    ),
    (
        "network agenda item detail (body-internal)",
        "network-agenda-item-detail",
        lambda c: [_net(c)["item"].pk],
        "get",
        None,
        _expect(404, coordinator=200, teacher=200),
    ),
    (
        "network meeting create",
        "network-meeting-list",
        _none,
        "post",
        lambda c: {
            "body": _net(c)["body"].pk,
            "title": "AG",
            "start": "2026-10-01T09:00:00+02:00",
            "end": "2026-10-01T11:00:00+02:00",
        },
        _expect(403, coordinator=201),
    ),
    (
        "network agenda add",
        "network-meeting-agenda",
        lambda c: [_net(c)["meeting"].pk],
        "post",
        lambda c: {"title": "Sak", "kind": "information"},
        _expect(404, coordinator=201, teacher=201),
    ),
    (
        "network agenda decision",
        "network-agenda-item-decision",
        lambda c: [_net(c)["item"].pk],
        "post",
        lambda c: {"decision": "Ja"},
        _expect(404, coordinator=200, teacher=403),
    ),
    (
        "network minutes publish",
        "network-meeting-publish",
        lambda c: [_net(c)["meeting"].pk],
        "post",
        lambda c: {"summary": "ok"},
        _expect(404, coordinator=200, teacher=403),
    ),
    (
        "network body member add",
        "network-body-members",
        lambda c: [_net(c)["body"].pk],
        "post",
        lambda c: {"user": c["alice"].pk, "role": "member", "starts_on": "2026-01-01"},
        _expect(403, coordinator=201),
    ),
    (
        "network day create",
        "network-day-list",
        _none,
        "post",
        lambda c: {
            "network": _net(c)["network"].pk,
            "kind": "workshop",
            "theme": "Vigo",
            "date": "2026-09-01",
            "place": "Tangen",
        },
        _expect(403, coordinator=201),
    ),
    (
        "network evaluation submit (unknown token)",
        "network-evaluation-list",
        _none,
        "post",
        lambda c: {"token": "x" * 43, "usefulness": 3},
        _expect(400),
    ),
    (
        "network challenge create",
        "network-challenge-list",
        _none,
        "post",
        lambda c: {
            "network": _net(c)["network"].pk,
            "title": "Engelskkrav",
            "source": "working_group",
        },
        _expect(201),
    ),
    (
        "network challenge triage",
        "network-challenge-triage",
        lambda c: [_net(c)["new"].pk],
        "post",
        lambda c: {"outcome": "closed", "reason": "Løst"},
        _expect(403, coordinator=200, teacher=200),
    ),
    (
        "network status report",
        "network-solution-group-status-reports",
        lambda c: [_net(c)["group"].pk],
        "post",
        lambda c: {"text": "Praksis flyttet"},
        _expect(403, coordinator=201, leader=201),
    ),
    (
        "network party check",
        "network-solution-group-check",
        lambda c: [_net(c)["group"].pk],
        "post",
        lambda c: {"works": True, "implementation_date": "2026-08-01"},
        _expect(403, coordinator=200, leader=200),
    ),
    (
        "network action create",
        "network-action-list",
        _none,
        "post",
        lambda c: {
            "meeting": _net(c)["action"].meeting_id,
            "description": "Del lister",
            "owner": _net(c)["leo"].pk,
            "due_on": "2026-09-01",
        },
        _expect(403, coordinator=201, leader=201),
    ),
    (
        "network action done",
        "network-action-done",
        lambda c: [_net(c)["action"].pk],
        "post",
        None,
        _expect(403, coordinator=200, leader=200),
    ),
    (
        "network routine change propose",
        "network-routine-change-list",
        _none,
        "post",
        lambda c: {
            "agreement": _net(c)["agreement"].pk,
            "routine_id": 999,
            "routine_label": "v9",
            "summary": "x",
            "effective_from": "2026-09-01",
        },
        _expect(403, coordinator=201),
    ),
    (
        "network routine change approve",
        "network-routine-change-approve",
        lambda c: [_net(c)["change"].pk],
        "post",
        None,
        _expect(403, leader=200),
    ),
    (
        "network create",
        "network-network-list",
        _none,
        "post",
        lambda c: {"name": "Nettverk Telemark", "region": "Telemark", "agencies": _two(c)},
        _expect(403, coordinator=201, sysadmin=201),
    ),
    (
        "network membership detail",
        "network-membership-detail",
        lambda c: [_net(c)["membership"].pk],
        "get",
        None,
        _expect(200),
    ),
    (
        "network membership end",
        "network-membership-end",
        lambda c: [_net(c)["membership"].pk],
        "post",
        lambda c: {"ends_on": "2026-06-30"},
        _expect(403, coordinator=200),
    ),
    (
        "network day register (open day)",
        "network-day-register",
        lambda c: [_net(c)["day"].pk],
        "post",
        None,
        _expect(200),
    ),
    (
        "network day unregister (not registered)",
        "network-day-unregister",
        lambda c: [_net(c)["day"].pk],
        "post",
        None,
        _expect(400),
    ),
    (
        "network day registrations",
        "network-day-registrations",
        lambda c: [_net(c)["day"].pk],
        "get",
        None,
        _expect(403, coordinator=200),
    ),
    (
        "network day attendance",
        "network-day-attendance",
        lambda c: [_net(c)["day"].pk],
        "post",
        lambda c: {"present": []},
        _expect(403, coordinator=200),
    ),
    (
        "network solution group close",
        "network-solution-group-close",
        lambda c: [_net(c)["group"].pk],
        "post",
        lambda c: {"solved": True, "outcome": "Felles liste"},
        _expect(403, coordinator=200),
    ),
    (
        "network agreement create",
        "network-agreement-list",
        _none,
        "post",
        lambda c: {
            "network": _net(c)["network"].pk,
            "title": "Avtale 2027",
            "effective_from": "2027-01-01",
            "parties": _two(c),
            "routine_id": c["routine"].pk,
        },
        _expect(403, coordinator=201),
    ),
    (
        "network agreement document (none stored)",
        "network-agreement-document",
        lambda c: [_net(c)["agreement"].pk],
        "get",
        None,
        _expect(404),
    ),
    (
        "network agreement signatory",
        "network-agreement-signatories",
        lambda c: [_net(c)["agreement"].pk],
        "post",
        lambda c: {"leader": _net(c)["leo"].pk, "signed_on": "2026-01-02"},
        _expect(403, coordinator=201),
    ),
    # Reports: suppressed aggregates for staff in the network (not interpreters); the
    # drill-down lists only participants_for(user) (tests/reports/test_api.py)
    ("report list", "report-list", _none, "get", None, _expect(200, interpreter=403)),
    (
        "report detail",
        "report-detail",
        lambda c: ["cohorts"],
        "get",
        None,
        _expect(200, interpreter=403),
    ),
    (
        "report detail (unknown)",
        "report-detail",
        lambda c: ["nope"],
        "get",
        None,
        _expect(404, interpreter=403),
    ),
    (
        "report drill-down",
        "report-participants",
        lambda c: ["with_group"],
        "get",
        None,
        _expect(200, interpreter=403),
    ),
    (
        "report put",
        "report-detail",
        lambda c: ["cohorts"],
        "put",
        lambda c: {},
        _expect(405, interpreter=403),
    ),
    # multipart only: case workers get past the permission check to 415 for a JSON body
    (
        "outcome import (JSON body)",
        "outcome-import-list",
        _none,
        "post",
        lambda c: {"dry_run": True},
        {name: 415 if name in CASE_WORKERS else 403 for name in PERSONAS},
    ),
    ("outcome export", "outcome-export-list", _none, "get", None, _expect(200, interpreter=403)),
    # settled figures: public statistics; coordinators, leaders and administrators import
    (
        "settled import (JSON body)",
        "settled-import-list",
        _none,
        "post",
        lambda c: {"dry_run": True},
        _expect(403, coordinator=415, leader=415, sysadmin=415),
    ),
    ("settled export", "settled-export-list", _none, "get", None, _expect(200, interpreter=403)),
    # Rounds: advisers of the round's agency (alice); every other caller gets 404 for a round.
    ("round list", "round-list", _none, "get", None, _expect(200)),
    (
        "round create",
        "round-list",
        _none,
        "post",
        lambda c: {
            "title": "Runde",
            "days": [{"date": "2027-02-02", "start": "09:00", "end": "12:00"}],
            "stages": [c["routine"].stages.get(number=1).pk],
        },
        _expect(403, nav_adviser=201, follow_up=201),
    ),
    (
        "round detail",
        "round-detail",
        lambda c: [_round(c)["round"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200),
    ),
    (
        "round proposal",
        "round-proposal",
        lambda c: [_round(c)["round"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200),
    ),
    (
        "round entries add",
        "round-entries",
        lambda c: [_round(c)["round"].pk],
        "post",
        lambda c: {"meetings": [c["meeting"].pk]},
        _expect(404, nav_adviser=200),
    ),
    (
        "round availability",
        "round-availability",
        lambda c: [_round(c)["round"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200),
    ),
    (
        "round generate",
        "round-generate",
        lambda c: [_round(c)["round"].pk],
        "post",
        None,
        _expect(404, nav_adviser=202),
    ),
    (
        "round schedule",
        "round-schedule",
        lambda c: [_round(c)["round"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200),
    ),
    (
        "round move",
        "round-move",
        lambda c: [_round(c)["round"].pk],
        "post",
        lambda c: {
            "entry": _round(c)["entry"].pk,
            "day": _round(c)["round"].days.get().pk,
            "slot": 0,
            "room": _round(c)["room"].pk,
        },
        _expect(404, nav_adviser=200),
    ),
    (
        "round swap (unplaced)",
        "round-swap",
        lambda c: [_round(c)["round"].pk],
        "post",
        lambda c: {"a": _round(c)["entry"].pk, "b": _round(c)["entry"].pk},
        _expect(404, nav_adviser=400),
    ),
    (
        "round lock (unplaced)",
        "round-lock",
        lambda c: [_round(c)["round"].pk],
        "post",
        lambda c: {"entry": _round(c)["entry"].pk, "locked": True},
        _expect(404, nav_adviser=400),
    ),
    (
        "round publish",
        "round-publish",
        lambda c: [_round(c)["round"].pk],
        "post",
        None,
        _expect(404, nav_adviser=200),
    ),
    (
        "round invitations",
        "round-invitations",
        lambda c: [_round(c)["round"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200),
    ),
    # Rooms and interpreters: planners (rooms: own agency) and system administrators.
    ("room list", "room-list", _none, "get", None, _expect(200)),
    (
        "room create",
        "room-list",
        _none,
        "post",
        lambda c: {"name": "Rom X", "capacity": 6, "agency": c["agency"].pk},
        _expect(403, nav_adviser=201, follow_up=201, sysadmin=201),
    ),
    (
        "room detail",
        "room-detail",
        lambda c: [_round(c)["room"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200, sysadmin=200),
    ),
    (
        "room deactivate",
        "room-detail",
        lambda c: [_round(c)["room"].pk],
        "patch",
        lambda c: {"active": False, "version": 1},
        _expect(404, nav_adviser=200, sysadmin=200),
    ),
    ("interpreter list", "interpreter-list", _none, "get", None, _expect(200)),
    (
        "interpreter create",
        "interpreter-list",
        _none,
        "post",
        lambda c: {"name": "Tolk X", "languages": ["ar"]},
        _expect(403, nav_adviser=201, follow_up=201, sysadmin=201),
    ),
    (
        "interpreter detail",
        "interpreter-detail",
        lambda c: [_availability(c)["tolk"].pk],
        "get",
        None,
        _expect(404, nav_adviser=200, follow_up=200, sysadmin=200),
    ),
    (
        "interpreter edit",
        "interpreter-detail",
        lambda c: [_availability(c)["tolk"].pk],
        "patch",
        lambda c: {"phone": "12345678"},
        _expect(404, nav_adviser=200, follow_up=200, sysadmin=200),
    ),
    # interpreter availability windows: planners, administrators, the interpreter (ina)
    ("interpreter windows", "interpreter-window-list", _none, "get", None, _expect(200)),
    (
        "interpreter window add",
        "interpreter-window-list",
        _none,
        "post",
        lambda c: {
            "interpreter": _availability(c)["tolk"].pk,
            "date": "2099-01-05",
            "start": "09:00",
            "end": "12:00",
        },
        _expect(403, nav_adviser=201, follow_up=201, sysadmin=201, interpreter=201),
    ),
    (
        "interpreter window delete",
        "interpreter-window-detail",
        lambda c: [_availability(c)["window"].pk],
        "delete",
        None,
        _expect(404, nav_adviser=204, follow_up=204, sysadmin=204, interpreter=204),
    ),
    ("interpreter bookings", "interpreter-booking-list", _none, "get", None, _expect(200)),
    # my availability: one's own blocks only
    ("my availability", "staff-block-list", _none, "get", None, _expect(200)),
    (
        "my availability add",
        "staff-block-list",
        _none,
        "post",
        lambda c: {"date": "2099-01-05", "start": "09:00", "end": "10:00"},
        _expect(201),
    ),
    (
        "my availability delete (alice's)",
        "staff-block-detail",
        lambda c: [_availability(c)["block"].pk],
        "delete",
        None,
        _expect(404, nav_adviser=204),
    ),
    (
        "meeting invitation status",
        "notify-invitation-detail",
        _pk("meeting"),
        "get",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    # Directory and documentation: no personal data, open to every staff member.
    ("api root", "api-root", _none, "get", None, _expect(200)),
    ("schema", "schema", _none, "get", None, _expect(200)),
    ("docs", "api-docs", _none, "get", None, _expect(200)),
]


def _outcome(c):
    """One recorded status of the participant (alice's), made on first use."""
    from datetime import date

    from participants.outcomes import outcome_record

    if "_outcome" not in c:
        c["_outcome"] = outcome_record(
            user=c["alice"],
            participant=c["participant"],
            status="in_school",
            since=date(2026, 1, 5),
        )
    return c["_outcome"]


def _net(c):
    """The network objects for the network cases, made once per test."""
    if "_net" not in c:
        from datetime import date, datetime

        from kmv.access.models import Agency, User
        from network import services as net

        users = {u.username: u for u in User.objects.filter(username__in=["cora", "bob", "leo"])}
        cora, bob, leo = users["cora"], users["bob"], users["leo"]
        network = net.network_create(
            user=cora, name="Nettverk Agder", region="Agder", agencies=list(Agency.objects.all())
        )
        body = network.bodies.get(kind="working")
        membership = net.member_add(
            user=cora, body=body, person=bob, role="member", starts_on=date(2025, 1, 1)
        )
        start = timezone.make_aware(datetime(2026, 9, 1, 9))
        meeting = net.meeting_create(
            user=cora, body=body, title="AG", start=start, end=start + timedelta(hours=2)
        )
        item = net.agenda_item_add(user=bob, meeting=meeting, title="Fagdag", kind="information")
        day = net.day_create(
            user=cora,
            network=network,
            kind="open",
            theme="Fagdag",
            date=date(2026, 3, 2),
            place="Kristiansand",
        )
        new = net.challenge_raise(user=bob, network=network, title="Ny", source="other")
        triaged = net.challenge_raise(user=bob, network=network, title="Praksis", source="other")
        net.challenge_triage(user=cora, challenge=triaged, outcome="solution_group")
        group = triaged.solution_group
        net.solution_member_add(user=cora, group=group, person=leo, decision_power=True)
        solution_meeting = net.solution_meeting_record(
            user=cora, group=group, date=date(2026, 3, 1), options_discussed="A, B"
        )
        action = net.action_add(
            user=cora,
            meeting=solution_meeting,
            description="Lister",
            owner=leo,
            due_on=date(2026, 9, 1),
        )
        agreement = net.agreement_create(
            user=cora,
            network=network,
            title="Avtale",
            effective_from=date(2026, 1, 1),
            parties=[leo.agency, cora.agency],
            routine_id=c["routine"].pk,
            routine_label="v1",
        )
        change = net.routine_change_propose(
            user=cora,
            agreement=agreement,
            routine_id=c["routine"].pk + 1,
            routine_label="v2",
            summary="x",
            effective_from=date(2026, 9, 1),
        )
        c["_net"] = {
            "network": network,
            "body": body,
            "meeting": meeting,
            "item": item,
            "day": day,
            "new": new,
            "group": group,
            "action": action,
            "agreement": agreement,
            "change": change,
            "leo": leo,
            "membership": membership,
        }
    return c["_net"]


def _two(c):
    """Two partner agencies including the coordinator's own (cora: the career centre)."""
    return [c["agency"].pk, c["career"].pk]


def _round(c):
    """alice's draft round with the participant's stage-1 meeting, made once per test."""
    if "_round" not in c:
        from datetime import date, time

        from resourcegroups.models import Interpreter, Room
        from resourcegroups.services import rounds as round_services

        room = Room.objects.create(agency=c["agency"], name="Rom 1")
        tolk = Interpreter.objects.create(name="Tolk", languages=["ti"])
        rnd = round_services.round_create(
            user=c["alice"],
            title="Runde",
            days=[(date(2027, 2, 2), time(9), time(12))],
            stages=[c["meeting"].stage],
            rooms=[room],
            interpreters=[tolk],
        )
        round_services.entries_add(user=c["alice"], rnd=rnd, meetings=[c["meeting"]])
        c["_round"] = {"round": rnd, "room": room, "entry": rnd.entries.get()}
    return c["_round"]


def _availability(c):
    """An interpreter with a user (ina) and an availability window; alice's own block."""
    if "_availability" not in c:
        from datetime import date, time

        from kmv.access.models import User
        from resourcegroups.models.rounds import Interpreter, InterpreterWindow, StaffBlock

        tolk = Interpreter.objects.create(
            name="Ina Tolk", languages=["ti"], user=User.objects.get(username="ina")
        )
        window = InterpreterWindow.objects.create(
            interpreter=tolk, date=date(2099, 1, 5), start=time(9), end=time(12)
        )
        block = StaffBlock.objects.create(
            staff=c["alice"], date=date(2099, 1, 5), start=time(9), end=time(10)
        )
        c["_availability"] = {"tolk": tolk, "window": window, "block": block}
    return c["_availability"]


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


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, ctx, personas, client_for):
    """Every persona in turn on one set-up, each in a savepoint undone afterwards (a write by
    one persona cannot change what the next one meets)."""
    _label, name, args, method, body, expected = case
    kwargs = {"format": "json"} if body else {}
    # built before the savepoints: the helpers create objects on first use
    url = reverse(name, args=args(ctx))
    data = body(ctx) if body else None
    wrong = []
    for persona in PERSONAS:
        with rolled_back():
            client = client_for(personas[persona])
            response = getattr(client, method)(url, data, **kwargs)
        if response.status_code != expected[persona]:
            wrong.append((persona, response.status_code, expected[persona], response.content[:300]))
    assert wrong == [], wrong


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
