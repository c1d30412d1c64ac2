"""The KMV routine as the region agreed it (see shared/domain/KMV-domain.md), version 1.

The data migration 0003 loads this: never edit version 1 here — draft a new version in the app.

Kept as plain data so the data migration, the demo and the tests load the same thing.
"""

PA = "programme_adviser"
FU = "follow_up_adviser"
TE = "teacher"
CC = "career_counsellor"
SA = "school_adviser"

YES_NO = "yes_no"
DATE = "date"
CHOICE = "choice"
TEXT = "text"

EDUCATION_LEVELS = [
    {"value": "none", "nb": "Ingen fullført skolegang", "en": "No completed schooling"},
    {"value": "primary", "nb": "Fullført grunnskole", "en": "Completed primary school"},
    {"value": "secondary", "nb": "Fullført videregående", "en": "Completed upper-secondary"},
    {"value": "university", "nb": "Universitet/høyskole", "en": "University/college"},
]
ENGLISH_LEVELS = [
    {"value": "none", "nb": "Ingen", "en": "None"},
    {"value": "basic", "nb": "Grunnleggende", "en": "Basic"},
    {"value": "intermediate", "nb": "Middels", "en": "Intermediate"},
    {"value": "good", "nb": "God (dokumentert)", "en": "Good (documented)"},
]
PROGRESS = [
    {"value": "ahead", "nb": "Raskere enn planlagt", "en": "Faster than planned"},
    {"value": "as_planned", "nb": "Som planlagt", "en": "As planned"},
    {"value": "behind", "nb": "Saktere enn planlagt", "en": "Slower than planned"},
    {"value": "concern", "nb": "Bekymring", "en": "Concern"},
]

ROUTINE = {
    "name": "KMV ressursgrupperutine",
    "version": 1,
    "effective_from": "2021-01-01",
    "window_before_days": 42,
    "window_after_days": 28,
    "change_summary": "Rutinen slik den ble vedtatt i samarbeidsavtalen (fire møter).",
}

# number, kind, name (nb, en), anchor, offset, pathways, invited, responsible, interpreter, room,
# items: (text nb, text en, owner role, answer type, choices, profile fact)
STAGES = [
    {
        "number": 1,
        "kind": "milestone",
        "name": "Ressursgruppemøte 1",
        "name_en": "Resource-group meeting 1",
        "anchor": "intro_start",
        "offset_months": 3,
        "pathways": "all",
        "invited_roles": [PA, CC, TE],
        "responsible_role": PA,
        "book_interpreter": True,
        "book_room": True,
        "items": [
            (
                "Kartlegging av tidligere utdanning: fullført grunnskole, videregående, "
                "universitet?",
                "Mapping of earlier education: completed primary, secondary, university?",
                CC,
                CHOICE,
                EDUCATION_LEVELS,
                "earlier_education",
            ),
            (
                "Finnes dokumentasjon? Er den sendt til oversettelse og godkjenning?",
                "Is there documentation? Has it been sent for translation and recognition?",
                CC,
                YES_NO,
                [],
                "education_documented",
            ),
            (
                "Mangler dokumentasjon: er egenerklæring om fullført grunnskole sendt "
                "fylkeskommunen?",
                "Documentation missing: is the self-declaration for completed primary school sent "
                "to the county?",
                CC,
                YES_NO,
                [],
                "",
            ),
            (
                "Engelskferdigheter (planlegg realkompetansevurdering ved behov)",
                "English skills (plan a prior-learning assessment if needed)",
                TE,
                CHOICE,
                ENGLISH_LEVELS,
                "english_level",
            ),
            (
                "Progresjon i norsk",
                "Progress in Norwegian",
                TE,
                CHOICE,
                PROGRESS,
                "norwegian_progress",
            ),
            (
                "Informasjon om utdanningssystemet, rettigheter og plikter på grunnskolenivå "
                "(f.eks. FVO) – hvor er deltakeren nå?",
                "Information about the education system, rights and duties at primary level "
                "(e.g. FVO) – where is the participant now?",
                TE,
                TEXT,
                [],
                "",
            ),
            (
                "Yrkesønske i Norge, karriereveiledning og alternative veier dit",
                "Occupational wish in Norway, career guidance and alternatives to reach it",
                CC,
                TEXT,
                [],
                "occupational_wish",
            ),
            (
                "Hvilket tidsperspektiv er realistisk?",
                "What time perspective is realistic?",
                CC,
                TEXT,
                [],
                "realistic_timeline",
            ),
            ("Søknad på vigo.no", "Application on vigo.no", CC, YES_NO, [], "applied_vigo"),
        ],
    },
    {
        "number": 2,
        "kind": "milestone",
        "name": "Ressursgruppemøte 2",
        "name_en": "Resource-group meeting 2",
        "anchor": "adult_education_end",
        "offset_months": -12,
        "pathways": "all",
        "invited_roles": [PA, CC, TE],
        "responsible_role": PA,
        "book_interpreter": True,
        "book_room": True,
        "items": [
            (
                "Er utdanningsdokumentasjonen godkjent?",
                "Is the education documentation approved?",
                CC,
                YES_NO,
                [],
                "education_approved",
            ),
            (
                "Hvordan er progresjonen?",
                "How is progress?",
                TE,
                CHOICE,
                PROGRESS,
                "norwegian_progress",
            ),
            (
                "Følges den individuelle planen opp?",
                "Is the individual plan followed up?",
                PA,
                YES_NO,
                [],
                "",
            ),
            (
                "Hvordan er engelskferdighetene – trengs særskilte tiltak?",
                "How are the English skills – are special measures needed?",
                TE,
                CHOICE,
                ENGLISH_LEVELS,
                "english_level",
            ),
            (
                "Er tidsperspektivet realistisk?",
                "Is the time perspective realistic?",
                CC,
                YES_NO,
                [],
                "realistic_timeline",
            ),
            (
                "Har deltakeren søkt på vigo.no?",
                "Has the participant applied on vigo.no?",
                CC,
                YES_NO,
                [],
                "applied_vigo",
            ),
        ],
    },
    {
        "number": 3,
        "kind": "milestone",
        "name": "Ressursgruppemøte 3",
        "name_en": "Resource-group meeting 3",
        "anchor": "adult_education_end",
        "offset_months": -6,
        "pathways": "all",
        "invited_roles": [PA, CC, TE],
        "responsible_role": PA,
        "book_interpreter": True,
        "book_room": True,
        "items": [
            (
                "Går progresjon og plan som planlagt, og er alt klart for oppstart i videregående?",
                "Do progress and plan go as planned, and is all ready for upper-secondary start?",
                TE,
                YES_NO,
                [],
                "",
            ),
            ("Avsluttende eksamen (dato)", "Final exam (date)", TE, DATE, [], ""),
            ("Søkt på vigo.no", "Applied on vigo.no", CC, YES_NO, [], "applied_vigo"),
            (
                "Søknad om stipend og lån til Lånekassen",
                "Grant/loan application to Lånekassen",
                PA,
                YES_NO,
                [],
                "lanekassen",
            ),
            (
                "Behov for dekning av reiseutgifter?",
                "Need for travel-cost cover?",
                PA,
                YES_NO,
                [],
                "travel_costs",
            ),
            (
                "Har deltakeren egen PC?",
                "Does the participant have their own PC?",
                PA,
                YES_NO,
                [],
                "own_pc",
            ),
            (
                "Behov for tilrettelagt opplæring – finnes dokumentasjon på spesialundervisning?",
                "Need for adapted teaching – is there documentation on special education?",
                TE,
                YES_NO,
                [],
                "adapted_teaching",
            ),
        ],
    },
    {
        "number": 4,
        "kind": "milestone",
        "name": "Ressursgruppemøte 4",
        "name_en": "Resource-group meeting 4",
        "anchor": "upper_secondary_end",
        "offset_months": -6,
        "pathways": "with_vgo",
        "invited_roles": [FU, CC, SA],
        "responsible_role": FU,
        "book_interpreter": False,
        "book_room": True,
        "items": [
            ("Faglig progresjon", "Academic progress", SA, CHOICE, PROGRESS, ""),
            (
                "Behov for læreplass (vurder direkte søknad)",
                "Need for an apprenticeship place (consider direct application)",
                CC,
                YES_NO,
                [],
                "",
            ),
            ("Søknad til høyere utdanning", "Application to higher education", CC, YES_NO, [], ""),
            (
                "Behov for bistand til arbeidsformidling og/eller arbeidsrettede tiltak",
                "Need for support by job placement and/or work measures",
                FU,
                YES_NO,
                [],
                "",
            ),
        ],
    },
    {
        "number": 10,
        "kind": "half_yearly",
        "name": "Halvårlig møte under videregående",
        "name_en": "Half-yearly meeting during upper-secondary",
        "anchor": "",
        "offset_months": 6,
        "pathways": "with_vgo",
        "invited_roles": [FU, CC, SA],
        "responsible_role": FU,
        "book_interpreter": True,
        "book_room": True,
        "items": [
            (
                "Progresjon siste halvår",
                "Progress during the last half-year",
                SA,
                CHOICE,
                PROGRESS,
                "",
            ),
            ("Fravær og trivsel", "Absence and well-being", SA, TEXT, [], ""),
            (
                "Behov for tiltak fram til neste møte",
                "Measures needed until the next meeting",
                FU,
                TEXT,
                [],
                "",
            ),
        ],
    },
    {
        "number": 11,
        "kind": "concern",
        "name": "Møte ved bekymring for progresjon",
        "name_en": "Meeting on concern about progress",
        "anchor": "",
        "offset_months": 0,
        "pathways": "all",
        "invited_roles": [PA, FU, CC, TE, SA],
        "responsible_role": PA,
        "book_interpreter": True,
        "book_room": True,
        "items": [
            ("Hva er bekymringen?", "What is the concern?", PA, TEXT, [], ""),
            ("Hvordan er progresjonen nå?", "How is progress now?", TE, CHOICE, PROGRESS, ""),
            ("Tiltak som avtales", "Measures agreed", PA, TEXT, [], ""),
            ("Behov for nytt møte (dato)", "Next meeting needed (date)", PA, DATE, [], ""),
        ],
    },
]


def load(routine_model, stage_model, item_model, *, created_by=None):
    """Create the routine with its stages and items (used by the data migration)."""
    routine = routine_model.objects.create(status="active", created_by=created_by, **ROUTINE)
    for spec in STAGES:
        spec = dict(spec)
        items = spec.pop("items")
        stage = stage_model.objects.create(routine=routine, **spec)
        for order, (text, text_en, owner, answer_type, choices, fact) in enumerate(items, 1):
            item_model.objects.create(
                stage=stage,
                order=order,
                text=text,
                text_en=text_en,
                owner_role=owner,
                answer_type=answer_type,
                choices=choices,
                profile_fact=fact,
            )
    return routine
