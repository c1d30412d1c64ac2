"""Bulk import: a dry run that names every row's problem, and an all-or-nothing commit."""

from datetime import date

import pytest
from django.urls import reverse

from participants.models import OutcomeRecord, Participant
from reports import imports
from tests.api.conftest import national_id_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _csv(*rows, header=None):
    return imports.to_csv([header or imports.HEADER, *rows]).encode()


def _row(**values):
    return [values.get(c, "") for c in imports.HEADER]


GOOD_NEW = {
    "first_name": "Nadia",
    "last_name": "Yusuf",
    "date_of_birth": "17.05.1990",
    "municipality": "4204",
    "status": "upper_secondary_started",
    "since": "2024-08-19",
    "cohort_year": "2024",
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"first_name": ""}, "first_name is missing"),
        ({"date_of_birth": "1990-13-40"}, "“1990-13-40” is not a date"),
        ({"date_of_birth": ""}, "date_of_birth is missing"),
        ({"municipality": "9999"}, "no municipality has number 9999"),
        ({"pathway": "fast"}, "pathway: “fast” is not one of"),
        ({"status": "graduated"}, "status: “graduated” is not a known status"),
        ({"since": ""}, "since is missing"),
        ({"cohort_year": ""}, "Give the school year the participant started upper-secondary"),
        ({"cohort_year": "twenty"}, "cohort_year: “twenty” is not a year"),
        ({"in_work": "maybe"}, "in_work: write yes or no"),
        ({"in_work": "no", "in_work_since": "2024-01-01"}, "needs 'in work' to be yes"),
        ({"until": "2020-01-01"}, "The end date cannot be before the start"),
        ({"status": "", "since": "", "cohort_year": "2024"}, "cohort_year is filled but status"),
        ({"kmv_id": "999999"}, "no participant number 999999 that you have access to"),
        ({"national_id": "12345678901"}, "national_id"),
        ({"date_of_birth": "2090-01-01"}, "cannot be in the future"),
    ],
)
def test_each_kind_of_bad_row_is_named_and_nothing_written(personas, municipality, values, message):
    alice = personas["nav_adviser"]
    rows = imports.read_rows("x.csv", _csv(_row(**GOOD_NEW), _row(**{**GOOD_NEW, **values})))
    result = imports.validate(rows, alice)
    assert not result.rows[0].errors
    assert [r.number for r in result.error_rows] == [3]
    assert any(message in e for e in result.rows[1].errors), result.rows[1].errors
    before = (Participant.objects.count(), OutcomeRecord.objects.count())
    with pytest.raises(imports.ImportRejected):
        imports.commit(rows, alice)
    assert (Participant.objects.count(), OutcomeRecord.objects.count()) == before


def test_duplicate_identity_number_in_file(personas, municipality):
    nid = national_id_for(date(1990, 5, 17))
    row = _row(**GOOD_NEW, national_id=nid)
    result = imports.validate(imports.read_rows("x.csv", _csv(row, row)), personas["nav_adviser"])
    assert "the same number is already on row 2" in result.rows[1].errors[0]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.pdf", b"%PDF", "Upload a .csv or .xlsx file"),
        ("x.csv", b"", "The file is empty"),
        ("x.csv", b"name;age\nA;1\n", "Unknown columns: name, age"),
        ("x.csv", "first_name\nÅse\n".encode("latin-1"), "must be saved as UTF-8"),
        ("x.xlsx", b"not a zip", "could not be read"),
    ],
)
def test_unreadable_files(name, data, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.read_rows(name, data)


def test_commit_writes_everything_through_services(personas, municipality, participant):
    alice = personas["nav_adviser"]
    rows = imports.read_rows(
        "x.csv",
        _csv(
            _row(**GOOD_NEW),
            _row(
                kmv_id=str(participant.pk),
                status="in_school",
                since="2025-01-01",
                in_work="ja",
                in_work_since="2025-02-01",
            ),
        ),
    )
    result = imports.commit(rows, alice)
    assert result.committed
    new = Participant.objects.get(first_name="Nadia")
    assert new.owner_agency == alice.agency  # registered by the service: access rows exist
    from kmv.access import policy

    assert policy.may(alice, new)
    outcome = participant.outcomes.get()
    assert outcome.in_work and outcome.reported_by_agency == alice.agency


def test_roles_without_cases_cannot_import(personas, municipality):
    rows = imports.read_rows("x.csv", _csv(_row(**GOOD_NEW)))
    result = imports.validate(rows, personas["coordinator"])
    assert "Only staff working with participants can register them." in result.rows[0].errors


def test_xlsx_round_trip(personas, municipality, participant):
    alice = personas["nav_adviser"]
    data = imports.to_xlsx([imports.HEADER, _row(**GOOD_NEW)])
    rows = imports.read_rows("x.xlsx", data)
    assert rows[0]["first_name"] == "Nadia" and rows[0]["cohort_year"] == "2024"
    assert imports.validate(rows, alice).ok


def test_export_uses_the_import_format_and_only_permitted(client, personas, participant):
    from tests.factories import ParticipantFactory

    ParticipantFactory(last_name="Hiddenqx")
    client.force_login(personas["teacher"])
    response = client.get(reverse("reports:export_outcomes"))
    text = response.content.decode()
    assert text.splitlines()[0] == ",".join(imports.HEADER)
    assert "Haile" in text and "Hiddenqx" not in text
    response = client.get(reverse("reports:export_outcomes"), {"format": "xlsx"})
    assert response.content[:2] == b"PK"


def test_formula_cells_are_neutralised():
    assert imports.to_csv([["=HYPERLINK(1)"]]).startswith("'=")


def test_import_pages_dry_run_then_commit(client, personas, municipality):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas["nav_adviser"])
    bad = SimpleUploadedFile("x.csv", _csv(_row(**{**GOOD_NEW, "municipality": "0000"})))
    response = client.post(reverse("reports:import"), {"file": bad})
    (row,) = response.context["result"].rows
    assert row.number == 2 and any("0000" in e for e in row.errors)
    assert "0000" in response.content.decode()
    assert client.post(reverse("reports:import_commit")).status_code == 302  # nothing pending
    assert not Participant.objects.filter(first_name="Nadia").exists()
    good = SimpleUploadedFile("x.csv", _csv(_row(**GOOD_NEW)))
    response = client.post(reverse("reports:import"), {"file": good})
    assert response.context["result"].ok
    assert not Participant.objects.filter(first_name="Nadia").exists()  # a dry run
    response = client.post(reverse("reports:import_commit"))
    assert response.status_code == 302
    assert Participant.objects.filter(first_name="Nadia").count() == 1


def test_template_download(client, personas):
    client.force_login(personas["coordinator"])
    response = client.get(reverse("reports:import_template"))
    rows = imports.read_rows("t.csv", response.content)
    assert rows[0]["status"] == "upper_secondary_started"


def test_large_file_is_committed_by_a_worker_with_progress(
    client, personas, municipality, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports import views
    from reports.models import ImportJob

    monkeypatch.setattr(views, "LARGE_IMPORT_ROWS", 2)
    rows = [_row(**{**GOOD_NEW, "first_name": f"Big{i}"}) for i in range(3)]
    client.force_login(personas["nav_adviser"])
    client.post(reverse("reports:import"), {"file": SimpleUploadedFile("x.csv", _csv(*rows))})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:import_commit"))
    job = ImportJob.objects.get()
    assert response.url == reverse("reports:import_status", args=[job.token])
    assert job.state == ImportJob.State.DONE and job.done == 3
    assert Participant.objects.filter(first_name__startswith="Big").count() == 3
    page = client.get(response.url)
    assert page.status_code == 200
    assert (page.context["done"], page.context["total"], page.context["percent"]) == (3, 3, 100)
    client.force_login(personas["teacher"])  # someone else's job: 404
    assert client.get(response.url).status_code == 404
