"""Pages: the dashboard, drill-downs within access, CSV and PDF, for every persona."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from participants.models import OutcomeStatus
from tests.factories import PERSONAS, AgencyFactory, ParticipantFactory
from tests.reports.conftest import add_outcome

pytestmark = pytest.mark.django_db


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
    # 6 in school, 1 dropped out, none in the other columns: the 1 and the zeros are hidden
    # alike ("x"); the 6 and the total (7) are perturbed, each with its own noise, so the 1
    # cannot be worked out from them
    assert row2024[3] == "x" and row2024[1] == "x"
    assert int(row2024[4]) >= 5 and int(row2024[8]) >= 5
    # the share in school/work is computed from perturbed figures only
    assert row2024[10].endswith(" %")


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
    assert "<abbr" in body and ">x</abbr>" in body
    assert "&lt;5" not in body  # a "<5" would tell exactly which cells are 1–4
    assert "<svg" in body  # server-side chart, no script
    assert "<script" not in body
    assert "Strangerqx" not in body


def test_dashboard_queries_are_bounded(client, personas, cohort, django_assert_max_num_queries):
    client.force_login(personas["coordinator"])
    # session + user (2), selectors.dashboard (15 + the viewer's limit: protected tables
    # list every cohort, agency and feedback stage, empty or not), filter form choices (2),
    # nav/agency (≤3)
    with django_assert_max_num_queries(25):
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
    assert "<5" not in text and "x" in text
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


def test_charts_draw_hidden_numbers_as_gaps():
    from reports import charts
    from reports.selectors import Section
    from reports.suppression import protect

    keys = [[11, 12, 13], [14, 15, 16]]
    table = protect([[10, 2, 12], [0, 13, 14]], keys, 5)
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
    # shown: A = [10', x, 12'], B = [x, 13', 14'] — the lines break at the hidden points
    # (A keeps two lone points, B one segment), nothing is drawn at 0
    assert svg.count("<polyline") == 1
    assert svg.count("<circle") == 4
    bars = Section("cohorts", "Cohorts", "C", section.rows, section.cols, table, drillable=True)
    svg = str(charts.chart_for(bars))
    # every hidden cell is an empty dashed slot of one fixed height: a gap, not a 0
    assert svg.count('class="kmv-chart-gap"') == 2
    assert svg.count('height="6"') == 2
    many = Section(
        "with_group",
        "G",
        "M",
        [(str(i), f"M{i}") for i in range(12)],
        [("2025", "2025"), ("2026", "2026")],
        protect([[5, 6]] * 12, [[i, i + 1] for i in range(12)], 5),
    )
    assert str(charts.chart_for(many)).count("<polyline") == 1  # one line for all
