from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from network import services, tasks
from network.models import (
    Action,
    Body,
    Challenge,
    EvaluationAnswer,
    EvaluationInvite,
    FeedbackInvite,
    FeedbackResponse,
    NetworkMeeting,
    ProfessionalDay,
)

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h))


def _meeting(network, user, when, **kw):
    body = network.bodies.get(kind=Body.Kind.WORKING)
    return services.meeting_create(
        user=user, body=body, title="Arbeidsgruppe", start=when, end=when + timedelta(hours=2), **kw
    )


# --- host rotation ---------------------------------------------------------------------------


def test_host_rotates_through_partner_agencies_in_name_order(network, personas, agencies):
    cora = personas["coordinator"]
    order = sorted(
        [agencies["nav"], agencies["adult_ed"], agencies["career"]], key=lambda a: a.name
    )
    hosts = [_meeting(network, cora, at(2026, m, 5)).host for m in (1, 3, 6, 9)]
    assert hosts == [order[0], order[1], order[2], order[0]]


def test_cancelled_meeting_does_not_take_a_turn_and_override_is_kept(network, personas, agencies):
    cora = personas["coordinator"]
    body = network.bodies.get(kind=Body.Kind.WORKING)
    first = _meeting(network, cora, at(2026, 1, 5), host=agencies["nav"])
    assert first.host == agencies["nav"]
    second = _meeting(network, cora, at(2026, 2, 5))
    NetworkMeeting.objects.filter(pk=second.pk).update(status=NetworkMeeting.Status.CANCELLED)
    assert services.propose_host(body=body) == second.host


def test_at_most_four_meetings_a_year_per_body(network, personas):
    cora = personas["coordinator"]
    for month in (1, 3, 6, 9):
        _meeting(network, cora, at(2026, month, 5))
    with pytest.raises(ValidationError):
        _meeting(network, cora, at(2026, 11, 5))
    _meeting(network, cora, at(2027, 1, 5))  # a new year


def test_only_coordinators_and_chairs_create_meetings(network, personas):
    bob = personas["teacher"]
    body = network.bodies.get(kind=Body.Kind.WORKING)
    with pytest.raises(PermissionDenied):
        _meeting(network, bob, at(2026, 1, 5))
    services.member_add(
        user=personas["coordinator"],
        body=body,
        person=bob,
        role="chair",
        starts_on=date(2026, 1, 1),
    )
    assert _meeting(network, bob, at(2026, 1, 5)).pk


def test_new_chair_ends_the_previous_term(network, personas):
    cora, bob, alice = personas["coordinator"], personas["teacher"], personas["nav_adviser"]
    body = network.bodies.get(kind=Body.Kind.STEERING)
    old = services.member_add(
        user=cora, body=body, person=bob, role="chair", starts_on=date(2025, 1, 1)
    )
    services.member_add(
        user=cora, body=body, person=alice, role="chair", starts_on=date(2026, 3, 1)
    )
    old.refresh_from_db()
    assert old.ends_on == date(2026, 2, 28)


def test_minutes_need_every_decision_and_invitations_carry_ics(network, personas, outbox):
    cora, bob = personas["coordinator"], personas["teacher"]
    body = network.bodies.get(kind=Body.Kind.WORKING)
    services.member_add(user=cora, body=body, person=bob, role="member", starts_on=date(2026, 1, 1))
    meeting = _meeting(network, cora, at(2026, 1, 5))
    item = services.agenda_item_add(user=bob, meeting=meeting, title="Fagdag", kind="decision")
    assert services.meeting_send_invitations(user=cora, meeting=meeting) == 1
    (message,) = outbox.values()
    assert "BEGIN:VCALENDAR" in message["ics"] and message["ics_method"] == "REQUEST"
    with pytest.raises(ValidationError):
        services.minutes_publish(user=cora, meeting=meeting)
    services.agenda_decision_record(user=cora, item=item, decision="Fagdag i mars")
    services.minutes_publish(user=cora, meeting=meeting, summary="ok")
    assert meeting.status == NetworkMeeting.Status.HELD and meeting.minutes_published


# --- professional days: two-part evaluation --------------------------------------------------


@pytest.fixture
def held_day(network, personas, outbox):
    cora = personas["coordinator"]
    day = services.day_create(
        user=cora,
        network=network,
        kind="open",
        theme="Ny integreringslov",
        date=date(2026, 3, 2),
        place="Kristiansand",
        part2_delay_days=42,
    )
    for persona in ("teacher", "nav_adviser", "counsellor"):
        services.registration_invite(user=cora, day=day, person=personas[persona])
    absent = day.registrations.get(user=personas["counsellor"])
    services.registration_set(user=cora, registration=absent, attended=False)
    services.day_mark_held(user=cora, day=day, now=at(2026, 3, 2, 16))
    return day


def _token(outbox, key):
    return outbox[key]["body"].rsplit("/", 2)[-2]


def test_part1_sent_to_attendees_when_held(held_day, outbox):
    keys = [k for k in outbox if k.startswith("network:eval:1:")]
    assert len(keys) == 2


def test_part2_sent_once_after_the_delay(held_day, outbox, monkeypatch):
    def part2():
        return [k for k in outbox if k.startswith("network:eval:2:")]

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 4, 12))  # 41 days
    assert tasks.send_due_evaluations() == 0
    assert part2() == []
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 4, 13))  # 42 days
    assert tasks.send_due_evaluations() == 2
    assert tasks.send_due_evaluations() == 0  # a second sweep sends nothing
    assert services.send_part2(day_id=held_day.pk) == 0  # nor a direct second claim
    assert len(part2()) == 2
    assert EvaluationInvite.objects.filter(part=2).count() == 2


def test_evaluation_is_anonymous_and_single_use(held_day, outbox):
    key = next(k for k in outbox if k.startswith("network:eval:1:"))
    token = _token(outbox, key)
    answer = services.evaluation_submit(
        token=token, usefulness=4, wished_topics="Lånekassen", now=at(2026, 3, 4)
    )
    # no link from the answer to a person: no such field, and the invite keeps no answer
    fields = {f.name for f in EvaluationAnswer._meta.get_fields()}
    assert not fields & {"user", "registration", "invite", "created_at", "email"}
    assert {f.name for f in EvaluationInvite._meta.get_fields()}.isdisjoint({"answer"})
    assert answer.week == date(2026, 3, 2)  # the Monday: only the week is kept
    with pytest.raises(ValidationError):
        services.evaluation_submit(token=token, usefulness=5, now=at(2026, 3, 4))
    summary = services.evaluation_summary(day=held_day)
    assert summary["part1"]["count"] == 1
    assert dict(summary["part1"]["usefulness"])[4] == 1
    assert summary["part1"]["wished_topics"] == ["Lånekassen"]


def test_evaluation_link_expires(held_day, outbox):
    key = next(k for k in outbox if k.startswith("network:eval:1:"))
    with pytest.raises(ValidationError):
        services.evaluation_submit(token=_token(outbox, key), usefulness=3, now=at(2026, 5, 1))


def test_topics_become_challenges_in_one_action(held_day, personas):
    made = services.challenges_from_evaluation(
        user=personas["coordinator"], day=held_day, titles=["Lånekassen", "Lånekassen", " "]
    )
    assert [c.title for c in made] == ["Lånekassen"]
    assert made[0].source == Challenge.Source.PROFESSIONAL_DAY and made[0].source_day == held_day


# --- challenges, solution groups, reminders --------------------------------------------------


@pytest.fixture
def group(network, personas, leaders):
    cora = personas["coordinator"]
    challenge = services.challenge_raise(
        user=personas["teacher"],
        network=network,
        title="Arbeidspraksis kolliderer",
        source="working_group",
    )
    services.challenge_triage(user=cora, challenge=challenge, outcome="solution_group")
    group = challenge.solution_group
    for leader in leaders.values():
        services.solution_member_add(user=cora, group=group, person=leader, decision_power=True)
    return group


def test_triage_close_needs_reason(network, personas):
    c = services.challenge_raise(
        user=personas["teacher"], network=network, title="x", source="other"
    )
    with pytest.raises(ValidationError):
        services.challenge_triage(user=personas["coordinator"], challenge=c, outcome="closed")
    c = services.challenge_triage(
        user=personas["coordinator"], challenge=c, outcome="closed", reason="Løst lokalt"
    )
    assert c.status == Challenge.Status.CLOSED


def test_party_checks_and_status_report_on_next_agendas(network, personas, leaders, group):
    cora = personas["coordinator"]
    for leader in leaders.values():
        services.party_check_record(
            user=leader, group=group, works=True, implementation_date=date(2026, 8, 1)
        )
    group.refresh_from_db()
    assert group.status == "implementing"
    soon = timezone.now() + timedelta(days=20)
    working = _meeting(network, cora, soon)
    services.status_report_add(user=leaders["nav"], group=group, text="Praksis i feriene")
    steering = services.meeting_create(
        user=cora,
        body=network.bodies.get(kind=Body.Kind.STEERING),
        title="Styringsgruppe",
        start=soon,
        end=soon + timedelta(hours=1),
    )
    for meeting in (working, steering):
        assert meeting.items.filter(status_report__group=group).count() == 1


def test_reminders_exactly_once(group, leaders, outbox, personas):
    cora = personas["coordinator"]
    meeting = services.solution_meeting_record(
        user=cora,
        group=group,
        date=date(2026, 3, 1),
        options_discussed="A, B",
        agreed_alternative="B",
    )
    today = timezone.localdate()
    due = services.action_add(
        user=cora,
        meeting=meeting,
        description="Del lister",
        owner=leaders["career"],
        due_on=today + timedelta(days=2),
    )
    services.action_add(
        user=cora,
        meeting=meeting,
        description="Senere",
        owner=leaders["nav"],
        due_on=today + timedelta(days=30),
    )
    assert tasks.send_action_reminders() == 1
    assert tasks.send_action_reminders() == 0
    assert services.action_remind(action_id=due.pk) is False
    assert [k for k in outbox if "action-reminder" in k] == [f"network:action-reminder:{due.pk}"]
    assert Action.objects.get(pk=due.pk).reminder_sent_at is not None


def test_solved_history_is_searchable(network, group, personas):
    from network.selectors import solved_history

    services.solution_group_close(
        user=personas["coordinator"],
        group=group,
        outcome="Praksis flyttes til feriene",
        solved=True,
    )
    assert list(solved_history(network=network, query="feriene")) == [group]
    assert list(solved_history(network=network, query="engelsk")) == []


# --- agreements: routine change needs every party ---------------------------------------------


def test_routine_activation_waits_for_every_party(network, personas, agencies, leaders):
    from resourcegroups.models import Routine
    from resourcegroups.services import routines as routine_services

    cora = personas["coordinator"]
    active = Routine.objects.get(status=Routine.Status.ACTIVE)
    draft = routine_services.routine_draft_copy(user=cora, routine=active)
    effective = timezone.localdate() + timedelta(days=10)
    # without any agreement in the app a coordinator activates directly
    assert routine_services.activation_allowed(draft) == (True, "")
    agreement = services.agreement_create(
        user=cora,
        network=network,
        title="Samarbeidsavtale 2026",
        effective_from=date(2026, 1, 1),
        parties=list(network.agencies.all()),
        routine_id=active.pk,
        routine_label=str(active),
    )
    with pytest.raises(ValidationError):
        routine_services.routine_activate(user=cora, routine=draft, effective_from=effective)
    change = services.routine_change_propose(
        user=cora,
        agreement=agreement,
        routine_id=draft.pk,
        routine_label="v2",
        summary="Nytt trinn",
        effective_from=effective,
    )
    with pytest.raises(PermissionDenied):  # not a leader
        services.routine_change_approve(user=cora, change=change)
    for key in ("nav", "adult_ed"):
        services.routine_change_approve(user=leaders[key], change=change)
        services.routine_change_approve(user=leaders[key], change=change)  # idempotent
    ok, reason = routine_services.activation_allowed(draft)
    assert not ok and agencies["career"].name in reason
    with pytest.raises(ValidationError):
        routine_services.routine_activate(user=cora, routine=draft, effective_from=effective)
    services.routine_change_approve(user=leaders["career"], change=change)
    change.refresh_from_db()
    assert change.approved_at is not None
    assert change.approvals.count() == 3
    assert {a.approved_by for a in change.approvals.all()} == set(leaders.values())
    routine_services.routine_activate(user=cora, routine=draft, effective_from=effective)
    history = services.agreement_history(agreement)
    assert [r["routine_label"] for r in history] == [str(active), "v2"]


# --- participant feedback --------------------------------------------------------------------


def test_feedback_token_single_use_and_expiring(db):
    now = at(2026, 5, 4, 12)
    invite, token = services.feedback_invite_for_meeting(
        77, "ti", stage_number=2, held_on=date(2026, 5, 4), now=now
    )
    assert token and invite.period == date(2026, 5, 1)
    again, no_token = services.feedback_invite_for_meeting(77, "ti", stage_number=2, now=now)
    assert again == invite and no_token is None
    response = services.feedback_submit(
        token=token, heard=5, understood=4, useful=3, free_text="Tolken var bra", now=now
    )
    fields = {f.name for f in FeedbackResponse._meta.get_fields()}
    assert "meeting_id" not in fields and "participant" not in fields
    assert (response.stage_number, response.language) == (2, "ti")
    with pytest.raises(ValidationError):
        services.feedback_submit(token=token, heard=1, understood=1, useful=1, now=now)
    _other, late = services.feedback_invite_for_meeting(
        78, "nb", stage_number=1, held_on=date(2026, 5, 4), now=now
    )
    with pytest.raises(ValidationError):
        services.feedback_submit(
            token=late, heard=3, understood=3, useful=3, now=now + timedelta(days=15)
        )
    assert FeedbackResponse.objects.count() == 1
    assert FeedbackInvite.objects.get(meeting_id=78).used is False


def test_feedback_summary_suppresses_small_cells(personas):
    bob = personas["teacher"]
    for _n in range(5):
        services.feedback_enter_paper(
            user=bob,
            stage_number=1,
            period=date(2026, 5, 9),
            language="nb",
            heard=4,
            understood=5,
            useful=3,
        )
    services.feedback_enter_paper(
        user=bob,
        stage_number=2,
        period=date(2026, 5, 9),
        language="nb",
        heard=1,
        understood=1,
        useful=1,
    )
    rows = services.feedback_summary(start=date(2026, 1, 1), end=date(2026, 12, 31))
    stage1, stage2 = rows
    assert stage1["count"] == 5 and stage1["questions"]["heard"]["mean"] == 4
    assert stage2["suppressed"] and stage2["count"] is None and stage2["questions"] == {}
    with pytest.raises(PermissionDenied):
        services.feedback_enter_paper(
            user=personas["coordinator"],
            stage_number=1,
            period=date(2026, 5, 1),
            language="nb",
            heard=1,
            understood=1,
            useful=1,
        )


def test_feedback_invite_reads_the_meeting_by_id(participant):
    meeting = participant.meetings.order_by("pk").first()
    invite, token = services.feedback_invite_for_meeting(meeting.pk, "ti")
    assert token and invite.stage_number == meeting.stage.number


def test_year_summary_counts(network, personas, held_day, group):
    from network.selectors import year_summary

    summary = year_summary(network=network, year=2026)
    assert [d.pk for d in summary["days"]] == [held_day.pk]
    assert group in summary["groups"]
    assert ProfessionalDay.objects.count() == 1


def test_part2_once_through_the_real_outbox(personas, agencies, mailoutbox):
    """The same rule end to end with the shared outbox (no monkeypatch): one message per
    attendee, and a second sweep adds nothing."""
    from kmv.notify.models import OutboxMessage

    cora = personas["coordinator"]
    network = services.network_create(
        user=cora, name="Nettverk", region="Agder", agencies=[agencies["career"], agencies["nav"]]
    )
    day = services.day_create(
        user=cora,
        network=network,
        kind="workshop",
        theme="Vigo",
        date=date(2026, 1, 5),
        place="Tangen",
        part2_delay_days=7,
    )
    services.registration_invite(user=cora, day=day, person=personas["nav_adviser"])
    services.day_mark_held(user=cora, day=day, now=at(2026, 1, 5, 16))
    assert tasks.send_due_evaluations() == 1
    assert tasks.send_due_evaluations() == 0
    assert OutboxMessage.objects.filter(key__startswith="network:eval:2:").count() == 1


def test_resource_group_raises_challenge_by_service(network, personas):
    challenge = services.challenge_raise_from_practice(
        user=personas["teacher"], title="Tolk mangler ofte"
    )
    assert challenge.network == network and challenge.source == Challenge.Source.RESOURCE_GROUP
    with pytest.raises(ValidationError):
        services.challenge_raise_from_practice(user=personas["school_adviser"], title="x")
