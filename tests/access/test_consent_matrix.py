"""The consent rule on every datum: persona × channel × data category.

One participant (Amina, registered by alice's NAV office) carries a datum of every data
category in every form it takes — checklist answers and their comments, profile facts, the
shared minutes' sections, next steps, outcomes, the occupational goal — each with its own
token. Four other agencies sit in her resource group, attend the meeting and approve the
minutes; each holds consent for two of the four categories, and the two scenarios swap the
halves, so every agency is tried on every category once with consent and once without.

For each persona of tests/conftest.py, each channel (pages, API, the minutes PDF read with
pypdf, the archive ZIP, the CSV and XLSX exports, the calendar feed and the e-mails) and each
category, the token appears exactly when the rule says:

- the owner agency's case workers see every category;
- a member agency's case workers see the categories it has consent for;
- roles that see no individual (coordinator, leader, system administrator, interpreter)
  see nothing, and invitations, reminders and calendar entries carry no case content at all.

`test_the_matrix_has_a_row_for_every_channel_and_category` fails when a channel is added to
`kmv.access.policy.DATA_CHANNELS` or a category to `DataCategory` without rows here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from kmv.access import policy
from kmv.access.models import CASE_ROLES, Role
from kmv.notify import feeds, reminders
from kmv.notify.models import OutboxMessage
from participants import outcomes as outcome_services
from participants import services as participant_services
from participants.facts import OUTCOME_CATEGORY
from participants.models import Consent, DataCategory, OutcomeStatus, ProfileFact
from resourcegroups import services as rg
from resourcegroups.models import (
    AnswerType,
    ChecklistItem,
    Meeting,
    MeetingInvitee,
    Minutes,
)
from tests.factories import PERSONAS, at

pytestmark = pytest.mark.django_db

CATEGORIES = list(DataCategory.values)

# --- the data: kind of datum → the categories it is seeded in ---------------------------------

ANSWER, COMMENT, FACT, DECISIONS, PLAIN, NEXT_STEP, OUTCOME, GOAL = "ACFDPSOG"
KIND_NAMES = {
    ANSWER: "checklist answer",
    COMMENT: "checklist comment",
    FACT: "profile fact",
    DECISIONS: "minutes: agreed decisions",
    PLAIN: "minutes: plain-language summary",
    NEXT_STEP: "minutes: next step",
    OUTCOME: "outcome note",
    GOAL: "occupational goal",
}
FACT_KEYS = {  # participants.facts.FACTS has no fact in the NAV-benefits category
    DataCategory.EDUCATION_MAPPING: "english_level",
    DataCategory.PLAN_MEETINGS: "applied_vigo",
    DataCategory.HEALTH_ADAPTATION: "adapted_teaching",
}
SEEDED = {
    ANSWER: set(CATEGORIES),
    COMMENT: set(CATEGORIES),
    FACT: set(FACT_KEYS),
    DECISIONS: {Minutes.SECTION_CATEGORIES["decisions"]},
    PLAIN: {Minutes.SECTION_CATEGORIES["plain_summary"]},
    NEXT_STEP: set(CATEGORIES),
    OUTCOME: {OUTCOME_CATEGORY},
    GOAL: {DataCategory.EDUCATION_MAPPING},  # participants.serializers.CATEGORY_FIELDS
}


def token(kind: str, category: str) -> str:
    """Short, unbreakable, unique: survives PDF line wrapping and HTML/JSON escaping."""
    return f"Qx{kind}{CATEGORIES.index(category)}q"


# --- the scenarios: which member agency holds consent for which categories --------------------

MEMBERS = {  # persona → agency key in the `agencies` fixture
    "follow_up": "nav_follow_up",
    "teacher": "adult_ed",
    "counsellor": "career",
    "school_adviser": "school",
}
C0, C1, C2, C3 = CATEGORIES
SCENARIOS = {
    "first_half": {
        "nav_follow_up": {C0, C1},
        "adult_ed": {C1, C2},
        "career": {C2, C3},
        "school": {C3, C0},
    },
    "second_half": {
        "nav_follow_up": {C2, C3},
        "adult_ed": {C3, C0},
        "career": {C0, C1},
        "school": {C1, C2},
    },
}


def rule(persona: str, user, category: str, scenario: str) -> bool:
    """The consent rule, written out independently of the code under test."""
    if user.role not in CASE_ROLES:
        return False
    if persona == "nav_adviser":  # the owner agency
        return True
    agency = MEMBERS.get(persona)
    return agency is not None and category in SCENARIOS[scenario][agency]


# --- the channels: how a persona reads each one, and which kinds of datum it carries ----------


@dataclass(frozen=True)
class Channel:
    kind: str  # one of policy.DATA_CHANNELS
    carries: frozenset[str]
    read: object  # (world, persona) -> text


def _page(name, arg):
    def read(world, user):
        client = Client()
        client.force_login(user)
        return client.get(reverse(name, args=[arg(world)])).content.decode()

    return read


def _api(path):
    def read(world, user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client.get(path(world)).content.decode()

    return read


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _minutes_pdf(world, user):
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.get(f"/api/meetings/{world.meeting.pk}/minutes/pdf/")
    if response.status_code != 200:
        return response.content.decode()
    return _pdf_text(b"".join(response.streaming_content))


def _archive_zip(world, user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("archive:copy", args=[world.minutes.pk]))
    if response.status_code != 200:
        return response.content.decode()
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return _pdf_text(archive.read("referat.pdf")) + archive.read("arkivmelding.xml").decode()


def _export(fmt):
    def read(world, user):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("reports:export_outcomes"), {"format": fmt})
        if response.status_code != 200 or fmt == "csv":
            return response.content.decode()
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in sheet.values)

    return read


def _calendar(world, user):
    return feeds.feed_text(user)


def _emails(world, user):
    rows = OutboxMessage.objects.filter(to=user.email)
    return "\n".join(f"{r.subject}\n{r.body}\n{r.ics}" for r in rows)


CHANNELS = {
    "meeting page": Channel(
        "page",
        frozenset({ANSWER, COMMENT, FACT}),
        _page("resourcegroups:meeting", lambda w: w.meeting.pk),
    ),
    "minutes page": Channel(
        "page",
        frozenset({ANSWER, COMMENT, DECISIONS, PLAIN, NEXT_STEP}),
        _page("resourcegroups:minutes", lambda w: w.meeting.pk),
    ),
    "summary for the participant": Channel(
        "page",
        frozenset({PLAIN, NEXT_STEP}),
        _page("resourcegroups:summary", lambda w: w.meeting.pk),
    ),
    "participant page": Channel(
        "page",
        frozenset({OUTCOME, GOAL}),
        _page("participants:detail", lambda w: w.participant.pk),
    ),
    "meeting API": Channel(
        "api",
        frozenset({ANSWER, COMMENT}),
        _api(lambda w: f"/api/meetings/{w.meeting.pk}/"),
    ),
    "minutes API": Channel(
        "api",
        frozenset({DECISIONS, PLAIN, NEXT_STEP}),
        _api(lambda w: f"/api/meetings/{w.meeting.pk}/minutes/"),
    ),
    "participant API": Channel(
        "api",
        frozenset({GOAL}),
        _api(lambda w: f"/api/participants/{w.participant.pk}/"),
    ),
    "participant outcomes API": Channel(
        "api",
        frozenset({OUTCOME}),
        _api(lambda w: f"/api/participants/{w.participant.pk}/outcomes/"),
    ),
    "minutes PDF": Channel("pdf", frozenset({ANSWER, COMMENT, DECISIONS, NEXT_STEP}), _minutes_pdf),
    "archive copy ZIP": Channel(
        "archive", frozenset({ANSWER, COMMENT, DECISIONS, NEXT_STEP}), _archive_zip
    ),
    "outcome export CSV": Channel("csv", frozenset({OUTCOME}), _export("csv")),
    "outcome export XLSX": Channel("xlsx", frozenset({OUTCOME}), _export("xlsx")),
    "calendar feed": Channel("ics", frozenset(), _calendar),
    "invitation and reminder e-mails": Channel("email", frozenset(), _emails),
}


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    participant: object
    meeting: Meeting
    minutes: Minutes


def _build(scenario, participant, personas, agencies) -> World:
    alice = personas["nav_adviser"]
    today = timezone.localdate()
    # the conftest consent of adult education is replaced by the scenario's
    Consent.objects.filter(participant=participant).update(withdrawn_on=today)
    for agency_key, categories in SCENARIOS[scenario].items():
        for category in sorted(categories):
            participant_services.consent_record(
                user=alice,
                participant=participant,
                agency=agencies[agency_key],
                category=category,
                purpose="Ressursgruppe",
            )
    for persona in ("follow_up", "counsellor", "school_adviser"):
        rg.membership_add(user=alice, participant=participant, staff=personas[persona])
    participant.goal = token(GOAL, DataCategory.EDUCATION_MAPPING)
    participant.email = "amina@example.org"
    participant.save(update_fields=["goal", "email"])

    meeting = participant.meetings.get(stage__number=1)
    for n, category in enumerate(CATEGORIES):
        item = ChecklistItem.objects.create(
            stage=meeting.stage,
            order=100 + n,
            text=f"Matrisepunkt {n}",
            owner_role=Role.PROGRAMME_ADVISER,
            answer_type=AnswerType.TEXT,
            category=category,
        )
        rg.answer_save(
            user=alice,
            meeting=meeting,
            item=item,
            value={"text": token(ANSWER, category), "comment": token(COMMENT, category)},
            version=0,
        )
    for category, key in FACT_KEYS.items():
        ProfileFact.objects.create(
            participant=participant,
            key=key,
            value=token(FACT, category),
            recorded_on=today,
            source_meeting_id=meeting.pk,
            agency=alice.agency,
            recorded_by=alice,
        )
    outcome_services.outcome_record(
        user=alice,
        participant=participant,
        status=OutcomeStatus.ADULT_EDUCATION,
        since=today - timedelta(days=30),
        note=token(OUTCOME, OUTCOME_CATEGORY),
    )

    start = timezone.now().replace(microsecond=0) + timedelta(hours=20)
    meeting = rg.meeting_schedule(
        user=alice, meeting=meeting, start=start, end=start + timedelta(hours=1), place="Rom 4"
    )
    attending = [alice] + [personas[p] for p in MEMBERS]
    for user in attending:
        invitee, _new = MeetingInvitee.objects.get_or_create(
            meeting=meeting, staff=user, defaults={"agency": user.agency, "role": user.role}
        )
        invitee.attendance = "present"
        invitee.save(update_fields=["attendance"])
    reminders.plan(timezone.now())  # the 1-day reminder, with every datum in place

    minutes = rg.minutes_compose(
        user=alice,
        meeting=meeting,
        decisions=token(DECISIONS, Minutes.SECTION_CATEGORIES["decisions"]),
        plain_summary=token(PLAIN, Minutes.SECTION_CATEGORIES["plain_summary"]),
        actions=[
            {
                "text": token(NEXT_STEP, category),
                "agency": alice.agency_id,
                "due_date": (today + timedelta(days=30)).isoformat(),
                "category": category,
            }
            for category in CATEGORIES
        ],
    )
    with at(start + timedelta(hours=2)):  # sent once the meeting has been held
        rg.minutes_submit(user=alice, minutes=minutes)
    for user in [personas[p] for p in MEMBERS] + [alice]:  # the last approval archives
        rg.minutes_approve(user=user, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.is_locked and minutes.pdf_sha256
    participant.refresh_from_db()
    return World(participant, Meeting.objects.get(pk=meeting.pk), minutes)


# --- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_each_datum_appears_exactly_where_the_consent_rule_says(
    scenario, participant, personas, agencies
):
    world = _build(scenario, participant, personas, agencies)
    wrong = []
    tried = 0
    for persona in PERSONAS:
        user = personas[persona]
        for name, channel in CHANNELS.items():
            text = "".join(channel.read(world, user).split())
            for kind, categories in SEEDED.items():
                for category in categories:
                    expected = kind in channel.carries and rule(persona, user, category, scenario)
                    tried += 1
                    if (token(kind, category) in text) != expected:
                        wrong.append(
                            f"{persona} · {name} · {KIND_NAMES[kind]} · {category}: "
                            f"{'missing' if expected else 'LEAKED'}"
                        )
    assert tried == len(PERSONAS) * len(CHANNELS) * sum(len(c) for c in SEEDED.values())
    assert not wrong, "\n".join(wrong)


def test_a_hidden_datum_leaves_the_neutral_marker(participant, personas, agencies):
    """Absent is not silent: where a datum is withheld the reader sees why, not a gap."""
    world = _build("first_half", participant, personas, agencies)
    follow_up = personas["follow_up"]  # education + plan: health and NAV benefits are hidden
    client = Client()
    client.force_login(follow_up)
    page = client.get(reverse("resourcegroups:meeting", args=[world.meeting.pk])).content.decode()
    assert page.count("data-hidden-category") == 2
    assert "Skjult: ikke delt med din virksomhet (mangler samtykke)" in page
    api = APIClient()
    api.force_authenticate(user=follow_up)
    checklist = api.get(f"/api/meetings/{world.meeting.pk}/").json()["checklist"]
    hidden = {row["item"]["category"] for row in checklist if row["hidden"]}
    assert hidden == {DataCategory.HEALTH_ADAPTATION, DataCategory.NAV_BENEFITS}
    assert all(
        row["value"] == {} and row["answered_by"] is None for row in checklist if row["hidden"]
    )
    minutes = api.get(f"/api/meetings/{world.meeting.pk}/minutes/").json()
    assert minutes["hidden_sections"] == [] and minutes["hidden_actions"] == 2


def test_the_matrix_has_a_row_for_every_channel_and_category():
    assert {c.kind for c in CHANNELS.values()} == set(policy.DATA_CHANNELS)
    assert set().union(*SEEDED.values()) == set(DataCategory.values)
    for kind, categories in SEEDED.items():
        assert any(kind in c.carries for c in CHANNELS.values()), KIND_NAMES[kind]
    # every member agency meets every category once with consent and once without
    for agency in MEMBERS.values():
        for category in DataCategory.values:
            held = [category in SCENARIOS[s][agency] for s in SCENARIOS]
            assert sorted(held) == [False, True], (agency, category)


def test_invitations_reminders_and_the_outbox_carry_no_case_content(
    participant, personas, agencies
):
    """Kept from the start: e-mails and calendar entries name no participant and carry no
    answer, note or minutes — whatever the recipient's consents."""
    world = _build("first_half", participant, personas, agencies)
    rows = list(OutboxMessage.objects.filter(meeting_id=world.meeting.pk))
    kinds = {r.kind for r in rows}
    assert OutboxMessage.Kind.INVITATION in kinds and OutboxMessage.Kind.REMINDER in kinds
    every_token = [token(k, c) for k, cats in SEEDED.items() for c in cats]
    for row in rows:
        text = f"{row.subject}\n{row.body}\n{row.ics}"
        for value in [participant.first_name, participant.last_name, *every_token]:
            assert value not in text, (row.kind, row.to, value)
