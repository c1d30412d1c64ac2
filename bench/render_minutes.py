"""Benchmark: render a typical set of minutes to PDF/A, without a database.

    DEBUG=1 .venv/bin/python bench/render_minutes.py [--runs 10]

Builds unsaved model instances (3 agencies, 6 attendees, 10 checklist answers, 4 next steps,
approvals, one addendum, Arabic and Tigrinya names) and times the three layers:
template → HTML, HTML → PDF in the isolated child process (the production path), and the
WeasyPrint call alone in this process. Prints medians and peak resident memory.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import resource
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmv.settings")

import django  # noqa: E402

django.setup()
logging.getLogger("weasyprint").setLevel(logging.ERROR)

from django.utils import timezone  # noqa: E402

from kmv.access.models import Agency, User  # noqa: E402
from participants.models import Participant  # noqa: E402
from resourcegroups import pdf  # noqa: E402
from resourcegroups.models import (  # noqa: E402
    Meeting,
    MeetingInvitee,
    Minutes,
    MinutesAction,
    MinutesAddendum,
    MinutesApproval,
    Routine,
)


def fake_context() -> dict:
    nav = Agency(pk=1, name="NAV Kristiansand", kind="nav_integration")
    school = Agency(pk=2, name="Voksenopplæringen Kristiansand", kind="adult_education")
    career = Agency(pk=3, name="Karriere Agder", kind="career_centre")
    people = [
        (User(pk=1, username="a", first_name="Åse", last_name="Ødegård"), nav, "programme_adviser"),
        (User(pk=2, username="b", first_name="Bjørn", last_name="Særheim"), school, "teacher"),
        (
            User(pk=3, username="c", first_name="Cecilie", last_name="Aas"),
            career,
            "career_counsellor",
        ),
        (User(pk=4, username="d", first_name="Dag", last_name="Lie"), school, "teacher"),
        (User(pk=5, username="e", first_name="Eva", last_name="Holm"), nav, "follow_up_adviser"),
        (
            User(pk=6, username="f", first_name="Frida", last_name="Nes"),
            career,
            "career_counsellor",
        ),
    ]
    start = timezone.make_aware(datetime(2025, 4, 8, 10, 0))
    participant = Participant(
        pk=1,
        first_name="ሰላም",
        last_name="محمد Haile",
        date_of_birth=date(1991, 3, 14),
        national_id="14039112345",
    )
    routine = Routine(pk=1, name="KMV ressursgrupperutine", version=1)
    meeting = Meeting(
        pk=1,
        participant=participant,
        routine=routine,
        planned_start=start,
        planned_end=start + timedelta(hours=1),
        place="Møterom Blåbær, Rådhuset",
        interpreter_needed=True,
        interpreter_language="ti",
        interpreter_booked="Tolketjenesten, Yonas T.",
    )
    minutes = Minutes(
        pk=1,
        meeting=meeting,
        status="approved",
        decisions=(
            "Søknad på vigo.no sendes før 1. mars. Vitnemål fra Eritrea sendes til oversettelse "
            "og godkjenning. Deltakeren følger modul 3 og 4 i FVO høsten 2025. "
        )
        * 4,
        summary="Deltakeren er motivert og ønsker å bli helsefagarbeider. " * 3,
        next_meeting="Ressursgruppemøte 2, uke 42 (samme rom)",
        locked_at=start + timedelta(days=2),
    )
    items = [
        ("Kartlegging av tidligere utdanning", "Fullført grunnskole", "Vitnemål finnes"),
        ("Finnes dokumentasjon? Er den sendt til oversettelse og godkjenning?", "Ja", ""),
        ("Egenerklæring om fullført grunnskole sendt fylkeskommunen?", "Ikke aktuelt", ""),
        ("Engelskferdigheter", "Middels", "Realkompetansevurdering planlegges"),
        ("Progresjon i norsk", "Som planlagt", "B1 muntlig"),
        ("Informasjon om utdanningssystemet (FVO) – hvor er deltakeren nå?", "Modul 3", ""),
        ("Yrkesønske i Norge, karriereveiledning og alternativer", "Helsefagarbeider", ""),
        ("Hvilket tidsperspektiv er realistisk?", "3–4 år", ""),
        ("Søknad på vigo.no", "Nei", "Sendes før 1. mars"),
        ("Behov for tilrettelagt opplæring?", "Nei", ""),
    ]
    invitees = [
        MeetingInvitee(staff=u, agency=a, role=r, attendance="present") for u, a, r in people
    ]
    attendees = []
    for agency in (school, career, nav):
        attendees.append({"agency": agency, "people": [i for i in invitees if i.agency is agency]})
    actions = [
        MinutesAction(
            text=f"Neste steg {n}: følge opp søknad og dokumentasjon",
            owner=people[n][0],
            agency=people[n][1],
            due_date=date(2025, 5, n + 1),
        )
        for n in range(4)
    ]
    approvals = [
        {"agency": a, "approval": MinutesApproval(agency=a, approved_by=u, approved_at=start)}
        for u, a, _r in people[:3]
    ]
    addenda = [
        MinutesAddendum(
            text="Rettelse: fristen for vigo.no er 1. mars, ikke 1. april.",
            agency=nav,
            written_by=people[0][0],
            written_at=start + timedelta(days=5),
        )
    ]
    return {
        "minutes": minutes,
        "meeting": meeting,
        "participant": participant,
        "stage_name": "Ressursgruppemøte 1",
        "routine": routine,
        "attendees": attendees,
        "checklist": [{"text": t, "answer": a, "comment": c} for t, a, c in items],
        "actions": actions,
        "approvals": approvals,
        "addenda": addenda,
        "copy_for": None,
    }


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ctx = fake_context()
    html_time, html = timed(lambda: pdf.minutes_html(None, language="nb", context=ctx), args.runs)
    child_time, data = timed(lambda: pdf.render_pdf(html), args.runs)
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    inproc_time, _data = timed(lambda: pdf.render_pdf_in_process(html), args.runs)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"runs: {args.runs}; HTML {len(html) / 1024:.0f} kB; PDF {len(data) / 1024:.0f} kB")
    print(f"pages: {pages}; variant: {pdf.PDF_VARIANT}")
    print(f"template -> HTML            median {html_time * 1000:7.1f} ms")
    print(f"HTML -> PDF/A, child proc.  median {child_time * 1000:7.1f} ms", end="")
    print(f"  (peak RSS of the child {child_rss:.0f} MB)")
    print(f"HTML -> PDF/A, in process   median {inproc_time * 1000:7.1f} ms", end="")
    print(f"  (peak RSS of this process {self_rss:.0f} MB)")


if __name__ == "__main__":
    main()
