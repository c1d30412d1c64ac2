"""Settled figures in and out of spreadsheets: a documented format with a template, a dry
run that names every bad row's problem in plain words, an all-or-nothing commit."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import SettledFigure
from reports import imports, settled_io
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _csv(*rows, header=("municipality", "year", "count")):
    """A file as a person would type it (no formula escaping, unlike the export)."""
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def _upload(data, name="bosatte.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def oslo(db):
    return MunicipalityFactory(number="0301", name="Oslo")


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (("", "2025", "10"), "municipality is missing"),
        (("9998", "2025", "10"), "no municipality has number 9998"),
        (("4204", "", "10"), "year is missing"),
        (("4204", "tjuefem", "10"), "“tjuefem” is not a year"),
        (("4204", "1850", "10"), "“1850” is not a year"),
        (("4204", "2025", ""), "count is missing"),
        (("4204", "2025", "-3"), "“-3” is not a whole number"),
        (("4204", "2025", "12.5"), "“12.5” is not a whole number"),
    ],
)
def test_every_kind_of_bad_row_is_named_and_nothing_is_written(personas, municipality, row, words):
    from django.utils import translation

    rows = settled_io.read("x.csv", _csv(("4204", "2024", "100"), row))
    with translation.override("en"):
        result = settled_io.validate(rows, personas["coordinator"])
        assert not result.ok
        assert [r.number for r in result.error_rows] == [3]  # the header is row 1
        assert any(words in e for e in result.error_rows[0].errors), result.error_rows[0].errors
        with pytest.raises(imports.ImportRejected):
            settled_io.commit(rows, personas["coordinator"])
    assert not SettledFigure.objects.exists()


def test_duplicates_in_the_file_and_who_may_import(personas, municipality):
    from django.utils import translation

    rows = settled_io.read("x.csv", _csv(("4204", "2024", "100"), ("4204", "2024", "120")))
    with translation.override("en"):
        result = settled_io.validate(rows, personas["coordinator"])
        assert result.error_rows[0].errors == ["Kristiansand 2024 is already on row 2."]
        alone = settled_io.read("x.csv", _csv(("4204", "2024", "100")))
        refused = settled_io.validate(alone, personas["nav_adviser"])
        assert refused.error_rows[0].errors == [
            "Only coordinators and leaders enter settled figures."
        ]


def test_commit_is_all_or_nothing_and_replaces_a_year(personas, municipality, oslo):
    from participants.outcomes import settled_set

    leo = personas["leader"]
    settled_set(user=leo, municipality=municipality, year=2024, count=90)
    # XLSX reads numbers as numbers; "301" is Oslo's 0301 with the zero lost by a spreadsheet
    data = imports.to_xlsx(
        [settled_io.HEADER, ["4204", "2024", "100", ""], ["301", "2025", "7", ""]]
    )
    rows = settled_io.read("bosatte.xlsx", data)
    result = settled_io.validate(rows, leo)
    assert result.ok, [r.errors for r in result.rows]
    assert "90" in result.rows[0].action  # the dry run says what is replaced
    settled_io.commit(rows, leo)
    assert dict(SettledFigure.objects.values_list("municipality__number", "count")) == {
        "4204": 100,
        "0301": 7,
    }
    bad = settled_io.read("x.csv", _csv(("4204", "2024", "1"), ("0301", "2026", "x")))
    with pytest.raises(imports.ImportRejected):
        settled_io.commit(bad, leo)
    assert SettledFigure.objects.get(municipality=municipality, year=2024).count == 100


def test_unreadable_files(personas):
    with pytest.raises(imports.ImportFileError):
        settled_io.read("x.pdf", b"%PDF")
    with pytest.raises(imports.ImportFileError):
        settled_io.read("x.csv", _csv(("4204", "2024", "1"), header=("kommune", "år", "antall")))


def test_pages_template_dry_run_commit_and_export(client, personas, municipality):
    client.force_login(personas["coordinator"])
    template = client.get(reverse("reports:settled_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(template.content.decode()))) == settled_io.HEADER
    page = client.get(reverse("reports:settled_import"))
    assert page.status_code == 200
    assert [c for c, _d in page.context["columns"]] == settled_io.HEADER  # documented

    bad = client.post(
        reverse("reports:settled_import"), {"file": _upload(_csv(("4204", "2024", "many")))}
    )
    assert bad.status_code == 200 and not bad.context["result"].ok
    assert "many" in bad.content.decode()
    assert not SettledFigure.objects.exists()
    # a commit without a checked file changes nothing
    assert client.post(reverse("reports:settled_import_commit")).status_code == 302
    assert not SettledFigure.objects.exists()

    good = client.post(
        reverse("reports:settled_import"), {"file": _upload(_csv(("4204", "2024", "312")))}
    )
    assert good.context["result"].ok and not SettledFigure.objects.exists()  # dry run
    done = client.post(reverse("reports:settled_import_commit"))
    assert done.status_code == 302
    assert SettledFigure.objects.get(municipality=municipality, year=2024).count == 312

    export = client.get(reverse("reports:settled_export"))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows == [settled_io.HEADER, ["4204", "2024", "312", "Kristiansand"]]
    # the export reads back as an import
    again = settled_io.validate(settled_io.read("x.csv", export.content), personas["coordinator"])
    assert again.ok
    xlsx = client.get(reverse("reports:settled_export"), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"

    client.force_login(personas["nav_adviser"])
    assert client.get(reverse("reports:settled_import")).status_code == 403
    assert client.post(reverse("reports:settled_import_commit")).status_code == 403


def test_api_dry_run_commit_and_rejection(personas, municipality):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas["leader"])

    def post(data, dry_run):
        return api.post(
            "/api/settled-imports/",
            {"file": _upload(data), "dry_run": dry_run},
            format="multipart",
        )

    good = _csv(("4204", "2025", "40"))
    assert post(good, True).status_code == 200
    assert not SettledFigure.objects.exists()
    response = post(good, False)
    assert response.status_code == 201 and response.json()["committed"]
    bad = post(_csv(("4204", "2026", "41"), ("4204", "", "1")), False)
    assert bad.status_code == 422
    body = bad.json()
    assert not body["committed"] and [r["row"] for r in body["rows"] if r["errors"]] == [3]
    assert not SettledFigure.objects.filter(year=2026).exists()
    assert post(b"\xff\xfe", True).status_code == 400
    export = api.get("/api/settled-exports/")
    assert export.content.decode().splitlines()[1] == "4204,2025,40,Kristiansand"
