"""Round timetables as PDF, in the project's layers: context (DB) → HTML (template, testable
alone) → `resourcegroups.pdf.render_pdf` (WeasyPrint, restricted fetcher, child process).

Two kinds of sheet: per room (for the door) and per staff member. The door sheet shows
initials only; a staff member's sheet shows a participant's full name only where that staff
member may see the participant (kmv.access.policy), initials otherwise."""

from __future__ import annotations

from collections import defaultdict

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from kmv.access import policy

from .models import Round
from .services import rounds as services


def _initials(participant) -> str:
    return f"{participant.first_name[:1]}. {participant.last_name[:1]}."


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def timetable_context(rnd: Round) -> dict:
    loaded = services.load_instance(rnd)
    inst = loaded.instance
    staff = {s.key: s for s in inst.staff}
    rooms = {r.pk: r for r in rnd.rooms.all()}
    interpreters = {i.pk: i for i in rnd.interpreters.all()}
    meetings = {m.key: m for m in inst.meetings}
    from kmv.access.models import User

    users = {u.pk: u for u in User.objects.filter(pk__in=list(staff))}
    visible: dict[int, set[int]] = {
        pk: set(policy.participants_for(u).values_list("pk", flat=True)) for pk, u in users.items()
    }
    by_room: dict[int, list] = defaultdict(list)
    by_staff: dict[int, list] = defaultdict(list)
    placed = sorted(
        (e for e in loaded.entries.values() if e.day_id is not None),
        key=lambda e: (loaded.days[e.day_id].date, e.slot, e.room_id),
    )
    for e in placed:
        start = inst.slots(e.day_id)[e.slot]
        participant = e.meeting.participant
        row = {
            "date": loaded.days[e.day_id].date,
            "time": f"{_hhmm(start)}–{_hhmm(start + rnd.slot_minutes)}",
            "room": rooms.get(e.room_id),
            "stage": e.meeting.stage,
            "interpreter": interpreters.get(e.interpreter_id),
            "language": e.meeting.get_interpreter_language_display() if e.interpreter_id else "",
        }
        by_room[e.room_id].append({**row, "participant": _initials(participant)})
        for key in meetings[e.pk].staff:
            name = (
                str(participant)
                if participant.pk in visible.get(key, set())
                else _initials(participant)
            )
            by_staff[key].append({**row, "participant": name})
    return {
        "round": rnd,
        "rooms": [{"room": rooms[k], "rows": v} for k, v in sorted(by_room.items())],
        "staff": [
            {"person": users[k], "role": staff[k].role, "rows": v}
            for k, v in sorted(by_staff.items(), key=lambda kv: str(users[kv[0]]))
        ],
    }


def timetable_html(rnd: Round, *, which: str = "rooms", language: str = "nb", context=None) -> str:
    from .pdf import FONT_STACK, font_face_css, page_counter_css

    with translation.override(language):
        ctx = dict(context) if context is not None else timetable_context(rnd)
        ctx.update(
            {
                "which": which,
                "language": language,
                "font_face_css": font_face_css(),
                "font_stack": FONT_STACK,
                "page_counter": page_counter_css(gettext("Page %(page)s of %(pages)s")),
            }
        )
        return render_to_string("resourcegroups/rounds/timetable_pdf.html", ctx)


def timetable_pdf(rnd: Round, *, which: str = "rooms", language: str = "nb") -> bytes:
    from .pdf import render_pdf

    return render_pdf(timetable_html(rnd, which=which, language=language))
