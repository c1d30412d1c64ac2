"""Demo data: an Agder-like region with agencies, staff for every role and ~40 participants,
and the history the dashboards count (settled figures, outcomes, held meetings).

`build_demo()` is what `manage.py seed_demo` runs; tests call it directly. It is idempotent:
municipalities, agencies and staff are looked up by stable keys (number, name, username), and
a participant that already exists (same name and date of birth) is skipped together with its
consents and memberships. Everything goes through the services, so resource groups, guardian
rows and the audit log are real.

Names, birth dates and identity numbers come from a fixed random seed and never depend on the
date; the path dates are relative to today so the demo always looks current.

Identity numbers are Skatteetaten's *synthetic* numbers (month + 80): valid check digits, the
encoded date equals the date of birth, D-numbers have day + 40, and they can never belong to a
real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from kmv.access import policy
from kmv.access.models import Agency, Municipality, Role, User
from participants import services as participant_services
from participants.models import Consent, DataCategory, OutcomeStatus, Participant, SettledFigure
from participants.validators import _W1, _W2, _check_digit
from resourcegroups import services as group_services

DEMO_PASSWORD = "kmv-demo-2026"
SEED = 2026
SYNTHETIC_MONTH_OFFSET = 80  # Skatteetaten's synthetic test numbers; set to 0 for ordinary ones

REGION = "Agder"
KRISTIANSAND, VENNESLA, LILLESAND = "4204", "4223", "4215"
MUNICIPALITIES = [
    (KRISTIANSAND, "Kristiansand"),
    (VENNESLA, "Vennesla"),
    (LILLESAND, "Lillesand"),
]
ALL_MUNICIPALITIES = (KRISTIANSAND, VENNESLA, LILLESAND)

K = Agency.Kind
# key: (name, kind, municipalities served, e-mail)
AGENCIES = {
    "nav": (
        "NAV Kristiansand – integrering",
        K.NAV_INTEGRATION,
        ALL_MUNICIPALITIES,
        "integrering.kristiansand@example.no",
    ),
    "nav_follow_up": (
        "NAV Kristiansand – oppfølging",
        K.NAV_FOLLOW_UP,
        ALL_MUNICIPALITIES,
        "oppfolging.kristiansand@example.no",
    ),
    "adult_ed": (
        "Kristiansand voksenopplæring",
        K.ADULT_EDUCATION,
        ALL_MUNICIPALITIES,
        "voksenopplaering@example.no",
    ),
    "career": ("Karriere Agder", K.CAREER_CENTRE, ALL_MUNICIPALITIES, "karriere@example.no"),
    "school": (
        "Tangen videregående skole",
        K.UPPER_SECONDARY,
        ALL_MUNICIPALITIES,
        "tangen.vgs@example.no",
    ),
    "interpreters": (
        "Tolketjenesten Agder",
        K.INTERPRETER_SERVICE,
        ALL_MUNICIPALITIES,
        "tolk@example.no",
    ),
    "volunteer": ("Røde Kors Kristiansand", K.VOLUNTEER, (KRISTIANSAND,), "rodekors@example.no"),
}

# (username, first name, last name, role, agency key or None)
STAFF = [
    ("radgiver", "Ingrid", "Halvorsen", Role.PROGRAMME_ADVISER, "nav"),
    ("radgiver2", "Kristian", "Olsen", Role.PROGRAMME_ADVISER, "nav"),
    ("oppfolging", "Marius", "Eikeland", Role.FOLLOW_UP_ADVISER, "nav_follow_up"),
    ("laerer", "Silje", "Tveit", Role.TEACHER, "adult_ed"),
    ("laerer2", "Ole Kristian", "Bakke", Role.TEACHER, "adult_ed"),
    ("karriere", "Hanne", "Løvland", Role.CAREER_COUNSELLOR, "career"),
    ("karriere2", "Tor Egil", "Syvertsen", Role.CAREER_COUNSELLOR, "career"),
    ("skole", "Kari", "Mjåland", Role.SCHOOL_ADVISER, "school"),
    ("koordinator", "Randi", "Fidjeland", Role.NETWORK_COORDINATOR, "career"),
    ("leder", "Bjørn", "Larsen", Role.AGENCY_LEADER, "nav"),
    ("leder2", "Anne Grete", "Salvesen", Role.AGENCY_LEADER, "adult_ed"),
    ("admin", "Per Håkon", "Nilsen", Role.SYSTEM_ADMIN, None),
    ("tolk", "Samira", "Haddad", Role.INTERPRETER, "interpreters"),
]

NAMES = {
    "ar": (
        ["Ahmad", "Mohammad", "Omar", "Khaled", "Rami", "Yousef", "Fatima", "Amina", "Rasha"]
        + ["Huda", "Lina", "Nour", "Rania", "Bassel"],
        ["Al-Hassan", "Haddad", "Khalil", "Darwish", "Al-Ahmad", "Suleiman", "Ibrahim"]
        + ["Mansour", "Hamdan"],
    ),
    "ti": (
        ["Yonas", "Tesfay", "Daniel", "Filmon", "Semhar", "Helen", "Senait", "Ruta", "Winta"]
        + ["Selam", "Kibrom", "Mebrahtu"],
        ["Tesfamariam", "Gebremedhin", "Haile", "Berhane", "Tekle", "Kidane", "Ghebreyesus"]
        + ["Woldu"],
    ),
    "prs": (
        ["Zahra", "Farida", "Mariam", "Hamid", "Nasrin", "Sadia", "Javid", "Shukria", "Mustafa"]
        + ["Wahid", "Habiba"],
        ["Ahmadi", "Hakimi", "Rahimi", "Karimi", "Sultani", "Noori", "Hashimi", "Azizi"],
    ),
    "so": (
        ["Abdi", "Hodan", "Faadumo", "Mohamed", "Ayaan", "Hamza", "Sahra", "Ismail", "Khadra"]
        + ["Liban"],
        ["Abdullahi", "Warsame", "Hassan", "Farah", "Mohamud", "Osman", "Jama", "Ali"],
    ),
    "uk": (
        ["Olena", "Iryna", "Oksana", "Andrii", "Dmytro", "Tetiana", "Yulia", "Serhii"]
        + ["Natalia", "Mykola", "Kateryna"],
        ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchenko", "Boiko"]
        + ["Marchenko"],
    ),
}
LANGUAGES = ["ar", "ti", "prs", "so", "uk"]
EXTRA_LANGUAGES = {"ar": ["en"], "ti": ["am", "ar"], "prs": ["fa", "ps"], "so": ["ar", "en"]}
EXTRA_LANGUAGES["uk"] = ["ru", "en"]

GOALS_VGO = [
    "helsefagarbeider",
    "elektriker",
    "barne- og ungdomsarbeider",
    "sykepleier",
    "kokk",
    "tømrer",
    "bilmekaniker",
    "rørlegger",
    "frisør",
    "IKT-servicefag",
    "tannhelsesekretær",
    "logistikkoperatør",
    "ingeniør",
    "lærer",
    "industrimekaniker",
]
GOALS_WITHOUT_VGO = [
    "fast jobb som renholdsoperatør",
    "butikkmedarbeider",
    "assistent i barnehage",
    "sjåfør (førerkort klasse C)",
    "kjøkkenassistent",
]
STREETS = {
    KRISTIANSAND: ["Markens gate", "Dronningens gate", "Tollbodgata", "Slettheiveien", "Lundsvei"],
    VENNESLA: ["Hunsøyveien", "Moseidveien", "Venneslaveien"],
    LILLESAND: ["Storgata", "Langbryggen", "Vestre Vallesverd"],
}

# stage, how many, interpreter probability
STAGES = [
    ("settled", 6, 0.85),  # just settled / early introduction programme: meeting 1 due soon
    ("adult_ed_mid", 7, 0.6),
    ("before_end_12", 5, 0.5),  # ~12 months before the end of adult education: meeting 2
    ("before_end_6", 5, 0.4),  # ~6 months before: meeting 3
    ("vgo", 6, 0.3),  # in upper-secondary
    ("vgo_end", 4, 0.2),  # near the end of upper-secondary / apprenticeship: meeting 4
    ("without_vgo", 4, 0.6),
    ("paused", 2, 0.5),
    ("finished", 2, 0.2),
    ("moved_away", 1, 0.5),
]

PURPOSES = {
    "adult_ed": "Ressursgruppe: kartlegging, progresjon og plan for grunnskole for voksne",
    "career": "Ressursgruppe: karriereveiledning og plan for videre utdanning",
    "school": "Ressursgruppe: overgang til og oppfølging i videregående opplæring",
    "nav_follow_up": "Ressursgruppe: arbeidsrettet oppfølging, læreplass og tiltak",
}
LEGAL_BASIS = "integreringsloven § 40 (behandling av personopplysninger)"

C = DataCategory


@dataclass
class Spec:
    """One planned participant: pure data, computed before anything touches the database."""

    key: int
    stage: str
    first_name: str
    last_name: str
    date_of_birth: date
    national_id: str | None
    municipality: str
    preferred_language: str
    languages: list[str]
    interpreter: bool
    dates: dict
    pathway: str
    status: str
    goal: str
    address: str
    email: str
    consents: list[tuple[str, list[str]]] = field(default_factory=list)
    health: bool = False
    no_career: bool = False
    legal_basis_follow_up: bool = False
    withdraw: str = ""  # "career" or "health"
    teacher_swap: bool = False
    career_expires_soon: bool = False


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str, bool]] = field(default_factory=list)

    def count(self, what: str, created: bool) -> None:
        bucket = self.created if created else self.existing
        bucket[what] = bucket.get(what, 0) + 1


def national_id_for(dob: date, rng: random.Random, *, d_number: bool, taken: set[str]) -> str:
    """A valid identity number (or D-number) whose encoded date is `dob`."""
    day = dob.day + (40 if d_number else 0)
    month = dob.month + SYNTHETIC_MONTH_OFFSET
    low, high = (0, 499) if dob.year < 2000 else (500, 999)
    if not 1900 <= dob.year <= 2039:
        raise ValueError("Demo birth years must be 1900–2039.")
    while True:
        base = f"{day:02d}{month:02d}{dob.year % 100:02d}{rng.randint(low, high):03d}"
        digits = [int(c) for c in base]
        k1 = _check_digit(digits, _W1)
        if k1 is None:
            continue
        k2 = _check_digit([*digits, k1], _W2)
        if k2 is None:
            continue
        number = f"{base}{k1}{k2}"
        if number not in taken:
            taken.add(number)
            return number


def _ascii(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "", "-": ""})
    return text.lower().translate(table)


def _first_august_after(d: date) -> date:
    start = date(d.year, 8, 15)
    return start if start >= d + timedelta(days=14) else date(d.year + 1, 8, 15)


def _stage_dates(stage: str, rng: random.Random, today: date) -> dict:
    """Path dates for one stage. Draws the same number of random values whatever `today` is."""
    r = rng.randint

    def before(days: int) -> date:
        return today - timedelta(days=days)

    def after(days: int) -> date:
        return today + timedelta(days=days)

    d: dict = {}
    if stage == "settled":
        d["settlement_date"] = before(r(10, 80))
        d["intro_programme_start"] = d["settlement_date"] + timedelta(days=r(7, 35))
        d["adult_education_end"] = d["intro_programme_start"] + timedelta(days=r(600, 900))
    elif stage in ("adult_ed_mid", "paused", "without_vgo"):
        d["intro_programme_start"] = before(r(300, 600))
        d["settlement_date"] = d["intro_programme_start"] - timedelta(days=r(14, 60))
        d["adult_education_end"] = after(r(420, 720) if stage != "without_vgo" else r(60, 400))
    elif stage in ("before_end_12", "before_end_6", "moved_away"):
        months = 12 if stage == "before_end_12" else 6
        d["adult_education_end"] = after(months * 30 + r(-20, 20))
        d["intro_programme_start"] = before(r(400, 800))
        d["settlement_date"] = d["intro_programme_start"] - timedelta(days=r(14, 60))
        d["upper_secondary_start"] = _first_august_after(d["adult_education_end"])
        d["upper_secondary_end"] = date(d["upper_secondary_start"].year + 2, 6, 20)
    elif stage == "vgo":
        # School years start mid-August; VGO for adults (2 years) or 2 + 2 with apprenticeship.
        start = _first_august_after(before(r(90, 700)) - timedelta(days=14))
        if start > before(30):
            start = date(start.year - 1, 8, 15)
        end = date(start.year + 2 + r(0, 2), 6, 20)
        if end <= after(270):
            end = date(end.year + 1, 6, 20)
        d["upper_secondary_start"], d["upper_secondary_end"] = start, end
        d["adult_education_end"] = d["upper_secondary_start"] - timedelta(days=r(30, 75))
        d["intro_programme_start"] = d["adult_education_end"] - timedelta(days=r(600, 900))
        d["settlement_date"] = d["intro_programme_start"] - timedelta(days=r(14, 60))
    elif stage in ("vgo_end", "finished"):
        end = after(r(150, 210)) if stage == "vgo_end" else before(r(30, 200))
        d["upper_secondary_end"] = end
        d["upper_secondary_start"] = date(end.year - r(2, 4), 8, 15)
        d["adult_education_end"] = d["upper_secondary_start"] - timedelta(days=r(30, 60))
        d["intro_programme_start"] = d["adult_education_end"] - timedelta(days=r(500, 800))
        d["settlement_date"] = d["intro_programme_start"] - timedelta(days=r(14, 60))
    else:  # pragma: no cover - programming error
        raise ValueError(stage)
    return d


def plan(today: date | None = None, seed: int = SEED) -> list[Spec]:
    """The participants to create. Deterministic for a seed; only the path dates move with
    `today`."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    taken_ids: set[str] = set()
    seen: set[tuple[str, str, date]] = set()
    specs: list[Spec] = []
    counter = 0
    for stage, count, p_interpreter in STAGES:
        for k in range(count):
            lang = LANGUAGES[counter % len(LANGUAGES)]
            firsts, lasts = NAMES[lang]
            while True:
                first, last = rng.choice(firsts), rng.choice(lasts)
                dob = date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28))
                if (first, last, dob) not in seen and (first, last) not in {
                    (s.first_name, s.last_name) for s in specs
                }:
                    seen.add((first, last, dob))
                    break
            id_roll = rng.random()
            d_roll = rng.random()
            national_id = None
            if id_roll < 0.65:
                d_number = lang == "uk" or (stage == "settled" and d_roll < 0.5)
                national_id = national_id_for(dob, rng, d_number=d_number, taken=taken_ids)
            interpreter = rng.random() < p_interpreter
            extras = EXTRA_LANGUAGES[lang]
            spoken = [lang, *rng.sample(extras, rng.randint(0, len(extras)))]
            if stage not in ("settled",):
                spoken.append("nb")
            muni = rng.choices(ALL_MUNICIPALITIES, weights=(6, 2, 2))[0]
            street = rng.choice(STREETS[muni])
            address = f"{street} {rng.randint(1, 60)}"
            with_email = rng.random() < 0.5
            dates = _stage_dates(stage, rng, today)
            without = stage == "without_vgo"
            goal = rng.choice(GOALS_WITHOUT_VGO if without else GOALS_VGO)
            if stage == "settled" and k % 2 == 0:
                goal = ""  # not mapped yet: that is what meeting 1 is for
            health = rng.random() < 0.3
            no_career = rng.random() < 0.12
            status = {
                "paused": Participant.Status.PAUSED,
                "finished": Participant.Status.FINISHED,
                "moved_away": Participant.Status.MOVED_AWAY,
            }.get(stage, Participant.Status.ACTIVE)
            spec = Spec(
                key=counter,
                stage=stage,
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                national_id=national_id,
                municipality=muni,
                preferred_language=lang,
                languages=spoken,
                interpreter=interpreter,
                dates=dates,
                pathway=(
                    Participant.Pathway.WITHOUT_UPPER_SECONDARY
                    if without
                    else Participant.Pathway.WITH_UPPER_SECONDARY
                ),
                status=status,
                goal=goal,
                address=address,
                email=f"{_ascii(first)}.{_ascii(last)}@example.no" if with_email else "",
                health=health,
                no_career=no_career,
            )
            specs.append(spec)
            counter += 1
    # Hand-placed cases so every demo story exists whatever the dice said.
    by_stage: dict[str, list[Spec]] = {}
    for spec in specs:
        by_stage.setdefault(spec.stage, []).append(spec)
    by_stage["settled"][0].no_career = True  # career centre not yet asked
    by_stage["adult_ed_mid"][1].no_career = True
    by_stage["adult_ed_mid"][2].withdraw = "career"
    by_stage["adult_ed_mid"][2].no_career = False
    by_stage["before_end_12"][0].withdraw = "health"
    by_stage["before_end_12"][0].health = True
    by_stage["adult_ed_mid"][3].teacher_swap = True
    by_stage["vgo_end"][0].legal_basis_follow_up = True
    by_stage["before_end_6"][1].career_expires_soon = True
    by_stage["before_end_6"][1].no_career = False
    for spec in specs:
        spec.consents = _consent_plan(spec)
    return specs


def _consent_plan(spec: Spec) -> list[tuple[str, list[str]]]:
    stage = spec.stage
    plan_: list[tuple[str, list[str]]] = []
    adult = [C.EDUCATION_MAPPING, C.PLAN_MEETINGS] + ([C.HEALTH_ADAPTATION] if spec.health else [])
    plan_.append(("adult_ed", adult))
    if not spec.no_career:
        plan_.append(("career", [C.EDUCATION_MAPPING, C.PLAN_MEETINGS]))
    if stage in ("before_end_6", "vgo", "vgo_end", "finished", "moved_away"):
        school = [C.EDUCATION_MAPPING, C.PLAN_MEETINGS]
        if spec.health:
            school.append(C.HEALTH_ADAPTATION)
        plan_.append(("school", school))
    if stage in ("vgo_end", "without_vgo", "finished"):
        plan_.append(("nav_follow_up", [C.NAV_BENEFITS, C.PLAN_MEETINGS]))
    return plan_


def _past(d: date, today: date) -> date:
    return min(d, today)


@transaction.atomic
def build_demo(today: date | None = None, seed: int = SEED) -> DemoResult:
    today = today or timezone.localdate()
    result = DemoResult()

    munis = {}
    for number, name in MUNICIPALITIES:
        muni, created = Municipality.objects.get_or_create(
            number=number, defaults={"name": name, "region": REGION}
        )
        munis[number] = muni
        result.count("municipalities", created)

    agencies = {}
    for key, (name, kind, served, email) in AGENCIES.items():
        agency, created = Agency.objects.get_or_create(
            name=name, defaults={"kind": kind, "region": REGION, "email": email}
        )
        if created:
            agency.municipalities.add(*(munis[n] for n in served))
        agencies[key] = agency
        result.count("agencies", created)

    staff = {}
    with translation.override("nb"):
        for username, first, last, role, agency_key in STAFF:
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{_ascii(first)}.{_ascii(last)}@example.no",
                    role=role,
                    agency=agencies[agency_key] if agency_key else None,
                    is_staff=role == Role.SYSTEM_ADMIN,
                    is_superuser=role == Role.SYSTEM_ADMIN,
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
            staff[username] = user
            result.count("staff", created)
            result.logins.append(
                (
                    username,
                    user.get_full_name(),
                    str(user.get_role_display()),
                    str(user.agency or "–"),
                    created,
                )
            )

    for spec in plan(today, seed):
        exists = Participant.objects.filter(
            first_name=spec.first_name,
            last_name=spec.last_name,
            date_of_birth=spec.date_of_birth,
        ).exists()
        result.count("participants", not exists)
        if not exists:
            _create_participant(spec, today, munis, agencies, staff, result)
    _settled_figures(today, munis, staff, result)
    _outcomes(today, plan(today, seed), staff, result)
    _held_meetings(today, staff, result)
    return result


# --- history for the dashboards: settled figures, outcomes, held meetings ---------------

# people settled per year (national statistics, roughly Agder's scale), by municipality
SETTLED_BASE = {KRISTIANSAND: 260, VENNESLA: 45, LILLESAND: 35}
SETTLED_YEARS = 6


def _settled_figures(today: date, munis, staff, result: DemoResult) -> None:
    """The last six years for every municipality. A figure already there (entered by hand
    or imported) is left alone."""
    from participants.outcomes import settled_set

    have = set(SettledFigure.objects.values_list("municipality__number", "year"))
    rng = random.Random(SEED + 1)
    for number, base in SETTLED_BASE.items():
        for year in range(today.year - SETTLED_YEARS, today.year):
            count = round(base * rng.uniform(0.6, 1.4))
            if (number, year) in have:
                result.count("settled figures", False)
                continue
            settled_set(
                user=staff["koordinator"], municipality=munis[number], year=year, count=count
            )
            result.count("settled figures", True)


def _outcomes(today: date, specs: list[Spec], staff, result: DemoResult) -> None:
    """Education and work status history for participants who have none: adult education
    (reported by NAV), upper-secondary start with its cohort and what followed (reported by
    the school), moves (NAV). Participants with any record are left alone."""
    from participants.outcomes import outcome_record

    S = OutcomeStatus
    nav, school = staff["radgiver"], staff["skole"]
    people = {
        (p.first_name, p.last_name, p.date_of_birth): p
        for p in Participant.objects.filter(outcomes__isnull=True)
    }
    for spec in specs:
        p = people.get((spec.first_name, spec.last_name, spec.date_of_birth))
        if p is None:
            continue
        d, rng = spec.dates, random.Random(SEED * 1000 + spec.key)
        records = []
        intro = d.get("intro_programme_start")
        if intro and intro <= today:
            records.append((nav, {"status": S.ADULT_EDUCATION, "since": intro}))
        start = d.get("upper_secondary_start")
        in_vgo = spec.stage in ("vgo", "vgo_end", "finished")
        if in_vgo and start and start <= today:
            work = rng.random() < 0.35  # a part-time job beside school
            records.append(
                (
                    school,
                    {
                        "status": S.UPPER_SECONDARY_STARTED,
                        "since": start,
                        "cohort_year": start.year,
                        "in_work": work,
                        "in_work_since": start + timedelta(days=40) if work else None,
                    },
                )
            )
            second_year = date(start.year + 1, 8, 15)
            if spec.stage == "vgo_end" and second_year <= today:
                records.append((school, {"status": S.IN_SCHOOL, "since": second_year}))
            end = d.get("upper_secondary_end")
            if spec.stage == "finished" and end and end <= today:
                passed = spec.key % 2 == 0
                records.append(
                    (
                        school,
                        {
                            "status": S.PASSED_TRADE_CERTIFICATE if passed else S.NOT_PASSED,
                            "since": end,
                            "in_work": passed,
                            "in_work_since": end + timedelta(days=45) if passed else None,
                        },
                    )
                )
        if spec.stage == "without_vgo" and rng.random() < 0.5 and intro:
            since = min(today, intro + timedelta(days=200))
            records.append(
                (
                    nav,
                    {
                        "status": S.ADULT_EDUCATION,
                        "since": since,
                        "in_work": True,
                        "in_work_since": since,
                        "note": "Deltidsjobb ved siden av opplæringen",
                    },
                )
            )
        if spec.stage == "moved_away":
            records.append((nav, {"status": S.MOVED_AWAY, "since": today - timedelta(days=10)}))
        school_sees = policy.may(school, p)  # not after the school's membership ended
        for user, data in records:
            reporter = user if user is not school or school_sees else nav
            outcome_record(user=reporter, participant=p, **data)
            result.count("outcomes", True)


def _free_hour(meeting, held_on: date, tz) -> datetime:
    """The first hour on (or just before) `held_on` the booking rule allows for the
    meeting's people and room: demo history never double-books anyone."""
    from resourcegroups import booking
    from resourcegroups.services.meetings import meeting_staff_ids

    staff_ids = meeting_staff_ids(meeting)
    room = booking.room_for_place("Møterom Tangen")
    for back in range(14):
        for hour in (10, 9, 11, 12, 13, 14):
            start = timezone.make_aware(
                datetime.combine(held_on - timedelta(days=back), time(hour, 0)), tz
            )
            if not booking.clashes(
                start=start,
                end=start + timedelta(hours=1),
                room=room,
                staff_ids=staff_ids,
                participant_id=meeting.participant_id,
                exclude_meeting_ids=[meeting.pk],
            ):
                return start
    return timezone.make_aware(datetime.combine(held_on, time(10, 0)), tz)


def _held_meetings(today: date, staff, result: DemoResult) -> None:
    """Meetings whose due date has passed are mostly held — on time, some early or late —
    with attendance and minutes; a few are left open (overdue), and the follow-up service
    sometimes stays away (the report saw it drop out). Which meetings are held is a fixed
    function of the meeting's participant and stage, so a second run changes nothing.

    Past meetings are written as history: their time is set on the row (booking through
    `meeting_schedule` would e-mail calendar invitations for meetings long gone); invitees,
    attendance and minutes go through the services. The first is approved, which
    files their minutes as PDF."""
    from resourcegroups.models import Attendance, Meeting
    from resourcegroups.services import meetings as meeting_services
    from resourcegroups.services import minutes as minutes_services

    adviser = staff["radgiver"]
    past = (
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            due_date__lt=today - timedelta(days=14),
            stage__isnull=False,
            minutes__isnull=True,
        )
        .select_related("participant", "stage")
        .order_by("due_date", "pk")
    )
    approved = Meeting.objects.filter(status=Meeting.Status.MINUTES_APPROVED).count()
    tz = timezone.get_current_timezone()
    for meeting in past:
        p = meeting.participant
        rng = random.Random(
            f"{p.first_name}|{p.last_name}|{p.date_of_birth}|{meeting.stage.number}"
        )
        roll = rng.random()
        if roll < 0.1:
            continue  # never held: overdue on the dashboard
        offset = rng.choice([-50, -30, -14, -7, -3, 0, 2, 5, 10, 21, 35])
        held_on = min(meeting.due_date + timedelta(days=offset), today - timedelta(days=1))
        start = _free_hour(meeting, held_on, tz)
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.BOOKED,
            planned_start=start,
            planned_end=start + timedelta(hours=1),
            place="Møterom Tangen",
            hand_edited=True,
        )
        meeting.refresh_from_db()
        meeting_services.invite_members(meeting)
        attendance = {}
        for invitee in meeting.invitees.select_related("agency"):
            away = rng.random()
            follow_up = invitee.agency.kind == Agency.Kind.NAV_FOLLOW_UP
            if away < (0.45 if follow_up else 0.08):
                attendance[invitee.pk] = Attendance.ABSENT
            elif away < (0.55 if follow_up else 0.13):
                attendance[invitee.pk] = Attendance.EXCUSED
            else:
                attendance[invitee.pk] = Attendance.PRESENT
        if attendance:
            meeting_services.attendance_record(user=adviser, meeting=meeting, attendance=attendance)
        minutes = minutes_services.minutes_compose(
            user=adviser,
            meeting=meeting,
            decisions="Planen ble gjennomgått og videreført. Neste tiltak er avtalt.",
            summary=f"Møte {meeting.stage.number} i ressursgruppa.",
            plain_summary="Vi snakket om planen din og hva som skjer videre.",
        )
        minutes_services.minutes_submit(user=adviser, minutes=minutes)
        result.count("held meetings", True)
        if approved < 1:  # filing the PDF costs ~1 s each
            present = {
                i.agency_id: i.staff
                for i in meeting.invitees.select_related("staff")
                if i.attendance == Attendance.PRESENT
            }
            try:
                for agency in minutes_services.attending_agencies(meeting):
                    minutes_services.minutes_approve(user=present[agency.pk], minutes=minutes)
            except (KeyError, PermissionDenied, ValidationError):
                continue  # an agency that may not approve: the minutes stay out for approval
            approved += 1


def _create_participant(spec: Spec, today, munis, agencies, staff, result: DemoResult) -> None:
    adviser = staff["radgiver" if spec.municipality == KRISTIANSAND else "radgiver2"]
    national_id = spec.national_id
    if national_id and Participant.objects.filter(national_id=national_id).exists():
        national_id = None  # taken by someone outside the demo: leave it out
    d = spec.dates
    participant = participant_services.participant_create(
        user=adviser,
        first_name=spec.first_name,
        last_name=spec.last_name,
        date_of_birth=spec.date_of_birth,
        national_id=national_id,
        languages=spec.languages,
        preferred_language=spec.preferred_language,
        interpreter_needed=spec.interpreter,
        interpreter_language=spec.preferred_language if spec.interpreter else "",
        municipality=munis[spec.municipality],
        settlement_date=d.get("settlement_date"),
        intro_programme_start=d.get("intro_programme_start"),
        adult_education_end=d.get("adult_education_end"),
        upper_secondary_start=d.get("upper_secondary_start"),
        upper_secondary_end=d.get("upper_secondary_end"),
        pathway=spec.pathway,
        status=spec.status,
        address=spec.address,
        email=spec.email,
        goal=spec.goal,
    )
    intro = d["intro_programme_start"]
    given = {
        "adult_ed": _past(intro + timedelta(days=14), today),
        "career": _past(intro + timedelta(days=60), today),
        "school": _past(d.get("upper_secondary_start", today) - timedelta(days=150), today),
        "nav_follow_up": _past(
            (d.get("upper_secondary_end") or d["adult_education_end"]) - timedelta(days=240),
            today,
        ),
    }
    consents: dict[tuple[str, str], Consent] = {}
    for agency_key, categories in spec.consents:
        legal = agency_key == "nav_follow_up" and spec.legal_basis_follow_up
        expires = None
        if agency_key == "career" and spec.career_expires_soon:
            expires = today + timedelta(days=21)
        for category in categories:
            consents[agency_key, category] = participant_services.consent_record(
                user=adviser,
                participant=participant,
                agency=agencies[agency_key],
                category=category,
                purpose=PURPOSES[agency_key],
                given_on=given[agency_key],
                expires_on=expires,
                basis=Consent.Basis.LEGAL if legal else Consent.Basis.CONSENT,
                legal_basis=LEGAL_BASIS if legal else "",
                document_language="" if legal else spec.preferred_language,
            )
            result.count("consents", True)

    members = {
        "adult_ed": "laerer2" if spec.key % 3 == 2 else "laerer",
        "career": "karriere2" if spec.key % 2 else "karriere",
        "school": "skole",
        "nav_follow_up": "oppfolging",
    }
    memberships = {}
    for agency_key, _categories in spec.consents:
        memberships[agency_key] = group_services.membership_add(
            user=adviser,
            participant=participant,
            staff=staff[members[agency_key]],
            start_date=given[agency_key],
        )
        result.count("memberships", True)

    def end(agency_key: str, reason: str, on: date) -> None:
        membership = memberships[agency_key]
        group_services.membership_end(
            user=adviser,
            membership=membership,
            reason=reason,
            end_date=max(_past(on, today), membership.start_date),
        )
        result.count("ended memberships", True)

    if spec.stage in ("vgo", "vgo_end", "finished"):
        end(
            "adult_ed",
            "Fullført grunnskole for voksne – overført til videregående",
            d["upper_secondary_start"],
        )
    if spec.stage == "finished":
        end("school", "Fullført videregående opplæring", d["upper_secondary_end"])
    if spec.stage == "moved_away":
        for agency_key in list(memberships):
            end(agency_key, "Flyttet fra kommunen", today - timedelta(days=10))
    if spec.teacher_swap:
        old = memberships["adult_ed"]
        end("adult_ed", "Ny kontaktlærer etter modulbytte", today - timedelta(days=30))
        other = "laerer2" if old.staff.username == "laerer" else "laerer"
        group_services.membership_add(
            user=adviser,
            participant=participant,
            staff=staff[other],
            start_date=max(old.start_date, today - timedelta(days=30)),
        )
        result.count("memberships", True)
    if spec.withdraw == "career":
        consent = consents["career", C.EDUCATION_MAPPING]
        withdrawn_on = max(consent.given_on, today - timedelta(days=7))
        for category in (C.EDUCATION_MAPPING, C.PLAN_MEETINGS):
            participant_services.consent_withdraw(
                user=adviser, consent=consents["career", category], withdrawn_on=withdrawn_on
            )
            result.count("withdrawn consents", True)
        end("career", "Samtykke til karrieresenteret trukket tilbake", withdrawn_on)
    if spec.withdraw == "health":
        consent = consents["adult_ed", C.HEALTH_ADAPTATION]
        participant_services.consent_withdraw(
            user=adviser,
            consent=consent,
            withdrawn_on=max(consent.given_on, today - timedelta(days=14)),
        )
        result.count("withdrawn consents", True)
