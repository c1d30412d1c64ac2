"""Seed data for `bench/load.py`: a KMV installation at county scale, filled in seconds.

N participants (default 25,000) in 10 regions. Each region has a NAV office (10 programme
advisers), an adult-education centre (100 teachers) and a career centre (50 counsellors); a
network office holds the coordinators. Every participant has a resource group with an adviser,
a teacher and a counsellor, consent for the school and the career centre, the three first
milestone meetings of the KMV routine (held when their due date has passed, with the three
members invited), and ~60 % an outcome record. The django-guardian rows that
`kmv.access.policy` reads are written as `sync_participant_access` would write them. Each
NAV office has a draft round with its advisers' open meetings.

Rows go in with `bulk_create` (model defaults apply, so new columns with defaults need no
change here). The seed is kept and re-used while its participant count matches; the staff the
load test logs in as get a password and a confirmed TOTP device (their keys are returned).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

PASSWORD = "load-bench-password"  # noqa: S105 — throwaway accounts in a benchmark database
REGIONS = 10
ADVISERS, TEACHERS, COUNSELLORS, COORDINATORS = 10, 100, 50, 5
BATCH = 5000
PREFIX = "load"
FIRST = ["Amina", "Yonas", "Semhar", "Ahmad", "Fatima", "Zahra", "Omar", "Hawa", "Ali", "Nour"]
LAST = ["Tesfay", "Hakimi", "Gebremedhin", "Ahmadi", "Mohamed", "Abdi", "Haile", "Karimi"]


def seeded_count() -> int:
    from participants.models import Participant

    return Participant.objects.filter(last_name__startswith="Last-").count()


def staff(role: str, limit: int) -> list[str]:
    """Usernames of one role the load test may log in as (one per simulated user)."""
    from kmv.access.models import User

    return list(
        User.objects.filter(username__startswith=f"{PREFIX}-{role}-")
        .order_by("username")
        .values_list("username", flat=True)[:limit]
    )


def totp_keys(usernames: list[str]) -> dict[str, str]:
    """A confirmed TOTP device per user (created once); username -> hex key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kmv.access.models import User

    keys = {}
    for user in User.objects.filter(username__in=usernames):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
        keys[user.username] = device.key
    return keys


def _agency(name: str, kind: str, municipalities):
    from kmv.access.models import Agency

    agency = Agency.objects.filter(name=name).first()
    if agency is None:
        agency = Agency(name=name, kind=kind)
        agency.save()  # save() creates the agency's permission group
    agency.municipalities.set(municipalities)
    return agency


def _users(agency, role: str, count: int, password: str) -> list:
    from kmv.access.models import User

    User.objects.bulk_create(
        [
            User(
                username=f"{PREFIX}-{role}-{agency.pk}-{i:03d}",
                first_name=role.replace("_", " ").title(),
                last_name=f"{agency.pk}-{i:03d}",
                agency=agency,
                role=role,
                password=password,
                language="nb",
            )
            for i in range(count)
        ],
        ignore_conflicts=True,
    )
    return list(
        User.objects.filter(agency=agency, role=role, username__startswith=f"{PREFIX}-").order_by(
            "username"
        )
    )


def _clear() -> None:
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE participants_participant, resourcegroups_round, access_auditevent CASCADE"
        )


@transaction.atomic
def seed(n: int) -> None:
    """(Re)build the whole data set for n participants."""
    from kmv.access.models import Municipality, Role
    from participants.models import (
        Consent,
        OutcomeRecord,
        Participant,
        ParticipantGroupObjectPermission,
    )
    from resourcegroups.models import (
        Meeting,
        MeetingInvitee,
        Membership,
        ResourceGroup,
        Round,
        RoundDay,
        RoundEntry,
        Routine,
    )

    started = time.perf_counter()
    _clear()
    password = make_password(PASSWORD)
    Municipality.objects.bulk_create(
        [Municipality(number=f"{9000 + i}", name=f"Lastkommune {i:02d}") for i in range(50)],
        ignore_conflicts=True,
    )
    munis = list(Municipality.objects.filter(number__gte="9000").order_by("number"))
    regions = []
    for r in range(REGIONS):
        mine = munis[r * 5 : r * 5 + 5]
        nav = _agency(f"Last NAV {r}", "nav_integration", mine)
        school = _agency(f"Last voksenopplæring {r}", "adult_education", mine)
        career = _agency(f"Last karrieresenter {r}", "career_centre", mine)
        regions.append(
            {
                "munis": mine,
                "nav": nav,
                "school": school,
                "career": career,
                "advisers": _users(nav, Role.PROGRAMME_ADVISER, ADVISERS, password),
                "teachers": _users(school, Role.TEACHER, TEACHERS, password),
                "counsellors": _users(career, Role.CAREER_COUNSELLOR, COUNSELLORS, password),
            }
        )
    network = _agency("Last nettverkskontor", "other", munis)
    _users(network, Role.NETWORK_COORDINATOR, COORDINATORS, password)

    today = timezone.localdate()
    people = []
    for i in range(n):
        reg = regions[i % REGIONS]
        start = date(2022, 1, 3) + timedelta(days=(i * 37) % 1600)
        people.append(
            Participant(
                first_name=FIRST[i % len(FIRST)],
                last_name=f"Last-{LAST[(i // 10) % len(LAST)]}-{i:05d}",
                date_of_birth=date(1975, 1, 1) + timedelta(days=(i * 53) % 9000),
                languages=["ar", "ti"][: 1 + i % 2],
                preferred_language=["ar", "ti", "so", "prs", "uk"][i % 5],
                interpreter_needed=i % 3 == 0,
                interpreter_language=["ar", "ti", "so", "prs", "uk"][i % 5] if i % 3 == 0 else "",
                municipality=reg["munis"][(i // REGIONS) % 5],
                intro_programme_start=start,
                adult_education_end=start + timedelta(days=730),
                pathway="without_vgo" if i % 10 == 0 else "with_vgo",
                status="active",
                owner_agency=reg["nav"],
                created_by=reg["advisers"][(i // REGIONS) % ADVISERS],
            )
        )
    Participant.objects.bulk_create(people, batch_size=BATCH)
    groups = ResourceGroup.objects.bulk_create(
        [ResourceGroup(participant=p) for p in people], batch_size=BATCH
    )

    def members(i):
        reg = regions[i % REGIONS]
        k = i // REGIONS
        return [
            (reg["advisers"][k % ADVISERS], reg["nav"]),
            (reg["teachers"][k % TEACHERS], reg["school"]),
            (reg["counsellors"][k % COUNSELLORS], reg["career"]),
        ]

    Membership.objects.bulk_create(
        [
            Membership(
                group=g,
                staff=u,
                agency=a,
                role=u.role,
                start_date=people[i].intro_programme_start,
                added_by=members(i)[0][0],
            )
            for i, g in enumerate(groups)
            for u, a in members(i)
        ],
        batch_size=BATCH,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                participant=p,
                agency=a,
                category="education_mapping",
                purpose="Ressursgruppe",
                given_on=p.intro_programme_start,
                recorded_by=members(i)[0][0],
            )
            for i, p in enumerate(people)
            for _u, a in members(i)[1:]
        ],
        batch_size=BATCH,
    )
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="participants",
            codename__in=["view_participant", "change_participant"],
        ).values_list("codename", "pk")
    )
    ParticipantGroupObjectPermission.objects.bulk_create(
        [
            ParticipantGroupObjectPermission(
                content_object=p, group_id=agency.group_id, permission_id=perms[codename]
            )
            for i, p in enumerate(people)
            for agency, codename in (
                (regions[i % REGIONS]["nav"], "view_participant"),
                (regions[i % REGIONS]["nav"], "change_participant"),
                (regions[i % REGIONS]["school"], "view_participant"),
                (regions[i % REGIONS]["career"], "view_participant"),
            )
        ],
        batch_size=BATCH,
    )

    routine = Routine.objects.filter(status="active").order_by("-version").first()
    stages = list(routine.stages.filter(kind="milestone").order_by("number"))[:3]
    meetings, invited = [], []
    for i, p in enumerate(people):
        ae_end = p.adult_education_end
        dues = [
            p.intro_programme_start + timedelta(days=91),
            ae_end - timedelta(days=365),
            ae_end - timedelta(days=182),
        ]
        for stage, due in zip(stages, dues, strict=False):
            held = due < today - timedelta(days=14)
            soon = not held and due < today + timedelta(days=90)
            start = (
                timezone.make_aware(datetime.combine(due, clock(9 + i % 6)))
                if held or soon
                else None
            )
            meetings.append(
                Meeting(
                    participant=p,
                    routine=routine,
                    stage=stage,
                    due_date=due,
                    planned_start=start,
                    planned_end=start + timedelta(hours=1) if start else None,
                    place="Møterom 1" if start else "",
                    interpreter_needed=p.interpreter_needed,
                    interpreter_language=p.interpreter_language,
                    status="held" if held else ("invited" if soon else "planned"),
                )
            )
            invited.append(i)
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    MeetingInvitee.objects.bulk_create(
        [
            MeetingInvitee(
                meeting=m,
                staff=u,
                agency=a,
                role=u.role,
                attendance="present" if m.status == "held" else "",
            )
            for m, i in zip(meetings, invited, strict=True)
            if m.status != "planned"
            for u, a in members(i)
        ],
        batch_size=BATCH,
    )
    OutcomeRecord.objects.bulk_create(
        [
            OutcomeRecord(
                participant=p,
                status="upper_secondary_started",
                since=date(2019 + i % 7, 8, 15),
                cohort_year=2019 + i % 7,
                reported_by_agency=regions[i % REGIONS]["school"],
            )
            for i, p in enumerate(people)
            if i % 10 < 6
        ],
        batch_size=BATCH,
    )
    # one draft round per NAV office with its open meetings of stage 2
    for reg in regions:
        rnd = Round.objects.create(
            title=f"Høstrunde {reg['nav'].name}", owner=reg["advisers"][0], agency=reg["nav"]
        )
        RoundDay.objects.create(
            round=rnd,
            date=today + timedelta(days=30),
            start=clock(9),
            end=clock(15),
        )
        rnd.stages.set(stages)
        RoundEntry.objects.bulk_create(
            [
                RoundEntry(round=rnd, meeting=m)
                for m in (
                    Meeting.objects.filter(
                        participant__owner_agency=reg["nav"], status__in=["planned", "invited"]
                    ).order_by("due_date", "pk")[:40]
                )
            ]
        )
    with connection.cursor() as c:
        c.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"seeded {n} participants, {len(meetings)} meetings in {took:.0f} s")
