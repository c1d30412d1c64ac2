"""Who sees exact numbers: only a viewer who may see every participant behind the tables
(`reports.suppression.limit_for`). The page, API, CSV and PDF agree, for every persona."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from participants.models import OutcomeStatus, Participant
from reports import selectors
from reports.suppression import EXACT, limit_for, threshold
from tests.factories import AgencyFactory, MunicipalityFactory, ParticipantFactory
from tests.reports.conftest import add_outcome
from tests.reports.test_views import PERSONAS

pytestmark = pytest.mark.django_db

S = OutcomeStatus
SEE_AMINA = {"nav_adviser", "teacher"}  # alice owns her; bob's agency has consent


@pytest.fixture
def two_places(participant, agencies):
    """Amina (Kristiansand, alice's) started upper-secondary in 2024 and is in school; six
    strangers elsewhere, owned by another agency, started the same year."""
    add_outcome(
        participant, S.UPPER_SECONDARY_STARTED, date(2024, 8, 1), agencies["nav"], cohort=2024
    )
    elsewhere = MunicipalityFactory(number="4999", name="Elsewhere")
    other = AgencyFactory(name="NAV Elsewhere")
    strangers = [
        ParticipantFactory(municipality=elsewhere, owner_agency=other, last_name="Strangerqx")
        for _i in range(6)
    ]
    for p in strangers:
        add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2024, 8, 1), other, cohort=2024)
    return {"amina": participant, "elsewhere": elsewhere, "strangers": strangers}


def test_the_rule(two_places, personas, municipality):
    mine = selectors.population(selectors.Filters(municipality=municipality.pk))
    everyone = Participant.objects.all()
    assert limit_for(personas["nav_adviser"], mine) == EXACT
    assert limit_for(personas["teacher"], mine) == EXACT
    assert limit_for(personas["nav_adviser"], everyone) == threshold()
    assert limit_for(personas["coordinator"], mine) == threshold()
    assert limit_for(personas["sysadmin"], mine) == threshold()  # superuser grants nothing
    assert limit_for(None, mine) == threshold()
    # an agency filter does not narrow the population: attendance counts all meetings
    nav = personas["nav_adviser"].agency_id
    assert selectors.population(selectors.Filters(agency=nav)).count() == everyone.count()


def _cohort_2024(section_json):
    row = next(r for r in section_json["rows"] if r["key"] == "2024")
    cols = [c["key"] for c in section_json["columns"]]
    return dict(zip(cols, row["cells"], strict=True)), row["total"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_api_csv_and_pdf_agree(client, personas, two_places, municipality, persona):
    """In Kristiansand the only person behind the tables is Amina: those who may see her get
    exact numbers (1 in school), everyone else "x"; nationally nobody gets exact numbers."""
    user = personas[persona]
    client.force_login(user)
    here = {"municipality": municipality.pk, "year_from": 2022, "year_to": 2026}
    page = client.get(reverse("reports:dashboard"), here)
    if persona == "interpreter":
        assert page.status_code == 403
        return
    exact = persona in SEE_AMINA
    blocks = {b["section"].key: b for b in page.context["blocks"]}
    cohorts = blocks["cohorts"]["section"]
    assert cohorts.exact is exact
    cell = cohorts.table.cells[0][3]  # 2024 × in school
    # hidden: the true count is not even kept in the section
    assert (cell.suppressed, cell.value) == ((False, 1) if exact else (True, None))
    assert blocks["feedback"]["section"].exact is False  # anonymous: never exact

    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    data = api.get("/api/reports/cohorts/", here).json()
    cells, total = _cohort_2024(data)
    assert data["exact"] is exact
    if exact:
        assert cells["in_school"] == {"value": 1, "suppressed": False, "display": "1"}
        assert total["display"] == "1"
    else:
        assert cells["in_school"] == {"value": None, "suppressed": True, "display": "x"}

    response = client.get(reverse("reports:export_csv", args=["cohorts"]), here)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "2024"
    assert rows[1][4] == ("1" if exact else "x")

    pdf = client.get(reverse("reports:pdf"), here)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pdf_cohorts = next(b for b in pdf.context["blocks"] if b["section"].key == "cohorts")
    assert pdf_cohorts["section"].table.cells[0][3].suppressed is not exact

    # the whole region holds strangers: nobody sees it exactly (7 in school is not small:
    # shown, perturbed — at least 5, at most noise_bound away)
    national = api.get("/api/reports/cohorts/", {"year_from": 2022}).json()
    assert national["exact"] is False
    shown = _cohort_2024(national)[0]["in_school"]["value"]
    assert 5 <= shown <= 7 + national["noise_bound"]


def test_exact_viewer_is_told_why(client, personas, two_places, municipality):
    from django.utils import translation

    from reports.suppression import EXACT_NOTE

    client.force_login(personas["nav_adviser"])
    page = client.get(reverse("reports:dashboard"), {"municipality": municipality.pk})
    with translation.override(personas["nav_adviser"].language or "nb"):
        note = str(EXACT_NOTE)
    assert note in page.context["legend"]
    client.force_login(personas["coordinator"])
    page = client.get(reverse("reports:dashboard"), {"municipality": municipality.pk})
    assert "data-suppressed" in page.content.decode()
    assert "Strangerqx" not in page.content.decode()
