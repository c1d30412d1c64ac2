"""The access matrix: every role × every participant page and endpoint × participant state.

Participant states (see `states` below):
- own: registered by the NAV office (alice's agency); NAV follow-up holds consent but is
  not in the group, so it sees nothing
- consented: bob's adult-education unit is in the group with active consent
- withdrawn: charlie's career centre was in the group, its consent is withdrawn
- unrelated: registered by another NAV office; nobody here has any link to it

`test_every_url_pattern_is_in_the_matrix` fails when a new URL is added without a row here.
"""

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kmv.access.models import Agency, Role
from participants import services as participant_services
from resourcegroups import services as group_services
from tests.db import rolled_back
from tests.factories import PERSONAS, AgencyFactory, UserFactory
from tests.resourcegroups.test_routines import ROUTINE_OBJECT_URLS

pytestmark = pytest.mark.django_db

STATES = ["own", "consented", "withdrawn", "unrelated"]

# Who may VIEW a participant in each state. Everyone else gets 404 (no existence leak).
VIEWERS = {
    "own": {"nav_adviser"},
    "consented": {"nav_adviser", "teacher"},
    "withdrawn": {"nav_adviser"},
    "unrelated": set(),
}
# Who may CHANGE: the registering agency's case workers only.
CHANGERS = {
    "own": {"nav_adviser"},
    "consented": {"nav_adviser"},
    "withdrawn": {"nav_adviser"},
    "unrelated": set(),
}


@pytest.fixture
def states(personas, municipality):
    alice = personas["nav_adviser"]

    def register(user, last_name):
        return participant_services.participant_create(
            user=user,
            first_name="Matrix",
            last_name=last_name,
            date_of_birth=date(1990, 4, 1),
            municipality=municipality,
        )

    own = register(alice, "Ownqx")
    # consent without membership grants nothing: NAV follow-up is not in the group
    participant_services.consent_record(
        user=alice,
        participant=own,
        agency=personas["follow_up"].agency,
        category="nav_benefits",
        purpose="Work measures",
        basis="legal",
        legal_basis="integreringsloven § 40",
    )
    consented = register(alice, "Consentedqx")
    participant_services.consent_record(
        user=alice,
        participant=consented,
        agency=personas["teacher"].agency,
        category="plan_meetings",
        purpose="RG",
    )
    group_services.membership_add(user=alice, participant=consented, staff=personas["teacher"])
    withdrawn = register(alice, "Withdrawnqx")
    consent = participant_services.consent_record(
        user=alice,
        participant=withdrawn,
        agency=personas["counsellor"].agency,
        category="plan_meetings",
        purpose="RG",
    )
    group_services.membership_add(user=alice, participant=withdrawn, staff=personas["counsellor"])
    participant_services.consent_withdraw(user=alice, consent=consent)
    other_nav = AgencyFactory(name="NAV Elsewhere", kind=Agency.Kind.NAV_INTEGRATION)
    stranger = UserFactory(username="zed", agency=other_nav, role=Role.PROGRAMME_ADVISER)
    unrelated = register(stranger, "Unrelatedqx")
    return {"own": own, "consented": consented, "withdrawn": withdrawn, "unrelated": unrelated}


def _consent_pk(p):
    c = p.consents.first()
    return c.pk if c else 999999


def _membership_pk(p):
    m = p.resource_group.memberships.first()
    return m.pk if m else 999999


def _meeting(p):
    """The participant's first meeting; the matrix participants have no milestones, so a
    concern meeting (responsible: programme adviser) is made by the registering adviser."""
    meeting = p.meetings.order_by("pk").first()
    if meeting is None:
        meeting = group_services.meeting_create_concern(
            user=p.created_by, participant=p, reason="Matrix"
        )
    return meeting


def _adviser_item(p):
    meeting = _meeting(p)
    item = meeting.stage.items.filter(owner_role=Role.PROGRAMME_ADVISER).first()
    return [meeting.pk, item.pk]


def _approved_minutes(p):
    """Approved minutes of `_meeting(p)` with stored (fake) PDF bytes: the archive pages are
    about access, not rendering (tests/resourcegroups/test_archive.py renders)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from resourcegroups.models import Minutes

    minutes, _created = Minutes.objects.get_or_create(meeting=_meeting(p))
    if not minutes.pdf:
        data = b"%PDF-1.7 matrix"
        minutes.status, minutes.locked_at = Minutes.Status.APPROVED, timezone.now()
        minutes.pdf_sha256 = hashlib.sha256(data).hexdigest()
        minutes.pdf.save("matrix.pdf", ContentFile(data))
    return [minutes.pk]


# url name -> (args builder, [(method, which rule)])
# rule "view": 200 for VIEWERS else 404; "change": 200/302 for CHANGERS else 404.
PARTICIPANT_URLS = {
    "participants:detail": (lambda p: [p.pk], [("get", "view")]),
    "participants:edit": (lambda p: [p.pk], [("get", "change")]),
    "participants:consent_create": (lambda p: [p.pk], [("get", "change")]),
    "participants:consent_withdraw": (lambda p: [p.pk, _consent_pk(p)], [("post", "change")]),
    "participants:consent_document": (lambda p: [p.pk, _consent_pk(p)], [("get", "view-document")]),
    "participants:access_log": (lambda p: [p.pk], [("get", "change")]),
    "participants:outcome_create": (lambda p: [p.pk], [("get", "view")]),
    "participants:erase_request": (lambda p: [p.pk], [("get", "change")]),
    "resourcegroups:membership_add": (lambda p: [p.pk], [("get", "change")]),
    "resourcegroups:membership_end": (lambda p: [p.pk, _membership_pk(p)], [("post", "change")]),
    "resourcegroups:plan": (lambda p: [p.pk], [("get", "view")]),
    "resourcegroups:concern_create": (lambda p: [p.pk], [("post", "take-part")]),
    "resourcegroups:meeting": (lambda p: [_meeting(p).pk], [("get", "view")]),
    "resourcegroups:meeting_book": (lambda p: [_meeting(p).pk], [("post", "manage")]),
    "resourcegroups:meeting_status": (lambda p: [_meeting(p).pk], [("post", "manage")]),
    "resourcegroups:attendance": (lambda p: [_meeting(p).pk], [("post", "manage")]),
    "resourcegroups:checklist_answer": (lambda p: _adviser_item(p), [("post", "manage")]),
    "resourcegroups:note_save": (lambda p: [_meeting(p).pk], [("post", "take-part")]),
    "resourcegroups:minutes": (lambda p: [_meeting(p).pk], [("get", "view"), ("post", "manage")]),
    "resourcegroups:minutes_submit": (lambda p: [_meeting(p).pk], [("post", "manage")]),
    "resourcegroups:minutes_approve": (lambda p: [_meeting(p).pk], [("post", "take-part")]),
    "resourcegroups:minutes_addendum": (lambda p: [_meeting(p).pk], [("post", "take-part")]),
    "resourcegroups:summary": (lambda p: [_meeting(p).pk], [("get", "view")]),
    # owner agency or an agency at the meeting (the consented teacher is invited); others 404
    "archive:detail": (_approved_minutes, [("get", "view")]),
    "archive:copy": (_approved_minutes, [("get", "view")]),
}

# Pages without a participant in the path, and who gets what (default 200 for every persona).
GENERAL_URLS = {
    "home": {},
    "participants:list": {},
    "resourcegroups:my_meetings": {},  # lists only what meetings_for(user) allows
    "resourcegroups:due_meetings": {},
    "participants:create": {"forbidden": {"coordinator", "leader", "sysadmin", "interpreter"}},
    # the owner agency's retention report: only its own participants (case workers)
    "participants:retention": {"forbidden": {"coordinator", "leader", "sysadmin", "interpreter"}},
    "login": {"redirect": set(PERSONAS)},  # logged-in users are sent on
    "logout": {"skip": "POST only; covered by the security tests"},
    "two_factor": {"redirect": set(PERSONAS)},  # 2FA off in this matrix: nothing to verify
    "two_factor_setup": {},
    "password_change": {},
    "password_change_done": {},
    "password_reset": {},
    "password_reset_done": {},
    "password_reset_confirm": {"skip": "token URL; covered by the security tests"},
    "password_reset_complete": {},
    "preferences": {},
    "api_tokens": {},  # own tokens only
    "api_token_revoke": {"skip": "POST with one's own token key; tests/access/test_api_tokens.py"},
    "routines:list": {},  # the agreed routine is not personal data: all staff read it
    **dict.fromkeys(
        ROUTINE_OBJECT_URLS,
        {
            "skip": "routine/stage/item pk in the path: every persona in "
            "tests/resourcegroups/test_routines.py::test_access_matrix_for_routine_pages"
        },
    ),
    "audit_log": {
        "forbidden": {
            "nav_adviser",
            "follow_up",
            "teacher",
            "counsellor",
            "school_adviser",
            "interpreter",
        }
    },
    "notify:outbox": {"forbidden": set(PERSONAS) - {"sysadmin"}},
    # the network area holds no participant data; object pages are tested per persona in
    # tests/network/test_views.py (coordinator, member, outsider → 404, body-internal items)
    "network:home": {},  # lists only the networks of the user's agency
    "network:feedback_overview": {"forbidden": set(PERSONAS) - {"coordinator", "leader"}},
    "network:feedback_paper": {"forbidden": {"coordinator", "leader", "sysadmin", "interpreter"}},
    "network:feedback_print": {"forbidden": {"coordinator", "leader", "sysadmin", "interpreter"}},
    "network:create": {"forbidden": set(PERSONAS) - {"coordinator", "sysadmin"}},
    "network:challenge_from_practice": {
        "skip": "POST only, text only; tests/network/test_views.py (from the minutes page)"
    },
    **dict.fromkeys(
        [
            "network:detail",
            "network:year_summary",
            "network:year_summary_pdf",
            "network:day_create",
            "network:challenges",
            "network:meeting_create",
            "network:meeting",
            "network:agenda_item_add",
            "network:minutes_publish",
            "network:meeting_invite",
            "network:minutes_pdf",
            "network:agenda_decision",
            "network:day",
            "network:day_held",
            "network:day_invite",
            "network:day_register",
            "network:day_attendance",
            "network:evaluation_summary",
            "network:evaluation_summary_pdf",
            "network:evaluation_to_challenges",
            "network:challenge",
            "network:solution_group",
            "network:agreement",
            "network:change_approve",
            "network:agreement_create",
            "network:signatory_add",
            "network:body",
            "network:membership_end",
            "network:solution_group_close",
            "network:agreement_document",
            "network:agenda_document",
        ],
        {"skip": "network object pk in the path: tests/network/test_views.py"},
    ),
    **dict.fromkeys(
        ["network:evaluate", "network:feedback"],
        {"skip": "anonymous single-use token URL: tests/network/test_views.py"},
    ),
    # rounds: programme and follow-up advisers, their own agency's rounds only
    **dict.fromkeys(
        ["rounds:list", "rounds:create"],
        {"forbidden": set(PERSONAS) - {"nav_adviser", "follow_up"}},
    ),
    # rooms and the interpreter register: round planners and system administrators
    **dict.fromkeys(
        ["rounds:rooms", "rounds:interpreters"],
        {"forbidden": set(PERSONAS) - {"nav_adviser", "follow_up", "sysadmin"}},
    ),
    "rounds:my_availability": {},  # one's own unavailable times only
    "rounds:interpreter_bookings": {"forbidden": set(PERSONAS) - {"interpreter"}},
    **dict.fromkeys(
        [
            "rounds:room_edit",
            "rounds:interpreter_edit",
            "rounds:interpreter_windows",
            "rounds:interpreter_window_delete",
            "rounds:my_availability_delete",
        ],
        {
            "skip": "object pk in the path: every persona in "
            "tests/resourcegroups/test_round_resources.py"
        },
    ),
    # joint information days: the career centre and adult education organise them
    "rounds:info_days": {"forbidden": set(PERSONAS) - {"teacher", "counsellor"}},
    **dict.fromkeys(
        [
            "rounds:detail",
            "rounds:progress",
            "rounds:proposal",
            "rounds:availability",
            "rounds:generate",
            "rounds:publish",
            "rounds:swap",
            "rounds:move",
            "rounds:lock",
            "rounds:timetable_pdf",
            "rounds:info_day",
        ],
        {"skip": "round pk in the path: every persona in tests/resourcegroups/test_rounds.py"},
    ),
    "feeds:settings": {},  # own calendar links only
    "feeds:revoke": {"skip": "POST with one's own token id; tests/notify/test_feeds.py"},
    "feeds:feed": {"skip": "token URL, no login; tests/notify/test_feeds.py"},
    "set_language": {"skip": "Django's own view (POST, no personal data)"},
    # reports: suppressed aggregates for staff in the network; drill-downs list only
    # participants_for(user) (tests/reports/test_views.py, every persona)
    "reports:dashboard": {"forbidden": {"interpreter"}},
    "reports:drill_down": {"skip": "needs a cell; every persona in tests/reports/test_views.py"},
    "reports:export_csv": {"skip": "table key in the path; every persona in tests/reports"},
    "reports:pdf": {"skip": "renders a PDF; tests/reports/test_views.py"},
    "reports:settled": {"forbidden": set(PERSONAS) - {"coordinator", "leader", "sysadmin"}},
    "reports:settled_import": {"forbidden": set(PERSONAS) - {"coordinator", "leader", "sysadmin"}},
    "reports:settled_import_commit": {"skip": "POST only; tests/reports/test_settled_io.py"},
    "reports:settled_template": {"forbidden": {"interpreter"}},
    "reports:settled_export": {"forbidden": {"interpreter"}},
    "reports:import": {"forbidden": {"coordinator", "leader", "sysadmin", "interpreter"}},
    "reports:import_commit": {"skip": "POST only; tests/reports/test_imports.py"},
    "reports:import_status": {"skip": "job token in the path; owner only, tests/reports"},
    "reports:import_template": {"forbidden": {"interpreter"}},
    "reports:export_outcomes": {"forbidden": {"interpreter"}},
}

API_URLS_COVERED_ELSEWHERE = (
    "api"  # names under the api are covered by tests/api/test_permissions.py
)


def _all_url_names():
    names = set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:" if namespace else f"{p.namespace}:"
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add((prefix + str(p.pattern), f"{namespace}{p.name}"))

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_url_pattern_is_in_the_matrix():
    from tests.api.test_permissions import API_MATRIX_NAMES

    missing = []
    for route, name in _all_url_names():
        if name.startswith("admin:"):
            continue  # the admin is tested by test_admin_shows_only_permitted_rows
        if route.startswith("api/"):
            if name not in API_MATRIX_NAMES:
                missing.append(name)
            continue
        if name not in PARTICIPANT_URLS and name not in GENERAL_URLS:
            missing.append(name)
    assert missing == [], f"URL patterns without a row in the access matrix: {sorted(set(missing))}"


def _expected(rule: str, persona: str, state: str) -> set[int]:
    if rule == "view":
        return {200} if persona in VIEWERS[state] else {404}
    if rule == "view-document":
        # no signed form uploaded in this matrix: visible participants answer 404 too, the
        # point is that nobody gets a 200 or a 500
        return {404}
    if rule == "manage":
        # meeting actions of the responsible adviser: other viewers get 403, outsiders 404;
        # the matrix posts junk, so a manager may also get the form back (400)
        if persona in CHANGERS[state]:
            return {200, 302, 400}
        return {403} if persona in VIEWERS[state] else {404}
    if rule == "take-part":
        # any viewer takes part (own notes, approval, addenda, concern); outsiders 404
        return {200, 302, 400} if persona in VIEWERS[state] else {404}
    return {200, 302} if persona in CHANGERS[state] else {404}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", sorted(PARTICIPANT_URLS))
def test_participant_pages(client, personas, states, state, name):
    participant = states[state]
    args_for, checks = PARTICIPANT_URLS[name]
    # built before the savepoints: the helpers create objects on first use
    url = reverse(name, args=args_for(participant))
    wrong = []
    for persona in PERSONAS:
        with rolled_back():
            client.force_login(personas[persona])
            for method, rule in checks:
                response = getattr(client, method)(
                    url, {"end_reason": "moved"} if method == "post" else None
                )
                expected = _expected(rule, persona, state)
                if response.status_code not in expected:
                    wrong.append((persona, method, response.status_code, sorted(expected)))
    assert wrong == [], (name, state, wrong)


@pytest.mark.parametrize(
    "name", sorted(n for n, spec in GENERAL_URLS.items() if "skip" not in spec)
)
def test_general_pages(client, personas, name, settings, tmp_path):
    spec = GENERAL_URLS[name]
    settings.MAILERS = {  # the dev outbox exists only with the file e-mail backend
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    wrong = []
    for persona in PERSONAS:
        with rolled_back():
            client.force_login(personas[persona])
            response = client.get(reverse(name))
        if persona in spec.get("forbidden", set()):
            expected = {403, 404}
        elif persona in spec.get("redirect", set()):
            expected = {302}
        else:
            expected = {200}
        if response.status_code not in expected:
            wrong.append((persona, response.status_code, sorted(expected)))
    assert wrong == [], (name, wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_and_search_contain_only_permitted_rows(client, personas, states, persona):
    client.force_login(personas[persona])
    for query in ["", "Matrix"]:
        response = client.get(reverse("participants:list"), {"q": query})
        shown = {p.pk for p in response.context["page"].object_list}
        allowed = {states[s].pk for s in STATES if persona in VIEWERS[s]}
        assert shown == allowed, (persona, query)
        body = response.content.decode()
        for state in STATES:
            if persona not in VIEWERS[state]:
                assert states[state].last_name not in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_shows_only_permitted_rows(client, personas, states, persona):
    user = personas[persona]
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get("/admin/participants/participant/")
    allowed = {states[s].pk for s in STATES if persona in VIEWERS[s]}
    if response.status_code == 200:
        shown = {p.pk for p in response.context["cl"].result_list}
        assert shown == allowed
        for state in STATES:
            if persona not in VIEWERS[state]:
                detail = client.get(f"/admin/participants/participant/{states[state].pk}/change/")
                assert detail.status_code in (302, 404)
    else:
        assert response.status_code in (302, 403)
        assert not allowed or persona not in {"nav_adviser", "teacher"}


def test_superuser_sees_no_participants_unless_granted(client, personas, states):
    from guardian.shortcuts import assign_perm

    root = personas["sysadmin"]
    client.force_login(root)
    assert client.get(reverse("participants:detail", args=[states["own"].pk])).status_code == 404
    assign_perm("participants.view_participant", root, states["own"])
    assert client.get(reverse("participants:detail", args=[states["own"].pk])).status_code == 200
    assert (
        client.get(reverse("participants:detail", args=[states["consented"].pk])).status_code == 404
    )
