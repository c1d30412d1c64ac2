"""The API serves the dashboard's numbers with the same suppression, and drills within access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from participants.models import Participant
from reports import imports
from tests.reports.test_views import cohort  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    from rest_framework.test import APIClient

    def make(persona):
        client = APIClient()
        client.force_authenticate(personas[persona])
        return client

    return make


def _cells(section):
    cols = [c["key"] for c in section["columns"]]
    return {r["key"]: dict(zip(cols, r["cells"], strict=True)) for r in section["rows"]}


def test_suppressed_cells_are_null_not_zero(api, cohort):  # noqa: F811
    """2024: 1 dropped out, 6 in school, none in the other columns. The 1 and the zeros
    are hidden alike; the 6 is perturbed (never below 5, never further than noise_bound)."""
    data = api("coordinator").get("/api/reports/cohorts/").json()
    assert data["exact"] is False and data["noise_bound"] > 0
    cells = _cells(data)["2024"]
    hidden = {"value": None, "suppressed": True, "display": "x"}
    assert cells["dropped_out"] == hidden
    assert cells["passed"] == hidden
    shown = cells["in_school"]
    assert shown["suppressed"] is False and shown["display"] == str(shown["value"])
    assert 5 <= shown["value"] <= 6 + data["noise_bound"]
    listing = api("coordinator").get("/api/reports/").json()
    assert [s["key"] for s in listing][:3] == ["settled", "with_group", "started_vgo"]


def test_drill_down_only_permitted(api, cohort):  # noqa: F811
    url = "/api/reports/cohorts/participants/?row=2024&col=in_school"
    assert [p["id"] for p in api("teacher").get(url).json()["results"]] == [cohort["mine"].pk]
    assert api("coordinator").get(url).json()["results"] == []
    assert api("teacher").get(url.replace("2024", "1999")).status_code == 404


def test_bad_filter_is_400(api):
    assert api("leader").get("/api/reports/?year_from=abc").status_code == 400


def test_import_dry_run_and_commit(api, municipality):
    row = ["", "", "Nadia", "Yusuf", "1990-05-17", "4204", "", "in_school", "2025-01-01"]
    body = imports.to_csv([imports.HEADER[:9], row]).encode()

    def post(dry_run):
        f = SimpleUploadedFile("x.csv", body, content_type="text/csv")
        return api("nav_adviser").post(
            "/api/outcome-imports/", {"file": f, "dry_run": dry_run}, format="multipart"
        )

    response = post(True)
    assert response.status_code == 200 and response.json()["ok"]
    assert not Participant.objects.filter(first_name="Nadia").exists()
    response = post(False)
    assert response.status_code == 201 and response.json()["committed"]
    assert Participant.objects.get(first_name="Nadia").outcomes.count() == 1
    bad = imports.to_csv([imports.HEADER[:9], [*row[:5], "0000", *row[6:]]]).encode()
    f = SimpleUploadedFile("x.csv", bad, content_type="text/csv")
    response = api("nav_adviser").post(
        "/api/outcome-imports/", {"file": f, "dry_run": False}, format="multipart"
    )
    assert response.status_code == 422
    assert "0000" in response.json()["rows"][0]["errors"][0]  # (the message is translated)


def test_export_csv(api, participant):
    response = api("nav_adviser").get("/api/outcome-exports/")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0] == ",".join(imports.HEADER)
