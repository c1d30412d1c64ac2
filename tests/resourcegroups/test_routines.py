"""Routine versions: drafts are deep copies, activated versions never change, only network
coordinators write, and activation switches the routine in force by date."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kmv.access.models import AuditEvent
from resourcegroups import kmv_routine
from resourcegroups.models import ChecklistItem, Routine
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import routines as services
from tests.factories import PERSONAS

pytestmark = pytest.mark.django_db

NOT_COORDINATORS = [p for p in PERSONAS if p != "coordinator"]

CHOICES = [
    {"value": "yes", "nb": "Ja", "en": "Yes"},
    {"value": "no", "nb": "Nei", "en": "No"},
]
GOOD_STAGE = {
    "number": 5,
    "kind": "milestone",
    "name": "Ressursgruppemøte 5",
    "name_en": "Resource-group meeting 5",
    "anchor": "upper_secondary_end",
    "offset_months": 1,
    "pathways": "with_vgo",
    "invited_roles": ["follow_up_adviser", "career_counsellor"],
    "responsible_role": "follow_up_adviser",
}
GOOD_ITEM = {
    "text": "Er deltakeren i arbeid?",
    "text_en": "Is the participant in work?",
    "owner_role": "follow_up_adviser",
    "answer_type": "choice",
    "choices": CHOICES,
}


def today():
    return timezone.localdate()


@pytest.fixture
def v1(db):
    return Routine.objects.get(name=kmv_routine.ROUTINE["name"], version=1)


@pytest.fixture
def draft(personas, v1):
    return services.routine_draft_copy(user=personas["coordinator"], routine=v1)


def _snapshot(routine: Routine):
    """Everything a version says, to compare before and after."""
    routine.refresh_from_db()
    return (
        {
            f: getattr(routine, f)
            for f in ("name", "status", "effective_from", "window_before_days")
        },
        [
            (
                s.number,
                s.kind,
                s.name,
                s.anchor,
                s.offset_months,
                s.invited_roles,
                [(i.order, i.text, i.answer_type, i.choices) for i in s.items.all()],
            )
            for s in routine.stages.prefetch_related("items")
        ],
    )


# --- draft copy ------------------------------------------------------------------------------


def test_draft_copy_is_a_deep_independent_copy(personas, v1, draft):
    assert (draft.status, draft.version, draft.based_on, draft.name) == (
        Routine.Status.DRAFT,
        2,
        v1,
        v1.name,
    )
    assert draft.effective_from is None
    assert draft.created_by == personas["coordinator"]
    before = _snapshot(v1)
    assert _snapshot(draft)[1] == before[1]
    v1_stage_ids = set(v1.stages.values_list("pk", flat=True))
    assert not v1_stage_ids & set(draft.stages.values_list("pk", flat=True))
    assert not set(ChecklistItem.objects.filter(stage__routine=v1).values_list("pk", flat=True)) & (
        set(ChecklistItem.objects.filter(stage__routine=draft).values_list("pk", flat=True))
    )
    # changing the copy leaves the original as it was, down to the JSON lists
    cora = personas["coordinator"]
    stage1 = draft.stages.get(number=1)
    services.stage_update(
        user=cora, stage=stage1, name="Endret", invited_roles=["programme_adviser"]
    )
    item = stage1.items.get(order=1)
    services.item_update(user=cora, item=item, choices=CHOICES, text="Endret tekst")
    services.item_delete(user=cora, item=stage1.items.get(order=2))
    services.stage_delete(user=cora, stage=draft.stages.get(number=4))
    assert _snapshot(v1) == before
    assert AuditEvent.objects.filter(object_type="routine", object_id=str(draft.pk)).exists()


def test_version_numbers_count_up_from_the_highest(personas, v1, draft):
    third = services.routine_draft_copy(user=personas["coordinator"], routine=v1)
    assert (draft.version, third.version, third.based_on) == (2, 3, v1)
    fourth = services.routine_draft_copy(user=personas["coordinator"], routine=draft)
    assert (fourth.version, fourth.based_on) == (4, draft)


# --- immutability ----------------------------------------------------------------------------

WRITES = {
    "routine_update": lambda u, r: services.routine_update(
        user=u, routine=r, window_before_days=30
    ),
    "routine_activate": lambda u, r: services.routine_activate(
        user=u, routine=r, effective_from=today()
    ),
    "stage_add": lambda u, r: services.stage_add(user=u, routine=r, **GOOD_STAGE),
    "stage_update": lambda u, r: services.stage_update(
        user=u, stage=r.stages.get(number=1), offset_months=4
    ),
    "stage_delete": lambda u, r: services.stage_delete(user=u, stage=r.stages.get(number=4)),
    "item_add": lambda u, r: services.item_add(user=u, stage=r.stages.get(number=1), **GOOD_ITEM),
    "item_update": lambda u, r: services.item_update(
        user=u, item=r.stages.get(number=1).items.get(order=1), text="X"
    ),
    "item_move": lambda u, r: services.item_update(
        user=u, item=r.stages.get(number=1).items.get(order=1), order=3
    ),
    "item_delete": lambda u, r: services.item_delete(
        user=u, item=r.stages.get(number=1).items.get(order=1)
    ),
    "item_reorder": lambda u, r: services.item_reorder(
        user=u,
        stage=r.stages.get(number=1),
        item_ids=list(r.stages.get(number=1).items.values_list("pk", flat=True))[::-1],
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("status", ["active", "retired"])
def test_activated_and_retired_versions_are_immutable(personas, v1, write, status):
    Routine.objects.filter(pk=v1.pk).update(status=status)
    before = _snapshot(v1)
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        WRITES[write](personas["coordinator"], v1)
    assert exc.value.code == "immutable"
    with translation.override("en"):
        assert "cannot be changed" in str(exc.value.messages[0])
    assert _snapshot(v1) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_same_writes_work_on_a_draft(personas, draft, write):
    WRITES[write](personas["coordinator"], draft)


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_only_network_coordinators_write(personas, v1, draft, persona, write):
    before = _snapshot(draft)
    with pytest.raises(PermissionDenied):
        WRITES[write](personas[persona], draft)
    with pytest.raises(PermissionDenied):
        services.routine_draft_copy(user=personas[persona], routine=v1)
    assert _snapshot(draft) == before
    assert Routine.objects.count() == 2


# --- item order ------------------------------------------------------------------------------


def test_items_are_added_at_a_position_and_renumbered(personas, draft):
    cora = personas["coordinator"]
    stage = draft.stages.get(number=2)
    texts = list(stage.items.values_list("text", flat=True))
    services.item_add(user=cora, stage=stage, order=1, **GOOD_ITEM)
    assert list(stage.items.values_list("text", flat=True)) == [GOOD_ITEM["text"], *texts]
    last = stage.items.get(order=len(texts) + 1)
    services.item_update(user=cora, item=last, order=2)
    assert list(stage.items.values_list("order", "text")) == list(
        enumerate([GOOD_ITEM["text"], last.text, *texts[:-1]], 1)
    )
    services.item_delete(user=cora, item=stage.items.get(order=1))
    assert list(stage.items.values_list("order", flat=True)) == list(range(1, len(texts) + 1))


def test_reorder_must_list_every_item_once(personas, draft):
    stage = draft.stages.get(number=1)
    ids = list(stage.items.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.item_reorder(user=personas["coordinator"], stage=stage, item_ids=ids[1:])
    with pytest.raises(ValidationError):
        services.item_reorder(user=personas["coordinator"], stage=stage, item_ids=[*ids, ids[0]])
    services.item_reorder(user=personas["coordinator"], stage=stage, item_ids=ids[::-1])
    assert list(stage.items.values_list("pk", flat=True)) == ids[::-1]


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "A stage needs a name."),
        ({"anchor": ""}, "anchor", "A milestone meeting needs the milestone"),
        ({"invited_roles": ["teacher", "chief"]}, "invited_roles", "Unknown roles: chief"),
        ({"offset_months": 61}, "offset_months", "between -60 and 60 months"),
        ({"offset_months": -61}, "offset_months", "between -60 and 60 months"),
        ({"kind": "half_yearly", "offset_months": -6}, "offset_months", "positive interval"),
        ({"number": 1}, "number", "already has number 1"),
        ({"responsible_role": "boss"}, "responsible_role", "Choose the role responsible"),
    ],
)
def test_bad_stages_are_refused_with_translated_errors(personas, draft, change, field, message):
    before = _snapshot(draft)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.stage_add(user=personas["coordinator"], routine=draft, **(GOOD_STAGE | change))
    with translation.override("en"):
        assert message in " ".join(exc.value.message_dict[field])
    assert _snapshot(draft) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"text": ""}, "text", "needs a text"),
        ({"choices": CHOICES[:1]}, "choices", "at least two choices"),
        ({"choices": []}, "choices", "at least two choices"),
        ({"choices": [CHOICES[0], CHOICES[0]]}, "choices", "same value"),
        ({"choices": [CHOICES[0], {"value": "x", "nb": ""}]}, "choices", "Norwegian text"),
        ({"owner_role": "boss"}, "owner_role", "Choose the role"),
        ({"profile_fact": "shoe_size"}, "profile_fact", "Unknown profile fact"),
    ],
)
def test_bad_items_are_refused_with_translated_errors(personas, draft, change, field, message):
    before = _snapshot(draft)
    stage = draft.stages.get(number=1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.item_add(user=personas["coordinator"], stage=stage, **(GOOD_ITEM | change))
    with translation.override("en"):
        assert message in " ".join(exc.value.message_dict[field])
    item = stage.items.get(order=1)
    with pytest.raises(ValidationError):
        services.item_update(user=personas["coordinator"], item=item, **(GOOD_ITEM | change))
    assert _snapshot(draft) == before


def test_a_stage_change_that_breaks_a_rule_changes_nothing(personas, draft):
    before = _snapshot(draft)
    with pytest.raises(ValidationError):
        services.stage_update(
            user=personas["coordinator"],
            stage=draft.stages.get(number=2),
            name="Nytt navn",
            offset_months=-72,
        )
    assert _snapshot(draft) == before


def test_non_choice_items_drop_their_choices(personas, draft):
    item = services.item_add(
        user=personas["coordinator"],
        stage=draft.stages.get(number=1),
        **(GOOD_ITEM | {"answer_type": "yes_no"}),
    )
    assert item.choices == []


# --- activation ------------------------------------------------------------------------------


def test_activation_from_today_retires_the_old_version_at_once(personas, v1, draft):
    services.routine_activate(user=personas["coordinator"], routine=draft, effective_from=today())
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (Routine.Status.ACTIVE, today())
    assert draft.activated_by == personas["coordinator"] and draft.activated_at
    assert v1.status == Routine.Status.RETIRED
    assert routine_in_force(today()) == draft
    assert routine_in_force(today() - timedelta(days=1)) is None  # v1 is retired


def test_future_activation_keeps_the_old_version_in_force_until_the_date(personas, v1, draft):
    start = today() + timedelta(days=45)
    services.routine_activate(user=personas["coordinator"], routine=draft, effective_from=start)
    v1.refresh_from_db()
    assert v1.status == Routine.Status.ACTIVE
    assert routine_in_force(today()) == v1
    assert routine_in_force(start - timedelta(days=1)) == v1
    assert routine_in_force(start) == draft
    assert routine_in_force(start + timedelta(days=400)) == draft


def test_the_next_activation_retires_versions_superseded_in_the_meantime(personas, v1, draft):
    cora = personas["coordinator"]
    start = today() + timedelta(days=10)
    services.routine_activate(user=cora, routine=draft, effective_from=start)
    v3 = services.routine_draft_copy(user=cora, routine=draft)
    later = start + timedelta(days=5)  # pretend time has passed beyond v2's date
    services.routine_activate(
        user=cora, routine=v3, effective_from=later + timedelta(days=30), today=later
    )
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert v1.status == Routine.Status.RETIRED  # v2 took over on its date
    assert draft.status == Routine.Status.ACTIVE  # in force until v3's date
    assert routine_in_force(later) == draft


def test_a_version_cannot_start_before_one_already_scheduled(personas, v1, draft):
    cora = personas["coordinator"]
    services.routine_activate(user=cora, routine=draft, effective_from=today() + timedelta(days=60))
    v3 = services.routine_draft_copy(user=cora, routine=v1)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.routine_activate(
            user=cora, routine=v3, effective_from=today() + timedelta(days=30)
        )
    with translation.override("en"):
        assert "already scheduled" in exc.value.message_dict["effective_from"][0]
    v3.refresh_from_db()
    assert v3.status == Routine.Status.DRAFT


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        (None, "Choose the date"),
        (date(2020, 1, 1), "in the past"),
    ],
)
def test_activation_needs_a_date_not_in_the_past(personas, v1, draft, effective_from, message):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.routine_activate(
            user=personas["coordinator"], routine=draft, effective_from=effective_from
        )
    with translation.override("en"):
        assert message in exc.value.message_dict["effective_from"][0]
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert (draft.status, v1.status) == (Routine.Status.DRAFT, Routine.Status.ACTIVE)


def test_activation_needs_a_stage(personas, draft):
    cora = personas["coordinator"]
    for stage in list(draft.stages.all()):
        services.stage_delete(user=cora, stage=stage)
    with pytest.raises(ValidationError):
        services.routine_activate(user=cora, routine=draft, effective_from=today())


def test_activation_asks_the_agreement_hook(personas, draft, monkeypatch, client):
    """The network will require every party's approval here (activation_allowed)."""
    assert services.activation_allowed(draft) == (True, "")
    monkeypatch.setattr(
        services, "activation_allowed", lambda routine: (False, "Waiting for NAV's approval.")
    )
    with pytest.raises(ValidationError) as exc:
        services.routine_activate(
            user=personas["coordinator"], routine=draft, effective_from=today()
        )
    assert exc.value.messages == ["Waiting for NAV's approval."]
    client.force_login(personas["coordinator"])
    page = client.get(reverse("routines:activate", args=[draft.pk]))
    assert "Waiting for NAV" in page.content.decode()
    assert 'name="effective_from"' not in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == Routine.Status.DRAFT


# --- pages -----------------------------------------------------------------------------------

# url name -> (args from {"routine", "stage", "item"}, method, rule)
# rule "read": 200 for everyone; "write": coordinator 200/302, everyone else 403.
ROUTINE_OBJECT_URLS = {
    "routines:detail": (lambda o: [o["routine"].pk], "get", "read"),
    "routines:draft_copy": (lambda o: [o["routine"].pk], "get", "write"),
    "routines:edit": (lambda o: [o["routine"].pk], "get", "write"),
    "routines:activate": (lambda o: [o["routine"].pk], "get", "write"),
    "routines:stage_add": (lambda o: [o["routine"].pk], "get", "write"),
    "routines:stage_edit": (lambda o: [o["stage"].pk], "get", "write"),
    "routines:stage_delete": (lambda o: [o["stage"].pk], "post", "write"),
    "routines:item_add": (lambda o: [o["stage"].pk], "get", "write"),
    "routines:item_edit": (lambda o: [o["item"].pk], "get", "write"),
    "routines:item_delete": (lambda o: [o["item"].pk], "post", "write"),
    "routines:item_move": (lambda o: [o["item"].pk], "post", "write"),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROUTINE_OBJECT_URLS))
def test_access_matrix_for_routine_pages(client, personas, draft, persona, name):
    """Registered in tests/test_access_matrix.py GENERAL_URLS as covered here."""
    stage = draft.stages.get(number=1)
    objects = {"routine": draft, "stage": stage, "item": stage.items.get(order=1)}
    args_for, method, rule = ROUTINE_OBJECT_URLS[name]
    before = _snapshot(draft)
    client.force_login(personas[persona])
    response = getattr(client, method)(reverse(name, args=args_for(objects)), {"direction": "down"})
    if rule == "read" or persona == "coordinator":
        assert response.status_code in (200, 302), (name, persona, response.status_code)
    else:
        assert response.status_code == 403, (name, persona, response.status_code)
        assert _snapshot(draft) == before


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_posts_by_non_coordinators_are_refused_and_change_nothing(
    client, personas, v1, draft, persona
):
    client.force_login(personas[persona])
    before = _snapshot(draft)
    posts = [
        ("routines:draft_copy", [v1.pk], {}),
        (
            "routines:edit",
            [draft.pk],
            {"name": "X", "window_before_days": 1, "window_after_days": 1},
        ),
        ("routines:activate", [draft.pk], {"effective_from": today().isoformat()}),
        ("routines:stage_add", [draft.pk], {**GOOD_STAGE, "invited_roles": "teacher"}),
    ]
    for name, args, data in posts:
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    assert Routine.objects.count() == 2
    assert _snapshot(draft) == before


def test_write_pages_of_an_active_version_send_the_coordinator_back(client, personas, v1):
    client.force_login(personas["coordinator"])
    stage = v1.stages.get(number=1)
    for url in [
        reverse("routines:edit", args=[v1.pk]),
        reverse("routines:activate", args=[v1.pk]),
        reverse("routines:stage_add", args=[v1.pk]),
        reverse("routines:stage_edit", args=[stage.pk]),
        reverse("routines:item_add", args=[stage.pk]),
        reverse("routines:item_edit", args=[stage.items.first().pk]),
    ]:
        response = client.post(url, {"name": "X"})
        assert response.status_code == 302, url
        assert response["Location"] == reverse("routines:detail", args=[v1.pk])
    assert client.get(reverse("routines:detail", args=[v1.pk])).status_code == 200


def test_list_and_detail_for_the_coordinator(
    client, personas, v1, draft, django_assert_max_num_queries
):
    client.force_login(personas["coordinator"])
    # session + user, the routine in force, the versions with stage counts (+ slack for
    # middleware reads)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("routines:list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("routines:detail", args=[draft.pk]) in body
    assert [r.state for r in page.context["routines"]] == ["draft", "in_force"]
    page = client.get(reverse("routines:detail", args=[draft.pk]))
    body = page.content.decode()
    assert reverse("routines:edit", args=[draft.pk]) in body
    assert reverse("routines:activate", args=[draft.pk]) in body
    assert reverse("routines:stage_add", args=[draft.pk]) in body
    # Norwegian with the English text beside it, for every stage and item
    assert "Progresjon i norsk" in body and "Progress in Norwegian" in body
    assert "Ressursgruppemøte 4" in body and "Resource-group meeting 4" in body
    # stages in order
    assert body.index("Ressursgruppemøte 1") < body.index("Ressursgruppemøte 2")
    page = client.get(reverse("routines:detail", args=[v1.pk]))
    body = page.content.decode()
    assert reverse("routines:edit", args=[v1.pk]) not in body
    assert reverse("routines:draft_copy", args=[v1.pk]) in body
    # nav link
    assert reverse("routines:list") in client.get(reverse("home")).content.decode()


def test_teacher_reads_the_routine_without_edit_controls(client, personas, draft):
    client.force_login(personas["teacher"])
    page = client.get(reverse("routines:detail", args=[draft.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Mapping of earlier education" in body
    for name in ("edit", "activate", "draft_copy", "stage_add"):
        assert reverse(f"routines:{name}", args=[draft.pk]) not in body
    assert "routines/punkt/" not in body and "/rutiner/trinn/" not in body
    assert client.get(reverse("routines:list")).status_code == 200


def test_coordinator_works_through_a_new_version_without_javascript(client, personas, v1):
    client.force_login(personas["coordinator"])
    response = client.post(reverse("routines:draft_copy", args=[v1.pk]))
    draft = Routine.objects.get(version=2)
    assert response["Location"] == reverse("routines:edit", args=[draft.pk])

    response = client.post(
        reverse("routines:edit", args=[draft.pk]),
        {
            "name": v1.name,
            "window_before_days": 30,
            "window_after_days": 21,
            "change_summary": "Møte 5 i arbeid.",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("routines:stage_add", args=[draft.pk]),
        {
            **GOOD_STAGE,
            "invited_roles": GOOD_STAGE["invited_roles"],
            "book_room": "on",
            "duration_minutes": 45,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    stage = draft.stages.get(number=5)
    assert stage.invited_roles == GOOD_STAGE["invited_roles"]
    assert (stage.book_room, stage.book_interpreter, stage.duration_minutes) == (True, False, 45)
    response = client.post(
        reverse("routines:item_add", args=[stage.pk]),
        {
            "text": "Er deltakeren i arbeid?",
            "text_en": "Is the participant in work?",
            "owner_role": "follow_up_adviser",
            "answer_type": "choice",
            "choices": "full|Heltid|Full time\r\npart|Deltid|Part time\r\n\r\nnone|Nei\r\n",
        },
    )
    assert response.status_code == 302
    item = stage.items.get()
    assert item.choices == [
        {"value": "full", "nb": "Heltid", "en": "Full time"},
        {"value": "part", "nb": "Deltid", "en": "Part time"},
        {"value": "none", "nb": "Nei", "en": ""},
    ]
    edit = client.get(reverse("routines:item_edit", args=[item.pk])).content.decode()
    assert "full|Heltid|Full time\npart|Deltid|Part time\nnone|Nei" in edit
    second = client.post(
        reverse("routines:item_add", args=[stage.pk]),
        {"text": "Lønn?", "owner_role": "follow_up_adviser", "answer_type": "text"},
    )
    assert second.status_code == 302
    client.post(reverse("routines:item_move", args=[item.pk]), {"direction": "down"})
    assert list(stage.items.values_list("text", flat=True)) == ["Lønn?", item.text]

    response = client.post(
        reverse("routines:activate", args=[draft.pk]), {"effective_from": today().isoformat()}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.window_before_days) == (Routine.Status.ACTIVE, 30)
    assert routine_in_force(today()) == draft


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        (
            "stage_add",
            {**GOOD_STAGE, "anchor": "", "duration_minutes": 60},
            "A milestone meeting needs the milestone it is planned from.",
        ),
        (
            "stage_add",
            {**GOOD_STAGE, "offset_months": 99, "duration_minutes": 60},
            "between -60 and 60 months",
        ),
        ("stage_add", {**GOOD_STAGE, "name": ""}, "This field is required."),
        ("item_add", {**GOOD_ITEM, "choices": "only|Bare én"}, "at least two choices"),
        ("item_add", {**GOOD_ITEM, "choices": "a|A\nb"}, "Line 2: write value|Norwegian text"),
        ("activate", {"effective_from": "2020-01-01"}, "cannot apply from a date in the past"),
        ("edit", {"name": "", "window_before_days": 1, "window_after_days": 1}, "required"),
    ],
)
def test_bad_input_on_the_pages_is_explained_and_changes_nothing(
    client, personas, draft, settings, url_name, data, message
):
    settings.LANGUAGE_CODE = "en"
    user = personas["coordinator"]
    user.language = "en"
    user.save()
    client.force_login(user)
    target = draft.stages.get(number=1).pk if url_name == "item_add" else draft.pk
    before = _snapshot(draft)
    with translation.override("en"):
        response = client.post(reverse(f"routines:{url_name}", args=[target]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ds-error-summary" in body
    assert message in body.replace("&#x27;", "'"), body[body.find("ds-error-summary") :][:800]
    assert 'aria-invalid="true"' in body or url_name == "activate"
    assert _snapshot(draft) == before


def test_a_new_version_keeps_the_routine_name(personas, draft):
    with pytest.raises(ValidationError) as exc:
        services.routine_update(user=personas["coordinator"], routine=draft, name="Another name")
    assert "name" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.name == draft.based_on.name
