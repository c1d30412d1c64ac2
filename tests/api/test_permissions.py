"""Permission matrix: persona × endpoint × method → status.

alice (nav_adviser) owns the participant; bob (teacher) is a member with consent; everybody
else sees no individuals. "Not visible" is 404 (the same as missing); "visible but not yours
to change" is 403; methods the API does not offer are 405.
"""

import pytest
from django.urls import reverse

from kmv.access.models import AuditEvent

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
    # Directory and documentation: no personal data, open to every staff member.
    ("api root", "api-root", _none, "get", None, _expect(200)),
    ("schema", "schema", _none, "get", None, _expect(200)),
    ("docs", "api-docs", _none, "get", None, _expect(200)),
]

# URL names this matrix covers; tests/test_access_matrix.py checks every API route is here.
API_MATRIX_NAMES = frozenset(case[1] for case in CASES)


@pytest.fixture
def ctx(participant, personas, agencies, municipality):
    return {
        "participant": participant,
        "consent": participant.consents.get(agency=agencies["adult_ed"]),
        "alice": personas["nav_adviser"],
        "agency": agencies["nav"],
        "career": agencies["career"],
        "municipality": municipality,
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
