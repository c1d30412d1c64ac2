"""Pages: the dashboard, drill-downs within access, CSV and PDF, for every persona."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from participants.models import OutcomeStatus
from tests.factories import AgencyFactory, ParticipantFactory
from tests.reports.conftest import add_outcome

pytestmark = pytest.mark.django_db

PERSONAS = [
    "nav_adviser",
    "follow_up",
    "teacher",
    "counsellor",
    "school_adviser",
    "coordinator",
    "leader",
    "sysadmin",
    "interpreter",
]


@pytest.fixture
def cohort(participant, municipality, agencies):
    """Amina (alice's, bob sees her) and 6 strangers started upper-secondary in 2024."""
    other = AgencyFactory(name="NAV Other")
    add_outcome(
        participant,
        OutcomeStatus.UPPER_SECONDARY_STARTED,
        date(2024, 8, 1),
        agencies["nav"],
        cohort=2024,
    )
    strangers = [
        ParticipantFactory(municipality=municipality, owner_agency=other, last_name="Strangerqx")
        for _i in range(6)
    ]
    for p in strangers:
        add_outcome(p, OutcomeStatus.UPPER_SECONDARY_STARTED, date(2024, 8, 1), other, cohort=2024)
    add_outcome(strangers[0], OutcomeStatus.DROPPED_OUT, date(2025, 3, 1), other)
    return {"mine": participant, "strangers": strangers}


def _drill(client, **params):
    return client.get(reverse("reports:drill_down"), params)


@pytest.mark.parametrize("persona", PERSONAS)
def test_drill_down_lists_only_permitted(client, personas, cohort, persona):
    client.force_login(personas[persona])
    response = _drill(client, section="cohorts", row="2024", col="in_school")
    if persona == "interpreter":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {p.pk for p in response.context["page"].object_list}
    expected = {cohort["mine"].pk} if persona in ("nav_adviser", "teacher") else set()
    assert shown == expected
    assert "Strangerqx" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_csv_export_is_suppressed_for_everyone(client, personas, cohort, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("reports:export_csv", args=["cohorts"]))
    if persona == "interpreter":
        assert response.status_code == 403
        return
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # columns: cohort, passed, not passed, dropped out, in school, higher ed., unknown,
    # moved away, total, moved share, school/work share
    row2024 = rows[1]
    assert row2024[0] == "2024"
    # 6 in school, 1 dropped out: the 1 is "<5", and the 6 must go too (row total 7 shown)
    assert row2024[3] == "<5"
    assert row2024[4] == "x"
    assert row2024[8] == "7"
    assert row2024[1] == "0"
    assert row2024[10] == "x"  # the share in school/work (6 of 7) would reveal the 1


def test_drill_down_rejects_unknown_cells(client, personas, cohort):
    client.force_login(personas["coordinator"])
    assert _drill(client, section="nope").status_code == 404
    assert _drill(client, section="cohorts", row="1999").status_code == 404
    assert _drill(client, section="settled").status_code == 404  # not about individuals


def test_dashboard_page_marks_suppressed_cells(client, personas, cohort):
    client.force_login(personas["coordinator"])
    response = client.get(reverse("reports:dashboard"), {"year_from": 2022, "year_to": 2026})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-suppressed="true"' in body
    assert "&lt;5" in body
    assert "<svg" in body  # server-side chart, no script
    assert "<script" not in body
    assert "Strangerqx" not in body


def test_dashboard_queries_are_bounded(client, personas, cohort, django_assert_max_num_queries):
    client.force_login(personas["coordinator"])
    # session + user (2), selectors.dashboard (11 + the viewer's limit), filter form
    # choices (2), nav/agency (≤3)
    with django_assert_max_num_queries(21):
        client.get(reverse("reports:dashboard"))


def test_bad_filters_fall_back_to_defaults(client, personas):
    client.force_login(personas["leader"])
    response = client.get(reverse("reports:dashboard"), {"year_from": "abc", "year_to": 1})
    assert response.status_code == 200


def test_pdf_report(client, personas, cohort):
    from pypdf import PdfReader

    client.force_login(personas["leader"])
    response = client.get(reverse("reports:pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "<5" in text
    assert "Strangerqx" not in text


def test_settled_figures_page(client, personas, municipality):
    from participants.models import SettledFigure

    client.force_login(personas["coordinator"])
    url = reverse("reports:settled")
    body = {"municipality": municipality.pk, "year": 2025, "count": 120}
    assert client.post(url, body).status_code == 302
    body["count"] = 130
    client.post(url, body)
    assert SettledFigure.objects.get(municipality=municipality, year=2025).count == 130
    client.force_login(personas["nav_adviser"])
    assert client.post(url, body).status_code == 403


def test_charts_leave_out_hidden_numbers():
    from reports import charts
    from reports.selectors import Section
    from reports.suppression import suppress

    table = suppress([[10, 2, 12], [11, 13, 14]], 5)
    section = Section(
        "with_group",
        "Groups",
        "M",
        [("1", "A"), ("2", "B")],
        [("2024", "2024"), ("2025", "2025"), ("2026", "2026")],
        table,
    )
    svg = str(charts.chart_for(section))
    assert svg.startswith("<svg") and "<title>Groups</title>" in svg
    # suppressed: A = [x, <5, 12], B = [x, x, 14] — only the two visible points are drawn
    assert svg.count("<polyline") == 0
    assert svg.count("<circle") == 2
    many = Section(
        "with_group",
        "G",
        "M",
        [(str(i), f"M{i}") for i in range(12)],
        [("2025", "2025"), ("2026", "2026")],
        suppress([[5, 6]] * 12, 5),
    )
    assert str(charts.chart_for(many)).count("<polyline") == 1  # one line for all
