"""Bounded input: every upload kind has a size limit and a type checked by content
(`kmv.uploads`), spreadsheets are bounded before they are parsed, and an oversized request
body is refused before any parser reads it — on every path (service, page, API)."""

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kmv import uploads
from network import services as network_services
from participants import services as participant_services
from participants.models import Consent, Participant
from reports import imports

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a small but real header\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _xlsx(sheet_xml: bytes, *, extra_parts=()) -> bytes:
    """A minimal workbook zip; the parts openpyxl needs, with the sheet given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in extra_parts:
            z.writestr(name, data)
    return out.getvalue()


def _sheet(rows: int) -> bytes:
    body = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>first_name</t></is></c></row>'
        for i in range(1, rows + 1)
    )
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


# --- the rule: size and type by content ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "data", "accepted"),
    [
        ("document", "avtale.pdf", PDF, True),
        ("document", "avtale.pdf", PNG, False),  # a PNG renamed .pdf
        ("document", "avtale.png", PNG, False),  # agreements are PDFs only
        ("consent", "skjema.png", PNG, True),
        ("consent", "skjema.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, True),
        ("consent", "skjema.pdf", b"MZ\x90\x00", False),  # an executable named .pdf
        ("consent", "run.exe", b"MZ\x90\x00", False),
        ("table", "liste.csv", "first_name\nÅse\n".encode(), True),
        ("table", "liste.csv", b"first\x00name", False),  # binary named .csv
        ("table", "liste.xlsx", b"not a zip", False),
        ("table", "liste.xlsx", _xlsx(_sheet(2)), True),
        ("agenda", "notat.txt", b"Internt notat", True),
        ("agenda", "notat.docx", _xlsx(_sheet(1)), False),  # a zip, but no Word document
    ],
)
def test_the_type_is_checked_by_content(kind, name, data, accepted):
    upload = SimpleUploadedFile(name, data)
    if accepted:
        uploads.check_upload(upload, kind)
    else:
        with pytest.raises(uploads.UploadRejected):
            uploads.check_upload(upload, kind)


@pytest.mark.parametrize("kind", sorted(uploads.KINDS))
def test_every_kind_has_a_size_limit(kind, settings):
    assert settings.KMV_UPLOAD_MAX_BYTES.keys() == uploads.KINDS.keys()
    settings.KMV_UPLOAD_MAX_BYTES = {**settings.KMV_UPLOAD_MAX_BYTES, kind: 100}
    name, data = {
        "document": ("a.pdf", PDF),
        "consent": ("a.pdf", PDF),
        "table": ("a.csv", b"x"),
        "agenda": ("a.pdf", PDF),
    }[kind]
    uploads.check_upload(SimpleUploadedFile(name, data.ljust(100, b" ")), kind)
    with pytest.raises(uploads.UploadRejected, match="for stor"):  # bokmål, the default
        uploads.check_upload(SimpleUploadedFile(name, data.ljust(101, b" ")), kind)


# --- spreadsheets are bounded before parsing ------------------------------------------------


def test_an_xlsx_zip_bomb_is_refused_before_parsing(settings, monkeypatch):
    """A 204 KB XLSX that unpacks to 200 MB cost the worker 385 MB; the zip directory is read
    first and openpyxl never sees it."""
    settings.KMV_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = _xlsx(_sheet(20_000))  # ~1.6 MB of XML that deflates to ~100 KB
    assert len(bomb) * 10 < 1024 * 1024 < len(_sheet(20_000))

    def must_not_parse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to parse a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_parse)
    with pytest.raises(imports.ImportFileError, match="1,0|1.0"):  # "… more than 1.0 MB"
        imports.read_rows("bomb.xlsx", bomb)


def test_rows_past_the_limit_are_never_read(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    with pytest.raises(imports.ImportFileError, match=r"\b5\b"):
        imports.read_rows("many.xlsx", _xlsx(_sheet(50)))
    csv = ("first_name\n" + "Åse\n" * 50).encode()
    with pytest.raises(imports.ImportFileError, match=r"\b5\b"):
        imports.read_rows("many.csv", csv)


@pytest.mark.parametrize(
    "data",
    [
        _xlsx(b"<worksheet><sheetData><row><c"),  # truncated XML
        _xlsx(_sheet(1))[:300],  # a cut-off zip
        b"PK\x03\x04" + b"\x00" * 60,
    ],
    ids=["truncated sheet", "cut-off zip", "zip header only"],
)
def test_a_malformed_xlsx_is_a_translated_400_on_the_api(data, client, personas):
    client.force_login(personas["nav_adviser"])
    upload = SimpleUploadedFile("x.xlsx", data)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas["nav_adviser"])
    before = Participant.objects.count()
    response = api.post(
        "/api/outcome-imports/",
        {"file": upload, "dry_run": False},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert Participant.objects.count() == before


# --- every path inherits the rule --------------------------------------------------------


def test_consent_documents_follow_one_rule_on_page_api_and_service(
    client, participant, personas, agencies, settings
):
    alice = personas["nav_adviser"]
    fake = b"MZ\x90\x00 not a pdf"
    with pytest.raises(ValidationError):
        participant_services.consent_record(
            user=alice,
            participant=participant,
            agency=agencies["school"],
            category="plan_meetings",
            purpose="Resource group",
            document=SimpleUploadedFile("signert.pdf", fake),
        )
    before = Consent.objects.count()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(
        "/api/consents/",
        {
            "participant": participant.pk,
            "agency": agencies["school"].pk,
            "category": "plan_meetings",
            "purpose": "Resource group",
            "document": SimpleUploadedFile("signert.pdf", fake),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "document" in response.json()
    client.force_login(alice)
    response = client.post(
        reverse("participants:consent_create", args=[participant.pk]),
        {
            "agency": agencies["school"].pk,
            "category": "plan_meetings",
            "purpose": "Resource group",
            "basis": "consent",
            "given_on": date.today().isoformat(),
            "document": SimpleUploadedFile("signert.pdf", fake),
        },
    )
    assert response.status_code in (200, 400)
    assert "PDF" in response.content.decode()
    assert Consent.objects.count() == before


def test_an_agreement_document_must_be_a_pdf_by_content(personas, agencies, settings):
    from network.models import Network

    coordinator = personas["coordinator"]
    network = network_services.network_create(
        user=coordinator,
        name="Agder",
        region="Agder",
        agencies=[coordinator.agency, agencies["nav"]],
    )
    assert isinstance(network, Network)
    settings.KMV_UPLOAD_MAX_BYTES = {**settings.KMV_UPLOAD_MAX_BYTES, "document": 1000}
    for name, data in (("avtale.pdf", PNG), ("avtale.pdf", PDF.ljust(1001, b" "))):
        with pytest.raises(ValidationError) as exc:
            network_services.agreement_create(
                user=coordinator,
                network=network,
                title="Avtale",
                effective_from=date(2026, 1, 1),
                parties=[coordinator.agency, agencies["nav"]],
                routine_id=None,
                routine_label="KMV",
                document=SimpleUploadedFile(name, data),
            )
        assert "document" in exc.value.message_dict


@pytest.mark.parametrize("path", ["/api/participants/", "/deltakere/ny/"])
def test_an_oversized_body_is_a_translated_413_before_any_parser(client, personas, path, settings):
    settings.KMV_MAX_REQUEST_BYTES = 1000
    client.force_login(personas["nav_adviser"])
    response = client.post(path, "x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert "for stor" in response.content.decode()  # bokmål: "Forespørselen er for stor"
