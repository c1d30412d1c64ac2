"""Demo data for the network area: the Agder qualification network with its bodies, meetings,
professional days, challenges, solution groups, agreement and anonymous feedback.

`seed_network_demo()` runs after `participants.demo.build_demo()` (staff, agencies and held
resource-group meetings must exist). Everything goes through `network.services`, so the data
obeys the same rules as the UI. Idempotent: when the Agder network exists nothing is done.

Two things cannot go through a service and are written as history on the row, as
`participants.demo` does for past meetings: the timestamps of challenges raised and triaged
months ago (`raised_at`/`triaged_at` are set to "now" by the service). Evaluation and feedback
answers use the single-use links the services mailed: the token is read back from the outbox
message, exactly as the recipient would click it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kmv.access.models import Agency, User
from kmv.notify.models import OutboxMessage

from . import services
from .models import (
    AgendaItem,
    Body,
    BodyMembership,
    Challenge,
    FeedbackInvite,
    Network,
    ProfessionalDay,
    ProgrammeSegment,
    Registration,
)

NETWORK_NAME = "Kvalifiseringsnettverket Agder"
REGION = "Agder"
PARTNER_KINDS = (
    Agency.Kind.NAV_INTEGRATION,
    Agency.Kind.NAV_FOLLOW_UP,
    Agency.Kind.ADULT_EDUCATION,
    Agency.Kind.CAREER_CENTRE,
    Agency.Kind.UPPER_SECONDARY,
)
TOKEN = re.compile(r"/(?:evaluering|tilbakemelding)/([A-Za-z0-9_-]{20,})/")


def workday(day: date) -> date:
    """The first weekday on or after `day` outside the Christmas holidays."""
    while day.weekday() >= 5 or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _token(key: str) -> str | None:
    """The raw token in a queued link mail (the recipient's click, in the demo)."""
    body = OutboxMessage.objects.filter(key=key).values_list("body", flat=True).first()
    match = TOKEN.search(body or "")
    return match.group(1) if match else None


@transaction.atomic
def seed_network_demo(today: date | None = None) -> dict[str, int]:
    """Create the demo network once. Returns counts of what was created (empty when the
    network was there already)."""
    if Network.objects.filter(region=REGION).exists():
        return {}
    today = today or timezone.localdate()
    users = {u.username: u for u in User.objects.select_related("agency")}
    coordinator = users["koordinator"]
    agencies = list(Agency.objects.filter(kind__in=PARTNER_KINDS).order_by("name"))
    by_kind = {a.kind: a for a in agencies}
    counts: dict[str, int] = {}

    def count(what: str, n: int = 1) -> None:
        counts[what] = counts.get(what, 0) + n

    network = services.network_create(
        user=coordinator, name=NETWORK_NAME, region=REGION, agencies=agencies
    )
    count("networks")
    bodies = {b.kind: b for b in network.bodies.all()}
    _members(coordinator, bodies, users, today)
    count("body memberships", BodyMembership.objects.filter(body__network=network).count())
    _meetings_held(coordinator, bodies, today)
    held_day, next_day = _days(coordinator, network, users, by_kind, today)
    _challenges(coordinator, network, users, held_day, next_day, today)
    _meetings_upcoming(coordinator, bodies, today)
    count("network meetings", sum(b.meetings.count() for b in bodies.values()))
    count("professional days", 2)
    count("challenges", network.challenges.count())
    _agreement(coordinator, network, users, by_kind, today)
    count("agreements")
    count("feedback answers", _feedback(users["radgiver"], today))
    return counts


def _members(coordinator: User, bodies: dict, users: dict, today: date) -> None:
    """Steering group of leaders, working group of practitioners; the chair of the steering
    group and the working group's secretary changed hands (ended terms = turnover)."""
    R = BodyMembership.Role
    steering, working = bodies[Body.Kind.STEERING], bodies[Body.Kind.WORKING]
    two_years, one_year = today - timedelta(days=730), today - timedelta(days=365)

    def add(body, username, role, starts_on):
        return services.member_add(
            user=coordinator, body=body, person=users[username], role=role, starts_on=starts_on
        )

    add(steering, "leder2", R.CHAIR, two_years)
    add(steering, "leder", R.CHAIR, one_year)  # ends leder2's term as chair the day before
    add(steering, "leder2", R.MEMBER, one_year)
    add(steering, "koordinator", R.SECRETARY, two_years)

    add(working, "karriere", R.CHAIR, two_years)
    add(working, "laerer2", R.SECRETARY, two_years)
    add(working, "laerer", R.SECRETARY, today - timedelta(days=120))
    add(working, "radgiver", R.MEMBER, two_years)
    add(working, "oppfolging", R.MEMBER, one_year)
    add(working, "skole", R.MEMBER, two_years)
    leaving = add(working, "radgiver2", R.MEMBER, two_years)
    services.member_end(user=coordinator, membership=leaving, ends_on=today - timedelta(days=200))


PLACES = {
    Agency.Kind.NAV_INTEGRATION: "NAV Kristiansand, møterom Odderøya",
    Agency.Kind.NAV_FOLLOW_UP: "NAV Kristiansand, møterom Bragdøya",
    Agency.Kind.ADULT_EDUCATION: "Kristiansand voksenopplæring, møterom 2",
    Agency.Kind.CAREER_CENTRE: "Karriere Agder, Tollbodgata 2",
    Agency.Kind.UPPER_SECONDARY: "Tangen videregående skole, auditoriet",
}


def _meeting(coordinator, body, title, start, items, *, minutes=None, host=None):
    """One meeting with its agenda, hosted by the next partner in turn (or `host`) at its
    premises; with `minutes` the decisions are recorded and the minutes published."""
    host = host or services.propose_host(body=body)
    meeting = services.meeting_create(
        user=coordinator,
        body=body,
        title=title,
        start=start,
        end=start + timedelta(hours=2),
        place=PLACES.get(host.kind, ""),
        host=host,
    )
    for kind, item_title, description, decision in items:
        item = services.agenda_item_add(
            user=coordinator, meeting=meeting, title=item_title, kind=kind, description=description
        )
        if minutes is not None and decision:
            services.agenda_decision_record(user=coordinator, item=item, decision=decision)
    if minutes is not None:
        services.minutes_publish(user=coordinator, meeting=meeting, summary=minutes)
    return meeting


INFO, DECISION = AgendaItem.Kind.INFORMATION, AgendaItem.Kind.DECISION


def _meetings_held(coordinator: User, bodies: dict, today: date) -> None:
    """Past meetings first, so the host rotation proposes the next partner in turn."""
    steering, working = bodies[Body.Kind.STEERING], bodies[Body.Kind.WORKING]
    _meeting(
        coordinator,
        steering,
        "Styringsgruppemøte – budsjett og prioriteringer",
        _at(workday(today - timedelta(days=84)), 12),
        [
            (INFO, "Status for samarbeidsavtalen", "Koordinator orienterer.", ""),
            (
                DECISION,
                "Finansiering av fagdag om overganger",
                "Forslag: partene deler kostnadene likt.",
                "Vedtatt. Partene dekker hver sin del av kostnadene.",
            ),
        ],
        minutes="Styringsgruppa sluttet seg til prioriteringene for neste halvår.",
    )
    _meeting(
        coordinator,
        working,
        "Arbeidsgruppemøte – erfaringer fra ressursgruppene",
        _at(workday(today - timedelta(days=56)), 9),
        [
            (
                INFO,
                "Erfaringer med møte 1 etter bosetting",
                "Runde rundt bordet: hva fungerer, hva må endres?",
                "",
            ),
            (
                DECISION,
                "Felles mal for innkalling til møte 3",
                "Forslag til felles mal fra voksenopplæringen.",
                "Malen tas i bruk fra neste runde. Voksenopplæringen sender den ut.",
            ),
            (INFO, "Planlegging av neste fagdag", "Tema og dato.", ""),
        ],
        minutes="Gruppa ble enige om felles mal for møte 3 og tema for neste fagdag.",
        # the working group last met at the school; from here the rotation proposes the host
        host=working.network.agencies.filter(kind=Agency.Kind.UPPER_SECONDARY).first(),
    )


def _meetings_upcoming(coordinator: User, bodies: dict, today: date) -> None:
    """Planned meetings; the open solution group's status report is put on their agendas by
    the service. The working group's members are invited (e-mail + calendar)."""
    steering, working = bodies[Body.Kind.STEERING], bodies[Body.Kind.WORKING]
    next_working = _meeting(
        coordinator,
        working,
        "Arbeidsgruppemøte – overgang til videregående",
        _at(workday(today + timedelta(days=21)), 9),
        [
            (INFO, "Nytt fra Karriere Agder", "Veiledningskapasitet våren.", ""),
            (
                DECISION,
                "Tema for neste fagdag",
                "Forslag: tolk i ressursgruppemøter.",
                "",
            ),
        ],
    )
    services.meeting_send_invitations(user=coordinator, meeting=next_working)
    _meeting(
        coordinator,
        steering,
        "Styringsgruppemøte – årsrapport",
        _at(workday(today + timedelta(days=42)), 12),
        [
            (INFO, "Årsoppsummering for nettverket", "Koordinator legger fram.", ""),
            (DECISION, "Godkjenning av årsrapport", "Utkast sendes ut på forhånd.", ""),
        ],
    )


EVALUATIONS_1 = [
    (5, "Casearbeidet i blandede grupper", "Kjennskap til lærlingordningen", "Tolk i møter"),
    (4, "Oppdateringen om integreringsloven", "", "Overgang til arbeid"),
    (4, "Å møte kolleger fra skolen", "Rettigheter i videregående for voksne", ""),
    (3, "", "Mer om kartleggingsverktøy", "Digitale ressursgruppemøter"),
    (5, "Praksisfortellingen fra NAV", "", "Tolk i møter"),
    (2, "Pausene", "Konkrete verktøy", ""),
]
EVALUATIONS_2 = [
    ("much", "Bruker den nye malen for overføring av kartlegging."),
    ("some", "Har tatt kontakt med karrieresenteret tidligere i løpet."),
    ("little", ""),
]


def _days(coordinator, network, users, by_kind, today):
    """A professional day held seven weeks ago (registrations, attendance, evaluation part 1
    and, since the delay has passed, part 2) and a closed collaboration day coming up."""
    K = Agency.Kind
    held = services.day_create(
        user=coordinator,
        network=network,
        kind=ProfessionalDay.Kind.OPEN,
        theme="Overganger i kvalifiseringsløpet",
        date=workday(today - timedelta(days=49)),
        place="Kristiansand folkebibliotek, Sørlandssalen",
        part2_delay_days=42,
    )
    for kind, title, presenter in (
        (ProgrammeSegment.Kind.RULES, "Nytt i integreringsloven og opplæringsloven", None),
        (ProgrammeSegment.Kind.PRACTICE, "Slik jobber vi med møte 3", by_kind[K.ADULT_EDUCATION]),
        (ProgrammeSegment.Kind.CASE_WORK, "Case: fra grunnskole til læreplass", None),
        (ProgrammeSegment.Kind.EVALUATION, "Evaluering", None),
    ):
        services.segment_add(
            user=coordinator, day=held, kind=kind, title=title, presenter=presenter
        )
    for kind in (K.NAV_INTEGRATION, K.ADULT_EDUCATION, K.CAREER_CENTRE, K.UPPER_SECONDARY):
        services.invite_agency_staff(user=coordinator, day=held, agency=by_kind[kind])
    guest = services.registration_invite(
        user=coordinator, day=held, name="Lise Fjeld", email="lise.fjeld@example.no"
    )
    services.registration_set(
        user=coordinator, registration=guest, status=Registration.Status.REGISTERED
    )
    for username in ("radgiver", "radgiver2", "laerer", "laerer2", "karriere", "skole"):
        services.registration_self(user=users[username], day=held)
    services.registration_cancel(user=users["radgiver2"], day=held)
    present = held.registrations.filter(status=Registration.Status.REGISTERED).exclude(
        user=users["skole"]
    )
    services.attendance_record(
        user=coordinator, day=held, present_ids=list(present.values_list("pk", flat=True))
    )
    services.day_mark_held(user=coordinator, day=held)
    regs = list(held.registrations.filter(attended=True).order_by("pk"))
    for i, (reg, (score, useful, missing, wished)) in enumerate(
        zip(regs, EVALUATIONS_1, strict=False)
    ):
        token = _token(f"network:eval:1:{reg.pk}")
        if token:
            services.evaluation_submit(
                token=token,
                usefulness=score,
                most_useful=useful,
                missing_competence=missing,
                wished_topics=wished,
                free_text="Gjerne flere slike dager!" if i == 0 else "",
            )
    if any(d.pk == held.pk for d in services.part2_due()):
        services.send_part2(day_id=held.pk)
    for reg, (used, how) in zip(regs, EVALUATIONS_2, strict=False):
        token = _token(f"network:eval:2:{reg.pk}")
        if token:
            services.evaluation_submit(token=token, competence_used=used, used_how=how)

    upcoming = services.day_create(
        user=coordinator,
        network=network,
        kind=ProfessionalDay.Kind.COLLABORATION,
        theme="Tolk i ressursgruppemøtet",
        date=workday(today + timedelta(days=35)),
        place="Tangen videregående skole",
        invited_agencies=[by_kind[K.NAV_INTEGRATION], by_kind[K.ADULT_EDUCATION]],
    )
    for kind, title in (
        (ProgrammeSegment.Kind.PRACTICE, "Erfaringer fra tolketjenesten"),
        (ProgrammeSegment.Kind.CASE_WORK, "Øvelse: møte med tolk"),
    ):
        services.segment_add(user=coordinator, day=upcoming, kind=kind, title=title)
    for username in ("radgiver", "laerer"):
        services.registration_self(user=users[username], day=upcoming)
    return held, upcoming


def _backdate(challenge: Challenge, raised: date, triaged: date | None = None) -> None:
    fields = {"raised_at": _at(raised, 10)}
    if triaged is not None:
        fields["triaged_at"] = _at(triaged, 14)
    Challenge.objects.filter(pk=challenge.pk).update(**fields)


def _challenges(coordinator, network, users, held_day, next_day, today) -> None:
    """New (from the professional day), a topic for the next day, one in a solution group
    with a meeting, actions (one overdue) and a status report, one closed, and one solved
    group in the history."""
    S = Challenge.Status
    from_day = services.challenges_from_evaluation(
        user=coordinator,
        day=held_day,
        titles=["Rettigheter i videregående opplæring for voksne er lite kjent"],
    )[0]
    _backdate(from_day, today - timedelta(days=45))

    topic = services.challenge_raise(
        user=users["laerer"],
        network=network,
        title="Ventetid på tolk ved ressursgruppemøter",
        description="Møter blir utsatt fordi tolk ikke er bestilt i tide.",
        source=Challenge.Source.WORKING_GROUP,
    )
    services.challenge_triage(user=coordinator, challenge=topic, outcome=S.DAY_TOPIC, day=next_day)
    _backdate(topic, today - timedelta(days=60), today - timedelta(days=56))

    closed = services.challenge_raise(
        user=users["radgiver"],
        network=network,
        title="Ønske om felles kalender for alle ressursgruppemøter",
        source=Challenge.Source.WORKING_GROUP,
        kind=Challenge.Kind.OPPORTUNITY,
    )
    services.challenge_triage(
        user=coordinator,
        challenge=closed,
        outcome=S.CLOSED,
        reason="Løst i KMV: møtene sendes som kalenderinvitasjoner.",
    )
    _backdate(closed, today - timedelta(days=100), today - timedelta(days=56))

    # an open solution group: meeting, agreed alternative, actions, party checks, report
    open_challenge = services.challenge_raise(
        user=users["skole"],
        network=network,
        title="Kartleggingen følger ikke med over til videregående",
        description="Skolen må kartlegge på nytt; deltakeren opplever å starte på nytt.",
        source=Challenge.Source.RESOURCE_GROUP,
    )
    services.challenge_triage(
        user=coordinator,
        challenge=open_challenge,
        outcome=S.SOLUTION_GROUP,
        topic="Overføring av kartlegging til videregående",
    )
    _backdate(open_challenge, today - timedelta(days=70), today - timedelta(days=56))
    group = open_challenge.solution_group
    for username, power, budget in (
        ("leder", True, True),
        ("leder2", True, False),
        ("koordinator", False, True),
    ):
        services.solution_member_add(
            user=coordinator,
            group=group,
            person=users[username],
            decision_power=power,
            budget_responsibility=budget,
        )
    meeting = services.solution_meeting_record(
        user=coordinator,
        group=group,
        date=workday(today - timedelta(days=28)),
        options_discussed=(
            "1) Skolen kartlegger på nytt. 2) Voksenopplæringen sender kartleggingen med "
            "samtykke. 3) Felles overgangsmøte (møte 3) med skolen til stede."
        ),
        agreed_alternative="Alternativ 2 og 3: kartleggingen deles i møte 3, med samtykke.",
    )
    for username, what, due in (
        ("leder2", "Lage mal for overføringsnotat", today - timedelta(days=5)),
        ("leder", "Avklare samtykketekst med NAV juridisk", today + timedelta(days=10)),
        ("koordinator", "Melde status til styringsgruppa", today + timedelta(days=30)),
    ):
        services.action_add(
            user=coordinator,
            meeting=meeting,
            description=what,
            owner=users[username],
            due_on=due if due < today else workday(due),
        )
    # the latest action is already done; the earliest is overdue
    services.action_done(user=coordinator, action=meeting.actions.order_by("due_on").last())
    services.party_check_record(
        user=users["leder"],
        group=group,
        works=True,
        implementation_date=today + timedelta(days=60),
    )
    services.status_report_add(
        user=coordinator,
        group=group,
        text="Mal for overføringsnotat er på vei; samtykketeksten avklares med NAV.",
    )

    # a solved group, months ago: the history the working group searches
    solved = services.challenge_raise(
        user=users["karriere"],
        network=network,
        title="Deltakerne kjenner ikke karrieresenterets tilbud",
        source=Challenge.Source.PROFESSIONAL_DAY,
    )
    services.challenge_triage(
        user=coordinator,
        challenge=solved,
        outcome=S.SOLUTION_GROUP,
        topic="Karriereveiledning tidlig i løpet",
        target_meetings=1,
    )
    _backdate(solved, today - timedelta(days=320), today - timedelta(days=300))
    old_group = solved.solution_group
    services.solution_member_add(
        user=coordinator, group=old_group, person=users["leder"], decision_power=True
    )
    services.solution_member_add(
        user=coordinator, group=old_group, person=users["koordinator"], budget_responsibility=True
    )
    services.solution_meeting_record(
        user=coordinator,
        group=old_group,
        date=today - timedelta(days=280),
        options_discussed="Informasjonsmøte i introduksjonsprogrammet; karriereveileder i møte 1.",
        agreed_alternative="Karriereveileder deltar i møte 1 for alle nye deltakere.",
    )
    for username in ("leder", "koordinator"):
        services.party_check_record(user=users[username], group=old_group, works=True)
    services.solution_group_close(
        user=coordinator,
        group=old_group,
        outcome="Karriereveileder er fast med i møte 1; rutinen er endret.",
        solved=True,
        on=today - timedelta(days=200),
    )


CHANGE_SUMMARY = "Rådgiver i videregående inviteres til møte 3, så kartleggingen følger med."


def _agreement(coordinator, network, users, by_kind, today) -> None:
    """The agreement between the two parties whose leaders are in the demo, with the routine
    in force attached; a new routine version is proposed and approved by one party so far."""
    from resourcegroups.selectors import routine_in_force
    from resourcegroups.services import routines as routine_services

    routine = routine_in_force(today)
    if routine is None:
        return
    K = Agency.Kind
    agreement = services.agreement_create(
        user=coordinator,
        network=network,
        title="Samarbeidsavtale KMV Agder 2025–2028",
        effective_from=date(today.year - 1, 1, 1),
        parties=[by_kind[K.NAV_INTEGRATION], by_kind[K.ADULT_EDUCATION]],
        routine_id=routine.pk,
        routine_label=str(routine),
    )
    signed = date(today.year - 2, 12, 10)
    for username in ("leder", "leder2"):
        services.signatory_add(
            user=coordinator, agreement=agreement, leader=users[username], signed_on=signed
        )
    draft = routine_services.routine_draft_copy(user=coordinator, routine=routine)
    draft = routine_services.routine_update(
        user=coordinator, routine=draft, change_summary=CHANGE_SUMMARY
    )
    meeting_3 = draft.stages.filter(number=3).first()
    if meeting_3 is not None and "school_adviser" not in (meeting_3.invited_roles or []):
        routine_services.stage_update(
            user=coordinator,
            stage=meeting_3,
            invited_roles=[*meeting_3.invited_roles, "school_adviser"],
        )
    change = services.routine_change_propose(
        user=coordinator,
        agreement=agreement,
        routine_id=draft.pk,
        routine_label=str(draft),
        summary=CHANGE_SUMMARY,
        effective_from=today + timedelta(days=60),
    )
    services.routine_change_approve(user=users["leder"], change=change)


def _feedback(adviser: User, today: date) -> int:
    """Anonymous participant feedback: some answers through the links mailed after held
    meetings, and paper forms typed in by the adviser (enough in one month for figures)."""
    n = 0
    scores = [(5, 4, 5), (4, 4, 4), (3, 2, 3), (5, 5, 4), (4, 3, 4), (2, 3, 2), (5, 5, 5)]
    texts = ["", "Tolken var bra.", "", "Jeg forsto ikke alt i planen.", "", "", "Takk!"]
    # links still open (a database seeded weeks ago has expired ones: those are skipped)
    invites = FeedbackInvite.objects.filter(used=False, expires_at__gt=timezone.now()).order_by(
        "-period", "meeting_id"
    )[: len(scores)]
    for invite, (heard, understood, useful), text in zip(invites, scores, texts, strict=False):
        token = _token(f"network:feedback:{invite.meeting_id}")
        if token:
            services.feedback_submit(
                token=token, heard=heard, understood=understood, useful=useful, free_text=text
            )
            n += 1
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    paper = ["", "Bra at alle fra skolen var der.", "", "", "Vanskelig å forstå uten tolk."]
    for (heard, understood, useful), text in zip(scores[:5], paper, strict=True):
        services.feedback_enter_paper(
            user=adviser,
            stage_number=1,
            period=month,
            language="ar",
            heard=heard,
            understood=understood,
            useful=useful,
            free_text=text,
        )
        n += 1
    return n
