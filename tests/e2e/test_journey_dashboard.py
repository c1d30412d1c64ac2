"""The dashboards in a real browser: a coordinator opens them, filters, drills down (and sees
nobody: she has access to no individuals), downloads a table as CSV and the report as PDF;
a case worker drills down to the one participant she may see. Every page is checked with
axe-core and saved as a screenshot under artifacts/screenshots/<journey>/; each journey
checks what must not be visible (names of participants the person has no access to, exact
small numbers where they are suppressed)."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from selenium.webdriver.support.ui import Select

from kmv.access.models import Agency, Role
from participants import services as participant_services
from participants.models import OutcomeStatus
from tests.factories import AgencyFactory, UserFactory
from tests.reports.conftest import add_outcome

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HIDDEN = "Skjult-Fremmed"  # last name of the other office's participants


@pytest.fixture
def cohort_2024(participant, personas, municipality, agencies):
    """Amina (alice's; bob's school has consent) and six participants of another NAV office
    started upper-secondary in 2024; one of the six dropped out — a 1 that is suppressed."""
    add_outcome(
        participant,
        OutcomeStatus.UPPER_SECONDARY_STARTED,
        date(2024, 8, 15),
        agencies["nav"],
        cohort=2024,
    )
    nav2 = AgencyFactory(name="NAV Grimstad", kind=Agency.Kind.NAV_INTEGRATION)
    nav2.municipalities.add(municipality)
    gunnar = UserFactory(username="gunnar", agency=nav2, role=Role.PROGRAMME_ADVISER)
    others = []
    for i in range(6):
        p = participant_services.participant_create(
            user=gunnar,
            first_name=f"Person{i}",
            last_name=HIDDEN,
            date_of_birth=date(1990, 1, 1 + i),
            municipality=municipality,
            intro_programme_start=date(2023, 1, 9),
        )
        add_outcome(p, OutcomeStatus.UPPER_SECONDARY_STARTED, date(2024, 8, 15), nav2, cohort=2024)
        others.append(p)
    add_outcome(others[0], OutcomeStatus.DROPPED_OUT, date(2025, 3, 1), nav2)
    return {"amina": participant, "others": others}


def _click(browser, css: str) -> None:
    old = browser.find("html")
    browser.find(css).click()
    browser.wait_for_new_page(old)


def _cohort_row(browser):
    """The 2024 row of the cohort table: {column header: the cell's visible mark} (a
    suppressed cell also carries a screen-reader text for its link, on the next line)."""
    table = browser.find("section[aria-labelledby='h-cohorts'] table")
    headers = [th.text for th in table.find_elements("css selector", "thead th")]
    for row in table.find_elements("css selector", "tbody tr"):
        cells = [row.find_element("css selector", "th").text] + [
            td.text.split("\n")[0] for td in row.find_elements("css selector", "td")
        ]
        if cells[0] == "2024":
            return dict(zip(headers, cells, strict=False))
    raise AssertionError("no 2024 row in the cohort table")


def _download(browser, css: str):
    href = browser.find(css).get_attribute("href")
    return requests.get(href, cookies=browser.cookies(), timeout=60)


def test_coordinator_filters_drills_down_and_exports(browser, personas, cohort_2024, municipality):
    browser.start("dashboard_coordinator")
    browser.login("cora")
    _click(browser, "header a[href='/rapporter/']")
    browser.page("dashboard")
    main = browser.find("main").text
    assert HIDDEN not in main and "Amina" not in main

    # filter: the municipality and the years of the cohort
    Select(browser.find("#id_municipality")).select_by_value(str(municipality.pk))
    browser.find("#id_year_from").send_keys("2022")
    browser.find("#id_year_to").send_keys("2026")
    browser.submit("main form.kmv-filters")
    query = parse_qs(urlparse(browser.driver.current_url).query)
    assert query["municipality"] == [str(municipality.pk)] and query["year_from"] == ["2022"]
    browser.page("dashboard_filtered")
    row = _cohort_row(browser)
    # 7 started; the 1 who dropped out and the empty columns show as "x" alike; the 6 still
    # in school and the total are perturbed (at least 5), so the 1 cannot be worked out
    assert "x" in row.values() and "<5" not in row.values()
    assert int(row["Totalt"]) >= 5
    suppressed = browser.find_all("section[aria-labelledby='h-cohorts'] td[data-suppressed]")
    assert len(suppressed) >= 2

    # drill down from the row total: the coordinator may see none of them
    _click(browser, "section[aria-labelledby='h-cohorts'] tbody tr a[href*='row=2024&col=&']")
    assert "/rapporter/utvalg/" in browser.path
    browser.page("drill_down_none")
    main = browser.find("main").text
    assert HIDDEN not in main and "Amina" not in main
    assert not browser.find_all("main table tbody tr")

    # back to the filtered dashboard; CSV of the cohort table and the PDF report
    _click(browser, "main a[href^='/rapporter/?']")
    browser.page("dashboard_back", screenshot=False)
    csv_response = _download(browser, "main a[href^='/rapporter/tabell/cohorts.csv']")
    assert csv_response.status_code == 200
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    by_cohort = {r[0]: r for r in rows[1:]}
    assert "x" in by_cohort["2024"] and "<5" not in by_cohort["2024"]
    assert HIDDEN not in csv_response.text
    pdf = _download(browser, "main a[href^='/rapporter/rapport.pdf']")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # NOT reachable: a participant's page, the participant import
    browser.open(f"/deltakere/{cohort_2024['others'][0].pk}/")
    assert browser.find("h1").text == "Fant ikke siden"
    browser.page("participant_404", screenshot=False)
    assert (
        requests.get(
            browser.url("/rapporter/import/"), cookies=browser.cookies(), timeout=30
        ).status_code
        == 403
    )


def test_case_worker_drills_down_to_her_own_participant(browser, personas, cohort_2024):
    browser.start("dashboard_case_worker")
    browser.login("alice")
    browser.open("/rapporter/?year_from=2022&year_to=2026")
    browser.page("dashboard")
    # the cohort also holds another office's participants: alice gets protected numbers too
    row = _cohort_row(browser)
    assert "x" in row.values()
    _click(browser, "section[aria-labelledby='h-cohorts'] tbody tr a[href*='row=2024&col=&']")
    browser.page("drill_down_own")
    names = [a.text for a in browser.find_all("main table tbody a")]
    assert names == ["Haile, Amina"]
    assert HIDDEN not in browser.find("main").text
    _click(browser, "main table tbody a")
    assert browser.path == f"/deltakere/{cohort_2024['amina'].pk}/"
    browser.page("participant", screenshot=False)
