"""Permission matrix: persona × endpoint × method → status.

alice (nav_adviser) owns the participant; bob (teacher) is a member with consent; everybody
else sees no individuals. "Not visible" is 404 (the same as missing); "visible but not yours
to change" is 403; methods the API does not offer are 405.
"""

import pytest

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


# (name, method, url builder, body builder, expected status per persona)
CASES = [
    ("agency list", "get", lambda c: "/api/agencies/", None, _expect(200)),
    ("agency detail", "get", lambda c: f"/api/agencies/{c['agency'].pk}/", None, _expect(200)),
    ("agency create", "post", lambda c: "/api/agencies/", lambda c: {"name": "X"}, _expect(405)),
    ("staff list", "get", lambda c: "/api/staff/", None, _expect(200)),
    (
        "staff detail (alice)",
        "get",
        lambda c: f"/api/staff/{c['alice'].pk}/",
        None,
        _expect(404, nav_adviser=200, leader=200, sysadmin=200),
    ),
    ("participant list", "get", lambda c: "/api/participants/", None, _expect(200)),
    (
        "participant detail",
        "get",
        lambda c: f"/api/participants/{c['participant'].pk}/",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "participant detail (missing)",
        "get",
        lambda c: "/api/participants/999999/",
        None,
        _expect(404),
    ),
    (
        "participant create",
        "post",
        lambda c: "/api/participants/",
        _participant_body,
        {name: 201 if name in CASE_WORKERS else 403 for name in PERSONAS},
    ),
    (
        "participant patch",
        "patch",
        lambda c: f"/api/participants/{c['participant'].pk}/",
        lambda c: {"phone": "+47 400 00 000", "version": c["participant"].version},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "participant put",
        "put",
        lambda c: f"/api/participants/{c['participant'].pk}/",
        lambda c: _participant_body(
            c,
            date_of_birth="1991-03-14",
            interpreter_needed=True,
            interpreter_language="ti",
            version=c["participant"].version,
        ),
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "participant delete",
        "delete",
        lambda c: f"/api/participants/{c['participant'].pk}/",
        None,
        _expect(405),
    ),
    ("consent list", "get", lambda c: "/api/consents/", None, _expect(200)),
    (
        "consent detail",
        "get",
        lambda c: f"/api/consents/{c['consent'].pk}/",
        None,
        _expect(404, nav_adviser=200, teacher=200),
    ),
    (
        "consent create",
        "post",
        lambda c: "/api/consents/",
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
        "post",
        lambda c: f"/api/consents/{c['consent'].pk}/withdraw/",
        lambda c: {},
        _expect(404, nav_adviser=200, teacher=403),
    ),
    (
        "consent patch",
        "patch",
        lambda c: f"/api/consents/{c['consent'].pk}/",
        lambda c: {"purpose": "Other"},
        _expect(405),
    ),
    (
        "consent delete",
        "delete",
        lambda c: f"/api/consents/{c['consent'].pk}/",
        None,
        _expect(405),
    ),
]


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
    pytest.param(case, persona, id=f"{case[0]}-{persona}")
    for case in CASES
    for persona in PERSONAS
]


@pytest.mark.parametrize(("case", "persona"), MATRIX)
def test_permission_matrix(case, persona, ctx, personas, client_for):
    _name, method, url, body, expected = case
    client = client_for(personas[persona])
    kwargs = {"format": "json"} if body else {}
    response = getattr(client, method)(url(ctx), body(ctx) if body else None, **kwargs)
    assert response.status_code == expected[persona], response.content


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_anonymous_is_refused(case, ctx, client_for):
    _name, method, url, body, _expected = case
    response = getattr(client_for(None), method)(url(ctx), body(ctx) if body else None, format="json")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


def test_denied_detail_is_audited(ctx, personas, client_for):
    client_for(personas["counsellor"]).get(f"/api/participants/{ctx['participant'].pk}/")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, actor=personas["counsellor"])
    assert event.participant_id == ctx["participant"].pk
    assert event.channel == "api"
