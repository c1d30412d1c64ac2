from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from kmv.access import policy
from kmv.access.models import CASE_ROLES, Agency, AuditEvent, Role, User
from participants.demo import DEMO_PASSWORD, build_demo, plan
from participants.models import Consent, OutcomeRecord, Participant, SettledFigure
from participants.validators import birth_date_from_id, is_d_number, validate_national_id
from resourcegroups.models import Meeting, MeetingInvitee, Membership, Minutes, ResourceGroup

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Participant,
            Consent,
            Membership,
            ResourceGroup,
            User,
            Agency,
            AuditEvent,
            OutcomeRecord,
            SettledFigure,
            Minutes,
            MeetingInvitee,
        )
    } | {"held": Meeting.objects.filter(status__in=Meeting.DONE_STATUSES).count()}


def test_demo_region_access_and_ids():
    build_demo()
    today = timezone.localdate()

    assert Participant.objects.count() >= 35
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.agency is None
    assert User.objects.get(username="radgiver").check_password(DEMO_PASSWORD)
    assert ResourceGroup.objects.count() == Participant.objects.count()
    assert Participant.objects.filter(interpreter_needed=True).count() >= 15
    assert {s[0] for s in Participant.Status.choices} == set(
        Participant.objects.values_list("status", flat=True)
    )

    # Every case worker who is an active member of a group whose agency holds active consent
    # sees the participant.
    visible = {
        user.pk: set(policy.participants_for(user).values_list("pk", flat=True))
        for user in User.objects.all()
    }
    consenting = set(Consent.objects.active(today).values_list("participant_id", "agency_id"))
    checked = 0
    for m in Membership.objects.active(today).select_related("group", "staff"):
        pid = m.group.participant_id
        if m.staff.role in CASE_ROLES and (pid, m.agency_id) in consenting:
            assert pid in visible[m.staff_id], (m.staff.username, pid)
            checked += 1
    assert checked >= 80

    career = Agency.objects.get(kind=Agency.Kind.CAREER_CENTRE)
    without_career = set(Participant.objects.values_list("pk", flat=True)) - {
        pid for pid, agency_id in consenting if agency_id == career.pk
    }
    assert len(without_career) >= 3
    for username in ("karriere", "karriere2"):
        assert not visible[User.objects.get(username=username).pk] & without_career
    withdrawn = Consent.objects.filter(agency=career, withdrawn_on__isnull=False)
    assert withdrawn.exists()
    assert withdrawn[0].participant_id in without_career

    # Roles outside the case roles see no individuals.
    for username in ("koordinator", "leder", "leder2", "admin", "tolk"):
        assert not visible[User.objects.get(username=username).pk]
    # The programme advisers' agency sees everyone it registered.
    nav = User.objects.get(username="radgiver")
    assert visible[nav.pk] == set(Participant.objects.values_list("pk", flat=True))

    assert Consent.objects.filter(basis=Consent.Basis.LEGAL).exclude(legal_basis="").exists()
    assert Membership.objects.exclude(end_date=None).exclude(end_reason="").count() >= 2

    ids = list(
        Participant.objects.exclude(national_id=None).values_list("national_id", "date_of_birth")
    )
    assert len(ids) >= 10
    assert any(is_d_number(n) for n, _dob in ids)
    assert any(not is_d_number(n) for n, _dob in ids)
    for number, dob in ids:
        validate_national_id(number)
        assert birth_date_from_id(number) == dob
    assert Participant.objects.filter(national_id=None).exists()


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    out = capsys.readouterr().out
    assert "radgiver" in out and DEMO_PASSWORD in out and "http://127.0.0.1:8000/" in out

    call_command("seed_demo")
    assert _counts() == first


def test_plan_is_deterministic_and_only_dates_follow_today():
    def identity(specs):
        return [(s.first_name, s.last_name, s.date_of_birth, s.national_id) for s in specs]

    now, later = plan(date(2026, 1, 10)), plan(date(2027, 9, 1))
    assert identity(now) == identity(later)
    assert now[0].dates != later[0].dates
    assert len({(s.first_name, s.last_name) for s in now}) == len(now)


def test_demo_history_fills_the_dashboards():
    """Settled figures, outcomes over several cohorts and held meetings with attendance and
    minutes, so every dashboard section has numbers on `make run`."""
    from reports import selectors

    build_demo()
    today = timezone.localdate()
    years = set(SettledFigure.objects.values_list("year", flat=True))
    assert years == set(range(today.year - 6, today.year))
    assert SettledFigure.objects.values("municipality").distinct().count() == 3

    cohorts = set(
        OutcomeRecord.objects.exclude(cohort_year=None).values_list("cohort_year", flat=True)
    )
    assert len(cohorts) >= 2
    statuses = set(OutcomeRecord.objects.values_list("status", flat=True))
    assert {"adult_education", "upper_secondary_started", "moved_away"} <= statuses
    assert statuses & {"passed_trade_certificate", "not_passed"}
    assert OutcomeRecord.objects.filter(in_work=True).exists()
    school = Agency.objects.get(kind=Agency.Kind.UPPER_SECONDARY)
    assert OutcomeRecord.objects.filter(reported_by_agency=school).exists()

    held = Meeting.objects.filter(status__in=Meeting.DONE_STATUSES)
    assert held.count() >= 30
    assert not held.filter(planned_start=None).exists()
    assert Minutes.objects.filter(status=Minutes.Status.APPROVED).count() >= 1
    assert Minutes.objects.filter(meeting__in=held).count() == held.count()
    marked = MeetingInvitee.objects.filter(meeting__in=held).exclude(attendance="")
    assert marked.filter(attendance="present").exists()
    assert marked.filter(attendance="absent").exists()
    # some past meetings were never held: overdue on the dashboard
    assert Meeting.objects.filter(
        status=Meeting.Status.PLANNED, due_date__lt=today - timezone.timedelta(days=60)
    ).exists()

    # the programme advisers registered everyone: they see the demo's numbers exact
    nav = User.objects.get(username="radgiver")
    sections = {s.key: s for s in selectors.dashboard(selectors.Filters(), today=today, viewer=nav)}
    assert sections["settled"].table.total.value > 0
    assert sections["compliance"].table.total.value == held.filter(
        due_date__isnull=False
    ).count() + (
        Meeting.objects.filter(status__in=Meeting.OPEN_STATUSES, due_date__isnull=False).count()
    )
    assert sections["attendance"].table.total.value > 0
    assert sections["cohorts"].rows
    assert all(
        s.exact
        for s in selectors.dashboard(selectors.Filters(), today=today, viewer=nav)
        if s.key not in ("settled", "feedback", "network_meetings")
    )
